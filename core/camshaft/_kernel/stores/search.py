"""``?search=``: text search over the members a handler declares in ``search``.

``search = ("name", "email")`` on a store-backed handler lets a collection GET take
``?search=ann lee``: the items where each term (the text split at white space) is found,
ignoring case, in the name or the email. It combines with filters (all must hold) and is
refused, when the app is built, over a store that cannot search or over members that are
not text, so a search is never silently ignored.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from camshaft._kernel.stores.base import (
    MAX_SEARCH_LENGTH,
    MAX_SEARCH_TERMS,
    Search,
    StoreBackend,
)
from camshaft.errors import BadRequest, ConfigurationError

if TYPE_CHECKING:
    from camshaft._kernel.handler import Handler

__all__ = [
    "CONTROL",
    "SEARCH_PARAMETER",
    "SEARCH_PATTERN",
    "check_search",
    "is_text_field",
    "parse_search",
    "search_fields",
]

#: What a search text may not hold: C0 and C1 control characters; ``SEARCH_PATTERN``
#: says the same in the OpenAPI document (ECMA 262 syntax).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SEARCH_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"

#: The query parameter a handler with ``search`` answers to.
SEARCH_PARAMETER = "search"


def search_fields(cls: type[Handler]) -> tuple[str, ...]:
    """The members ``cls`` searches (its ``search`` attribute); empty when it has none."""
    return tuple(getattr(cls, "search", ()) or ())


def is_text_field(model: Any, name: str) -> bool:
    """Whether ``name`` holds text (``contains`` and search apply); true without a
    model, which says nothing about types (nor does a member that may hold several)."""
    field = getattr(model, "by_name", {}).get(name)
    kind = getattr(field, "type", None) if field is not None else None
    if kind is None:  # no model, or a field of the builtin Model as written
        from camshaft.models import StringField

        return field is None or isinstance(field, StringField)
    return kind in ("string", "")


def check_search(cls: type[Handler], backend: StoreBackend, model: Any) -> None:
    """Refuse a ``search`` declaration the request path could not honour.

    :raises ConfigurationError: ``search`` is not a tuple of member names, names a member
        the model does not have or that is not text, or the store cannot search; the
        message names the handler.
    """
    declared = getattr(cls, "search", ())
    if not declared:
        return
    if isinstance(declared, str) or not all(isinstance(n, str) and n for n in declared):
        raise ConfigurationError(
            f"{cls.__name__}.search must be a tuple of member names, such as "
            f'("name", "email"); got {declared!r}'
        )
    if not backend.searches:
        raise ConfigurationError(
            f"{cls.__name__}.search: the {backend.name!r} store cannot search "
            "(its StoreBackend does not declare searches=True)"
        )
    fields = getattr(model, "by_name", None)
    for name in declared:
        if fields is not None and name not in fields:
            raise ConfigurationError(
                f"{cls.__name__}.search names {name!r}, which its model does not have"
            )
        if not is_text_field(model, name):
            raise ConfigurationError(
                f"{cls.__name__}.search names {name!r}, which does not hold text"
            )


def parse_search(texts: list[str], fields: tuple[str, ...]) -> Search | None:
    """The :class:`Search` for every ``?search=`` value given (their terms all apply);
    None when they hold no term.

    :raises BadRequest: a value longer than :data:`MAX_SEARCH_LENGTH` or holding a
        control character, or more than :data:`MAX_SEARCH_TERMS` terms in all.
    """
    terms: dict[str, None] = {}
    for text in texts:
        if len(text) > MAX_SEARCH_LENGTH:
            raise BadRequest(
                f"Query parameter 'search' is longer than {MAX_SEARCH_LENGTH} characters.",
                title="Invalid search",
            )
        if CONTROL.search(text):
            raise BadRequest(
                "Query parameter 'search' holds a control character.", title="Invalid search"
            )
        terms.update(dict.fromkeys(text.split()))
    if len(terms) > MAX_SEARCH_TERMS:
        raise BadRequest(
            f"Query parameter 'search' holds {len(terms)} terms; at most "
            f"{MAX_SEARCH_TERMS} are allowed.",
            title="Invalid search",
        )
    return Search(fields, tuple(terms)) if terms else None
