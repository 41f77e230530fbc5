"""The WSGI application: assembled once from handlers and plugins, then plain calls.

A request's way, composed in :meth:`App._dispatch` and :meth:`App._serve` (each stage may
raise an :class:`~camshaft.errors.HTTPError`, rendered as a problem document in the
negotiated format by :func:`~camshaft._kernel.responses.problem`)::

    negotiate -> route -> select version -> method -> authenticate -> authorize
    -> throttle -> handler (parses the body on demand) -> respond: paginate, shape, emit

Build time (:meth:`App.__init__`): settings, one plugin manager, the capabilities the
registration hooks contribute, the route table, one :class:`Wiring` per endpoint.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from werkzeug.exceptions import HTTPException as WerkzeugHTTPException
from werkzeug.routing import MapAdapter, RequestRedirect
from werkzeug.wrappers import Response as WerkzeugResponse

from camshaft._kernel import responses
from camshaft._kernel.auth import authentication, authorization
from camshaft._kernel.auth.identity import AuthScheme
from camshaft._kernel.auth.nonces import NonceStore
from camshaft._kernel.emission.descriptors import EmitContext, Emitter, ParseLimits, Parser
from camshaft._kernel.emission.limits import parse_limits_by_media_type
from camshaft._kernel.emission.negotiation import Negotiator, parse_accept
from camshaft._kernel.forms import close_files
from camshaft._kernel.handler import Handler
from camshaft._kernel.hosts import TrustedHosts
from camshaft._kernel.models.protocol import AdaptedModel, ModelAdapter
from camshaft._kernel.models.registry import adapt
from camshaft._kernel.pagination import Paginator
from camshaft._kernel.plugin_manager import blocked_names, collect, make_plugin_manager
from camshaft._kernel.request import Request, require_parser_for
from camshaft._kernel.responses import Out
from camshaft._kernel.routing import Endpoint, Route, RouteGroup, build_groups, split_version_prefix
from camshaft._kernel.routing.matcher import CustomMatcher
from camshaft._kernel.settings import Settings, load_raw_settings
from camshaft._kernel.stash import Stash
from camshaft._kernel.stores import crud
from camshaft._kernel.stores.base import Store, StoreBackend
from camshaft._kernel.throttle.backend import ThrottleBackend
from camshaft._kernel.throttle.failures import failure_limiter
from camshaft._kernel.throttle.policy import counting_failures
from camshaft._kernel.versions import VersionSelector
from camshaft._kernel.wiring import Wiring, wire
from camshaft.errors import (
    BadRequest,
    ConfigurationError,
    HTTPError,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
)

__all__ = ["App"]

logger = logging.getLogger("camshaft")

StartResponse = Callable[..., Any]


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
        self.settings = settings_ = Settings.build(raw, specs, env, blocked=blocked_names(raw, env))
        #: Plugins' own per-app state, under their own :class:`~camshaft.plugin.StashKey`.
        self.stash = Stash()
        self.stores: dict[type[Handler], Store] = {}
        #: Each handler's adapted model (None: it has none), resolved when it is wired.
        self.models: dict[type[Handler], AdaptedModel | None] = {}
        self._adapted: dict[int, AdaptedModel] = {}
        self.emit_contexts: dict[tuple[bool, tuple[str, ...] | None], EmitContext] = {}
        self._register_capabilities()
        self.negotiator = Negotiator(
            list(self.emitters.values()),
            settings_["default_format"],
            settings_["strict_negotiation"],
        )
        self.trusted_hosts = TrustedHosts(settings_["trusted_hosts"])
        self.base_url = _checked_base_url(settings_["base_url"])
        self.parse_limits = ParseLimits(settings_["max_body_size"], settings_["max_depth"])
        #: Each parser's limits by media type (``body_limits``); others get parse_limits.
        self.parse_limits_for = parse_limits_by_media_type(self.parsers, settings_)
        #: Limits failed authentications per client address (None: ``auth.failures``
        #: is off); plugins that authenticate clients themselves use it too.
        self.auth_failures = failure_limiter(self)
        self.versions = VersionSelector(settings_["versioning"])
        self.default_version = self.versions.default
        self.version_header = self.versions.header
        #: ``Vary`` where no endpoint's wiring says more (problems before routing).
        self.vary = "Accept" + (
            f", {self.version_header}" if "header" in self.versions.strategies else ""
        )

        self.handlers = list(handlers)
        plugin_routes = [r for _, r in collect(pm, "camshaft_routes", app=self, settings=settings_)]
        self.collections, self.items, self.custom, self.url_map = build_groups(
            self.handlers,
            [*routes, *plugin_routes],
            default_version=self.default_version,
            key_pattern=settings_["key_pattern"],
            crud_defaults=crud.defaults_for,
            store_key_patterns=self._store_key_patterns(),
        )
        self._url_adapter = self.url_map.bind("localhost")
        self._custom_matcher = CustomMatcher(self.url_map)
        self._custom_groups = {group.name: group for group in self.custom}
        # Per-request hooks: resolved once, so an app no plugin hooks makes no pluggy call.
        self._on_request = _implemented(pm, "camshaft_request")
        self._on_response = _implemented(pm, "camshaft_response")
        for endpoint in self.endpoints():
            endpoint.wiring = wire(endpoint, self)
        pm.hook.camshaft_startup(app=self, settings=settings_)

    # ------------------------------------------------------------------ build time

    def _register_capabilities(self) -> None:
        """Ask every registration hook once; per name, the first plugin in the
        ``order`` setting (else in pluggy's order) wins."""
        pm, settings = self.plugin_manager, self.settings
        order = settings["order"]

        def registered(hook: str, attr: str, cap: str) -> dict[str, Any]:
            pairs = collect(pm, hook, app=self, settings=settings)
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
        self.model_adapters: list[ModelAdapter] = list(
            registered("camshaft_model_adapters", "name", "model_adapters").values()
        )

    def adapt_model(self, model: Any, owner: type) -> AdaptedModel:
        """``model`` as its adapter describes it (adapted once per model object).

        :raises ConfigurationError: no adapter accepts it; the message names ``owner``.
        """
        adapted = self._adapted.get(id(model))
        if adapted is None or adapted.model is not model:
            adapted = self._adapted[id(model)] = adapt(self.model_adapters, model, owner.__name__)
        return adapted

    def model_for(self, cls: type[Handler]) -> AdaptedModel | None:
        """The handler's model, else the one its store derives (``store.model``),
        adapted; None without either. Resolved once per handler (at build)."""
        if cls in self.models:
            return self.models[cls]
        raw = cls.model
        if raw is None:
            store = self.stores.get(cls)
            raw = getattr(store, "model", None) if store is not None else None
        self.models[cls] = adapted = None if raw is None else self.adapt_model(raw, cls)
        return adapted

    def _store_key_patterns(self) -> dict[type, str]:
        """The key pattern of each handler that has none, from its store's backend: a
        key the store would refuse is refused by the route, and documented so."""
        out: dict[type, str] = {}
        for cls in self.handlers:
            backend = self.store_backends.get(getattr(cls, "store", None) or "")
            if backend is not None and backend.key_pattern and cls.key_pattern is None:
                out[cls] = backend.key_pattern
        return out

    def groups(self) -> Iterator[RouteGroup]:
        """Every route group: collections, items, then custom routes."""
        yield from self.collections.values()
        yield from self.items.values()
        yield from self.custom

    def endpoints(self) -> Iterator[Endpoint]:
        """Every endpoint (each version of each route group)."""
        for group in self.groups():
            yield from group.versions.values()

    def wiring_for(self, endpoint: Endpoint) -> Wiring:
        """``endpoint``'s wiring.

        :raises LookupError: the endpoint is not wired yet (called during registration).
        """
        if endpoint.wiring is None:
            raise LookupError(f"{endpoint.handler.__name__} is not wired yet")
        return endpoint.wiring

    @property
    def nonce_store(self) -> NonceStore:
        """The nonce store the ``nonces.backend`` setting names.

        :raises ConfigurationError: no plugin provides it.
        """
        name = self.settings["nonces"]["backend"]
        if name not in self.nonce_stores:
            raise ConfigurationError(
                f"App needs nonce store {name!r}, which no plugin provides; "
                f"available: {', '.join(sorted(self.nonce_stores)) or 'none'}"
            )
        return self.nonce_stores[name]

    #: The per-object check behind :meth:`Handler.authorize` (the app owns policy).
    authorize_object = staticmethod(authorization.authorize_object)

    def parse_body(self, media_type: str, body: bytes) -> Any:
        """Parse a request body by its media type within the app's limits."""
        parser = require_parser_for(media_type, self.parsers)
        return parser.parse(body, self.parse_limits_for.get(media_type, self.parse_limits))

    # ------------------------------------------------------------------ request path

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request: Request | None = None
        try:
            request = Request(environ, self, _decoded_path(environ))
            self.trusted_hosts.check(environ)
            out = self._dispatch(request)
            if request._files:
                close_files(request._files)
            if isinstance(out, WerkzeugResponse):
                if self._on_response is not None:
                    start_response = self._hooked(request, start_response)
                return out(environ, start_response)
        except HTTPError as exc:
            out = responses.problem(self, request, environ, exc)
        except WerkzeugHTTPException as exc:
            # abort() or a Werkzeug exception raised by a handler: its status, as a problem.
            if exc.response is not None or exc.code is None or exc.code < 400:
                return exc(environ, start_response)
            out = responses.problem(self, request, environ, responses.from_werkzeug(exc))
        except Exception:
            logger.exception(
                "Unhandled error on %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
            )
            error = InternalServerError(
                "The server could not handle the request; the error has been logged."
            )
            out = responses.problem(self, request, environ, error)
        if request is not None and request._files:
            close_files(request._files)
        status, headers, body = out
        if self._on_response is not None:
            self._response_hook(request, environ, status, headers)
        status, headers, body = responses.safe_headers(
            self, request, environ, (status, headers, body)
        )
        start_response(status, headers)
        return body

    def _response_hook(
        self,
        request: Request | None,
        environ: dict[str, Any],
        status: str,
        headers: list[tuple[str, str]],
    ) -> None:
        """Let ``camshaft_response`` implementations add headers; the response is decided
        by now, so a failing implementation is logged, not answered."""
        assert self._on_response is not None
        if request is None:  # the path was not UTF-8: a request with the raw path
            request = Request(environ, self, environ.get("PATH_INFO") or "/")
        try:
            self._on_response(request, self, int(status[:3]), headers)
        except Exception:
            logger.exception("a camshaft_response implementation failed")

    def _hooked(self, request: Request, start_response: StartResponse) -> StartResponse:
        """``start_response`` running the response hook first (for Werkzeug responses)."""

        def hooked(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            headers = list(headers)
            self._response_hook(request, request.environ, status, headers)
            return start_response(status, headers, *args)

        return hooked

    def _dispatch(self, request: Request) -> Out | WerkzeugResponse:
        """Negotiate the representation, route, and select the version."""
        env = request.environ
        accept = env.get("HTTP_ACCEPT")
        fmt = request.args.get("format") if env.get("QUERY_STRING") else None
        if fmt is not None:  # an empty ?format= names no format either: 406
            request.emitter = self.negotiator.by_format(fmt)
            accept_version = None
            if accept and "version" in accept and "accept" in self.versions.strategies:
                accept_version = next(
                    (p["version"] for *_, p in parse_accept(accept) if "version" in p), None
                )
        else:
            request.emitter, accept_version = self.negotiator.by_accept(accept)
            request.problems_only = bool(accept) and self.negotiator.problems_only(accept)
        url_version, path = split_version_prefix(request.path)
        request.url_version = url_version
        group, request.params = self._match(path)
        endpoint = self.versions.select(group, request, url_version, accept_version)
        request.version = endpoint.version
        request.endpoint = endpoint
        return self._serve(request, endpoint)

    def _match(self, path: str) -> tuple[RouteGroup, dict[str, Any]]:
        """The route group serving ``path`` and its parameters: automatic routes by
        dictionary lookup, then the custom routes' Werkzeug map."""
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
            found = (
                self._custom_matcher.match(path)
                if "//" not in path
                else _werkzeug_match(self._url_adapter, path)
            )
            if found is not None:
                group = self._custom_groups[found[0]]
                for param, pattern in group.path_params:  # a nested route's keys
                    value = found[1].get(param)
                    if not isinstance(value, str) or pattern.fullmatch(value) is None:
                        raise BadRequest(f"Invalid key {value!r} for {param}.", title="Invalid key")
                return group, found[1]
        raise NotFound(f"No resource at {path}.")

    def _serve(self, request: Request, endpoint: Endpoint) -> Out | WerkzeugResponse:
        """Request hook, method, authenticate, authorize, throttle, call the handler,
        respond."""
        if self._on_request is not None:
            early = self._on_request(request, self)
            if early is not None:
                shaper = endpoint.wiring.shaper if endpoint.wiring is not None else None
                assert shaper is not None
                return responses.respond(self, request, endpoint, "early", early, [], shaper)
        method = request.method
        action = endpoint.actions.get("GET" if method == "HEAD" else method)
        if action is None:
            if method == "OPTIONS":
                return responses.finish(self, 204, [("Allow", endpoint.allow)], request, endpoint)
            raise MethodNotAllowed(endpoint.allow.split(", "))
        wiring = endpoint.wiring
        assert wiring is not None
        headers: list[tuple[str, str]] = []
        handler_cls = endpoint.handler
        if wiring.schemes:
            with counting_failures(wiring.throttle, request):
                handler_cls, action = authentication.authenticate(request, endpoint, action)
        handler = handler_cls(request)
        if wiring.authorize:
            authorization.authorize_request(endpoint, handler, action.name)
        if wiring.throttle is not None:
            headers.extend(wiring.throttle.check(request))
        if request.problems_only and method not in ("GET", "HEAD"):
            raise self.negotiator.problems_only_error()  # before anything is written
        kwargs = action.kwargs(request.params)
        if action.wants_data:
            kwargs["data"] = request.data
        if action.wants_request:
            kwargs["request"] = request
        result = action.func(handler, **kwargs)
        shaper = wiring.shaper if handler_cls is endpoint.handler else wiring.anonymous_shaper
        assert shaper is not None
        return responses.respond(self, request, endpoint, action.name, result, headers, shaper)


def _implemented(pm: Any, name: str) -> Callable[..., Any] | None:
    """A caller of the per-request hook ``name``, or None when no plugin implements it.

    The caller takes the spec's arguments positionally, in the spec's order. The
    implementations are resolved once, here, and called directly in pluggy's order with
    only the arguments each accepts: a per-request hook costs a function call per
    implementation, not pluggy's dispatch. ``firstresult`` hooks stop at the first
    non-None result. (Hook wrappers are not supported on per-request hooks.)
    """
    caller = getattr(pm.hook, name)
    impls = list(reversed(caller.get_hookimpls()))
    if not impls:
        return None
    spec_args = tuple(caller.spec.argnames)
    first = bool(caller.spec.opts.get("firstresult"))
    bound = [
        _positional(impl.function, [spec_args.index(a) for a in impl.argnames], len(spec_args))
        for impl in impls
    ]
    if len(bound) == 1:
        return bound[0]

    def call(*args: Any) -> Any:
        for function in bound:
            result = function(*args)
            if first and result is not None:
                return result
        return None

    return call


def _positional(function: Callable[..., Any], picks: list[int], spec: int) -> Callable[..., Any]:
    """``function`` called with the spec's positional arguments it takes, by index."""
    if picks == list(range(spec)):  # every argument, in order: called as it is
        return function
    if picks == list(range(len(picks))):  # a prefix of the spec's arguments: no reshuffle
        count = len(picks)
        if count == 1:
            return lambda *args: function(args[0])
        return lambda *args: function(*args[:count])
    return lambda *args: function(*[args[i] for i in picks])


def _decoded_path(environ: Mapping[str, Any]) -> str:
    """PATH_INFO as text (WSGI carries it as latin-1 of the raw UTF-8 bytes).

    :raises BadRequest: the path is not valid UTF-8.
    """
    path: str = environ.get("PATH_INFO") or "/"
    if not path.isascii():
        try:
            path = path.encode("latin-1").decode("utf-8")
        except UnicodeError:
            raise BadRequest("The request path is not valid UTF-8.") from None
    return path


def _werkzeug_match(adapter: MapAdapter, path: str) -> tuple[str, dict[str, Any]] | None:
    """Werkzeug's own matching, for the paths the compiled table leaves to it."""
    try:
        rule, args = adapter.match(path, method="GET", return_rule=True)
    except (RequestRedirect, WerkzeugHTTPException):
        return None
    return str(rule.endpoint), dict(args)


def _checked_base_url(value: str) -> str:
    """The ``base_url`` setting without its trailing slash.

    :raises ConfigurationError: not an absolute http(s) URL, or it holds a query,
        fragment, whitespace or control characters.
    """
    if not value:
        return ""
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.query
        or parts.fragment
        or not value.isprintable()
        or any(c.isspace() for c in value)
    ):
        raise ConfigurationError(
            f"setting 'base_url' must be an absolute http(s) URL like "
            f"'https://api.example.org' or 'https://example.org/api', got {value!r}"
        )
    return value.rstrip("/")
