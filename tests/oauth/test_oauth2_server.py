"""The OAuth 2.0 authorization server and bearer-token protection, through the app."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from camshaft import Handler
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client

OWNER = {"X-Test-User": "alice"}


@pytest.fixture
def h(oauth_helpers: Any) -> Any:
    return oauth_helpers


@pytest.fixture
def app(h: Any) -> Any:
    app = h.build_app()
    repository = h.provider_for(app).repository
    repository.add_client(
        "public-app",
        redirect_uris=[h.REDIRECT],
        grant_types=["authorization_code", "refresh_token"],
        scope="read write",
    )
    repository.add_client(
        "web-app",
        secret="web-secret-0123456789-0123456789-abcd",
        redirect_uris=[h.REDIRECT],
        grant_types=["authorization_code", "refresh_token", "client_credentials"],
        scope="read write",
    )
    repository.add_client(
        "resource-server",
        secret="rs-secret-0123456789-0123456789-abcdef",
        grant_types=[],
        may_introspect=True,
    )
    return app


@pytest.fixture
def client(app: Any) -> Any:
    return make_client(app)


def authorize(client: Any, h: Any, **params: str) -> Any:
    query = {"response_type": "code", "client_id": "public-app", "redirect_uri": h.REDIRECT}
    query.update(params)
    return client.get("/oauth/authorize", query_string=query, headers=OWNER)


def redirect_params(response: Any) -> dict[str, str]:
    assert response.status_code == 302, response.data
    location = response.headers["Location"]
    assert location.startswith("https://client.example/cb?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def get_code(client: Any, h: Any, scope: str = "read write") -> tuple[str, str]:
    verifier, challenge = h.pkce_pair()
    response = authorize(
        client, h, scope=scope, state="xyz", code_challenge=challenge, code_challenge_method="S256"
    )
    params = redirect_params(response)
    assert params["state"] == "xyz"
    return params["code"], verifier


def redeem(client: Any, h: Any, code: str, verifier: str | None, **extra: str) -> Any:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": h.REDIRECT,
        "client_id": "public-app",
    }
    if verifier is not None:
        form["code_verifier"] = verifier
    form.update(extra)
    return client.post("/oauth/token", data=form)


def tokens(client: Any, h: Any, scope: str = "read write") -> dict[str, Any]:
    code, verifier = get_code(client, h, scope)
    response = redeem(client, h, code, verifier)
    assert response.status_code == 200, response.data
    return dict(response.json)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ------------------------------------------------------------------ code flow + PKCE


def test_code_flow_with_pkce_gives_tokens_that_open_the_resource(client: Any, h: Any) -> None:
    issued = tokens(client, h)
    assert issued["token_type"] == "Bearer" and issued["scope"] == "read write"
    assert issued["refresh_token"] and issued["expires_in"] == 3600
    response = client.get("/notes/1", headers=bearer(issued["access_token"]))
    assert response.status_code == 200
    assert response.json["who"] == "alice" and response.json["scheme"] == "oauth2"
    assert response.headers["Cache-Control"] == "no-store"


def test_token_response_is_not_cached(client: Any, h: Any) -> None:
    code, verifier = get_code(client, h)
    response = redeem(client, h, code, verifier)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"


@pytest.mark.parametrize(
    "method", ["plain", None], ids=["plain method refused", "absent method means plain, refused"]
)
def test_pkce_plain_is_refused(client: Any, h: Any, method: str | None) -> None:
    verifier, _ = h.pkce_pair()
    params = {"code_challenge": verifier}
    if method:
        params["code_challenge_method"] = method
    error = redirect_params(authorize(client, h, **params))
    assert error["error"] == "invalid_request"
    assert "code" not in error


def test_public_client_without_pkce_is_refused(client: Any, h: Any) -> None:
    error = redirect_params(authorize(client, h))
    assert error["error"] == "invalid_request"
    assert "PKCE" in error["error_description"]


def test_confidential_client_needs_pkce_by_default(client: Any, h: Any) -> None:
    error = redirect_params(authorize(client, h, client_id="web-app"))
    assert error["error"] == "invalid_request"


def test_wrong_verifier_is_invalid_grant(client: Any, h: Any) -> None:
    code, verifier = get_code(client, h)
    other, _ = h.pkce_pair()
    response = redeem(client, h, code, other)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_grant"
    assert response.mimetype == "application/json"  # RFC 6749 §5.2
    assert response.headers["Cache-Control"] == "no-store"
    # A failed attempt does not burn the code for its rightful holder.
    assert redeem(client, h, code, verifier).status_code == 200


def test_missing_verifier_is_invalid_request(client: Any, h: Any) -> None:
    code, _ = get_code(client, h)
    response = redeem(client, h, code, None)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"


def test_code_is_single_use_and_reuse_revokes_its_tokens(client: Any, h: Any) -> None:
    code, verifier = get_code(client, h)
    first = redeem(client, h, code, verifier)
    assert first.status_code == 200
    second = redeem(client, h, code, verifier)
    assert second.status_code == 400
    assert second.json["error"] == "invalid_grant"
    # RFC 6749 §4.1.2: the tokens issued from the replayed code are revoked.
    access = first.json["access_token"]
    assert client.get("/notes/1", headers=bearer(access)).status_code == 401
    refreshed = client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": first.json["refresh_token"],
            "client_id": "public-app",
        },
    )
    assert refreshed.status_code == 400


def test_expired_code_is_refused(app: Any, client: Any, h: Any) -> None:
    clock = h.FakeClock()
    h.provider_for(app).clock = clock
    code, verifier = get_code(client, h)
    clock.now += 601
    response = redeem(client, h, code, verifier)
    assert response.status_code == 400 and response.json["error"] == "invalid_grant"


def test_redirect_uri_must_match_the_authorization_request(client: Any, h: Any) -> None:
    code, verifier = get_code(client, h)
    response = redeem(client, h, code, verifier, redirect_uri="https://client.example/other")
    assert response.status_code == 400 and response.json["error"] == "invalid_grant"


def test_unregistered_redirect_uri_is_an_error_not_a_redirect(client: Any, h: Any) -> None:
    _, challenge = h.pkce_pair()
    response = authorize(
        client,
        h,
        redirect_uri="https://evil.example/cb",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.json["error"] == "invalid_request"


DOCS = "http://localhost/docs"


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://localhost/docs/",
        "http://localhost/docs?next=https://evil.example/",
        "http://localhost/docs/../evil",
        "http://localhost:8080/docs",
        "https://localhost/docs",
        "http://evil.example/docs",
        "http://localhost/DOCS",
    ],
)
def test_the_docs_page_is_a_redirect_uri_only_exactly_as_registered(
    app: Any, client: Any, h: Any, redirect_uri: str
) -> None:
    h.provider_for(app).repository.add_client(
        "docs", redirect_uris=[DOCS], grant_types=["authorization_code"], scope="read"
    )
    _, challenge = h.pkce_pair()
    pkce = {"code_challenge": challenge, "code_challenge_method": "S256", "state": "s"}
    assert authorize(client, h, client_id="docs", redirect_uri=DOCS, **pkce).status_code == 302
    response = authorize(client, h, client_id="docs", redirect_uri=redirect_uri, **pkce)
    assert response.status_code == 400 and "Location" not in response.headers
    # Another client's registered docs page is not this one's either.
    other = authorize(client, h, redirect_uri=DOCS, **pkce)
    assert other.status_code == 400 and "Location" not in other.headers


def test_unknown_client_is_an_error_not_a_redirect(client: Any, h: Any) -> None:
    response = authorize(client, h, client_id="nobody-knows")
    assert response.status_code == 400
    assert response.json["error"] == "invalid_client"


def test_scope_beyond_the_client_is_invalid_scope(client: Any, h: Any) -> None:
    _, challenge = h.pkce_pair()
    error = redirect_params(
        authorize(
            client, h, scope="read admin", code_challenge=challenge, code_challenge_method="S256"
        )
    )
    assert error["error"] == "invalid_scope"


def test_authorize_needs_an_authenticated_owner(client: Any, h: Any) -> None:
    response = client.get(
        "/oauth/authorize", query_string={"response_type": "code", "client_id": "public-app"}
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Owner")


# ------------------------------------------------------------------ consent prompt


def test_prompt_consent_approve_and_deny(h: Any) -> None:
    app = h.build_app(consent="prompt")
    h.provider_for(app).repository.add_client(
        "public-app", redirect_uris=[h.REDIRECT], scope="read"
    )
    client = make_client(app)
    _, challenge = h.pkce_pair()
    query = {
        "response_type": "code",
        "client_id": "public-app",
        "scope": "read",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    shown = client.get("/oauth/authorize", query_string=query, headers=OWNER)
    assert shown.status_code == 200
    assert shown.json["client_id"] == "public-app" and shown.json["scope"] == ["read"]
    token = shown.json["consent_token"]

    forged = client.post(
        "/oauth/authorize",
        query_string=query,
        data={"consent_token": "1." + "A" * 43, "decision": "approve"},
        headers=OWNER,
    )
    assert forged.status_code == 403
    other_user = client.post(
        "/oauth/authorize",
        query_string=query,
        data={"consent_token": token, "decision": "approve"},
        headers={"X-Test-User": "mallory"},
    )
    assert other_user.status_code == 403

    approved = client.post(
        "/oauth/authorize",
        query_string=query,
        data={"consent_token": token, "decision": "approve"},
        headers=OWNER,
    )
    assert "code" in redirect_params(approved)
    denied = client.post(
        "/oauth/authorize",
        query_string=query,
        data={"consent_token": token, "decision": "deny"},
        headers=OWNER,
    )
    assert redirect_params(denied)["error"] == "access_denied"


# ------------------------------------------------------------------ refresh tokens


def refresh(client: Any, token: str) -> Any:
    return client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": token, "client_id": "public-app"},
    )


def test_refresh_rotates_and_the_old_refresh_token_dies(client: Any, h: Any) -> None:
    first = tokens(client, h)
    second = refresh(client, first["refresh_token"])
    assert second.status_code == 200
    assert second.json["refresh_token"] != first["refresh_token"]
    assert second.json["access_token"] != first["access_token"]
    assert client.get("/notes/1", headers=bearer(second.json["access_token"])).status_code == 200
    again = refresh(client, first["refresh_token"])
    assert again.status_code == 400 and again.json["error"] == "invalid_grant"


def test_replayed_refresh_token_revokes_the_family(client: Any, h: Any) -> None:
    first = tokens(client, h)
    second = refresh(client, first["refresh_token"]).json
    assert refresh(client, first["refresh_token"]).status_code == 400
    # The replay means a copy leaked: the tokens issued from the rotation die too.
    assert client.get("/notes/1", headers=bearer(second["access_token"])).status_code == 401
    assert refresh(client, second["refresh_token"]).status_code == 400


def test_refresh_cannot_widen_scope(client: Any, h: Any) -> None:
    first = tokens(client, h, scope="read")
    response = client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": "public-app",
            "scope": "read write",
        },
    )
    assert response.status_code == 400 and response.json["error"] == "invalid_scope"


def test_refresh_token_of_another_client_is_refused(client: Any, h: Any) -> None:
    first = tokens(client, h)
    response = client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        headers=h.basic("web-app", "web-secret-0123456789-0123456789-abcd"),
    )
    assert response.status_code == 400 and response.json["error"] == "invalid_grant"


# ------------------------------------------------------------------ client credentials


def test_client_credentials(client: Any, h: Any) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "read"},
        headers=h.basic("web-app", "web-secret-0123456789-0123456789-abcd"),
    )
    assert response.status_code == 200
    assert "refresh_token" not in response.json
    notes = client.get("/notes/1", headers=bearer(response.json["access_token"]))
    assert notes.status_code == 200 and notes.json["who"] == "web-app"


def test_client_credentials_wrong_secret_is_401_invalid_client(client: Any, h: Any) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=h.basic("web-app", "wrong"),
    )
    assert response.status_code == 401
    assert response.json["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")


def test_public_client_cannot_use_client_credentials(client: Any) -> None:
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": "public-app"}
    )
    assert response.status_code in (400, 401)
    assert response.json["error"] in ("invalid_client", "unauthorized_client")


def test_unsupported_grant_type(client: Any, h: Any) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "password"},
        headers=h.basic("web-app", "web-secret-0123456789-0123456789-abcd"),
    )
    assert response.status_code == 400 and response.json["error"] == "unsupported_grant_type"


# ------------------------------------------------------------------ credentials in URLs


def test_token_endpoint_refuses_parameters_in_the_query_string(client: Any) -> None:
    response = client.post(
        "/oauth/token",
        query_string={
            "grant_type": "client_credentials",
            "client_id": "web-app",
            "client_secret": "web-secret-0123456789-0123456789-abcd",
        },
    )
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"


def test_repeated_parameters_are_refused(client: Any, h: Any) -> None:
    response = client.post(
        "/oauth/token",
        data="grant_type=client_credentials&grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        headers=h.basic("web-app", "web-secret-0123456789-0123456789-abcd"),
    )
    assert response.status_code == 400 and response.json["error"] == "invalid_request"


def test_access_token_in_query_string_or_form_body_is_ignored(client: Any, h: Any) -> None:
    access = tokens(client, h)["access_token"]
    in_query = client.get(f"/notes/1?access_token={access}")
    assert in_query.status_code == 401
    assert "error=" not in in_query.headers["WWW-Authenticate"]
    in_body = client.get(
        "/notes/1",
        data=f"access_token={access}",
        content_type="application/x-www-form-urlencoded",
    )
    assert in_body.status_code == 401


# ------------------------------------------------------------------ bearer protection


def test_unknown_token_is_401_invalid_token(client: Any) -> None:
    response = client.get("/notes/1", headers=bearer("made-up-token"))
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="camshaft"')
    assert 'error="invalid_token"' in challenge
    assert response.json["error"] == "invalid_token"


def test_expired_token_is_401_invalid_token(app: Any, client: Any, h: Any) -> None:
    clock = h.FakeClock()
    h.provider_for(app).clock = clock
    access = tokens(client, h)["access_token"]
    assert client.get("/notes/1", headers=bearer(access)).status_code == 200
    clock.now += 3601
    response = client.get("/notes/1", headers=bearer(access))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert "expired" in response.json["detail"]


def test_wrong_scope_is_403_insufficient_scope(client: Any, h: Any) -> None:
    access = tokens(client, h, scope="read")["access_token"]
    assert client.get("/notes/1", headers=bearer(access)).status_code == 200
    response = client.put("/notes/1", json={"text": "x"}, headers=bearer(access))
    assert response.status_code == 403
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="camshaft"')
    assert 'error="insufficient_scope"' in challenge and 'scope="write"' in challenge
    assert response.json["error"] == "insufficient_scope"


def test_verb_without_declared_scopes_is_refused_to_tokens(h: Any) -> None:
    class Deny(Handler):
        resource_name = "deny"
        authentication = ("oauth2",)
        scopes = {"GET": ["read"]}

        def read(self, key: str) -> Any:
            return {"id": key}

        def delete(self, key: str) -> None:
            return None

    app = make_app([Deny], plugins=["oauth"], settings={"oauth": {"url": "sqlite://"}})
    h.provider_for(app).repository.add_client(
        "cc", secret="s" * 32, grant_types=["client_credentials"], scope="read"
    )
    client = make_client(app)
    access = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=h.basic("cc", "s" * 32)
    ).json["access_token"]
    assert client.get("/deny/1", headers=bearer(access)).status_code == 200
    response = client.delete("/deny/1", headers=bearer(access))
    assert response.status_code == 403 and response.json["error"] == "insufficient_scope"


def test_bad_scopes_declaration_fails_the_start() -> None:
    class Bad(Handler):
        resource_name = "bad"
        scopes = {"FETCH": ["read"]}

        def read(self, key: str) -> Any:
            return {}

    with pytest.raises(ConfigurationError, match="FETCH"):
        make_app([Bad], plugins=["oauth"], settings={"oauth": {"url": "sqlite://"}})


def test_dotted_bearer_values_are_left_to_other_schemes(client: Any) -> None:
    response = client.get("/notes/1", headers=bearer("key-id.some-secret-value-1234"))
    assert response.status_code == 401
    assert "error=" not in response.headers["WWW-Authenticate"]


def test_tokens_are_stored_hashed(app: Any, client: Any, h: Any) -> None:
    from sqlalchemy import select

    from camshaft_oauth.tables import oauth2_tokens

    issued = tokens(client, h)
    engine = h.provider_for(app).repository.engine
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(oauth2_tokens))]
    text = repr(rows)
    assert issued["access_token"] not in text and issued["refresh_token"] not in text
    digest = hashlib.sha256(issued["access_token"].encode()).hexdigest()
    assert [r["access_hash"] for r in rows] == [digest]


# ------------------------------------------------------------------ revocation


def test_revoking_an_access_token(client: Any, h: Any) -> None:
    access = tokens(client, h)["access_token"]
    response = client.post(
        "/oauth/revoke",
        data={"token": access, "token_type_hint": "access_token", "client_id": "public-app"},
    )
    assert response.status_code == 200
    denied = client.get("/notes/1", headers=bearer(access))
    assert denied.status_code == 401 and denied.json["error"] == "invalid_token"


def test_revoking_a_refresh_token_kills_its_access_token(client: Any, h: Any) -> None:
    issued = tokens(client, h)
    response = client.post(
        "/oauth/revoke", data={"token": issued["refresh_token"], "client_id": "public-app"}
    )
    assert response.status_code == 200
    assert refresh(client, issued["refresh_token"]).status_code == 400
    assert client.get("/notes/1", headers=bearer(issued["access_token"])).status_code == 401


def test_revoking_unknown_or_foreign_tokens_answers_200_and_changes_nothing(
    client: Any, h: Any
) -> None:
    issued = tokens(client, h)
    unknown = client.post(
        "/oauth/revoke",
        data={"token": "never-issued"},
        headers=h.basic("web-app", "web-secret-0123456789-0123456789-abcd"),
    )
    assert unknown.status_code == 200
    foreign = client.post(
        "/oauth/revoke",
        data={"token": issued["access_token"]},
        headers=h.basic("web-app", "web-secret-0123456789-0123456789-abcd"),
    )
    assert foreign.status_code == 200
    assert client.get("/notes/1", headers=bearer(issued["access_token"])).status_code == 200


def test_revocation_needs_client_authentication(client: Any, h: Any) -> None:
    response = client.post(
        "/oauth/revoke", data={"token": "x"}, headers=h.basic("web-app", "wrong")
    )
    assert response.status_code == 401 and response.json["error"] == "invalid_client"


# ------------------------------------------------------------------ introspection


def introspect(client: Any, h: Any, token: str, who: tuple[str, str]) -> dict[str, Any]:
    response = client.post("/oauth/introspect", data={"token": token}, headers=h.basic(*who))
    assert response.status_code == 200, response.data
    return dict(response.json)


def test_introspection_of_active_access_and_refresh_tokens(client: Any, h: Any) -> None:
    issued = tokens(client, h)
    access = introspect(
        client,
        h,
        issued["access_token"],
        ("resource-server", "rs-secret-0123456789-0123456789-abcdef"),
    )
    assert access["active"] is True
    assert access["scope"] == "read write" and access["client_id"] == "public-app"
    assert access["sub"] == "alice" and access["exp"] - access["iat"] == 3600
    refresh_info = introspect(
        client,
        h,
        issued["refresh_token"],
        ("resource-server", "rs-secret-0123456789-0123456789-abcdef"),
    )
    assert refresh_info["active"] is True and refresh_info["token_type"] == "refresh_token"


def test_introspection_inactive_when_revoked_expired_unknown_or_not_allowed(
    app: Any, client: Any, h: Any
) -> None:
    clock = h.FakeClock()
    h.provider_for(app).clock = clock
    issued = tokens(client, h)
    rs = ("resource-server", "rs-secret-0123456789-0123456789-abcdef")
    # web-app may introspect neither other clients' tokens nor learn they exist.
    assert introspect(
        client, h, issued["access_token"], ("web-app", "web-secret-0123456789-0123456789-abcd")
    ) == {"active": False}
    assert introspect(client, h, "never-issued", rs) == {"active": False}
    clock.now += 3601
    assert introspect(client, h, issued["access_token"], rs) == {"active": False}
    client.post("/oauth/revoke", data={"token": issued["refresh_token"], "client_id": "public-app"})
    assert introspect(client, h, issued["refresh_token"], rs) == {"active": False}


def test_public_clients_cannot_introspect(client: Any, h: Any) -> None:
    issued = tokens(client, h)
    response = client.post(
        "/oauth/introspect", data={"token": issued["access_token"], "client_id": "public-app"}
    )
    assert response.status_code in (400, 401) and response.json["error"] == "invalid_client"


# ------------------------------------------------------------------ RFC 6749 §2.3.1, §5.2


def _basic(user: str, secret: str) -> dict[str, str]:
    import base64

    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


def test_a_public_client_may_name_itself_in_basic_with_an_empty_secret(client: Any, h: Any) -> None:
    code, verifier = get_code(client, h)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": h.REDIRECT,
        "code_verifier": verifier,
    }
    response = client.post("/oauth/token", data=form, headers=_basic("public-app", ""))
    assert response.status_code == 200, response.data
    assert response.json["token_type"] == "Bearer"


def test_an_empty_basic_secret_does_not_authenticate_a_confidential_client(
    client: Any,
) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=_basic("web-app", ""),
    )
    assert response.status_code == 401
    assert response.json["error"] == "invalid_client"
    assert response.mimetype == "application/json"
    mismatch = client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "x", "client_id": "web-app"},
        headers=_basic("public-app", ""),
    )
    assert mismatch.status_code in (400, 401) and mismatch.json["error"] == "invalid_client"


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke", "/oauth/introspect"])
def test_token_endpoint_errors_are_application_json(client: Any, path: str) -> None:
    wrong_type = client.post(path, json={"grant_type": "x"})
    assert wrong_type.status_code == 400
    assert wrong_type.mimetype == "application/json"
    assert wrong_type.json["error"] == "invalid_request"
    assert wrong_type.headers["Cache-Control"] == "no-store"
    unknown = client.post(path, data={"grant_type": "password", "token": "t"})
    assert unknown.status_code in (400, 401)
    assert unknown.mimetype == "application/json" and "error" in unknown.json
