"""Instructions per request, counted by valgrind's callgrind: Camshaft beside Falcon, Flask
and a bare WSGI function on four scenarios (see ``bench/apps/__init__.py``):

S1 ``GET /items/1``; S4 Basic auth on a custom route; S2 a 20-row SQLite page with its
count; S3 a validated JSON insert into SQLite.

    python bench/bench_instructions.py [--requests 500] [--warmup 200]
    python bench/bench_instructions.py --keep out/   # keep the callgrind files, to profile
    python bench/bench_instructions.py --profile camshaft/S1   # cProfile one cell instead

Why instructions: a count of executed instructions does not move with the clock speed,
the other jobs on the machine or the disk, so small differences show and two runs agree.
It leaves out what instructions do not show: time waiting on the disk (a POST's fsync),
the kernel's work in system calls, cache misses. Read it beside the wall-clock scripts.

How the requests are isolated: every contender runs in its own process under
``valgrind --tool=callgrind --instr-atstart=no``, so nothing is counted while Python
starts, imports, builds the app and warms up. Around the measured requests the script
calls, through ctypes, two functions of a tiny C library compiled here against
``<valgrind/callgrind.h>``: one issues the client requests ZERO_STATS and
START_INSTRUMENTATION, the other STOP_INSTRUMENTATION and DUMP_STATS_AT(label). Client
requests run synchronously in the process being measured, so the counted window holds
the N requests and nothing else but the returns from and calls into those two C
functions (a few thousand instructions in all, under 10 per request at N = 500). The
count in each dump, divided by N, is the figure. (``callgrind_control -i on`` from
another process was not used: it is racy, the switch lands at no defined request.)

The measured loop, the same for everyone: copy a prepared environ, give it a fresh
``wsgi.input``, call the app, consume and close the body. The ``(harness)`` row is that
loop around an app that does nothing. The cyclic garbage collector stays on, as in a
server, so a framework's cyclic garbage is paid for in the figures; before measuring,
``gc.collect()`` and ``gc.freeze()`` move everything the imports made out of the
collector's way, so whether a full collection happens to fall in the window does not
decide the result. ``PYTHONHASHSEED=0`` makes runs repeat.

Before anything is counted, every contender is built on its own SQLite file (1000 rows,
WAL, synchronous=FULL: SQLite's defaults, the same for all) and must give the same
answers: status, JSON body, and the headers that carry meaning (``Location``,
``X-Total-Count``, ``Link``, ``Cache-Control``, ``Authorization`` in ``Vary``).
Camshaft's items carry their own ``url`` and its pages a ``Link`` header by default, so
the others build them too.

Needs valgrind (``apt-get install valgrind``, which brings ``callgrind.h``) and a C
compiler. Exit status 0 whatever the ratios: a measurement, not a test.
"""

from __future__ import annotations

import argparse
import base64
import ctypes
import gc
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # bench.apps is not installed; import it from the tree

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

CONTENDERS = {
    "camshaft": "bench.apps.camshaft_app",
    "falcon": "bench.apps.falcon_app",
    "flask": "bench.apps.flask_app",
    "wsgi": "bench.apps.wsgi_app",
}
HARNESS = "(harness)"
BASELINE = "falcon"

POST_BODY = json.dumps({"name": "alice", "age": 30}).encode()
AUTH = "Basic " + base64.b64encode(b"alice:wonderland").decode()

#: name -> (label, method, path, query, body, extra headers, expected status)
SCENARIOS: dict[str, tuple[str, str, str, str, bytes, dict[str, str], str]] = {
    "S1": ("GET a small JSON item", "GET", "/items/1", "", b"", {}, "200"),
    "S4": (
        "GET, Basic auth, custom route",
        "GET",
        "/reports/daily",
        "",
        b"",
        {"HTTP_AUTHORIZATION": AUTH},
        "200",
    ),
    "S2": ("GET a 20-row SQLite page + count", "GET", "/addresses/", "page=2", b"", {}, "200"),
    "S3": ("POST a validated JSON insert", "POST", "/addresses/", "", POST_BODY, {}, "201"),
}
#: The ratio to Falcon each scenario aims at (issue 16).
GOALS = {"S1": 0.75, "S4": 1.0, "S2": 0.5, "S3": 0.75}
COMPARED_HEADERS = ("location", "x-total-count", "link", "cache-control")

HELPER_C = r"""
#include <valgrind/callgrind.h>
int bench_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
void bench_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void bench_stop(const char *label) {
    CALLGRIND_STOP_INSTRUMENTATION;
    CALLGRIND_DUMP_STATS_AT(label);
}
"""


# ---------------------------------------------------------------------- requests


def environ(scenario: str) -> dict[str, Any]:
    """The scenario's request as a WSGI server would hand it over."""
    _, method, path, query, body, extra, _ = SCENARIOS[scenario]
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "HTTP_ACCEPT": "application/json",
        "HTTP_USER_AGENT": "bench/1.0",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **extra,
    }
    if body:
        env["CONTENT_TYPE"] = "application/json"
        env["CONTENT_LENGTH"] = str(len(body))
    return env


def call(app: WSGIApp, template: dict[str, Any], body: bytes) -> tuple[str, dict[str, str], bytes]:
    """One request: (status line, headers by lower-case name, body)."""
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, {k.lower(): v for k, v in headers}

    env = template.copy()
    env["wsgi.input"] = io.BytesIO(body)
    chunks = app(env, start_response)
    try:
        data = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return seen["status"], seen["headers"], data


def _no_op_start_response(status: str, headers: Any, exc_info: Any = None) -> None:
    return None


def run_requests(app: WSGIApp, template: dict[str, Any], body: bytes, n: int) -> None:
    """The measured loop: what a server does per request, minus the socket."""
    start_response = _no_op_start_response
    copy, stream = template.copy, io.BytesIO
    for _ in range(n):
        env = copy()
        env["wsgi.input"] = stream(body)
        chunks = app(env, start_response)
        for _chunk in chunks:
            pass
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def null_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b"{}"]


def build(name: str, db: Path) -> WSGIApp:
    if name == HARNESS:
        return null_app
    from bench.apps import seed

    url = f"sqlite:///{db}"
    seed(url)
    return importlib.import_module(CONTENDERS[name]).make_app(url)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------- checking


def check(workdir: Path, names: list[str], scenarios: list[str]) -> None:
    """Every contender gives the same answer to every scenario, or the run stops."""
    apps = {name: build(name, workdir / f"check-{name}.db") for name in names}
    for scenario in scenarios:
        template, body, expected = environ(scenario), SCENARIOS[scenario][4], SCENARIOS[scenario][6]
        answers = {}
        for name, app in apps.items():
            status, headers, data = call(app, template, body)
            ctype = headers.get("content-type", "")
            if not status.startswith(expected) or not ctype.startswith("application/json"):
                raise SystemExit(f"{name} {scenario}: {status}, {ctype!r}, {data[:300]!r}")
            kept: dict[str, object] = {h: headers[h] for h in COMPARED_HEADERS if h in headers}
            # Camshaft's Vary also names Accept (it negotiates; the others do not).
            kept["vary: authorization"] = "authorization" in headers.get("vary", "").lower()
            answers[name] = (json.loads(data), kept)
        reference = answers[names[0]]
        for name, answer in answers.items():
            if answer != reference:
                raise SystemExit(
                    f"{scenario}: {name} answers {answer!r},\n  {names[0]} answers {reference!r}"
                )


# ---------------------------------------------------------------------- one contender


def child(args: argparse.Namespace) -> int:
    """Under callgrind: build one contender, then per scenario warm up and count."""
    helper = ctypes.CDLL(args.helper)
    helper.bench_stop.argtypes = [ctypes.c_char_p]
    if not helper.bench_on_valgrind():
        raise SystemExit("--child runs only under valgrind --tool=callgrind")
    app = build(args.child, Path(args.db))
    for scenario in args.scenarios:
        template, body, expected = environ(scenario), SCENARIOS[scenario][4], SCENARIOS[scenario][6]
        run_requests(app, template, body, args.warmup)
        status = call(app, template, body)[0]
        if not status.startswith(expected) and args.child != HARNESS:
            raise SystemExit(f"{args.child} {scenario}: {status}")
        gc.collect()
        gc.freeze()
        label = f"{args.child}/{scenario}".encode()
        helper.bench_start()
        run_requests(app, template, body, args.requests)
        helper.bench_stop(label)
        gc.unfreeze()
    return 0


def profile(cell: str, requests: int, warmup: int, top: int = 30) -> int:
    """cProfile ``requests`` requests of one ``contender/scenario``, without valgrind;
    print the functions by time of their own, then by time including callees."""
    import cProfile
    import pstats

    name, _, scenario = cell.partition("/")
    if name not in CONTENDERS or scenario not in SCENARIOS:
        raise SystemExit(f"--profile takes contender/scenario, e.g. camshaft/S1, not {cell!r}")
    workdir = Path(tempfile.mkdtemp(prefix="camshaft-instr-"))
    try:
        app = build(name, workdir / f"{name}.db")
        template, body = environ(scenario), SCENARIOS[scenario][4]
        run_requests(app, template, body, warmup)
        gc.collect()
        gc.freeze()
        profiler = cProfile.Profile()
        profiler.enable()
        run_requests(app, template, body, requests)
        profiler.disable()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"(for {requests} requests; cProfile adds a cost to every call: read proportions)")
    return 0


# ---------------------------------------------------------------------- the parent


def compile_helper(workdir: Path) -> Path:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise SystemExit("needs a C compiler (cc or gcc) for the callgrind helper")
    source, library = workdir / "callgrind_helper.c", workdir / "callgrind_helper.so"
    source.write_text(HELPER_C)
    result = subprocess.run(
        [compiler, "-O1", "-shared", "-fPIC", "-o", str(library), str(source)],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(
            f"cannot compile the callgrind helper (is valgrind's callgrind.h "
            f"installed? apt-get install valgrind):\n{result.stderr}"
        )
    return library


DESC = re.compile(r"^desc: Trigger: Client Request: (\S+)$", re.M)
TOTALS = re.compile(r"^totals: (\d+)$", re.M)


def read_dumps(prefix: Path) -> dict[str, int]:
    """``contender/scenario`` -> instructions counted, from callgrind's dump files."""
    counts = {}
    for path in prefix.parent.glob(prefix.name + "*"):
        text = path.read_text(errors="replace")
        label, total = DESC.search(text), TOTALS.search(text)
        if label and total:
            counts[label.group(1)] = int(total.group(1))
    return counts


def measure(
    name: str,
    workdir: Path,
    outdir: Path,
    helper: Path,
    scenarios: list[str],
    requests: int,
    warmup: int,
) -> dict[str, int]:
    """Run one contender under callgrind; ``scenario label -> instructions``."""
    prefix = outdir / f"callgrind.{name.strip('()')}"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={prefix}.out",
        sys.executable,
        __file__,
        "--child",
        name,
        "--db",
        str(workdir / f"{name.strip('()')}.db"),
        "--helper",
        str(helper),
        "--requests",
        str(requests),
        "--warmup",
        str(warmup),
        "--scenarios",
        ",".join(scenarios),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"{name} under callgrind failed:\n{result.stderr[-3000:]}")
    return read_dumps(prefix)


def table(
    results: dict[str, dict[str, int]], names: list[str], scenarios: list[str], n: int
) -> str:
    shown = [name for name in names if name != HARNESS]
    lines = [
        "| scenario | " + " | ".join(shown) + " | goal for camshaft |",
        "| --- | " + " | ".join("---:" for _ in shown) + " | ---: |",
    ]
    for scenario in scenarios:
        base = results[BASELINE][scenario] / n
        cells = []
        for name in shown:
            per = results[name][scenario] / n
            cells.append(f"{per:,.0f} ({per / base:.2f}x)")
        goal = f"≤ {GOALS[scenario]:.2f}x"
        lines.append(
            f"| {scenario} {SCENARIOS[scenario][0]} | " + " | ".join(cells) + f" | {goal} |"
        )
    if HARNESS in results:
        per = {s: results[HARNESS][s] / n for s in scenarios}
        lines.append(
            "\nInstructions per request, and in brackets the ratio to Falcon's. The harness "
            "alone (environ copy, body stream, a no-op app) counts "
            + ", ".join(f"{s} {v:,.0f}" for s, v in per.items())
            + " of them."
        )
    return "\n".join(lines)


def parent(args: argparse.Namespace) -> int:
    if shutil.which("valgrind") is None:
        raise SystemExit("needs valgrind: apt-get install valgrind")
    names = [*args.contenders, HARNESS]
    if BASELINE not in names:
        raise SystemExit(f"--contenders must include {BASELINE}, the baseline")
    workdir = Path(tempfile.mkdtemp(prefix="camshaft-instr-"))  # databases, the helper
    outdir = Path(args.keep) if args.keep else workdir  # callgrind files
    outdir.mkdir(parents=True, exist_ok=True)
    for stale in outdir.glob("callgrind.*"):
        stale.unlink()
    try:
        check(workdir, args.contenders, args.scenarios)
        helper = compile_helper(workdir)
        results = {}
        for name in names:
            started = time.monotonic()
            dumps = measure(
                name, workdir, outdir, helper, args.scenarios, args.requests, args.warmup
            )
            results[name] = counts = {label.split("/", 1)[1]: n for label, n in dumps.items()}
            missing = set(args.scenarios) - set(counts)
            if missing:
                raise SystemExit(f"{name}: no callgrind dump for {sorted(missing)}")
            print(f"{name}: {time.monotonic() - started:.0f} s", file=sys.stderr)
        print(
            f"## Instructions per request (callgrind, {args.requests} requests per cell "
            f"after {args.warmup} uncounted)\n"
        )
        print(table(results, names, args.scenarios, args.requests))
        print("\n" + _versions())
        if args.keep:
            print(f"\nCallgrind files in {outdir} (callgrind_annotate FILE).")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _versions() -> str:
    from importlib.metadata import version

    dists = ("camshaft", "falcon", "flask", "werkzeug", "sqlalchemy")
    python = ".".join(map(str, sys.version_info[:3]))
    return f"Python {python}, " + ", ".join(f"{d} {version(d)}" for d in dists) + "."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=500, help="counted per cell (500)")
    parser.add_argument("--warmup", type=int, default=200, help="uncounted, before (200)")
    parser.add_argument(
        "--scenarios",
        type=lambda s: s.split(","),
        default=list(SCENARIOS),
        help="comma-separated, from S1,S4,S2,S3 (all)",
    )
    parser.add_argument(
        "--contenders",
        type=lambda s: s.split(","),
        default=list(CONTENDERS),
        help="comma-separated, from camshaft,falcon,flask,wsgi (all)",
    )
    parser.add_argument("--keep", metavar="DIR", help="write the callgrind files to DIR, keep them")
    parser.add_argument(
        "--profile", metavar="CELL", help="cProfile one contender/scenario (camshaft/S1) instead"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--helper", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.requests < 1 or args.warmup < 1:
        parser.error("--requests and --warmup must be at least 1")
    unknown = (set(args.scenarios) - set(SCENARIOS)) | (set(args.contenders) - set(CONTENDERS))
    if unknown and not args.child:
        parser.error(f"unknown scenario or contender: {', '.join(sorted(unknown))}")
    if args.profile:
        return profile(args.profile, args.requests, args.warmup)
    return child(args) if args.child else parent(args)


if __name__ == "__main__":
    sys.exit(main())
