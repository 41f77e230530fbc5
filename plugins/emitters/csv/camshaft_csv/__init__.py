"""camshaft-csv: the ``csv`` format (``text/csv; charset=utf-8``), standard library only.

Emitting: a header row and one row per item, nested members flattened to dotted
columns, formula-like cells neutralised (see :mod:`camshaft_csv.cells`), collections
streamed row by row. Parsing (for list POSTs): a header row and data rows become a list
of dicts of strings, at most ``[csv] max_rows`` rows.
"""

from __future__ import annotations

from typing import Any

from camshaft import Emitter, Option, ParseLimits, Parser, Settings, hookimpl

from .cells import neutralise, restore
from .table import emit, load, stream

__all__ = ["EMITTER", "neutralise", "restore"]

MEDIA_TYPE = "text/csv"

# RFC 9457 registers no CSV problem type: a problem is a one-row table in text/csv.
EMITTER = Emitter(format="csv", media_type=MEDIA_TYPE, emit=emit, stream=stream, charset="utf-8")


@hookimpl
def camshaft_settings_spec() -> dict[str, Option]:
    return {"max_rows": Option(int, 10_000, "Most data rows a CSV request body may hold (413).")}


@hookimpl
def camshaft_emitters() -> list[Emitter]:
    return [EMITTER]


@hookimpl
def camshaft_parsers(settings: Settings) -> list[Parser]:
    max_rows: int = settings.plugin("csv").get("max_rows", 10_000)

    def parse(body: bytes, limits: ParseLimits) -> Any:
        """Parse a CSV body into a list of dicts of strings; 400/413 on refusal."""
        # No camshaft.plugin.check_value: strings decoded from UTF-8, under string
        # keys, are all a CSV body can hold, and every format writes them.
        return load(body, max_rows)

    return [Parser(MEDIA_TYPE, parse, format="csv", many=True)]
