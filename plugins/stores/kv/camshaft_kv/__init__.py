"""camshaft-kv: key-value stores for Camshaft — documents and JSON records by key, in
one file per key (``file``) or a dbm database (``shelve``), safe across processes.

Entry point ``kv``: settings section ``[kv]`` (``backend``, ``root``) and the store
``kv`` handlers name in ``store = "kv"``.
"""

from .documents import Document, DocumentStore, Put, StoreDocuments, documents_for
from .file_backend import FileBackend
from .frames import CorruptEntry
from .keys import check_content_type, check_key
from .plugin import camshaft_settings_spec, camshaft_stores, open_store
from .shelve_backend import ShelveBackend
from .store import KVStore

__all__ = [
    "CorruptEntry",
    "Document",
    "DocumentStore",
    "FileBackend",
    "KVStore",
    "Put",
    "ShelveBackend",
    "StoreDocuments",
    "camshaft_settings_spec",
    "camshaft_stores",
    "check_content_type",
    "check_key",
    "documents_for",
    "open_store",
]
