"""camshaft-xml: the ``xml`` format (``application/xml``), emitted and parsed safely.

Emitting follows the stable mapping of :mod:`camshaft_xml.writer`, and streams
collections; problem documents are ``application/problem+xml`` (RFC 9457 Appendix B).
Parsing (``application/xml``, ``text/xml``) is done with defusedxml (see
:mod:`camshaft_xml.reader`): DTDs, entities and external references are a 400.
"""

from __future__ import annotations

from typing import Any

from camshaft import Emitter, ParseLimits, Parser, hookimpl

from .reader import load
from .writer import emit, is_xml_name, stream

__all__ = ["EMITTER", "is_xml_name", "parse"]

#: The default body limit (``body_limits.xml`` changes it): XML costs more to
#: parse than JSON, byte for byte, so its bodies are kept smaller.
MAX_BODY_SIZE = 256 * 1024

MEDIA_TYPE = "application/xml"


def parse(body: bytes, limits: ParseLimits) -> Any:
    """Parse an XML request body within ``limits``; every refusal is a 400."""
    return load(body, limits.max_depth)


EMITTER = Emitter(
    format="xml",
    media_type=MEDIA_TYPE,
    emit=emit,
    stream=stream,
    problem_media_type="application/problem+xml",
)


@hookimpl
def camshaft_emitters() -> list[Emitter]:
    return [EMITTER]


@hookimpl
def camshaft_parsers() -> list[Parser]:
    return [
        Parser(t, parse, format="xml", max_body_size=MAX_BODY_SIZE)
        for t in (MEDIA_TYPE, "text/xml")
    ]
