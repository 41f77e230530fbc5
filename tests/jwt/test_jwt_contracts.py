"""The ``jwt`` scheme passes the kernel's auth contract."""

from __future__ import annotations

from typing import Any

import pytest

from camshaft.testing.contracts import AuthContract

SECRET = "contract-secret-contract-secret-contract"


class TestJWTContract(AuthContract):
    plugins = ("jwt",)
    scheme = "jwt"
    settings = {"jwt": {"key": SECRET, "algorithms": ["HS256"]}}
    challenge_prefix = "Bearer"
    handler_attrs = {"scopes": ["read"]}

    @pytest.fixture
    def good_headers(self, jwt_helpers: Any) -> Any:
        token = jwt_helpers.hs_token(SECRET, scope="read")
        return lambda method, path: jwt_helpers.bearer(token)

    @pytest.fixture
    def bad_headers(self, jwt_helpers: Any) -> Any:
        token = jwt_helpers.hs_token("another-secret-another-secret-another", scope="read")
        return lambda method, path: jwt_helpers.bearer(token)
