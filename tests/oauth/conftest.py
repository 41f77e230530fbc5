"""Apps, clients and a live server for the camshaft-oauth tests.

The resource owner at the authorize endpoints is identified by a tiny test scheme
(``X-Test-User: alice``), so these tests need no other auth plugin installed.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from werkzeug.serving import make_server

from camshaft import App, AuthScheme, Handler, Identity, hookimpl
from camshaft.errors import Unauthorized
from camshaft.testing import make_app
from camshaft_oauth import OAuthProvider, provider_for

REDIRECT = "https://client.example/cb"


class _OwnerPlugin:
    """The ``owner`` scheme: ``X-Test-User: <name>`` (``nobody`` is refused)."""

    camshaft_name = "test-owner"

    @hookimpl
    def camshaft_auth_schemes(self) -> list[AuthScheme]:
        def authenticate(request: Any) -> Identity | None:
            user = request.header("X-Test-User")
            if user is None:
                return None
            if user == "nobody":
                raise Unauthorized("No such user.")
            return Identity(id=user, scheme="owner")

        return [AuthScheme("owner", authenticate, lambda request: 'Owner realm="test"')]


class NoteHandler(Handler):
    """A protected resource: reading needs ``read``, writing ``write``."""

    resource_name = "notes"
    authentication = ("oauth2", "oauth1")
    scopes = {"GET": ["read"], "PUT": ["write"]}

    def read(self, key: str) -> Any:
        return {"id": key, "who": self.identity.id, "scheme": self.identity.scheme}

    def update(self, key: str, data: Any) -> Any:
        return {"id": key, "data": data, "who": self.identity.id}


def build_app(consent: Any = "auto", **oauth: Any) -> App:
    settings = {
        "oauth": {
            "url": "sqlite:///:memory:",
            "authorize": {"authentication": ["owner"], "consent": consent},
            **oauth,
        }
    }
    return make_app([NoteHandler], plugins=["oauth", _OwnerPlugin()], settings=settings)


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


class FakeClock:
    """Seconds since the epoch that only move when told."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def oauth_helpers() -> SimpleNamespace:
    """Test modules cannot import conftest under --import-mode=importlib; this hands them
    the helpers instead."""
    return SimpleNamespace(
        build_app=build_app,
        basic=basic,
        pkce_pair=pkce_pair,
        provider_for=provider_for,
        FakeClock=FakeClock,
        REDIRECT=REDIRECT,
        OAuthProvider=OAuthProvider,
    )


@pytest.fixture
def live_server() -> Iterator[Callable[[App], str]]:
    """Serve an app with Werkzeug's real WSGI server on 127.0.0.1 (a free port), in a
    thread; returns its base URL. Stopped after the test."""
    servers = []

    def serve(app: App) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
