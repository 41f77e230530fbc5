"""The ``jwt`` scheme: ``Authorization: Bearer <JWS compact JWT>``, verified with joserfc.

A bearer value of three dot-separated parts is this scheme's; anything else (an API key
``<id>.<secret>``, an opaque OAuth token) is "not mine", left to other schemes. Every
way a token of ours can be wrong is 401 ``invalid_token`` with an RFC 6750 challenge,
never a 500: a bad signature, a header ``alg`` not in ``jwt.algorithms`` (``none``
included), an unknown ``kid``, malformed base64 or JSON, a payload that is not a JSON
object, an expired or not-yet-valid token, a wrong issuer or audience, a missing or
non-string ``sub``, malformed ``scope``/``scp``. A value longer than
:data:`MAX_TOKEN` is 400 ``invalid_request``, before any decoding.

The identity (see :func:`identity_of`): ``id`` is ``sub``; ``kind`` is ``"client"``
when the token was issued to a client for itself, else ``"user"``; ``scopes`` come from
``scope`` (a space-separated string, RFC 8693/9068) or ``scp`` (a list); ``attrs``
holds ``claims``, ``header``, ``client_id`` and ``issuer``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwt import JWTClaimsRegistry

from camshaft.errors import BadRequest, ConfigurationError, Unauthorized
from camshaft.plugin import AuthScheme, Identity

from .keys import ALGORITHMS, KeyResolver

if TYPE_CHECKING:
    from camshaft.plugin import Request

__all__ = ["MAX_TOKEN", "JWTScheme", "bearer_challenge", "identity_of"]

#: The longest token read (bytes), like camshaft-httpauth's Authorization limit.
MAX_TOKEN = 8 * 1024
#: ``grant type`` claim values that mark a client-credentials token (Auth0's ``gty``).
_CLIENT_GRANTS = frozenset({"client-credentials", "client_credentials"})


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def bearer_challenge(realm: str, **params: str | None) -> str:
    """``Bearer realm="...", error="...", ...`` (RFC 6750 §3), skipping None values."""
    parts = [f"realm={_quote(realm)}"]
    parts.extend(f"{k}={_quote(v)}" for k, v in params.items() if v is not None)
    return "Bearer " + ", ".join(parts)


class InvalidToken(ValueError):
    """A token whose claims are well signed but unusable (``sub``, ``scope``)."""


def _scopes(claims: Mapping[str, Any]) -> frozenset[str]:
    scope = claims.get("scope")
    scp = claims.get("scp")
    names: list[str] = []
    if scope is not None:
        if not isinstance(scope, str):
            raise InvalidToken("The token's 'scope' claim is not a space-separated string.")
        names.extend(scope.split())
    if scp is not None:
        if isinstance(scp, str):
            scp = scp.split()
        if not isinstance(scp, list) or not all(isinstance(s, str) for s in scp):
            raise InvalidToken("The token's 'scp' claim is not a list of scope names.")
        names.extend(scp)
    return frozenset(names)


def identity_of(claims: Mapping[str, Any], header: Mapping[str, Any]) -> Identity:
    """The identity a verified token establishes.

    ``kind`` is ``"client"`` when the token marks itself as issued to a client for
    itself: its ``client_id`` claim (RFC 9068) equals ``sub``, or its ``gty`` claim is
    ``client-credentials``. Otherwise ``sub`` names a user. A client is never taken for
    the user of the same name (owner rules compare users only).

    :raises InvalidToken: ``sub`` is missing or not a non-empty string, or ``scope``/
        ``scp`` is malformed.
    """
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise InvalidToken("The token names no subject ('sub').")
    client_id = claims.get("client_id", claims.get("azp"))
    client_id = client_id if isinstance(client_id, str) else None
    is_client = claims.get("client_id") == sub or claims.get("gty") in _CLIENT_GRANTS
    return Identity(
        id=sub,
        scheme="jwt",
        kind="client" if is_client else "user",
        scopes=_scopes(claims),
        attrs={
            "claims": dict(claims),
            "header": dict(header),
            "client_id": client_id,
            "issuer": claims.get("iss"),
        },
    )


class JWTScheme:
    """The ``jwt`` scheme.

    :param key: ``resolve(token) -> key`` (:func:`camshaft_jwt.keys.key_resolver`).
    :param algorithms: the ``alg`` values accepted; a token naming another is refused.
    :param issuer: the required ``iss``; "" checks none.
    :param audiences: accepted ``aud`` values (a token must name one); empty checks none.
    :param leeway: seconds of clock skew allowed for ``exp``, ``nbf`` and ``iat``.
    :param required: claims a token must carry (``exp`` by default).
    :param realm: the protection space named in challenges.
    :param clock: ``clock() -> int`` Unix seconds (tests may replace it).
    :raises ConfigurationError: no algorithms, or one that is unknown (``none`` is).
    """

    __slots__ = ("algorithms", "audiences", "clock", "issuer", "key", "leeway", "realm", "required")

    def __init__(
        self,
        key: KeyResolver,
        algorithms: Collection[str],
        *,
        issuer: str = "",
        audiences: Collection[str] = (),
        leeway: int = 0,
        required: Collection[str] = ("exp",),
        realm: str = "camshaft",
        clock: Callable[[], int] = lambda: int(time.time()),
    ) -> None:
        if not algorithms:
            raise ConfigurationError(
                "jwt.algorithms is required: name the algorithms your issuer signs with "
                "(['RS256'], ['HS256'], ...)"
            )
        unknown = [a for a in algorithms if a not in ALGORITHMS]
        if unknown:
            raise ConfigurationError(
                f"jwt.algorithms: {', '.join(map(repr, unknown))} is not accepted; choose from "
                f"{', '.join(ALGORITHMS)} ('none' never is)"
            )
        if leeway < 0:
            raise ConfigurationError("jwt.leeway must not be negative")
        self.key = key
        self.algorithms = tuple(algorithms)
        self.issuer = issuer
        self.audiences = tuple(audiences)
        self.leeway = leeway
        self.required = tuple(required)
        self.realm = realm
        self.clock = clock

    def descriptor(self, name: str = "jwt") -> AuthScheme:
        return AuthScheme(
            name,
            self.authenticate,
            self.challenge,
            openapi={
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "A JSON Web Token (RFC 7519) signed with "
                f"{', '.join(self.algorithms)}, sent as 'Authorization: Bearer <token>'.",
            },
        )

    def challenge(self, request: Request) -> str:
        return bearer_challenge(self.realm)

    def _invalid(self, description: str) -> Unauthorized:
        return Unauthorized(
            description,
            challenges=[
                bearer_challenge(self.realm, error="invalid_token", error_description=description)
            ],
            error="invalid_token",
            error_description=description,
        )

    def _claims_registry(self) -> JWTClaimsRegistry:
        options: dict[str, Any] = {name: {"essential": True} for name in self.required}
        if self.issuer:
            options["iss"] = {"essential": True, "value": self.issuer}
        if self.audiences:
            options["aud"] = {"essential": True, "values": list(self.audiences)}
        return JWTClaimsRegistry(now=self.clock, leeway=self.leeway, **options)

    def authenticate(self, request: Request) -> Identity | None:
        """Not mine without ``Authorization: Bearer`` and a three-part value; 400
        ``invalid_request`` for a value over :data:`MAX_TOKEN`; 401 ``invalid_token``
        for any token that does not verify (see the module docstring)."""
        header = request.header("Authorization")
        if not header:
            return None
        scheme, _, value = header.strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or value.count(".") != 2:
            return None
        if len(value) > MAX_TOKEN:
            description = f"The bearer token is longer than {MAX_TOKEN} bytes."
            raise BadRequest(
                description,
                title="Malformed credentials",
                headers=[
                    (
                        "WWW-Authenticate",
                        bearer_challenge(
                            self.realm, error="invalid_request", error_description=description
                        ),
                    )
                ],
                error="invalid_request",
                error_description=description,
            )
        try:
            token = jwt.decode(value, self.key, algorithms=self.algorithms)
            self._claims_registry().validate(token.claims)
            return identity_of(token.claims, token.header)
        except InvalidToken as exc:
            raise self._invalid(str(exc)) from None
        except (JoseError, ValueError, TypeError, OverflowError) as exc:
            # joserfc raises JoseError subclasses for what it checks, ValueError (binascii,
            # JSON, UnicodeDecodeError) and TypeError for input it cannot even parse.
            raise self._invalid(_describe(exc)) from None


def _describe(exc: Exception) -> str:
    """What to tell the client: the claim at fault, never key material or internals."""
    error = getattr(exc, "error", "")
    claim = getattr(exc, "claim", None)
    if error == "expired_token":
        return "The token has expired."
    if claim == "nbf":
        return "The token is not valid yet."
    if claim == "iat":
        return "The token was issued in the future."
    if error == "missing_claim":
        return f"The token lacks a required claim: {claim}."
    if error == "invalid_claim" and claim:
        return f"The token's '{claim}' claim is not accepted."
    if error == "unsupported_algorithm":
        return "The token is signed with an algorithm this API does not accept."
    if error == "unknown_key":
        return "The token names no key that can verify it."
    if error == "bad_signature":
        return "The token's signature does not verify."
    return "The token is malformed."
