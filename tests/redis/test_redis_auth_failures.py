"""Failed authentications counted in Redis: every worker (here, two apps) shares the
count, and ``peek`` checks without counting."""

from __future__ import annotations

from typing import Any

import pytest

from camshaft import Handler, Identity, Rate, hookimpl
from camshaft._kernel.auth.identity import AuthScheme
from camshaft.errors import Unauthorized
from camshaft.testing import make_app, make_client
from camshaft_redis import RedisThrottle
from camshaft_redis.connection import RedisConnection

pytestmark = pytest.mark.redis

OPTIONS = {"socket_timeout": 0.5, "connect_timeout": 0.5, "cooldown": 1.0}


def _db7(url: str) -> str:
    """The same server, database 7: kept apart from other tests' keys."""
    return url.rsplit("/", 1)[0] + "/7"


class TokenPlugin:
    camshaft_name = "token-scheme"

    @hookimpl
    def camshaft_auth_schemes(self) -> list[AuthScheme]:
        def authenticate(request: Any) -> Identity | None:
            value = request.header("X-Token")
            if value is None:
                return None
            if value != "good":
                raise Unauthorized("Invalid token.")
            return Identity(id="alice", scheme="token")

        return [AuthScheme("token", authenticate, lambda r: 'Token realm="t"', vary=("X-Token",))]


class Things(Handler):
    resource_name = "things"
    authentication = ("token",)

    def read(self, key: str) -> Any:
        return {"id": key}


def test_workers_share_the_failure_count(redis_url: str, prefix: str) -> None:
    settings = {
        "throttle": {"backend": "redis"},
        "redis": {"url": _db7(redis_url), "key_prefix": prefix},
        "auth": {"failures": "4/minute"},
    }
    one, two = (
        make_client(make_app([Things], plugins=["redis", TokenPlugin()], settings=settings))
        for _ in range(2)
    )
    bad = {"X-Token": "bad"}
    codes = [c.get("/things/1", headers=bad).status_code for c in (one, two, one, two)]
    assert codes == [401] * 4
    assert one.get("/things/1", headers={"X-Token": "good"}).status_code == 429
    assert two.get("/things/1", headers={"X-Token": "good"}).status_code == 429


def test_peek_counts_nothing(redis_url: str, prefix: str) -> None:
    throttle = RedisThrottle(RedisConnection({"url": _db7(redis_url), **OPTIONS}), prefix)
    rate = Rate(2, 60)
    assert all(throttle.peek("k", rate).allowed for _ in range(5))
    assert throttle.hit("k", rate).allowed and throttle.peek("k", rate).allowed
    assert throttle.hit("k", rate).allowed
    blocked = throttle.peek("k", rate)
    assert not blocked.allowed and blocked.retry_after > 0
    assert not throttle.hit("k", rate).allowed
