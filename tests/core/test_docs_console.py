"""The /docs console in headless Chromium: search, permanent links, trying operations
with credentials, rendered descriptions, and the page's own CSP in force."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from camshaft import AuthScheme, Handler, Identity
from camshaft.models import IntegerField, Model, StringField
from camshaft.testing import make_app
from tests.browser import browser_page, serve

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "docs-console.png"


class AddressModel(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("name", required=True),
        IntegerField("age", required=True, minimum=0),
    ]


class Addresses(Handler):
    """Addresses, kept in **memory**; see ``per_page`` and [the guide](/guide) or
    [this](javascript:alert(1))."""

    resource_name = "addresses"
    store = "memory"
    model = AddressModel


class Secrets(Handler):
    resource_name = "secrets"
    authentication = ("token",)

    def read(self, key: str | None = None) -> Any:
        return [{"id": 1, "who": self.request.identity.id}]


def _token(request: Any) -> Identity | None:
    header = request.header("Authorization") or ""
    if header == "Bearer s3cret":
        return Identity("ann", "token")
    return None


class TokenPlugin:
    from camshaft.plugin import hookimpl

    @hookimpl
    def camshaft_auth_schemes(self) -> list[AuthScheme]:
        return [
            AuthScheme(
                "token",
                _token,
                lambda request: "Bearer",
                openapi={"type": "http", "scheme": "bearer"},
            )
        ]


@pytest.fixture
def live() -> Any:
    app = make_app([Addresses, Secrets], plugins=[TokenPlugin()])
    with serve(app) as url:
        yield url


def _send(page: Any, op: str) -> str:
    page.click(f"#{op} form.try button[type=submit]")
    status = page.locator(f"#{op} .response .status")
    status.wait_for()
    return str(status.inner_text())


def test_try_a_list_and_a_create_from_the_page(live: str) -> None:
    with browser_page() as page:
        page.goto(live + "/docs#op-read_addresses_collection")
        assert page.locator("#op-read_addresses_collection").get_attribute("open") is not None
        assert _send(page, "op-read_addresses_collection").startswith("200")
        headers = page.locator("#op-read_addresses_collection .resheaders").inner_text()
        assert "x-total-count: 0" in headers.lower()
        page.click("#op-create_addresses_collection > summary")
        body = page.locator("#op-create_addresses_collection textarea.reqbody")
        assert '"name": "string"' in body.input_value()  # prefilled from the schema
        body.fill('{"name": "ann", "age": 31}')
        curl = page.locator("#op-create_addresses_collection pre.curl").inner_text()
        assert curl.startswith("curl -i -X POST") and '"ann"' in curl
        assert _send(page, "op-create_addresses_collection").startswith("201")
        created = page.locator("#op-create_addresses_collection .resheaders").inner_text()
        assert "location:" in created
        page.click("#op-read_addresses_collection form.try button[type=submit]")
        page.wait_for_function(
            "((document.querySelector('#op-read_addresses_collection .resbody') || {})"
            ".textContent || '').includes('ann')"
        )
        if __import__("os").environ.get("CAMSHAFT_SCREENSHOTS"):
            page.screenshot(path=str(SCREENSHOT), full_page=False)
        assert page.errors == []


def test_credentials_are_sent_for_operations_that_name_the_scheme(live: str) -> None:
    with browser_page() as page:
        page.goto(live + "/docs#op-read_secrets_collection")
        assert _send(page, "op-read_secrets_collection").startswith("401")
        page.fill("#auth input[data-scheme=token]", "s3cret")
        page.click("#op-read_secrets_collection form.try button[type=submit]")
        page.wait_for_function(
            "document.querySelector('#op-read_secrets_collection .status')"
            ".textContent.startsWith('200')"
        )
        assert '"who": "ann"' in page.locator("#op-read_secrets_collection .resbody").inner_text()
        curl = page.locator("#op-read_secrets_collection pre.curl").inner_text()
        assert "$TOKEN" in curl and "s3cret" not in curl


def test_search_hides_what_does_not_match(live: str) -> None:
    with browser_page() as page:
        page.goto(live + "/docs")
        page.locator("details.op").first.wait_for()
        page.fill("#search", "secrets collection")
        assert page.locator("details.op:not(.hidden)").count() == 1
        page.fill("#search", "post addresses")
        visible = page.locator("details.op:not(.hidden)")
        assert visible.count() == 1
        assert visible.get_attribute("id") == "op-create_addresses_collection"


def test_descriptions_render_inline_markup_without_unsafe_links(live: str) -> None:
    with browser_page() as page:
        page.goto(live + "/docs")
        page.locator("section.tag-group").first.wait_for()
        desc = page.locator("section.tag-group .desc").first
        assert desc.locator("strong").inner_text() == "memory"
        assert desc.locator("code").inner_text() == "per_page"
        assert desc.locator("a").count() == 1
        assert desc.locator("a").get_attribute("href") == "/guide"
        assert "this" in desc.inner_text()


class FlowsPlugin:
    """Two oauth2 schemes: one whose code flow is this app's, one sending people away."""

    from camshaft.plugin import hookimpl

    @hookimpl
    def camshaft_auth_schemes(self) -> list[AuthScheme]:
        def flows(authorize: str) -> dict[str, Any]:
            code = {"authorizationUrl": authorize, "tokenUrl": "/token", "scopes": {"a": "A"}}
            return {"type": "oauth2", "flows": {"authorizationCode": code}}

        return [
            AuthScheme("local", _token, lambda r: "Bearer", openapi=flows("/authorize")),
            AuthScheme(
                "elsewhere",
                _token,
                lambda r: "Bearer",
                openapi=flows("https://sso.example/authorize"),
            ),
        ]


class Signed(Handler):
    resource_name = "signed"
    authentication = ("local", "elsewhere")

    def read(self, key: str | None = None) -> Any:
        return []


def test_authorize_goes_to_the_apps_own_endpoint_with_an_s256_challenge() -> None:
    from werkzeug.exceptions import NotFound
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    app = make_app([Signed], plugins=[FlowsPlugin()])
    with serve(DispatcherMiddleware(NotFound(), {"/api": app})) as url, browser_page() as page:
        page.goto(url + "/api/docs")
        page.locator("#auth input[data-part=client_id]").first.wait_for()
        # Only the flow on this origin is offered; the other is a token to paste.
        assert page.locator("#auth button[data-authorize]").count() == 1
        assert page.locator("#auth input[data-scheme=elsewhere][data-part=token]").count() == 1
        page.click("#auth button[data-authorize=local]")
        assert "client_id" in page.locator("#oauth-note.err").inner_text()

        sent: list[str] = []

        def hold(route: Any) -> None:  # a 204 navigation leaves the browser on the page
            sent.append(route.request.url)
            route.fulfill(status=204)

        page.route("**/authorize?*", hold)
        page.fill("#auth input[data-scheme=local][data-part=client_id]", "console")
        page.fill("#auth input[data-scheme=local][data-part=scope]", "a")
        page.click("#auth button[data-authorize=local]")
        read = "sessionStorage.getItem('camshaft-docs /api/docs pending')"
        page.wait_for_function("!!" + read)
        pending = json.loads(page.evaluate(read))
    [where] = sent
    assert where.startswith(url + "/api/authorize?")
    query = dict(parse_qsl(urlsplit(where).query))
    assert query["response_type"] == "code" and query["client_id"] == "console"
    assert query["redirect_uri"] == url + "/api/docs" and query["scope"] == "a"
    assert query["state"] == pending["state"] and len(query["state"]) >= 43
    # RFC 7636 S256: BASE64URL(SHA-256(ASCII(code_verifier))), computed here independently.
    verifier = pending["verifier"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,128}", verifier)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert query["code_challenge_method"] == "S256"
