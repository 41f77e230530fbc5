"""The default JSON emitter and parser (``application/json``): the shared codec
(:mod:`camshaft.plugin` ``json_emit``/``json_parse``) as a format plugin."""

from __future__ import annotations

from camshaft.plugin import Emitter, Parser, hookimpl, json_emit, json_parse, json_stream

EMITTER = Emitter(
    format="json",
    media_type="application/json",
    emit=json_emit,
    stream=json_stream,
    problem_media_type="application/problem+json",
)


@hookimpl(trylast=True)
def camshaft_emitters() -> list[Emitter]:
    return [EMITTER]


@hookimpl(trylast=True)
def camshaft_parsers() -> list[Parser]:
    # RFC 7396 JSON Merge Patch: JSON on the wire, applied by the default CRUD's PATCH.
    return [
        Parser("application/json", json_parse, format="json"),
        Parser("application/merge-patch+json", json_parse, format="json"),
    ]
