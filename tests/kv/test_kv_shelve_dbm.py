"""The shelve backend refuses ``dbm.dumb`` (not crash-safe) unless it is allowed."""

from __future__ import annotations

import dbm
import importlib
import sys
from pathlib import Path

import pytest

from camshaft.errors import ConfigurationError
from camshaft.plugin import Query, StoreConfig
from camshaft_kv import KVStore, ShelveBackend
from camshaft_kv.plugin import open_store
from camshaft_kv.shelve_backend import SAFE_MODULES


def _importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


@pytest.fixture
def only_dumb(monkeypatch: pytest.MonkeyPatch) -> None:
    """This Python as one built without sqlite3, gdbm and ndbm dbm modules."""
    for name in SAFE_MODULES:
        monkeypatch.setitem(sys.modules, name, None)  # import now raises ImportError


def test_a_crash_safe_module_is_used_where_there_is_one(tmp_path: Path) -> None:
    if not any(_importable(name) for name in SAFE_MODULES):
        pytest.skip("this Python has no dbm module but dbm.dumb")
    store = KVStore(ShelveBackend(tmp_path / "things"))
    store.create({"name": "a"})
    assert dbm.whichdb(str(tmp_path / "things" / "shelf")) in SAFE_MODULES


def test_this_pythons_only_dbm_is_refused_by_default(tmp_path: Path) -> None:
    if any(_importable(name) for name in SAFE_MODULES):
        pytest.skip("this Python has a crash-safe dbm module")
    with pytest.raises(ConfigurationError, match="dbm.dumb"):
        ShelveBackend(tmp_path / "things")


@pytest.mark.usefixtures("only_dumb")
def test_dumb_dbm_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="crash while writing can lose every key"):
        ShelveBackend(tmp_path / "things")
    assert not list((tmp_path / "things").glob("shelf*")), "nothing was created"


@pytest.mark.usefixtures("only_dumb")
def test_dumb_dbm_is_refused_by_the_plugin_unless_allowed(tmp_path: Path) -> None:
    options = {"backend": "shelve", "root": str(tmp_path)}
    with pytest.raises(ConfigurationError, match="shelve_allow_dumb"):
        open_store(StoreConfig("notes", options=options))
    store = open_store(StoreConfig("notes", options={**options, "shelve_allow_dumb": True}))
    record = store.create({"name": "a"})
    assert store.get(record.key) == record
    assert dbm.whichdb(str(tmp_path / "notes" / "shelf")) == "dbm.dumb"


def test_a_database_keeps_the_module_that_wrote_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Written by dbm.dumb (allowed), then reopened where safe modules exist: still dumb,
    # and still refused unless allowed, since its index is the unsafe one.
    with monkeypatch.context() as patched:
        for name in SAFE_MODULES:
            patched.setitem(sys.modules, name, None)
        KVStore(ShelveBackend(tmp_path / "t", allow_dumb=True)).create({"name": "a"})
    with pytest.raises(ConfigurationError, match="dbm.dumb"):
        ShelveBackend(tmp_path / "t")
    store = KVStore(ShelveBackend(tmp_path / "t", allow_dumb=True))
    assert [r.data["name"] for r in store.list(Query())] == ["a"]
