"""The WSGI application: assembled once from handlers and plugins, then plain calls.

A request's way (each stage may raise an :class:`~camshaft.errors.HTTPError`, rendered
as a problem document in the negotiated format):

negotiate -> route -> select version -> method -> authenticate -> authorize -> throttle
-> handler (parses the body on demand) -> paginate -> shape -> emit
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from http import HTTPStatus
from typing import Any

from werkzeug.wrappers import Response as WerkzeugResponse

from . import authentication, authorization, crud, shaping
from .auth import AuthScheme
from .emission import EmitContext, Emitter, ParseLimits, Parser
from .errors import (
    BadRequest,
    ConfigurationError,
    HTTPError,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
)
from .handler import Handler, Result, Status, normalize_version
from .limits import parse_limits_by_media_type
from .negotiation import Negotiator, parse_accept
from .nonces import NonceStore
from .pagination import (
    Collection,
    Paginator,
    SequenceCollection,
    paginator_name,
    render_page,
)
from .plugins import collect, make_plugin_manager
from .request import Request, require_parser_for
from .routing import Endpoint, Route, RouteGroup, build_groups, split_version_prefix
from .settings import Settings, load_raw_settings
from .stores import Store, StoreBackend, StoreConfig
from .streaming import StreamBody, start_stream
from .throttle_policy import counting_failures, policy_for
from .throttling import ThrottleBackend

__all__ = ["App"]

logger = logging.getLogger("camshaft")

_STATUS_LINES = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}
_MAX_CONTEXTS = 256
_PLAIN = (dict, list, tuple, str, bytes, int, float, bool, type(None))
StartResponse = Callable[..., Any]
Out = tuple[str, list[tuple[str, str]], Iterable[bytes]]


def _first_by_name(
    pairs: list[tuple[str, Any]], attr: str, order: list[str]
) -> dict[str, tuple[str, Any]]:
    """Descriptors keyed by ``attr``; the first contributed wins, after ordering the
    contributing plugins by the ``order`` setting."""
    rank = {name: i for i, name in enumerate(order)}
    ranked = sorted(enumerate(pairs), key=lambda ip: (rank.get(ip[1][0], len(rank)), ip[0]))
    out: dict[str, tuple[str, Any]] = {}
    for _, (plugin, item) in ranked:
        out.setdefault(getattr(item, attr), (plugin, item))
    return out


class App:
    """A Camshaft WSGI application.

    :param handlers: handler classes; each gets automatic routes unless it opts out.
    :param settings: settings as a dict (over the settings file, under the environment).
    :param settings_file: a ``camshaft.toml`` or ``pyproject.toml``; default
        ``$CAMSHAFT_SETTINGS`` or ``./camshaft.toml``.
    :param plugins: plugin modules or objects to register beyond entry points.
    :param routes: custom :class:`~camshaft.Route` objects.
    :param environ: the environment to read ``CAMSHAFT_*`` variables from (``os.environ``).
    :raises ConfigurationError: a setting, handler or plugin is wrong; the message names it.
    """

    def __init__(
        self,
        handlers: Iterable[type[Handler]] = (),
        *,
        settings: Mapping[str, Any] | None = None,
        settings_file: str | os.PathLike[str] | None = None,
        plugins: Iterable[object | tuple[str, object]] = (),
        routes: Iterable[Route] = (),
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        raw = load_raw_settings(settings, file=settings_file, environ=env)
        self.plugin_manager = pm = make_plugin_manager(raw, env, plugins)
        specs = dict(collect(pm, "camshaft_settings_spec"))
        self.settings = settings_ = Settings.build(raw, specs, env)
        order = settings_["order"]

        def registered(hook: str, attr: str, cap: str) -> dict[str, Any]:
            pairs = collect(pm, hook, settings=settings_)
            return {k: item for k, (_, item) in _first_by_name(pairs, attr, order[cap]).items()}

        self.emitters: dict[str, Emitter] = registered("camshaft_emitters", "format", "emitters")
        self.parsers: dict[str, Parser] = registered("camshaft_parsers", "media_type", "parsers")
        self.auth_schemes: dict[str, AuthScheme] = registered(
            "camshaft_auth_schemes", "name", "auth"
        )
        self.store_backends: dict[str, StoreBackend] = registered(
            "camshaft_stores", "name", "stores"
        )
        self.paginators: dict[str, Paginator] = registered(
            "camshaft_paginators", "name", "paginators"
        )
        self.throttle_backends: dict[str, ThrottleBackend] = registered(
            "camshaft_throttle_backends", "name", "throttle_backends"
        )
        self.nonce_stores: dict[str, NonceStore] = registered(
            "camshaft_nonce_stores", "name", "nonce_stores"
        )
        self.negotiator = Negotiator(
            list(self.emitters.values()),
            settings_["default_format"],
            settings_["strict_negotiation"],
        )
        self.parse_limits = ParseLimits(settings_["max_body_size"], settings_["max_depth"])
        #: Each parser's limits by media type (``body_limits``); others get parse_limits.
        self.parse_limits_for = parse_limits_by_media_type(self.parsers, settings_)

        versioning = settings_["versioning"]
        self.default_version = normalize_version(versioning["default"])
        self.version_header = versioning["header"]
        self._version_strategies = tuple(versioning["strategies"])
        self._version_env = "HTTP_" + versioning["header"].upper().replace("-", "_")
        self._version_query = versioning["query"]
        self._strict_versions = versioning["strict"]

        self._contexts: dict[tuple[bool, tuple[str, ...] | None], EmitContext] = {}
        self.handlers = list(handlers)
        self.stores: dict[type[Handler], Store] = {}
        plugin_routes = [r for _, r in collect(pm, "camshaft_routes", app=self, settings=settings_)]
        self.collections, self.items, self.custom, self.url_map = build_groups(
            self.handlers,
            [*routes, *plugin_routes],
            default_version=self.default_version,
            key_pattern=settings_["key_pattern"],
            crud_defaults=crud.defaults_for,
        )
        self._url_adapter = self.url_map.bind("localhost")
        for group in self.groups():
            for endpoint in group.versions.values():
                self._wire(endpoint)
        pm.hook.camshaft_startup(app=self, settings=settings_)

    # ------------------------------------------------------------------ build time

    def groups(self) -> Iterator[RouteGroup]:
        """Every route group: collections, items, then custom routes."""
        yield from self.collections.values()
        yield from self.items.values()
        yield from self.custom

    def _wire(self, endpoint: Endpoint) -> None:
        """Resolve a handler's named capabilities to the objects the request path calls."""
        cls = endpoint.handler
        extra = endpoint.extra
        authentication.wire(endpoint, self.auth_schemes, self.settings["auth"]["default"])
        authorization.wire(endpoint, self.plugin_manager)
        extra["throttle"] = policy_for(cls, self)
        if cls.store is not None:
            if cls not in self.stores:
                backend = self._backend(self.store_backends, cls.store, "store", cls)
                options = {**self.settings.plugin(cls.store), **cls.store_options}
                config = StoreConfig(
                    resource=cls.resource_name or endpoint.path.strip("/").split("/")[0],
                    key_field=cls.key_field,
                    model=cls.model,
                    source=cls.source,
                    options=options,
                )
                self.stores[cls] = backend.open(config)
            extra["store"] = self.stores[cls]
        paginator = paginator_name(cls, self.settings["pagination"]["default"])
        if endpoint.kind != "item" and paginator is not None:
            extra["paginator"] = self._backend(self.paginators, paginator, "paginator", cls)
        links_to = self.items if self.settings["shaping"]["links"] else None
        extra["shaper"] = shaping.shaper_for(cls, items=links_to)
        anonymous = getattr(cls, "anonymous", None)
        if anonymous is not None:  # its own fields and exclude, never the full view's
            extra["anonymous_shaper"] = shaping.shaper_for(anonymous, items=links_to)

    @staticmethod
    def _backend(table: Mapping[str, Any], name: str, what: str, cls: type) -> Any:
        if name not in table:
            raise ConfigurationError(
                f"{cls.__name__} needs {what} {name!r}, which no plugin provides; "
                f"available: {', '.join(sorted(table)) or 'none'}"
            )
        return table[name]

    @property
    def nonce_store(self) -> NonceStore:
        """The nonce store the ``nonces.backend`` setting names.

        :raises ConfigurationError: no plugin provides it.
        """
        store: NonceStore = self._backend(
            self.nonce_stores, self.settings["nonces"]["backend"], "nonce store", App
        )
        return store

    def parse_body(self, media_type: str, body: bytes) -> Any:
        """Parse a request body by its media type within the app's limits."""
        parser = require_parser_for(media_type, self.parsers)
        return parser.parse(body, self.parse_limits_for.get(media_type, self.parse_limits))

    # ------------------------------------------------------------------ request path

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request: Request | None = None
        try:
            path = environ.get("PATH_INFO") or "/"
            if not path.isascii():
                try:
                    path = path.encode("latin-1").decode("utf-8")
                except UnicodeError:
                    raise BadRequest("The request path is not valid UTF-8.") from None
            request = Request(environ, self, path)
            out = self._dispatch(request)
            if isinstance(out, WerkzeugResponse):
                return out(environ, start_response)
        except HTTPError as exc:
            out = self._problem(request, environ, exc)
        except Exception:
            logger.exception(
                "Unhandled error on %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
            )
            out = self._problem(
                request,
                environ,
                InternalServerError(
                    "The server could not handle the request; the error has been logged."
                ),
            )
        status, headers, body = out
        start_response(status, headers)
        return body

    def _dispatch(self, request: Request) -> Out | WerkzeugResponse:
        env = request.environ
        accept = env.get("HTTP_ACCEPT")
        fmt = request.args.get("format") if env.get("QUERY_STRING") else None
        if fmt:
            request.emitter = self.negotiator.by_format(fmt)
            accept_version = None
            if accept and "version" in accept and "accept" in self._version_strategies:
                accept_version = next(
                    (p["version"] for *_, p in parse_accept(accept) if "version" in p), None
                )
        else:
            request.emitter, accept_version = self.negotiator.by_accept(accept)

        url_version, path = split_version_prefix(request.path)
        request.url_version = url_version
        group, params = self._match(path)
        request.params = params
        endpoint = self._select_version(group, request, url_version, accept_version)
        request.version = endpoint.version
        return self._serve(request, endpoint)

    def _match(self, path: str) -> tuple[RouteGroup, dict[str, Any]]:
        name, sep, rest = path[1:].partition("/")
        if not sep or not rest:
            group = self.collections.get(name)
            if group is not None:
                return group, {}
        else:
            key = rest[:-1] if rest.endswith("/") else rest
            group = self.items.get(name)
            if group is not None and "/" not in key:
                assert group.key_re is not None
                if group.key_re.fullmatch(key) is None:
                    raise BadRequest(f"Invalid key {key!r} for {name}.", title="Invalid key")
                return group, {group.key_name: key}
        if self.custom:
            from werkzeug.exceptions import HTTPException as WerkzeugHTTPException
            from werkzeug.routing import RequestRedirect

            try:
                rule, args = self._url_adapter.match(path, method="GET", return_rule=True)
            except (RequestRedirect, WerkzeugHTTPException):
                pass
            else:
                for group in self.custom:
                    if group.name == rule.endpoint:
                        return group, dict(args)
        raise NotFound(f"No resource at {path}.")

    def _select_version(
        self,
        group: RouteGroup,
        request: Request,
        url_version: str | None,
        accept_version: str | None,
    ) -> Endpoint:
        if (
            url_version is None
            and accept_version is None
            and (
                (len(group.versions) == 1 and not self._strict_versions)
                or (
                    self._version_env not in request.environ
                    and not request.environ.get("QUERY_STRING")
                )
            )
        ):  # nothing asks for a version: the common case, no strategy loop
            return group.default
        asked = None
        for strategy in self._version_strategies:
            if strategy == "url":
                asked = url_version
            elif strategy == "header":
                asked = request.environ.get(self._version_env)
            elif strategy == "accept":
                asked = accept_version
            elif request.environ.get("QUERY_STRING"):
                asked = request.args.get(self._version_query)
            if asked:
                break
        if not asked:
            if url_version is not None:
                raise NotFound(f"No resource at {request.path}.")
            return group.default
        endpoint = group.versions.get(normalize_version(asked))
        if endpoint is not None:
            return endpoint
        if url_version is not None and "url" not in self._version_strategies:
            raise NotFound(f"No resource at {request.path}.")
        if self._strict_versions:
            raise NotFound(
                f"Version {asked} of this resource does not exist; "
                f"available: {', '.join(sorted(group.versions))}.",
                title="Unknown API version",
            )
        return group.default

    def _serve(self, request: Request, endpoint: Endpoint) -> Out | WerkzeugResponse:
        method = request.method
        action = endpoint.actions.get("GET" if method == "HEAD" else method)
        if action is None:
            if method == "OPTIONS":
                return self._out(204, [("Allow", endpoint.allow)], request, endpoint)
            raise MethodNotAllowed(endpoint.allow.split(", "))
        extra = endpoint.extra
        headers: list[tuple[str, str]] = []
        handler_cls = endpoint.handler
        if extra["auth"]:
            with counting_failures(extra["throttle"], request):
                handler_cls, action = authentication.authenticate(request, endpoint, action)
        handler = handler_cls(request)
        if extra["authorize"]:
            authorization.authorize_request(endpoint, handler, action.name)
        if extra["throttle"] is not None:
            headers.extend(extra["throttle"].check(request))
        kwargs = action.kwargs(request.params)
        if action.wants_data:
            kwargs["data"] = request.data
        if action.wants_request:
            kwargs["request"] = request
        result = action.func(handler, **kwargs)
        shaper = extra["shaper"] if handler_cls is endpoint.handler else extra["anonymous_shaper"]
        return self._respond(request, endpoint, action.name, result, headers, shaper)

    # ------------------------------------------------------------------ responses

    def _respond(
        self,
        request: Request,
        endpoint: Endpoint,
        action: str,
        result: Any,
        headers: list[tuple[str, str]],
        shaper: Any,
    ) -> Out | WerkzeugResponse:
        if isinstance(result, WerkzeugResponse):
            return result
        status = 200
        location = None
        if isinstance(result, Status):
            if result.code >= 400:
                raise _status_error(result)
            result = Result(None, result.code)
        elif isinstance(result, tuple) and len(result) in (2, 3) and isinstance(result[1], int):
            result = Result(result[0], result[1], dict(result[2]) if len(result) == 3 else {})
        if isinstance(result, Result):
            data, status, location = result.data, result.status, result.location
            headers.extend(result.headers.items())
        else:
            data = result
            if data is None:
                if action == "read":
                    raise NotFound(f"No resource at {request.path}.")
                status = 204
            elif action == "create" and endpoint.kind == "collection":
                status = 201
        if status >= 400:
            raise _status_error(Status(status))
        if status == 201 and location is None and endpoint.kind == "collection":
            key = data.get(endpoint.handler.key_field) if isinstance(data, Mapping) else None
            if key is not None and endpoint.path.strip("/") in self.items:
                location = f"{endpoint.path}{key}"
        if location is not None:
            headers.append(
                ("Location", location if "://" in location else request.url_for(location))
            )
        if status == 204 or status == 304 or data is None:
            return self._out(status, headers, request, endpoint)

        extra = endpoint.extra
        many = enveloped = False
        is_collection = not isinstance(data, _PLAIN) and hasattr(data, "window")
        if is_collection or (
            endpoint.kind == "collection"
            and "paginator" in extra
            and isinstance(data, list | tuple)
        ):
            collection: Collection = data if is_collection else SequenceCollection(data)
            if "paginator" in extra:
                data, page_headers = self._paginate(request, extra["paginator"], shaper, collection)
                headers.extend(page_headers)
            else:  # pagination = False: the whole collection, as the handler chose
                data = collection.window(0, collection.count())
            enveloped = isinstance(data, Mapping)
            many = not enveloped
        emitter = request.emitter or self.negotiator.default
        shape, columns = shaper.bind(request)  # checks ?fields= before any byte
        streaming = (
            not isinstance(data, _PLAIN)
            and isinstance(data, Iterable)
            and not isinstance(data, Mapping)
        )
        if streaming:
            items: Iterable[Any] = start_stream(data, shape)  # first item pulled now
            many = True
        elif isinstance(data, list | tuple):
            data = [shape(item) for item in data]
            many = True
        elif not enveloped:  # an envelope's results are shaped already
            data = shape(data)
        ctx = self._contexts.get((many, columns))
        if ctx is None:  # a frozen dataclass is slow to build: one per shape, kept
            ctx = EmitContext(many, columns)
            if len(self._contexts) < _MAX_CONTEXTS:  # ?fields= makes columns client-chosen
                self._contexts[(many, columns)] = ctx
        content_type = emitter.media_type + (
            f"; charset={emitter.charset}" if emitter.charset else ""
        )
        headers.append(("Content-Type", content_type))
        if streaming:
            body: Iterable[bytes] = (
                StreamBody(emitter.stream(items, ctx), items, data, what=request.path)
                if emitter.stream
                else [emitter.emit(list(items), ctx)]
            )
        else:
            payload = emitter.emit(data, ctx)
            headers.append(("Content-Length", str(len(payload))))
            body = [payload]
        return self._out(status, headers, request, endpoint, body)

    def _paginate(
        self, request: Request, paginator: Paginator, shaper: Any, collection: Collection
    ) -> tuple[Any, list[tuple[str, str]]]:
        """One page of ``collection`` as the body (bare items, or an envelope whose
        results are shaped here) and its ``Link`` / ``X-Total-Count`` headers."""
        page = paginator.paginate(request, collection)
        envelope = self.settings["pagination"]["envelope"]
        if envelope:
            shape, _ = shaper.bind(request)
            page.items = [shape(item) for item in page.items]
        return render_page(page, envelope)

    def _out(
        self,
        status: int,
        headers: list[tuple[str, str]],
        request: Request | None,
        endpoint: Endpoint | None,
        body: Iterable[bytes] = (),
    ) -> Out:
        # A response that depends on credentials (an authenticated one, or any from a
        # resource that names schemes, whose anonymous view differs) varies on them.
        by_credentials = (request is not None and request.identity.is_authenticated) or (
            endpoint is not None and bool(endpoint.extra.get("auth"))
        )
        headers.append(("Vary", "Accept, Authorization" if by_credentials else "Accept"))
        if request is not None and request.version:
            headers.append((self.version_header, request.version))
            if request.identity.is_authenticated and not any(
                n.lower() == "cache-control" for n, _ in headers
            ):
                headers.append(("Cache-Control", "no-store"))
        if endpoint is not None:
            headers.extend(endpoint.deprecation_headers)
        if request is not None and request.method == "HEAD":
            close = getattr(body, "close", None)
            if close is not None:
                close()
            body = ()
        return _STATUS_LINES.get(status, f"{status} Unknown"), headers, body

    def _problem(self, request: Request | None, environ: dict[str, Any], exc: HTTPError) -> Out:
        emitter = request.emitter if request is not None and request.emitter else None
        if emitter is None:
            try:
                emitter, _ = self.negotiator.by_accept(environ.get("HTTP_ACCEPT"))
            except HTTPError:
                emitter = self.negotiator.default
        problem = exc.to_problem(instance=request.path if request is not None else None)
        try:
            payload = emitter.emit(problem, EmitContext(problem=True))
        except Exception:
            logger.exception("emitter %r failed on a problem document", emitter.format)
            emitter = self.negotiator.default
            payload = emitter.emit(problem, EmitContext(problem=True))
        headers = list(exc.headers)
        media = emitter.problem_media_type or emitter.media_type
        headers.append(
            ("Content-Type", media + (f"; charset={emitter.charset}" if emitter.charset else ""))
        )
        headers.append(("Content-Length", str(len(payload))))
        return self._out(exc.status, headers, request, None, [payload])


def _status_error(status: Status) -> HTTPError:
    """The error class for a bare 4xx/5xx status a handler returned."""
    for cls in _error_classes(HTTPError):
        if cls.status == status.code and cls.__init__ is HTTPError.__init__:
            return cls()
    exc = HTTPError()
    exc.status = status.code
    exc.title = status.phrase
    return exc


def _error_classes(base: type[HTTPError]) -> Iterator[type[HTTPError]]:
    for sub in base.__subclasses__():
        yield sub
        yield from _error_classes(sub)
