"""Safe YAML loading: plain data only, read by libyaml, resolved by the YAML 1.2 core schema.

The text is tokenised by libyaml (PyYAML's ``CParser``; PyYAML's pure-Python parser
where PyYAML was built without it) and the data is built here, one event at a time,
without PyYAML's composer, resolver or constructor:

* anchors (``&a``) and aliases (``*a``) are refused where they appear, so an alias bomb
  ("billion laughs") is refused at its first anchor instead of expanding;
* only the plain tags (``!!null``, ``!!bool``, ``!!int``, ``!!float``, ``!!str``,
  ``!!seq``, ``!!map``) are accepted; any other tag (``!!python/object``, ``!!binary``,
  ``!!timestamp``, ``!!set``, local ``!tags``) is refused;
* containers nesting deeper than ``max_depth`` are refused as they open, before they
  are built;
* mapping keys must be strings and unique; the body holds one document at most.

Plain (unquoted) scalars resolve by the YAML 1.2 core schema, as JSON would read them:
``null``/``Null``/``NULL``/``~``/empty, ``true``/``false`` (and their ``True``/``TRUE``
spellings), decimal, ``0o`` octal and ``0x`` hex integers, decimal floats, ``.inf`` and
``.nan``. Everything else is a string: ``yes``, ``no``, ``on``, ``off``, ``1:20`` (a
YAML 1.1 sexagesimal number), ``2024-01-01`` (a YAML 1.1 timestamp), ``0b101``, ``1_000``.
What the data then holds is checked by :func:`camshaft.plugin.check_value`, so ``.inf``,
``.nan`` and integers past 64 bits are a 400 naming the member.

Every refusal is a :class:`camshaft.errors.BadRequest` (400).
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from camshaft.errors import BadRequest
from camshaft.plugin import INT_LIMIT, check_value

__all__ = ["LIBYAML", "load", "resolve_plain"]

try:
    from yaml._yaml import CParser as _LibyamlParser  # what yaml.cyaml re-exports

    CParser: type[_LibyamlParser] | None = _LibyamlParser
except ImportError:  # PyYAML built without libyaml
    CParser = None

#: Whether libyaml does the tokenising (PyYAML built with it, as its wheels are).
LIBYAML = CParser is not None

_TAG = "tag:yaml.org,2002:"
_CONSTANTS: dict[str, Any] = {
    "": None,
    "~": None,
    **dict.fromkeys(("null", "Null", "NULL"), None),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), float("inf")),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), float("-inf")),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), float("nan")),
}
# Only a scalar starting with one of these can be anything but a string.
_MAYBE_NOT_STR = frozenset("0123456789+-.~nNtTfF")
_INF = float("inf")
_INT10 = re.compile(r"[-+]?[0-9]+")
_INT8 = re.compile(r"0o[0-7]+")
_INT16 = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")


def _unsafe(detail: str) -> BadRequest:
    return BadRequest(detail, title="Unsafe YAML")


def _malformed(detail: str) -> BadRequest:
    return BadRequest(detail, title="Malformed YAML")


def _too_deep(max_depth: int) -> BadRequest:
    return BadRequest(f"The body nests deeper than {max_depth} levels.", title="Too deeply nested")


def resolve_plain(text: str) -> Any:
    """The value of a plain scalar by the YAML 1.2 core schema (a string otherwise).

    :raises ValueError: an integer with more digits than Python converts.
    """
    if text and text[0] not in _MAYBE_NOT_STR:
        return text
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    if _INT10.fullmatch(text):
        return int(text, 10)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INT8.fullmatch(text):
        return int(text[2:], 8)
    if _INT16.fullmatch(text):
        return int(text[2:], 16)
    return text


# What an explicit plain tag makes of a scalar: the core schema's reading, which must
# be of the tag's type (``!!int "12"`` is 12; ``!!int "twelve"`` is a 400).
_SCALAR_TAGS: dict[str, tuple[type, ...]] = {
    _TAG + "null": (type(None),),
    _TAG + "bool": (bool,),
    _TAG + "int": (int,),
    _TAG + "float": (float, int),
}


def _scalar(event: ScalarEvent) -> Any:
    tag = event.tag
    if tag is None:
        return resolve_plain(event.value) if event.implicit[0] else event.value
    if tag == "!" or tag == _TAG + "str":
        return event.value
    kinds = _SCALAR_TAGS.get(tag)
    if kinds is None:
        raise _unsafe(f"YAML tag {tag!r} is not accepted; send plain data.")
    value = resolve_plain(event.value)
    if type(value) not in kinds:
        raise _malformed(f"{event.value[:40]!r} is not a valid {tag.removeprefix(_TAG)}.")
    return float(value) if kinds[0] is float else value


def _no_anchor(event: ScalarEvent | MappingStartEvent | SequenceStartEvent) -> None:
    if event.anchor is not None:
        raise _unsafe("YAML anchors are not accepted.")


def _container_tag_ok(event: MappingStartEvent | SequenceStartEvent) -> None:
    tag = event.tag
    if (
        tag is not None
        and tag != "!"
        and tag != _TAG + ("map" if type(event) is MappingStartEvent else "seq")
    ):
        raise _unsafe(f"YAML tag {tag!r} is not accepted; send plain data.")


_NO_KEY: Any = object()


def _build(next_event: Any, max_depth: int) -> tuple[Any, bool]:
    """The data of one node, built from parser events without recursion, and whether it
    may hold a number :func:`camshaft.plugin.check_value` refuses.

    This loop is most of a YAML body's cost in Python, so the common event (an untagged
    plain scalar that is a word) takes the fewest steps.
    """
    stack: list[tuple[Any, Any, bool]] = []  # the enclosing (container, key, is_map)
    top: Any = None  # the open container (None: none yet)
    key: Any = _NO_KEY  # in a mapping, the key waiting for its value
    is_map = False
    unsure = False
    while True:
        event = next_event()
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None:
                raise _unsafe("YAML anchors are not accepted.")
            value = event.value
            if event.tag is not None:
                value = _scalar(event)
                unsure = True
            elif event.implicit[0] and (not value or value[0] in _MAYBE_NOT_STR):
                value = resolve_plain(value)
                number = type(value)
                if number is int:
                    unsure = unsure or not -INT_LIMIT < value < INT_LIMIT
                elif number is float:
                    unsure = unsure or not -_INF < value < _INF
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            _no_anchor(event)
            _container_tag_ok(event)
            if len(stack) >= max_depth:
                raise _too_deep(max_depth)
            stack.append((top, key, is_map))
            is_map = kind is MappingStartEvent
            top = {} if is_map else []
            key = _NO_KEY
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value = top
            top, key, is_map = stack.pop()
        elif kind is AliasEvent:
            raise _unsafe("YAML aliases are not accepted.")
        else:  # the parser yields nothing else inside a document
            raise _malformed(f"Unexpected YAML {kind.__name__}.")
        if top is None:
            return value, unsure
        if not is_map:
            top.append(value)
        elif key is _NO_KEY:
            if type(value) is not str:
                raise _malformed(f"Mapping keys must be strings, got {type(value).__name__}.")
            if value in top:
                raise _malformed("The body repeats a mapping key.")
            key = value
        else:
            top[key] = value
            key = _NO_KEY


class _PurePythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python event parser, for a PyYAML built without libyaml."""

    def __init__(self, stream: str, max_depth: int) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        self._max_depth = max_depth

    def fetch_flow_collection_start(self, TokenClass: type) -> None:
        # The scanner reads ahead over a whole run of "[" or "{" (each might start a
        # key) before any event is built; stop at the limit, not at the body's end.
        super().fetch_flow_collection_start(TokenClass)
        if self.flow_level > self._max_depth:
            raise _too_deep(self._max_depth)


def _parser(text: str, max_depth: int) -> Any:
    if LIBYAML:
        assert CParser is not None  # LIBYAML says so
        return CParser(text)
    return _PurePythonParser(text, max_depth)


def _document(parser: Any, max_depth: int) -> Any:
    next_event = parser.get_event
    if type(next_event()) is not StreamStartEvent:
        raise _malformed("The body is not a YAML stream.")
    event = next_event()
    if type(event) is StreamEndEvent:
        return None  # an empty body, or only comments
    if type(event) is not DocumentStartEvent:
        raise _malformed("The body is not a YAML document.")
    data, unsure = _build(next_event, max_depth)
    if type(next_event()) is not DocumentEndEvent:
        raise _malformed("The body's document does not end where expected.")
    if type(next_event()) is not StreamEndEvent:
        raise _malformed("The body must hold a single document.")
    # libyaml refuses lone surrogates and reads UTF-8 text, so only a number found
    # out of range needs the walk (which names it); PyYAML's own parser lets a
    # "\ud800" escape through, so its data is always walked.
    if unsure or not LIBYAML:
        check_value(data)
    return data


def load(body: bytes, max_depth: int) -> Any:
    """Parse one YAML document (UTF-8 text) into plain data.

    :raises BadRequest: the body is not UTF-8 YAML, holds several documents, breaks a
        rule above, or holds a value :func:`camshaft.plugin.check_value` refuses.
    """
    try:
        # UTF-8 only (RFC 9512 allows no other encoding for application/yaml).
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _malformed(f"The body is not UTF-8: {exc}") from None
    parser = _parser(text, max_depth)
    try:
        return _document(parser, max_depth)
    except yaml.YAMLError as exc:
        # libyaml's scanner reads ahead over a run of "[" and stops at its own limit
        # (1000 levels) before our count of events sees the 33rd.
        if "maximum nesting depth" in str(getattr(exc, "problem", "")):
            raise _too_deep(max_depth) from None
        raise _malformed(f"The body is not valid YAML: {exc}") from None
    except ValueError as exc:  # e.g. an integer past Python's digit limit
        raise _malformed(f"The body is not acceptable YAML: {exc}") from None
    finally:
        parser.dispose()
