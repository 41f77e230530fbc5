"""``?search=`` in SQL: a handler's ``search`` members matched by the database.

Two modes, chosen by the ``search`` option (``[sqlalchemy]`` settings or a handler's
``store_options``):

- ``"contains"`` (the default), on every database: each term must be found in one of the
  fields, ignoring case, as the memory store does: ``lower(field) LIKE lower(:term)``
  with ``%``, ``_`` and the escape character in the term matched literally. Terms are
  AND-ed, fields OR-ed. Case is folded by the database's ``lower()``: PostgreSQL and
  MariaDB fold every letter their collation knows, SQLite only ASCII letters.
- ``"fulltext"``, PostgreSQL only: ``to_tsvector(config, f1 || ' ' || f2 ...) @@
  plainto_tsquery(config, :text)``, matching word stems (``running`` finds ``runs``) in
  the text search configuration ``search_config`` (default ``"english"``). Every term
  must still be found (plainto_tsquery AND-s them and gives no character a meaning);
  stop words (``the``) are dropped, so a search of stop words alone matches nothing.
  :func:`fulltext_index` builds the GIN index the query can use.

Terms are always bound parameters, never SQL text; the configuration name is checked
when the store opens and written into the statement, so that it is the index's
expression exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from camshaft.errors import BadRequest, ConfigurationError
from camshaft.plugin import Search

__all__ = [
    "ESCAPE",
    "MODES",
    "SearchMode",
    "fulltext_index",
    "like_pattern",
    "search_condition",
    "search_mode",
    "search_params",
]

MODES = ("contains", "fulltext")
#: What a text search configuration name may be (``english``, ``pg_catalog.simple``).
_CONFIG_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$")
#: The character escaping ``%`` and ``_`` in LIKE patterns (as the ``contains`` filter's).
ESCAPE = "/"


def like_pattern(text: str) -> str:
    """A LIKE pattern (escaped by :data:`ESCAPE`) matching text that contains ``text``,
    every character of it literally."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


@dataclass(frozen=True, slots=True)
class SearchMode:
    """How a store searches.

    :ivar mode: ``"contains"`` or ``"fulltext"``.
    :ivar config: the PostgreSQL text search configuration of ``"fulltext"``.
    """

    mode: str = "contains"
    config: str = "english"


def search_mode(options: Mapping[str, Any], dialect: str, resource: str) -> SearchMode:
    """The :class:`SearchMode` the store options ask for.

    :raises ConfigurationError: an unknown mode, a configuration name that is not an
        identifier, or ``"fulltext"`` on a database other than PostgreSQL.
    """
    mode = str(options.get("search", "contains"))
    config = str(options.get("search_config", "english"))
    where = f"sqlalchemy store of {resource!r}"
    if mode not in MODES:
        raise ConfigurationError(
            f"{where}: option search={mode!r} is not one of {', '.join(map(repr, MODES))}"
        )
    if not _CONFIG_NAME.match(config):
        raise ConfigurationError(
            f"{where}: option search_config={config!r} is not a text search configuration "
            "name (such as 'english' or 'simple')"
        )
    if mode == "fulltext" and dialect != "postgresql":
        raise ConfigurationError(
            f"{where}: search='fulltext' needs PostgreSQL, but the database is {dialect}; "
            "use search='contains' (the default) there"
        )
    return SearchMode(mode, config)


def _document(columns: Sequence[sa.ColumnElement[Any]]) -> sa.ColumnElement[Any]:
    # Literals, not bound parameters: the index's expression must be this one exactly.
    # (Text, not literal_column: an Index takes any "column" in its expression for one of
    # its table's.)
    empty, space = sa.text("''"), sa.text("' '")
    parts: list[sa.ColumnElement[Any]] = [sa.func.coalesce(c, empty) for c in columns]
    text = parts[0]
    for part in parts[1:]:
        text = text.op("||")(space).op("||")(part)
    return text


def _text(name: str) -> sa.BindParameter[str]:
    # Typed, so that PostgreSQL is told it is text (lower() has a multirange overload).
    return sa.bindparam(name, type_=sa.String())


def _config(name: str) -> sa.TextClause:
    # Checked against _CONFIG_NAME: a literal, so the expression is the index's.
    return sa.text(f"'{name}'::regconfig")


def _tsvector(columns: Sequence[sa.ColumnElement[Any]], config: str) -> sa.ColumnElement[Any]:
    # SQLAlchemy compiles its text search functions only once its PostgreSQL dialect
    # module has registered them (imported here: only full-text stores pay for it).
    import sqlalchemy.dialects.postgresql  # noqa: F401

    return sa.func.to_tsvector(_config(config), _document(columns))


def fulltext_index(
    table: sa.Table, fields: Sequence[str], config: str = "english", name: str | None = None
) -> sa.Index:
    """A PostgreSQL GIN index on the expression ``search="fulltext"`` searches for
    ``fields`` (in that order, as the handler's ``search`` lists them) of ``table``, in
    the text search configuration ``config``. Create it with the table
    (``metadata.create_all``), or with ``index.create(engine)``.

    :raises ConfigurationError: a field the table does not have, or a configuration name
        that is not an identifier.
    """
    if not _CONFIG_NAME.match(config):
        raise ConfigurationError(f"fulltext_index: {config!r} is not a configuration name")
    missing = [f for f in fields if f not in table.c]
    if missing or not fields:
        raise ConfigurationError(
            f"fulltext_index: table {table.name!r} has no column {', '.join(missing) or '(none)'}"
        )
    columns = [table.c[f] for f in fields]
    return sa.Index(
        name or f"ix_{table.name}_fulltext",
        _tsvector(columns, config),
        postgresql_using="gin",
    )


def search_params(search: Search, mode: SearchMode) -> dict[str, Any]:
    """The bound parameters of :func:`search_condition` for ``search``'s terms."""
    if mode.mode == "fulltext":
        return {"cs_text": " ".join(search.terms)}
    return {f"cs_s{i}": like_pattern(term) for i, term in enumerate(search.terms)}


def search_condition(
    columns: Mapping[str, sa.Column[Any]], fields: Sequence[str], terms: int, mode: SearchMode
) -> sa.ColumnElement[bool]:
    """The WHERE condition for ``terms`` terms over ``fields`` (the parameters of
    :func:`search_params` bind to it).

    :raises BadRequest: a field the table does not have or that is not text (the app
        refuses both when it is built; this guards a store used directly).
    """
    searched = []
    for field in fields:
        column = columns.get(field)
        if column is None or not isinstance(column.type, sa.String):
            raise BadRequest(f"Search works on text fields, not {field!r}.")
        searched.append(column)
    if mode.mode == "fulltext":
        query = sa.func.plainto_tsquery(_config(mode.config), _text("cs_text"))
        return _tsvector(searched, mode.config).bool_op("@@")(query)
    return sa.and_(
        *(
            sa.or_(
                *(
                    sa.func.lower(c).like(sa.func.lower(_text(f"cs_s{i}")), escape=ESCAPE)
                    for c in searched
                )
            )
            for i in range(terms)
        )
    )
