"""The SQLAlchemy store passes the store contract on SQLite, PostgreSQL and MariaDB,
with a version column and without one (versions then hash the row)."""

from __future__ import annotations

import pytest

from camshaft._kernel.stores.base import StoreConfig
from camshaft.testing.contracts import StoreContract
from camshaft_sqlalchemy import SqlStore
from camshaft_sqlalchemy.engines import create_engine

from .conftest import people_table


class TestSqlStore(StoreContract):
    @pytest.fixture
    def store(self, db_url, dropped, disposing) -> SqlStore:
        table = people_table()
        dropped.append((db_url, table))
        disposing.append(engine := create_engine(db_url, {}))
        return SqlStore(engine, StoreConfig("people", source=table))


class TestSqlStoreWithoutVersionColumn(StoreContract):
    @pytest.fixture
    def store(self, db_url, dropped, disposing) -> SqlStore:
        table = people_table(versioned=False)
        dropped.append((db_url, table))
        disposing.append(engine := create_engine(db_url, {}))
        return SqlStore(engine, StoreConfig("people", source=table))
