"""Streaming: a handler's iterator or query, shaped and emitted item by item.

Two promises (see docs/streaming.md):

- **Constant memory.** Items are pulled, shaped and encoded one at a time; nothing holds
  the collection.
- **A failed stream never looks complete.** The first item is pulled *before* the
  response starts, so an error raised by a generator's or a query's first step (a bad
  filter, an unreachable database, a ``NotFound``) is still an ordinary problem
  response. An error after that is logged and re-raised into the WSGI server, which
  aborts the connection: under HTTP/1.1 chunked encoding the terminating chunk is never
  sent, so every client sees an incomplete body (and a JSON array stays unterminated).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any

__all__ = ["StreamBody", "start_stream"]

logger = logging.getLogger("camshaft")


def start_stream(source: Iterable[Any], shape: Callable[[Any], Any]) -> Iterator[Any]:
    """``source``'s items, shaped lazily, with the first one pulled and shaped now.

    Any exception of the first step propagates to the caller (the kernel renders it).
    """
    iterator = iter(source)
    for first in iterator:
        return chain((shape(first),), map(shape, iterator))
    return iter(())


class StreamBody:
    """A WSGI response iterable over an emitter's chunks.

    ``close()`` (which WSGI servers call when the response ends, fails, or the client
    goes away; the kernel calls it for HEAD) closes the chunks and then the source, so a
    generator's ``finally`` and a database cursor are released at once, not whenever
    the garbage collector gets to them.
    """

    __slots__ = ("_chunks", "_closed", "_sources", "what")

    def __init__(self, chunks: Iterator[bytes], *sources: object, what: str = "") -> None:
        self._chunks = chunks
        self._sources = sources
        self._closed = False
        self.what = what

    def __iter__(self) -> Iterator[bytes]:
        # A generator relaying the chunks: resuming one costs less than a call of the
        # Python-level __next__ below, once per chunk of a long stream.
        return self._relay()

    def _relay(self) -> Iterator[bytes]:
        try:
            yield from self._chunks
        except Exception:
            logger.exception(
                "Error in the middle of the streamed response to %s; the response is "
                "incomplete and the server will abort the connection",
                self.what or "a request",
            )
            raise

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except StopIteration:
            raise
        except Exception:
            # Re-raised, never swallowed: ending the body here would let the server
            # finish it cleanly, and a truncated CSV or NDJSON body would look complete.
            logger.exception(
                "Error in the middle of the streamed response to %s; the response is "
                "incomplete and the server will abort the connection",
                self.what or "a request",
            )
            raise

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for obj in (self._chunks, *self._sources):
            close = getattr(obj, "close", None)
            if close is None:
                continue
            try:
                close()
            except Exception:  # the other sources must still be closed
                logger.exception("Closing the source of a streamed response failed")
