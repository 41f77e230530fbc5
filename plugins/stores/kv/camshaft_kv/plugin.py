"""The ``kv`` plugin: settings section ``[kv]`` and the ``kv`` store backend.

A handler names ``store = "kv"``; its ``store_options`` override the ``[kv]`` section.
Each resource lives in its own directory ``<root>/<resource>/``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from camshaft.errors import BadRequest, ConfigurationError
from camshaft.plugin import Option, StoreBackend, StoreConfig, hookimpl

from .backend import Backend
from .file_backend import FileBackend
from .keys import KEY_PATTERN, check_key
from .shelve_backend import ShelveBackend
from .store import KVStore

__all__ = ["BACKENDS", "camshaft_settings_spec", "camshaft_stores", "open_store"]

BACKENDS: dict[str, Callable[[Path], Backend]] = {"file": FileBackend, "shelve": ShelveBackend}
OPTIONS = {
    "backend": Option(str, "file", "Where entries live: 'file' or 'shelve'.", tuple(BACKENDS)),
    "root": Option(str, "var/kv", "Directory holding one subdirectory per resource."),
    "shelve_allow_dumb": Option(
        bool, False, "Let the shelve backend use dbm.dumb, which a crash can corrupt."
    ),
}


def open_store(config: StoreConfig) -> KVStore:
    """A :class:`KVStore` for ``config.resource`` as ``config.options`` say.

    :raises ConfigurationError: an unknown option or backend, a resource name that is not
        a valid key, a ``source`` (a kv store's data lies under ``root``), or a root that
        cannot be created.
    """
    options: Mapping[str, Any] = config.options
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise ConfigurationError(f"kv store: unknown options {sorted(unknown)}")
    values = {
        name: option.check(f"kv.{name}", options.get(name, option.default))
        for name, option in OPTIONS.items()
    }
    if config.source is not None:
        raise ConfigurationError(
            f"kv store for {config.resource!r}: 'source' is not supported; set 'root'"
        )
    try:
        check_key(config.resource)
    except BadRequest as exc:
        raise ConfigurationError(f"kv store: resource name {exc.detail}") from None
    directory = Path(values["root"]).resolve() / config.resource
    try:
        backend: Backend = (
            ShelveBackend(directory, allow_dumb=values["shelve_allow_dumb"])
            if values["backend"] == "shelve"
            else BACKENDS[values["backend"]](directory)
        )
    except OSError as exc:
        raise ConfigurationError(f"kv store: cannot open {str(directory)!r}: {exc}") from exc
    return KVStore(backend, config.key_field, config.model)


@hookimpl
def camshaft_settings_spec() -> Mapping[str, Option]:
    return OPTIONS


@hookimpl
def camshaft_stores() -> list[StoreBackend]:
    return [StoreBackend("kv", open_store, key_pattern=KEY_PATTERN, searches=True)]
