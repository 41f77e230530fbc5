"""Emitters and parsers: the descriptors emission plugins register.

An :class:`Emitter` turns shaped data (dicts, lists, scalars, and the few rich scalars
each format documents: datetime, date, UUID, Decimal, Enum, bytes) into bytes. A
:class:`Parser` turns a request body into data, within :class:`ParseLimits`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["EmitContext", "Emitter", "ParseLimits", "Parser", "ResourceContext"]


@dataclass(frozen=True, slots=True)
class ResourceContext:
    """The response around the data, for a format that shows more than the data (a page
    with links, the methods a client may use, forms built from the model).

    The kernel builds one per response only for an emitter that sets
    :attr:`Emitter.wants_resource`; every other format pays nothing for it.

    :ivar base_url: the app's absolute URL, without a trailing slash
        (``"http://host/api"``); every URL the app writes starts with it.
    :ivar path: the request path, as the app routes it (``"/addresses/"``).
    :ivar query: the raw query string, without ``?``.
    :ivar status: the response status.
    :ivar kind: ``"collection"``, ``"item"`` or ``"custom"``; ``""`` when no route matched.
    :ivar methods: the methods the resource serves, as its ``Allow`` header lists them.
    :ivar headers: the response headers set so far, in order (``Link``, ``ETag``,
        ``Location``, ``X-Total-Count`` ...).
    :ivar model: the handler's :class:`camshaft.models.Model` class, or None.
    :ivar key_field: the member holding an item's key (``"id"``).
    """

    base_url: str
    path: str
    query: str = ""
    status: int = 200
    kind: str = ""
    methods: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    model: Any = None
    key_field: str = "id"

    def header(self, name: str) -> str | None:
        """The first response header called ``name`` (any case), or None."""
        name = name.lower()
        return next((v for n, v in self.headers if n.lower() == name), None)


@dataclass(frozen=True, slots=True)
class EmitContext:
    """What an emitter may want to know beyond the data.

    :ivar many: the data is a collection (a list, or the items of a stream).
    :ivar columns: dotted field paths in the handler's declared order, when the handler
        declares ``fields`` (a tabular format uses them for stable column order).
    :ivar problem: the data is a problem details document.
    :ivar resource: the response around the data, for an emitter that sets
        :attr:`Emitter.wants_resource` (None for every other emitter).
    """

    many: bool = False
    columns: tuple[str, ...] | None = None
    problem: bool = False
    resource: ResourceContext | None = None


@dataclass(frozen=True, slots=True)
class Emitter:
    """A response format.

    :ivar format: the name clients use in ``?format=`` (``"json"``).
    :ivar media_type: the Content-Type it produces, without parameters.
    :ivar emit: ``emit(data, ctx) -> bytes`` for a whole document.
    :ivar stream: ``stream(items, ctx) -> Iterator[bytes]`` writing a collection piece by
        piece without holding it; ``None`` when the format cannot stream.
    :ivar problem_media_type: the Content-Type of problem documents in this format
        (``application/problem+json``); ``None`` renders problems with ``media_type``.
    :ivar charset: added to Content-Type for text formats (``"utf-8"``).
    :ivar wants_resource: the emitter reads :attr:`EmitContext.resource` (built per
        response, so only a format that shows it should ask).
    :ivar headers: headers every response in this format carries (a page's
        ``Content-Security-Policy``); the kernel adds them after the emitter ran.
    """

    format: str
    media_type: str
    emit: Callable[[Any, EmitContext], bytes]
    stream: Callable[[Iterable[Any], EmitContext], Iterator[bytes]] | None = None
    problem_media_type: str | None = None
    charset: str | None = None
    wants_resource: bool = False
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """Limits every parser enforces: body bytes (checked by the kernel before parsing)
    and nesting depth of containers (checked by the parser, without recursion errors).

    :ivar setting: the setting that sets ``max_body_size`` (named in the 413).
    """

    max_body_size: int = 1024 * 1024
    max_depth: int = 32
    setting: str = "max_body_size"


@dataclass(frozen=True, slots=True)
class Parser:
    """A request body format.

    :ivar media_type: the Content-Type it accepts, without parameters.
    :ivar parse: ``parse(body, limits) -> data``; raises :class:`camshaft.errors.BadRequest`
        (never anything else) for a body it cannot accept. What it returns must pass
        :func:`camshaft.plugin.check_value` (a parser calls it unless its own rules
        already guarantee it).
    :ivar format: the name of its ``body_limits`` setting (``"yaml"``); ``""`` for none.
    :ivar max_body_size: its default body limit when lower than ``max_body_size`` (a
        format that costs more to parse than JSON keeps bodies smaller); ``None`` for
        ``max_body_size`` itself.
    :ivar many: it always parses to a list (one item per line or row: NDJSON, CSV); the
        OpenAPI document lists it only on operations that take a list body.
    """

    media_type: str
    parse: Callable[[bytes, ParseLimits], Any]
    format: str = ""
    max_body_size: int | None = None
    many: bool = False
