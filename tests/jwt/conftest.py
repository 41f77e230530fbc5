"""Keys, token minting (joserfc and PyJWT) and a local JWK Set server for the camshaft-jwt
tests."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import jwt as pyjwt
import pytest
from joserfc import jwt as jose_jwt
from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey

SECRET = "a-test-secret-that-is-long-enough-for-hs512-0123456789abcdefghijkl"
ISSUER = "https://issuer.test"
AUDIENCE = "https://api.test"

RSA_KEY = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
RSA_OTHER = RSAKey.generate_key(2048, parameters={"kid": "rsa-2"})
EC_KEY = ECKey.generate_key("P-256", parameters={"kid": "ec-1"})
RSA_PUBLIC_PEM = RSA_KEY.as_pem(private=False).decode()
RSA_PRIVATE_PEM = RSA_KEY.as_pem(private=True).decode()


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid claims for alice, expiring in an hour; ``None`` values are dropped."""
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": "alice",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "scope": "notes:read notes:write",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hs_token(key: str = SECRET, alg: str = "HS256", **overrides: Any) -> str:
    return jose_jwt.encode(
        {"alg": alg}, claims(**overrides), OctKey.import_key(key.encode()), algorithms=[alg]
    )


def rs_token(key: RSAKey = RSA_KEY, alg: str = "RS256", **overrides: Any) -> str:
    return jose_jwt.encode({"alg": alg, "kid": key.kid}, claims(**overrides), key, algorithms=[alg])


def pyjwt_token(
    key: Any = SECRET, alg: str = "HS256", headers: Any = None, **overrides: Any
) -> str:
    return pyjwt.encode(claims(**overrides), key, algorithm=alg, headers=headers)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def hs_settings(**overrides: Any) -> dict[str, Any]:
    section: dict[str, Any] = {
        "key": SECRET,
        "algorithms": ["HS256"],
        "issuer": ISSUER,
        "audience": [AUDIENCE],
    }
    section.update(overrides)
    return {"jwt": section}


class JWKSServer:
    """A JWK Set served on 127.0.0.1; ``keys`` may be replaced, ``hits`` counts fetches."""

    def __init__(self, keys: list[Any]) -> None:
        self.keys = keys
        self.hits = 0
        self.fail = False
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits += 1
                if server.fail:
                    self.send_error(500)
                    return
                body = json.dumps(KeySet(server.keys).as_dict(private=False)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> JWKSServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def jwks_server() -> Iterator[JWKSServer]:
    with JWKSServer([RSA_KEY]) as server:
        yield server


@pytest.fixture
def jwt_helpers() -> SimpleNamespace:
    """Test modules cannot import conftest under --import-mode=importlib; this hands them
    the helpers instead."""
    return SimpleNamespace(
        SECRET=SECRET,
        ISSUER=ISSUER,
        AUDIENCE=AUDIENCE,
        RSA_KEY=RSA_KEY,
        RSA_OTHER=RSA_OTHER,
        EC_KEY=EC_KEY,
        RSA_PUBLIC_PEM=RSA_PUBLIC_PEM,
        RSA_PRIVATE_PEM=RSA_PRIVATE_PEM,
        claims=claims,
        hs_token=hs_token,
        rs_token=rs_token,
        pyjwt_token=pyjwt_token,
        bearer=bearer,
        hs_settings=hs_settings,
    )
