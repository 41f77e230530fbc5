"""Throttle figures: the CPU of one Redis throttle decision beside a bare EVALSHA, what
one decision adds to a request, and how many requests a Redis-throttled resource lets
through per window under 4 gunicorn workers.

    python bench/bench_throttle.py [--decisions 20000] [--rounds 5000] [--windows 10]
                                   [--limit 50] [--window 1] [--redis-url URL] [--port PORT]
                                   [--only decision|latency|windows]

Decision CPU: ``time.process_time`` over ``--decisions`` calls, in interleaved batches,
of (a) camshaft-redis's backend ``hit(key, rate)`` (what the throttle policy calls) and
(b) redis-py's ``evalsha`` of the same script with the same keys and arguments on a
client with the same options; the difference is what Camshaft adds per decision.

Needs a Redis and the ``camshaft-redis`` plugin and gunicorn installed. Where things go,
from the options or else the environment:

- the Redis server and database: ``--redis-url``, else ``$CAMSHAFT_BENCH_REDIS_URL``,
  else redis://127.0.0.1:6379/15 (not database 0, which applications and other runs
  use); keys use a fresh prefix and are deleted at the end;
- gunicorn's port: ``--port``, else ``$CAMSHAFT_BENCH_PORT``, else 8765; a port already
  in use stops the run before anything is started.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import redis
import requests

from camshaft import Handler
from camshaft.testing import make_app

HERE = Path(__file__).parent


def call(app, path: str) -> int:
    """One GET through the WSGI callable; the time it took, in nanoseconds."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": None,
    }
    status = []
    start = time.perf_counter_ns()
    body = b"".join(app(environ, lambda s, h, exc=None: status.append(s)))
    elapsed = time.perf_counter_ns() - start
    assert status[0].startswith("200"), (status, body)
    return elapsed


def latency(url: str, prefix: str, rounds: int) -> None:
    class Plain(Handler):
        resource_name = "plain"

        def read(self, key=None):
            return {"ok": True}

    class Throttled(Handler):
        resource_name = "throttled"
        throttle = (10**9, 1)  # never refuses: we time the decision, not a 429

        def read(self, key=None):
            return {"ok": True}

    app = make_app(
        [Plain, Throttled],
        plugins=["redis"],
        settings={"throttle": {"backend": "redis"}, "redis": {"url": url, "key_prefix": prefix}},
    )
    for _ in range(200):  # warm up: connection, script cache
        call(app, "/plain/")
        call(app, "/throttled/")
    plain, throttled = [], []
    for _ in range(rounds):  # interleaved, so drift affects both alike
        plain.append(call(app, "/plain/"))
        throttled.append(call(app, "/throttled/"))
    mp, mt = statistics.median(plain) / 1000, statistics.median(throttled) / 1000
    # CPU: process_time over batches of 100 requests (or bare EVALSHAs), interleaved
    from camshaft_redis.throttle import GCRA

    bare = redis.Redis.from_url(url, socket_timeout=0.1, socket_connect_timeout=0.1)
    sha = bare.script_load(GCRA)

    def evalsha(_: str) -> None:
        bare.evalsha(sha, 1, prefix + "bare", 10**9, 1_000_000)

    cpu: dict[str, list[float]] = {"/plain/": [], "/throttled/": [], "bare": []}
    for _ in range(max(1, rounds // 100)):
        for path, times in cpu.items():
            func = evalsha if path == "bare" else (lambda p: call(app, p))
            start = time.process_time()
            for _ in range(100):
                func(path)
            times.append((time.process_time() - start) / 100 * 1e6)
    cp, ct = statistics.median(cpu["/plain/"]), statistics.median(cpu["/throttled/"])
    cb = statistics.median(cpu["bare"])
    print(f"## Latency, {rounds} interleaved rounds, WSGI callable called in-process\n")
    print("| request | median wall (µs) | median CPU (µs) |\n| --- | ---: | ---: |")
    print(f"| GET, no throttle | {mp:.1f} | {cp:.1f} |")
    print(f"| GET, Redis throttle | {mt:.1f} | {ct:.1f} |")
    print(f"| one Redis throttle decision adds | {mt - mp:.1f} | {ct - cp:.1f} |")
    print(f"| a bare redis-py EVALSHA of the script | | {cb:.1f} |")
    print(f"| the decision over a bare EVALSHA | | {ct - cp - cb:.1f} |\n")


def decision_cpu(url: str, prefix: str, n: int, batches: int = 20) -> None:
    from camshaft.plugin import Rate
    from camshaft_redis.connection import RedisConnection
    from camshaft_redis.throttle import GCRA, RedisThrottle

    options = {"url": url, "socket_timeout": 0.1, "connect_timeout": 0.1, "cooldown": 1.0}
    backend = RedisThrottle(RedisConnection(options), prefix)
    bare = RedisConnection(options).client  # same client options, its own connection
    sha = bare.script_load(GCRA)
    rate = Rate(10**9, 1.0)  # never refuses: the same script path every time
    key, bare_key = "scope|127.0.0.1", prefix + "bare"
    period = int(rate.period * 1_000_000)

    def run_backend(count: int) -> None:
        hit = backend.hit
        for _ in range(count):
            hit(key, rate)

    def run_bare(count: int) -> None:
        evalsha = bare.evalsha
        for _ in range(count):
            evalsha(sha, 1, bare_key, rate.limit, period)

    run_backend(500)  # warm up: connections, script cache
    run_bare(500)
    size = max(1, n // batches)
    times: dict[str, list[float]] = {"backend": [], "bare": []}
    for i in range(batches):
        pair = [("backend", run_backend), ("bare", run_bare)]
        for name, func in pair if i % 2 == 0 else pair[::-1]:
            start = time.process_time()
            func(size)
            times[name].append((time.process_time() - start) / size * 1e6)
    backend_us = statistics.median(times["backend"])
    bare_us = statistics.median(times["bare"])
    print(f"## CPU per throttle decision, {size * batches} decisions each, {batches} batches\n")
    print("| call | median CPU µs per decision |\n| --- | ---: |")
    print(f"| redis-py `evalsha` of the GCRA script | {bare_us:.1f} |")
    print(f"| camshaft-redis backend `hit(key, rate)` | {backend_us:.1f} |")
    print(f"| difference | {backend_us - bare_us:.1f} |\n")


DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
DEFAULT_PORT = 8765


def check_port_free(port: int) -> None:
    """Stop the run if something already listens on ``port``: gunicorn would fail to bind,
    or worse, the requests would reach that other server."""
    with socket.socket() as s:
        # As gunicorn does: a port left in TIME_WAIT by the last run is free to take.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            raise SystemExit(
                f"port {port} is in use ({exc.strerror}); pass --port or set CAMSHAFT_BENCH_PORT"
            ) from None


def windows(
    url: str, prefix: str, port: int, count: int, limit: int, window: float, threads: int
) -> None:
    check_port_free(port)
    env = {
        **os.environ,
        "BENCH_REDIS_URL": url,
        "BENCH_PREFIX": prefix,
        "BENCH_LIMIT": str(limit),
        "BENCH_WINDOW": str(window),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(HERE),
            "--log-level",
            "warning",
            "bench_throttle_app:app",
        ],
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(base + "/nothing-here/", timeout=1)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        time.sleep(1.0)  # let every worker boot
        results: list[tuple[float, int]] = []
        start = time.monotonic()
        end = start + count * window

        def hammer() -> None:
            session = requests.Session()
            local = []
            while time.monotonic() < end:
                status = session.get(base + "/limited/", timeout=5).status_code
                # binned by when the answer came: the decision was made before that
                local.append((time.monotonic() - start, status))
            results.extend(local)

        pool = [threading.Thread(target=hammer) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    finally:
        proc.terminate()
        proc.wait(10)
    print(
        f"## Allowed per window: limit {limit} per {window:g} s, gunicorn -w 4, "
        f"{threads} client threads, one client address\n"
    )
    print("| window | requests | allowed (200) | refused (429) |\n| ---: | ---: | ---: | ---: |")
    for i in range(count):
        inside = [s for t, s in results if i * window <= t < (i + 1) * window]
        print(f"| {i + 1} | {len(inside)} | {inside.count(200)} | {inside.count(429)} |")
    allowed = sum(1 for _, s in results if s == 200)
    elapsed = max(t for t, _ in results)
    print(
        f"\nTotal allowed {allowed} in {elapsed:.2f} s (first request to last answer); "
        f"GCRA allows at most limit + elapsed x rate = "
        f"{limit + int(elapsed * limit / window)}.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=20000)
    parser.add_argument("--only", choices=("decision", "latency", "windows"))
    parser.add_argument("--rounds", type=int, default=5000)
    parser.add_argument("--windows", type=int, default=10)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--window", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("CAMSHAFT_BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        help=f"Redis server and database ($CAMSHAFT_BENCH_REDIS_URL, else {DEFAULT_REDIS_URL})",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("CAMSHAFT_BENCH_PORT", DEFAULT_PORT)),
        help=f"gunicorn's port on 127.0.0.1 ($CAMSHAFT_BENCH_PORT, else {DEFAULT_PORT})",
    )
    args = parser.parse_args()
    url = args.redis_url
    prefix = f"camshaft-bench:{uuid.uuid4().hex}:"
    try:
        if args.only in (None, "decision"):
            decision_cpu(url, prefix, args.decisions)
        if args.only in (None, "latency"):
            latency(url, prefix, args.rounds)
        if args.only in (None, "windows"):
            windows(url, prefix, args.port, args.windows, args.limit, args.window, args.threads)
    finally:
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)


if __name__ == "__main__":
    main()
