"""Handlers, the results they return, and Piston's named statuses (``rc``), made right."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from camshaft._kernel.auth.identity import Identity
    from camshaft._kernel.request import Request
    from camshaft._kernel.stores.base import Store

__all__ = ["Handler", "Result", "Status", "rc"]


@dataclass(slots=True)
class Result:
    """Data with a status and headers. ``location`` sets the ``Location`` header.

    ``etag`` (the version of the state, any opaque text) and ``last_modified`` are the
    validators of the data: the response carries a strong ``ETag`` per representation
    and ``Last-Modified``, and a GET or HEAD is answered 304 or 412 as the request's
    preconditions say (RFC 9110 §13), without the handler looking at them.
    """

    data: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    location: str | None = None
    etag: str | None = None
    last_modified: datetime | None = None


@dataclass(frozen=True, slots=True)
class Status:
    """A named status. Return it bare (``return rc.DELETED``) or call it with data
    (``return rc.CREATED(post, location=url)``). Returned bare, a 4xx/5xx status becomes
    a problem document."""

    code: int

    def __call__(
        self,
        data: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        location: str | None = None,
    ) -> Result:
        return Result(data, self.code, dict(headers or {}), location)

    @property
    def phrase(self) -> str:
        return HTTPStatus(self.code).phrase


class rc:
    """Piston's response codes, with the statuses they should always have had."""

    ALL_OK = OK = Status(200)
    CREATED = Status(201)
    ACCEPTED = Status(202)
    DELETED = NO_CONTENT = Status(204)
    BAD_REQUEST = Status(400)
    UNAUTHORIZED = Status(401)
    FORBIDDEN = Status(403)
    NOT_FOUND = Status(404)
    NOT_ALLOWED = Status(405)
    DUPLICATE_ENTRY = CONFLICT = Status(409)
    NOT_HERE = GONE = Status(410)
    PRECONDITION_FAILED = Status(412)
    UNSUPPORTED = Status(415)
    THROTTLED = Status(429)
    INTERNAL_ERROR = Status(500)
    NOT_IMPLEMENTED = Status(501)
    SERVICE_UNAVAILABLE = Status(503)


_SUFFIX = re.compile(r"(?:_v\d+)?$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def default_resource_name(cls: type) -> str:
    """``EventHandler`` and ``EventHandler_v11`` give ``events``; ``BlogPostHandler``
    gives ``blog-posts``."""
    base = _SUFFIX.sub("", cls.__name__)
    if base.endswith("Handler") and base != "Handler":
        base = base[: -len("Handler")]
    words = _CAMEL.sub("-", base).lower()
    return _plural(words)


def normalize_version(value: object) -> str:
    """``1`` and ``"1"`` give ``"1.0"``; ``1.1`` gives ``"1.1"``; ``"v1.2"`` gives ``"1.2"``."""
    text = str(value).strip().lower().removeprefix("v")
    return text if "." in text else f"{text}.0"


class Handler:
    """Base class of resource handlers.

    Define ``read``, ``create``, ``update``, ``patch`` and ``delete`` (Piston and Chief), or
    methods named after the HTTP verbs, ``GET``, ``POST``, ``PUT``, ``PATCH``, ``DELETE``
    (web.py). Each method receives by name what it declares: the route's parameters
    (``key`` on automatic routes), ``data`` (the parsed body) and ``request``. It returns
    plain data, a :class:`Result` (or ``rc.X(data)``), a bare ``rc.X`` status, a
    ``(data, status)`` or ``(data, status, headers)`` tuple, an iterator (streamed), or a
    Werkzeug :class:`~werkzeug.wrappers.Response`.

    Class attributes configure the resource; every one has a working default.
    """

    #: URL name of the automatic routes; derived from the class name when None.
    resource_name: ClassVar[str | None] = None
    #: Name of the key parameter on the item route (``/events/<key>``).
    key_name: ClassVar[str] = "key"
    #: Regular expression a key must match in full; the ``key_pattern`` setting when None.
    key_pattern: ClassVar[str | None] = None
    #: Member of the data that holds the key (for Location headers and links).
    key_field: ClassVar[str] = "id"
    #: Whether the automatic ``/<plural>/`` and ``/<plural>/<key>`` routes exist.
    automatic_routes: ClassVar[bool] = True
    #: Custom routes in Werkzeug's syntax (``"/other/<username>/<path:data>"``).
    routes: ClassVar[tuple[str, ...]] = ()
    #: The API version this class serves.
    version: ClassVar[str | float] = "1.0"
    #: Date (ISO 8601) from which this version is deprecated (``Deprecation`` header).
    deprecated: ClassVar[str | None] = None
    #: Date (ISO 8601) after which this version may stop answering (``Sunset`` header).
    sunset: ClassVar[str | None] = None
    #: HTTP methods served; None means every method the class implements.
    allowed_methods: ClassVar[tuple[str, ...] | None] = None
    #: Authentication scheme names, tried in order; None uses ``auth.default``.
    authentication: ClassVar[tuple[str, ...] | None] = None
    #: Handler class serving clients no scheme identified (Piston's anonymous handler).
    anonymous: ClassVar[type[Handler] | None] = None
    #: Who may do what, per verb: see :mod:`camshaft.permissions`. None: the baseline.
    permissions: ClassVar[Any] = None
    #: Throttle rate for every verb, or a mapping of verb to rate.
    throttle: ClassVar[Any] = None
    #: Pagination style for collections ("page", "offset", ...); True uses
    #: ``pagination.default``, False turns it off; None paginates store-backed handlers.
    pagination: ClassVar[str | bool | None] = None
    #: Members to emit, Piston style, with nested tuples for related objects and names
    #: of handler methods for computed members (see docs/shaping.md); None: all.
    fields: ClassVar[tuple[Any, ...] | None] = None
    #: Members never emitted: names and compiled regular expressions.
    exclude: ClassVar[tuple[Any, ...]] = ()
    #: Whether items carry a ``url`` link to themselves (``shaping.links`` must be on too).
    links: ClassVar[bool] = True
    #: Name of the store backing default CRUD (``"memory"``, ``"sqlalchemy"``, ...).
    store: ClassVar[str | None] = None
    #: Where the store's data lies: rows, a table, a path (see the store's docs).
    source: ClassVar[Any] = None
    #: The model describing and validating the data.
    model: ClassVar[Any] = None
    #: Options for this handler's store, over the store plugin's settings.
    store_options: ClassVar[Mapping[str, Any]] = {}
    #: Members default CRUD may filter on (``?age__gte=30``), each with the operators
    #: its field type allows; anything else is a 400.
    filters: ClassVar[tuple[str, ...]] = ()
    #: Members default CRUD may order by (``?order=-age,name``).
    ordering: ClassVar[tuple[str, ...]] = ()
    #: Text members ``?search=`` looks in: ``("name", "email")`` answers
    #: ``?search=ann lee`` with the items where each term is in the name or the email,
    #: ignoring case (the store must support search; see docs/relations.md).
    search: ClassVar[tuple[str, ...]] = ()
    #: Members holding another resource's key, by relation name:
    #: ``{"author": AuthorHandler}`` (the member is ``author_id``) or
    #: ``{"writer": Relation(AuthorHandler, field="author")}``. Default CRUD items carry
    #: ``<name>_url`` links; a nested handler's parent is a relation without this.
    relations: ClassVar[Mapping[str, Any]] = {}
    #: Relations a client may embed with ``?embed=author`` (one query per relation for a
    #: page; read as the client could read them itself; see docs/relations.md).
    embed: ClassVar[tuple[str, ...]] = ()
    #: The handler this one is nested under: ``parent = AuthorHandler`` serves this
    #: resource at ``/authors/<author>/posts/`` and ``/authors/<author>/posts/<key>``
    #: instead of ``/posts/`` (see docs/relations.md). Default CRUD lists and reads only
    #: the parent's children, sets ``parent_field`` on create, refuses to move a child to
    #: another parent, and answers 404 when the parent does not exist. Handlers and
    #: permission rules read the parent's data as ``request.parent``.
    parent: ClassVar[type[Handler] | None] = None
    #: The member holding the parent's key (``"author_id"``); the path parameter is its
    #: name without ``_id`` (``author``). Required with ``parent``.
    parent_field: ClassVar[str | None] = None
    #: OAuth scopes a token needs, per verb or action (``{"GET": ["read"]}``), read by
    #: camshaft-oauth; None: tokens are granted nothing (see docs/oauth.md).
    scopes: ClassVar[Mapping[str, Any] | None] = None
    #: OpenAPI fragments merged into the generated operations, by HTTP verb.
    openapi: ClassVar[Mapping[str, Mapping[str, Any]] | None] = None
    #: Whether the handler appears in the OpenAPI document.
    openapi_include: ClassVar[bool] = True

    __slots__ = ("request",)

    def __init__(self, request: Request) -> None:
        self.request = request

    @property
    def identity(self) -> Identity:
        """Who is asking: ``self.request.identity``."""
        return self.request.identity

    @property
    def records(self) -> Store:
        """This handler's store: the :class:`~camshaft.Store` that ``store = "<name>"``
        opened for this class when the app was built (``self.request.app.stores[type(self)]``).

        The class attribute ``store`` names the kind of store; ``self.records`` is the open
        store itself, for handler methods that go beyond the default CRUD::

            def read(self, key=None):
                if key is None:
                    return [r.data for r in self.records.list(Query(limit=10))]
                record = self.records.get(key)
                return record.data if record else rc.NOT_FOUND

        :raises LookupError: the handler names no ``store`` (a mistake in the handler,
            answered with a 500).
        """
        cls = type(self)
        store = self.request.app.stores.get(cls)
        if store is None:
            raise LookupError(
                f"{cls.__qualname__} has no store: name one in its class, "
                f'store = "memory" (or "sqlalchemy", "kv", ...), to use self.records'
            )
        return store

    def authorize(self, action: str, obj: Any) -> None:
        """Check ``permissions`` (and plugin policies) for ``action`` on a loaded ``obj``.

        :raises camshaft.errors.Forbidden: refused (403).
        :raises camshaft.errors.NotFound: refused and ``auth.hide_forbidden`` is true (404).
        """
        self.request.app.authorize_object(self, action, obj)
