from __future__ import annotations

import pytest

from camshaft import Handler, Option, hookimpl
from camshaft._kernel.settings import Settings, load_raw_settings
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app


class Greeter:
    camshaft_name = "greeter"

    @hookimpl
    def camshaft_settings_spec(self):
        return {
            "word": Option(str, "hi"),
            "times": Option(int, 1),
            "secret": Option(str, ""),
            "nested": {"deep": Option(bool, False)},
        }


def app(settings=None, environ=None, **kwargs):
    return make_app([], plugins=[Greeter()], settings=settings, environ=environ or {}, **kwargs)


def test_defaults_fill_every_section():
    settings = app().settings
    assert settings["max_body_size"] == 1024 * 1024
    assert settings["versioning"]["default"] == "1.0"
    assert settings.plugin("greeter") == {
        "word": "hi",
        "times": 1,
        "secret": "",
        "nested": {"deep": False},
    }


def test_a_plugin_section_is_keyed_by_its_registration_name():
    assert app({"greeter": {"word": "hello", "times": 3}}).settings.plugin("greeter")["times"] == 3


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"max_body_sise": 10}, "unknown setting 'max_body_sise'"),
        ({"greeter": {"wurd": "x"}}, "unknown setting 'greeter.wurd'"),
        ({"greeter": {"times": "three"}}, "'greeter.times' must be of type int"),
        ({"max_body_size": True}, "'max_body_size' must be of type int"),
        ({"versioning": {"strategies": ["url", "cookie"]}}, "invalid value 'cookie'"),
        ({"versioning": 3}, "'versioning' must be a table"),
        ({"nosuchplugin": {"a": 1}}, "unknown setting 'nosuchplugin'"),
        ({"greeter": {"nested": {"deep": "yes"}}}, "'greeter.nested.deep' must be of type bool"),
    ],
    ids=[
        "a misspelt core key",
        "a misspelt plugin key",
        "a plugin value of the wrong type",
        "a bool where an int belongs",
        "a value outside the choices",
        "a scalar where a table belongs",
        "a section for a plugin that is not installed",
        "a nested plugin value of the wrong type",
    ],
)
def test_bad_settings_fail_at_startup_naming_the_key(settings, message):
    with pytest.raises(ConfigurationError, match=message):
        app(settings)


def test_env_indirection_for_secrets():
    built = app(
        {"greeter": {"secret": {"$env": "GREETER_SECRET"}}}, environ={"GREETER_SECRET": "s3"}
    )
    assert built.settings.plugin("greeter")["secret"] == "s3"


def test_env_indirection_to_a_missing_variable_fails_naming_both():
    with pytest.raises(ConfigurationError, match="'greeter.secret'.*'NOPE'"):
        app({"greeter": {"secret": {"$env": "NOPE"}}})


def test_file_indirection(tmp_path):
    (tmp_path / "secret.txt").write_text("from-a-file\n")
    built = app({"greeter": {"secret": {"$file": str(tmp_path / "secret.txt")}}})
    assert built.settings.plugin("greeter")["secret"] == "from-a-file"


def test_camshaft_toml_then_dict_then_environment(tmp_path):
    path = tmp_path / "camshaft.toml"
    path.write_text('max_depth = 5\nmax_body_size = 100\n[greeter]\nword = "file"\ntimes = 2\n')
    environ = {"CAMSHAFT__GREETER__TIMES": "9", "CAMSHAFT__VERSIONING__STRICT": "true"}
    settings = app(
        {"max_body_size": 200, "greeter": {"word": "dict"}}, environ=environ, settings_file=path
    ).settings
    assert settings["max_depth"] == 5
    assert settings["max_body_size"] == 200
    assert settings.plugin("greeter")["word"] == "dict"
    assert settings.plugin("greeter")["times"] == 9
    assert settings["versioning"]["strict"] is True


def test_pyproject_tool_camshaft_table(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n[tool.camshaft]\nmax_depth = 7\n')
    assert app(settings_file=path).settings["max_depth"] == 7


def test_settings_file_from_the_environment(tmp_path):
    path = tmp_path / "elsewhere.toml"
    path.write_text("max_depth = 4\n")
    assert app(environ={"CAMSHAFT_SETTINGS": str(path)}).settings["max_depth"] == 4


def test_unreadable_settings_file_is_a_clear_error(tmp_path):
    path = tmp_path / "camshaft.toml"
    path.write_text("max_depth = [unclosed\n")
    with pytest.raises(ConfigurationError, match="cannot read settings file"):
        app(settings_file=path)


def test_unknown_environment_key_fails_too():
    with pytest.raises(ConfigurationError, match="unknown setting 'max_deep'"):
        app(environ={"CAMSHAFT__MAX_DEEP": "3"})


def test_plugin_names_may_not_shadow_core_settings():
    with pytest.raises(ConfigurationError, match="clash"):
        Settings.build({}, {"versioning": {}}, {})


def test_load_raw_settings_without_sources_is_empty(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_raw_settings(None, file=None, environ={}) == {}


def test_order_setting_decides_which_plugin_wins_a_name():
    from camshaft import Emitter

    def plugin(name, body):
        class P:
            camshaft_name = name

            @hookimpl
            def camshaft_emitters(self):
                return [Emitter("same", "application/x-same", lambda d, c: body)]

        return P()

    class Thing(Handler):
        resource_name = "things"

        def read(self, key):
            return {}

    from camshaft.testing import make_client

    first, second = plugin("first", b"1"), plugin("second", b"2")
    default = make_app([Thing], plugins=[first, second])
    assert make_client(default).get("/things/1?format=same").data == b"2"
    ordered = make_app(
        [Thing], plugins=[first, second], settings={"order": {"emitters": ["first"]}}
    )
    assert make_client(ordered).get("/things/1?format=same").data == b"1"


def test_every_core_option_is_documented():
    from pathlib import Path

    from camshaft._kernel.settings import CORE_OPTIONS

    text = (Path(__file__).resolve().parents[2] / "docs" / "settings.md").read_text()

    def keys(spec, prefix=""):
        for name, value in spec.items():
            if isinstance(value, Option):
                yield prefix + name
            else:
                yield from keys(value, f"{prefix}{name}.")

    assert [key for key in keys(CORE_OPTIONS) if f"`{key}`" not in text] == []


@pytest.mark.parametrize(
    ("settings", "environ"),
    [
        ({"plugins": {"block": ["greeter"]}, "greeter": {"word": "x"}}, {}),
        ({"greeter": {"word": "x"}}, {"CAMSHAFT_BLOCK_PLUGINS": "greeter"}),
        ({"plugins": {"block": ["greeter"]}}, {"CAMSHAFT__GREETER__WORD": "x"}),
    ],
    ids=[
        "blocked in settings, section in settings",
        "blocked by the environment, section in settings",
        "blocked in settings, setting from the environment",
    ],
)
def test_a_blocked_plugins_section_is_refused_saying_the_plugin_is_blocked(settings, environ):
    with pytest.raises(ConfigurationError) as raised:
        app(settings, environ)
    message = str(raised.value)
    assert "'greeter'" in message and "is blocked" in message
    assert "unknown setting" not in message


def test_a_section_for_a_plugin_that_is_neither_installed_nor_blocked_is_still_unknown():
    with pytest.raises(ConfigurationError, match="unknown setting 'greetr'"):
        app({"plugins": {"block": ["greeter"]}, "greetr": {"word": "x"}})
