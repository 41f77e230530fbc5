"""The app tests/integration/test_replay_gunicorn.py serves under gunicorn.

One resource, ``/whoami/``, accepting HTTP Digest (camshaft-httpauth) and OAuth 1.0a
(camshaft-oauth); an open ``/health/``. Every response names the worker process that
answered in ``X-Worker-Pid``, refusals included, so a test can see its requests spread
over the workers.

Configured from the environment (``REPLAY_*``), the same for every worker:

* ``REPLAY_NONCES``: ``redis`` (shared through camshaft-redis) or ``memory`` (per
  worker, the control);
* ``REPLAY_REDIS_URL``, ``REPLAY_REDIS_PREFIX``: the Redis server and this run's key
  prefix (with ``redis`` only);
* ``REPLAY_OAUTH_URL``: the SQL database holding the OAuth consumers and tokens;
* ``REPLAY_DIGEST_SECRET``: the key Digest nonces are signed with. Workers must share it,
  or a nonce issued by one is not recognised by another;
* ``REPLAY_HOLD``: seconds each request holds its worker before it is answered (default
  0). A sync worker that is free accepts whatever is queued, so a burst of fast requests
  can all land on one worker; holding each a moment makes the others take their share.

Served as ``tests.integration.replay_app:create_app()`` (a factory: importing the module
builds nothing).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from camshaft import App, Handler
from camshaft.testing import make_app
from camshaft_httpauth import make_digest_ha1

REALM = "replay"
USER, PASSWORD = "alice", "wonderland"


class WhoAmI(Handler):
    """Who the credentials name, and which worker checked them."""

    resource_name = "whoami"
    authentication = ("digest", "oauth1")
    scopes = {"GET": ["whoami"]}  # OAuth tokens get nothing without declared scopes

    def read(self, key: str | None = None) -> Any:
        identity = self.identity
        return {"who": identity.id, "scheme": identity.scheme, "pid": os.getpid()}


class Health(Handler):
    """Open: tells the test the workers are up."""

    resource_name = "health"
    authentication = ()

    def read(self, key: str | None = None) -> Any:
        return {"pid": os.getpid()}


def build_app(environ: Mapping[str, str]) -> App:
    """The camshaft app configured by ``environ`` (see the module docstring).

    :raises KeyError: a required ``REPLAY_*`` variable is missing.
    """
    backend = environ["REPLAY_NONCES"]
    plugins = ["httpauth", "oauth"]
    settings: dict[str, Any] = {
        "nonces": {"backend": backend},
        # The test sends dozens of replays from one address on purpose: each must be
        # answered 401, not turned into 429 by the failed-authentication limit.
        "auth": {"failures": "off"},
        "httpauth": {
            "realm": REALM,
            "digest_users": {USER: {"SHA-256": make_digest_ha1(USER, REALM, PASSWORD, "SHA-256")}},
            "digest": {"secret": {"$env": "REPLAY_DIGEST_SECRET"}, "algorithms": ["SHA-256"]},
        },
        "oauth": {"url": {"$env": "REPLAY_OAUTH_URL"}, "realm": REALM},
    }
    if backend == "redis":
        plugins.append("redis")
        settings["redis"] = {
            "url": {"$env": "REPLAY_REDIS_URL"},
            "key_prefix": environ["REPLAY_REDIS_PREFIX"],
        }
    # Only the REPLAY_* variables: $env indirection resolves against them, and nothing
    # else in the test runner's environment (CAMSHAFT_*) reconfigures the app.
    env = {k: v for k, v in environ.items() if k.startswith("REPLAY_")}
    return make_app([WhoAmI, Health], plugins=plugins, settings=settings, environ=env)


def create_app() -> Callable[..., Iterable[bytes]]:
    """gunicorn's factory: the app from ``os.environ``, answering ``X-Worker-Pid``."""
    return _PidPerRequest(build_app(os.environ), float(os.environ.get("REPLAY_HOLD", "0")))


class _PidPerRequest:
    """``X-Worker-Pid`` on every response (read per request, so it is right even when
    gunicorn builds the app before forking, ``--preload``), after ``hold`` seconds on
    ``/whoami/``."""

    __slots__ = ("app", "hold")

    def __init__(self, app: App, hold: float = 0) -> None:
        self.app = app
        self.hold = hold

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        pid = str(os.getpid())
        if self.hold and environ.get("PATH_INFO", "").startswith("/whoami/"):
            time.sleep(self.hold)

        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            return start_response(status, [*headers, ("X-Worker-Pid", pid)], *exc_info)

        return self.app(environ, start)
