"""CSV emission (RFC 4180: CRLF line ends, minimal quoting) and parsing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from camshaft.errors import BadRequest, PayloadTooLarge
from camshaft.plugin import EmitContext

from .cells import flatten, header_for, neutralise, restore, text_of

__all__ = ["emit", "load", "stream"]


class _Lines:
    """A csv writer that hands back each line it writes."""

    __slots__ = ("_buffer", "_writer")

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def line(self, cells: Iterable[str]) -> bytes:
        self._writer.writerow(cells)
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode("utf-8")


def _row(flat: dict[str, Any], header: list[str]) -> list[str]:
    return [text_of(flat.get(column)) for column in header]


def emit(data: Any, ctx: EmitContext) -> bytes:
    """A header row, then one row per item (a single object is a one-row table).

    Columns are ``ctx.columns`` when the handler declares fields, else every column of
    every row in first-seen order.
    """
    rows = [flatten(item) for item in (data if isinstance(data, list | tuple) else [data])]
    seen: dict[str, None] = {}
    for flat in rows:
        seen.update(dict.fromkeys(flat))
    header = header_for(ctx.columns, list(seen))
    if not header:
        return b""
    lines = _Lines()
    return lines.line(map(neutralise, header)) + b"".join(
        lines.line(_row(flat, header)) for flat in rows
    )


def stream(items: Iterable[Any], ctx: EmitContext) -> Iterator[bytes]:
    """Rows written one at a time. The header is written before the second row is
    seen, so its columns are ``ctx.columns`` or the first row's; a later row's extra
    members are left out (declare ``fields`` for a fixed table). Identical to
    :func:`emit` whenever the rows share their columns."""
    lines = _Lines()
    header: list[str] | None = None
    for item in items:
        flat = flatten(item)
        if header is None:
            header = header_for(ctx.columns, list(flat))
            yield lines.line(map(neutralise, header))
        yield lines.line(_row(flat, header))
    if header is None and ctx.columns:
        yield lines.line(map(neutralise, header_for(ctx.columns, [])))


def load(body: bytes, max_rows: int) -> list[dict[str, str]]:
    """A header row and data rows -> a list of dicts of strings (cells un-neutralised).

    :raises BadRequest: not UTF-8, malformed quoting, a repeated column name, or a row
        whose length differs from the header's.
    :raises PayloadTooLarge: more than ``max_rows`` data rows.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"The body is not UTF-8: {exc}", title="Malformed CSV") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header: list[str] | None = None
        rows: list[dict[str, str]] = []
        for cells in reader:
            if not cells:
                continue  # a blank line
            if header is None:
                header = [restore(c) for c in cells]
                if len(set(header)) != len(header):
                    raise BadRequest("The header row repeats a column.", title="Malformed CSV")
                continue
            if len(cells) != len(header):
                raise BadRequest(
                    f"Line {reader.line_num} has {len(cells)} cells; the header has {len(header)}.",
                    title="Malformed CSV",
                )
            if len(rows) >= max_rows:
                raise PayloadTooLarge(f"The body has more than {max_rows} rows.")
            rows.append(dict(zip(header, map(restore, cells), strict=True)))
    except csv.Error as exc:
        raise BadRequest(
            f"The body is not valid CSV (line {reader.line_num}): {exc}", title="Malformed CSV"
        ) from None
    return rows
