"""The kv store: documents (bytes with a content type) and records (JSON objects) by key.

One :class:`KVStore` serves one resource over one backend. It implements two contracts:

- the document API (:class:`camshaft_kv.DocumentStore`): ``get_document``,
  ``put_document``, ``delete``, ``keys`` — raw bytes, what the docstore example serves;
- the kernel's :class:`camshaft.Store` protocol: records are JSON objects stored as
  ``application/json`` documents, so a handler with ``store = "kv"`` gets default CRUD.

Every write checks its expected version inside the backend's exclusive lock, after
reading the current entry under that same lock (compare-and-swap), and each write
gets a fresh random version.
"""

from __future__ import annotations

import builtins
import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from camshaft.errors import BadRequest, Conflict, NotFound, PreconditionFailed
from camshaft.plugin import Query, Record, replacement, writable_members

from . import frames
from .backend import Backend, Session
from .documents import Put
from .frames import Document
from .keys import check_content_type, check_key
from .query import key_order, select

__all__ = ["JSON", "KVStore"]

JSON = "application/json"


def _new_version() -> str:
    return secrets.token_hex(8)


def _to_json(data: Mapping[str, Any]) -> bytes:
    try:
        return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"The record cannot be stored as JSON: {exc}.") from None


class KVStore:
    """A :class:`camshaft.Store` and a document store over ``backend``.

    :param backend: where entries live (:class:`~camshaft_kv.file_backend.FileBackend`,
        :class:`~camshaft_kv.shelve_backend.ShelveBackend`).
    :param key_field: the record member that holds the key (``"id"``).
    :param model: the handler's model: a replace keeps the members it does not let a
        client write (read-only fields, members outside it).

    Every method validates keys with :func:`camshaft_kv.keys.check_key` and raises
    :class:`~camshaft.errors.BadRequest` for a bad one; entries damaged on disk raise
    :class:`~camshaft_kv.frames.CorruptEntry`.
    """

    __slots__ = ("_writable", "backend", "key_field")

    def __init__(self, backend: Backend, key_field: str = "id", model: Any = None) -> None:
        self.backend = backend
        self.key_field = key_field
        self._writable = writable_members(model)

    # ------------------------------------------------------------------ documents

    def get_document(self, key: str) -> Document | None:
        """The document stored under ``key``, or None."""
        check_key(key)
        with self.backend.reading() as session:
            frame = session.read(key)
        return None if frame is None else frames.decode(frame, key)

    def put_document(
        self,
        key: str,
        body: bytes,
        content_type: str | None = None,
        *,
        expected_version: str | None = None,
        create_only: bool = False,
    ) -> Put:
        """Store ``body`` under ``key``, creating or replacing it.

        :param content_type: the media type to serve it with (``application/octet-stream``
            when empty).
        :param expected_version: write only if this is the current version (If-Match).
        :param create_only: write only if ``key`` is free (``If-None-Match: *``).
        :return: the stored document and whether it was created.
        :raises PreconditionFailed: the version does not match, the key is absent while
            a version is expected, or it exists while ``create_only``.
        :raises BadRequest: a bad key or content type.
        """
        check_key(key)
        document = Document(bytes(body), check_content_type(content_type), _new_version())
        with self.backend.writing() as session:
            old = session.read(key)
            if create_only and old is not None:
                raise PreconditionFailed(f"A document with key {key!r} already exists.")
            if expected_version is not None:
                if old is None:
                    raise PreconditionFailed(f"No document with key {key!r} to match.")
                if frames.decode(old, key).version != expected_version:
                    raise PreconditionFailed("The document has changed since that version.")
            session.write(key, frames.encode(key, document))
        return Put(document, created=old is None)

    def keys(self) -> list[str]:
        """Every key, sorted (integers numerically first, then by text)."""
        with self.backend.reading() as session:
            keys = session.keys()
        return sorted(keys, key=key_order)

    def delete(self, key: str, *, expected_version: str | None = None) -> None:
        """Remove ``key``'s document or record.

        :raises NotFound: nothing is stored under ``key``.
        :raises PreconditionFailed: ``expected_version`` is not the current version.
        """
        self._write(key, lambda _old: None, expected_version=expected_version)

    # ------------------------------------------------------------------ records

    def _record(self, key: str, frame: bytes) -> Record:
        document = frames.decode(frame, key)
        data: Any = None
        if document.content_type.split(";")[0].strip().lower() == JSON:
            try:
                data = json.loads(document.body)
            except ValueError:
                data = None
        if not isinstance(data, dict):
            # A document that is not a JSON object shows as a description of itself.
            data = {
                self.key_field: key,
                "content_type": document.content_type,
                "length": len(document.body),
            }
        return Record(key, data, document.version)

    def _write(
        self,
        key: str,
        change: Callable[[Record], dict[str, Any] | None],
        *,
        expected_version: str | None = None,
    ) -> Record:
        """Apply ``change`` to the current record under the lock: its result is the new
        data, or None to delete. Returns the new record (the old one when deleted)."""
        check_key(key)
        with self.backend.writing() as session:
            frame = session.read(key)
            if frame is None:
                raise NotFound(f"No record with key {key!r}.")
            old = self._record(key, frame)
            if expected_version is not None and expected_version != old.version:
                raise PreconditionFailed("The record has changed since that version.")
            new = change(old)
            if new is None:
                session.remove(key)
                return old
            return self._put(session, key, new)

    def _put(self, session: Session, key: str, data: dict[str, Any]) -> Record:
        version = _new_version()
        session.write(key, frames.encode(key, Document(_to_json(data), JSON, version)))
        return Record(key, data, version)

    def get(self, key: str) -> Record | None:
        check_key(key)
        with self.backend.reading() as session:
            frame = session.read(key)
        return None if frame is None else self._record(key, frame)

    def _all(self) -> list[Record]:
        with self.backend.reading() as session:
            return [self._record(key, frame) for key, frame in session.frames()]

    def list(self, query: Query) -> Iterable[Record]:
        return select(self._all(), query)[0]

    def count(self, query: Query) -> int:
        if not query.filters and query.search is None:
            with self.backend.reading() as session:
                return len(session.keys())
        return select(self._all(), Query(filters=query.filters, search=query.search))[1]

    def create(self, data: Mapping[str, Any], key: str | None = None) -> Record:
        """Store a new record. Its key is ``key``, else its ``key_field`` member, else the
        next number of a counter kept in the backend (never reused after a delete).

        :raises Conflict: the key is taken.
        """
        new = dict(data)
        with self.backend.writing() as session:
            if key is None and new.get(self.key_field) is None:
                number = session.next_id()
                while session.read(str(number)) is not None:
                    number = session.next_id()
                new[self.key_field] = number
            if key is None:
                key = str(new[self.key_field])
            new.setdefault(self.key_field, key)
            check_key(key)
            if session.read(key) is not None:
                raise Conflict(f"A record with key {key!r} already exists.")
            return self._put(session, key, new)

    def create_many(self, items: Sequence[Mapping[str, Any]]) -> builtins.list[Record]:
        """Create every item or none, under one hold of the write lock: every key is
        chosen and checked (taken, or repeated in ``items``) before anything is written.

        :raises Conflict: a key is taken or repeated; nothing was written.
        """
        with self.backend.writing() as session:
            planned: list[tuple[str, dict[str, Any]]] = []
            keys: set[str] = set()
            for data in items:
                new = dict(data)
                if new.get(self.key_field) is None:
                    number = session.next_id()
                    while session.read(str(number)) is not None or str(number) in keys:
                        number = session.next_id()
                    new[self.key_field] = number
                key = str(new[self.key_field])
                check_key(key)
                if key in keys or session.read(key) is not None:
                    raise Conflict(f"A record with key {key!r} already exists.")
                keys.add(key)
                planned.append((key, new))
            return [self._put(session, key, new) for key, new in planned]

    def replace(
        self,
        key: str,
        data: Mapping[str, Any],
        *,
        expected_version: str | None = None,
        create_only: bool = False,
    ) -> Record:
        if create_only:
            check_key(key)
            with self.backend.writing() as session:
                if session.read(key) is not None:
                    raise PreconditionFailed(f"A record with key {key!r} already exists.")
                return self._put(session, key, {self.key_field: key, **data})
        return self._write(
            key,
            lambda old: replacement(
                old.data, data, self._writable, self.key_field, old.data.get(self.key_field, key)
            ),
            expected_version=expected_version,
        )

    def patch(
        self, key: str, changes: Mapping[str, Any], *, expected_version: str | None = None
    ) -> Record:
        return self._write(
            key,
            lambda old: {**old.data, **changes, self.key_field: old.data.get(self.key_field, key)},
            expected_version=expected_version,
        )
