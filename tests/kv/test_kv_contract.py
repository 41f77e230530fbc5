"""The kernel's store contract, run against the kv store on each backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from camshaft.plugin import Store, StoreBackend
from camshaft.testing.contracts import GuardedModel, StoreContract
from camshaft_kv import FileBackend, KVStore, ShelveBackend, plugin


class TestFileStoreContract(StoreContract):
    @pytest.fixture
    def backend(self) -> StoreBackend:
        return plugin.camshaft_stores()[0]

    @pytest.fixture
    def store(self, tmp_path: Path) -> Store:
        return KVStore(FileBackend(tmp_path / "things"))

    @pytest.fixture
    def guarded_store(self, tmp_path: Path) -> Store:
        return KVStore(FileBackend(tmp_path / "guarded"), model=GuardedModel)


class TestShelveStoreContract(StoreContract):
    @pytest.fixture
    def backend(self) -> StoreBackend:
        return plugin.camshaft_stores()[0]

    @pytest.fixture
    def store(self, tmp_path: Path) -> Store:
        return KVStore(ShelveBackend(tmp_path / "things", allow_dumb=True))

    @pytest.fixture
    def guarded_store(self, tmp_path: Path) -> Store:
        return KVStore(ShelveBackend(tmp_path / "guarded", allow_dumb=True), model=GuardedModel)


def test_kv_store_satisfies_the_store_protocol(tmp_path: Path) -> None:
    assert isinstance(KVStore(FileBackend(tmp_path)), Store)
