"""The document API on every backend (memory through the adapter over the core store)."""

from __future__ import annotations

import pytest

from camshaft.errors import NotFound, PreconditionFailed
from camshaft_kv import DocumentStore

BODY = bytes(range(256)) * 3 + b"\r\n\x00 end"


def test_put_then_get_returns_exact_bytes_and_type(documents: DocumentStore) -> None:
    put = documents.put_document("blob.bin", BODY, "application/x-thing; v=1")
    assert put.created
    got = documents.get_document("blob.bin")
    assert got is not None
    assert got.body == BODY
    assert got.content_type == "application/x-thing; v=1"
    assert got.version == put.document.version


def test_get_missing_is_none(documents: DocumentStore) -> None:
    assert documents.get_document("nothing") is None


def test_replace_reports_not_created_and_changes_version(documents: DocumentStore) -> None:
    first = documents.put_document("k", b"one", "text/plain")
    second = documents.put_document("k", b"two", "text/csv")
    assert not second.created
    assert second.document.version != first.document.version
    got = documents.get_document("k")
    assert got is not None and (got.body, got.content_type) == (b"two", "text/csv")


def test_empty_body_and_missing_type(documents: DocumentStore) -> None:
    documents.put_document("empty", b"", None)
    got = documents.get_document("empty")
    assert got is not None and got.body == b""
    assert got.content_type == "application/octet-stream"


def test_expected_version_is_compared(documents: DocumentStore) -> None:
    put = documents.put_document("k", b"one", "text/plain")
    with pytest.raises(PreconditionFailed):
        documents.put_document("k", b"two", "text/plain", expected_version="stale")
    assert documents.get_document("k").body == b"one"  # type: ignore[union-attr]
    documents.put_document("k", b"two", "text/plain", expected_version=put.document.version)
    assert documents.get_document("k").body == b"two"  # type: ignore[union-attr]


def test_expected_version_on_missing_key_fails(documents: DocumentStore) -> None:
    with pytest.raises(PreconditionFailed):
        documents.put_document("new", b"x", "text/plain", expected_version="anything")
    assert documents.get_document("new") is None


def test_create_only_refuses_existing(documents: DocumentStore) -> None:
    documents.put_document("k", b"one", "text/plain", create_only=True)
    with pytest.raises(PreconditionFailed):
        documents.put_document("k", b"two", "text/plain", create_only=True)
    assert documents.get_document("k").body == b"one"  # type: ignore[union-attr]


def test_delete_then_missing(documents: DocumentStore) -> None:
    put = documents.put_document("k", b"one", "text/plain")
    with pytest.raises(PreconditionFailed):
        documents.delete("k", expected_version="stale")
    documents.delete("k", expected_version=put.document.version)
    assert documents.get_document("k") is None
    with pytest.raises(NotFound):
        documents.delete("k")


def test_keys_are_sorted(documents: DocumentStore) -> None:
    for key in ["b", "10", "a", "2", "ü"]:
        documents.put_document(key, b"x", "text/plain")
    assert documents.keys() == ["2", "10", "a", "b", "ü"]
