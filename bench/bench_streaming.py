"""Streaming benchmark: export N rows of three fields from SQLite, in constant memory.

Camshaft streams a handler's generator (a stdlib ``sqlite3`` cursor) through the JSON,
NDJSON and CSV emitters; beside it, Falcon streams the same cursor from a hand-written
generator (``resp.stream``; each row encoded by one module-level ``json.JSONEncoder``
with the same options as Camshaft's, so the bytes are identical), and Django REST
Framework's ``ListAPIView`` (a ``ModelSerializer`` over a Django model on the same
SQLite file, JSON renderer, no pagination) does the same export, building the whole
list first.

Every case runs in a fresh subprocess, which builds its app, opens the database, and
records its peak RSS so far (the kernel's VmHWM, from ``/proc/self/status``:
this is the *idle* figure); it then calls the WSGI app in-process with a GET, consumes
the whole response iterable (counting bytes, keeping none), closes it, and reads the peak
RSS again. "Growth" is the difference: how much more memory the export ever needed than
the idle process. Throughput is rows divided by the wall time of the request, body
included.

    python bench/bench_streaming.py                   # 1,000,000 rows; DRF at 100,000
    python bench/bench_streaming.py --rows 200000 --drf-rows 200000
    python bench/bench_streaming.py --drf-rows 1000000   # if the machine has the memory

Needs ``pip install -e . -e plugins/emitters/csv -r bench/requirements.txt`` (NDJSON is
builtin; a format whose plugin is missing is skipped with a message). Exit status is 0
whether or not the target is met: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

# Target from issue 16: peak RSS grows by less than this while streaming (issue 3 said 30).
MAX_GROWTH_MIB = 5.0
ROW_SQL = "SELECT id, name, amount FROM rows ORDER BY id"


def make_db(path: Path, rows: int) -> None:
    """A table ``rows(id, name, amount)`` with ``rows`` rows."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount REAL)")
    con.executemany(
        "INSERT INTO rows VALUES (?, ?, ?)",
        ((i, f"customer {i}", i * 0.25) for i in range(1, rows + 1)),
    )
    con.commit()
    con.close()


def peak_mib() -> float:
    """Peak resident set size of this process so far, in MiB: Linux's VmHWM, this
    process's own. (Not ``ru_maxrss``: a child started by fork or vfork and exec
    inherits its parent's peak there, which hid the growth of a small export.)"""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------- the two apps


def camshaft_app(db: Path, rows: int, fmt: str) -> tuple[Callable[..., Any], str]:
    from camshaft import Handler
    from camshaft.testing import make_app

    def dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
        return {"id": row[0], "name": row[1], "amount": row[2]}

    class RowHandler(Handler):
        resource_name = "rows"
        fields = ("id", "name", "amount")
        links = False  # DRF's ModelSerializer adds no link either: same bytes per row

        def read(self) -> Iterator[dict[str, Any]]:
            con = sqlite3.connect(db)
            con.row_factory = dict_row
            try:
                yield from con.execute(f"{ROW_SQL} LIMIT ?", (rows,))
            finally:
                con.close()

    plugins = ["csv"] if fmt == "csv" else []
    return make_app([RowHandler], plugins=plugins), f"/rows/?format={fmt}"


def falcon_app(db: Path, rows: int, fmt: str) -> tuple[Callable[..., Any], str]:
    import falcon

    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode

    def dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
        return {"id": row[0], "name": row[1], "amount": row[2]}

    def json_body(cursor: Iterable[dict[str, Any]], con: sqlite3.Connection) -> Iterator[bytes]:
        try:
            yield b"["
            first = True
            for row in cursor:
                yield (b"" if first else b",") + encode(row).encode()
                first = False
            yield b"]"
        finally:
            con.close()

    def ndjson_body(cursor: Iterable[dict[str, Any]], con: sqlite3.Connection) -> Iterator[bytes]:
        try:
            for row in cursor:
                yield encode(row).encode() + b"\n"
        finally:
            con.close()

    class Rows:
        def on_get(self, req: Any, resp: Any) -> None:
            con = sqlite3.connect(db)
            con.row_factory = dict_row
            cursor = con.execute(f"{ROW_SQL} LIMIT ?", (rows,))
            if fmt == "json":
                resp.content_type = "application/json"
                resp.stream = json_body(cursor, con)
            else:
                resp.content_type = "application/x-ndjson"
                resp.stream = ndjson_body(cursor, con)

    app = falcon.App()
    app.add_route("/rows/", Rows())
    return app, "/rows/"


def drf_app(db: Path, rows: int) -> tuple[Callable[..., Any], str]:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(db)}},
        MIDDLEWARE=[],
        REST_FRAMEWORK={
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
        },
    )
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import models
    from django.urls import path
    from rest_framework import generics, serializers

    class Row(models.Model):
        name = models.TextField()
        amount = models.FloatField()

        class Meta:
            app_label = "bench"
            db_table = "rows"
            managed = False

    class RowSerializer(serializers.ModelSerializer):
        class Meta:
            model = Row
            fields = ("id", "name", "amount")

    class RowList(generics.ListAPIView):
        queryset = Row.objects.order_by("id")[:rows]
        serializer_class = RowSerializer
        pagination_class = None

    globals()["urlpatterns"] = [path("rows/", RowList.as_view())]
    return WSGIHandler(), "/rows/"


# ---------------------------------------------------------------------- one case


def run_case(case: str, db: Path, rows: int) -> dict[str, Any]:
    """Build the app, measure idle peak RSS, export once, measure again."""
    from werkzeug.test import EnvironBuilder

    if case == "drf-json":
        app, url = drf_app(db, rows)
    elif case.startswith("falcon-"):
        app, url = falcon_app(db, rows, case.removeprefix("falcon-"))
    else:
        app, url = camshaft_app(db, rows, case)
    path, _, query = url.partition("?")
    environ = EnvironBuilder(path=path, query_string=query).get_environ()
    environ["SERVER_NAME"], environ["SERVER_PORT"] = "localhost", "80"
    idle = peak_mib()
    status: list[str] = []
    start, cpu = time.perf_counter(), time.process_time()
    body: Iterable[bytes] = app(environ, lambda s, h, exc_info=None: status.append(s))
    size, last = 0, b""
    try:
        for chunk in body:
            size += len(chunk)
            if chunk:
                last = chunk
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = peak_mib()
    return {
        "case": case,
        "status": status[0] if status else "?",
        "rows": rows,
        "seconds": seconds,
        "cpu": cpu,
        "bytes": size,
        "tail": last[-20:].decode("utf-8", "replace"),
        "idle_mib": idle,
        "peak_mib": peak,
    }


def in_subprocess(case: str, db: Path, rows: int) -> dict[str, Any] | str:
    """Run one case in a fresh interpreter; its result, or why it could not run."""
    proc = subprocess.run(
        [sys.executable, __file__, "--child", case, "--db", str(db), "--rows", str(rows)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return (proc.stderr.strip().splitlines() or ["failed"])[-1]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def available(case: str) -> str | None:
    """Why a case cannot run here, or None."""
    try:
        if case == "csv":
            from camshaft.testing import load_plugin

            load_plugin("csv")
        elif case == "ndjson":
            import camshaft.builtins.ndjson_format  # noqa: F401
        elif case.startswith("falcon-"):
            import falcon  # noqa: F401
        elif case == "drf-json":
            import django  # noqa: F401
            import rest_framework  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - reported, and the case skipped
        return f"{type(exc).__name__}: {exc}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows Camshaft streams")
    parser.add_argument(
        "--drf-rows",
        type=int,
        default=100_000,
        help="rows for DRF, which holds them all in memory (default 100,000; 0 skips it)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child, args.db, args.rows)))
        return

    cases = [
        ("json", args.rows),
        ("falcon-json", args.rows),
        ("ndjson", args.rows),
        ("falcon-ndjson", args.rows),
        ("csv", args.rows),
    ]
    if args.drf_rows:
        cases.append(("drf-json", args.drf_rows))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "rows.sqlite3"
        started = time.perf_counter()
        make_db(db, max(n for _, n in cases))
        print(
            f"SQLite file with {max(n for _, n in cases):,} rows of (id, name, amount) "
            f"made in {time.perf_counter() - started:.1f} s\n"
        )
        header = (
            f"{'case':<16}{'rows':>11}{'wall s':>8}{'rows/s':>10}{'CPU s':>7}{'rows/CPU s':>11}"
            f"{'MiB out':>8}{'idle MiB':>9}{'growth':>7}  target < {MAX_GROWTH_MIB:.0f} MiB"
        )
        results: dict[str, list[dict[str, Any]]] = {case: [] for case, _ in cases}
        failures: dict[str, str] = {}
        for round_ in range(args.repeat):  # interleaved, the order rotating per round
            shift = round_ % len(cases)
            for case, rows in cases[shift:] + cases[:shift]:
                if case in failures:
                    continue
                why = available(case)
                result = in_subprocess(case, db, rows) if why is None else f"skipped: {why}"
                if isinstance(result, str):
                    failures[case] = result
                else:
                    results[case].append(result)
        print(header)
        print("-" * len(header))
        for case, rows in cases:
            label = (
                "DRF json"
                if case == "drf-json"
                else case.replace("-", " ")
                if case.startswith("falcon-")
                else f"camshaft {case}"
            )
            if case in failures:
                print(f"{label:<16}{rows:>11,}  {failures[case]}")
                continue
            runs = results[case]
            seconds = statistics.median(r["seconds"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            growth = max(r["peak_mib"] - r["idle_mib"] for r in runs)
            idle = statistics.median(r["idle_mib"] for r in runs)
            verdict = (
                ""
                if not label.startswith("camshaft")
                else ("met" if growth < MAX_GROWTH_MIB else "MISSED")
            )
            print(
                f"{label:<16}{rows:>11,}{seconds:>8.2f}{rows / seconds:>10,.0f}{cpu:>7.2f}"
                f"{rows / cpu:>11,.0f}{runs[0]['bytes'] / 2**20:>8.1f}{idle:>9.1f}"
                f"{growth:>7.1f}  {verdict}"
            )
    print(
        f"\nMedians of {args.repeat} run(s) per case (growth: the largest). CPU = "
        "process_time of the request, a steadier figure than wall time on a busy machine.\n"
        "RSS: VmHWM (peak resident set) of a fresh process per case; idle = "
        "after building the app, before the request; growth = peak - idle.\n"
        f"DRF builds the whole list before rendering; it ran at {args.drf_rows:,} rows"
        + (" (not 1,000,000: see --drf-rows)." if args.drf_rows < args.rows else ".")
    )


if __name__ == "__main__":
    main()
