"""Throttling: rates, GCRA exactness, declarations, keys, headers, backend failure."""

from __future__ import annotations

import logging

import pytest

from camshaft import (
    AuthScheme,
    Handler,
    Identity,
    Rate,
    ThrottleBackend,
    hookimpl,
    throttle,
)
from camshaft._kernel.throttle.backend import BackendUnavailable
from camshaft._kernel.throttle.policy import ClientAddress, parse_scopes
from camshaft.builtins.memory_throttle import MemoryThrottle, per_worker_warning, worker_count
from camshaft.errors import ConfigurationError, Unauthorized
from camshaft.testing import make_app, make_client
from tests.concurrency import all_at_once


class Clock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def backend_plugin(hit, name="memory", fail="open", shared=False):
    class Plugin:
        camshaft_name = f"test-{name}"

        @hookimpl
        def camshaft_throttle_backends(self):
            return [ThrottleBackend(name, hit, shared=shared, fail=fail)]

    return Plugin()


def clocked_app(handlers, clock, settings=None, plugins=()):
    return make_app(
        handlers,
        plugins=[backend_plugin(MemoryThrottle(clock).hit), *plugins],
        settings=settings,
    )


def get(client, path="/things/", **kw):
    return client.get(path, **kw)


# ---------------------------------------------------------------------- rates


@pytest.mark.parametrize(
    ("text", "limit", "period"),
    [
        ("100/minute", 100, 60),
        ("5/10minutes", 5, 600),
        ("1/second", 1, 1),
        ("3 / 2 hours", 3, 7200),
        ((5, 600), 5, 600),
        ([5, 0.5], 5, 0.5),
    ],
    ids=lambda v: repr(v),
)
def test_rates_parse_from_text_and_pairs(text, limit, period):
    assert Rate.parse(text) == Rate(limit, period)


@pytest.mark.parametrize(
    "bad", ["100", "ten/minute", "0/minute", (0, 60), (5, 0), (5, -1), ("5", 60), (True, 60)]
)
def test_malformed_rates_are_configuration_errors(bad):
    with pytest.raises(ConfigurationError):
        Rate.parse(bad)


def test_the_decorator_rejects_a_bad_rate_at_import():
    with pytest.raises(ConfigurationError):
        throttle(0, 60)


# ---------------------------------------------------------------------- GCRA


def test_gcra_allows_exactly_the_limit_in_a_burst_then_refuses_with_retry_after():
    clock = Clock()
    limiter = MemoryThrottle(clock)
    rate = Rate(5, 60)
    decisions = [limiter.hit("k", rate) for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert [d.remaining for d in decisions[:5]] == [4, 3, 2, 1, 0]
    assert decisions[5].retry_after == pytest.approx(12.0)


def test_gcra_lets_a_client_through_again_after_retry_after():
    clock = Clock()
    limiter = MemoryThrottle(clock)
    rate = Rate(2, 10)
    limiter.hit("k", rate)
    limiter.hit("k", rate)
    refused = limiter.hit("k", rate)
    assert not refused.allowed
    clock.now += refused.retry_after - 0.001
    assert not limiter.hit("k", rate).allowed
    clock.now += 0.001
    assert limiter.hit("k", rate).allowed


def test_steady_traffic_under_the_limit_is_never_throttled():
    clock = Clock()
    limiter = MemoryThrottle(clock)
    rate = Rate(3, 1)  # an interval of 1/3 s, which no float adds up to exactly
    for _ in range(3000):
        assert limiter.hit("k", rate).allowed
        clock.now += 1 / 3
    # and at exactly the rate, from a full burst on: still never refused
    for _ in range(3):
        limiter.hit("j", rate)
    clock.now += 1 / 3
    for _ in range(300):
        assert limiter.hit("j", rate).allowed
        clock.now += 1 / 3


def test_gcra_is_exact_under_concurrency():
    limiter = MemoryThrottle(Clock())
    rate = Rate(20, 60)
    allowed = all_at_once(50, lambda: limiter.hit("shared", rate).allowed)
    assert allowed.count(True) == 20


def test_buckets_are_per_key():
    limiter = MemoryThrottle(Clock())
    rate = Rate(1, 60)
    assert limiter.hit("a", rate).allowed
    assert limiter.hit("b", rate).allowed
    assert not limiter.hit("a", rate).allowed


def test_a_full_key_table_drops_expired_then_old_buckets_instead_of_growing():
    clock = Clock()
    limiter = MemoryThrottle(clock, max_keys=10)
    rate = Rate(1, 60)
    for i in range(100):
        limiter.hit(f"k{i}", rate)
    assert len(limiter._tat) <= 10
    assert not limiter.hit("k99", rate).allowed  # the newest survive


# ---------------------------------------------------------------------- declarations


class Things(Handler):
    resource_name = "things"
    throttle = "3/minute"

    def read(self, key=None):
        return {"ok": True}

    def update(self, key, data):
        return {"ok": True}


def test_over_the_limit_is_429_with_integer_retry_after_headers_and_a_problem():
    clock = Clock()
    client = make_client(clocked_app([Things], clock))
    ok = [get(client) for _ in range(3)]
    assert [r.status_code for r in ok] == [200, 200, 200]
    scope = f"{Things.__module__}.{Things.__qualname__}"
    assert ok[0].headers["RateLimit-Policy"] == f'"{scope}";q=3;w=60'
    assert [r.headers["RateLimit"] for r in ok] == [
        f'"{scope}";r=2;t=20',
        f'"{scope}";r=1;t=40',
        f'"{scope}";r=0;t=60',
    ]
    refused = get(client)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "20"
    assert refused.headers["RateLimit"] == f'"{scope}";r=0;t=60'
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert refused.json["status"] == 429
    clock.now += 20
    assert get(client).status_code == 200


def test_retry_after_is_rounded_up_to_whole_seconds():
    clock = Clock()

    class Quick(Handler):
        resource_name = "things"
        throttle = (2, 3)  # an interval of 1.5 s

        def read(self, key=None):
            return {}

    client = make_client(clocked_app([Quick], clock))
    get(client)
    get(client)
    assert get(client).headers["Retry-After"] == "2"


def test_head_counts_as_get_and_options_is_free():
    clock = Clock()
    client = make_client(clocked_app([Things], clock))
    for _ in range(3):
        assert client.head("/things/").status_code == 200
    assert client.options("/things/").status_code == 204
    assert get(client).status_code == 429


def test_a_rate_per_verb_throttles_only_that_verb():
    class PerVerb(Handler):
        resource_name = "things"
        throttle = {"PUT": (1, 600)}

        def read(self, key=None):
            return {}

        def update(self, key, data):
            return {}

    client = make_client(clocked_app([PerVerb], Clock()))
    for _ in range(5):
        response = get(client, "/things/1")
        assert response.status_code == 200
        assert "RateLimit" not in response.headers
    assert client.put("/things/1", json={}).status_code == 200
    assert client.put("/things/1", json={}).status_code == 429


def test_the_piston_decorator_throttles_one_method():
    class Decorated(Handler):
        resource_name = "things"

        @throttle(2, 10 * 60)
        def create(self, data):
            return {"id": 1}

        def read(self, key=None):
            return {}

    client = make_client(clocked_app([Decorated], Clock()))
    assert [client.post("/things/", json={}).status_code for _ in range(3)] == [201, 201, 429]
    assert get(client, "/things/1").status_code == 200


def test_a_named_scope_is_one_bucket_shared_by_the_resources_naming_it():
    class Login(Handler):
        resource_name = "logins"
        throttle = "login"

        def create(self, data):
            return {}

    class Token(Handler):
        resource_name = "tokens"

        @throttle("login")
        def create(self, data):
            return {}

    settings = {"throttle": {"scopes": {"login": "2/minute"}}}
    client = make_client(clocked_app([Login, Token], Clock(), settings))
    assert client.post("/logins/", json={}).status_code == 201
    assert client.post("/tokens/", json={}).status_code == 201
    refused = client.post("/logins/", json={})
    assert refused.status_code == 429
    assert refused.headers["RateLimit-Policy"] == '"login";q=2;w=60'


@pytest.mark.parametrize(
    ("declared", "settings"),
    [
        ("nosuchscope", {}),
        ({"GETT": (1, 60)}, {}),
        ("login", {"throttle": {"scopes": {"login": "lots"}}}),
        ("login", {"throttle": {"scopes": {"login": {"rate": "1/minute", "fail": "maybe"}}}}),
    ],
    ids=["unknown-scope", "unknown-verb", "bad-scope-rate", "bad-fail-mode"],
)
def test_mistakes_fail_the_app_start(declared, settings):
    class Bad(Handler):
        throttle = declared

        def read(self, key=None):
            return {}

    with pytest.raises(ConfigurationError):
        make_app([Bad], settings=settings)


def test_parse_scopes_reads_tables_with_a_fail_mode():
    scopes = parse_scopes({"login": {"rate": [5, 60], "fail": "closed"}, "api": "10/second"})
    assert scopes["login"].rate == Rate(5, 60) and scopes["login"].fail == "closed"
    assert scopes["api"].fail is None


# ---------------------------------------------------------------------- keys


class TokenScheme:
    """Accepts ``X-User`` only with ``X-Token: good``; a wrong token is rejected."""

    camshaft_name = "token"

    @hookimpl
    def camshaft_auth_schemes(self):
        def authenticate(request):
            user = request.header("X-User")
            if user is None:
                return None
            if request.header("X-Token") != "good":
                raise Unauthorized("bad token")
            return Identity(user, "token")

        return [AuthScheme("token", authenticate, lambda r: "Token")]


class Private(Handler):
    resource_name = "things"
    authentication = ("token",)
    throttle = "2/minute"

    def read(self, key=None):
        return {}


def as_user(user, token="good"):
    return {"X-User": user, "X-Token": token}


def test_authenticated_identities_have_their_own_buckets():
    client = make_client(clocked_app([Private], Clock(), plugins=[TokenScheme()]))
    assert [get(client, headers=as_user("alice")).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert get(client, headers=as_user("bob")).status_code == 200


def test_a_claimed_but_unverified_user_is_never_the_key():
    client = make_client(clocked_app([Private], Clock(), plugins=[TokenScheme()]))
    # Wrong tokens claiming alice are counted against the address, not against alice...
    assert [get(client, headers=as_user("alice", "bad")).status_code for _ in range(3)] == [
        401,
        401,
        429,
    ]
    # ...so alice's own bucket is untouched.
    assert get(client, headers=as_user("alice")).status_code == 200
    assert get(client, headers=as_user("alice")).status_code == 200


def test_failed_logins_are_throttled_per_address():
    client = make_client(clocked_app([Private], Clock(), plugins=[TokenScheme()]))
    get(client, headers=as_user("a", "x"))
    get(client, headers=as_user("b", "y"))
    refused = get(client, headers=as_user("c", "z"))
    assert refused.status_code == 429
    other = get(client, headers=as_user("d", "x"), environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert other.status_code == 401


def test_without_trusted_proxies_a_forwarded_for_header_opens_no_new_bucket():
    client = make_client(clocked_app([Things], Clock()))
    codes = [
        get(client, headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_behind_one_trusted_proxy_the_client_is_the_last_forwarded_entry():
    settings = {"throttle": {"trusted_proxies": 1}}
    client = make_client(clocked_app([Things], Clock(), settings))
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    codes = [
        get(
            client, headers={"X-Forwarded-For": f"6.6.6.{i}, 203.0.113.7"}, environ_base=proxy
        ).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]  # the spoofed left part changes nothing
    other = get(client, headers={"X-Forwarded-For": "203.0.113.8"}, environ_base=proxy)
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("trusted", "header", "environ", "expected"),
    [
        (0, "X-Forwarded-For", {"HTTP_X_FORWARDED_FOR": "1.1.1.1"}, "10.0.0.1"),
        (1, "X-Forwarded-For", {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 2.2.2.2"}, "2.2.2.2"),
        (2, "X-Forwarded-For", {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 2.2.2.2"}, "1.1.1.1"),
        (3, "X-Forwarded-For", {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 2.2.2.2"}, "10.0.0.1"),
        (1, "X-Forwarded-For", {"HTTP_X_FORWARDED_FOR": "1.1.1.1, garbage"}, "10.0.0.1"),
        (1, "X-Forwarded-For", {}, "10.0.0.1"),
        (
            1,
            "Forwarded",
            {"HTTP_FORWARDED": 'for=1.1.1.1, for="[2001:db8::1]:4711";proto=https'},
            "2001:db8::/64",
        ),
        (1, "Forwarded", {"HTTP_FORWARDED": "for=192.0.2.60:8080;by=10.0.0.1"}, "192.0.2.60"),
        (1, "Forwarded", {"HTTP_X_FORWARDED_FOR": "1.1.1.1"}, "10.0.0.1"),
    ],
    ids=[
        "untrusted-header-ignored",
        "one-hop-takes-the-rightmost",
        "two-hops-take-the-second-from-right",
        "a-short-chain-falls-back-to-the-peer",
        "a-non-address-falls-back-to-the-peer",
        "no-header-is-the-peer",
        "forwarded-ipv6-with-port-grouped-by-64",
        "forwarded-ipv4-with-port",
        "only-the-configured-header-counts",
    ],
)
def test_client_address(trusted, header, environ, expected):
    find = ClientAddress(trusted, header, 64)
    assert find({"REMOTE_ADDR": "10.0.0.1", **environ}) == expected


def test_ipv6_clients_in_one_prefix_share_a_bucket():
    find = ClientAddress(0, "X-Forwarded-For", 64)
    assert find({"REMOTE_ADDR": "2001:db8:0:1::1"}) == find({"REMOTE_ADDR": "2001:db8:0:1::2"})
    assert find({"REMOTE_ADDR": "2001:db8:0:1::1"}) != find({"REMOTE_ADDR": "2001:db8:0:2::1"})


# ---------------------------------------------------------------------- backend failure


def unavailable(key, rate):
    raise BackendUnavailable("connection refused", retry_after=3)


def test_a_backend_failing_open_falls_back_to_the_in_process_limit(caplog):
    app = make_app(
        [Things],
        plugins=[backend_plugin(unavailable, name="flaky", shared=True)],
        settings={"throttle": {"backend": "flaky"}},
    )
    client = make_client(app)
    with caplog.at_level(logging.WARNING, logger="camshaft.throttle"):
        codes = [get(client).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "fails open" in caplog.text


def test_a_backend_failing_closed_is_503_with_retry_after(caplog):
    app = make_app(
        [Things],
        plugins=[backend_plugin(unavailable, name="flaky", fail="closed", shared=True)],
        settings={"throttle": {"backend": "flaky"}},
    )
    with caplog.at_level(logging.WARNING, logger="camshaft.throttle"):
        response = get(make_client(app))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "3"
    assert response.json["status"] == 503
    assert "fails closed" in caplog.text


def test_a_scope_can_fail_closed_while_the_backend_fails_open():
    class Login(Handler):
        resource_name = "logins"
        throttle = "login"

        def create(self, data):
            return {}

    settings = {
        "throttle": {
            "backend": "flaky",
            "scopes": {"login": {"rate": "5/minute", "fail": "closed"}},
        }
    }
    app = make_app(
        [Login, Things],
        plugins=[backend_plugin(unavailable, name="flaky", shared=True)],
        settings=settings,
    )
    client = make_client(app)
    assert client.post("/logins/", json={}).status_code == 503
    assert get(client).status_code == 200


def test_a_backend_bug_is_not_a_500(caplog):
    def broken(key, rate):
        raise KeyError("oops")

    app = make_app(
        [Things],
        plugins=[backend_plugin(broken, name="broken", shared=True)],
        settings={"throttle": {"backend": "broken"}},
    )
    with caplog.at_level(logging.ERROR, logger="camshaft.throttle"):
        assert get(make_client(app)).status_code == 200
    assert "broken" in caplog.text


# ---------------------------------------------------------------------- per-process warning


@pytest.mark.parametrize(
    ("environ", "argv", "expected"),
    [
        ({}, ["gunicorn", "-w", "4", "app:app"], 4),
        ({}, ["gunicorn", "--workers=3", "app:app"], 3),
        ({}, ["gunicorn", "-w8", "app:app"], 8),
        ({"GUNICORN_CMD_ARGS": "--bind 0:80 --workers 2"}, ["gunicorn"], 2),
        ({"WEB_CONCURRENCY": "5"}, ["uvicorn"], 5),
        ({}, ["python", "serve.py"], None),
    ],
)
def test_worker_count_reads_the_server_command_line_and_environment(environ, argv, expected):
    assert worker_count(environ, argv) == expected


def test_a_per_process_throttle_warns_once_at_startup_under_several_workers(monkeypatch, caplog):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with caplog.at_level(logging.WARNING, logger="camshaft.throttle"):
        make_app([Things])
    assert caplog.text.count("per process") == 1
    assert per_worker_warning({"WEB_CONCURRENCY": "1"}, ["x"]) is None


def test_no_warning_without_throttled_handlers(monkeypatch, caplog):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")

    class Free(Handler):
        def read(self, key=None):
            return {}

    with caplog.at_level(logging.WARNING, logger="camshaft.throttle"):
        make_app([Free])
    assert "per process" not in caplog.text
