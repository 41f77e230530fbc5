"""camshaft-orjson: the builtin JSON format, served by orjson.

It registers the format ``json`` and the parser for ``application/json``; installed
plugins are consulted before the builtins, so once installed it replaces the builtin
JSON format -- the example of an installed plugin overriding a builtin. Behaviour and
limits are the builtin's (see ``docs/formats/orjson.md`` for the few differences in
bytes).
"""

from __future__ import annotations

from camshaft import Emitter, Parser, hookimpl

from .decoding import parse
from .encoding import emit, stream

__all__ = ["EMITTER", "emit", "parse", "stream"]

EMITTER = Emitter(
    format="json",
    media_type="application/json",
    emit=emit,
    stream=stream,
    problem_media_type="application/problem+json",
)


@hookimpl
def camshaft_emitters() -> list[Emitter]:
    return [EMITTER]


@hookimpl
def camshaft_parsers() -> list[Parser]:
    return [Parser("application/json", parse, format="json")]
