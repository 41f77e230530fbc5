"""Shaping: turning what handlers return into the plain data every emitter writes.

Built once per endpoint (:func:`shaper_for`, when the app is assembled): the handler's
``fields`` and ``exclude`` are compiled into a :class:`Shaper`. Per request, the kernel
calls :meth:`Shaper.bind`, which checks the client's ``?fields=`` and returns a plain
function applied to each item (lazily, item by item, for a stream) and the column order
for tabular formats. Shaping happens before emission, so every format carries exactly
the same members.

Handler attributes read here (all optional):

- ``fields``: the members to emit, in order; nested tuples for related objects; names of
  handler methods for computed members (see :mod:`camshaft.fieldspec`).
- ``exclude``: names and compiled patterns never emitted, at any depth.
- ``links``: ``False`` switches off the ``url`` member items carry (on by default for
  handlers with automatic item routes).

How objects become data is :mod:`camshaft.representation`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from camshaft._kernel.handler import default_resource_name
from camshaft._kernel.routing.nesting import link_template
from camshaft._kernel.shaping.fieldspec import (
    Field,
    Keep,
    columns,
    compile_exclude,
    compile_fields,
    parse_selection,
    select,
)
from camshaft._kernel.shaping.representation import (
    MANY,
    MISSING,
    OBJECT,
    SCALAR_TYPES,
    get_member,
    inspect,
    members,
    plain,
)
from camshaft.errors import BadRequest

if TYPE_CHECKING:
    from camshaft._kernel.request import Request
    from camshaft._kernel.routing import RouteGroup

__all__ = ["LINK_MEMBER", "Shaper", "columns_for", "shaper_for", "to_plain"]

#: The member carrying an item's own absolute URL.
LINK_MEMBER = "url"

Shape = Callable[[Any], Any]


def to_plain(obj: Any) -> Any:
    """Any object as plain data, every public member included (no spec applied)."""
    return plain(obj)


class Shaper:
    """A handler's compiled shaping.

    :ivar handler: the handler class.
    :ivar fields: the compiled ``fields`` spec, or None when the handler declares none.
    :ivar keep: the compiled ``exclude`` (true for names to keep), or None.
    :ivar item_path: ``"/events/"`` when items get a ``url`` link, else None.
    """

    __slots__ = (
        "_bound",
        "_declared_columns",
        "_link_is_data",
        "_needs_instance",
        "fields",
        "handler",
        "item_path",
        "keep",
    )

    def __init__(
        self,
        handler: type,
        fields: tuple[Field, ...] | None,
        keep: Keep | None,
        item_path: str | None,
    ) -> None:
        self.handler = handler
        self.fields = fields
        self.keep = keep
        # A member the handler itself calls "url" is data: no link is added over it.
        self._link_is_data = fields is not None and any(f.name == LINK_MEMBER for f in fields)
        self.item_path = None if self._link_is_data else item_path
        self._declared_columns = self._columns(fields, None, self.item_path is not None)
        self._needs_instance = fields is not None and _needs_instance(fields)
        # Bound shapes by (client selection, link prefix): building one per request made
        # garbage the cyclic collector had to find. Bounded, since both are client-chosen.
        self._bound: dict[tuple[tuple[str, ...], str | None], tuple[Shape, Any]] = {}

    def __call__(self, request: Request, obj: Any) -> Any:
        """Shape one object for ``request`` (prefer :meth:`bind` for many)."""
        return self.bind(request)[0](obj)

    def columns(self) -> tuple[str, ...] | None:
        """Declared column order (without a client selection), or None."""
        return self._declared_columns

    def bind(self, request: Request) -> tuple[Shape, tuple[str, ...] | None]:
        """The shaping of ``request``'s items and their column order.

        Call once per request, before emitting: the ``?fields=`` check happens here, so a
        bad selection is a 400 before any byte of a stream is sent.

        :return: ``(shape, columns)``: ``shape(obj)`` gives plain data for one item;
            ``columns`` are dotted member paths in order, or None when unknown.
        :raises BadRequest: ``?fields=`` names a member outside what the handler allows.
        """
        raw = request.args.getlist("fields") if request.environ.get("QUERY_STRING") else ()
        prefix = self._link_prefix(request) if self.item_path is not None else None
        key = (tuple(raw), prefix)
        found = self._bound.get(key)
        if found is not None:
            return found
        shape, cols, cacheable = self._bind(request, raw, prefix)
        if cacheable and len(self._bound) < _MAX_BOUND:
            self._bound[key] = (shape, cols)
        return shape, cols

    def whole(self, request: Request) -> Shape:
        """The shaping of ``request``'s items as if the client selected no fields (for
        items embedded in another resource's, which ``?fields=`` does not address)."""
        prefix = self._link_prefix(request) if self.item_path is not None else None
        key = ((), prefix)
        found = self._bound.get(key)
        if found is not None:
            return found[0]
        shape, cols, cacheable = self._bind(request, (), prefix)
        if cacheable and len(self._bound) < _MAX_BOUND:
            self._bound[key] = (shape, cols)
        return shape

    def _bind(
        self, request: Request, raw: list[str] | tuple[()], prefix: str | None
    ) -> tuple[Shape, tuple[str, ...] | None, bool]:
        """:meth:`bind` uncached; the flag says whether the shape may be kept (not when
        it holds a handler instance made for this request)."""
        fields = self.fields
        link = prefix is not None
        only: frozenset[str] | None = None
        order: tuple[str, ...] | None = None
        if raw:
            tree = parse_selection(list(raw))
            if link:
                wanted = tree.pop(LINK_MEMBER, None)
                if wanted is not None and wanted is not True:
                    raise BadRequest(
                        f"Field {LINK_MEMBER!r} is a link; it has no sub-fields.",
                        title="Invalid field selection",
                    )
                link = wanted is True
            if fields is not None:
                also = (LINK_MEMBER,) if self.item_path is not None else ()
                fields = select(fields, tree, also=also) if tree else ()
            else:
                order = self._check_undeclared(tree)
                only = frozenset(order)
        cols = self._columns(fields, order, link) if raw else self._declared_columns
        prefix = prefix if link else None
        key_field: str = self.handler.key_field  # type: ignore[attr-defined]
        if fields is None:
            return _UndeclaredShape(self.keep, only, prefix, key_field), cols, True
        if self._needs_instance and _needs_instance(fields):
            instance = self.handler(request)
            return _DeclaredShape(fields, self.keep, instance, prefix, key_field), cols, False
        return _DeclaredShape(fields, self.keep, None, prefix, key_field), cols, True

    # -------------------------------------------------------------- per request

    def _check_undeclared(self, tree: dict[str, Any]) -> tuple[str, ...]:
        """Top-level names a client may select when the handler declares no ``fields``:
        any name not excluded; nothing nested (there is no spec to check a path against)."""
        for name, sub in tree.items():
            if sub is not True:
                raise BadRequest(
                    f"Field {name!r} has no sub-fields to select from; ask for it whole.",
                    title="Invalid field selection",
                )
            if self.keep is not None and not self.keep(name):
                raise BadRequest(
                    f"Field {name!r} cannot be selected.", title="Invalid field selection"
                )
        return tuple(tree)

    @staticmethod
    def _columns(
        fields: tuple[Field, ...] | None, order: tuple[str, ...] | None, link: bool
    ) -> tuple[str, ...] | None:
        names = columns(fields) if fields is not None else list(order or ())
        if fields is None and order is None:
            return None
        return (*names, LINK_MEMBER) if link and LINK_MEMBER not in names else tuple(names)

    def _link_prefix(self, request: Request) -> str:
        # Keep a version the client chose in the URL, so the link answers the same version.
        version = "/v" + request.version if request.url_version else ""
        path = self.item_path
        if path is not None and "{" in path:  # nested: the parents' keys from the path
            path = fill_template(path, request.params)
        return f"{request.base_url}{version}{path}"


_MAX_BOUND = 256


def _needs_instance(fields: tuple[Field, ...]) -> bool:
    return any(f.needs_instance for f in fields)


class _DeclaredShape:
    """Shapes one object by a handler's ``fields`` (a class, not a closure: a recursive
    closure is a reference cycle, left for the cyclic collector on every request)."""

    __slots__ = ("fields", "instance", "keep", "key_field", "prefix")

    def __init__(
        self,
        fields: tuple[Field, ...],
        keep: Keep | None,
        instance: Any,
        prefix: str | None,
        key_field: str,
    ) -> None:
        self.fields = fields
        self.keep = keep
        self.instance = instance
        self.prefix = prefix
        self.key_field = key_field

    def __call__(self, obj: Any) -> Any:
        kind, view = inspect(obj)
        if kind != OBJECT:
            return [self(item) for item in obj] if kind == MANY else obj
        out = _fill(obj, view, self.fields, self.keep, self.instance, 1)
        if self.prefix is not None:
            _add_link(out, obj, view, self.key_field, self.prefix)
        return out


class _UndeclaredShape:
    """Shapes one object of a handler without ``fields``: every member not excluded, or
    those the client selected."""

    __slots__ = ("keep", "key_field", "only", "prefix", "unfiltered")

    def __init__(
        self, keep: Keep | None, only: frozenset[str] | None, prefix: str | None, key_field: str
    ) -> None:
        self.keep = keep
        self.only = only
        self.prefix = prefix
        self.key_field = key_field
        self.unfiltered = only is None and keep is None

    def __call__(self, obj: Any) -> Any:
        prefix = self.prefix
        if self.unfiltered and type(obj) is dict:  # the common case: a handler's own dict
            out = {
                name: value if type(value) in SCALAR_TYPES else plain(value, None, 1)
                for name, value in obj.items()
            }
            if prefix is not None:
                _add_link(out, obj, obj, self.key_field, prefix)
            return out
        keep, only = self.keep, self.only
        kind, view = inspect(obj)
        if kind != OBJECT:
            return [self(item) for item in obj] if kind == MANY else plain(obj, keep)
        out = {
            name: value if type(value) in SCALAR_TYPES else plain(value, keep, 1)
            for name, value in (view.items() if view is not None else members(obj))
            if (only is None or name in only) and (keep is None or keep(name))
        }
        if prefix is not None:
            _add_link(out, obj, view, self.key_field, prefix)
        return out


#: Keys made only of unreserved characters (RFC 3986) need no quoting: the common case.
_URL_SAFE = re.compile(r"[A-Za-z0-9._~-]+")


def _fill(
    obj: Any,
    view: Mapping[str, Any] | None,
    fields: tuple[Field, ...],
    keep: Keep | None,
    instance: Any,
    depth: int,
) -> dict[str, Any]:
    """The members ``fields`` name, read from ``obj``; absent members are left out."""
    out: dict[str, Any] = {}
    for field in fields:
        name, compute = field.name, field.compute
        if compute is not None:
            value = compute(instance, obj) if field.needs_instance else compute(obj)
        else:
            value = view.get(name, MISSING) if view is not None else get_member(obj, None, name)
            if value is MISSING:
                continue
        if field.children is not None:
            out[name] = _nested(value, field.children, keep, depth)
        elif type(value) in SCALAR_TYPES:  # most members: no call needed
            out[name] = value
        else:
            out[name] = plain(value, keep, depth)
    return out


def _nested(value: Any, fields: tuple[Field, ...], keep: Keep | None, depth: int) -> Any:
    """A related object (or list of them) shaped by its nested spec."""
    kind, view = inspect(value)
    if kind == OBJECT:
        return _fill(value, view, fields, keep, None, depth + 1)
    if kind == MANY:
        return [_nested(item, fields, keep, depth + 1) for item in value]
    return value


def _add_link(
    out: dict[str, Any], obj: Any, view: Mapping[str, Any] | None, key_field: str, prefix: str
) -> None:
    if LINK_MEMBER in out:  # the object's own "url" member is data; never overwrite it
        return
    key = get_member(obj, view, key_field)
    if key is not MISSING and key is not None:
        text = str(key)
        out[LINK_MEMBER] = prefix + (text if _URL_SAFE.fullmatch(text) else quote(text, safe=""))


def fill_template(template: str, params: Mapping[str, Any]) -> str:
    """``"/authors/{author}/posts/"`` with the path parameters put in, each quoted."""
    return template.format_map({name: quote(str(value), safe="") for name, value in params.items()})


def shaper_for(handler: type, *, items: Mapping[str, RouteGroup] | None = None) -> Shaper:
    """Compile a handler's ``fields``, ``exclude`` and ``links`` (once, at build time).

    :param handler: the handler class.
    :param items: the app's item route groups by resource name; items get a ``url`` link
        only when this handler serves one of them (and ``links`` is not false).
    :raises ConfigurationError: ``fields`` or ``exclude`` is malformed, or ``fields``
        names an excluded member.
    """
    keep = compile_exclude(handler)
    fields = compile_fields(handler, keep)
    item_path = None
    nested = link_template(handler) if getattr(handler, "parent", None) is not None else None
    if nested is not None:
        item_path = nested if items is not None and getattr(handler, "links", True) else None
    elif items is not None and getattr(handler, "links", True):
        name = getattr(handler, "resource_name", None) or default_resource_name(handler)
        group = items.get(name)
        if group is not None and any(e.handler is handler for e in group.versions.values()):
            item_path = f"/{name}/"
    return Shaper(handler, fields, keep, item_path)


def columns_for(handler: type) -> tuple[str, ...] | None:
    """Dotted field paths in the handler's declared order, when it declares fields."""
    return shaper_for(handler).columns()
