"""The SQL store's rows as the emitters receive them."""

from __future__ import annotations

import sqlalchemy as sa

from camshaft import Query
from camshaft.plugin import StoreConfig
from camshaft.testing import make_app


def test_rows_have_plain_str_keys_so_orjson_takes_them_directly() -> None:
    """SQLAlchemy names columns with ``quoted_name`` (a str subclass); orjson refuses
    those keys, so rows must carry exact ``str`` keys for the fast encoder."""
    metadata = sa.MetaData()
    table = sa.Table(
        "plain_keys", metadata, sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("Name", sa.String(20)),
    )  # fmt: skip
    app = make_app([], plugins=["sqlalchemy"], settings={"sqlalchemy": {"url": "sqlite://"}})
    backend = app.store_backends["sqlalchemy"]
    store = backend.open(
        StoreConfig(resource="plain_keys", key_field="id", model=None, source=table, options={})
    )
    store.create({"Name": "ann"})
    for record in store.list(Query()):
        assert all(type(k) is str for k in record.data), record.data
