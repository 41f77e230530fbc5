"""Authentication schemes and the identity they establish."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .request import Request

__all__ = ["ANONYMOUS", "AuthScheme", "Identity"]


@dataclass(frozen=True, slots=True)
class Identity:
    """Who made a request, as a scheme established it.

    :ivar id: a stable identifier (user name, client id, key id); throttles key on it.
    :ivar scheme: the name of the scheme that established it.
    :ivar scopes: what the credentials grant (OAuth scopes, key permissions).
    :ivar attrs: anything else the scheme knows (the user object, token claims).
    """

    id: str | None
    scheme: str
    scopes: frozenset[str] = frozenset()
    attrs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_authenticated(self) -> bool:
        return self.id is not None


ANONYMOUS = Identity(id=None, scheme="anonymous")


@dataclass(frozen=True, slots=True)
class AuthScheme:
    """An authentication scheme a resource may name.

    :ivar name: what resources use in ``authentication = ("basic", ...)``.
    :ivar authenticate: ``authenticate(request) -> Identity | None``. ``None`` means "not
        mine" (no credentials for this scheme; the next scheme is tried). Credentials that
        are this scheme's but wrong raise :class:`camshaft.errors.Unauthorized` (rejected:
        no other scheme is tried).
    :ivar challenge: ``challenge(request) -> str | None``, the ``WWW-Authenticate`` value
        sent when no scheme accepted the request.
    """

    name: str
    authenticate: Callable[[Request], Identity | None]
    challenge: Callable[[Request], str | None] = lambda request: None
