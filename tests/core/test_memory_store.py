"""The memory store passes the store contract."""

from __future__ import annotations

import pytest

from camshaft._kernel.stores.base import StoreConfig
from camshaft.builtins.memory_store import MemoryStore
from camshaft.testing.contracts import StoreContract


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore(StoreConfig(resource="people"))


def test_source_rows_are_loaded() -> None:
    store = MemoryStore(StoreConfig(resource="people", source=[{"id": 3, "name": "a"}]))
    record = store.get("3")
    assert record is not None and record.data == {"id": 3, "name": "a"}
