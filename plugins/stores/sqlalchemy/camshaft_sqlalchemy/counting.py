"""Estimated counts (``pagination.count = "estimated"``): PostgreSQL's planner statistics
instead of a ``COUNT(*)`` that reads the whole table.

- unfiltered: ``pg_class.reltuples``, the row count ANALYZE / autovacuum last saw;
- filtered (or a table never analyzed): the row estimate of ``EXPLAIN (FORMAT JSON)`` of
  the filtered listing.

An estimate below :data:`EXACT_BELOW` rows is replaced by the exact count: on small
results the planner is least accurate and counting is cheap. Other databases have no
estimate; :func:`estimate_count` returns None and the paginator counts exactly.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement

from camshaft.plugin import Query

from .failures import translated

if TYPE_CHECKING:
    from .store import SqlStore

__all__ = ["EXACT_BELOW", "estimate_count"]

EXACT_BELOW = 1000

_RELTUPLES = sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)")


class _Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON) <statement>``, so the statement's parameters bind as usual."""

    inherit_cache = False

    def __init__(self, statement: Any) -> None:
        self.statement = statement


@compiles(_Explain, "postgresql")
def _compile_explain(element: _Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + str(compiler.process(element.statement, **kw))


def _planned_rows(plan: Any) -> int:
    if isinstance(plan, str | bytes):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def estimate_count(store: SqlStore, query: Query) -> int | None:
    """About how many rows match ``query``'s filters, or None when the database offers no
    estimate (anything but PostgreSQL).

    :raises camshaft.errors.ServiceUnavailable: the database cannot be reached.
    """
    engine = store.engine
    if engine.dialect.name != "postgresql":
        return None
    estimate: int | None = None
    with translated(store.retry_after), engine.connect() as conn:
        if not query.filters and query.search is None:
            name = engine.dialect.identifier_preparer.format_table(store.shape.table)
            reltuples = conn.execute(_RELTUPLES, {"name": name}).scalar()
            # -1 (PostgreSQL 14+) or 0 with pages: never analyzed; the planner guesses then.
            if reltuples is not None and reltuples > 0:
                estimate = int(reltuples)
        if estimate is None:
            listing, _, params = store.statements.for_query(query.filters, (), query.search)
            statement = listing.order_by(None).limit(None).offset(None)
            estimate = _planned_rows(conn.execute(_Explain(statement), params).scalar_one())
    if estimate < EXACT_BELOW:
        return store.count(query)
    return estimate
