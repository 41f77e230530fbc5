"""The example third-party plugin, installed as its own distribution and found through
its entry point, as a user's plugin would be."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from camshaft import App
from camshaft.cli import main
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client


def test_it_is_installed_with_an_entry_point_in_the_camshaft_group():
    (ep,) = entry_points(group="camshaft", name="hello")
    assert ep.value == "camshaft_hello" and ep.dist.name == "camshaft-hello"


ENABLED = {"enable": ["hello"]}


def test_installing_it_changes_no_app_that_did_not_enable_it():
    app = App([], environ={})
    assert not app.plugin_manager.has_plugin("hello")
    assert make_client(app).get("/hello/world").status_code == 404


def test_autoload_finds_and_configures_it():
    app = App([], settings={"plugins": ENABLED, "hello": {"greeting": "Howdy"}}, environ={})
    client = make_client(app)
    assert client.get("/hello/world").json == {"message": "Howdy, world!"}
    text = client.get("/hello/world?format=text")
    assert text.data == b"message: Howdy, world!\n"


def test_its_settings_are_validated():
    with pytest.raises(ConfigurationError, match="'hello.greting'"):
        App([], settings={"plugins": ENABLED, "hello": {"greting": "x"}}, environ={})
    with pytest.raises(ConfigurationError, match="must not be blank"):
        App([], settings={"plugins": ENABLED, "hello": {"greeting": " "}}, environ={})


def test_its_route_can_move_by_settings():
    app = App([], settings={"plugins": ENABLED, "hello": {"path": "/greet/<name>"}}, environ={})
    assert make_client(app).get("/greet/you").json == {"message": "Hello, you!"}


def test_it_can_be_blocked_by_name_in_settings_or_environment():
    for app in (
        App([], settings={"plugins": {**ENABLED, "block": ["hello"]}}, environ={}),
        App([], settings={"plugins": ENABLED}, environ={"CAMSHAFT_BLOCK_PLUGINS": "hello"}),
    ):
        assert make_client(app).get("/hello/world").status_code == 404
        assert "text" not in app.emitters


def test_make_app_loads_it_by_name_with_autoload_off():
    app = make_app([], plugins=["hello"])
    assert app.plugin_manager.has_plugin("hello")
    assert make_client(app).get("/hello/x").status_code == 200


def test_camshaft_plugins_lists_it_with_its_distribution(capsys, tmp_path, monkeypatch):
    (tmp_path / "hello_app.py").write_text(
        "from camshaft import App\n"
        "app = App([], settings={'plugins': {'enable': ['hello']}}, environ={})\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["plugins", "hello_app:app"]) == 0
    line = next(row for row in capsys.readouterr().out.splitlines() if row.startswith("hello "))
    assert "camshaft-hello" in line and "0.1.0" in line and "active" in line
    assert "emitters" in line and "routes" in line and "settings_spec" in line
