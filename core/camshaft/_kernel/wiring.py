"""An endpoint's wiring: everything the request path calls for it, resolved once.

:func:`wire` turns a handler class's declarations (``authentication``, ``anonymous``,
``permissions``, ``throttle``, ``store``, ``pagination``, ``fields``) and the app's
registered capabilities into one frozen :class:`Wiring`. Nothing on the request path
looks a capability up by name; plugins keep their own per-endpoint state in
:attr:`Wiring.stash` under their own :class:`~camshaft.plugin.StashKey`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from camshaft._kernel.auth import authentication, authorization
from camshaft._kernel.auth.identity import AuthScheme
from camshaft._kernel.handler import Handler, default_resource_name
from camshaft._kernel.pagination import Paginator, paginator_name
from camshaft._kernel.routing import Action, Endpoint, actions_for
from camshaft._kernel.shaping.shaper import Shaper, shaper_for
from camshaft._kernel.stash import Stash
from camshaft._kernel.stores.base import Store, StoreConfig
from camshaft._kernel.stores.crud import defaults_for
from camshaft._kernel.stores.relations import check_relations
from camshaft._kernel.stores.search import check_search
from camshaft._kernel.throttle.policy import ThrottlePolicy, policy_for
from camshaft.errors import ConfigurationError

if TYPE_CHECKING:
    from camshaft._kernel.app import App
    from camshaft._kernel.versions import VersionSelector

__all__ = ["Anonymous", "Wiring", "anonymous_for", "wire"]

logger = logging.getLogger("camshaft")
_TEMPLATE_PARAM = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True, slots=True)
class Anonymous:
    """A handler's ``anonymous`` handler class (Piston's), with its actions by HTTP
    method on the endpoint's route."""

    handler: type[Handler]
    actions: Mapping[str, Action]


@dataclass(frozen=True, slots=True)
class Wiring:
    """What the request path calls for one endpoint.

    :ivar schemes: the authentication schemes it accepts, in order (empty: open).
    :ivar anonymous: its ``anonymous`` handler, or None.
    :ivar authorize: whether each request is authorized (schemes named or permissions
        declared); false means the endpoint is open and no check runs.
    :ivar authorize_plugins: whether ``camshaft_authorize`` implementations are asked.
    :ivar throttle: its throttle policy, or None when it declares no rate.
    :ivar store: the store its default CRUD uses, or None.
    :ivar paginator: the paginator of its collection route, or None.
    :ivar shaper: its compiled ``fields`` / ``exclude`` / links.
    :ivar anonymous_shaper: the ``anonymous`` handler's own shaping, or None.
    :ivar vary: the ``Vary`` value: every request header that selects its representation.
    :ivar credential_keys: environ keys of the headers its schemes read credentials from.
    :ivar stash: plugins' own per-endpoint state.
    """

    schemes: tuple[AuthScheme, ...]
    anonymous: Anonymous | None
    authorize: bool
    authorize_plugins: bool
    throttle: ThrottlePolicy | None
    store: Store | None
    paginator: Paginator | None
    shaper: Shaper
    anonymous_shaper: Shaper | None
    vary: str = "Accept"
    #: WSGI environ keys of the request headers the schemes read credentials from.
    credential_keys: tuple[str, ...] = ()
    stash: Stash = field(default_factory=Stash, compare=False)


def wire(endpoint: Endpoint, app: App) -> Wiring:
    """Resolve ``endpoint``'s capabilities in ``app``.

    :raises ConfigurationError: a scheme, store, paginator, throttle rate or scope the
        handler names does not exist, or a declaration is malformed; the message names
        the handler.
    """
    cls = endpoint.handler
    schemes = authentication.resolve_schemes(cls, app.auth_schemes, app.settings["auth"]["default"])
    anonymous = anonymous_for(endpoint)
    authorize, authorize_plugins = authorization.needs_authorization(
        endpoint, schemes, anonymous.handler if anonymous else None, app.plugin_manager
    )
    undeclared = authorization.writes_undeclared(endpoint, schemes)
    if undeclared:
        logger.warning(
            "%s names authentication but declares no permissions: its %s %s refused "
            "unless a plugin policy grants them (e.g. OAuth scopes); declare who may "
            "write (e.g. permissions = {'*': authenticated})",
            cls.__name__,
            "/".join(undeclared),
            "is" if len(undeclared) == 1 else "are",
        )
    links_to = app.items if app.settings["shaping"]["links"] else None
    store = _store(endpoint, app)
    # Models are adapted now, so a model no adapter accepts fails the build.
    app.model_for(cls)
    if anonymous is not None:
        app.model_for(anonymous.handler)
    return Wiring(
        schemes=schemes,
        anonymous=anonymous,
        authorize=authorize,
        authorize_plugins=authorize_plugins,
        throttle=policy_for(cls, app),
        store=store,
        paginator=_paginator(endpoint, app),
        shaper=shaper_for(cls, items=links_to),
        anonymous_shaper=shaper_for(anonymous.handler, items=links_to) if anonymous else None,
        vary=_vary(schemes, app.versions),
        credential_keys=_credential_keys(schemes),
    )


def anonymous_for(endpoint: Endpoint) -> Anonymous | None:
    """The endpoint handler's ``anonymous`` handler and its actions on the endpoint's
    route; a method whose required arguments the route cannot give (``read(self, key)``
    on the collection route) is left out, as the router does for the main handler.

    :raises ConfigurationError: ``anonymous`` is not a :class:`~camshaft.Handler` subclass.
    """
    cls = endpoint.handler
    anon = getattr(cls, "anonymous", None)
    if anon is None:
        return None
    if not (isinstance(anon, type) and issubclass(anon, Handler)):
        raise ConfigurationError(
            f"{cls.__name__}.anonymous must be a camshaft.Handler subclass, got {anon!r}"
        )
    route_params = set(_TEMPLATE_PARAM.findall(endpoint.path))
    actions = actions_for(anon, route_params, defaults_for(anon), skip_unservable=True)
    return Anonymous(anon, actions)


def _vary(schemes: tuple[AuthScheme, ...], versions: VersionSelector) -> str:
    """Every request header that may select the representation: ``Accept``, the version
    header when that strategy is on, ``Authorization`` and the schemes' own headers."""
    names = ["Accept"]
    if "header" in versions.strategies:
        names.append(versions.header)
    if schemes:  # an open resource; naming even ``anonymous`` varies by credentials
        names.append("Authorization")
        for scheme in schemes:
            names.extend(h for h in scheme.vary if h not in names)
    return ", ".join(names)


def _credential_keys(schemes: tuple[AuthScheme, ...]) -> tuple[str, ...]:
    if not authentication.asks_credentials(schemes):
        return ()
    headers = ["Authorization", *(h for s in schemes for h in s.vary)]
    return tuple(dict.fromkeys("HTTP_" + h.upper().replace("-", "_") for h in headers))


def _store(endpoint: Endpoint, app: App) -> Store | None:
    """The handler's store, opened once per handler class and shared by its routes."""
    cls = endpoint.handler
    if cls.store is None:
        for attribute in ("search", "relations", "embed"):
            if getattr(cls, attribute, None):
                raise ConfigurationError(
                    f"{cls.__name__}.{attribute} needs a store: the default CRUD follows it"
                )
        return None
    if cls not in app.stores:
        backend = _named(app.store_backends, cls.store, "store", cls)
        config = StoreConfig(
            resource=cls.resource_name
            or (
                default_resource_name(cls)
                if cls.parent is not None
                else endpoint.path.strip("/").split("/")[0]
            ),
            key_field=cls.key_field,
            model=None if cls.model is None else app.adapt_model(cls.model, cls),
            source=cls.source,
            options={**app.settings.plugin(cls.store), **cls.store_options},
        )
        app.stores[cls] = backend.open(config)
        check_search(cls, backend, app.model_for(cls))
        check_relations(cls, app)
    return app.stores[cls]


def _paginator(endpoint: Endpoint, app: App) -> Paginator | None:
    name = paginator_name(endpoint.handler, app.settings["pagination"]["default"])
    if endpoint.kind == "item" or name is None:
        return None
    paginator: Paginator = _named(app.paginators, name, "paginator", endpoint.handler)
    return paginator


def _named(table: Mapping[str, Any], name: str, what: str, cls: type) -> Any:
    """``table[name]``, or an error naming ``cls`` and what exists."""
    if name not in table:
        raise ConfigurationError(
            f"{cls.__name__} needs {what} {name!r}, which no plugin provides; "
            f"available: {', '.join(sorted(table)) or 'none'}"
        )
    return table[name]
