"""camshaft-oauth's safe defaults (issue 10): scopes deny by default, clients are never
users, the OAuth 1.0a token exchange changes nothing before the signature verifies,
callbacks are the consumer's, owners must sign in, client authentication failures are
limited, and the plugin adds nothing to apps that did not enable it."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from oauthlib.oauth1 import Client as OAuth1Signer

from camshaft import App, AuthScheme, Handler, Identity, hookimpl
from camshaft.errors import ConfigurationError
from camshaft.permissions import is_owner
from camshaft.testing import make_app, make_client
from camshaft_oauth import make_client_secret, provider_for

BASE = "http://localhost"
SECRET = make_client_secret()
CALLBACK = "https://consumer.example/ready"


class Rows(Handler):
    """Alice's rows: only their owner may change one."""

    resource_name = "rows"
    authentication = ("oauth2", "oauth1")
    scopes = {"GET": ["rows:read"], "PUT": ["rows:write"]}
    permissions = {"GET": [], "PUT": is_owner("owner")}

    def read(self, key: str) -> Any:
        return {"id": key, "owner": "alice"}

    def update(self, key: str, data: Any) -> Any:
        self.authorize("update", {"id": key, "owner": "alice"})
        return {"id": key, "who": self.identity.id, "kind": self.identity.kind}


class Unscoped(Handler):
    """Names the token schemes but declares no scopes: tokens get nothing."""

    resource_name = "unscoped"
    authentication = ("oauth2",)

    def read(self, key: str) -> Any:
        return {"id": key}

    def update(self, key: str, data: Any) -> Any:
        return data


class _OwnerScheme:
    """``X-Owner: <name>`` identifies a resource owner at the authorize endpoints."""

    camshaft_name = "owner-scheme"

    @hookimpl
    def camshaft_auth_schemes(self) -> list[AuthScheme]:
        def authenticate(request: Any) -> Identity | None:
            user = request.header("X-Owner")
            if user is None:
                return None
            if user.startswith("client:"):  # a scheme that names a client, not a person
                return Identity(id=user[7:], scheme="owner", kind="client")
            return Identity(id=user, scheme="owner")

        return [AuthScheme("owner", authenticate, lambda request: 'Owner realm="t"')]


def _app(*handlers: type[Handler], **oauth: Any) -> App:
    settings = {"oauth": {"url": "sqlite://", **oauth}}
    return make_app(
        list(handlers) or [Rows, Unscoped],
        plugins=["oauth", _OwnerScheme()],
        settings=settings,
    )


def _client_token(app: App, client_id: str, scope: str) -> str:
    provider_for(app).repository.add_client(
        client_id, secret=SECRET, grant_types=["client_credentials"], scope=scope
    )
    response = make_client(app).post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": SECRET},
    )
    assert response.status_code == 200, response.data
    return str(response.json["access_token"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ------------------------------------------------------------------ scopes


@pytest.mark.parametrize("method", ["get", "put"])
def test_a_resource_without_declared_scopes_grants_tokens_nothing(method: str) -> None:
    app = _app()
    token = _client_token(app, "svc", "rows:read rows:write anything")
    response = getattr(make_client(app), method)("/unscoped/1", json={}, headers=_bearer(token))
    assert response.status_code == 403
    assert response.json["error"] == "insufficient_scope"


def test_each_verb_needs_its_own_scope() -> None:
    app = _app()
    client = make_client(app)
    reader = _client_token(app, "reader", "rows:read")
    writer = _client_token(app, "writer", "rows:write")
    assert client.get("/rows/1", headers=_bearer(reader)).status_code == 200
    assert client.put("/rows/1", json={}, headers=_bearer(reader)).status_code == 403
    assert client.get("/rows/1", headers=_bearer(writer)).status_code == 403


# ------------------------------------------------------------------ identity kinds


def test_a_client_named_like_a_user_does_not_own_her_rows() -> None:
    app = _app()
    token = _client_token(app, "alice", "rows:read rows:write")
    response = make_client(app).put("/rows/1", json={}, headers=_bearer(token))
    assert response.status_code == 403


def test_an_oauth1_consumer_acting_for_itself_is_a_client() -> None:
    app = _app()
    repository = provider_for(app).repository
    repository.add_consumer("alice", secret="consumer-secret")
    token = repository.add_oauth1_token(
        kind="access", consumer_key="alice", user_id=None, scope="rows:read rows:write"
    )
    signer = OAuth1Signer(
        "alice",
        client_secret="consumer-secret",
        resource_owner_key=token.token,
        resource_owner_secret=token.secret,
    )
    _, headers, _ = signer.sign(BASE + "/rows/1", http_method="PUT")
    assert make_client(app).put("/rows/1", json=None, headers=dict(headers)).status_code == 403
    # ...while a token alice approved acts as alice.
    mine = repository.add_oauth1_token(
        kind="access", consumer_key="alice", user_id="alice", scope="rows:write"
    )
    signer = OAuth1Signer(
        "alice",
        client_secret="consumer-secret",
        resource_owner_key=mine.token,
        resource_owner_secret=mine.secret,
    )
    _, headers, _ = signer.sign(BASE + "/rows/1", http_method="PUT")
    response = make_client(app).put("/rows/1", json=None, headers=dict(headers))
    assert response.status_code == 200 and response.json["kind"] == "user"


# ------------------------------------------------------- OAuth 1.0a token endpoint


def _request_token(app: App, consumer: str, secret: str, callback: str = "oob") -> dict[str, str]:
    signer = OAuth1Signer(consumer, client_secret=secret, callback_uri=callback)
    _, headers, _ = signer.sign(BASE + "/oauth1/request_token", http_method="POST")
    response = make_client(app).post("/oauth1/request_token", headers=dict(headers))
    assert response.status_code == 200, response.data
    return {k: v[0] for k, v in parse_qs(response.get_data(as_text=True)).items()}


def _exchange(app: App, consumer: str, secret: str, token: dict[str, str], verifier: str) -> Any:
    signer = OAuth1Signer(
        consumer,
        client_secret=secret,
        resource_owner_key=token["oauth_token"],
        resource_owner_secret=token["oauth_token_secret"],
        verifier=verifier,
    )
    _, headers, _ = signer.sign(BASE + "/oauth1/access_token", http_method="POST")
    return make_client(app).post("/oauth1/access_token", headers=dict(headers))


@pytest.fixture
def dance_app() -> App:
    app = _app(authorize={"authentication": ["owner"], "consent": "auto"})
    repository = provider_for(app).repository
    repository.add_consumer("printer", secret="printer-secret", callback_uri=CALLBACK)
    repository.add_consumer("mallory", secret="mallory-secret", callback_uri=CALLBACK)
    return app


def _approved(app: App) -> tuple[dict[str, str], str]:
    token = _request_token(app, "printer", "printer-secret")
    response = make_client(app).get(
        "/oauth1/authorize",
        query_string={"oauth_token": token["oauth_token"]},
        headers={"X-Owner": "alice"},
    )
    assert response.status_code == 302, response.data
    verifier = parse_qs(response.headers["Location"].split("?", 1)[1])["oauth_verifier"][0]
    return token, verifier


def test_a_forged_exchange_retires_nothing(dance_app: App) -> None:
    token, verifier = _approved(dance_app)
    # Another consumer names printer's request token; a stranger signs with a wrong secret.
    assert _exchange(dance_app, "mallory", "mallory-secret", token, verifier).status_code in (
        400,
        401,
    )
    assert _exchange(dance_app, "printer", "wrong-secret", token, verifier).status_code == 401
    # printer's token still works, once.
    assert _exchange(dance_app, "printer", "printer-secret", token, verifier).status_code == 200
    assert _exchange(dance_app, "printer", "printer-secret", token, verifier).status_code != 200


def test_a_wrong_verifier_from_the_signed_consumer_retires_its_token(dance_app: App) -> None:
    token, verifier = _approved(dance_app)
    assert _exchange(dance_app, "printer", "printer-secret", token, "guess").status_code == 400
    assert _exchange(dance_app, "printer", "printer-secret", token, verifier).status_code != 200


def test_callbacks_are_bound_to_the_consumers_registered_ones(dance_app: App) -> None:
    signer = OAuth1Signer(
        "printer", client_secret="printer-secret", callback_uri="https://evil.example/steal"
    )
    _, headers, _ = signer.sign(BASE + "/oauth1/request_token", http_method="POST")
    response = make_client(dance_app).post("/oauth1/request_token", headers=dict(headers))
    assert response.status_code == 400
    assert _request_token(dance_app, "printer", "printer-secret", CALLBACK)["oauth_token"]


def test_anonymous_never_authorizes(dance_app: App) -> None:
    token = _request_token(dance_app, "printer", "printer-secret")
    response = make_client(dance_app).get(
        "/oauth1/authorize", query_string={"oauth_token": token["oauth_token"]}
    )
    assert response.status_code == 401
    assert "oauth_verifier" not in response.get_data(as_text=True)
    with pytest.raises(ConfigurationError, match="anonymous"):
        _app(authorize={"authentication": ["anonymous"]})


def test_a_client_token_cannot_act_as_the_owner_at_authorize() -> None:
    app = _app(authorize={"authentication": ["oauth2"], "consent": "auto"})
    token = _client_token(app, "alice", "rows:read")
    repository = provider_for(app).repository
    repository.add_consumer("printer", secret="printer-secret")
    temporary = _request_token(app, "printer", "printer-secret")
    response = make_client(app).get(
        "/oauth1/authorize",
        query_string={"oauth_token": temporary["oauth_token"]},
        headers=_bearer(token),
    )
    assert response.status_code in (401, 403)  # not a user; and tokens have no scope here
    assert "oauth_verifier" not in response.get_data(as_text=True)


# ------------------------------------------------------------------ brute force


def test_client_authentication_failures_at_the_token_endpoint_are_limited() -> None:
    app = _app()
    provider_for(app).repository.add_client(
        "svc", secret=SECRET, grant_types=["client_credentials"], scope="rows:read"
    )
    client = make_client(app)
    form = {"grant_type": "client_credentials", "client_id": "svc", "client_secret": "x" * 40}
    codes = [client.post("/oauth/token", data=form).status_code for _ in range(11)]
    assert codes == [401] * 10 + [429]
    good = client.post("/oauth/token", data={**form, "client_secret": SECRET})
    assert good.status_code == 429 and int(good.headers["Retry-After"]) >= 1


# ------------------------------------------------------------------ surface and secrets


def test_installed_but_not_enabled_it_adds_no_route_and_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = App([], environ={})  # autoload on: camshaft-oauth is installed
    assert not app.plugin_manager.has_plugin("oauth")
    client = make_client(app)
    assert client.post("/oauth/token").status_code == 404
    assert client.post("/oauth1/request_token").status_code == 404
    assert list(tmp_path.iterdir()) == []


def test_enabled_without_a_database_url_fails_the_start() -> None:
    with pytest.raises(ConfigurationError, match="oauth.url"):
        make_app([], plugins=["oauth"])


def test_a_sqlite_file_it_creates_is_private(tmp_path: Path) -> None:
    path = tmp_path / "oauth.sqlite3"
    app = make_app([], plugins=["oauth"], settings={"oauth": {"url": f"sqlite:///{path}"}})
    provider_for(app).repository.add_consumer("c", secret="s")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_short_client_secrets_are_refused_and_stored_ones_are_scrypt() -> None:
    app = _app()
    repository = provider_for(app).repository
    with pytest.raises(ValueError, match="32"):
        repository.add_client("weak", secret="x" * 31)
    assert len(make_client_secret()) >= 43
    client = repository.add_client("strong", secret=SECRET)
    assert client.secret_hash.startswith("scrypt$14$8$1$") and SECRET not in client.secret_hash
    assert client.check_client_secret(SECRET) and not client.check_client_secret("x" * 43)


def test_only_a_user_gets_a_verifier_or_a_code(dance_app: App) -> None:
    client = make_client(dance_app)
    token = _request_token(dance_app, "printer", "printer-secret")
    response = client.get(
        "/oauth1/authorize",
        query_string={"oauth_token": token["oauth_token"]},
        headers={"X-Owner": "client:alice"},
    )
    assert response.status_code == 401
    assert "oauth_verifier" not in response.get_data(as_text=True)
    provider_for(dance_app).repository.add_client(
        "web", redirect_uris=[CALLBACK], scope="rows:read"
    )
    query = {
        "response_type": "code",
        "client_id": "web",
        "redirect_uri": CALLBACK,
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    refused = client.get("/oauth/authorize", query_string=query, headers={"X-Owner": "client:a"})
    assert refused.status_code == 401 and "code=" not in refused.headers.get("Location", "")
    granted = client.get("/oauth/authorize", query_string=query, headers={"X-Owner": "alice"})
    assert granted.status_code == 302 and "code=" in granted.headers["Location"]
