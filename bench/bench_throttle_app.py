"""The app bench_throttle.py serves under gunicorn: one Redis-throttled resource whose
rate comes from the environment (BENCH_LIMIT per BENCH_WINDOW seconds)."""

from __future__ import annotations

import os

from camshaft import Handler
from camshaft.testing import make_app


class Limited(Handler):
    resource_name = "limited"
    throttle = (int(os.environ["BENCH_LIMIT"]), float(os.environ["BENCH_WINDOW"]))

    def read(self, key=None):
        return {"ok": True}


app = make_app(
    [Limited],
    plugins=["redis"],
    settings={
        "throttle": {"backend": "redis"},
        "redis": {"url": os.environ["BENCH_REDIS_URL"], "key_prefix": os.environ["BENCH_PREFIX"]},
    },
)
