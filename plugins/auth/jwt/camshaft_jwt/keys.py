"""The keys tokens are verified with: a secret, a PEM or JWK, or a JWK Set (a file, or a
URL fetched and cached).

What ``jwt.key`` holds decides the kind, checked in this order:

1. ``https://...`` (or ``http://`` to a loopback host): a JWK Set URL, fetched on first
   use with a short timeout, refreshed when older than ``jwks_max_age`` seconds, and
   when a token names a ``kid`` the cached set lacks (at most once per
   ``jwks_min_refresh`` seconds, so made-up ``kid`` values cannot make us hammer the
   issuer).
2. Text starting ``-----BEGIN``: a PEM public (or private) key.
3. Text starting ``{``: a JWK or a JWK Set, as JSON.
4. The path of an existing file: its content, read as 2 or 3.
5. Anything else: an HMAC secret (``HS*`` algorithms only), at least as long as the
   hash (32 bytes for HS256, 48 for HS384, 64 for HS512: RFC 7518 §3.2).

The algorithms must suit the key: a secret verifies only ``HS*``, an RSA key only
``RS*``/``PS*``, an EC key only ``ES*``, an OKP key only ``EdDSA``/``Ed25519``. That is
what defeats algorithm confusion (a public key used as an HMAC secret): the kind of key
is fixed by the settings, never by a token. Symmetric keys found in a JWK Set are
dropped: a published set holds public keys.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, Key, KeySet, OctKey, OKPKey, RSAKey

from camshaft.errors import ConfigurationError, ServiceUnavailable

__all__ = [
    "ALGORITHMS",
    "KeyResolver",
    "RemoteKeySet",
    "UnknownKey",
    "key_resolver",
]

#: Algorithm -> the JWK key type that verifies it.
ALGORITHMS = {
    **{f"HS{n}": "oct" for n in (256, 384, 512)},
    **{f"RS{n}": "RSA" for n in (256, 384, 512)},
    **{f"PS{n}": "RSA" for n in (256, 384, 512)},
    **{f"ES{n}": "EC" for n in (256, 384, 512)},
    "EdDSA": "OKP",
    "Ed25519": "OKP",
}
#: The largest JWK Set document read from a URL.
MAX_JWKS_BYTES = 512 * 1024

_KEY_CLASSES: dict[str, Any] = {"RSA": RSAKey, "EC": ECKey, "OKP": OKPKey}


class UnknownKey(JoseError):
    """The token names a key (``kid``) the configured keys lack, or names none when
    several could verify it."""

    error = "unknown_key"


#: ``resolve(token) -> key``, as joserfc's ``decode`` calls it with the parsed token.
KeyResolver = Callable[[Any], Key]


def _families(algorithms: Collection[str]) -> set[str]:
    return {ALGORITHMS[a] for a in algorithms}


def _pick(keys: Sequence[Key], header: dict[str, Any]) -> Key:
    """The key a token's header names: by ``kid``, else the only key of the alg's type."""
    kty = ALGORITHMS.get(str(header.get("alg")))
    kid = header.get("kid")
    if kid is not None:
        found = [k for k in keys if k.kid == kid and k.key_type == kty]
    else:
        found = [k for k in keys if k.key_type == kty]
    if len(found) != 1:
        raise UnknownKey("The token names no key that can verify it.")
    return found[0]


def _import_set(data: Any, where: str) -> list[Key]:
    """The asymmetric keys of a JWK Set (or of one JWK), as a list."""
    if not isinstance(data, dict):
        raise ValueError(f"{where} is not a JWK or a JWK Set")
    members = data.get("keys") if "keys" in data else [data]
    if not isinstance(members, list):
        raise ValueError(f"{where}: 'keys' is not a list")
    asymmetric = [m for m in members if isinstance(m, dict) and m.get("kty") in _KEY_CLASSES]
    keys: list[Key] = list(KeySet.import_key_set({"keys": asymmetric}).keys)
    if not keys:
        raise ValueError(f"{where} holds no RSA, EC or OKP key")
    return keys


def _static(keys: list[Key], algorithms: Collection[str], where: str) -> KeyResolver:
    usable = {k.key_type for k in keys}
    wrong = sorted(a for a in algorithms if ALGORITHMS[a] not in usable)
    if wrong:
        raise ConfigurationError(
            f"jwt.algorithms names {', '.join(wrong)}, which no key of {where} can verify "
            f"(its keys are {', '.join(sorted(usable))})"
        )
    return lambda token: _pick(keys, token.headers())


def _from_text(text: str, algorithms: Collection[str], where: str) -> KeyResolver:
    stripped = text.strip()
    try:
        if stripped.startswith("{"):
            return _static(_import_set(json.loads(stripped), where), algorithms, where)
        families = _families(algorithms)
        if "oct" in families:
            raise ConfigurationError(
                f"jwt.algorithms names HS*, but {where} is a PEM key: an HMAC secret must "
                "not be a public key (algorithm confusion)"
            )
        if len(families) != 1:
            raise ConfigurationError(
                f"jwt.algorithms mixes key types ({', '.join(sorted(families))}); "
                "one PEM key has one type (use a JWK Set for several keys)"
            )
        key = _KEY_CLASSES[families.pop()].import_key(stripped)
        # One configured key verifies every token, whatever ``kid`` it names.
        return lambda token: key
    except ConfigurationError:
        raise
    except (JoseError, ValueError, TypeError) as exc:
        raise ConfigurationError(f"jwt.key: {where} cannot be read as a key: {exc}") from None


def _secret(value: str, algorithms: Collection[str]) -> KeyResolver:
    if _families(algorithms) != {"oct"}:
        raise ConfigurationError(
            "jwt.key is a secret, which verifies HS* algorithms only; for RS*, PS*, ES* or "
            "EdDSA give a PEM public key, a JWK Set file or a JWK Set URL"
        )
    raw = value.encode("utf-8")
    # RFC 7518 §3.2: a key at least as long as the hash (HS384 48 bytes, HS512 64).
    shortest = max(int(a[2:]) // 8 for a in algorithms)
    if len(raw) < shortest:
        raise ConfigurationError(
            f"jwt.key: an HMAC secret for {', '.join(algorithms)} must be at least "
            f"{shortest} bytes (use {{'$env': NAME}} to keep it out of the settings file)"
        )
    key = OctKey.import_key(raw)
    return lambda token: key


def _check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        return
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigurationError(
            f"jwt.key: the JWK Set URL {url!r} must use https (http only to a loopback host)"
        )


def _fetch(url: str, timeout: float) -> bytes:
    # The URL's scheme was checked (https, or http to loopback) by _check_url.
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        body: bytes = response.read(MAX_JWKS_BYTES + 1)
    if len(body) > MAX_JWKS_BYTES:
        raise ValueError(f"the JWK Set is larger than {MAX_JWKS_BYTES} bytes")
    return body


class RemoteKeySet:
    """A JWK Set fetched from a URL and cached; safe to share between threads.

    :param url: the set's address (https, or http to a loopback host).
    :param timeout: seconds to wait for the issuer.
    :param max_age: seconds after which the cached set is fetched again on next use.
    :param min_refresh: the least seconds between two fetches caused by an unknown ``kid``
        (or by a failed fetch).
    :param fetch: ``fetch(url, timeout) -> bytes`` (tests may replace it).
    :param clock: monotonic seconds (tests may replace it).
    """

    __slots__ = (
        "_fetched_at",
        "_keys",
        "_lock",
        "clock",
        "fetch",
        "max_age",
        "min_refresh",
        "timeout",
        "url",
    )

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 3.0,
        max_age: float = 300.0,
        min_refresh: float = 30.0,
        fetch: Callable[[str, float], bytes] = _fetch,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _check_url(url)
        self.url = url
        self.timeout = timeout
        self.max_age = max_age
        self.min_refresh = min_refresh
        self.fetch = fetch
        self.clock = clock
        self._keys: list[Key] | None = None
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        """Fetch the set (called under the lock). A failure keeps the cached set, if any."""
        self._fetched_at = self.clock()
        try:
            self._keys = _import_set(json.loads(self.fetch(self.url, self.timeout)), self.url)
        except (OSError, ValueError, TypeError, JoseError):
            # urllib's errors are OSErrors; a bad document is a ValueError. Keep serving
            # the cached keys: the issuer being down must not sign everybody out.
            pass

    def keys(self, *, unknown_kid: bool = False) -> list[Key]:
        """The cached keys, fetched first when none are cached, when they are older than
        ``max_age``, or (``unknown_kid``) when a token named a key they lack and the last
        fetch is older than ``min_refresh``.

        :raises ServiceUnavailable: no set was ever fetched and fetching fails now (503).
        """
        with self._lock:
            if self._due(unknown_kid):
                self._refresh()
            if self._keys is None:
                raise ServiceUnavailable(
                    "The keys that verify tokens cannot be fetched; try again later.",
                    headers=[("Retry-After", str(int(self.min_refresh) or 1))],
                )
            return self._keys

    def _due(self, unknown_kid: bool) -> bool:
        if self._fetched_at is None:
            return True
        age = self.clock() - self._fetched_at
        if self._keys is None or unknown_kid:
            return age >= self.min_refresh
        return age >= self.max_age

    def resolve(self, token: Any) -> Key:
        """The key for a parsed token (joserfc's key callable)."""
        header = token.headers()
        try:
            return _pick(self.keys(), header)
        except UnknownKey:
            return _pick(self.keys(unknown_kid=True), header)


def key_resolver(
    value: str,
    algorithms: Collection[str],
    *,
    timeout: float = 3.0,
    max_age: float = 300.0,
    min_refresh: float = 30.0,
) -> KeyResolver:
    """The resolver for a ``jwt.key`` setting (see the module docstring).

    :raises ConfigurationError: no key, a key that cannot be read, a secret that is too
        short, or algorithms the key cannot verify.
    """
    if not value or not value.strip():
        raise ConfigurationError("jwt.key is required: a secret, a PEM key or a JWK Set")
    text = value.strip()
    if text.startswith(("https://", "http://")):
        remote = RemoteKeySet(text, timeout=timeout, max_age=max_age, min_refresh=min_refresh)
        return remote.resolve
    if text.startswith(("-----BEGIN", "{")):
        return _from_text(text, algorithms, "the key in jwt.key")
    if "\n" not in text and len(text) < 4096:
        path = Path(text).expanduser()
        if path.is_file():
            return _from_text(path.read_text("utf-8"), algorithms, f"the file {text!r}")
    return _secret(value, algorithms)
