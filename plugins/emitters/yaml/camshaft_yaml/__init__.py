"""camshaft-yaml: the ``yaml`` format (``application/yaml``), emitted and safely parsed.

Emitting: safe representers only, keys in the order given, collections streamed as a
block sequence. Parsing (``application/yaml`` and ``application/x-yaml``): plain data
only, read by libyaml and resolved by the YAML 1.2 core schema — anchors, aliases,
object-building tags, nesting past ``max_depth``, ``.inf``/``.nan`` and integers past 64
bits are each a 400 problem (see :mod:`camshaft_yaml.loader`).
"""

from __future__ import annotations

from typing import Any

from camshaft import Emitter, ParseLimits, Parser, hookimpl

from .dumper import SafeYamlDumper, emit, stream
from .loader import load

__all__ = ["EMITTER", "SafeYamlDumper", "parse"]

#: The default body limit (``body_limits.yaml`` changes it): YAML costs more to
#: parse than JSON, byte for byte, so its bodies are kept smaller.
MAX_BODY_SIZE = 256 * 1024

MEDIA_TYPE = "application/yaml"


def parse(body: bytes, limits: ParseLimits) -> Any:
    """Parse a YAML request body within ``limits``; every refusal is a 400."""
    return load(body, limits.max_depth)


# RFC 9457 registers no YAML problem type, so problems are served as application/yaml.
EMITTER = Emitter(format="yaml", media_type=MEDIA_TYPE, emit=emit, stream=stream, charset=None)


@hookimpl
def camshaft_emitters() -> list[Emitter]:
    return [EMITTER]


@hookimpl
def camshaft_parsers() -> list[Parser]:
    return [
        Parser(t, parse, format="yaml", max_body_size=MAX_BODY_SIZE)
        for t in (MEDIA_TYPE, "application/x-yaml")
    ]
