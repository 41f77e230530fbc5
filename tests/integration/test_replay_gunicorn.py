"""Replay protection across gunicorn workers (issue 5): with ``nonces.backend = "redis"``,
one Digest response or one signed OAuth 1.0a request, sent 40 times at once to 4 worker
processes, is accepted exactly once; every other copy is 401.

The control serves the same app with the per-process ``memory`` nonce store: there each
worker accepts the replay once, so exactly as many copies get through as workers
answered (more than one). It shows the shared test could fail, and that it is the shared
store, not luck in how requests were spread, that holds replays to one.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from requests_oauthlib import OAuth1

from camshaft_oauth import provider_for
from tests.digest import digest_challenge, digest_header
from tests.integration.replay_app import PASSWORD, USER, build_app
from tests.servers import gunicorn

pytestmark = pytest.mark.gunicorn

WORKERS = 4
COPIES = 40
TIMEOUT = 30


class Served:
    """A running server and the OAuth 1.0a credentials registered for it."""

    def __init__(self, base: str, consumer: tuple[str, str], token: tuple[str, str]) -> None:
        self.base = base
        self.consumer = consumer
        self.token = token


def _register(environ: Mapping[str, str]) -> tuple[tuple[str, str], tuple[str, str]]:
    """A consumer and an access token of alice's, in the database every worker reads."""
    repository = provider_for(build_app({**environ, "REPLAY_NONCES": "memory"})).repository
    consumer = ("printer", secrets.token_urlsafe(16))
    repository.add_consumer(consumer[0], secret=consumer[1], scope="")
    token = repository.add_oauth1_token(
        kind="access", consumer_key=consumer[0], user_id=USER, scope="whoami"
    )
    return consumer, (token.token, token.secret)


def _serve(backend: str, tmp: Path, extra: Mapping[str, str]) -> Iterator[Served]:
    environ = {
        "REPLAY_NONCES": backend,
        "REPLAY_OAUTH_URL": f"sqlite:///{tmp / 'oauth.sqlite3'}",
        # One secret for all workers, so a Digest nonce one issued is valid on another.
        "REPLAY_DIGEST_SECRET": secrets.token_hex(32),
        # Each request holds its worker 50 ms, so a burst spreads over all four (the
        # assertions check the spread they got, and need only two workers).
        "REPLAY_HOLD": "0.05",
        **extra,
    }
    consumer, token = _register(environ)
    with gunicorn(
        "tests.integration.replay_app:create_app()",
        log=tmp / "gunicorn.log",
        ready_path="/health/",
        workers=WORKERS,
        env=environ,
    ) as base:
        yield Served(base, consumer, token)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """4 workers sharing one Redis nonce store (a key prefix of this run alone)."""
    redis_url = os.environ.get("CAMSHAFT_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("CAMSHAFT_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0)")
    import redis

    prefix = f"camshaft-test:{uuid.uuid4().hex}:"
    try:
        yield from _serve(
            "redis",
            tmp_path_factory.mktemp("replay-redis"),
            {"REPLAY_REDIS_URL": redis_url, "REPLAY_REDIS_PREFIX": prefix},
        )
    finally:
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(scope="module")
def per_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The control: 4 workers, each with its own in-memory nonce store."""
    yield from _serve("memory", tmp_path_factory.mktemp("replay-memory"), {})


# ------------------------------------------------------------------ the clients


def digest_authorization(base: str, path: str) -> str:
    """A valid ``Authorization: Digest`` value (SHA-256, qop=auth, nc=1) for ``GET path``,
    answering a challenge the server issued."""
    challenged = requests.get(base + path, timeout=TIMEOUT)
    assert challenged.status_code == 401
    fields = challenged.raw.headers.getlist("WWW-Authenticate")
    challenge = digest_challenge(next(f for f in fields if f.startswith("Digest ")))
    assert challenge["algorithm"] == "SHA-256"
    header = digest_header(challenge, "GET", path, USER, PASSWORD, cnonce=secrets.token_hex(8))
    return header["Authorization"]


def oauth1_authorization(served: Served, path: str) -> str:
    """A request signed by requests-oauthlib (HMAC-SHA1, a fresh nonce and timestamp):
    its ``Authorization: OAuth ...`` value."""
    auth = OAuth1(
        served.consumer[0],
        client_secret=served.consumer[1],
        resource_owner_key=served.token[0],
        resource_owner_secret=served.token[1],
    )
    prepared = requests.Request("GET", served.base + path, auth=auth).prepare()
    value = prepared.headers["Authorization"]
    return value.decode() if isinstance(value, bytes) else value


def replay(base: str, path: str, authorization: str) -> list[tuple[int, str, Any]]:
    """Send the same request ``COPIES`` times at once, each on its own connection:
    (status, answering worker's pid, body) for each."""

    def one(_: int) -> tuple[int, str, Any]:
        response = requests.get(
            base + path, headers={"Authorization": authorization}, timeout=TIMEOUT
        )
        return response.status_code, response.headers["X-Worker-Pid"], response.json()

    with ThreadPoolExecutor(max_workers=COPIES) as pool:
        return list(pool.map(one, range(COPIES)))


def accepted_once(results: list[tuple[int, str, Any]], scheme: str) -> None:
    codes = [code for code, _, _ in results]
    assert codes.count(200) == 1, codes
    assert codes.count(401) == COPIES - 1, codes
    assert len({pid for _, pid, _ in results}) > 1  # the copies reached several workers
    (body,) = [body for code, _, body in results if code == 200]
    assert (body["who"], body["scheme"]) == (USER, scheme)
    refusals = [body for code, _, body in results if code == 401]
    assert all(body["status"] == 401 for body in refusals)  # problem details, not a crash


def accepted_once_per_worker(results: list[tuple[int, str, Any]]) -> None:
    """Without a shared store each worker remembers only what it saw itself."""
    workers = {pid for _, pid, _ in results}
    accepted_by = [pid for code, pid, _ in results if code == 200]
    assert len(workers) > 1
    assert sorted(accepted_by) == sorted(workers)  # once by each worker, no more
    assert all(code in (200, 401) for code, _, _ in results)


# ------------------------------------------------------------------ the tests


@pytest.mark.redis
def test_a_digest_response_replayed_to_four_workers_is_accepted_once(shared: Served) -> None:
    path = "/whoami/"
    results = replay(shared.base, path, digest_authorization(shared.base, path))
    accepted_once(results, "digest")


@pytest.mark.redis
def test_a_signed_oauth1_request_replayed_to_four_workers_is_accepted_once(
    shared: Served,
) -> None:
    path = "/whoami/"
    results = replay(shared.base, path, oauth1_authorization(shared, path))
    accepted_once(results, "oauth1")


def test_control_per_worker_memory_store_lets_a_digest_replay_through_on_each_worker(
    per_worker: Served,
) -> None:
    path = "/whoami/"
    accepted_once_per_worker(
        replay(per_worker.base, path, digest_authorization(per_worker.base, path))
    )


def test_control_per_worker_memory_store_lets_an_oauth1_replay_through_on_each_worker(
    per_worker: Served,
) -> None:
    path = "/whoami/"
    accepted_once_per_worker(replay(per_worker.base, path, oauth1_authorization(per_worker, path)))
