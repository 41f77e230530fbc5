"""Filters, search, ordering and windows over records in Python (a kv store has no query engine).

Same meaning as the core memory store's: a missing field is None; comparisons with None
or with a value of another type are false rather than an error.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from camshaft.plugin import Filter, Query, Record, search_matches

__all__ = ["key_order", "matches", "select"]


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def check(value: Any, bound: Any) -> bool:
        if value is None:
            return False
        try:
            return bool(op(value, bound))
        except TypeError:  # "abc" < 3: not a match, and not a 500
            return False

    return check


def _contains(value: Any, needle: Any) -> bool:
    try:
        return value is not None and needle in value
    except TypeError:
        return False


def _in(value: Any, choices: Any) -> bool:
    try:
        return value in choices
    except TypeError:
        return False


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": _compare(operator.lt),
    "lte": _compare(operator.le),
    "gt": _compare(operator.gt),
    "gte": _compare(operator.ge),
    "in": _in,
    "contains": _contains,
    "isnull": lambda value, wanted: (value is None) == bool(wanted),
}


def matches(data: dict[str, Any], filters: tuple[Filter, ...]) -> bool:
    """Whether ``data`` passes every filter (an unknown operator matches nothing)."""
    return all(_OPS.get(f.op, lambda _a, _b: False)(data.get(f.field), f.value) for f in filters)


def key_order(key: str) -> tuple[bool, int, str]:
    """Sort key for store keys: integers in numeric order (2 before 10), then the rest by
    text, so listings are stable across calls."""
    numeric = key.isascii() and key.isdigit()
    return (not numeric, int(key) if numeric else 0, key)


def _field_order(name: str) -> Callable[[Record], tuple[Any, ...]]:
    def sort_key(record: Record) -> tuple[Any, ...]:
        value = record.data.get(name)
        # None last; numbers before text before anything else, so mixed types still sort.
        if value is None:
            return (3, 0)
        if isinstance(value, bool | int | float):
            return (0, value)
        if isinstance(value, str):
            return (1, value)
        return (2, repr(value))

    return sort_key


def select(records: list[Record], query: Query) -> tuple[list[Record], int]:
    """The window of ``records`` that ``query`` asks for, and how many match in all.

    Its search, if any, means what the memory store's does (``search_matches``: every
    term in the text of one of the fields, ignoring case; members that are not text
    never match).
    """
    rows = sorted(
        (
            r
            for r in records
            if matches(r.data, query.filters) and search_matches(r.data, query.search)
        ),
        key=lambda r: key_order(r.key),
    )
    for name, descending in reversed(query.order):
        rows.sort(key=_field_order(name), reverse=descending)
    end = None if query.limit is None else query.offset + query.limit
    return rows[query.offset : end], len(rows)
