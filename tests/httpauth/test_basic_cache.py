"""Basic's lazy dummy hash and its optional cache of verified credentials."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from camshaft import Handler
from camshaft.errors import ConfigurationError, Unauthorized
from camshaft.testing import make_app, make_client
from camshaft_httpauth import BasicScheme, make_password_hash
from camshaft_httpauth.passwords import PasswordHasher

HASH = make_password_hash("wonderland", algorithm="pbkdf2_sha256")
OTHER = make_password_hash("looking-glass", algorithm="pbkdf2_sha256")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Request:
    """What BasicScheme reads of a request: its Authorization header."""

    def __init__(self, user: str, password: str) -> None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.value = f"Basic {token}"

    def header(self, name: str) -> str | None:
        return self.value if name == "Authorization" else None


class Users:
    def __init__(self, **hashes: str) -> None:
        self.hashes = dict(hashes)

    def password_hash(self, username: str) -> str | None:
        return self.hashes.get(username)


@pytest.fixture
def verifies(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Every stored hash the password hasher is asked to check, in order (None: an
    unknown user, checked against the dummy)."""
    calls: list[str | None] = []
    real = PasswordHasher.verify

    def spy(self: PasswordHasher, password: str, stored: str | None) -> bool:
        calls.append(stored)
        return real(self, password, stored)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    return calls


def _scheme(users: Users, clock: Clock, ttl: float = 60.0, size: int = 8) -> BasicScheme:
    return BasicScheme("r", users, cache_ttl=ttl, cache_size=size, clock=clock)


def _ok(scheme: BasicScheme, user: str, password: str) -> bool:
    try:
        return scheme.authenticate(Request(user, password)) is not None  # type: ignore[arg-type]
    except Unauthorized:
        return False


def test_dummy_hash_is_made_on_first_unknown_user_not_at_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[str] = []
    real = PasswordHasher.hash
    monkeypatch.setattr(PasswordHasher, "hash", lambda self, p: made.append(p) or real(self, p))
    scheme = BasicScheme("r", Users(alice=HASH), rehash=False)
    assert made == []
    assert _ok(scheme, "alice", "wonderland")
    assert made == []  # a known user needs no dummy
    assert not _ok(scheme, "nobody", "x")
    assert not _ok(scheme, "nobody", "y")
    assert len(made) == 1  # made once, then kept


def test_unknown_user_is_checked_against_the_dummy(verifies: list[str]) -> None:
    scheme = BasicScheme("r", Users())
    assert not _ok(scheme, "nobody", "x")
    assert verifies == [None]  # the hasher checks None against its lazily made dummy


def test_without_ttl_every_request_verifies(verifies: list[str]) -> None:
    scheme = BasicScheme("r", Users(alice=HASH))
    for _ in range(3):
        assert _ok(scheme, "alice", "wonderland")
    assert len(verifies) == 3


def test_cache_skips_verification_within_ttl(verifies: list[str]) -> None:
    clock = Clock()
    scheme = _scheme(Users(alice=HASH), clock)
    assert _ok(scheme, "alice", "wonderland")
    clock.now += 59
    assert _ok(scheme, "alice", "wonderland")
    assert len(verifies) == 1


def test_cache_entry_expires_after_ttl(verifies: list[str]) -> None:
    clock = Clock()
    scheme = _scheme(Users(alice=HASH), clock)
    assert _ok(scheme, "alice", "wonderland")
    clock.now += 60
    assert _ok(scheme, "alice", "wonderland")
    assert len(verifies) == 2


def test_wrong_password_is_never_cached(verifies: list[str]) -> None:
    scheme = _scheme(Users(alice=HASH), Clock())
    assert not _ok(scheme, "alice", "nope")
    assert not _ok(scheme, "alice", "nope")
    assert len(verifies) == 2


def test_removed_user_is_refused_at_once() -> None:
    users = Users(alice=HASH)
    scheme = _scheme(users, Clock())
    assert _ok(scheme, "alice", "wonderland")
    del users.hashes["alice"]
    assert not _ok(scheme, "alice", "wonderland")


def test_changed_password_is_refused_at_once(verifies: list[str]) -> None:
    users = Users(alice=HASH)
    scheme = _scheme(users, Clock())
    assert _ok(scheme, "alice", "wonderland")
    users.hashes["alice"] = OTHER
    assert not _ok(scheme, "alice", "wonderland")
    assert _ok(scheme, "alice", "looking-glass")
    assert verifies == [HASH, OTHER, OTHER]


def test_cache_is_bounded_oldest_first(verifies: list[str]) -> None:
    users = Users(**{f"u{i}": HASH for i in range(3)})
    scheme = _scheme(users, Clock(), size=2)
    for i in range(3):
        assert _ok(scheme, f"u{i}", "wonderland")
    assert len(scheme._cache) == 2
    assert _ok(scheme, "u2", "wonderland")  # still remembered
    assert len(verifies) == 3
    assert _ok(scheme, "u0", "wonderland")  # evicted: verified again
    assert len(verifies) == 4


def test_clear_cache_forgets(verifies: list[str]) -> None:
    scheme = _scheme(Users(alice=HASH), Clock())
    assert _ok(scheme, "alice", "wonderland")
    scheme.clear_cache()
    assert _ok(scheme, "alice", "wonderland")
    assert len(verifies) == 2


def test_cache_keys_are_keyed_hashes_not_credentials() -> None:
    scheme = _scheme(Users(alice=HASH), Clock())
    assert _ok(scheme, "alice", "wonderland")
    (key,) = scheme._cache
    assert b"wonderland" not in key and b"alice" not in key and len(key) == 32
    other = _scheme(Users(alice=HASH), Clock())
    assert _ok(other, "alice", "wonderland")
    assert set(other._cache) != {key}  # a per-process (per-scheme) random key


class Doc(Handler):
    resource_name = "docs"
    authentication = ("basic",)

    def read(self, key: str) -> Any:
        return {"who": self.identity.id}


def _app_settings(ttl: Any, size: Any = 16) -> dict[str, Any]:
    return {
        "httpauth": {"users": {"alice": HASH}, "basic_cache_ttl": ttl, "basic_cache_size": size}
    }


def test_settings_switch_the_cache_on(verifies: list[str]) -> None:
    client = make_client(make_app([Doc], plugins=["httpauth"], settings=_app_settings(30)))
    token = base64.b64encode(b"alice:wonderland").decode()
    for _ in range(3):
        response = client.get("/docs/1", headers={"Authorization": f"Basic {token}"})
        assert response.status_code == 200
        assert response.json["who"] == "alice"
    assert len(verifies) == 1


@pytest.mark.parametrize(("ttl", "size"), [(-1, 16), (10, -1)])
def test_negative_cache_settings_fail_the_build(ttl: Any, size: Any) -> None:
    with pytest.raises(ConfigurationError):
        make_app([Doc], plugins=["httpauth"], settings=_app_settings(ttl, size))
