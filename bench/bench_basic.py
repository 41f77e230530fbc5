"""Basic auth with hashed users: what a request costs with and without the credential
cache, and what the dummy hash costs a worker at start.

    python bench/bench_basic.py [--requests 30] [--cached 20000] [--runs 15]

Two measurements:

1. **Per-request CPU** (``time.process_time`` over N requests, divided by N): a
   ``GET /notes/1`` with ``Authorization: Basic`` for a user whose stored hash is the
   default scrypt, through the WSGI callable in-process, with
   ``httpauth.basic_cache_ttl = 0`` (every request runs scrypt) and ``= 60`` (the first
   request runs scrypt, the others hit the cache), beside the same resource without
   authentication.
2. **Worker start** (in ``--runs`` fresh interpreters, median): wall time from the child's
   first line to a built app (imports included) with the same ``[httpauth]`` settings,
   and the child's peak RSS (``VmHWM``) then; then the first request of an unknown
   user, which is where the dummy hash is made now.

The user's hash is made once in the parent and handed to the children, so hashing it is
not counted. A measurement, not a test: the exit status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import time, resource, sys, json
def hwm():
    # VmHWM: this process's own peak RSS. Not ru_maxrss, which a child started by
    # fork/vfork + exec inherits from its parent's peak.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
from typing import Any
from camshaft import Handler
from camshaft.testing import make_app

class Doc(Handler):
    resource_name = "notes"
    authentication = ("basic",)

    def read(self, key: str) -> Any:
        return {"who": self.identity.id}

app = make_app([Doc], plugins=["httpauth"], settings=json.loads(sys.argv[1]))
built = time.perf_counter() - t0
rss = hwm()
env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/notes/1", "QUERY_STRING": "",
       "SERVER_NAME": "localhost", "SERVER_PORT": "80", "wsgi.url_scheme": "http",
       "wsgi.input": None, "HTTP_AUTHORIZATION": "Basic bm9ib2R5Om5vcGU="}
c0 = time.process_time()
status = []
b"".join(app(env, lambda s, h, e=None: status.append(s)))
first = time.process_time() - c0
assert status[0].startswith("401"), status
print(json.dumps({"built": built, "rss": rss, "first_unknown": first,
                  "rss_after": hwm()}))
"""


def settings(stored: str, ttl: float) -> dict[str, Any]:
    section: dict[str, Any] = {"users": {"alice": stored}}
    if ttl:  # left out when 0, so the script also runs against a version without it
        section["basic_cache_ttl"] = ttl
    return {"httpauth": section}


def environ(authorization: str | None) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/notes/1",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": None,
    }
    if authorization:
        env["HTTP_AUTHORIZATION"] = authorization
    return env


def cpu_per_request(app: Any, authorization: str | None, n: int) -> float:
    """Microseconds of CPU per request, over ``n`` requests after 3 warm-up ones."""
    template = environ(authorization)
    status: list[str] = []

    def start_response(s: str, h: Any, exc_info: Any = None) -> None:
        status.append(s)

    for _ in range(3):
        b"".join(app(dict(template), start_response))
    assert status[-1].startswith("200"), status
    start = time.process_time()
    for _ in range(n):
        b"".join(app(dict(template), start_response))
    elapsed = time.process_time() - start
    assert status[-1].startswith("200"), status
    return elapsed / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="requests without cache")
    parser.add_argument("--cached", type=int, default=20_000, help="requests with cache")
    parser.add_argument("--runs", type=int, default=15, help="fresh processes for start-up")
    args = parser.parse_args()

    from camshaft import Handler
    from camshaft.errors import ConfigurationError
    from camshaft.testing import make_app
    from camshaft_httpauth import make_password_hash

    stored = make_password_hash("wonderland")  # default: scrypt
    header = "Basic " + base64.b64encode(b"alice:wonderland").decode()

    class Doc(Handler):
        resource_name = "notes"
        authentication = ("basic",)

        def read(self, key: str) -> Any:
            return {"who": self.identity.id}

    class Open(Handler):
        resource_name = "notes"

        def read(self, key: str) -> Any:
            return {"who": None}

    print("Per-request CPU, GET /notes/1 in-process (scrypt n=2^14 r=8 p=1 stored hash)\n")
    print(f"{'case':<36}{'requests':>9}{'CPU µs/request':>16}")
    rows = [
        ("no authentication", None, None, args.cached),
        ("basic, cache off (ttl 0)", 0, header, args.requests),
        ("basic, cache on (ttl 60 s)", 60, header, args.cached),
    ]
    for label, ttl, auth, n in rows:
        try:
            app = (
                make_app([Open])
                if ttl is None
                else make_app([Doc], plugins=["httpauth"], settings=settings(stored, ttl))
            )
        except ConfigurationError as exc:
            print(f"{label:<36}  not available here: {exc}")
            continue
        print(f"{label:<36}{n:>9,}{cpu_per_request(app, auth, n):>16,.1f}")

    print(f"\nWorker start with [httpauth] users (median of {args.runs} fresh processes)\n")
    results = []
    for _ in range(args.runs):
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(settings(stored, 0))],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))

    def med(key: str) -> float:
        return statistics.median(r[key] for r in results)

    print(f"import + build            {med('built') * 1000:8.1f} ms")
    print(f"peak RSS after build      {med('rss'):8.1f} MiB")
    print(f"first unknown-user 401    {med('first_unknown') * 1000:8.1f} ms CPU")
    print(f"peak RSS after it         {med('rss_after'):8.1f} MiB")


if __name__ == "__main__":
    main()
