"""The app the gunicorn tests serve: one throttled resource, one free health check, and
a nonce endpoint (201 for a new nonce, 409 for a replay). Configured from the
environment the test sets."""

from __future__ import annotations

import os
import time

from camshaft import Handler, rc
from camshaft.testing import make_app


class Limited(Handler):
    resource_name = "limited"
    throttle = (50, 3600)

    def read(self, key=None):
        # Hold the worker a moment, so a burst spreads over all of them instead of one
        # free worker taking the whole queue (the test checks several workers served).
        time.sleep(0.02)
        return {"pid": os.getpid()}


class Health(Handler):
    resource_name = "health"

    def read(self, key=None):
        return {"pid": os.getpid()}


class Nonce(Handler):
    resource_name = "nonces"

    def create(self, data):
        if self.request.app.nonce_store.add(str(data["nonce"]), 60):
            return rc.CREATED({"nonce": data["nonce"]})
        return rc.CONFLICT


app = make_app(
    [Limited, Health, Nonce],
    plugins=["redis"],
    settings={
        "throttle": {"backend": "redis"},
        "nonces": {"backend": "redis"},
        "redis": {
            "url": os.environ["CAMSHAFT_TEST_REDIS_URL"],
            "key_prefix": os.environ["CAMSHAFT_TEST_REDIS_PREFIX"],
        },
    },
)
