"""Typed per-object state that plugins own: a :class:`Stash` keyed by :class:`StashKey`.

Each plugin makes its own keys at import time (``provider_key = StashKey[Provider]()``)
and keeps its state on the app (``app.stash``) or on an endpoint's wiring
(``wiring.stash``) under them. A key is an object, not a string, so two plugins cannot
collide, and the value's type travels with the key for the type checker.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

__all__ = ["Stash", "StashKey"]

T = TypeVar("T")
D = TypeVar("D")


class StashKey(Generic[T]):
    """A key for one value of type ``T`` in a :class:`Stash`; compared by identity."""

    __slots__ = ()


class Stash:
    """A mapping from :class:`StashKey` to the value stored under it."""

    __slots__ = ("_storage",)

    def __init__(self) -> None:
        self._storage: dict[StashKey[Any], object] = {}

    def __setitem__(self, key: StashKey[T], value: T) -> None:
        self._storage[key] = value

    def __getitem__(self, key: StashKey[T]) -> T:
        """:raises KeyError: nothing is stored under ``key``."""
        return self._storage[key]  # type: ignore[return-value]  # the key's T put it there

    def get(self, key: StashKey[T], default: D) -> T | D:
        return self._storage.get(key, default)  # type: ignore[return-value]

    def setdefault(self, key: StashKey[T], default: T) -> T:
        """The value under ``key``, storing ``default`` there first when there is none."""
        try:
            return self[key]
        except KeyError:
            self[key] = default
            return default

    def __delitem__(self, key: StashKey[T]) -> None:
        del self._storage[key]

    def __contains__(self, key: StashKey[T]) -> bool:
        return key in self._storage

    def __len__(self) -> int:
        return len(self._storage)
