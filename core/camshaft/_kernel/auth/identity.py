"""Authentication schemes and the identity they establish."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from camshaft._kernel.request import Request

__all__ = ["ANONYMOUS", "AuthScheme", "Identity", "IdentityKind"]

#: What an identity names: a person (``user``), an OAuth client or consumer acting for
#: itself (``client``), an API key without an owner (``key``), or nobody.
IdentityKind = Literal["user", "client", "key", "anonymous"]


@dataclass(frozen=True, slots=True)
class Identity:
    """Who made a request, as a scheme established it.

    :ivar id: a stable identifier (user name, client id, key id); throttles key on it.
    :ivar scheme: the name of the scheme that established it.
    :ivar scopes: what the credentials grant (OAuth scopes, key permissions).
    :ivar attrs: anything else the scheme knows (the user object, token claims).
    :ivar kind: what ``id`` names (:data:`IdentityKind`). Ids of different kinds never
        compare equal in owner rules: a client called ``alice`` is not the user ``alice``.
    """

    id: str | None
    scheme: str
    scopes: frozenset[str] = frozenset()
    attrs: Mapping[str, Any] = field(default_factory=dict)
    kind: IdentityKind = "user"

    @property
    def user_id(self) -> str | None:
        """``id`` when this identity is a user, else None: what owner rules compare."""
        return self.id if self.kind == "user" else None

    @property
    def is_authenticated(self) -> bool:
        return self.id is not None


ANONYMOUS = Identity(id=None, scheme="anonymous", kind="anonymous")


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
    :ivar openapi: the scheme's OpenAPI Security Scheme Object (``{"type": "http",
        "scheme": "basic"}``); None documents it as an HTTP scheme of its ``name``.
    :ivar vary: request headers that carry this scheme's credentials besides
        ``Authorization`` (an API key's header); responses name them in ``Vary``.
    """

    name: str
    authenticate: Callable[[Request], Identity | None]
    challenge: Callable[[Request], str | None] = lambda request: None
    openapi: Mapping[str, Any] | None = None
    vary: tuple[str, ...] = ()
