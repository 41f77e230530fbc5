"""Settings: the database URL (with $env indirection), lazy tables, paths, consent."""

from __future__ import annotations

from typing import Any

import pytest

from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client
from camshaft_oauth import provider_for


def test_url_from_the_environment_and_tables_created_on_first_use(tmp_path: Any) -> None:
    path = tmp_path / "oauth.sqlite3"
    app = make_app(
        plugins=["oauth"],
        settings={"oauth": {"url": {"$env": "OAUTH_URL"}}},
        environ={"OAUTH_URL": f"sqlite:///{path}"},
    )
    assert not path.exists()  # an app that never uses OAuth leaves no file
    provider_for(app).repository.add_client(
        "c", secret="s" * 32, grant_types=["client_credentials"]
    )
    assert path.exists()
    # Persisted: a second app on the same file sees the client.
    again = make_app(plugins=["oauth"], settings={"oauth": {"url": f"sqlite:///{path}"}})
    assert provider_for(again).repository.get_client("c") is not None


def test_paths_are_configurable_and_empty_leaves_an_endpoint_out() -> None:
    app = make_app(
        plugins=["oauth"],
        settings={
            "oauth": {
                "url": "sqlite://",
                "oauth2": {"token_path": "/auth/token", "introspect_path": ""},
            }
        },
    )
    client = make_client(app)
    assert client.post("/auth/token").status_code == 400  # there, and wants a form
    assert client.post("/oauth/token").status_code == 404
    assert client.post("/oauth/introspect").status_code == 404
    # No owner schemes configured: no authorize endpoints.
    assert client.get("/oauth/authorize").status_code == 404


def test_unknown_driver_fails_the_start() -> None:
    with pytest.raises(ConfigurationError, match="oauth.url"):
        make_app(plugins=["oauth"], settings={"oauth": {"url": "nosuchdb://x"}})


def test_consent_must_name_a_callable() -> None:
    with pytest.raises(ConfigurationError, match="consent"):
        make_app(
            plugins=["oauth"],
            settings={"oauth": {"url": "sqlite://", "authorize": {"consent": "os:sep"}}},
        )


def test_consent_callable_decides(oauth_helpers: Any) -> None:
    h = oauth_helpers
    decisions: list[tuple[str, str, list[str]]] = []

    def consent(request: Any, identity: Any, client_id: str, scopes: list[str]) -> bool:
        decisions.append((identity.id, client_id, scopes))
        return identity.id == "alice"

    app = h.build_app(consent=consent)
    h.provider_for(app).repository.add_client(
        "public-app", redirect_uris=[h.REDIRECT], scope="read"
    )
    client = make_client(app)
    _, challenge = h.pkce_pair()
    query = {
        "response_type": "code",
        "client_id": "public-app",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    alice = client.get("/oauth/authorize", query_string=query, headers={"X-Test-User": "alice"})
    assert alice.status_code == 302 and "code=" in alice.headers["Location"]
    bob = client.get("/oauth/authorize", query_string=query, headers={"X-Test-User": "bob"})
    assert "error=access_denied" in bob.headers["Location"]
    assert decisions == [("alice", "public-app", ["read"]), ("bob", "public-app", ["read"])]
