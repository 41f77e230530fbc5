"""Authentication on the request path: which schemes a resource accepts, and who is asking.

Build time (:func:`resolve_schemes`) resolves a handler's ``authentication`` names (or
the ``auth.default`` setting) to :class:`~camshaft.AuthScheme` objects; the wiring
prepares its ``anonymous`` handler class, if any. Per request (:func:`authenticate`) each
scheme is asked in order:

* ``None`` -- not mine: the next scheme is asked;
* an :class:`~camshaft.Identity` -- accepted: it is put on ``request.identity``;
* :class:`~camshaft.errors.Unauthorized` raised -- rejected: no other scheme is asked.

When every scheme says "not mine", the handler's ``anonymous`` class serves the request
(Piston's anonymous handler) if it serves the method; otherwise the answer is 401 with
one ``WWW-Authenticate`` challenge per scheme.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from camshaft._kernel.auth.identity import AuthScheme
from camshaft.errors import ConfigurationError, Unauthorized

if TYPE_CHECKING:
    from camshaft._kernel.handler import Handler
    from camshaft._kernel.request import Request
    from camshaft._kernel.routing import Action, Endpoint

__all__ = [
    "accepts_anonymous",
    "asks_credentials",
    "authenticate",
    "challenges",
    "resolve_schemes",
]

#: The scheme that accepts everyone as ANONYMOUS (``camshaft.builtins.anonymous_auth``).
ANONYMOUS_SCHEME = "anonymous"


def resolve_schemes(
    cls: type[Handler], available: Mapping[str, AuthScheme], default: Iterable[str]
) -> tuple[AuthScheme, ...]:
    """The schemes ``cls`` accepts, in order: its ``authentication`` names, or ``default``.

    :raises ConfigurationError: a name no plugin provides (the message lists what exists).
    """
    names = cls.authentication
    if names is None:
        names = tuple(default)
    if isinstance(names, str):
        names = (names,)
    schemes = []
    for name in names:
        if name not in available:
            raise ConfigurationError(
                f"{cls.__name__} names authentication scheme {name!r}, which no plugin "
                f"provides; available: {', '.join(sorted(available))}"
            )
        schemes.append(available[name])
    return tuple(schemes)


def challenges(request: Request, schemes: Iterable[AuthScheme]) -> list[tuple[str, str]]:
    """One ``WWW-Authenticate`` header per scheme that has a challenge."""
    return [("WWW-Authenticate", c) for s in schemes if (c := s.challenge(request))]


def authenticate(
    request: Request, endpoint: Endpoint, action: Action
) -> tuple[type[Handler], Action]:
    """Establish ``request.identity`` and choose who serves the request.

    :return: the handler class and its action for the method: the endpoint's own, or the
        ``anonymous`` handler's when no scheme claimed the request.
    :raises Unauthorized: a scheme rejected the credentials (with its challenges, or every
        scheme's when it gave none), or nobody claimed the request and no anonymous
        handler serves the method (one challenge per scheme).
    :raises TooManyRequests: the client address failed to authenticate too often
        (``auth.failures``; see :mod:`camshaft._kernel.throttle.failures`).
    """
    wiring = endpoint.wiring
    assert wiring is not None
    schemes = wiring.schemes
    failures = request.app.auth_failures
    if failures is not None and any(k in request.environ for k in wiring.credential_keys):
        failures.check(request)  # a blocked address pays for no password hash
    for scheme in schemes:
        try:
            identity = scheme.authenticate(request)
        except Unauthorized as exc:
            if failures is not None:
                failures.record(request)  # 429 past the limit
            if not any(name.lower() == "www-authenticate" for name, _ in exc.headers):
                exc.headers.extend(challenges(request, schemes))
            raise
        if identity is not None:
            request.identity = identity
            return endpoint.handler, action
    anonymous = wiring.anonymous
    if anonymous is not None:
        anon_action = anonymous.actions.get("GET" if request.method == "HEAD" else request.method)
        if anon_action is not None:
            return anonymous.handler, anon_action
    raise Unauthorized("Authentication is required.", headers=challenges(request, schemes))


def accepts_anonymous(schemes: Iterable[AuthScheme]) -> bool:
    """Whether the resource opted in to clients without credentials by naming the
    ``anonymous`` scheme."""
    return any(s.name == ANONYMOUS_SCHEME for s in schemes)


def asks_credentials(schemes: Iterable[AuthScheme]) -> bool:
    """Whether some scheme could accept credentials (so a 401 can help the client)."""
    return any(s.name != ANONYMOUS_SCHEME for s in schemes)
