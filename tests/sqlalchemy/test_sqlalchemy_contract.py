"""The SQLAlchemy store passes the store contract on SQLite, PostgreSQL and MariaDB,
with a version column and without one (versions then hash the row)."""

from __future__ import annotations

import pytest

import camshaft_sqlalchemy
from camshaft.plugin import StoreBackend, StoreConfig
from camshaft.testing.contracts import GuardedModel, StoreContract
from camshaft_sqlalchemy import SqlStore
from camshaft_sqlalchemy.engines import create_engine

from .conftest import guarded_table, people_table


class TestSqlStore(StoreContract):
    versioned = True

    @pytest.fixture
    def backend(self) -> StoreBackend:
        return camshaft_sqlalchemy.camshaft_stores(settings=None)[0]

    @pytest.fixture
    def store(self, db_url, dropped, disposing) -> SqlStore:
        table = people_table(versioned=self.versioned)
        dropped.append((db_url, table))
        disposing.append(engine := create_engine(db_url, {}))
        return SqlStore(engine, StoreConfig("people", source=table))

    @pytest.fixture
    def guarded_store(self, db_url, dropped, disposing) -> SqlStore:
        table = guarded_table(versioned=self.versioned)
        dropped.append((db_url, table))
        disposing.append(engine := create_engine(db_url, {}))
        return SqlStore(engine, StoreConfig("people", source=table, model=GuardedModel))


class TestSqlStoreWithoutVersionColumn(TestSqlStore):
    versioned = False
