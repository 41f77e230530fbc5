"""The document API: opaque bytes with a content type, by key.

:class:`~camshaft_kv.store.KVStore` implements it natively. Any other
:class:`camshaft.Store` — the core's ``memory`` store in particular — gets it through
:class:`StoreDocuments`, a thin adapter keeping each document as a record
``{key_field: key, "body": bytes, "content_type": str}``. :func:`documents_for` picks.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol, runtime_checkable

from camshaft.errors import NotFound, PreconditionFailed
from camshaft.plugin import Query, Record, Store

from .frames import Document
from .keys import check_content_type, check_key
from .query import key_order

__all__ = ["Document", "DocumentStore", "Put", "StoreDocuments", "documents_for"]


class Put(NamedTuple):
    """What ``put_document`` did: the stored document and whether the key was new."""

    document: Document
    created: bool


@runtime_checkable
class DocumentStore(Protocol):
    """Documents by key. Methods raise :class:`~camshaft.errors.BadRequest` for a bad key
    and write nothing when they raise."""

    def get_document(self, key: str) -> Document | None:
        """The document under ``key``, or None."""
        ...

    def put_document(
        self,
        key: str,
        body: bytes,
        content_type: str | None = None,
        *,
        expected_version: str | None = None,
        create_only: bool = False,
    ) -> Put:
        """Create or replace; :class:`~camshaft.errors.PreconditionFailed` when
        ``expected_version`` is not current (or the key is absent), or when
        ``create_only`` and the key exists."""
        ...

    def delete(self, key: str, *, expected_version: str | None = None) -> None:
        """Remove; :class:`~camshaft.errors.NotFound` when absent,
        :class:`~camshaft.errors.PreconditionFailed` on a version mismatch."""
        ...

    def keys(self) -> list[str]:
        """Every key, sorted (integers numerically, then by text)."""
        ...


class StoreDocuments:
    """The document API over a record :class:`camshaft.Store` (e.g. ``memory``)."""

    __slots__ = ("key_field", "store")

    def __init__(self, store: Store, key_field: str = "id") -> None:
        self.store = store
        self.key_field = key_field

    @staticmethod
    def _document(record: Record) -> Document | None:
        body, content_type = record.data.get("body"), record.data.get("content_type")
        if not isinstance(body, bytes) or not isinstance(content_type, str):
            return None  # a record that is not a document
        return Document(body, content_type, record.version or "")

    def get_document(self, key: str) -> Document | None:
        record = self.store.get(check_key(key))
        return None if record is None else self._document(record)

    def put_document(
        self,
        key: str,
        body: bytes,
        content_type: str | None = None,
        *,
        expected_version: str | None = None,
        create_only: bool = False,
    ) -> Put:
        check_key(key)
        row = {
            self.key_field: key,
            "body": bytes(body),
            "content_type": check_content_type(content_type),
        }
        if expected_version is not None and not create_only:
            try:
                record = self.store.replace(key, row, expected_version=expected_version)
            except NotFound:
                raise PreconditionFailed(f"No document with key {key!r} to match.") from None
            return Put(self._document_of(record), created=False)
        while True:
            # Create-only first, then replace: each step is atomic in the store; a delete
            # between the two (NotFound) sends us round again.
            try:
                record = self.store.replace(key, row, create_only=True)
                return Put(self._document_of(record), created=True)
            except PreconditionFailed:
                if create_only:
                    raise
            try:
                record = self.store.replace(key, row)
                return Put(self._document_of(record), created=False)
            except NotFound:
                continue

    def _document_of(self, record: Record) -> Document:
        document = self._document(record)
        assert document is not None  # we just wrote it as one
        return document

    def delete(self, key: str, *, expected_version: str | None = None) -> None:
        self.store.delete(check_key(key), expected_version=expected_version)

    def keys(self) -> list[str]:
        return sorted((record.key for record in self.store.list(Query())), key=key_order)


def documents_for(store: Store | DocumentStore, key_field: str = "id") -> DocumentStore:
    """The document API of ``store``: itself when it has one, else a :class:`StoreDocuments`."""
    if isinstance(store, DocumentStore):
        return store
    return StoreDocuments(store, key_field)
