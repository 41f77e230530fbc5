"""What a store's ``source`` is made of: the table, its data columns, key and version, and a
:class:`camshaft.models.Model` derived from the columns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from camshaft.errors import ConfigurationError
from camshaft.models import (
    BooleanField,
    ChoiceField,
    DateTimeField,
    Field,
    FloatField,
    IntegerField,
    Model,
    StringField,
)

__all__ = ["Shape", "model_for", "shape_of"]


@dataclass(frozen=True, slots=True)
class Shape:
    """A source resolved: ``columns`` maps data member names (attribute names of a mapped
    class) to columns, without the version column."""

    table: sa.Table
    columns: dict[str, sa.Column[Any]]
    key: str
    version: sa.Column[Any] | None


def shape_of(source: Any, version_column: str = "version") -> Shape:
    """Resolve a handler's ``source``: a :class:`sqlalchemy.Table` or a mapped class.

    The version column is the mapper's ``version_id_col``, else an integer column named
    ``version_column``; it is kept out of the data (responses carry it as the ETag).

    :raises ConfigurationError: not a table or mapped class, or the primary key is not
        exactly one column.
    """
    if isinstance(source, sa.Table):
        table = source
        # Plain str keys: SQLAlchemy's quoted_name is a str subclass that orjson refuses,
        # which sent every row through the slow fallback encoder.
        columns: dict[str, sa.Column[Any]] = {str(c.key): c for c in table.columns}
        version = None
    else:
        try:
            mapper = sa.inspect(source)
        except sa.exc.NoInspectionAvailable:
            raise ConfigurationError(
                f"sqlalchemy: source must be a Table or a mapped class, not {source!r}"
            ) from None
        table = mapper.local_table
        if not isinstance(table, sa.Table):
            raise ConfigurationError(f"sqlalchemy: {source!r} is not mapped to one table")
        columns = {str(name): col for name, col in mapper.columns.items() if col.table is table}
        version = mapper.version_id_col
    if version is None:
        candidate = next(
            (c for n, c in columns.items() if n == version_column or c.name == version_column),
            None,
        )
        if candidate is not None and isinstance(candidate.type, sa.Integer):
            version = candidate
    primary = list(table.primary_key.columns)
    if len(primary) != 1:
        raise ConfigurationError(
            f"sqlalchemy: table {table.name!r} needs exactly one primary key column"
        )
    key = next(name for name, col in columns.items() if col is primary[0])
    data_columns = {n: c for n, c in columns.items() if c is not version}
    return Shape(table, data_columns, key, version)


def _field(name: str, column: sa.Column[Any], read_only: bool) -> Field:
    has_default = column.default is not None or column.server_default is not None
    common: dict[str, Any] = {
        "required": not column.nullable and not has_default and not read_only,
        "read_only": read_only,
        "nullable": bool(column.nullable),
    }
    kind = column.type
    if isinstance(kind, sa.Enum) and kind.enums:
        return ChoiceField(name, kind.enums, **common)
    if isinstance(kind, sa.Boolean):
        return BooleanField(name, **common)
    if isinstance(kind, sa.Integer):
        return IntegerField(name, **common)
    if isinstance(kind, sa.Float | sa.Numeric):
        return FloatField(name, **common)
    if isinstance(kind, sa.DateTime):
        return DateTimeField(name, aware=bool(kind.timezone), **common)
    if isinstance(kind, sa.String):
        return StringField(name, max_length=kind.length, **common)
    return Field(name, **common)


def model_for(
    source: Any,
    *,
    read_only: Iterable[str] = (),
    exclude: Iterable[str] = (),
    version_column: str = "version",
) -> type[Model]:
    """A model derived from a table's or mapped class's columns.

    Types, lengths (``String(n)``), choices (``Enum``) and requiredness (``NOT NULL``
    without a default) come from the columns. The primary key (when the database
    generates it), the version column and the names in ``read_only`` are read-only;
    the names in ``exclude`` are left out, so a client sending them gets a 400.
    """
    shape = shape_of(source, version_column)
    forced = set(read_only)
    skipped = set(exclude)
    fields = []
    for name, column in shape.columns.items():
        if name in skipped:
            continue
        generated = (
            name == shape.key
            and isinstance(column.type, sa.Integer)
            and column.autoincrement in (True, "auto")
        )
        fields.append(_field(name, column, generated or name in forced))
    model_name = f"{shape.table.name.title().replace('_', '')}Model"
    return type(model_name, (Model,), {"fields": fields})
