"""The ``oauth2`` and ``oauth1`` schemes pass the kernel's auth contract."""

from __future__ import annotations

from base64 import b64encode
from typing import Any

import pytest
from oauthlib.oauth1 import Client as OAuth1Signer

from camshaft.testing.contracts import AuthContract
from camshaft_oauth import provider_for

SETTINGS = {"oauth": {"url": "sqlite:///:memory:"}}
CONTRACT_SECRET = "contract-secret-0123456789-0123456789"


def _bearer_token(app: Any) -> str:
    """A real token, issued by the app's token endpoint, for a client it registers."""
    from camshaft.testing import make_client

    provider_for(app).repository.add_client(
        "contract",
        secret="contract-secret-0123456789-0123456789",
        grant_types=["client_credentials"],
        scope="read",
    )
    response = make_client(app).post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={
            "Authorization": "Basic " + b64encode(f"contract:{CONTRACT_SECRET}".encode()).decode()
        },
    )
    assert response.status_code == 200, response.data
    return str(response.json["access_token"])


class TestOAuth2Contract(AuthContract):
    plugins = ("oauth",)
    scheme = "oauth2"
    settings = SETTINGS
    challenge_prefix = "Bearer"
    handler_attrs = {"scopes": ["read"]}  # without scopes, tokens may do nothing

    @pytest.fixture
    def good_headers(self, app: Any) -> Any:
        token = _bearer_token(app)
        return lambda method, path: {"Authorization": f"Bearer {token}"}

    @pytest.fixture
    def bad_headers(self) -> Any:
        return lambda method, path: {"Authorization": "Bearer not-a-token-we-issued"}


def _oauth1_signer(app: Any, secret: str | None = None) -> OAuth1Signer:
    repository = provider_for(app).repository
    repository.add_consumer("contract", secret="consumer-secret")
    token = repository.add_oauth1_token(
        kind="access", consumer_key="contract", user_id="alice", scope="read"
    )
    return OAuth1Signer(
        "contract",
        client_secret=secret or "consumer-secret",
        resource_owner_key=token.token,
        resource_owner_secret=token.secret,
    )


class TestOAuth1Contract(AuthContract):
    plugins = ("oauth",)
    scheme = "oauth1"
    settings = SETTINGS
    challenge_prefix = "OAuth"
    handler_attrs = {"scopes": ["read"]}

    @pytest.fixture
    def good_headers(self, app: Any) -> Any:
        signer = _oauth1_signer(app)

        def make(method: str, path: str) -> dict[str, str]:
            _, headers, _ = signer.sign(f"http://localhost{path}", http_method=method)
            return dict(headers)

        return make

    @pytest.fixture
    def bad_headers(self, app: Any) -> Any:
        signer = _oauth1_signer(app, secret="wrong-secret")

        def make(method: str, path: str) -> dict[str, str]:
            _, headers, _ = signer.sign(f"http://localhost{path}", http_method=method)
            return dict(headers)

        return make
