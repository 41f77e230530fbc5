"""Cells: flattening rows, writing values as text, and neutralising formulas.

* A nested mapping's members become columns with dotted names (``author.name``); an
  empty nested mapping contributes no column.
* None is an empty cell; booleans are ``true``/``false``; numbers as JSON writes them;
  lists (and sets, tuples) as JSON text; other rich scalars as the JSON emitter writes
  them (ISO 8601 datetimes, string UUIDs and Decimals, enum values, base64 bytes).
* Formula injection: a *string* cell (or column name) that begins with ``=``, ``+``,
  ``-``, ``@``, a tab, a carriage return, or a single quote is written with one more
  single quote in front (``=1+1`` -> ``'=1+1``), so spreadsheets show it as text.
  Numbers are never prefixed (``-5`` stays a number). The parser removes exactly that
  quote again, so what a client GETs it can POST back unchanged.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from typing import Any

from camshaft.plugin import EmitContext, json_default, json_emit

__all__ = ["flatten", "header_for", "neutralise", "restore", "text_of"]

_RISKY = ("=", "+", "-", "@", "\t", "\r", "'")
_PLAIN_CTX = EmitContext()


def neutralise(cell: str) -> str:
    """``cell`` as written: prefixed with ``'`` when a spreadsheet could run it."""
    return "'" + cell if cell.startswith(_RISKY) else cell


def restore(cell: str) -> str:
    """The inverse of :func:`neutralise`."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] and cell[1:].startswith(_RISKY) else cell


def text_of(value: Any) -> str:
    """The text of one cell (before neutralising strings)."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json_emit(value, _PLAIN_CTX).decode("utf-8")
    if isinstance(value, str):
        return neutralise(str(value))
    if isinstance(value, list | tuple | set | frozenset | Mapping):
        return json_emit(value, _PLAIN_CTX).decode("utf-8")
    return text_of(json_default(value))


def flatten(obj: Any) -> dict[str, Any]:
    """A row: dotted column name -> value, nested mappings expanded, in member order."""
    if not isinstance(obj, Mapping):
        return {"value": obj}
    out: dict[str, Any] = {}
    # Depth-first without recursion; a stack of member iterators keeps the order.
    iters: list[tuple[str, Iterator[tuple[Any, Any]]]] = [("", iter(obj.items()))]
    while iters:
        prefix, members = iters[-1]
        for key, value in members:
            name = f"{prefix}{key}"
            if isinstance(value, Mapping):
                iters.append((name + ".", iter(value.items())))
                break
            out[name] = value
        else:
            iters.pop()
    return out


def header_for(declared: tuple[str, ...] | None, seen: list[str]) -> list[str]:
    """Columns: the declared fields in order (a declared field holding a mapping stands
    for its dotted members), else the names seen, in first-seen order."""
    if not declared:
        return list(seen)
    header: list[str] = []
    for column in declared:
        members = [k for k in seen if k.startswith(column + ".")]
        header.extend(members or [column])
    return header
