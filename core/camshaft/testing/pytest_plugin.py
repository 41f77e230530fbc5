"""pytest fixtures for Camshaft apps (registered through the ``pytest11`` entry point).

* ``camshaft_app``: override it in your ``conftest.py`` to return your app.
* ``camshaft_client``: a test client for ``camshaft_app``.
* ``camshaft_make_app``: :func:`camshaft.testing.make_app`, to build an app with exactly
  the plugins a test names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client

from camshaft._kernel.app import App
from camshaft.testing import make_app, make_client


@pytest.fixture
def camshaft_app() -> App:
    """The app under test; override this fixture to return yours."""
    raise pytest.UsageError("override the 'camshaft_app' fixture to return your camshaft.App")


@pytest.fixture
def camshaft_client(camshaft_app: App) -> Client:
    """A test client for ``camshaft_app``."""
    return make_client(camshaft_app)


@pytest.fixture
def camshaft_make_app() -> Callable[..., App]:
    """Build an app with the builtins plus exactly the plugins named."""
    return make_app


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "camshaft_contract: a Camshaft plugin contract test")
