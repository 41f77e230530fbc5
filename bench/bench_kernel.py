"""Kernel benchmark: GET /events/1 in-process on Camshaft, Falcon, Flask and bare Werkzeug.

Each framework's WSGI callable is called directly with a prepared environ (a fresh copy
per request, as a server would build one) and a no-op ``start_response``; the body
iterable is consumed and closed. Every round times one batch of requests per framework,
in an order that rotates from round to round, so machine noise lands on all of them
alike. Batches are sized to take about the same wall time for every framework (0.5 ms by
default), so a slow framework's batches are not more exposed to preemption than a fast
one's. The figure reported is the median over rounds of the per-request time in a batch,
with the interquartile range as the spread.

    python bench/bench_kernel.py                  # 300 rounds, batches of ~0.5 ms
    python bench/bench_kernel.py --rounds 1000 --batch 50   # fixed batch size instead
    python bench/bench_kernel.py --profile 20000  # cProfile the Camshaft path instead

Needs ``pip install -e . -r bench/requirements.txt``. Exit status is 0 whether or not the
targets are met: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # examples/ is not installed; import it from the tree

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
EXPECTED = {"id": 1, "message": "Hello!"}
PATH = "/events/1"
BASE_URL = "http://127.0.0.1:8000"
URL = BASE_URL + PATH

# Targets from issue 2 ("Speed").
MAX_CAMSHAFT_OVER_FALCON = 1.5
MIN_FLASK_OVER_CAMSHAFT = 3.0


# ---------------------------------------------------------------------- the four apps


def camshaft_app() -> WSGIApp:
    """The real Chief example: three versions, every version strategy on."""
    from examples.events.app import app

    return app


def falcon_app() -> WSGIApp:
    import falcon

    class EventResource:
        def on_get(self, req: falcon.Request, resp: falcon.Response, key: str) -> None:
            resp.media = {"id": int(key), "message": "Hello!"}

    app = falcon.App()
    app.add_route("/events/{key}", EventResource())
    return app


def flask_app() -> WSGIApp:
    import flask

    app = flask.Flask("bench_flask")

    @app.get("/events/<key>")
    def event(key: str) -> flask.Response:
        return flask.jsonify({"id": int(key), "message": "Hello!"})

    return app


def werkzeug_app() -> WSGIApp:
    from werkzeug.routing import Map, Rule
    from werkzeug.wrappers import Request, Response

    url_map = Map([Rule("/events/<key>", endpoint="event")])

    def event(request: Request, key: str) -> Response:
        body = json.dumps({"id": int(key), "message": "Hello!"})
        return Response(body, mimetype="application/json")

    views = {"event": event}

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        endpoint, args = url_map.bind_to_environ(environ).match()
        response = views[endpoint](request, **args)
        return response(environ, start_response)

    return app


def null_app() -> WSGIApp:
    """No framework at all: what the harness itself costs per request."""
    body = [json.dumps(EXPECTED).encode()]
    headers = [("Content-Type", "application/json")]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", headers)
        return body

    return app


FRAMEWORKS: dict[str, Callable[[], WSGIApp]] = {
    "camshaft": camshaft_app,
    "falcon": falcon_app,
    "flask": flask_app,
    "werkzeug": werkzeug_app,
}


# ---------------------------------------------------------------------- the harness


def base_environ() -> dict[str, Any]:
    """A GET /events/1 as a WSGI server would hand it over, with a typical API client's
    headers (Accept: application/json, so negotiation runs)."""
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        path=PATH,
        method="GET",
        base_url=BASE_URL + "/",
        headers={"Accept": "application/json", "User-Agent": "bench/1.0"},
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    # A server hands out a fresh stream per request; an empty GET body is never read,
    # so one shared empty stream is equivalent and keeps the copy cheap.
    environ["wsgi.input"] = io.BytesIO(b"")
    return environ


def _no_op_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return None


def call_once(app: WSGIApp, environ: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    """One request: (status line, headers by lower-case name, body), to check the apps agree."""
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, {k.lower(): v for k, v in headers}

    body = app(dict(environ), start_response)
    try:
        data = b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return seen["status"], seen["headers"], data


def check(apps: dict[str, WSGIApp], environ: dict[str, Any]) -> list[str]:
    """Every app answers 200 with the same JSON document, or the run stops.

    Camshaft's items may carry their own absolute URL (the ``url`` link member, on by
    default for automatic item routes); it must then be this request's URL, and it is
    reported, since Camshaft does that extra work in the figures.

    :return: notes to print with the results.
    """
    notes = []
    for name, app in apps.items():
        status, headers, data = call_once(app, environ)
        ctype = headers.get("content-type", "")
        if not status.startswith("200 ") or not ctype.startswith("application/json"):
            raise SystemExit(f"{name}: {status}, Content-Type {ctype!r}, body {data!r}")
        doc = json.loads(data)
        if name == "camshaft" and "url" in doc:
            if doc.pop("url") != URL:
                raise SystemExit(f"{name}: body {data!r}, its url should be {URL!r}")
            notes.append(f'camshaft adds a link member to the body: "url": "{URL}"')
        if doc != EXPECTED:
            raise SystemExit(f"{name}: body {data!r}, expected {EXPECTED!r}")
    return notes


def time_batch(app: WSGIApp, environ: dict[str, Any], n: int) -> int:
    """Nanoseconds for ``n`` requests, body consumed and closed each time."""
    start_response = _no_op_start_response
    copy = environ.copy
    clock = time.perf_counter_ns
    t0 = clock()
    for _ in range(n):
        body = app(copy(), start_response)
        for _chunk in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return clock() - t0


def run(
    apps: dict[str, WSGIApp],
    environ: dict[str, Any],
    rounds: int,
    batches: dict[str, int],
    keep_gc: bool,
) -> dict[str, list[float]]:
    """Per-request microseconds per round, for each app, interleaved and rotated."""
    names = list(apps)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        # Collect between rounds, not between batches: a full collection walks every
        # object and would leave the next batch with a cold cache.
        gc.collect()
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            if not keep_gc:
                gc.disable()
            try:
                ns = time_batch(apps[name], environ, batches[name])
            finally:
                gc.enable()
            samples[name].append(ns / batches[name] / 1000)
    return samples


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def batch_sizes(
    apps: dict[str, WSGIApp], environ: dict[str, Any], warmup: int, batch: int | None, us: float
) -> dict[str, int]:
    """Warm every app up; then the batch size giving each about ``us`` microseconds of
    work (or ``batch`` for all, when given)."""
    sizes = {}
    for name, app in apps.items():
        per_request_ns = time_batch(app, environ, warmup) / warmup
        sizes[name] = batch or max(5, round(us * 1000 / per_request_ns))
    return sizes


def report(
    samples: dict[str, list[float]], batches: dict[str, int], args: argparse.Namespace
) -> None:
    stats = {name: quartiles(v) for name, v in samples.items()}
    harness = stats.pop("(harness)")[1]
    med = {name: q[1] for name, q in stats.items()}
    falcon = med["falcon"]
    print(
        f"\nGET {PATH}, in-process WSGI; {args.rounds} rounds, one batch per framework each, "
        f"interleaved;\ngc {'enabled' if args.gc else 'disabled'} during timed "
        f"batches; Python {sys.version.split()[0]}; {_versions()}\n"
    )
    print(
        f"{'framework':<10} {'median µs':>10} {'best':>8} {'p25':>8} {'p75':>8} {'IQR %':>6} "
        f"{'net µs':>8} {'x Falcon':>9} {'batch':>6}"
    )
    for name, (q1, q2, q3) in stats.items():
        print(
            f"{name:<10} {q2:>10.2f} {min(samples[name]):>8.2f} {q1:>8.2f} {q3:>8.2f} "
            f"{(q3 - q1) / q2 * 100:>6.1f} {q2 - harness:>8.2f} {q2 / falcon:>9.2f} "
            f"{batches[name]:>6}"
        )
    print(f"{'(harness)':<10} {harness:>10.2f}   environ copy + call + body loop, no framework")

    cf = med["camshaft"] / falcon
    fc = med["flask"] / med["camshaft"]
    ok = {True: "met", False: "NOT met"}
    print(
        f"\nCamshaft / Falcon = {cf:.2f}  (target <= {MAX_CAMSHAFT_OVER_FALCON}: "
        f"{ok[cf <= MAX_CAMSHAFT_OVER_FALCON]})"
    )
    print(
        f"Flask / Camshaft  = {fc:.2f}  (target >= {MIN_FLASK_OVER_CAMSHAFT}: "
        f"{ok[fc >= MIN_FLASK_OVER_CAMSHAFT]})"
    )
    print(
        "\nMedians of per-round means; best is the fastest round; IQR % is (p75 - p25) / "
        "median.\nAn IQR above ~10 % means the machine was busy: rerun, or add --rounds."
    )


def _versions() -> str:
    from importlib.metadata import version

    dists = ("camshaft", "falcon", "flask", "werkzeug")
    return ", ".join(f"{d} {version(d)}" for d in dists)


def profile(app: WSGIApp, environ: dict[str, Any], n: int, top: int) -> None:
    """cProfile ``n`` Camshaft requests and print the functions by own time."""
    time_batch(app, environ, 1000)
    profiler = cProfile.Profile()
    profiler.enable()
    time_batch(app, environ, n)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    print(f"(times are for {n} requests; divide by {n} for per-request figures)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=300, help="timed rounds (default 300)")
    parser.add_argument(
        "--batch", type=int, help="requests per batch, the same for all (default: by time)"
    )
    parser.add_argument(
        "--batch-us", type=float, default=500, help="wall time a batch aims at (500 µs)"
    )
    parser.add_argument("--warmup", type=int, default=2000, help="untimed requests per app")
    parser.add_argument("--gc", action="store_true", help="leave gc enabled while timing")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="cProfile N Camshaft requests instead"
    )
    args = parser.parse_args(argv)
    if args.rounds < 4 or (args.batch is not None and args.batch < 1) or args.warmup < 1:
        parser.error("--rounds must be at least 4, --batch and --warmup at least 1")

    environ = base_environ()
    apps = {name: make() for name, make in FRAMEWORKS.items()}
    notes = check(apps, environ)
    if args.profile:
        profile(apps["camshaft"], environ, args.profile, top=25)
        return 0
    apps["(harness)"] = null_app()
    batches = batch_sizes(apps, environ, args.warmup, args.batch, args.batch_us)
    samples = run(apps, environ, args.rounds, batches, keep_gc=args.gc)
    report(samples, batches, args)
    for note in notes:
        print(f"Note: {note}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
