"""XML emission: a stable mapping of plain data onto elements.

The mapping (documented in ``docs/formats/xml.md``; :mod:`camshaft_xml.reader` is its
inverse):

* the document element is ``<response>``; a problem document is RFC 9457's
  ``<problem xmlns="urn:ietf:rfc:7807">``;
* a mapping is an element whose children are its members, in order, each named after its
  key; a key that is not a safe XML name (``[A-Za-z_][A-Za-z0-9._-]*``, not starting with
  ``xml``) becomes ``<item key="...">``; an empty mapping carries ``type="dict"``;
* a list is an element with ``type="list"`` whose children are ``<item>`` elements;
* a string is text; an int, float or bool is text with ``type="int"``, ``"float"`` or
  ``"bool"`` (``true``/``false``); None is an empty element with ``type="null"``;
* rich scalars are written as the builtin JSON emitter writes them (ISO 8601, base64...);
* characters XML 1.0 cannot carry (most C0 controls, lone surrogates, U+FFFE/U+FFFF)
  become U+FFFD; a carriage return is written ``&#13;`` so that it survives parsing;
* every element has a start and an end tag (never ``<x/>``), so a streamed collection is
  byte for byte the same as a whole one.

Problem documents follow RFC 9457 Appendix B instead: no ``type`` attributes, and array
members as ``<i>`` elements.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from camshaft.plugin import EmitContext, json_default

__all__ = ["PROBLEM_NAMESPACE", "ROOT", "emit", "is_xml_name", "stream"]

ROOT = "response"
ITEM = "item"
PROBLEM_ROOT = "problem"
PROBLEM_ITEM = "i"
PROBLEM_NAMESPACE = "urn:ietf:rfc:7807"
PROLOG = '<?xml version="1.0" encoding="utf-8"?>\n'

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*\Z")
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#9;",
    }
)


def is_xml_name(key: str) -> bool:
    """Whether ``key`` is written as an element name (else as ``<item key="...">``)."""
    return _NAME.match(key) is not None and key[:3].lower() != "xml"


def _text(value: str) -> str:
    return _ILLEGAL.sub("\ufffd", value).translate(_TEXT)


def _attr(value: str) -> str:
    return _ILLEGAL.sub("\ufffd", value).translate(_ATTR)


def _plain(obj: Any) -> Any:
    """Containers and base scalars as they are; everything else as JSON writes it."""
    if isinstance(obj, enum.Enum):
        return _plain(obj.value)
    if obj is None or isinstance(obj, str | bool | int | float | Mapping | list | tuple):
        return obj
    return _plain(json_default(obj))


class _Writer:
    __slots__ = ("item", "out", "typed")

    def __init__(self, typed: bool) -> None:
        self.typed = typed
        self.item = ITEM if typed else PROBLEM_ITEM
        self.out: list[str] = []

    def element(self, tag: str, attrs: str, value: Any) -> None:
        """Append ``<tag attrs ...>value</tag>``; ``attrs`` is pre-rendered (or '')."""
        out = self.out
        value = _plain(value)
        kind = ""
        if value is None:
            kind, body = "null", ""
        elif isinstance(value, bool):
            kind, body = "bool", "true" if value else "false"
        elif isinstance(value, int):
            kind, body = "int", str(int(value))
        elif isinstance(value, float):
            kind, body = "float", repr(float(value))
        elif isinstance(value, str):
            body = _text(value)
        elif isinstance(value, Mapping):
            kind = "" if value else "dict"
            out.append(f"<{tag}{attrs}{self._type(kind)}>")
            for key, member in value.items():
                key = key if isinstance(key, str) else str(key)
                if is_xml_name(key):
                    self.element(key, "", member)
                else:
                    self.element(self.item, f' key="{_attr(key)}"', member)
            out.append(f"</{tag}>")
            return
        else:  # list or tuple
            out.append(f"<{tag}{attrs}{self._type('list')}>")
            for member in value:
                self.element(self.item, "", member)
            out.append(f"</{tag}>")
            return
        out.append(f"<{tag}{attrs}{self._type(kind)}>{body}</{tag}>")

    def _type(self, kind: str) -> str:
        return f' type="{kind}"' if kind and self.typed else ""


def emit(data: Any, ctx: EmitContext) -> bytes:
    """One XML document for ``data`` (UTF-8, with an XML declaration)."""
    if ctx.problem:
        writer = _Writer(typed=False)
        writer.element(PROBLEM_ROOT, f' xmlns="{PROBLEM_NAMESPACE}"', data)
    else:
        writer = _Writer(typed=True)
        writer.element(ROOT, "", data)
    return (PROLOG + "".join(writer.out)).encode("utf-8")


def stream(items: Iterable[Any], ctx: EmitContext) -> Iterator[bytes]:
    """``<response type="list">`` written one ``<item>`` at a time (the bytes of
    :func:`emit` for the whole list). A stream cut short lacks ``</response>`` and so is
    not well-formed: a client's parser notices."""
    yield f'{PROLOG}<{ROOT} type="list">'.encode()
    for item in items:
        writer = _Writer(typed=True)
        writer.element(ITEM, "", item)
        yield "".join(writer.out).encode("utf-8")
    yield f"</{ROOT}>".encode()
