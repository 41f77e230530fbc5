"""Object representation: reading the members of what handlers return, as plain data.

Handlers return dicts, dataclasses, plain objects, named tuples, SQLAlchemy ``Row``
objects, mapped ORM instances, ``sqlite3.Row`` objects, and lists or iterators of any of
those. Shaping reads them through this module and hands emitters only:

- ``dict`` (string keys), ``list``;
- ``str``, ``int``, ``float``, ``bool``, ``None``;
- the rich scalars each emitter documents how it writes: ``datetime.datetime``,
  ``datetime.date``, ``datetime.time``, ``uuid.UUID``, ``decimal.Decimal``, ``enum.Enum``
  members, and ``bytes`` (``bytearray`` and ``memoryview`` become ``bytes``).

Tuples, sets and other iterables become lists (sets sorted by ``repr`` so output is
stable). Which members an object has: every key of a mapping or row; the fields of a
dataclass, the column attributes of a mapped ORM instance (relationships only when a
``fields`` spec names them, so no lazy load or cycle happens by accident), and the
public attributes (``vars`` and ``__slots__``) of any other object. Names beginning with
``_`` are never read from objects by default; a mapping's keys are data and all count.

SQLAlchemy is never imported here unless an ORM instance is met (core does not depend
on it); mapped classes are recognised by their ``__mapper__`` attribute.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any, Final

__all__ = [
    "MANY",
    "MISSING",
    "OBJECT",
    "SCALAR",
    "SCALAR_TYPES",
    "MaxDepthError",
    "get_member",
    "inspect",
    "kind_of",
    "member_view",
    "members",
    "plain",
]

#: Returned by :func:`get_member` for a member the object does not have.
MISSING: Final[Any] = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

#: What :func:`kind_of` answers.
SCALAR: Final = 0  # written by the emitter as it is
OBJECT: Final = 1  # has named members: becomes a dict
MANY: Final = 2  # an iterable of values: becomes a list

#: Nesting past this depth is a programming error (a reference cycle between objects).
MAX_DEPTH: Final = 32

#: Types written as they are, with no further look (exact types, for a fast check).
SCALAR_TYPES: Final = frozenset(
    {
        str,
        int,
        float,
        bool,
        type(None),
        bytes,
        datetime.datetime,
        datetime.date,
        datetime.time,
        uuid.UUID,
        decimal.Decimal,
    }
)
_SCALAR_BASES: Final = (
    str,
    int,
    float,
    bytes,
    bytearray,
    memoryview,
    datetime.date,
    datetime.time,
    uuid.UUID,
    decimal.Decimal,
    enum.Enum,
)

# How an object's members are read, decided once per type.
_MAPPING, _ROW, _SQLITE_ROW, _NAMEDTUPLE, _DATACLASS, _ORM, _ATTRS = range(7)


class MaxDepthError(ValueError):
    """Objects nest deeper than :data:`MAX_DEPTH` (most likely a reference cycle)."""


@lru_cache(maxsize=1024)
def _classify(cls: Any) -> tuple[int, int]:
    """(kind, reader) for a type; cached because a stream meets the same few types."""
    if cls in SCALAR_TYPES or issubclass(cls, _SCALAR_BASES):
        return SCALAR, -1
    if issubclass(cls, Mapping):
        return OBJECT, _MAPPING
    if hasattr(cls, "_mapping") and issubclass(cls, Iterable):  # sqlalchemy.Row
        return OBJECT, _ROW
    if issubclass(cls, sqlite3.Row):
        return OBJECT, _SQLITE_ROW
    if issubclass(cls, tuple) and hasattr(cls, "_fields") and hasattr(cls, "_asdict"):
        return OBJECT, _NAMEDTUPLE
    if dataclasses.is_dataclass(cls):
        return OBJECT, _DATACLASS
    if hasattr(cls, "__mapper__"):
        return OBJECT, _ORM
    if issubclass(cls, Iterable):
        return MANY, -1
    if _public_slots(cls) or ("__dict__" in dir(cls) and cls.__module__ != "builtins"):
        return OBJECT, _ATTRS
    return SCALAR, -1


def kind_of(value: Any) -> int:
    """:data:`SCALAR`, :data:`OBJECT` or :data:`MANY` for a value."""
    return _classify(type(value))[0]  # type: ignore[arg-type]  # type objects are hashable


def inspect(obj: Any) -> tuple[int, Mapping[str, Any] | None]:
    """``(kind_of(obj), member_view(obj))`` in one type lookup (the per-item fast path)."""
    if type(obj) is dict:
        return OBJECT, obj
    kind = _classify(type(obj))[0]  # type: ignore[arg-type]  # type objects are hashable
    return kind, member_view(obj) if kind == OBJECT else None


def member_view(obj: Any) -> Mapping[str, Any] | None:
    """A mapping over ``obj``'s members when it has one (dicts, rows, named tuples), else
    None: members are then read as attributes with :func:`get_member`."""
    reader = _classify(type(obj))[1]  # type: ignore[arg-type]  # type objects are hashable
    if reader == _MAPPING:
        return obj  # type: ignore[no-any-return]
    if reader == _ROW:
        return obj._mapping  # type: ignore[no-any-return]
    if reader == _SQLITE_ROW:
        return dict(zip(obj.keys(), obj, strict=True))
    if reader == _NAMEDTUPLE:
        return obj._asdict()  # type: ignore[no-any-return]
    return None


def get_member(obj: Any, view: Mapping[str, Any] | None, name: str) -> Any:
    """Member ``name`` of ``obj`` (``view`` from :func:`member_view`), or :data:`MISSING`.

    Attributes that are methods count as missing: a ``fields`` entry reads data, and a
    handler method computes (see :mod:`camshaft.shaping`).
    """
    if view is not None:
        return view.get(name, MISSING)
    value = getattr(obj, name, MISSING)
    if callable(value) and hasattr(value, "__self__") and not isinstance(value, type):
        return MISSING
    return value


def members(obj: Any) -> Iterator[tuple[str, Any]]:
    """Every (name, value) member of an :data:`OBJECT`, in a stable order."""
    reader = _classify(type(obj))[1]  # type: ignore[arg-type]  # type objects are hashable
    view = member_view(obj)
    if view is not None:
        yield from view.items()
        return
    cls = type(obj)
    if reader == _DATACLASS:
        names: Iterable[str] = _dataclass_names(cls)  # type: ignore[arg-type]  # type objects are hashable
    elif reader == _ORM:
        names = _orm_names(cls)  # type: ignore[arg-type]  # type objects are hashable
    else:
        names = (*_public_slots(cls), *(n for n in getattr(obj, "__dict__", {}) if n[0] != "_"))  # type: ignore[arg-type]  # type objects are hashable
    for name in names:
        value = getattr(obj, name, MISSING)
        if value is not MISSING:
            yield name, value


@lru_cache(maxsize=256)
def _dataclass_names(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if not f.name.startswith("_"))


@lru_cache(maxsize=256)
def _orm_names(cls: Any) -> tuple[str, ...]:
    """Column attributes of a mapped class, without importing SQLAlchemy when absent."""
    try:
        from sqlalchemy import inspect as sa_inspect
    except ImportError:  # a duck-typed mapped class: read its table's columns
        table = getattr(cls, "__table__", None)
        return tuple(c.key for c in table.columns) if table is not None else ()
    return tuple(a.key for a in sa_inspect(cls).column_attrs if not a.key.startswith("_"))


@lru_cache(maxsize=256)
def _public_slots(cls: Any) -> tuple[str, ...]:
    seen: list[str] = []
    for klass in reversed(cls.__mro__):
        slots = klass.__dict__.get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if not name.startswith("_") and name not in seen:
                seen.append(name)
    return tuple(seen)


def plain(value: Any, keep: Callable[[str], bool] | None = None, depth: int = 0) -> Any:
    """``value`` as plain data (see the module docstring); members whose name ``keep``
    rejects are left out at every depth.

    :raises MaxDepthError: objects nest past :data:`MAX_DEPTH` (a cycle, a server bug).
    """
    cls = type(value)
    if cls in SCALAR_TYPES:
        return value
    kind = _classify(cls)[0]  # type: ignore[arg-type]  # type objects are hashable
    if kind == SCALAR:
        if isinstance(value, bytearray | memoryview):
            return bytes(value)
        return value
    if depth >= MAX_DEPTH:
        raise MaxDepthError(f"objects nest deeper than {MAX_DEPTH} levels; is there a cycle?")
    depth += 1
    if kind == OBJECT:
        return {
            name: plain(member, keep, depth)
            for name, member in members(value)
            if keep is None or keep(name)
        }
    if isinstance(value, set | frozenset):
        value = sorted(value, key=repr)
    return [plain(item, keep, depth) for item in value]
