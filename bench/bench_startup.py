"""Worker start: import and build the address book app (core + camshaft-sqlalchemy) with
camshaft-httpauth, in a fresh interpreter, as a WSGI server's worker would.

    python bench/bench_startup.py [--runs 21] [--importtime]

Each run is a new ``python`` process that records ``time.perf_counter()`` at its first
line, imports ``examples.addressbook.app`` with ``httpauth`` added to the plugins and a
user in ``[httpauth] users`` (the SQLite file is made and seeded by an untimed first
run), and reports the wall time to a built app and its peak RSS (``VmHWM``). The
interpreter's own start (before the first line) is measured apart, with ``python -c
pass``, and shown as the floor. Medians over ``--runs``.

``--importtime`` instead prints the 25 slowest imports (cumulative) of one such start,
from ``python -X importtime``.

A measurement, not a test: the exit status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS, TARGET_MIB = 150.0, 45.0

CHILD = r"""
import time
t0, c0 = time.perf_counter(), time.process_time()
from examples.addressbook.app import app
built, cpu = time.perf_counter() - t0, time.process_time() - c0
import json, resource, sys
assert app.plugin_manager.has_plugin("httpauth")
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"built": built, "cpu": cpu, "rss": rss, "modules": len(sys.modules)}))
"""

# The floor no Camshaft change can go under: the same interpreter importing SQLAlchemy,
# which the address book's own module imports.
FLOOR = r"""
import time
t0, c0 = time.perf_counter(), time.process_time()
import sqlalchemy
built, cpu = time.perf_counter() - t0, time.process_time() - c0
import json, resource, sys
def hwm():
    # VmHWM: this process's own peak RSS. Not ru_maxrss, which a child started by
    # fork/vfork + exec inherits from its parent's peak.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rss = hwm()
print(json.dumps({"built": built, "cpu": cpu, "rss": rss, "modules": len(sys.modules)}))
"""

# A pbkdf2 hash made once (the value does not matter; only that it is well formed).
USERS = {
    "alice": "pbkdf2_sha256$600000$3dhjdMnFl5UKQ1mnxB0l7A$"
    "9wPzNlYlnjSIAycxnRNkRxcZ3nXhbM4R-GUeWdwPU9M"
}


#: The plugins a worker of this app needs; every other installed one is blocked, as if
#: it were not installed (unless --all-plugins).
KEEP = {"sqlalchemy", "httpauth"}


def child_env(db: Path, all_plugins: bool) -> dict[str, str]:
    from importlib.metadata import entry_points

    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{db}"
    settings = db.with_suffix(".toml")
    users = "".join(f'{name} = "{stored}"\n' for name, stored in USERS.items())
    settings.write_text(f"[httpauth.users]\n{users}")
    env["CAMSHAFT_SETTINGS"] = str(settings)
    if not all_plugins:
        others = {ep.name for ep in entry_points(group="camshaft")} - KEEP
        env["CAMSHAFT_BLOCK_PLUGINS"] = ",".join(sorted(others))
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_child(
    db: Path, all_plugins: bool, extra: list[str] | None = None, code: str = CHILD
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *(extra or []), "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=child_env(db, all_plugins),
        cwd=ROOT,
    )


def importtime(db: Path, all_plugins: bool) -> None:
    proc = run_child(db, all_plugins, ["-X", "importtime"])
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cumulative, name = line[len("import time:") :].split("|")
        rows.append((int(cumulative), int(self_us), name.rstrip()))
    rows.sort(reverse=True)
    print(f"{'cumulative ms':>14}{'self ms':>9}  module")
    for cumulative, self_us, name in rows[:25]:
        print(f"{cumulative / 1000:>14.1f}{self_us / 1000:>9.1f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument(
        "--all-plugins", action="store_true", help="let every installed plugin load"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "addressbook.db"
        run_child(db, args.all_plugins)  # creates and seeds the database: not timed
        if args.importtime:
            importtime(db, args.all_plugins)
            return
        starts: list[float] = []
        results: dict[str, list[dict[str, float]]] = {"app": [], "floor": []}
        for _ in range(args.runs):  # interleaved, so drift lands on all alike
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            starts.append(time.perf_counter() - start)
            for key, code in (("app", CHILD), ("floor", FLOOR)):
                out = run_child(db, args.all_plugins, code=code).stdout
                results[key].append(json.loads(out.strip().splitlines()[-1]))

    def med(key: str, field: str) -> float:
        return statistics.median(r[field] for r in results[key])

    which = "every installed plugin" if args.all_plugins else "only " + ", ".join(sorted(KEEP))
    print(f"Address book app ({which}), {args.runs} fresh processes (median)\n")
    print(f"{'':<38}{'wall ms':>9}{'CPU ms':>9}{'min CPU':>9}{'peak RSS MiB':>14}{'modules':>9}")
    print(f"{'interpreter start (python -c pass)':<38}{statistics.median(starts) * 1000:>9.1f}")
    rows = (("floor", "first line -> import sqlalchemy"), ("app", "first line -> built app"))
    for key, label in rows:
        least = min(r["cpu"] for r in results[key]) * 1000
        print(
            f"{label:<38}{med(key, 'built') * 1000:>9.1f}{med(key, 'cpu') * 1000:>9.1f}"
            f"{least:>9.1f}{med(key, 'rss'):>14.1f}{results[key][0]['modules']:>9.0f}"
        )
    print(f"\ntargets: built app < {TARGET_MS:.0f} ms, < {TARGET_MIB:.0f} MiB peak RSS")


if __name__ == "__main__":
    main()
