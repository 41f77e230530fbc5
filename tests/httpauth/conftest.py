"""Shared users, keys and a Digest client for the camshaft-httpauth tests."""

from __future__ import annotations

import base64
from types import SimpleNamespace
from typing import Any

import pytest

from camshaft_httpauth import hash_api_secret, make_digest_ha1, make_password_hash
from tests.digest import digest_challenge, digest_header

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
