"""camshaft-httpauth's safe defaults (issue 10): identity kinds, failed sign-ins limited
per address, an unknown user costs what a wrong password costs, weak hashes upgraded."""

from __future__ import annotations

from typing import Any

import pytest

from camshaft import Handler
from camshaft.permissions import is_owner
from camshaft.testing import make_app, make_client
from camshaft_httpauth import StoreUsers, hash_api_secret, make_password_hash, passwords

SECRET = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-0123"


class Rows(Handler):
    resource_name = "rows"
    authentication = ("basic", "apikey")
    permissions = {"GET": [], "PUT": is_owner("owner")}

    def read(self, key: str) -> Any:
        return {"id": key, "who": self.identity.id, "kind": self.identity.kind}

    def update(self, key: str, data: Any) -> Any:
        self.authorize("update", {"id": key, "owner": "alice"})
        return {"id": key}


def _basic(user: str, password: str) -> dict[str, str]:
    import base64

    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _app(users: dict[str, str] | None = None, **httpauth: Any) -> Any:
    settings = {
        "httpauth": {
            "users": users if users is not None else {"alice": make_password_hash("wonderland")},
            "apikey": {
                "keys": {
                    "alice": hash_api_secret(SECRET),  # no owner: the key is only itself
                    "owned": {"hash": hash_api_secret(SECRET), "owner": "alice"},
                }
            },
            **httpauth,
        }
    }
    return make_app([Rows], plugins=["httpauth"], settings=settings)


# ------------------------------------------------------------------ identity kinds


def test_a_key_without_owner_named_alice_does_not_own_her_rows() -> None:
    client = make_client(_app())
    headers = {"X-API-Key": f"alice.{SECRET}"}
    assert client.get("/rows/1", headers=headers).json["kind"] == "key"
    assert client.put("/rows/1", json={}, headers=headers).status_code == 403


def test_a_key_with_an_owner_acts_as_that_user() -> None:
    client = make_client(_app())
    headers = {"X-API-Key": f"owned.{SECRET}"}
    body = client.get("/rows/1", headers=headers).json
    assert (body["who"], body["kind"]) == ("alice", "user")
    assert client.put("/rows/1", json={}, headers=headers).status_code == 200


def test_basic_names_a_user() -> None:
    client = make_client(_app())
    headers = _basic("alice", "wonderland")
    assert client.get("/rows/1", headers=headers).json["kind"] == "user"
    assert client.put("/rows/1", json={}, headers=headers).status_code == 200


# ------------------------------------------------------------------ brute force


@pytest.mark.parametrize("method", ["get", "put"])
def test_ten_wrong_passwords_then_429_also_for_the_right_one(method: str) -> None:
    client = make_client(_app())
    call = getattr(client, method)
    for _ in range(10):
        assert call("/rows/1", json={}, headers=_basic("alice", "guess")).status_code == 401
    response = call("/rows/1", json={}, headers=_basic("alice", "wonderland"))
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1


def test_wrong_api_keys_count_too() -> None:
    client = make_client(_app())
    for _ in range(10):
        wrong = {"X-API-Key": "alice." + "x" * 32}
        assert client.get("/rows/1", headers=wrong).status_code == 401
    assert client.get("/rows/1", headers={"X-API-Key": f"owned.{SECRET}"}).status_code == 429


# ------------------------------------------------------------------ timing


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stored hashes passwords are checked against, in order."""
    seen: list[str] = []
    real = passwords.verify_password

    def spy(password: str, stored: str) -> bool:
        seen.append(stored)
        return real(password, stored)

    monkeypatch.setattr(passwords, "verify_password", spy)
    return seen


def _cost(stored: str) -> tuple[str, ...]:
    parts = stored.split("$")
    return tuple(parts[:4] if parts[0] == "scrypt" else parts[:2])


@pytest.mark.parametrize(
    "options",
    [
        {"algorithm": "scrypt", "scrypt_log2_n": 12},
        {"algorithm": "pbkdf2_sha256", "pbkdf2_iterations": 20_000},
    ],
    ids=["scrypt", "pbkdf2_sha256"],
)
def test_an_unknown_user_is_checked_against_a_hash_of_the_default_cost(
    options: dict[str, Any], checked: list[str]
) -> None:
    params = {
        "scrypt_log2_n": options.get("scrypt_log2_n", 14),
        "pbkdf2_iterations": options.get("pbkdf2_iterations", 600_000),
    }
    stored = make_password_hash("wonderland", algorithm=options["algorithm"], **params)
    app = _app({"alice": stored}, passwords=options)
    scheme = app.auth_schemes["basic"].authenticate.__self__
    assert scheme.hasher._dummy is None  # lazy: nothing hashed at app start
    client = make_client(app)
    assert client.get("/rows/1", headers=_basic("alice", "guess")).status_code == 401
    assert client.get("/rows/1", headers=_basic("nobody", "guess")).status_code == 401
    wrong_password, unknown_user = checked
    assert wrong_password == stored and unknown_user != stored
    assert _cost(unknown_user) == _cost(stored)


def test_a_weaker_hash_is_replaced_on_a_successful_sign_in_only() -> None:
    weak = make_password_hash("wonderland", algorithm="pbkdf2_sha256", pbkdf2_iterations=1000)
    cheap = make_password_hash("builder", scrypt_log2_n=10)
    app = _app({"alice": weak, "bob": cheap}, passwords={"scrypt_log2_n": 12})
    source = app.auth_schemes["basic"].authenticate.__self__.source
    client = make_client(app)
    assert client.get("/rows/1", headers=_basic("alice", "guess")).status_code == 401
    assert source.password_hash("alice") == weak
    assert client.get("/rows/1", headers=_basic("alice", "wonderland")).status_code == 200
    assert client.get("/rows/1", headers=_basic("bob", "builder")).status_code == 200
    assert source.password_hash("alice").startswith("scrypt$12$")
    assert source.password_hash("bob").startswith("scrypt$12$")
    assert client.get("/rows/1", headers=_basic("alice", "wonderland")).status_code == 200


def test_store_users_are_rehashed_in_their_store() -> None:
    from camshaft.builtins.memory_store import MemoryStore
    from camshaft.plugin import StoreConfig

    weak = make_password_hash("wonderland", algorithm="pbkdf2_sha256", pbkdf2_iterations=1000)
    rows = [{"id": "alice", "password_hash": weak}]
    store = MemoryStore(StoreConfig(resource="users", key_field="id", source=rows))
    app = _app(source=StoreUsers(store), passwords={"scrypt_log2_n": 12})
    assert make_client(app).get("/rows/1", headers=_basic("alice", "wonderland")).status_code == 200
    assert store.get("alice").data["password_hash"].startswith("scrypt$12$")
