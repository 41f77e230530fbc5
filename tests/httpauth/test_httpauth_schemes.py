"""Basic, Digest and API keys: wrong secrets, sameness, replay, expiry, query strings."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from camshaft import Handler, hookimpl
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client
from camshaft_httpauth import make_password_hash, schemes_from_settings, verify_password


class Protected(Handler):
    resource_name = "protected"
    authentication = ("basic", "digest", "apikey")

    def read(self, key: str) -> Any:
        return {"who": self.identity.id, "scheme": self.identity.scheme}


class DigestOnly(Handler):
    resource_name = "d"
    authentication = ("digest",)

    def read(self, key: str) -> Any:
        return {"who": self.identity.id}


class FakeClock:
    """Registers a ``digest`` scheme whose clock the test moves."""

    camshaft_name = "fakeclock"

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    @hookimpl
    def camshaft_auth_schemes(self, settings: Any) -> list[Any]:
        schemes = schemes_from_settings(settings.plugin("httpauth"), clock=lambda: self.now)
        return [s for s in schemes if s.name == "digest"]


@pytest.fixture
def client(auth_helpers: Any) -> Any:
    return make_client(
        make_app([Protected, DigestOnly], plugins=["httpauth"], settings=auth_helpers.SETTINGS)
    )


def _challenge(client: Any, h: Any, path: str = "/d/1") -> dict[str, str]:
    challenges = client.get(path).headers.getlist("WWW-Authenticate")
    return h.digest_challenge(next(c for c in challenges if c.startswith("Digest ")))


# ------------------------------------------------------------------------ several schemes


def test_several_schemes_give_one_challenge_each(client: Any) -> None:
    response = client.get("/protected/1")
    assert response.status_code == 401
    challenges = response.headers.getlist("WWW-Authenticate")
    assert [c.split(" ")[0] for c in challenges] == ["Basic", "Digest", "Bearer"]
    assert 'charset="UTF-8"' in challenges[0]


@pytest.mark.parametrize("scheme", ["basic", "digest", "apikey"])
def test_each_scheme_is_accepted_on_a_shared_resource(
    client: Any, auth_helpers: Any, scheme: str
) -> None:
    h = auth_helpers
    if scheme == "basic":
        headers = h.basic("alice", "wonderland")
    elif scheme == "digest":
        headers = h.digest_header(_challenge(client, h, "/protected/1"), "GET", "/protected/1")
    else:
        headers = {"X-API-Key": f"k1.{h.API_SECRET}"}
    response = client.get("/protected/1", headers=headers)
    assert response.status_code == 200, response.data
    assert response.json == {"who": "alice", "scheme": scheme}


# ----------------------------------------------------------------------------- basic


def test_basic_pbkdf2_user_is_accepted(client: Any, auth_helpers: Any) -> None:
    response = client.get("/protected/1", headers=auth_helpers.basic("bob", "builder"))
    assert response.json == {"who": "bob", "scheme": "basic"}


def test_basic_wrong_password_is_401(client: Any, auth_helpers: Any) -> None:
    response = client.get("/protected/1", headers=auth_helpers.basic("alice", "wonderlan"))
    assert response.status_code == 401


def test_unknown_user_and_wrong_password_get_the_same_response(
    client: Any, auth_helpers: Any
) -> None:
    wrong = client.get("/protected/1", headers=auth_helpers.basic("alice", "nope"))
    unknown = client.get("/protected/1", headers=auth_helpers.basic("mallory", "nope"))
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.data == unknown.data

    def stable(headers: Any) -> list[tuple[str, str]]:
        # Digest's challenge carries a fresh random nonce each time, and every response a
        # fresh request id; compare their shape.
        return [
            (k, v.split("nonce=")[0] if k != "X-Request-ID" else str(len(v))) for k, v in headers
        ]

    assert stable(wrong.headers) == stable(unknown.headers)


@pytest.mark.parametrize("value", ["Basic !!!", "Basic " + "bm9jb2xvbg==", "Basic"])
def test_malformed_basic_credentials_are_401(client: Any, value: str) -> None:
    response = client.get("/protected/1", headers={"Authorization": value})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_basic_credentials_in_query_string_are_ignored(client: Any) -> None:
    response = client.get(
        "/protected/1?username=alice&password=wonderland&authorization=Basic+YWxpY2U6d29uZGVybGFuZA=="
    )
    assert response.status_code == 401


# ----------------------------------------------------------------------------- digest


def test_digest_offers_sha256_only_and_refuses_md5_by_default(
    client: Any, auth_helpers: Any
) -> None:
    h = auth_helpers
    challenges = client.get("/d/1").headers.getlist("WWW-Authenticate")
    digest = [c for c in challenges if c.startswith("Digest ")]
    assert digest and all("algorithm=SHA-256" in c and "MD5" not in c for c in digest)
    headers = h.digest_header(_challenge(client, h), "GET", "/d/1", algorithm="MD5")
    assert client.get("/d/1", headers=headers).status_code == 401


def test_digest_md5_is_accepted_when_opted_in(auth_helpers: Any) -> None:
    h = auth_helpers
    settings = {
        "httpauth": {
            **h.SETTINGS["httpauth"],
            "digest": {"secret": "t", "algorithms": ["SHA-256", "MD5"]},
        }
    }
    client = make_client(make_app([Protected, DigestOnly], plugins=["httpauth"], settings=settings))
    headers = h.digest_header(_challenge(client, h), "GET", "/d/1", algorithm="MD5")
    assert client.get("/d/1", headers=headers).json == {"who": "alice"}


def test_digest_replayed_nonce_count_is_refused(client: Any, auth_helpers: Any) -> None:
    h = auth_helpers
    challenge = _challenge(client, h)
    first = h.digest_header(challenge, "GET", "/d/1", nc=1)
    assert client.get("/d/1", headers=first).status_code == 200
    assert client.get("/d/1", headers=first).status_code == 401
    second = h.digest_header(challenge, "GET", "/d/1", nc=2)
    assert client.get("/d/1", headers=second).status_code == 200


def test_digest_wrong_password_is_401_without_stale(client: Any, auth_helpers: Any) -> None:
    h = auth_helpers
    headers = h.digest_header(_challenge(client, h), "GET", "/d/1", password="nope")
    response = client.get("/d/1", headers=headers)
    assert response.status_code == 401
    assert "stale" not in response.headers["WWW-Authenticate"]


def test_digest_unknown_user_looks_like_wrong_password(client: Any, auth_helpers: Any) -> None:
    h = auth_helpers
    wrong = client.get(
        "/d/1", headers=h.digest_header(_challenge(client, h), "GET", "/d/1", password="x")
    )
    unknown = client.get(
        "/d/1", headers=h.digest_header(_challenge(client, h), "GET", "/d/1", user="zed")
    )
    assert wrong.status_code == unknown.status_code == 401 and wrong.data == unknown.data


def test_digest_response_for_another_uri_is_refused(client: Any, auth_helpers: Any) -> None:
    h = auth_helpers
    headers = h.digest_header(_challenge(client, h), "GET", "/d/2")
    assert client.get("/d/1", headers=headers).status_code == 401


def test_digest_forged_nonce_is_refused(client: Any, auth_helpers: Any) -> None:
    h = auth_helpers
    challenge = dict(
        _challenge(client, h), nonce="QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
    )
    assert client.get("/d/1", headers=h.digest_header(challenge, "GET", "/d/1")).status_code == 401


def test_digest_expired_nonce_is_stale(auth_helpers: Any) -> None:
    h = auth_helpers
    clock = FakeClock()
    client = make_client(make_app([DigestOnly], plugins=["httpauth", clock], settings=h.SETTINGS))
    challenge = _challenge(client, h)
    clock.now += 301
    response = client.get("/d/1", headers=h.digest_header(challenge, "GET", "/d/1"))
    assert response.status_code == 401
    assert "stale=true" in response.headers["WWW-Authenticate"]
    fresh = h.digest_challenge(response.headers["WWW-Authenticate"])
    retry = client.get("/d/1", headers=h.digest_header(fresh, "GET", "/d/1"))
    assert retry.status_code == 200


def test_digest_nonce_still_valid_before_its_ttl(auth_helpers: Any) -> None:
    h = auth_helpers
    clock = FakeClock()
    client = make_client(make_app([DigestOnly], plugins=["httpauth", clock], settings=h.SETTINGS))
    challenge = _challenge(client, h)
    clock.now += 299
    assert client.get("/d/1", headers=h.digest_header(challenge, "GET", "/d/1")).status_code == 200


@pytest.fixture
def served(auth_helpers: Any) -> Iterator[str]:
    app = make_app([DigestOnly, Protected], plugins=["httpauth"], settings=auth_helpers.SETTINGS)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def test_requests_digest_client_interoperates(served: str) -> None:
    session = requests.Session()
    session.auth = requests.auth.HTTPDigestAuth("alice", "wonderland")
    for _ in range(2):  # the second request reuses the nonce with nc=2
        response = session.get(f"{served}/d/1?x=1", timeout=5)
        assert response.status_code == 200, response.text
        assert response.json() == {"who": "alice"}


def test_requests_basic_client_interoperates(served: str) -> None:
    response = requests.get(f"{served}/protected/1", auth=("bob", "builder"), timeout=5)
    assert response.json() == {"who": "bob", "scheme": "basic"}


# ----------------------------------------------------------------------------- api keys


def test_api_key_gives_owner_and_scopes(auth_helpers: Any) -> None:
    class Keyed(Handler):
        resource_name = "keyed"
        authentication = ("apikey",)

        def read(self, key: str) -> Any:
            return {"who": self.identity.id, "scopes": sorted(self.identity.scopes)}

    client = make_client(make_app([Keyed], plugins=["httpauth"], settings=auth_helpers.SETTINGS))
    response = client.get("/keyed/1", headers={"X-API-Key": f"k1.{auth_helpers.API_SECRET}"})
    assert response.json == {"who": "alice", "scopes": ["r"]}


def test_unknown_key_id_and_wrong_secret_get_the_same_response(
    client: Any, auth_helpers: Any
) -> None:
    wrong = client.get("/protected/1", headers={"X-API-Key": "k1.wrong-secret-wrong-secret"})
    unknown = client.get("/protected/1", headers={"X-API-Key": "k9.wrong-secret-wrong-secret"})
    assert wrong.status_code == unknown.status_code == 401 and wrong.data == unknown.data


def test_api_key_in_query_string_is_ignored(client: Any, auth_helpers: Any) -> None:
    token = f"k1.{auth_helpers.API_SECRET}"
    response = client.get(f"/protected/1?api_key={token}&x-api-key={token}&access_token={token}")
    assert response.status_code == 401


def test_bearer_token_of_another_shape_is_left_to_other_schemes(client: Any) -> None:
    response = client.get("/protected/1", headers={"Authorization": "Bearer opaque-oauth-token"})
    assert response.status_code == 401
    assert response.json["detail"] == "Authentication is required."


# ---------------------------------------------------------------------- hashes, settings


@pytest.mark.parametrize("algorithm", ["scrypt", "pbkdf2_sha256"])
def test_password_hashes_verify(algorithm: str) -> None:
    stored = make_password_hash("pässword", algorithm=algorithm)
    assert stored.startswith(algorithm + "$")
    assert verify_password("pässword", stored)
    assert not verify_password("password", stored)
    assert stored != make_password_hash("pässword", algorithm=algorithm)  # salted


def test_malformed_stored_hash_fails_the_build() -> None:
    with pytest.raises(ConfigurationError, match="alice"):
        make_app(
            [Protected], plugins=["httpauth"], settings={"httpauth": {"users": {"alice": "plain"}}}
        )


def test_user_source_callable(auth_helpers: Any) -> None:
    stored = make_password_hash("pw", algorithm="pbkdf2_sha256")
    settings = {"httpauth": {"source": {"carol": stored}.get}}

    class BasicOnly(Handler):
        resource_name = "b"
        authentication = ("basic",)

        def read(self, key: str) -> Any:
            return {"who": self.identity.id}

    client = make_client(make_app([BasicOnly], plugins=["httpauth"], settings=settings))
    assert client.get("/b/1", headers=auth_helpers.basic("carol", "pw")).json == {"who": "carol"}
    assert client.get("/b/1", headers=auth_helpers.basic("carol", "no")).status_code == 401


# ------------------------------------------------------------- malformed credentials


def _raw_authorization(client: Any, path: str, value: str) -> Any:
    """A request whose Authorization header arrives as the server decodes it (latin-1)."""
    return client.get(path, environ_overrides={"HTTP_AUTHORIZATION": value})


@pytest.mark.parametrize(
    "value",
    [
        "Basic \xe9\xe9\xe9\xe9",
        "Basic YWxp\xff2U6d29uZGVybGFuZA==",
        "Basic " + "/w==",  # base64 of b"\xff": not UTF-8
        "Basic " + "YWxpY2U6AA==",  # "alice:\x00"
        "Basic \x00",
    ],
    ids=["non-ASCII", "non-ASCII inside base64", "not UTF-8", "NUL password", "NUL"],
)
def test_undecodable_basic_credentials_are_401_not_500(client: Any, value: str) -> None:
    response = _raw_authorization(client, "/protected/1", value)
    assert response.status_code == 401, response.data


def _digest_with(client: Any, h: Any, **replace: str) -> str:
    value = h.digest_header(_challenge(client, h), "GET", "/d/1")["Authorization"]
    for name, new in replace.items():
        start = value.index(f'{name}="') + len(name) + 2
        value = value[:start] + new + value[value.index('"', start) :]
    return value


@pytest.mark.parametrize(
    "replace",
    [
        {"response": "\xe9" * 64},
        {"response": "zz"},
        {"response": ""},
        {"uri": "http://[::1/d/1"},
        {"cnonce": "\xff\x00"},
        {"username": "\xe9l\xefce"},
    ],
    ids=[
        "non-ASCII response",
        "short response",
        "empty response",
        "unparseable uri",
        "control characters in cnonce",
        "latin-1 user name",
    ],
)
def test_garbage_digest_fields_are_401_not_500(
    client: Any, auth_helpers: Any, replace: dict[str, str]
) -> None:
    response = _raw_authorization(client, "/d/1", _digest_with(client, auth_helpers, **replace))
    assert response.status_code == 401, response.data


@pytest.mark.parametrize(
    "name", ["\xe9" * 64, "not-hex", ""], ids=["non-ASCII", "not hex", "empty"]
)
def test_garbage_digest_userhash_is_401_not_500(auth_helpers: Any, name: str) -> None:
    settings = {
        "httpauth": {
            **auth_helpers.SETTINGS["httpauth"],
            "digest": {"secret": "test-secret", "userhash": True},
        }
    }
    client = make_client(make_app([DigestOnly], plugins=["httpauth"], settings=settings))
    value = _digest_with(client, auth_helpers, username=name) + ", userhash=true"
    response = _raw_authorization(client, "/d/1", value)
    assert response.status_code == 401, response.data


@pytest.mark.parametrize("scheme", ["Basic", "Digest", "Bearer"])
def test_an_authorization_header_over_8_kib_is_400(client: Any, scheme: str) -> None:
    response = _raw_authorization(client, "/protected/1", f"{scheme} " + "A" * 9000)
    assert response.status_code == 400
    assert "8192" in response.json["detail"]
