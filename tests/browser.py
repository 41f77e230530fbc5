"""A live server and headless Chromium for the browser tests.

Chromium is Debian's (``/usr/bin/chromium``, or ``CAMSHAFT_TEST_CHROMIUM``) driven by
Playwright's Python package; a test that needs them skips with the reason when either
is absent.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from werkzeug.serving import make_server

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def chromium_path() -> str:
    """The Chromium binary, or a skip saying what is missing."""
    path = os.environ.get("CAMSHAFT_TEST_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.skip("no Chromium (apt-get install chromium, or set CAMSHAFT_TEST_CHROMIUM)")
    return path


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` on a free local port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@contextmanager
def browser_page(**context: Any) -> Iterator[Any]:
    """A fresh Playwright page in headless Chromium; it records console errors (CSP
    violations among them) in ``page.errors``. ``context`` goes to Playwright's
    ``new_page`` (``http_credentials`` answers HTTP authentication challenges as a user
    typing into the browser's sign-in dialog would)."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright's Python package is not installed"
    )
    executable = chromium_path()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 800}, **context)
            page.errors = []
            page.on(
                "console",
                lambda m: page.errors.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: page.errors.append(str(e)))
            yield page
        finally:
            browser.close()
