"""Fixtures: a kv store per backend, each rooted in its own temporary directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from camshaft._kernel.stores.base import StoreConfig
from camshaft.builtins.memory_store import MemoryStore
from camshaft_kv import DocumentStore, FileBackend, KVStore, ShelveBackend, StoreDocuments

BACKENDS: dict[str, Callable[[Path], KVStore]] = {
    "file": lambda root: KVStore(FileBackend(root / "things")),
    # allow_dumb: this project's Python may have no dbm but dbm.dumb (see docs/kv.md).
    "shelve": lambda root: KVStore(ShelveBackend(root / "things", allow_dumb=True)),
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The kv root, one level below the temporary directory so that anything written
    beside it (outside the root) would show."""
    path = tmp_path / "root"
    path.mkdir()
    return path


@pytest.fixture(params=sorted(BACKENDS))
def kv(request: pytest.FixtureRequest, root: Path) -> KVStore:
    """An empty kv store on each backend."""
    return BACKENDS[request.param](root)


@pytest.fixture(params=["file", "shelve", "memory"])
def documents(request: pytest.FixtureRequest, root: Path) -> DocumentStore:
    """The document API on each backend, memory through the adapter."""
    if request.param == "memory":
        return StoreDocuments(MemoryStore(StoreConfig(resource="things")))
    return BACKENDS[request.param](root)


def files_outside(tmp_path: Path, root: Path) -> list[Path]:
    """Every file or directory under ``tmp_path`` that is not ``root`` or inside it."""
    return [p for p in tmp_path.rglob("*") if p != root and root not in p.parents]
