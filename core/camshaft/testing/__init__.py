"""Testing helpers: build apps with exactly the plugins a test names, and a client.

The contract suites plugin authors reuse live in :mod:`camshaft.testing.contracts`;
the pytest fixtures in :mod:`camshaft.testing.pytest_plugin` (loaded automatically).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points
from typing import Any

from werkzeug.test import Client

from camshaft._kernel.app import App
from camshaft._kernel.handler import Handler
from camshaft._kernel.plugin_manager import ENTRY_POINT_GROUP
from camshaft.errors import PluginLoadError

__all__ = ["Client", "load_plugin", "make_app", "make_client"]


def load_plugin(name: str) -> object:
    """The installed plugin registered under entry-point ``name``.

    :raises PluginLoadError: no such entry point is installed.
    """
    for ep in entry_points(group=ENTRY_POINT_GROUP, name=name):
        return ep.load()
    raise PluginLoadError(f"no installed plugin named {name!r} (entry point group 'camshaft')")


def make_app(
    handlers: Iterable[type[Handler]] = (),
    *,
    plugins: Iterable[str | object] = (),
    settings: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> App:
    """An app with the builtins plus exactly ``plugins`` (entry-point names or objects);
    entry-point autoload is off, and the process environment is not read."""
    merged: dict[str, Any] = dict(settings or {})
    merged["plugins"] = {**merged.get("plugins", {}), "autoload": False}
    loaded: list[object] = []
    for plugin in plugins:
        if isinstance(plugin, str):
            module = load_plugin(plugin)
            if getattr(module, "camshaft_opt_in", False):
                merged["plugins"]["enable"] = [*merged["plugins"].get("enable", []), plugin]
            loaded.append((plugin, module))
        else:
            loaded.append(plugin)
    kwargs.setdefault("environ", {})
    return App(handlers, settings=merged, plugins=loaded, **kwargs)


def make_client(app: App) -> Client:
    """A Werkzeug test client for ``app``; responses have ``.status_code``, ``.json``."""
    return Client(app)
