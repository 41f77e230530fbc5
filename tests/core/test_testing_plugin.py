"""The pytest plugin Camshaft installs (entry point pytest11), used as a user would."""

from __future__ import annotations

import pytest

from camshaft import Handler
from camshaft.errors import PluginLoadError
from camshaft.testing import load_plugin, make_app


class Greeting(Handler):
    resource_name = "greetings"
    links = False

    def read(self, key):
        return {"hello": key}


@pytest.fixture
def camshaft_app():
    return make_app([Greeting])


def test_camshaft_client_serves_the_overridden_app(camshaft_client):
    response = camshaft_client.get("/greetings/world")
    assert response.status_code == 200
    assert response.json == {"hello": "world"}


def test_camshaft_make_app_builds_with_builtins_only(camshaft_make_app):
    app = camshaft_make_app([Greeting])
    assert set(app.emitters) >= {"json"}
    assert not app.plugin_manager.has_plugin("hello")


def test_load_plugin_names_what_is_missing():
    with pytest.raises(PluginLoadError, match="no installed plugin named 'nonesuch'"):
        load_plugin("nonesuch")


def test_the_default_app_fixture_asks_to_be_overridden(pytester):
    pytester.makepyfile("def test_x(camshaft_client):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*override the 'camshaft_app' fixture*"])
