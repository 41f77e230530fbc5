"""The redis throttle backend against a real Redis, and its behaviour when Redis is
down (a closed port) or slow (a server that never answers)."""

from __future__ import annotations

import logging
import socket
import threading

import pytest
import redis

from camshaft import Handler, Rate
from camshaft._kernel.throttle.backend import BackendUnavailable
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client
from camshaft_redis import RedisThrottle
from camshaft_redis.connection import RedisConnection, redacted
from tests.concurrency import all_at_once

pytestmark = pytest.mark.redis

OPTIONS = {"socket_timeout": 0.1, "connect_timeout": 0.1, "cooldown": 1.0}


class Things(Handler):
    resource_name = "things"
    throttle = "3/hour"

    def read(self, key=None):
        return {}


def limiter(url, prefix, **options):
    return RedisThrottle(RedisConnection({**OPTIONS, "url": url, **options}), prefix)


def test_exactly_the_limit_passes_then_429_with_headers(redis_settings):
    client = make_client(make_app([Things], plugins=["redis"], settings=redis_settings))
    responses = [client.get("/things/") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0].headers["RateLimit"].endswith(";r=2;t=1200")
    assert responses[3].headers["Retry-After"] == "1200"
    assert responses[3].json["status"] == 429


def test_decisions_use_integer_microseconds_and_keys_expire(redis_url, prefix):
    throttle = limiter(redis_url, prefix)
    rate = Rate(5, 60)
    decisions = [throttle.hit("k", rate) for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert [d.remaining for d in decisions[:5]] == [4, 3, 2, 1, 0]
    assert 11.9 < decisions[5].retry_after <= 12.0
    ttl = redis.Redis.from_url(redis_url).pttl(prefix + "throttle:k")
    assert 0 < ttl <= 60_001


def test_a_client_gets_through_again_after_retry_after(redis_url, prefix):
    throttle = limiter(redis_url, prefix)
    rate = Rate(2, 0.2)  # a short period: the server's clock cannot be moved
    throttle.hit("k", rate)
    throttle.hit("k", rate)
    refused = throttle.hit("k", rate)
    assert not refused.allowed
    event = threading.Event()
    event.wait(refused.retry_after + 0.01)
    assert throttle.hit("k", rate).allowed


def test_exact_under_concurrency_from_many_threads(redis_url, prefix):
    throttle = limiter(redis_url, prefix)
    rate = Rate(20, 3600)
    results = all_at_once(40, lambda: throttle.hit("shared", rate).allowed)
    assert results.count(True) == 20


def test_url_may_come_from_the_environment(redis_url, prefix):
    settings = {
        "throttle": {"backend": "redis"},
        "redis": {"url": {"$env": "MY_REDIS"}, "key_prefix": prefix},
    }
    app = make_app([Things], plugins=["redis"], settings=settings, environ={"MY_REDIS": redis_url})
    assert make_client(app).get("/things/").status_code == 200


def test_a_bad_url_fails_the_app_start():
    with pytest.raises(ConfigurationError):
        make_app([Things], plugins=["redis"], settings={"redis": {"url": "http://nope"}})


def test_passwords_never_reach_log_lines():
    assert redacted("redis://user:secret@db.example:6380/2") == "redis://db.example:6380/2"


def test_no_per_worker_warning_with_a_shared_backend(redis_settings, monkeypatch, caplog):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with caplog.at_level(logging.WARNING, logger="camshaft.throttle"):
        make_app([Things], plugins=["redis"], settings=redis_settings)
    assert "per process" not in caplog.text


# ---------------------------------------------------------------------- Redis down or slow


@pytest.fixture
def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"  # nothing listens there any more


@pytest.fixture
def silent_server_url():
    """A server that accepts connections and never answers a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def down_app(url, fail="open", scopes=None):
    settings = {
        "throttle": {"backend": "redis", "scopes": scopes or {}},
        "redis": {"url": url, "fail": fail},
    }
    return make_app([Things], plugins=["redis"], settings=settings)


def get_in_thread(client, path="/things/"):
    """The response, from a thread: a hang fails the test instead of freezing it."""
    box = []
    thread = threading.Thread(target=lambda: box.append(client.get(path)), daemon=True)
    thread.start()
    thread.join(10)
    assert box, "the request hung"
    return box[0]


@pytest.mark.parametrize("server", ["closed_port_url", "silent_server_url"], ids=["down", "slow"])
def test_redis_down_or_slow_fails_open_to_the_in_process_limit(server, request, caplog):
    client = make_client(down_app(request.getfixturevalue(server)))
    with caplog.at_level(logging.WARNING, logger="camshaft.throttle"):
        codes = [get_in_thread(client).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "unavailable" in caplog.text and "fails open" in caplog.text


@pytest.mark.parametrize("server", ["closed_port_url", "silent_server_url"], ids=["down", "slow"])
def test_redis_down_or_slow_fails_closed_with_503(server, request):
    response = get_in_thread(make_client(down_app(request.getfixturevalue(server), "closed")))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json["status"] == 503


def test_the_fail_mode_is_per_scope(closed_port_url):
    class Strict(Handler):
        resource_name = "strict"
        throttle = "strict"

        def read(self, key=None):
            return {}

    app = make_app(
        [Things, Strict],
        plugins=["redis"],
        settings={
            "throttle": {
                "backend": "redis",
                "scopes": {"strict": {"rate": "1/minute", "fail": "closed"}},
            },
            "redis": {"url": closed_port_url},
        },
    )
    client = make_client(app)
    assert client.get("/things/").status_code == 200
    assert client.get("/strict/").status_code == 503


def test_after_a_failure_redis_is_not_asked_again_during_the_cooldown(silent_server_url):
    now = [0.0]
    connection = RedisConnection({**OPTIONS, "url": silent_server_url}, clock=lambda: now[0])
    throttle = RedisThrottle(connection, "p:")
    with pytest.raises(BackendUnavailable) as first:
        throttle.hit("k", Rate(1, 60))
    assert first.value.first is True
    with pytest.raises(BackendUnavailable) as second:
        throttle.hit("k", Rate(1, 60))
    assert second.value.first is False  # refused at once, no second timeout
    now[0] += 1.0
    with pytest.raises(BackendUnavailable) as third:
        throttle.hit("k", Rate(1, 60))
    assert third.value.first is True  # the cool-down is over: asked again


class ForgetfulClient:
    """A client whose server has lost its script cache once (restarted or flushed)."""

    def __init__(self) -> None:
        self.loaded: list[str] = []
        self.calls: list[tuple[object, ...]] = []

    def evalsha(self, sha, numkeys, *args):
        self.calls.append((sha, numkeys, *args))
        if not self.loaded:
            raise redis.exceptions.NoScriptError("NOSCRIPT No matching script.")
        return [1, 4, 12_000_000, 0]

    def script_load(self, script):
        self.loaded.append(script)
        return "sha"


def test_a_script_the_server_forgot_is_loaded_again():
    from camshaft_redis.throttle import GCRA, GCRA_SHA

    throttle = limiter("redis://127.0.0.1:1/0", "p:")
    client = ForgetfulClient()
    throttle.connection.client = client  # no server needed: the client is the fake
    decision = throttle.hit("k", Rate(5, 60))
    assert (decision.allowed, decision.remaining, decision.reset_after) == (True, 4, 12.0)
    assert client.loaded == [GCRA]
    assert client.calls == [(GCRA_SHA, 1, "p:throttle:k", 5, 60_000_000)] * 2
