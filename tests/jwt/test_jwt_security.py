"""Hostile tokens: each is refused with 401 invalid_token (or 400 for a huge one), never 500."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from joserfc.jwk import OctKey

from camshaft import Handler
from camshaft.testing import make_app, make_client


class Notes(Handler):
    resource_name = "notes"
    authentication = ("jwt",)
    scopes = ["notes:read"]

    def read(self, key: str | None = None) -> Any:
        return {"who": self.identity.id}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged(header: dict[str, Any], payload: Any, signature: bytes = b"") -> str:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return f"{b64(json.dumps(header).encode())}.{b64(body)}.{b64(signature)}"


def hmac_signed(header: dict[str, Any], payload: bytes, secret: bytes) -> str:
    import hashlib
    import hmac

    signing_input = f"{b64(json.dumps(header).encode())}.{b64(payload)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


@pytest.fixture
def hs_client(jwt_helpers: Any) -> Any:
    return make_client(make_app([Notes], plugins=("jwt",), settings=jwt_helpers.hs_settings()))


@pytest.fixture
def rs_client(jwt_helpers: Any) -> Any:
    settings = jwt_helpers.hs_settings(key=jwt_helpers.RSA_PUBLIC_PEM, algorithms=["RS256"])
    return make_client(make_app([Notes], plugins=("jwt",), settings=settings))


def assert_invalid_token(response: Any, detail: str | None = None) -> None:
    assert response.status_code == 401, response.data
    assert response.json["error"] == "invalid_token"
    assert response.mimetype == "application/problem+json"
    challenges = response.headers.getlist("WWW-Authenticate")
    assert any('error="invalid_token"' in c and c.startswith("Bearer ") for c in challenges)
    assert b"Traceback" not in response.data
    if detail:
        assert detail in response.json["detail"]


def test_a_good_token_passes(hs_client: Any, jwt_helpers: Any) -> None:
    token = jwt_helpers.hs_token(scope="notes:read")
    assert hs_client.get("/notes/1", headers=jwt_helpers.bearer(token)).status_code == 200


def test_alg_confusion_rsa_public_key_as_hmac_secret_fails(
    rs_client: Any, jwt_helpers: Any
) -> None:
    # The classic attack: sign HS256 with the issuer's public PEM as the HMAC secret.
    claims = json.dumps(jwt_helpers.claims(scope="notes:read")).encode()
    token = hmac_signed({"alg": "HS256", "typ": "JWT"}, claims, jwt_helpers.RSA_PUBLIC_PEM.encode())
    assert_invalid_token(rs_client.get("/notes/1", headers=jwt_helpers.bearer(token)), "algorithm")


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_fails(hs_client: Any, jwt_helpers: Any, alg: str) -> None:
    token = forged({"alg": alg}, jwt_helpers.claims(scope="notes:read"))
    assert_invalid_token(hs_client.get("/notes/1", headers=jwt_helpers.bearer(token)))


def test_an_algorithm_not_listed_fails_even_with_the_right_key(
    hs_client: Any, jwt_helpers: Any
) -> None:
    token = jwt_helpers.hs_token(alg="HS512", scope="notes:read")
    assert_invalid_token(hs_client.get("/notes/1", headers=jwt_helpers.bearer(token)), "algorithm")


@pytest.mark.parametrize(
    ("overrides", "detail"),
    [
        ({"exp": int(time.time()) - 10}, "expired"),
        ({"nbf": int(time.time()) + 600}, "not valid yet"),
        ({"iat": int(time.time()) + 600}, "in the future"),
        ({"iss": "https://evil.test"}, "'iss'"),
        ({"aud": "https://other-api.test"}, "'aud'"),
        ({"aud": None}, "aud"),
        ({"exp": None}, "exp"),
        ({"sub": None}, "subject"),
        ({"sub": 42}, "sub"),
        ({"sub": ""}, "sub"),
        ({"exp": "tomorrow"}, "'exp'"),
        ({"scope": ["notes:read"]}, "scope"),
        ({"scp": [1, 2]}, "scp"),
    ],
    ids=[
        "expired",
        "not yet valid",
        "issued in the future",
        "wrong issuer",
        "wrong audience",
        "no audience",
        "no expiry",
        "no subject",
        "a numeric subject",
        "an empty subject",
        "a non-numeric expiry",
        "scope as a list",
        "scp of numbers",
    ],
)
def test_bad_claims_fail(
    hs_client: Any, jwt_helpers: Any, overrides: Any, detail: str | None
) -> None:
    token = jwt_helpers.hs_token(**overrides)
    assert_invalid_token(hs_client.get("/notes/1", headers=jwt_helpers.bearer(token)), detail)


def test_leeway_accepts_a_just_expired_token(jwt_helpers: Any) -> None:
    settings = jwt_helpers.hs_settings(leeway=60)
    client = make_client(make_app([Notes], plugins=("jwt",), settings=settings))
    token = jwt_helpers.hs_token(exp=int(time.time()) - 5, scope="notes:read")
    assert client.get("/notes/1", headers=jwt_helpers.bearer(token)).status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "a.b.c",
        "!!!.@@@.###",
        "eyJhbGciOiJIUzI1NiJ9.%%%.abc",
        "..",
        "e30.e30.",
        b64(b"\xff\xfe") + "." + b64(b"{}") + ".x",
        b64(b'{"alg": "HS256"}') + "." + b64(b"\xff\xfe\x00") + ".x",
        b64(b'["alg"]') + "." + b64(b"{}") + ".x",
        b64(b'{"alg": 7}') + "." + b64(b"{}") + ".x",
        b64(b'{"alg": "HS256", "crit": ["exp"]}') + "." + b64(b"{}") + ".x",
    ],
    ids=[
        "letters",
        "punctuation",
        "percent signs",
        "empty parts",
        "empty objects and no signature",
        "header not UTF-8",
        "payload not UTF-8",
        "header a JSON list",
        "alg a number",
        "an unknown crit header",
    ],
)
def test_malformed_tokens_fail(hs_client: Any, jwt_helpers: Any, token: str) -> None:
    assert_invalid_token(hs_client.get("/notes/1", headers=jwt_helpers.bearer(token)))


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"[1, 2, 3]", b'"a string"', b"null", b'{"sub": "alice"'],
    ids=["text", "a list", "a string", "null", "truncated JSON"],
)
def test_well_signed_non_json_or_non_object_payloads_fail(
    hs_client: Any, jwt_helpers: Any, payload: bytes
) -> None:
    token = hmac_signed({"alg": "HS256"}, payload, jwt_helpers.SECRET.encode())
    assert_invalid_token(hs_client.get("/notes/1", headers=jwt_helpers.bearer(token)))


def test_a_tampered_payload_fails(hs_client: Any, jwt_helpers: Any) -> None:
    header, _, signature = jwt_helpers.hs_token(scope="notes:read").split(".")
    payload = b64(json.dumps(jwt_helpers.claims(sub="root", scope="notes:read")).encode())
    token = f"{header}.{payload}.{signature}"
    assert_invalid_token(hs_client.get("/notes/1", headers=jwt_helpers.bearer(token)), "signature")


def test_a_huge_token_is_400_before_decoding(hs_client: Any, jwt_helpers: Any) -> None:
    token = jwt_helpers.hs_token(scope="notes:read", padding="x" * 9000)
    response = hs_client.get("/notes/1", headers=jwt_helpers.bearer(token))
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"


def test_a_kid_not_in_the_key_set_fails(jwt_helpers: Any, tmp_path: Any) -> None:
    from joserfc.jwk import KeySet

    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(KeySet([jwt_helpers.RSA_KEY]).as_dict(private=False)))
    settings = jwt_helpers.hs_settings(key=str(path), algorithms=["RS256"])
    client = make_client(make_app([Notes], plugins=("jwt",), settings=settings))
    token = jwt_helpers.rs_token(jwt_helpers.RSA_OTHER, scope="notes:read")
    assert_invalid_token(client.get("/notes/1", headers=jwt_helpers.bearer(token)), "no key")


def test_a_token_signed_by_another_secret_fails(hs_client: Any, jwt_helpers: Any) -> None:
    other = OctKey.generate_key(512)
    from joserfc import jwt as jose_jwt

    token = jose_jwt.encode({"alg": "HS256"}, jwt_helpers.claims(scope="notes:read"), other)
    assert_invalid_token(hs_client.get("/notes/1", headers=jwt_helpers.bearer(token)), "signature")


@pytest.mark.parametrize(
    "value",
    [
        "Bearer k1.secret-secret-secret",
        "Bearer opaque-token",
        "Basic YWxpY2U6eA==",
        "Bearer a.b.c.d.e",
    ],
    ids=["an api key", "an opaque token", "basic credentials", "a JWE-shaped value"],
)
def test_values_that_are_not_jws_jwts_are_not_mine(hs_client: Any, value: str) -> None:
    response = hs_client.get("/notes/1", headers={"Authorization": value})
    assert response.status_code == 401
    assert "error" not in response.json  # the plain challenge: nobody claimed it
