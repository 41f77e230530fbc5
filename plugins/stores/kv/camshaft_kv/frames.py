"""One stored entry as bytes: a magic line, a JSON header line, then the body verbatim.

The content type and version travel in the same bytes as the body, so a single atomic
write (a rename, or one dbm value) stores all three: there is no sidecar to tear apart.
The header repeats the key (file names are hashes, and a hash collision must not return
another key's document) and the body's length (a truncated entry is detected, not served).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import BinaryIO

__all__ = ["MAGIC", "CorruptEntry", "Document", "decode", "encode", "read_key"]

MAGIC = b"camshaft-kv/1\n"
#: Longest header line read back; a key's and a content type's worst case fit with room.
_MAX_HEADER = 8192


class CorruptEntry(Exception):
    """A stored entry cannot be decoded: damaged on disk or written by something else.

    Not a client's fault, so the kernel answers 500 and logs it.
    """


@dataclass(frozen=True, slots=True)
class Document:
    """Opaque bytes with their media type and the version of this write (a strong ETag)."""

    body: bytes
    content_type: str
    version: str


def encode(key: str, document: Document) -> bytes:
    """The bytes stored for ``key``."""
    header = json.dumps(
        {
            "key": key,
            "content_type": document.content_type,
            "version": document.version,
            "length": len(document.body),
        },
        separators=(",", ":"),
    ).encode("ascii")
    return b"".join((MAGIC, header, b"\n", document.body))


def _header(line: bytes, where: str) -> dict[str, object]:
    try:
        header = json.loads(line)
    except ValueError:
        raise CorruptEntry(f"{where}: unreadable header") from None
    if not isinstance(header, dict) or not isinstance(header.get("key"), str):
        raise CorruptEntry(f"{where}: malformed header")
    return header


def decode(frame: bytes, key: str) -> Document:
    """The document stored for ``key`` in ``frame``.

    :raises CorruptEntry: the frame is damaged, truncated or belongs to another key.
    """
    where = f"entry {key!r}"
    if not frame.startswith(MAGIC):
        raise CorruptEntry(f"{where}: not a camshaft-kv entry")
    line, sep, body = frame[len(MAGIC) :].partition(b"\n")
    if not sep:
        raise CorruptEntry(f"{where}: truncated header")
    header = _header(line, where)
    if header["key"] != key:
        raise CorruptEntry(f"{where}: holds key {header['key']!r}")
    content_type, version = header.get("content_type"), header.get("version")
    if not isinstance(content_type, str) or not isinstance(version, str):
        raise CorruptEntry(f"{where}: malformed header")
    if header.get("length") != len(body):
        raise CorruptEntry(f"{where}: body is {len(body)} bytes, header says {header['length']}")
    return Document(body, content_type, version)


def read_key(stream: BinaryIO, where: str) -> str:
    """The key an entry belongs to, reading only its header from ``stream``.

    :raises CorruptEntry: the entry does not start with a readable header.
    """
    if stream.read(len(MAGIC)) != MAGIC:
        raise CorruptEntry(f"{where}: not a camshaft-kv entry")
    line = stream.readline(_MAX_HEADER)
    if not line.endswith(b"\n"):
        raise CorruptEntry(f"{where}: truncated header")
    return str(_header(line, where)["key"])
