"""Action discovery: which handler method (or default CRUD function) serves each HTTP
method, and what each wants injected. Used for a handler's own routes and for its
``anonymous`` handler alike."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from camshaft.errors import ConfigurationError

if TYPE_CHECKING:
    from camshaft._kernel.handler import Handler

__all__ = ["METHOD_ACTIONS", "Action", "actions_for", "discover", "make_action", "signature_info"]

#: Piston/Chief action names by HTTP method.
METHOD_ACTIONS = {
    "GET": "read",
    "POST": "create",
    "PUT": "update",
    "PATCH": "patch",
    "DELETE": "delete",
}
_INJECTED = frozenset({"data", "request"})


@dataclass(frozen=True, slots=True)
class Action:
    """A handler method bound to an HTTP method, with what it wants injected."""

    name: str
    method: str
    func: Callable[..., Any]
    params: frozenset[str] | None  # None: takes **kwargs, gets every route parameter
    wants_data: bool
    wants_request: bool
    takes_all: bool = False  # every route parameter is one of its arguments

    def kwargs(self, route_params: dict[str, Any]) -> dict[str, Any]:
        params = self.params
        if self.takes_all or params is None:
            return dict(route_params)
        return {k: v for k, v in route_params.items() if k in params}


def signature_info(
    cls: type, func: Callable[..., Any]
) -> tuple[frozenset[str] | None, dict[str, bool]]:
    """Parameter names (None for **kwargs) and, per name, whether it is required."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"{cls.__name__}.{func.__name__}: {exc}") from exc
    params = list(sig.parameters.values())[1:]  # drop self
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None, {}
    required = {
        p.name: p.default is p.empty
        for p in params
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    return frozenset(required), required


def discover(
    cls: type[Handler], defaults: dict[str, Callable[..., Any]]
) -> dict[str, Callable[..., Any]]:
    """HTTP method -> function: verb-named methods first, then Piston's action names,
    then the store's default CRUD."""
    found = {}
    for method, action in METHOD_ACTIONS.items():
        func = getattr(cls, method, None)
        if not callable(func):
            func = getattr(cls, action, None)
        if not callable(func):
            func = defaults.get(action)
        if callable(func):
            found[method] = func
    if cls.allowed_methods is not None:
        allowed = {m.upper() for m in cls.allowed_methods}
        unknown = allowed - set(METHOD_ACTIONS) - {"HEAD", "OPTIONS"}
        if unknown:
            raise ConfigurationError(
                f"{cls.__name__}.allowed_methods has unknown {sorted(unknown)}"
            )
        found = {m: f for m, f in found.items() if m in allowed}
    return found


def _verb_names() -> set[str]:
    return set(METHOD_ACTIONS) | set(METHOD_ACTIONS.values())


def check_handler(cls: type[Handler], defaults: dict[str, Callable[..., Any]]) -> None:
    """Refuse, when the app is built, the mistakes that would otherwise surface as a
    405 or a 500 at request time; each message names the class.

    :raises ConfigurationError: a handler with no verb method and no store (with the
        closest names it does define: ``reed`` for ``read``), an ``async def`` verb
        method, a ``model`` that is neither a :class:`camshaft.models.Model` nor an
        object with ``validate``, or an unknown method in ``allowed_methods``.
    """
    from difflib import get_close_matches


    verbs = _verb_names()
    for name in sorted(verbs):
        func = getattr(cls, name, None)
        if func is not None and (
            inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)
        ):
            raise ConfigurationError(
                f"{cls.__name__}.{name} is 'async def'; Camshaft is a WSGI framework: "
                "define it with plain 'def'"
            )
    if not defaults and not any(callable(getattr(cls, name, None)) for name in verbs):
        own = [n for n in vars(cls) if not n.startswith("_") and callable(vars(cls)[n])]
        near = sorted({m for n in own for m in get_close_matches(n.lower(), verbs, 1, 0.6)})
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise ConfigurationError(
            f"{cls.__name__} defines no method (read, create, update, patch, delete, or "
            f"GET, POST, PUT, PATCH, DELETE) and names no store{hint}"
        )
    # The model is checked by the model adapters when the app is wired.
    if cls.allowed_methods is not None:
        if isinstance(cls.allowed_methods, str):
            raise ConfigurationError(
                f"{cls.__name__}.allowed_methods must be a tuple of methods, not a string"
            )
        allowed = {str(m).upper() for m in cls.allowed_methods}
        unknown = allowed - set(METHOD_ACTIONS) - {"HEAD", "OPTIONS"}
        if unknown:
            raise ConfigurationError(
                f"{cls.__name__}.allowed_methods has unknown {sorted(unknown)}; "
                f"known: {', '.join([*METHOD_ACTIONS, 'HEAD', 'OPTIONS'])}"
            )


def make_action(cls: type, method: str, func: Callable[..., Any], route_params: set[str]) -> Action:
    params, required = signature_info(cls, func)
    if params is not None:
        missing = [n for n, req in required.items() if req and n not in route_params | _INJECTED]
        if missing:
            raise ConfigurationError(
                f"{cls.__name__}.{func.__name__} requires {missing}, which the route "
                f"{sorted(route_params) or 'without parameters'} cannot give"
            )
    return Action(
        name=METHOD_ACTIONS[method],
        method=method,
        func=func,
        params=params,
        # A route parameter of the same name wins over the injected body or request.
        wants_data="data" not in route_params and (params is None or "data" in params),
        wants_request="request" not in route_params and params is not None and "request" in params,
        takes_all=params is None or route_params <= params,
    )


def actions_for(
    cls: type[Handler],
    route_params: Iterable[str],
    defaults: dict[str, Callable[..., Any]],
    *,
    skip_unservable: bool = False,
) -> dict[str, Action]:
    """The actions of ``cls`` on a route with ``route_params``, by HTTP method.

    :param defaults: the default CRUD functions for the methods ``cls`` does not define.
    :param skip_unservable: leave out a method whose required arguments the route cannot
        give (``read(self, key)`` on a collection route) instead of refusing it.
    :raises ConfigurationError: a method needs an argument the route cannot give.
    """
    params_set = set(route_params)
    actions = {}
    for method, func in discover(cls, defaults).items():
        if skip_unservable:
            params, required = signature_info(cls, func)
            if params is not None and any(
                req and name not in params_set | _INJECTED for name, req in required.items()
            ):
                continue
        actions[method] = make_action(cls, method, func, params_set)
    return actions
