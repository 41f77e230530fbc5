"""The /docs console signs in with OAuth 2 (authorization code + PKCE) through the app's
own camshaft-oauth endpoints, in headless Chromium: the owner signs in with Basic at the
authorize endpoint, the browser comes back to /docs, and the token opens a protected
resource; an authorization response whose state the tab did not send is refused."""

from __future__ import annotations

import json
from base64 import b64encode
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from camshaft import App, Handler
from camshaft.testing import make_app, make_client
from tests.browser import browser_page, serve

pytest.importorskip("camshaft_oauth", reason="camshaft-oauth is not installed")
pytest.importorskip("camshaft_httpauth", reason="camshaft-httpauth is not installed")

from camshaft_httpauth import make_password_hash
from camshaft_oauth import provider_for

OWNER = {"username": "alice", "password": "wonderland"}
OP = "op-read_notes_item"
TOKEN_KEY = "camshaft-docs /docs token oauth2"


class Notes(Handler):
    resource_name = "notes"
    authentication = ("oauth2",)
    scopes = {"GET": ["notes:read"]}

    def read(self, key: str) -> Any:
        return {"id": key, "owner": self.identity.id}


def notes_app() -> App:
    return make_app(
        [Notes],
        plugins=["oauth", "httpauth"],
        settings={
            "oauth": {
                "url": "sqlite:///:memory:",
                "authorize": {"authentication": ["basic"], "consent": "auto"},
            },
            "httpauth": {"users": {"alice": make_password_hash("wonderland")}},
            "openapi": {"docs_oauth_client_id": "docs"},
        },
    )


@pytest.fixture
def live() -> Iterator[tuple[App, str]]:
    app = notes_app()
    with serve(app) as url:
        # The one client allowed to come back to this page: public, PKCE, /docs exactly.
        provider_for(app).repository.add_client(
            "docs",
            redirect_uris=[url + "/docs"],
            grant_types=["authorization_code"],
            scope="notes:read",
        )
        yield app, url


def _send(page: Any, key: str) -> str:
    page.fill(f"#{OP} input[data-param=key]", key)
    page.click(f"#{OP} form.try button[type=submit]")
    status = page.locator(f"#{OP} .response .status")
    status.wait_for()
    return str(status.inner_text())


def _token_requests(page: Any) -> list[Any]:
    seen: list[Any] = []
    page.on("request", lambda r: seen.append(r) if urlsplit(r.url).path == "/oauth/token" else None)
    return seen


def test_authorize_signs_in_on_the_apps_own_page_and_the_token_opens_the_resource(
    live: tuple[App, str],
) -> None:
    _, url = live
    with browser_page(http_credentials=OWNER) as page:
        token_requests = _token_requests(page)
        page.goto(url + "/docs#" + OP)
        assert page.locator("#auth input[data-part=client_id]").input_value() == "docs"
        assert _send(page, "1").startswith("401")

        page.click("#auth button[data-authorize=oauth2]")
        page.locator("#oauth-note.ok").wait_for()
        assert "notes:read" in page.locator("#oauth-note").inner_text()
        # Back on the page itself, the code gone from the address, the operation reopened.
        assert page.url == url + "/docs#" + OP
        stored = json.loads(page.evaluate(f"sessionStorage.getItem({TOKEN_KEY!r})"))
        assert stored["token"] and page.evaluate("localStorage.length") == 0
        assert page.evaluate("document.cookie") == ""
        # The code was redeemed once, as a public client with its verifier, and no
        # password the browser remembers from the sign-in went along.
        [redeem] = token_requests
        form = parse_qs(redeem.post_data)
        assert form["grant_type"] == ["authorization_code"] and form["client_id"] == ["docs"]
        assert form["redirect_uri"] == [url + "/docs"] and len(form["code_verifier"][0]) >= 43
        assert "authorization" not in redeem.all_headers()

        assert page.locator(f"#{OP}").get_attribute("open") is not None
        assert _send(page, "1").startswith("200")
        assert '"owner": "alice"' in page.locator(f"#{OP} .resbody").inner_text()
        assert stored["token"] not in page.locator(f"#{OP} pre.curl").inner_text()

        # A reload keeps the tab's token; Forget drops it.
        page.reload()
        assert _send(page, "2").startswith("200")
        page.click("#auth button[data-forget=oauth2]")
        assert page.evaluate(f"sessionStorage.getItem({TOKEN_KEY!r})") is None
        assert _send(page, "2").startswith("401")
        # No CSP violation or script error; the 401s the console asked for are logged.
        assert [e for e in page.errors if "status of 401" not in e] == []


@pytest.mark.parametrize(
    "landing",
    ["altered", "missing", "elsewhere"],
    ids=[
        "a state altered on the way back is refused",
        "a response without a state is refused",
        "a response landing in a browser session that did not ask is refused",
    ],
)
def test_an_authorization_response_with_a_state_the_tab_did_not_send_is_refused(
    live: tuple[App, str], landing: str
) -> None:
    app, url = live
    with browser_page(http_credentials=OWNER) as page:
        page.goto(url + "/docs")
        asked: list[str] = []

        def hold(route: Any) -> None:
            # Keep the browser on /docs (a 204 navigation changes nothing) and note
            # where it was sent.
            asked.append(route.request.url)
            route.fulfill(status=204)

        page.route("**/oauth/authorize?*", hold)
        page.click("#auth button[data-authorize=oauth2]")
        page.wait_for_function("!!sessionStorage.getItem('camshaft-docs /docs pending')")
        pending = json.loads(page.evaluate("sessionStorage.getItem('camshaft-docs /docs pending')"))
        [authorize] = asked
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
        assert query["state"] == pending["state"] and query["code_challenge_method"] == "S256"
        assert query["redirect_uri"] == url + "/docs" and query["client_id"] == "docs"

        # A real code for this very request, as the authorization server would issue it.
        owner = make_client(app)
        answer = owner.get(
            urlsplit(authorize).path + "?" + urlsplit(authorize).query,
            headers={"Authorization": "Basic " + b64encode(b"alice:wonderland").decode()},
        )
        assert answer.status_code == 302, answer.data
        code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]

        # Another session: no sessionStorage of the tab that asked (a forged link).
        landing_page = page.context.browser.new_page() if landing == "elsewhere" else page
        landing_page.errors = []
        token_requests = _token_requests(landing_page)
        state = {"altered": pending["state"] + "x", "missing": None}.get(landing, pending["state"])
        back = url + "/docs?code=" + code + ("&state=" + state if state else "")
        landing_page.goto(back)
        note = landing_page.locator("#oauth-note.err")
        note.wait_for()
        assert "Refused" in note.inner_text()
        landing_page.locator("details.op").first.wait_for()
        assert token_requests == []
        assert landing_page.url == url + "/docs"
        assert landing_page.evaluate(f"sessionStorage.getItem({TOKEN_KEY!r})") is None
        if landing != "elsewhere":  # the tab's pending state is used up either way
            assert page.evaluate("sessionStorage.getItem('camshaft-docs /docs pending')") is None

    # The page did not spend the code: its rightful owner still can.
    redeemed = owner.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": "docs",
            "redirect_uri": url + "/docs",
            "code_verifier": pending["verifier"],
        },
    )
    assert redeemed.status_code == 200, redeemed.data
