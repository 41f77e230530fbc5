"""Field specs: a handler's ``fields`` and ``exclude``, compiled once, and the client's
``?fields=`` selection checked against them.

A spec is a tuple whose entries are a member name (``"title"``) or a pair of a name and
a nested spec for a related object or a list of them (``("author", ("username",))``).
A name that is a method of the handler (classmethod, staticmethod or plain method,
Piston's ``content_size``) is a computed member: called with the object. An empty nested
spec (``("author", ())``) means the whole related object, like a bare name.

``exclude`` lists names and compiled regular expressions; a name is excluded when it is
listed or a pattern finds a match in it (``re.search``), at every depth, and exclusion
always wins over ``fields``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from camshaft._kernel.handler import Handler
from camshaft._kernel.routing.actions import METHOD_ACTIONS
from camshaft.errors import BadRequest, ConfigurationError

__all__ = ["Field", "Keep", "columns", "compile_exclude", "compile_fields", "parse_selection"]

Keep = Callable[[str], bool]
#: A selection tree from ``?fields=``: name -> True (all of it) or a nested tree.
Selection = dict[str, Any]

# Handler methods that are actions, never computed members.
_ACTIONS = frozenset(METHOD_ACTIONS) | frozenset(METHOD_ACTIONS.values())
#: At most this many names in one ``?fields=`` (each is a lookup; keep the work bounded).
MAX_SELECTED = 200


@dataclass(frozen=True, slots=True)
class Field:
    """One compiled entry of a ``fields`` spec.

    :ivar name: the member name in the output (and in the object, unless computed).
    :ivar children: the nested spec for a related object or list; None for the whole value.
    :ivar compute: for a computed member, ``compute(obj)``, or ``compute(handler, obj)``
        when ``needs_instance`` (a plain method, called on a handler made for the request).
    """

    name: str
    children: tuple[Field, ...] | None = None
    compute: Callable[..., Any] | None = None
    needs_instance: bool = False


def compile_exclude(handler: type) -> Keep | None:
    """The handler's ``exclude`` as a predicate that is true for names to keep; None
    when nothing is excluded.

    :raises ConfigurationError: an entry is neither a string nor a compiled pattern.
    """
    spec = getattr(handler, "exclude", None) or ()
    if isinstance(spec, str | re.Pattern):
        spec = (spec,)
    names: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for entry in spec:
        if isinstance(entry, str):
            names.add(entry)
        elif isinstance(entry, re.Pattern) and isinstance(entry.pattern, str):
            patterns.append(entry)
        else:
            raise ConfigurationError(
                f"{handler.__name__}.exclude entries must be names or compiled str "
                f"patterns (re.compile(...)), got {entry!r}"
            )
    if not names and not patterns:
        return None
    frozen = frozenset(names)
    if not patterns:
        return lambda name: name not in frozen
    searches = tuple(p.search for p in patterns)

    def keep(name: str) -> bool:
        if name in frozen:
            return False
        return not isinstance(name, str) or not any(search(name) for search in searches)

    return keep


def compile_fields(handler: type, keep: Keep | None) -> tuple[Field, ...] | None:
    """The handler's ``fields`` compiled; None when it declares none (or an empty spec).

    :raises ConfigurationError: the spec is malformed, names a member twice, uses a name
        that ``?fields=`` could not address (``.``, ``,``), or names an excluded member.
    """
    spec = getattr(handler, "fields", None)
    if not spec:
        return None
    return _compile(handler, spec, keep, handler.__name__ + ".fields", top=True)


def _compile(
    handler: type, spec: Any, keep: Keep | None, where: str, *, top: bool
) -> tuple[Field, ...]:
    if isinstance(spec, str) or not isinstance(spec, Sequence):
        raise ConfigurationError(f"{where} must be a tuple of names, got {spec!r}")
    out: list[Field] = []
    seen: set[str] = set()
    for entry in spec:
        children: tuple[Field, ...] | None = None
        if isinstance(entry, str):
            name = entry
        elif (
            isinstance(entry, Sequence)
            and len(entry) == 2
            and isinstance(entry[0], str)
            and not isinstance(entry[1], str)
        ):
            name = entry[0]
            nested = _compile(handler, entry[1], keep, f"{where}[{name!r}]", top=False)
            children = nested or None
        else:
            raise ConfigurationError(
                f"{where}: entries are names or (name, (nested, ...)) pairs, got {entry!r}"
            )
        if not name or "." in name or "," in name:
            raise ConfigurationError(f"{where}: {name!r} is not a usable field name")
        if name in seen:
            raise ConfigurationError(f"{where} names {name!r} twice")
        if keep is not None and not keep(name):
            raise ConfigurationError(
                f"{where} names {name!r}, which {handler.__name__}.exclude excludes"
            )
        seen.add(name)
        compute, needs_instance = _computed(handler, name) if top else (None, False)
        out.append(Field(name, children, compute, needs_instance))
    return tuple(out)


def _computed(handler: type, name: str) -> tuple[Callable[..., Any] | None, bool]:
    """A handler method named ``name`` (defined below :class:`Handler`), as
    ``(callable, needs_instance)``; ``(None, False)`` when there is none."""
    if name in _ACTIONS:
        return None, False
    for klass in handler.__mro__:
        if klass is Handler or klass is object:
            break
        if name in vars(klass):
            attr = vars(klass)[name]
            if isinstance(attr, classmethod | staticmethod):
                return getattr(handler, name), False
            if callable(attr) and not isinstance(attr, type):
                return attr, True
            return None, False
    return None, False


def columns(fields: Iterable[Field], prefix: str = "") -> list[str]:
    """Dotted paths of the leaves of a spec, in declared order (``author.username``)."""
    out: list[str] = []
    for field in fields:
        if field.children:
            out.extend(columns(field.children, f"{prefix}{field.name}."))
        else:
            out.append(prefix + field.name)
    return out


def parse_selection(values: Iterable[str]) -> Selection:
    """``?fields=title,author.username`` (possibly repeated) as a selection tree.

    :raises BadRequest: no name at all, an empty path segment, or too many names.
    """
    tree: Selection = {}
    count = 0
    for value in values:
        for raw in value.split(","):
            path = raw.strip()
            if not path:
                continue
            count += 1
            if count > MAX_SELECTED:
                raise BadRequest(
                    f"Query parameter 'fields' may name at most {MAX_SELECTED} fields.",
                    title="Invalid field selection",
                )
            parts = path.split(".")
            if not all(parts):
                raise BadRequest(
                    f"Field {path!r} in query parameter 'fields' has an empty segment.",
                    title="Invalid field selection",
                )
            node = tree
            for part in parts[:-1]:
                sub = node.get(part)
                if sub is True:  # the whole member is selected already
                    break
                node = node.setdefault(part, {})
            else:
                node[parts[-1]] = True
    if not tree:
        raise BadRequest(
            "Query parameter 'fields' names no field.", title="Invalid field selection"
        )
    return tree


def select(
    fields: tuple[Field, ...], tree: Selection, prefix: str = "", also: tuple[str, ...] = ()
) -> tuple[Field, ...]:
    """The declared ``fields`` narrowed to the selection, in declared order (``also``:
    other selectable names, listed in the error message).

    :raises BadRequest: the selection names a field the spec does not declare (the
        response would otherwise silently differ from what was asked, or reveal more).
    """
    by_name = {field.name: field for field in fields}
    for name, sub in tree.items():
        field = by_name.get(name)
        if field is None:
            raise BadRequest(
                f"Field {prefix + name!r} cannot be selected; available: "
                f"{', '.join([*(prefix + f.name for f in fields), *also])}.",
                title="Invalid field selection",
            )
        if sub is not True and field.children is None:
            raise BadRequest(
                f"Field {prefix + name!r} has no sub-fields to select from; "
                f"ask for {prefix + name!r} whole.",
                title="Invalid field selection",
            )
    out = []
    for field in fields:
        sub = tree.get(field.name)
        if sub is True:
            out.append(field)
        elif sub is not None:
            assert field.children is not None
            children = select(field.children, sub, f"{prefix}{field.name}.")
            out.append(Field(field.name, children, field.compute, field.needs_instance))
    return tuple(out)
