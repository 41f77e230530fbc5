"""Each camshaft-httpauth scheme passes the kernel's auth contract."""

from __future__ import annotations

from typing import Any

import pytest

from camshaft.testing import make_client
from camshaft.testing.contracts import AuthContract
from camshaft_httpauth import hash_api_secret, make_digest_ha1, make_password_hash

SECRET = "contract-secret-contract-secret-0"
SETTINGS = {
    "httpauth": {
        "users": {"alice": make_password_hash("wonderland")},
        "digest_users": {"alice": {"SHA-256": make_digest_ha1("alice", "camshaft", "wonderland")}},
        "digest": {"secret": "s", "algorithms": ["SHA-256"]},
        "apikey": {"keys": {"k1": hash_api_secret(SECRET)}},
    }
}


class TestBasicContract(AuthContract):
    plugins = ("httpauth",)
    scheme = "basic"
    settings = SETTINGS
    challenge_prefix = "Basic"

    @pytest.fixture
    def good_headers(self, auth_helpers: Any) -> Any:
        return lambda method, path: auth_helpers.basic("alice", "wonderland")

    @pytest.fixture
    def bad_headers(self, auth_helpers: Any) -> Any:
        return lambda method, path: auth_helpers.basic("alice", "wrong")


class TestDigestContract(AuthContract):
    plugins = ("httpauth",)
    scheme = "digest"
    settings = SETTINGS
    challenge_prefix = "Digest"

    @pytest.fixture
    def good_headers(self, app: Any, auth_helpers: Any) -> Any:
        def make(method: str, path: str) -> dict[str, str]:
            header = make_client(app).get(path).headers["WWW-Authenticate"]
            return auth_helpers.digest_header(auth_helpers.digest_challenge(header), method, path)

        return make

    @pytest.fixture
    def bad_headers(self, app: Any, auth_helpers: Any) -> Any:
        def make(method: str, path: str) -> dict[str, str]:
            header = make_client(app).get(path).headers["WWW-Authenticate"]
            challenge = auth_helpers.digest_challenge(header)
            return auth_helpers.digest_header(challenge, method, path, password="nope")

        return make


class TestApiKeyContract(AuthContract):
    plugins = ("httpauth",)
    scheme = "apikey"
    settings = SETTINGS
    challenge_prefix = "Bearer"

    @pytest.fixture
    def good_headers(self) -> Any:
        return lambda method, path: {"Authorization": f"Bearer k1.{SECRET}"}

    @pytest.fixture
    def bad_headers(self) -> Any:
        return lambda method, path: {"X-API-Key": "k1.wrong-secret-wrong-secret"}
