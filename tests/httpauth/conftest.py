"""Shared users, keys and a Digest client for the camshaft-httpauth tests."""

from __future__ import annotations

import base64
import hashlib
from types import SimpleNamespace
from typing import Any

import pytest
from werkzeug.http import parse_dict_header

from camshaft_httpauth import hash_api_secret, make_digest_ha1, make_password_hash

REALM = "camshaft"
ALICE_HASH = make_password_hash("wonderland")
BOB_HASH = make_password_hash("builder", algorithm="pbkdf2_sha256")
API_SECRET = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-0123"

SETTINGS: dict[str, Any] = {
    "httpauth": {
        "realm": REALM,
        "users": {"alice": ALICE_HASH, "bob": BOB_HASH},
        "digest_users": {
            "alice": {
                "SHA-256": make_digest_ha1("alice", REALM, "wonderland", "SHA-256"),
                "MD5": make_digest_ha1("alice", REALM, "wonderland", "MD5"),
            }
        },
        "digest": {"secret": "test-secret"},
        "apikey": {
            "keys": {"k1": {"hash": hash_api_secret(API_SECRET), "owner": "alice", "scopes": ["r"]}}
        },
    }
}


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def digest_challenge(header: str) -> dict[str, str]:
    """The first challenge of a ``Digest ..., Digest ...`` header field."""
    first = header.split(", Digest ")[0].removeprefix("Digest ")
    return parse_dict_header(first)


def digest_header(
    challenge: dict[str, str],
    method: str,
    uri: str,
    user: str = "alice",
    password: str = "wonderland",
    nc: int = 1,
    algorithm: str | None = None,
    cnonce: str = "0a4f113b",
) -> dict[str, str]:
    """An RFC 7616 ``Authorization: Digest`` header answering ``challenge``."""
    algorithm = algorithm or challenge["algorithm"]
    h = {"SHA-256": hashlib.sha256, "MD5": hashlib.md5}[algorithm]

    def hx(text: str) -> str:
        return h(text.encode()).hexdigest()

    ha1 = hx(f"{user}:{challenge['realm']}:{password}")
    ha2 = hx(f"{method}:{uri}")
    ncs = f"{nc:08x}"
    response = hx(f"{ha1}:{challenge['nonce']}:{ncs}:{cnonce}:auth:{ha2}")
    value = (
        f'Digest username="{user}", realm="{challenge["realm"]}", nonce="{challenge["nonce"]}", '
        f'uri="{uri}", algorithm={algorithm}, qop=auth, nc={ncs}, cnonce="{cnonce}", '
        f'response="{response}", opaque="{challenge["opaque"]}"'
    )
    return {"Authorization": value}


@pytest.fixture
def auth_helpers() -> SimpleNamespace:
    """Test modules cannot import conftest under --import-mode=importlib; this hands them
    the helpers instead."""
    return SimpleNamespace(
        SETTINGS=SETTINGS,
        REALM=REALM,
        API_SECRET=API_SECRET,
        basic=basic,
        digest_challenge=digest_challenge,
        digest_header=digest_header,
    )
