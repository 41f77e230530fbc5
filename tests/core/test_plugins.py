from __future__ import annotations

import pytest

from camshaft import App, Emitter, Handler, hookimpl
from camshaft._kernel.plugin_manager import BUILTINS, make_plugin_manager, plugin_infos
from camshaft.errors import PluginLoadError
from camshaft.testing import make_app, make_client


class Thing(Handler):
    resource_name = "things"

    def read(self, key):
        return {"id": key}


def fake_distribution(tmp_path, name, module_source, entry_point="camshaft"):
    """A distribution on sys.path with one entry point in the camshaft group."""
    dist = tmp_path / f"{name}-1.2.3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2.3\n")
    (dist / "entry_points.txt").write_text(f"[{entry_point}]\n{name} = {name}_mod\n")
    (tmp_path / f"{name}_mod.py").write_text(module_source)


def test_builtins_are_registered_as_plugins():
    pm = make_app([]).plugin_manager
    opt_in = {"cors", "access_log"}
    assert {name for name, _ in pm.list_name_plugin()} == set(BUILTINS) - opt_in


def test_opt_in_builtins_are_registered_when_configured_or_enabled():
    configured = make_app([], settings={"cors": {"origins": ["https://a.example"]}})
    assert configured.plugin_manager.has_plugin("cors")
    assert not configured.plugin_manager.has_plugin("access_log")
    enabled = make_app([], settings={"plugins": {"enable": ["access_log"]}})
    assert enabled.plugin_manager.has_plugin("access_log")


def test_each_app_has_its_own_plugin_manager():
    assert make_app([]).plugin_manager is not make_app([]).plugin_manager


def test_an_installed_plugin_overrides_a_builtin_emitter():
    class FastJson:
        camshaft_name = "fastjson"

        @hookimpl
        def camshaft_emitters(self):
            return [Emitter("json", "application/json", lambda data, ctx: b'"fast"')]

    app = make_app([Thing], plugins=[FastJson()])
    assert make_client(app).get("/things/1").data == b'"fast"'


def test_blocking_a_builtin_by_settings():
    app = make_app([], settings={"plugins": {"block": ["memory"]}})
    assert "memory" not in app.store_backends
    assert "memory" in {info.name for info in plugin_infos(app.plugin_manager) if info.blocked}


def test_blocking_by_environment_variable(tmp_path, monkeypatch):
    fake_distribution(tmp_path, "envblocked", "raise ImportError('must never be imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    app = App([], environ={"CAMSHAFT_BLOCK_PLUGINS": "envblocked, memory"})
    assert "memory" not in app.store_backends


def test_a_plugin_that_fails_to_import_is_named_with_its_distribution(tmp_path, monkeypatch):
    fake_distribution(tmp_path, "brokenplug", "raise RuntimeError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginLoadError) as info:
        App([], environ={})
    message = str(info.value)
    assert "'brokenplug'" in message and "brokenplug 1.2.3" in message and "boom" in message


def test_autoload_off_skips_entry_points(tmp_path, monkeypatch):
    fake_distribution(tmp_path, "neverloaded", "raise RuntimeError('loaded')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    App([], settings={"plugins": {"autoload": False}}, environ={})
    App([], environ={"CAMSHAFT_DISABLE_PLUGIN_AUTOLOAD": "1"})


def test_entry_point_plugins_are_found(tmp_path, monkeypatch):
    source = (
        "from camshaft import Emitter, hookimpl\n"
        "@hookimpl\n"
        "def camshaft_emitters():\n"
        "    return [Emitter('found', 'application/x-found', lambda d, c: b'found')]\n"
    )
    fake_distribution(tmp_path, "foundplug", source)
    monkeypatch.syspath_prepend(str(tmp_path))
    app = App([Thing], environ={})
    assert make_client(app).get("/things/1?format=found").data == b"found"
    info = next(i for i in plugin_infos(app.plugin_manager) if i.name == "foundplug")
    assert (info.distribution, info.version, info.builtin) == ("foundplug", "1.2.3", False)
    assert info.hooks == ("camshaft_emitters",)


def test_an_unknown_hook_fails_check_pending():
    class Typo:
        camshaft_name = "typo"

        @hookimpl
        def camshaft_emiters(self):
            return []

    with pytest.raises(PluginLoadError, match="unknown hook"):
        make_plugin_manager({}, {}, [Typo()])


def test_opt_in_plugins_need_enabling():
    class OptIn:
        camshaft_name = "optin"
        camshaft_opt_in = True

        @hookimpl
        def camshaft_emitters(self):
            return [Emitter("optin", "application/x-optin", lambda d, c: b"")]

    assert "optin" not in make_app([], plugins=[OptIn()]).emitters
    enabled = make_app([], plugins=[OptIn()], settings={"plugins": {"enable": ["optin"]}})
    assert "optin" in enabled.emitters


def test_explicit_name_and_plugin_pairs():
    class Anything:
        @hookimpl
        def camshaft_emitters(self):
            return [Emitter("pair", "application/x-pair", lambda d, c: b"")]

    app = make_app([], plugins=[("pairplugin", Anything())])
    assert app.plugin_manager.has_plugin("pairplugin")
