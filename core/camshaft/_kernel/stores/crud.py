"""Default CRUD for handlers that name a ``store``: what a handler does not define itself.

Each function has a handler method's signature, so the router treats it like one.

- **Validation.** When the handler names a ``model``, create and replace validate the
  whole body and patch the members sent (``validate`` of the model's adapter:
  :class:`camshaft.plugin.AdaptedModel`).
- **Filters and ordering.** ``GET /<plural>/?age__gte=30&order=-age,name`` filters and
  orders, but only on what the handler allows in ``filters`` and ``ordering``; values
  are converted by the model's field types. A filter or order the handler does not allow,
  or a value that does not convert, is a 400 naming the parameter (see :func:`query_for`).
  ``?search=`` searches the members the handler lists in ``search``
  (:mod:`camshaft._kernel.stores.search`), and is a 400 on a handler without any.
- **Conditional requests** (RFC 9110 §13, :mod:`camshaft._kernel.conditional`).
  Responses carry a strong ``ETag`` per representation of the record's version, and
  ``Last-Modified`` when the store knows it. ``If-Match`` (one tag, a list, or ``*``),
  ``If-None-Match`` and ``If-Unmodified-Since`` on writes are evaluated after
  authorization and end in a compare-and-swap on the stored version (412 when false;
  428 when If-Match is missing and ``concurrency.require_if_match`` is true);
  ``If-None-Match: *`` on PUT means create-only; GET answers 304 / 412.
- **Per-object authorization.** When the handler declares ``permissions`` (or a plugin
  implements ``camshaft_authorize``), reading, replacing, patching and deleting one
  record first call ``handler.authorize(action, record.data)`` on the record as stored
  (403, or 404 with ``auth.hide_forbidden``); the write then expects the version that
  was authorized, so a record changed in between is checked again, never written
  unchecked. Without either, nothing is read before a write (one statement).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from camshaft._kernel.auth.authorization import checks_objects
from camshaft._kernel.conditional import Current, Preconditions, conditional_write
from camshaft._kernel.handler import Handler, Result
from camshaft._kernel.stores.base import (
    FILTER_OPERATORS,
    MAX_IN_VALUES,
    Filter,
    Query,
    Record,
    Store,
)
from camshaft._kernel.stores.conversion import convert
from camshaft._kernel.stores.parents import belongs, parent_value, same_key
from camshaft._kernel.stores.relations import attach, related_collection, relations_of
from camshaft._kernel.stores.search import (
    SEARCH_PARAMETER,
    is_text_field,
    parse_search,
    search_fields,
)
from camshaft._kernel.stores.visibility import owner_fields, visible
from camshaft.errors import (
    BadRequest,
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    ValidationError,
)

__all__ = ["StoreCollection", "defaults_for", "query_for"]

#: Query parameters that belong to pagination, negotiation, versioning and shaping: never
#: taken for filters even when a field has that name.
RESERVED_PARAMETERS = frozenset(
    {
        "order",
        "format",
        "page",
        "per_page",
        "offset",
        "limit",
        "cursor",
        "fields",
        "exclude",
        "embed",
    }
)


class StoreCollection:
    """A store query as a paginatable :class:`~camshaft.pagination.Collection`.

    :param counted: whether the paginator will ask for :meth:`count` too (the
        ``pagination.count`` setting is not ``"off"``). A store offering
        ``page(query) -> (rows, total)`` then reads a window and the total together, and
        :meth:`count` answers from that; a store without it is asked separately.
    """

    __slots__ = ("_counted", "_total", "query", "store")

    def __init__(self, store: Store, query: Query, *, counted: bool = False) -> None:
        self.store = store
        self.query = query
        self._counted = counted
        self._total: int | None = None

    def count(self) -> int:
        if self._total is None:
            self._total = self.store.count(self.query)
        return self._total

    def estimate(self) -> int | None:
        """About :meth:`count`, when the store offers ``estimate(query)``; else None."""
        estimate = getattr(self.store, "estimate", None)
        return None if estimate is None else estimate(self.query)

    def window(self, offset: int, limit: int) -> Iterable[Any]:
        query = replace(self.query, offset=offset, limit=limit)
        if self._counted and self._total is None:
            page = getattr(self.store, "page", None)
            if page is not None:
                rows, self._total = page(query)
                return rows  # type: ignore[no-any-return]
        # A store may offer rows(query): the data alone, without building Records.
        rows = getattr(self.store, "rows", None)
        if rows is not None:
            return rows(query)  # type: ignore[no-any-return]
        return [record.data for record in self.store.list(query)]


def _store(handler: Handler) -> Store:
    return handler.request.app.stores[type(handler)]


def _model(handler: Handler, store: Store) -> Any:
    """The handler's adapted model, else the one a store derives from its schema
    (``store.model``), resolved when the app was built."""
    return handler.request.app.model_for(type(handler))


def _etag(record: Record) -> dict[str, str]:
    return {"ETag": f'"{record.version}"'} if record.version is not None else {}


# --------------------------------------------------------------------------- query string


def _filter(model: Any, name: str, op: str, text: str, param: str) -> Filter:
    if op == "in":
        texts = [t for t in text.split(",") if t]
        if len(texts) > MAX_IN_VALUES:
            raise BadRequest(
                f"Query parameter {param!r} lists {len(texts)} values; at most "
                f"{MAX_IN_VALUES} are allowed.",
                title="Invalid filter",
            )
        return Filter(name, op, [convert(model, name, t, param) for t in texts])
    if op == "isnull":
        lowered = text.strip().lower()
        if lowered not in ("true", "false", "1", "0"):
            raise BadRequest(
                f"Query parameter {param!r} must be true or false.", title="Invalid filter"
            )
        return Filter(name, op, lowered in ("true", "1"))
    if op == "contains":
        if not is_text_field(model, name):
            raise BadRequest(
                f"Query parameter {param!r}: 'contains' applies to text fields only.",
                title="Invalid filter",
            )
        return Filter(name, op, text)
    return Filter(name, op, convert(model, name, text, param))


def _order(text: str, allowed: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    order = []
    for part in text.split(","):
        part = part.strip()
        name = part.removeprefix("-")
        if not name:
            continue
        if name not in allowed:
            shown = ", ".join(allowed) or "none"
            raise BadRequest(
                f"Ordering by {name!r} is not allowed; allowed: {shown}.", title="Invalid order"
            )
        order.append((name, part.startswith("-")))
    return tuple(order)


def query_for(handler: Handler, model: Any = None) -> Query:
    """The :class:`Query` a collection GET asks for, from its query string.

    A parameter ``<field>`` (equality) or ``<field>__<op>`` (``op`` one of
    :data:`camshaft.stores.FILTER_OPERATORS`) filters when ``field`` is in the handler's
    ``filters``; ``order`` lists fields from its ``ordering``, ``-`` for descending.
    Parameters that name neither a model field nor an operator are left to others
    (pagination, shaping, ...), or, with the ``strict_query`` setting, refused when no
    one reads them (a typo such as ``?nmae=bob`` would otherwise return everything).

    :raises BadRequest: a filter on a field not allowed, an unknown operator on an allowed
        field, an order not allowed, or a value its field cannot convert; the message
        names the parameter and never contains SQL.
    """
    request = handler.request
    if not request.environ.get("QUERY_STRING"):
        return Query()
    known = _known_parameters(handler)
    cls = type(handler)
    if model is None:
        model = request.app.model_for(cls)
    allowed: tuple[str, ...] = tuple(getattr(cls, "filters", ()) or ())
    fields = getattr(model, "by_name", {})
    filters: list[Filter] = []
    order: tuple[tuple[str, bool], ...] = ()
    searched = search_fields(cls)
    for param, text in request.args.items(multi=True):
        if param in RESERVED_PARAMETERS:
            if param == "order":
                order = _order(text, tuple(getattr(cls, "ordering", ()) or ()))
            continue
        if param == SEARCH_PARAMETER and (searched or "search" not in allowed):
            if not searched:  # never ignored: a client would take everything for matches
                raise BadRequest(
                    "Query parameter 'search' is not supported by this resource.",
                    title="Invalid filter",
                )
            continue
        name, sep, op = param.partition("__")
        if not sep:
            op = "eq"
        elif op not in FILTER_OPERATORS:
            if name in allowed or name in fields:
                raise BadRequest(
                    f"Unknown filter operator {op!r} in {param!r}; "
                    f"use one of: {', '.join(sorted(FILTER_OPERATORS))}.",
                    title="Invalid filter",
                )
            if known is not None and param not in known:
                raise _unknown(param, allowed, known)
            continue
        if name not in allowed:
            if sep or name in fields:
                raise BadRequest(
                    f"Filtering on {name!r} is not allowed; allowed: "
                    f"{', '.join(allowed) or 'none'}.",
                    title="Invalid filter",
                )
            if known is not None and param not in known:
                raise _unknown(param, allowed, known)
            continue
        filters.append(_filter(model, name, op, text, param))
    search = parse_search(request.args.getlist(SEARCH_PARAMETER), searched) if searched else None
    return Query(tuple(filters), order, search=search)


def _known_parameters(handler: Handler) -> frozenset[str] | None:
    """With the ``strict_query`` setting, the query parameters a collection GET
    understands besides filters (None: lenient, anything else is ignored)."""
    app = handler.request.app
    if not app.settings["strict_query"]:
        return None
    known = set(RESERVED_PARAMETERS)
    if search_fields(type(handler)):
        known.add(SEARCH_PARAMETER)
    if "query" in app.versions.strategies:
        known.add(app.versions.query)
    for paginator in app.paginators.values():
        known.update(paginator.parameters)
    return frozenset(known)


def _unknown(param: str, allowed: tuple[str, ...], known: frozenset[str]) -> BadRequest:
    filters = ", ".join(allowed) or "none"
    return BadRequest(
        f"Unknown query parameter {param!r}; filters: {filters}; "
        f"others: {', '.join(sorted(known))}.",
        title="Unknown query parameter",
    )


# --------------------------------------------------------------------------- preconditions


def _preconditions(handler: Handler, *, create_only_ok: bool = False) -> Preconditions:
    """The request's preconditions (400 when If-Match / If-None-Match is malformed).

    :raises PreconditionRequired: no If-Match entity tag while
        ``concurrency.require_if_match`` is true (a create-only PUT is exempt).
    """
    pre = Preconditions.of(handler.request)
    if handler.request.app.settings["concurrency"]["require_if_match"]:
        tagged = pre.if_match is not None and not pre.if_match.star_tag
        if not tagged and not (create_only_ok and pre.create_only):
            raise PreconditionRequired(
                "This write must be conditional: send If-Match with the ETag you last read."
            )
    return pre


# --------------------------------------------------------------------------- input


def _mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise BadRequest("The request body must be an object.")
    return data


def _clean(
    handler: Handler, store: Store, data: Any, *, partial: bool, key: str | None = None
) -> Any:
    """The body validated by the handler's model (as it is without one).

    On replace, a key member equal to the URL's key is accepted and dropped (clients send
    back what they read); any other value for it is a 400, like every read-only field.
    """
    model = _model(handler, store)
    data = _mapping(data)
    allow: tuple[str, ...] = ()
    parent_field = type(handler).parent_field if type(handler).parent is not None else None
    if parent_field is not None:
        data = _with_parent(handler, data, parent_field, partial=partial)
        allow = (parent_field,)
    if model is None:
        return data
    key_field = type(handler).key_field
    if key is not None and key_field in data and str(data[key_field]) == key:
        allow = (*allow, key_field)
    return model.validate(data, partial=partial, allow=allow)


def _with_parent(
    handler: Handler, data: Mapping[str, Any], field: str, *, partial: bool
) -> Mapping[str, Any]:
    """A nested child's body with its parent field set from the path (a patch that does
    not send it leaves it alone).

    :raises NotFound: the parent does not exist.
    :raises BadRequest: the body names another parent: a child is created under, and
        stays with, the parent of its URL.
    """
    value = parent_value(handler.request)
    if field in data and not same_key(data[field], value):
        raise BadRequest(
            f"{field!r} must be {value!r}, the parent in the URL; a child cannot name or "
            "move to another parent.",
            title="Invalid parent",
        )
    if partial and field not in data:
        return data
    return {**data, field: value}


def _child(handler: Handler, store: Store, key: str) -> None:
    """On a nested route, refuse (404) a record that belongs to another parent, and a
    missing parent; a missing record is left to the write."""
    if type(handler).parent is None:
        return
    parent_value(handler.request)
    record = store.get(key)
    if record is not None and not belongs(handler.request, record.data):
        raise NotFound(_missing(handler, key))


# --------------------------------------------------------------------------- writes


def _write(
    handler: Handler,
    store: Store,
    key: str,
    action: str,
    pre: Preconditions,
    write: Callable[[str | None, bool], Any],
    *,
    creates: bool = False,
) -> tuple[Any, bool]:
    """``write(expected_version, create_only)`` under the request's preconditions, once
    ``handler`` may do ``action`` to the record (see
    :func:`~camshaft._kernel.conditional.conditional_write`): with object checks the
    record is read and authorized before any precondition is evaluated, and written only
    at the version that was authorized.

    :raises Forbidden: refused (NotFound with ``auth.hide_forbidden``).
    :raises PreconditionFailed: a precondition is false.
    :raises Conflict: the record kept changing.
    """

    def current() -> Current | None:
        record = store.get(key)
        if record is None:
            return None
        return Current(record.version, record.modified, record.data)

    def authorize(record: Current) -> None:
        handler.authorize(action, record.data)

    return conditional_write(
        pre,
        read=current,
        write=write,
        authorize=authorize if checks_objects(handler) else None,
        creates=creates,
        missing=_missing(handler, key),
    )


def _missing(handler: Handler, key: str) -> str:
    cls = type(handler)
    name = cls.resource_name or handler.request.path.strip("/").split("/")[0]
    if cls.parent is not None and not cls.resource_name:
        name = handler.request.path.rstrip("/").split("/")[-2]
    return f"No {name} with key {key!r}."


def _result(
    handler: Handler,
    record: Record,
    status: int = 200,
    location: str | None = None,
    *,
    embed: bool = False,
) -> Result:
    """The record as the response, with its relations' links (and, with ``embed``, the
    related items ``?embed=`` asks for)."""
    data = record.data
    if relations_of(type(handler)) or (embed and handler.request.environ.get("QUERY_STRING")):
        data = attach(handler, [data], embed=embed)[0]
    return Result(
        data, status, location=location, etag=record.version, last_modified=record.modified
    )


def _owned(handler: Handler, store: Store, data: Any) -> Any:
    """``data`` with the owner fields the handler's owner rules name set to the user
    making the request: a client cannot create a row for another owner.

    :raises Forbidden: the body names another owner, or nobody who could own is asking.
    """
    cls = type(handler)
    fields = {f for action in ("update", "delete", "read") for f in owner_fields(cls, action)}
    if not fields:
        return data
    user = handler.identity.user_id
    if user is None:
        raise Forbidden("Only a user can own what is created here.")
    model = _model(handler, store)
    out = dict(data)
    for field in sorted(fields):
        owner = convert(model, field, user, field)
        if field in out and out[field] != owner:
            raise Forbidden(f"{field!r} must be you; it is set from your identity.")
        out[field] = owner
    return out


# --------------------------------------------------------------------------- the defaults


def read(self: Handler, key: str | None = None) -> Any:
    store = _store(self)
    if key is None:
        # Read the total with the page unless counting is off, or a store that estimates
        # is asked for an estimate (the paginator then counts only if it gets none).
        mode = self.request.app.settings["pagination"]["count"]
        counted = mode == "exact" or (mode == "estimated" and not hasattr(store, "estimate"))
        model = _model(self, store)
        query = query_for(self, model)
        if type(self).parent is not None:
            field = type(self).parent_field
            assert field is not None
            query = replace(
                query, filters=(*query.filters, Filter(field, "eq", parent_value(self.request)))
            )
        if checks_objects(self) and self.request.app.settings["auth"]["filter_collections"]:
            return related_collection(
                self,
                visible(
                    self,
                    query,
                    lambda q: StoreCollection(store, q, counted=False),
                    lambda field, text: convert(model, field, text, field),
                ),
            )
        return related_collection(self, StoreCollection(store, query, counted=counted))
    Preconditions.of(self.request)  # a malformed If-None-Match is a 400 even on a miss
    record = store.get(key)
    if record is None or (type(self).parent is not None and not belongs(self.request, record.data)):
        raise NotFound(_missing(self, key))
    if checks_objects(self):
        self.authorize("read", record.data)
    # The kernel adds the ETag of the representation and answers 304 / 412.
    return _result(self, record, embed=True)


def create(self: Handler, data: Any) -> Result:
    store = _store(self)
    if isinstance(data, list):
        return bulk_create(self, store, data)
    record = store.create(_owned(self, store, _clean(self, store, data, partial=False)))
    return _result(self, record, 201)


def bulk_create(handler: Handler, store: Store, items: list[Any]) -> Result:
    """POST of a JSON array: every item validated first (errors point at
    ``/<index>/<member>``), then all created or none (see :func:`create_all`); 201 with
    the created items, in order, and no ``Location``.

    :raises PayloadTooLarge: more than ``bulk.max_items`` items (0 turns bulk off: 400).
    :raises ValidationError: an item is invalid; nothing is stored.
    """
    limit = handler.request.app.settings["bulk"]["max_items"]
    if limit <= 0:
        raise BadRequest(
            "The request body must be an object; bulk create is off (setting bulk.max_items)."
        )
    if len(items) > limit:
        raise PayloadTooLarge(
            f"The request lists {len(items)} items; at most {limit} may be created at once "
            "(setting bulk.max_items)."
        )
    if not items:
        raise BadRequest("The request body is an empty list: nothing to create.")
    cleaned: list[Any] = []
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        try:
            cleaned.append(_owned(handler, store, _clean(handler, store, item, partial=False)))
        except ValidationError as exc:
            errors.extend(FieldError(f"/{index}{e['pointer']}", e["detail"]) for e in exc.errors)
        except BadRequest as exc:
            errors.append(FieldError(f"/{index}", exc.detail or "invalid"))
    if errors:
        raise ValidationError(errors)
    records = create_all(store, cleaned)
    return Result(attach(handler, [record.data for record in records]), 201)


def create_all(store: Store, items: list[Any]) -> list[Record]:
    """Create ``items`` all or none: through the store's ``create_many(items)`` when it
    offers one (the memory and kv stores check every key first, SQL stores use one
    transaction); else one by one, deleting what was created when one fails."""
    create_many = getattr(store, "create_many", None)
    if create_many is not None:
        return list(create_many(items))
    done: list[Record] = []
    try:
        for item in items:
            done.append(store.create(item))
    except Exception:
        for record in done:
            store.delete(record.key)
        raise
    return done


def update(self: Handler, key: str, data: Any) -> Result:
    pre = _preconditions(self, create_only_ok=True)
    store = _store(self)
    _child(self, store, key)

    def write(version: str | None, create_only: bool) -> Record:
        return store.replace(
            key,
            _clean(self, store, data, partial=False, key=key),
            expected_version=version,
            create_only=create_only,
        )

    record, created = _write(self, store, key, "update", pre, write, creates=True)
    if created:
        return _result(self, record, 201, location=self.request.path)
    return _result(self, record)


MERGE_PATCH = "application/merge-patch+json"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: ``patch`` applied to ``target`` (objects merged member by member, a null
    member removed, anything else replacing the target)."""
    if not isinstance(patch, Mapping):
        return patch
    result = dict(target) if isinstance(target, Mapping) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result


def _merged_changes(
    store: Store, key: str, data: Any, version: str | None
) -> tuple[Any, str | None]:
    """The members a merge patch changes, computed on the stored record, and the version
    they were computed on (so the write fails if the record changed in between)."""
    record = store.get(key)
    if record is None:
        raise NotFound(f"No record with key {key!r}.")
    if version is not None and record.version is not None and record.version != version:
        raise PreconditionFailed("The record has changed (If-Match does not match).")
    current = record.data if isinstance(record.data, Mapping) else {}
    # A removed member of a fixed-shape record becomes null: its model decides whether
    # that is allowed (a required field refuses with 400).
    changes = {
        name: None if value is None else merge_patch(current.get(name), value)
        for name, value in _mapping(data).items()
    }
    return changes, record.version if version is None else version


def patch(self: Handler, key: str, data: Any) -> Result:
    pre = _preconditions(self)
    store = _store(self)
    _child(self, store, key)
    merge = self.request.content_type == MERGE_PATCH

    def write(version: str | None, create_only: bool) -> Record:
        body = data
        if merge:
            body, version = _merged_changes(store, key, data, version)
        changes = _clean(self, store, body, partial=True, key=key)
        return store.patch(key, changes, expected_version=version)

    record, _ = _write(self, store, key, "patch", pre, write)
    return _result(self, record)


def delete(self: Handler, key: str) -> None:
    pre = _preconditions(self)
    store = _store(self)
    _child(self, store, key)

    def write(version: str | None, create_only: bool) -> None:
        store.delete(key, expected_version=version)

    _write(self, store, key, "delete", pre, write)


def defaults_for(cls: type[Handler]) -> dict[str, Callable[..., Any]]:
    """The default CRUD methods for a handler class: all five when it names a store."""
    if cls.store is None:
        return {}
    return {"read": read, "create": create, "update": update, "patch": patch, "delete": delete}
