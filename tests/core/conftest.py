from __future__ import annotations

import pytest

from camshaft.testing import make_app, make_client


@pytest.fixture
def client_for():
    """Build a client for an app of the given handlers (builtins only, no autoload)."""

    def build(*handlers, **kwargs):
        return make_client(make_app(handlers, **kwargs))

    return build
