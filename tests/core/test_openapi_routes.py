"""Serving the document (/openapi.json, /openapi.yaml), the offline docs page (/docs),
the settings that move or switch them off, the CLI, the hook and the cache."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from camshaft import Handler, hookimpl
from camshaft.cli import main
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client


class ThingHandler(Handler):
    """Things."""

    def read(self, key: str) -> dict[str, str]:
        return {"id": key}


def plugin(**hooks: Any) -> object:
    namespace: dict[str, Any] = {"camshaft_name": "testplugin"}
    for name, func in hooks.items():
        namespace[name] = staticmethod(hookimpl(func))
    return type("TestPlugin", (), namespace)()


def test_openapi_json_is_served_and_leaves_itself_out() -> None:
    client = make_client(make_app([ThingHandler]))
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    document = json.loads(response.data)
    assert set(document["paths"]) == {"/things/{key}"}
    assert (
        client.get("/openapi.json", headers={"If-None-Match": response.headers["ETag"]}).status_code
        == 304
    )


def test_openapi_yaml_is_served_with_the_yaml_emitter() -> None:
    yaml = pytest.importorskip("yaml")
    pytest.importorskip("camshaft_yaml", reason="camshaft-yaml is not installed")
    client = make_client(make_app([ThingHandler], plugins=["yaml"]))
    response = client.get("/openapi.yaml")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/yaml"
    assert yaml.safe_load(response.data) == client.get("/openapi.json").json


def test_no_yaml_route_without_the_yaml_emitter() -> None:
    assert make_client(make_app([ThingHandler])).get("/openapi.yaml").status_code == 404


def test_docs_page_is_self_contained() -> None:
    response = make_client(
        make_app([ThingHandler], settings={"openapi": {"title": "Things <&>"}})
    ).get("/docs")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    assert 'data-spec="/openapi.json"' in page
    assert "Things &lt;&amp;&gt;" in page
    # Nothing is loaded from anywhere: no external URL, no src/href to another origin.
    assert not re.search(r"https?://", page)
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(?!data:)", page)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", policy)


def test_docs_page_carries_the_configured_oauth_client_id_escaped() -> None:
    settings = {"openapi": {"docs_oauth_client_id": 'docs"><x', "title": "{{client_id}}"}}
    client = make_client(make_app([ThingHandler], settings=settings))
    page = client.get("/docs").get_data(as_text=True)
    assert 'data-client-id="docs&quot;&gt;&lt;x"' in page
    assert "<title>{{client_id}}</title>" in page  # a value is never read as a placeholder
    plain = make_client(make_app([ThingHandler])).get("/docs").get_data(as_text=True)
    assert 'data-client-id=""' in plain


def test_routes_move_and_switch_off_by_settings() -> None:
    moved = make_client(
        make_app(
            [ThingHandler],
            settings={"openapi": {"path": "/api/spec.json", "docs_path": "/api/docs"}},
        )
    )
    assert moved.get("/api/spec.json").status_code == 200
    assert 'data-spec="/api/spec.json"' in moved.get("/api/docs").get_data(as_text=True)
    assert moved.get("/openapi.json").status_code == 404
    off = make_client(make_app([ThingHandler], settings={"openapi": {"enabled": False}}))
    assert off.get("/openapi.json").status_code == 404 and off.get("/docs").status_code == 404
    no_page = make_client(make_app([ThingHandler], settings={"openapi": {"docs_path": ""}}))
    assert (
        no_page.get("/docs").status_code == 404 and no_page.get("/openapi.json").status_code == 200
    )


def test_blocking_the_builtin_removes_the_routes() -> None:
    app = make_app([ThingHandler], settings={"plugins": {"block": ["openapi"]}})
    assert make_client(app).get("/openapi.json").status_code == 404


def test_a_resource_named_like_the_docs_page_wins(caplog: pytest.LogCaptureFixture) -> None:
    class DocHandler(Handler):
        def read(self, key: str | None = None) -> Any:
            return [{"id": "mine"}] if key is None else {"id": key}

    client = make_client(make_app([DocHandler]))
    assert client.get("/docs").json[0]["id"] == "mine"
    assert "/docs is not served" in caplog.text
    assert client.get("/openapi.json").status_code == 200


def test_document_settings_fill_info() -> None:
    app = make_app([ThingHandler], settings={"openapi": {"title": "Things", "version": "7"}})
    info = make_client(app).get("/openapi.json").json["info"]
    assert info["title"] == "Things" and info["version"] == "7"
    default = make_client(make_app([ThingHandler])).get("/openapi.json").json["info"]
    assert default["version"] == "1.0"


def test_unknown_openapi_setting_fails_the_start() -> None:
    with pytest.raises(ConfigurationError, match="openapi.colour"):
        make_app([ThingHandler], settings={"openapi": {"colour": "red"}})


def test_camshaft_openapi_completes_the_document_once_lazily() -> None:
    calls = []

    def complete(app: Any, document: dict[str, Any]) -> None:
        calls.append(app)
        document["info"]["x-extra"] = True
        document["paths"]["/oauth/token"] = {
            "post": {"operationId": "token", "responses": {"200": {"description": "A token."}}}
        }

    app = make_app([ThingHandler], plugins=[plugin(camshaft_openapi=complete)])
    assert calls == []  # nothing is generated while the app is built
    client = make_client(app)
    first = client.get("/openapi.json")
    second = client.get("/openapi.json")
    assert calls == [app]
    assert first.data == second.data
    assert first.json["info"]["x-extra"] is True and "/oauth/token" in first.json["paths"]


def test_camshaft_openapi_may_describe_a_security_scheme() -> None:
    from camshaft import AuthScheme

    def complete(document: dict[str, Any]) -> None:
        document["components"]["securitySchemes"]["token"] = {
            "type": "http",
            "scheme": "bearer",
        }

    class Private(ThingHandler):
        resource_name = "private"
        authentication = ("token",)

    p = plugin(
        camshaft_auth_schemes=lambda: [AuthScheme("token", lambda request: None)],
        camshaft_openapi=complete,
    )
    document = make_client(make_app([Private], plugins=[p])).get("/openapi.json").json
    assert document["components"]["securitySchemes"]["token"] == {
        "type": "http",
        "scheme": "bearer",
    }


def test_cli_prints_the_document(
    capsys: pytest.CaptureFixture[str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "thingapp.py").write_text(
        "from camshaft import App, Handler\n"
        "class ThingHandler(Handler):\n"
        "    def read(self, key):\n"
        "        return {'id': key}\n"
        "app = App([ThingHandler], settings={'plugins': {'autoload': False}}, environ={})\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["openapi", "thingapp:app"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert list(document["paths"]) == ["/things/{key}"]
    assert main(["openapi", "thingapp:app", "--format", "yaml"]) == 2
    assert "no 'yaml' emitter" in capsys.readouterr().err
