"""The memory store passes the store contract."""

from __future__ import annotations

import pytest

from camshaft.builtins import memory_store
from camshaft.builtins.memory_store import MemoryStore
from camshaft.plugin import StoreBackend, StoreConfig
from camshaft.testing.contracts import GuardedModel, StoreContract


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def backend(self) -> StoreBackend:
        return memory_store.camshaft_stores()[0]

    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore(StoreConfig(resource="people"))

    @pytest.fixture
    def guarded_store(self) -> MemoryStore:
        return MemoryStore(StoreConfig(resource="people", model=GuardedModel))


def test_source_rows_are_loaded() -> None:
    store = MemoryStore(StoreConfig(resource="people", source=[{"id": 3, "name": "a"}]))
    record = store.get("3")
    assert record is not None and record.data == {"id": 3, "name": "a"}
