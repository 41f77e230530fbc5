"""The redis nonce store: SET NX PX, one acceptance across processes, fails closed."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from camshaft.errors import ServiceUnavailable
from camshaft_redis import RedisNonceStore
from camshaft_redis.connection import RedisConnection

pytestmark = pytest.mark.redis

OPTIONS = {"socket_timeout": 0.1, "connect_timeout": 0.1, "cooldown": 1.0}

ADD_IN_ANOTHER_PROCESS = """
import sys
from camshaft_redis import RedisNonceStore
from camshaft_redis.connection import RedisConnection
options = {"socket_timeout": 1.0, "connect_timeout": 1.0, "cooldown": 1.0, "url": sys.argv[1]}
print(RedisNonceStore(RedisConnection(options), sys.argv[2]).add("n-1", 60))
"""


def store(url, prefix):
    return RedisNonceStore(RedisConnection({**OPTIONS, "url": url}), prefix)


def test_a_nonce_is_new_once_then_a_replay(redis_url, prefix):
    nonces = store(redis_url, prefix)
    assert nonces.add("abc", 60) is True
    assert nonces.add("abc", 60) is False
    assert nonces.add("abd", 60) is True


def test_a_nonce_expires_after_its_ttl(redis_url, prefix):
    nonces = store(redis_url, prefix)
    assert nonces.add("short", 0.05)
    time.sleep(0.1)
    assert nonces.add("short", 60) is True


def test_a_replay_is_refused_across_processes(redis_url, prefix):
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ADD_IN_ANOTHER_PROCESS, redis_url, prefix],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert sorted(outputs) == ["False", "False", "False", "True"]
    assert store(redis_url, prefix).add("n-1", 60) is False


def test_the_app_nonce_store_is_redis_when_configured(redis_url, prefix):
    from camshaft.testing import make_app

    app = make_app(
        [],
        plugins=["redis"],
        settings={
            "nonces": {"backend": "redis"},
            "redis": {"url": redis_url, "key_prefix": prefix},
        },
    )
    assert app.nonce_store.shared is True
    assert app.nonce_store.add("x", 60) is True
    assert app.nonce_store.add("x", 60) is False


def test_replay_protection_fails_closed_when_redis_is_down():
    nonces = store("redis://127.0.0.1:1/0", "p:")
    with pytest.raises(ServiceUnavailable) as error:
        nonces.add("n", 60)
    assert error.value.status == 503
    assert ("Retry-After", "1") in error.value.headers
