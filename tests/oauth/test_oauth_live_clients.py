"""Real third-party clients against the app served by a real WSGI server on 127.0.0.1:
requests-oauthlib for OAuth 1.0a, authlib's own OAuth2Session for OAuth 2.0."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.requests_client.oauth2_session import OAuthError
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from requests_oauthlib import OAuth1, OAuth1Session

OWNER = {"X-Test-User": "alice"}
TIMEOUT = 10


@pytest.fixture
def h(oauth_helpers: Any) -> Any:
    return oauth_helpers


@pytest.fixture
def served(h: Any, live_server: Any) -> tuple[Any, str]:
    app = h.build_app()
    repository = h.provider_for(app).repository
    repository.add_consumer(
        "printer",
        secret="printer-secret",
        scope="read",
        callback_uri="https://printer.example/ready",
    )
    repository.add_client(
        "native-app",
        redirect_uris=[h.REDIRECT],
        scope="read write",
        grant_types=["authorization_code", "refresh_token"],
    )
    repository.add_client(
        "backend",
        secret="backend-secret-0123456789-0123456789-a",
        grant_types=["client_credentials"],
        scope="read",
        may_introspect=True,
    )
    return app, live_server(app)


def owner_approves(url: str) -> str:
    """What the owner's browser does: open the authorize URL, get redirected back."""
    response = requests.get(url, headers=OWNER, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 302, response.text
    return str(response.headers["Location"])


# ------------------------------------------------------------------ OAuth 1.0a


def test_requests_oauthlib_three_legged_dance(served: tuple[Any, str]) -> None:
    _, base = served
    session = OAuth1Session(
        "printer", client_secret="printer-secret", callback_uri="https://printer.example/ready"
    )
    temporary = session.fetch_request_token(base + "/oauth1/request_token", timeout=TIMEOUT)
    assert temporary["oauth_token"]
    location = owner_approves(session.authorization_url(base + "/oauth1/authorize"))
    session.parse_authorization_response(location)
    final = session.fetch_access_token(base + "/oauth1/access_token", timeout=TIMEOUT)
    assert final["oauth_token"] != temporary["oauth_token"]

    notes = session.get(base + "/notes/7", timeout=TIMEOUT)
    assert notes.status_code == 200
    assert notes.json() == {
        "id": "7",
        "who": "alice",
        "scheme": "oauth1",
        "url": base + "/notes/7",
    }
    assert session.put(base + "/notes/7", json={}, timeout=TIMEOUT).status_code == 403


def test_requests_oauthlib_replayed_request_is_refused(served: tuple[Any, str]) -> None:
    app, base = served
    from camshaft_oauth import provider_for

    token = provider_for(app).repository.add_oauth1_token(
        kind="access", consumer_key="printer", user_id="alice", scope="read"
    )
    auth = OAuth1(
        "printer",
        client_secret="printer-secret",
        resource_owner_key=token.token,
        resource_owner_secret=token.secret,
    )
    prepared = requests.Request("GET", base + "/notes/1", auth=auth).prepare()
    with requests.Session() as http:
        assert http.send(prepared, timeout=TIMEOUT).status_code == 200
        replay = http.send(prepared, timeout=TIMEOUT)
    assert replay.status_code == 401
    assert replay.json()["error"] == "invalid_nonce"

    wrong = OAuth1(
        "printer",
        client_secret="not-the-secret",
        resource_owner_key=token.token,
        resource_owner_secret=token.secret,
    )
    forged = requests.get(base + "/notes/1", auth=wrong, timeout=TIMEOUT)
    assert forged.status_code == 401
    assert forged.headers["WWW-Authenticate"].startswith("OAuth realm=")


# ------------------------------------------------------------------ OAuth 2.0


def test_authlib_code_flow_with_pkce_and_refresh(served: tuple[Any, str], h: Any) -> None:
    _, base = served
    verifier = h.pkce_pair()[0]
    session = OAuth2Session(
        "native-app",
        redirect_uri=h.REDIRECT,
        scope="read write",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    url, _state = session.create_authorization_url(
        base + "/oauth/authorize", code_verifier=verifier
    )
    assert f"code_challenge={create_s256_code_challenge(verifier)}" in url
    location = owner_approves(url)
    token = session.fetch_token(
        base + "/oauth/token",
        authorization_response=location,
        code_verifier=verifier,
        timeout=TIMEOUT,
    )
    assert token["token_type"] == "Bearer" and token["refresh_token"]

    notes = session.get(base + "/notes/3", timeout=TIMEOUT)
    assert notes.status_code == 200 and notes.json()["who"] == "alice"
    assert session.put(base + "/notes/3", json={"t": 1}, timeout=TIMEOUT).status_code == 200

    old_refresh = token["refresh_token"]
    renewed = session.refresh_token(base + "/oauth/token", timeout=TIMEOUT)
    assert renewed["refresh_token"] != old_refresh
    assert session.get(base + "/notes/3", timeout=TIMEOUT).status_code == 200

    stale = OAuth2Session("native-app", token_endpoint_auth_method="none")
    with pytest.raises(OAuthError) as raised:
        stale.refresh_token(base + "/oauth/token", refresh_token=old_refresh, timeout=TIMEOUT)
    assert raised.value.error == "invalid_grant"


def test_authlib_code_flow_refuses_a_wrong_verifier(served: tuple[Any, str], h: Any) -> None:
    _, base = served
    verifier = h.pkce_pair()[0]
    session = OAuth2Session(
        "native-app",
        redirect_uri=h.REDIRECT,
        scope="read",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    url, _ = session.create_authorization_url(base + "/oauth/authorize", code_verifier=verifier)
    location = owner_approves(url)
    with pytest.raises(OAuthError) as raised:
        session.fetch_token(
            base + "/oauth/token",
            authorization_response=location,
            code_verifier=h.pkce_pair()[0],
            timeout=TIMEOUT,
        )
    assert raised.value.error == "invalid_grant"


def test_authlib_client_credentials_revoke_and_introspect(served: tuple[Any, str]) -> None:
    _, base = served
    session = OAuth2Session("backend", "backend-secret-0123456789-0123456789-a", scope="read")
    token = session.fetch_token(
        base + "/oauth/token", grant_type="client_credentials", timeout=TIMEOUT
    )
    assert "refresh_token" not in token
    assert session.get(base + "/notes/1", timeout=TIMEOUT).json()["who"] == "backend"

    info = session.introspect_token(base + "/oauth/introspect", token=token["access_token"])
    assert info.status_code == 200 and info.json()["active"] is True

    revoked = session.revoke_token(base + "/oauth/revoke", token=token["access_token"])
    assert revoked.status_code == 200
    denied = session.get(base + "/notes/1", timeout=TIMEOUT)
    assert denied.status_code == 401
    assert 'error="invalid_token"' in denied.headers["WWW-Authenticate"]
    info = session.introspect_token(base + "/oauth/introspect", token=token["access_token"])
    assert info.json() == {"active": False}
