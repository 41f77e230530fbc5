"""Under gunicorn with 4 worker processes sharing one Redis: 200 concurrent requests on
one bucket with a limit of 50 give exactly 50 successes, and a nonce is accepted once."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import requests

from tests.servers import gunicorn

pytestmark = [pytest.mark.redis, pytest.mark.gunicorn]

HERE = Path(__file__).parent
WORKERS = 4


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn serving redis_gunicorn_app with 4 workers; stopped, and its keys deleted,
    afterwards."""
    redis_url = os.environ.get("CAMSHAFT_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("CAMSHAFT_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0)")
    prefix = f"camshaft-test:{uuid.uuid4().hex}:"
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {"CAMSHAFT_TEST_REDIS_URL": redis_url, "CAMSHAFT_TEST_REDIS_PREFIX": prefix}
    try:
        with gunicorn(
            "redis_gunicorn_app:app",
            log=log,
            ready_path="/health/",
            workers=WORKERS,
            env=env,
            cwd=HERE,
            extra_args=["--backlog", "512"],
        ) as base:
            yield base
    finally:
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()


def test_200_concurrent_requests_against_a_limit_of_50_give_exactly_50(server):
    def one(_):
        response = requests.get(server + "/limited/", timeout=30)
        return response.status_code, response.json().get("pid")

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(200)))
    codes = [code for code, _ in results]
    assert codes.count(200) == 50
    assert codes.count(429) == 150
    served_by = {pid for code, pid in results if code == 200}
    assert len(served_by) > 1  # the limit held across worker processes


def test_a_nonce_is_accepted_once_across_workers(server):
    def one(_):
        return requests.post(server + "/nonces/", json={"nonce": "once"}, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(one, range(40)))
    assert codes.count(201) == 1
    assert codes.count(409) == 39
