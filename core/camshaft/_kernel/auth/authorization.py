"""Authorization: who may do what, per verb and per object, denied unless granted.

What "granted" means, for a request served by handler class ``H`` to identity ``I``:

1. **Baseline.** A resource that names no scheme (and ``auth.default`` is empty) is open.
   A resource that names any scheme grants only: an *authenticated* identity (a scheme
   accepted credentials and gave an identity with an ``id``); or anybody when the resource
   names the ``anonymous`` scheme (an explicit opt-in); or anybody served by the
   resource's ``anonymous`` handler class. Anything else is refused. Behind a scheme
   that asks for credentials, a handler without ``permissions`` serves reads only: its
   writes are refused until it declares who may make them (``{"*": authenticated}``
   says "anyone signed in").
2. **Permissions narrow it.** When ``H.permissions`` is declared, the rules for the verb
   must all return true. ``permissions`` is one rule, a list of rules (every verb), or a
   mapping from HTTP verb (``"DELETE"``), action (``"delete"``) or ``"*"`` (any other
   verb) to a rule or a list of rules. A verb the mapping does not cover is refused.
   A rule is ``rule(request, identity, obj) -> bool``; ``obj`` is None at the request
   stage and the object when the handler calls ``self.authorize(action, obj)``.
3. **Plugin policies narrow it further.** ``camshaft_authorize`` implementations are
   asked last; False refuses.

A refusal at the request stage is 401 with the challenges when the client sent no
credentials and some scheme could accept them, else 403. A refusal of one object is 403,
or 404 when the ``auth.hide_forbidden`` setting is true (so the object's existence is not
revealed).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from camshaft._kernel.auth.authentication import accepts_anonymous, asks_credentials, challenges
from camshaft._kernel.routing.actions import METHOD_ACTIONS
from camshaft.errors import ConfigurationError, Forbidden, HTTPError, NotFound, Unauthorized

if TYPE_CHECKING:
    import pluggy

    from camshaft._kernel.auth.identity import AuthScheme, Identity
    from camshaft._kernel.auth.rules import Permission
    from camshaft._kernel.handler import Handler
    from camshaft._kernel.request import Request
    from camshaft._kernel.routing import Endpoint

__all__ = [
    "allowed",
    "authorize_object",
    "authorize_request",
    "needs_authorization",
    "permissions_of",
    "rules_for",
    "writes_undeclared",
]

Rules = dict[str, tuple["Permission", ...]]

_VERB_OF = {action: verb for verb, action in METHOD_ACTIONS.items()}
#: Actions that change state; behind authentication they need declared permissions.
_WRITES = frozenset({"create", "update", "patch", "delete"})


# ---------------------------------------------------------------------- build time


def _rule_tuple(owner: str, key: str, value: Any) -> tuple[Permission, ...]:
    rules = tuple(value) if isinstance(value, list | tuple) else (value,)
    for rule in rules:
        if not callable(rule):
            raise ConfigurationError(
                f"{owner}.permissions[{key!r}] must be callables "
                f"(request, identity, obj) -> bool, got {rule!r}"
            )
    return rules


def permissions_of(cls: type) -> Rules | None:
    """A handler class's ``permissions``, as HTTP verb (or ``"*"``) -> rules.

    :return: None when the class declares none.
    :raises ConfigurationError: a key that is no verb, action or ``"*"``, or a rule that
        is not callable.
    """
    declared = getattr(cls, "permissions", None)
    if declared is None:
        return None
    owner = cls.__name__
    if not isinstance(declared, Mapping):
        return {"*": _rule_tuple(owner, "*", declared)}
    rules: Rules = {}
    for key, value in declared.items():
        verb = key if key == "*" else _VERB_OF.get(key, str(key).upper())
        if verb != "*" and verb not in METHOD_ACTIONS:
            raise ConfigurationError(
                f"{owner}.permissions has key {key!r}; use an HTTP verb "
                f"({', '.join(METHOD_ACTIONS)}), an action ({', '.join(_VERB_OF)}) or '*'"
            )
        rules[verb] = _rule_tuple(owner, str(key), value)
    return rules


def needs_authorization(
    endpoint: Endpoint,
    schemes: tuple[AuthScheme, ...],
    anonymous: type[Handler] | None,
    plugin_manager: pluggy.PluginManager,
) -> tuple[bool, bool]:
    """Decide once whether the endpoint is authorized per request, and whether plugin
    policies are asked.

    :return: ``(authorize, ask_plugins)``.
    :raises ConfigurationError: a ``permissions`` declaration is wrong.
    """
    declared = permissions_of(endpoint.handler) is not None
    if anonymous is not None:
        declared = permissions_of(anonymous) is not None or declared
    # Plugin policies decide about identities, so they run where a resource names
    # schemes (its own or auth.default); an open resource pays no per-request hook call.
    ask_plugins = bool(schemes) and _has_hook(plugin_manager)
    return bool(schemes) or declared, ask_plugins


def writes_undeclared(endpoint: Endpoint, schemes: tuple[AuthScheme, ...]) -> list[str]:
    """The write methods ``endpoint`` serves behind ``schemes`` without declared
    permissions: requests to them are refused (the app logs this at build)."""
    if not asks_credentials(schemes):
        return []
    if permissions_of(endpoint.handler) is not None:
        return []
    return sorted(m for m, a in endpoint.actions.items() if a.name in _WRITES)


def _has_hook(plugin_manager: pluggy.PluginManager) -> bool:
    return bool(plugin_manager.hook.camshaft_authorize.get_hookimpls())


def checks_objects(handler: Handler) -> bool:
    """Whether :func:`authorize_object` can refuse for this handler: it declares
    ``permissions``, or a plugin implements ``camshaft_authorize``. Callers skip loading
    an object just to authorize it when this is false."""
    cls: Any = type(handler)  # Any: mypy holds classes unhashable for lru_cache
    if _compiled(cls) is not None:
        return True
    return _has_hook(handler.request.app.plugin_manager)


@functools.lru_cache(maxsize=1024)
def _compiled(cls: Any) -> Rules | None:
    """:func:`permissions_of`, once per class (rules are checked on every request)."""
    return permissions_of(cls)


# ---------------------------------------------------------------------- per request


def rules_for(cls: type, action: str) -> tuple[Permission, ...] | None:
    """The rules ``cls`` declares for ``action`` (or its verb); None when it declares no
    ``permissions``, ``()`` when the mapping grants the verb nothing."""
    rules = _compiled(cls)
    if rules is None:
        return None
    verb = _VERB_OF.get(action, action.upper())
    return rules.get(verb, rules.get("*", ()))


def _rules_allow(cls: type, request: Request, identity: Identity, action: str, obj: Any) -> bool:
    rules = _compiled(cls)
    if rules is None:
        return True
    verb = _VERB_OF.get(action, action.upper())
    chosen = rules.get(verb, rules.get("*"))
    if chosen is None:
        return False  # deny by default: the mapping grants nothing for this verb
    return all(rule(request, identity, obj) for rule in chosen)


def _plugin_verdict(handler: Handler, action: str, obj: Any) -> bool | None:
    """The first plugin policy's verdict (True grants, False refuses), or None."""
    request = handler.request
    pm = request.app.plugin_manager
    if not _has_hook(pm):
        return None
    verdict: bool | None = pm.hook.camshaft_authorize(
        request=request, identity=request.identity, handler=handler, action=action, obj=obj
    )
    return verdict


def _plugins_allow(handler: Handler, action: str, obj: Any) -> bool:
    return _plugin_verdict(handler, action, obj) is not False


def _refusal(request: Request, schemes: Iterable[AuthScheme], detail: str) -> HTTPError:
    schemes = tuple(schemes)
    if not request.identity.is_authenticated and asks_credentials(schemes):
        return Unauthorized(detail, headers=challenges(request, schemes))
    return Forbidden(detail)


def authorize_request(endpoint: Endpoint, handler: Handler, action: str) -> None:
    """Check the baseline, the handler's permissions (``obj`` None) and plugin policies.

    :param endpoint: the endpoint serving the request (its wired schemes).
    :param handler: the handler instance about to serve it (the endpoint's class, or its
        ``anonymous`` class).
    :param action: ``"read"``, ``"create"``, ``"update"``, ``"patch"`` or ``"delete"``.
    :raises Unauthorized: refused, no credentials were sent and some scheme asks for them.
    :raises Forbidden: refused otherwise.
    """
    request = handler.request
    identity = request.identity
    wiring = endpoint.wiring
    assert wiring is not None
    schemes = wiring.schemes
    served_anonymously = type(handler) is not endpoint.handler
    if (
        schemes
        and not identity.is_authenticated
        and not served_anonymously
        and not accepts_anonymous(schemes)
    ):
        raise _refusal(request, schemes, "Authentication is required.")
    cls: Any = type(handler)  # Any: mypy holds classes unhashable for lru_cache
    if not _rules_allow(cls, request, identity, action, None):
        raise _refusal(request, schemes, "You may not do this.")
    # Behind authentication, a handler without permissions is read-only unless a plugin
    # policy grants the write outright (camshaft-oauth does, for a token whose scopes
    # cover what the handler declares for the verb).
    undeclared_write = action in _WRITES and asks_credentials(schemes) and _compiled(cls) is None
    if wiring.authorize_plugins or undeclared_write:
        verdict = _plugin_verdict(handler, action, None)
        if verdict is False:
            raise _refusal(request, schemes, "You may not do this.")
        if undeclared_write and verdict is not True:
            raise _refusal(
                request, schemes, f"{cls.__name__} declares no permissions for writes."
            )


def allowed(handler: Handler, action: str, obj: Any) -> bool:
    """Whether the handler's permissions and the plugin policies allow ``action`` on
    ``obj`` for the request's identity (for filtering what a list shows)."""
    request = handler.request
    return _rules_allow(type(handler), request, request.identity, action, obj) and (
        _plugins_allow(handler, action, obj)
    )


def authorize_object(handler: Handler, action: str, obj: Any) -> None:
    """The per-object check behind ``Handler.authorize(action, obj)``.

    :param action: an action (``"delete"``) or HTTP verb (``"DELETE"``).
    :raises NotFound: refused and the ``auth.hide_forbidden`` setting is true.
    :raises Forbidden: refused otherwise.
    """
    action = METHOD_ACTIONS.get(action.upper(), action) if action.isupper() else action
    if allowed(handler, action, obj):
        return
    if handler.request.app.settings["auth"]["hide_forbidden"]:
        raise NotFound(f"No resource at {handler.request.path}.")
    raise Forbidden("You may not do this to this resource.")
