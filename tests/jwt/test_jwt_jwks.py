"""A JWK Set URL: fetched from a local server, cached, refreshed on an unknown kid (rate
limited), served stale when the issuer fails, 503 when it never answered."""

from __future__ import annotations

from typing import Any

import pytest

from camshaft import Handler
from camshaft.errors import ServiceUnavailable
from camshaft.testing import make_app, make_client
from camshaft_jwt import RemoteKeySet


class Notes(Handler):
    resource_name = "notes"
    authentication = ("jwt",)
    scopes = ["notes:read"]

    def read(self, key: str | None = None) -> Any:
        return {"who": self.identity.id, "kid": self.identity.attrs["header"].get("kid")}


class Token:
    headers_: dict[str, Any]

    def __init__(self, **header: Any) -> None:
        self.headers_ = header

    def headers(self) -> dict[str, Any]:
        return self.headers_


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def app_for(helpers: Any, url: str) -> Any:
    settings = helpers.hs_settings(key=url, algorithms=["RS256"])
    return make_app([Notes], plugins=("jwt",), settings=settings)


def test_tokens_verify_against_the_fetched_set(jwt_helpers: Any, jwks_server: Any) -> None:
    client = make_client(app_for(jwt_helpers, jwks_server.url))
    for _ in range(3):
        token = jwt_helpers.rs_token(scope="notes:read")
        response = client.get("/notes/1", headers=jwt_helpers.bearer(token))
        assert response.status_code == 200, response.json
    assert response.json == {"who": "alice", "kid": "rsa-1"}
    assert jwks_server.hits == 1  # cached


def test_pyjwt_tokens_verify_against_the_fetched_set(jwt_helpers: Any, jwks_server: Any) -> None:
    client = make_client(app_for(jwt_helpers, jwks_server.url))
    token = jwt_helpers.pyjwt_token(
        key=jwt_helpers.RSA_PRIVATE_PEM, alg="RS256", headers={"kid": "rsa-1"}, scope="notes:read"
    )
    assert client.get("/notes/1", headers=jwt_helpers.bearer(token)).status_code == 200


def test_a_rotated_key_is_found_by_refetching(jwt_helpers: Any, jwks_server: Any) -> None:
    remote = RemoteKeySet(jwks_server.url, min_refresh=0)
    assert [k.kid for k in remote.keys()] == ["rsa-1"]
    jwks_server.keys = [jwt_helpers.RSA_KEY, jwt_helpers.RSA_OTHER]
    assert remote.resolve(Token(alg="RS256", kid="rsa-2")).kid == "rsa-2"
    assert jwks_server.hits == 2


def test_unknown_kids_refetch_at_most_once_per_min_refresh(
    jwt_helpers: Any, jwks_server: Any
) -> None:
    from camshaft_jwt.keys import UnknownKey

    clock = Clock()
    remote = RemoteKeySet(jwks_server.url, min_refresh=30, clock=clock)
    remote.keys()
    clock.now += 31
    for kid in ("made-up-1", "made-up-2", "made-up-3"):
        with pytest.raises(UnknownKey):
            remote.resolve(Token(alg="RS256", kid=kid))
    assert jwks_server.hits == 2  # the first unknown kid refetched; the others did not


def test_the_set_is_refetched_after_max_age(jwks_server: Any) -> None:
    clock = Clock()
    remote = RemoteKeySet(jwks_server.url, max_age=300, clock=clock)
    remote.keys()
    clock.now += 299
    remote.keys()
    assert jwks_server.hits == 1
    clock.now += 2
    remote.keys()
    assert jwks_server.hits == 2


def test_a_failing_issuer_keeps_the_cached_set(jwks_server: Any) -> None:
    clock = Clock()
    remote = RemoteKeySet(jwks_server.url, max_age=10, clock=clock)
    remote.keys()
    jwks_server.fail = True
    clock.now += 11
    assert [k.kid for k in remote.keys()] == ["rsa-1"]
    assert jwks_server.hits == 2


def test_an_issuer_that_never_answered_is_503(jwt_helpers: Any, jwks_server: Any) -> None:
    jwks_server.fail = True
    client = make_client(app_for(jwt_helpers, jwks_server.url))
    token = jwt_helpers.rs_token(scope="notes:read")
    response = client.get("/notes/1", headers=jwt_helpers.bearer(token))
    assert response.status_code == 503
    assert "Retry-After" in response.headers


def test_an_unreachable_url_is_503_not_500(jwt_helpers: Any) -> None:
    remote = RemoteKeySet("http://127.0.0.1:9/jwks.json", timeout=0.5)
    with pytest.raises(ServiceUnavailable):
        remote.keys()


def test_symmetric_keys_in_a_published_set_are_ignored(jwt_helpers: Any, jwks_server: Any) -> None:
    from joserfc.jwk import OctKey

    jwks_server.keys = [OctKey.generate_key(256, parameters={"kid": "oct"}), jwt_helpers.RSA_KEY]
    remote = RemoteKeySet(jwks_server.url)
    assert [k.key_type for k in remote.keys()] == ["RSA"]


def test_a_kid_of_the_wrong_key_type_is_not_used(jwks_server: Any) -> None:
    from camshaft_jwt.keys import UnknownKey

    remote = RemoteKeySet(jwks_server.url, min_refresh=3600)
    with pytest.raises(UnknownKey):
        remote.resolve(Token(alg="ES256", kid="rsa-1"))
