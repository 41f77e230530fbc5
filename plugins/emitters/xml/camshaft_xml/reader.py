"""XML parsing with defusedxml: the inverse of :mod:`camshaft_xml.writer`.

DTDs (so every entity declaration), entity references and external references are
refused, each a 400. The document is read as a stream of start/end events: nesting is
checked at each start tag, before anything deep is built, and each element is turned
into data and cleared as soon as it ends, so memory stays proportional to the data.

An element's value, by its ``type`` attribute: ``null`` -> None, ``bool`` (``true``,
``false``, ``1``, ``0``), ``int``, ``float`` (finite), ``str``, ``list`` (children in
order, whatever their names), ``dict`` (children by name, or by their ``key``
attribute). Without ``type``: an element with child elements is a dict, else its text
(possibly ``""``). Namespaces are ignored; text between child elements is ignored.
"""

from __future__ import annotations

import io
import math
import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from camshaft.errors import BadRequest
from camshaft.plugin import check_value

__all__ = ["load"]

_INT = re.compile(r"[+-]?[0-9]+\Z")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_BOOLS = {"true": True, "1": True, "false": False, "0": False}

Child = tuple[str, str | None, Any]  # local name, key attribute, value


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _bad(detail: str) -> BadRequest:
    return BadRequest(detail, title="Malformed XML")


def _scalar(kind: str, text: str, name: str) -> Any:
    stripped = text.strip()
    if kind == "null":
        if stripped:
            raise _bad(f'<{name} type="null"> must be empty.')
        return None
    if kind == "bool":
        if stripped not in _BOOLS:
            raise _bad(f'<{name} type="bool"> must be true or false, got {stripped!r}.')
        return _BOOLS[stripped]
    if kind == "int":
        if not _INT.match(stripped):
            raise _bad(f'<{name} type="int"> is not an integer: {stripped[:40]!r}.')
        return int(stripped)  # ValueError past Python's digit limit: caught by load()
    if kind == "float":
        if not _FLOAT.match(stripped) or not math.isfinite(number := float(stripped)):
            raise _bad(f'<{name} type="float"> is not a finite number: {stripped[:40]!r}.')
        return number
    if kind == "str":
        return text
    raise _bad(f"<{name}> has unknown type {kind!r}.")


def _value(elem: Element, children: list[Child]) -> Any:
    name = _local(elem.tag)
    kind = elem.get("type")
    text = elem.text or ""
    if kind == "list":
        return [value for _, _, value in children]
    if kind == "dict" or (kind is None and children):
        out: dict[str, Any] = {}
        for child_name, key, value in children:
            member = child_name if key is None else key
            if member in out:
                raise _bad(f"<{name}> repeats member {member!r}.")
            out[member] = value
        return out
    if children:
        raise _bad(f'<{name} type="{kind}"> must not have child elements.')
    return text if kind is None else _scalar(kind, text, name)


def load(body: bytes, max_depth: int) -> Any:
    """The data the document element of ``body`` carries.

    :raises BadRequest: malformed XML, a DTD/entity/external reference, nesting deeper
        than ``max_depth`` containers, values that break the mapping, or a value
        :func:`camshaft.plugin.check_value` refuses.
    """
    # The document element and each scalar leaf are elements too: max_depth containers
    # nest at most max_depth + 1 elements.
    max_elements = max_depth + 1
    stack: list[list[Child]] = []
    result: Any = None
    try:
        events = iterparse(
            io.BytesIO(body),
            events=("start", "end"),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        )
        for event, elem in events:
            if event == "start":
                stack.append([])
                if len(stack) > max_elements:
                    raise BadRequest(
                        f"The body nests deeper than {max_depth} levels.",
                        title="Too deeply nested",
                    )
                continue
            children = stack.pop()
            value = _value(elem, children)
            if stack:
                stack[-1].append((_local(elem.tag), elem.get("key"), value))
            else:
                result = value
            elem.clear()  # keep memory flat: the element's data now lives in `value`
    except DefusedXmlException as exc:
        raise BadRequest(
            f"The body uses a forbidden XML feature: {exc}", title="Unsafe XML"
        ) from None
    except ParseError as exc:
        raise _bad(f"The body is not well-formed XML: {exc}") from None
    except ValueError as exc:
        raise _bad(f"The body holds an unacceptable value: {exc}") from None
    except LookupError as exc:  # <?xml encoding="..."?> naming no codec Python knows
        raise _bad(f"The body declares an unknown encoding: {exc}") from None
    check_value(result)  # e.g. an int past 64 bits
    return result
