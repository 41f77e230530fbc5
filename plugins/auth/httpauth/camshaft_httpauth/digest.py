"""HTTP Digest (RFC 7616): SHA-256 (MD5 opt-in), ``qop=auth``, signed time-limited nonces.

* Only SHA-256 is offered by default. MD5 is legacy (``digest.algorithms = ["SHA-256",
  "MD5"]``): requests, httpx and curl pick the *last* algorithm of a challenge, so a
  server offering MD5 gets MD5 from them.

* A nonce is ``base64url(timestamp || 12 random bytes || HMAC-SHA256(secret, ...)[:16])``:
  the server keeps no state to issue one, and any worker sharing the secret can check it.
* A nonce older than ``nonce_ttl`` with an otherwise correct response is answered 401
  with ``stale=true``, so the client retries with the fresh nonce without asking the user.
* Each (nonce, nonce-count) pair is accepted once: it is recorded in the app's nonce store
  (``app.nonce_store``; with ``nonces.backend = "redis"`` the record is shared by every
  worker), so a replayed request is refused.
* The user source must give the clear password or the ``HA1`` for the algorithm.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from werkzeug.http import parse_dict_header

from camshaft.errors import ConfigurationError, Unauthorized
from camshaft.plugin import AuthScheme, Identity

from .headers import authorization, quote
from .users import DIGEST_ALGORITHMS

if TYPE_CHECKING:
    from camshaft.plugin import Request

__all__ = ["DigestScheme"]

REJECTED = "The credentials are not valid."
_REQUIRED = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
_MAC_LENGTH = 16
_NONCE_LENGTH = 8 + 12 + _MAC_LENGTH
#: Seconds a nonce's timestamp may lie in the future (clocks of workers differ a little).
_SKEW = 30


def _hex(algorithm: str, text: str) -> str:
    return str(DIGEST_ALGORITHMS[algorithm](text.encode("utf-8")).hexdigest())


class DigestScheme:
    """The ``digest`` scheme.

    :param realm: the protection space; part of every HA1.
    :param source: the user source (see :mod:`camshaft_httpauth.users`).
    :param secret: the key nonces are signed with; every worker must share it.
    :param nonce_ttl: seconds a nonce stays valid.
    :param algorithms: offered in this order of preference (``"SHA-256"``; ``"MD5"``
        only for legacy clients).
    :param userhash: whether to offer (and accept) hashed user names.
    :param clock: seconds since the epoch; injectable for tests.
    """

    __slots__ = (
        "_opaque",
        "_secret",
        "algorithms",
        "clock",
        "nonce_ttl",
        "realm",
        "source",
        "userhash",
    )

    def __init__(
        self,
        realm: str,
        source: Any,
        secret: bytes,
        nonce_ttl: float = 300,
        algorithms: Iterable[str] = ("SHA-256",),
        userhash: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not any(hasattr(source, m) for m in ("password", "digest_ha1")):
            raise ConfigurationError(
                "httpauth digest: the user source gives neither password() nor digest_ha1()"
            )
        self.realm = realm
        self.source = source
        self._secret = secret
        self.nonce_ttl = nonce_ttl
        self.algorithms = tuple(algorithms)
        self.userhash = userhash
        self.clock = clock
        self._opaque = self._sign(b"opaque").hex()

    def descriptor(self, name: str = "digest") -> AuthScheme:
        return AuthScheme(
            name,
            self.authenticate,
            self.challenge,
            openapi={"type": "http", "scheme": "digest", "description": "HTTP Digest (RFC 7616)."},
        )

    # ------------------------------------------------------------------ nonces

    def _sign(self, data: bytes) -> bytes:
        mac = hmac.new(self._secret, data + self.realm.encode("utf-8"), "sha256")
        return mac.digest()[:_MAC_LENGTH]

    def make_nonce(self) -> str:
        body = int(self.clock()).to_bytes(8, "big") + secrets.token_bytes(12)
        return base64.urlsafe_b64encode(body + self._sign(body)).decode("ascii")

    def nonce_time(self, nonce: str) -> int | None:
        """When a nonce this server signed was issued; None when it is not one."""
        try:
            raw = base64.urlsafe_b64decode(nonce.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            return None
        if len(raw) != _NONCE_LENGTH:
            return None
        body, mac = raw[:-_MAC_LENGTH], raw[-_MAC_LENGTH:]
        if not hmac.compare_digest(mac, self._sign(body)):
            return None
        return int.from_bytes(body[:8], "big")

    # --------------------------------------------------------------- challenge

    def challenge(self, request: Request, stale: bool = False) -> str:
        """One ``Digest`` challenge per algorithm in a single header field, sharing one
        nonce, in order of preference."""
        nonce = self.make_nonce()
        parts = []
        for algorithm in self.algorithms:
            params = [
                f"realm={quote(self.realm)}",
                'qop="auth"',
                f"algorithm={algorithm}",
                f"nonce={quote(nonce)}",
                f"opaque={quote(self._opaque)}",
                'charset="UTF-8"',
            ]
            if self.userhash:
                params.append("userhash=true")
            if stale:
                params.append("stale=true")
            parts.append("Digest " + ", ".join(params))
        return ", ".join(parts)

    def _reject(self, request: Request, stale: bool = False) -> Unauthorized:
        challenge = self.challenge(request, stale=stale)
        return Unauthorized(REJECTED, headers=[("WWW-Authenticate", challenge)])

    # ----------------------------------------------------------- authenticate

    def _username(self, params: dict[str, Any], algorithm: str) -> str | None:
        name = params.get("username")
        if name is None and str(params.get("username*", "")).lower().startswith("utf-8''"):
            name = unquote(params["username*"][7:], errors="strict")
        if name is None or str(params.get("userhash", "false")).lower() != "true":
            return name
        if not self.userhash or not name.isascii():  # a hashed name is hex
            return None
        lister = getattr(self.source, "usernames", None)
        for candidate in lister() if lister is not None else ():
            if hmac.compare_digest(_hex(algorithm, f"{candidate}:{self.realm}"), name):
                return str(candidate)
        return None

    def _ha1(self, username: str | None, algorithm: str) -> str | None:
        if username is None:
            return None
        if hasattr(self.source, "digest_ha1"):
            ha1 = self.source.digest_ha1(username, self.realm, algorithm)
            if ha1 is not None or not hasattr(self.source, "password"):
                return None if ha1 is None else str(ha1).lower()
        password = self.source.password(username)
        return None if password is None else _hex(algorithm, f"{username}:{self.realm}:{password}")

    @staticmethod
    def _uri_matches(uri: str, request: Request) -> bool:
        """The digest-uri names the request target (origin or absolute form)."""
        env = request.environ
        try:
            parts = urlsplit(uri)
        except ValueError:  # e.g. an unclosed "[" in the host
            return False
        path = unquote(env.get("SCRIPT_NAME", "")) + request.path
        query = env.get("QUERY_STRING", "")
        return unquote(parts.path) == path and unquote(parts.query) == unquote(query)

    def authenticate(self, request: Request) -> Identity | None:
        """Not mine without ``Authorization: Digest``. Rejected (401, a fresh challenge)
        when malformed, for another realm, an unknown algorithm or qop, another URI, a
        nonce not ours, a wrong response, or a nonce-count already used; 401 with
        ``stale=true`` when only the nonce has expired."""
        header = authorization(request)
        if header is None or header[0] != "digest":
            return None
        try:
            parsed = parse_dict_header(header[1])
        except ValueError:
            raise self._reject(request) from None
        # A parameter without a value (``opaque`` alone) is one not sent: every one that
        # counts needs a value.
        params = {k.lower(): v for k, v in parsed.items() if v is not None}
        if not all(params.get(k) for k in _REQUIRED if k != "username") or not (
            params.get("username") or params.get("username*")
        ):
            raise self._reject(request)
        # Header values arrive as latin-1 text; hmac.compare_digest refuses non-ASCII
        # str (TypeError), and no hex digest or hashed user name holds any.
        if not params["response"].isascii():
            raise self._reject(request)
        algorithm = params.get("algorithm") or "MD5"
        nc = params["nc"]
        if (
            params["realm"] != self.realm
            or algorithm not in self.algorithms
            or params["qop"] != "auth"
            or len(nc) != 8
            or not all(c in "0123456789abcdefABCDEF" for c in nc)
            or ("opaque" in params and params["opaque"] != self._opaque)
            or not self._uri_matches(params["uri"], request)
        ):
            raise self._reject(request)
        issued = self.nonce_time(params["nonce"])
        if issued is None:
            raise self._reject(request)
        try:
            username = self._username(params, algorithm)
        except UnicodeDecodeError:
            raise self._reject(request) from None
        ha1 = self._ha1(username, algorithm)
        # An unknown user is checked against a dummy HA1: same work, same answer.
        ha2 = _hex(algorithm, f"{request.method}:{params['uri']}")
        expected = _hex(
            algorithm,
            f"{ha1 or _hex(algorithm, '')}:{params['nonce']}:{nc}:{params['cnonce']}:auth:{ha2}",
        )
        if not hmac.compare_digest(expected, params["response"].lower()) or ha1 is None:
            raise self._reject(request)
        age = self.clock() - issued
        if age > self.nonce_ttl or age < -_SKEW:
            raise self._reject(request, stale=True)
        # Recorded only after the response is verified, so nobody can burn a client's
        # nonce counts without knowing its password.
        key = f"camshaft-httpauth:digest:{params['nonce']}:{int(nc, 16)}"
        if not request.app.nonce_store.add(key, self.nonce_ttl + _SKEW):
            raise self._reject(request)
        assert username is not None
        return Identity(
            id=username,
            scheme="digest",
            kind="user",
            attrs={"username": username, "algorithm": algorithm},
        )
