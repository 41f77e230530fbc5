from __future__ import annotations

import os
import uuid

import pytest


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("CAMSHAFT_TEST_REDIS_URL")
    if not url:
        pytest.skip("CAMSHAFT_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0)")
    return url


@pytest.fixture
def prefix(redis_url):
    """A key prefix of this test alone; its keys are deleted afterwards."""
    import redis

    value = f"camshaft-test:{uuid.uuid4().hex}:"
    yield value
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=value + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def redis_settings(redis_url, prefix):
    return {"throttle": {"backend": "redis"}, "redis": {"url": redis_url, "key_prefix": prefix}}
