"""Hook specifications: everything a Camshaft plugin can implement.

Hooks are called with keyword arguments only, and an implementation may accept any
subset of a spec's arguments, so adding an argument to a spec breaks no plugin.

There are two kinds of hooks:

* **Registration hooks** (``camshaft_settings_spec``, ``camshaft_emitters``,
  ``camshaft_parsers``, ``camshaft_auth_schemes``, ``camshaft_stores``,
  ``camshaft_paginators``, ``camshaft_throttle_backends``, ``camshaft_nonce_stores``,
  ``camshaft_model_adapters``, ``camshaft_routes``, ``camshaft_openapi``) are
  called once, when an app is built (``camshaft_openapi`` once, when its OpenAPI
  document is first asked for). They return descriptors; the request path then
  calls plain objects, never pluggy. They are called plugin by plugin (so the app knows
  which plugin contributed what), installed plugins before the builtins; where two
  plugins contribute the same name, the one called first wins. Hook wrappers are not
  supported on them.
* **Decision hooks** (``camshaft_authorize``) run per request, and only when some
  plugin implements them.
* **Per-request hooks** (``camshaft_request``, ``camshaft_response``) run on every
  request, and only when some plugin implements them: the app resolves them once when
  it is built, so an app whose plugins implement neither makes no pluggy call per
  request.

Lifecycle hooks (``camshaft_startup``) run once per app, after it is built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from camshaft._kernel.app import App
    from camshaft._kernel.auth.identity import AuthScheme, Identity
    from camshaft._kernel.auth.nonces import NonceStore
    from camshaft._kernel.emission.descriptors import Emitter, Parser
    from camshaft._kernel.models.protocol import ModelAdapter
    from camshaft._kernel.pagination import Paginator
    from camshaft._kernel.request import Request
    from camshaft._kernel.routing import Route
    from camshaft._kernel.settings import Option, Settings
    from camshaft._kernel.stores.base import StoreBackend
    from camshaft._kernel.throttle.backend import ThrottleBackend

hookspec = pluggy.HookspecMarker("camshaft")

# ---------------------------------------------------------------------------
# App lifecycle
# ---------------------------------------------------------------------------


@hookspec
def camshaft_settings_spec() -> Mapping[str, Option | Mapping[str, Any]]:
    """Declare the options of this plugin's settings section.

    Called once per app, before settings are validated. The section is keyed by the
    plugin's entry-point name (its registration name): a plugin registered as ``yaml``
    is configured under ``[yaml]`` in ``camshaft.toml``. Unknown or ill-typed keys in
    the section fail the app's start.

    :return: a mapping of option name to :class:`camshaft.Option` (or to a nested
        mapping of options).
    """


@hookspec
def camshaft_startup(app: App, settings: Settings) -> None:
    """Called once when the app has been built, after every registration hook.

    Plugins open connection pools, check their configuration, or seed data here.
    Raising :class:`camshaft.errors.ConfigurationError` stops the app from starting.

    :param app: the app being started.
    :param settings: the validated settings; ``settings.plugin(name)`` is a plugin's section.
    """


@hookspec
def camshaft_routes(app: App, settings: Settings) -> Sequence[Route]:
    """Contribute routes beyond the handlers' automatic ones (token endpoints, docs).

    :param app: the app being built.
    :param settings: the validated settings.
    :return: :class:`camshaft.Route` objects.
    """


# ---------------------------------------------------------------------------
# Emission: emitters and request-body parsers
# ---------------------------------------------------------------------------


@hookspec
def camshaft_emitters(app: App, settings: Settings) -> Sequence[Emitter]:
    """Register response formats.

    :param app: the app being built: its ``settings`` and ``stash`` are ready, its
        capabilities and routes are not (keep per-app state in ``app.stash``).
    :param settings: the validated settings.
    :return: :class:`camshaft.Emitter` descriptors. An emitter whose ``format`` another
        plugin (called earlier) already registered is ignored, so an installed plugin
        overrides a builtin of the same format.
    """


@hookspec
def camshaft_parsers(app: App, settings: Settings) -> Sequence[Parser]:
    """Register request-body formats.

    :param app: the app being built: its ``settings`` and ``stash`` are ready, its
        capabilities and routes are not (keep per-app state in ``app.stash``).
    :param settings: the validated settings.
    :return: :class:`camshaft.Parser` descriptors, one per media type; the first
        registered for a media type wins.
    """


# ---------------------------------------------------------------------------
# Authentication and authorization
# ---------------------------------------------------------------------------


@hookspec
def camshaft_auth_schemes(app: App, settings: Settings) -> Sequence[AuthScheme]:
    """Register authentication schemes resources may name in ``authentication``.

    :param app: the app being built: its ``settings`` and ``stash`` are ready, its
        capabilities and routes are not (keep per-app state in ``app.stash``).
    :param settings: the validated settings.
    :return: :class:`camshaft.AuthScheme` descriptors; the first of a name wins.
    """


@hookspec(firstresult=True)
def camshaft_authorize(
    request: Request, identity: Identity, handler: Any, action: str, obj: Any
) -> bool | None:
    """Decide whether ``identity`` may perform ``action`` (on ``obj``, when known).

    A decision hook: called per request only when some plugin implements it, for
    resources that name authentication schemes (their own ``authentication`` or the
    ``auth.default`` setting), after the handler's own ``permissions`` granted access;
    and whenever a handler checks an object with ``self.authorize(action, obj)``.
    Stops at first non-None result.

    :param request: the current request.
    :param identity: who is asking (:data:`camshaft.ANONYMOUS` when nobody).
    :param handler: the handler instance that will serve the request.
    :param action: ``"read"``, ``"create"``, ``"update"``, ``"patch"`` or ``"delete"``.
    :param obj: the object acted on, when the handler loaded one; else None.
    :return: True to allow, False to deny (403), None to leave the decision to others.
    """


# ---------------------------------------------------------------------------
# Per request
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def camshaft_request(request: Request, app: App) -> Any:
    """A request has arrived and been routed; answer it early, or let it through.

    Called once per request, only when some plugin implements it, after content
    negotiation, routing and version selection (``request.endpoint``,
    ``request.version`` and ``request.emitter`` are set) and before the method check,
    authentication, authorization, throttling and the handler; a request that fails
    before (no route: 404, no acceptable format: 406) does not reach it, but its
    problem response still passes ``camshaft_response``. Stops at first non-None result.

    :param request: the current request (keep per-request state in ``request.stash``).
    :param app: the app serving it.
    :return: None to go on; or an early answer, which is anything a handler may
        return -- typically ``camshaft.Result(None, 204, headers={...})`` (a CORS
        preflight), a :class:`camshaft.Status`, a Werkzeug ``Response``, or data -- and
        is rendered like a handler's result (a 4xx/5xx status as a problem document). A
        hook may also raise a :class:`camshaft.errors.HTTPError`.
    """


@hookspec
def camshaft_response(
    request: Request, app: App, status: int, headers: list[tuple[str, str]]
) -> None:
    """A response is about to be sent: add headers (CORS, a request id) or record it
    (access logs).

    Called once per response, only when some plugin implements it, just before the
    WSGI ``start_response`` -- for every response: a handler's, an early answer from
    ``camshaft_request``, a Werkzeug ``Response``, a problem document (4xx and 500
    alike). The status and body are decided: an exception raised here is logged and the
    response is sent as it was.

    :param request: the current request (its ``path`` is undecoded when the path was
        not UTF-8; ``request.endpoint`` is None when no route matched).
    :param app: the app serving it.
    :param status: the response status code.
    :param headers: the response headers as ``(name, value)`` pairs; append to (or
        edit) this list in place. Values must not contain control characters.
    """


# ---------------------------------------------------------------------------
# Data stores
# ---------------------------------------------------------------------------


@hookspec
def camshaft_stores(app: App, settings: Settings) -> Sequence[StoreBackend]:
    """Register kinds of data store handlers may name in ``store``.

    :param app: the app being built: its ``settings`` and ``stash`` are ready, its
        capabilities and routes are not (keep per-app state in ``app.stash``).
    :param settings: the validated settings.
    :return: :class:`camshaft.StoreBackend` descriptors; the first of a name wins.
    """


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------


@hookspec
def camshaft_model_adapters(app: App, settings: Settings) -> Sequence[ModelAdapter]:
    """Register kinds of model handlers may name in ``model`` (pydantic models, msgspec
    Structs, ...).

    When the app is built, each handler's model goes to the first adapter whose
    ``matches(model)`` is true, installed plugins' adapters before the builtin ones
    (camshaft's ``Model`` and dataclasses); a model no adapter matches fails the build,
    naming the handler. The adapted model then validates bodies, converts filter values
    and describes itself for OpenAPI.

    :param app: the app being built: its ``settings`` and ``stash`` are ready, its
        capabilities and routes are not (keep per-app state in ``app.stash``).
    :param settings: the validated settings.
    :return: :class:`camshaft.plugin.ModelAdapter` descriptors; the first of a name wins.
    """


# ---------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------


@hookspec
def camshaft_paginators(app: App, settings: Settings) -> Sequence[Paginator]:
    """Register pagination styles handlers may name in ``pagination``.

    :param app: the app being built: its ``settings`` and ``stash`` are ready, its
        capabilities and routes are not (keep per-app state in ``app.stash``).
    :param settings: the validated settings.
    :return: :class:`camshaft.Paginator` descriptors; the first of a name wins.
    """


# ---------------------------------------------------------------------------
# Throttling
# ---------------------------------------------------------------------------


@hookspec
def camshaft_throttle_backends(app: App, settings: Settings) -> Sequence[ThrottleBackend]:
    """Register places throttle counters live (chosen by ``throttle.backend``).

    :param app: the app being built: its ``settings`` and ``stash`` are ready, its
        capabilities and routes are not (keep per-app state in ``app.stash``).
    :param settings: the validated settings.
    :return: :class:`camshaft.ThrottleBackend` descriptors; the first of a name wins.
    """


@hookspec
def camshaft_nonce_stores(app: App, settings: Settings) -> Sequence[NonceStore]:
    """Register places replay-protection nonces live (chosen by ``nonces.backend``).

    :param app: the app being built: its ``settings`` and ``stash`` are ready, its
        capabilities and routes are not (keep per-app state in ``app.stash``).
    :param settings: the validated settings.
    :return: :class:`camshaft.NonceStore` descriptors; the first of a name wins.
    """


# ---------------------------------------------------------------------------
# Documentation
# ---------------------------------------------------------------------------


@hookspec
def camshaft_openapi(app: App, document: dict[str, Any]) -> None:
    """Complete the app's generated OpenAPI 3.1 document.

    Called once per app, lazily, when the document is first generated (the first
    request for it, or ``camshaft openapi``), after the kernel has described every
    route; the result is cached. Change ``document`` in place: add paths (token
    endpoints), describe a security scheme your plugin registers under
    ``components.securitySchemes[<scheme name>]``, or add a media type's examples. A
    scheme an operation names that no plugin described is documented as a generic HTTP
    scheme afterwards.

    :param app: the app being documented.
    :param document: the OpenAPI document as plain data (``openapi``, ``info``,
        ``paths``, ``components``, ...).
    """
