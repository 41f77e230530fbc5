"""Backends: atomic writes, damage detection, and writers in several processes."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from camshaft._kernel.stores.base import Query
from camshaft.errors import Conflict, PreconditionFailed
from camshaft_kv import CorruptEntry, FileBackend, KVStore

from .conftest import BACKENDS, files_outside

PROCESSES = 4
PER_PROCESS = 25


def _increment(make: str, root: str, times: int) -> None:
    """Add one to record "counter" ``times`` times, with compare-and-swap retries."""
    store = BACKENDS[make](Path(root))
    done = 0
    while done < times:
        record = store.get("counter")
        assert record is not None
        try:
            store.patch("counter", {"n": record.data["n"] + 1}, expected_version=record.version)
        except PreconditionFailed:
            continue
        done += 1


def _write_documents(make: str, root: str, worker: int) -> None:
    store = BACKENDS[make](Path(root))
    for i in range(PER_PROCESS):
        store.put_document(f"w{worker}-{i}", f"{worker}:{i}".encode() * 50, f"text/x-{worker}")


def _run(target: object, *args_list: tuple[object, ...]) -> None:
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=target, args=args) for args in args_list]  # type: ignore[arg-type]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0


@pytest.mark.parametrize("make", sorted(BACKENDS))
def test_compare_and_swap_across_processes_loses_no_update(make: str, root: Path) -> None:
    store = BACKENDS[make](root)
    store.create({"n": 0}, key="counter")
    _run(_increment, *[(make, str(root), PER_PROCESS)] * PROCESSES)
    assert store.get("counter").data["n"] == PROCESSES * PER_PROCESS  # type: ignore[union-attr]


@pytest.mark.parametrize("make", sorted(BACKENDS))
def test_writers_in_several_processes_all_land_intact(
    make: str, tmp_path: Path, root: Path
) -> None:
    _run(_write_documents, *[(make, str(root), w) for w in range(PROCESSES)])
    store = BACKENDS[make](root)
    assert len(store.keys()) == PROCESSES * PER_PROCESS
    for worker in range(PROCESSES):
        for i in range(PER_PROCESS):
            document = store.get_document(f"w{worker}-{i}")
            assert document is not None
            assert document.body == f"{worker}:{i}".encode() * 50
            assert document.content_type == f"text/x-{worker}"
    assert files_outside(tmp_path, root) == []


def test_created_keys_count_up_and_are_not_reused(kv: KVStore) -> None:
    first = kv.create({"name": "a"})
    kv.create({"name": "b"}, key="2")  # taken by hand: the counter skips it
    third = kv.create({"name": "c"})
    kv.delete(third.key)
    fourth = kv.create({"name": "d"})
    assert (first.key, third.key, fourth.key) == ("1", "3", "4")
    assert fourth.data["id"] == 4


def test_create_refuses_taken_key(kv: KVStore) -> None:
    kv.put_document("doc", b"x", "text/plain")
    with pytest.raises(Conflict):
        kv.create({"id": "doc", "name": "a"})


def test_document_shows_as_a_record_description(kv: KVStore) -> None:
    kv.put_document("photo", b"\x89PNG", "image/png")
    record = kv.get("photo")
    assert record is not None
    assert record.data == {"id": "photo", "content_type": "image/png", "length": 4}
    assert kv.count(Query()) == 1


def test_record_is_stored_as_json_document(kv: KVStore) -> None:
    record = kv.create({"name": "ünï", "tags": [1, 2]})
    document = kv.get_document(record.key)
    assert document is not None
    assert document.content_type == "application/json"
    assert document.body == '{"name":"ünï","tags":[1,2],"id":1}'.encode()
    assert document.version == record.version


def test_record_that_is_not_json_is_a_400(kv: KVStore) -> None:
    from camshaft.errors import BadRequest

    with pytest.raises(BadRequest):
        kv.create({"when": object()})
    with pytest.raises(BadRequest):
        kv.create({"n": float("nan")})
    assert kv.keys() == []


def test_filters_tolerate_mixed_types(kv: KVStore) -> None:
    from camshaft._kernel.stores.base import Filter

    kv.create({"age": 3})
    kv.create({"age": "old"})
    kv.create({})
    query = Query(filters=(Filter("age", "gte", 2),), order=(("age", False),))
    assert [r.data.get("age") for r in kv.list(query)] == [3]
    ordered = Query(order=(("age", False),))
    assert [r.data.get("age") for r in kv.list(ordered)] == [3, "old", None]


# ---------------------------------------------------------------------- file backend


def test_file_write_leaves_no_temporary_file(root: Path) -> None:
    store = KVStore(FileBackend(root))
    store.put_document("a", b"x" * 100_000, "text/plain")
    store.put_document("a", b"y", "text/plain")
    names = sorted(p.name for p in root.iterdir())
    assert names == sorted([".lock", store.backend.path_for("a").name])  # type: ignore[attr-defined]


def test_failed_rename_keeps_the_old_document(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = KVStore(FileBackend(root))
    store.put_document("a", b"old", "text/plain")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.put_document("a", b"new", "text/csv")
    monkeypatch.undo()
    document = store.get_document("a")
    assert document is not None and (document.body, document.content_type) == (b"old", "text/plain")
    assert not [p for p in root.iterdir() if p.name.startswith(".tmp-")]


def test_stale_temporary_files_are_removed_on_open(root: Path) -> None:
    FileBackend(root)
    (root / ".tmp-crashed").write_bytes(b"half")
    FileBackend(root)
    assert not (root / ".tmp-crashed").exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1],  # truncated body
        lambda data: data[:10],  # truncated header
        lambda data: b"garbage" + data,  # not an entry
        lambda data: data.replace(b'"key":"a"', b'"key":"b"'),  # another key's entry
    ],
    ids=["truncated body", "truncated header", "foreign bytes", "wrong key"],
)
def test_damaged_file_is_detected_not_served(root: Path, damage: object) -> None:
    store = KVStore(FileBackend(root))
    store.put_document("a", b"hello", "text/plain")
    path = store.backend.path_for("a")  # type: ignore[attr-defined]
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(CorruptEntry):
        store.get_document("a")
