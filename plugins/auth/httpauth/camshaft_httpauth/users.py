"""User sources: where Basic and Digest find a user's secret.

A user source is any object with some of these methods (each returns None for an
unknown user):

* ``password_hash(username) -> str | None`` -- a hash in a format of
  :mod:`camshaft_httpauth.passwords` (Basic);
* ``password(username) -> str | None`` -- the clear password (Basic and Digest; only for
  sources that must keep it, e.g. an upstream directory);
* ``digest_ha1(username, realm, algorithm) -> str | None`` -- the hex ``HA1`` of RFC 7616,
  ``H(username:realm:password)`` (Digest without storing the password);
* ``usernames() -> Iterable[str]`` -- optional, lets Digest resolve ``userhash``;
* ``set_password_hash(username, hash)`` -- optional; Basic calls it on a successful
  sign-in to replace a hash weaker than the configured default.

A plain callable counts as ``password_hash``. The ``source`` setting names one by import
path (``"myapp.auth:users"``) or, from Python, is the object itself; without it the
``users`` and ``digest_users`` settings are the source.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from camshaft.errors import ConfigurationError
from camshaft.plugin import Store

from .passwords import check_hash_format

__all__ = [
    "DIGEST_ALGORITHMS",
    "SettingsUsers",
    "StoreUsers",
    "load_object",
    "make_digest_ha1",
    "user_source",
]

#: RFC 7616 algorithm names -> hashlib constructors.
DIGEST_ALGORITHMS: dict[str, Callable[..., Any]] = {
    "SHA-256": hashlib.sha256,
    "MD5": hashlib.md5,
}


def make_digest_ha1(username: str, realm: str, password: str, algorithm: str = "SHA-256") -> str:
    """The hex ``HA1`` Digest checks against: ``H(username:realm:password)`` in UTF-8.

    :raises ValueError: an algorithm other than ``"SHA-256"`` or ``"MD5"``.
    """
    if algorithm not in DIGEST_ALGORITHMS:
        raise ValueError(f"unknown digest algorithm {algorithm!r}")
    text = f"{username}:{realm}:{password}".encode()
    return str(DIGEST_ALGORITHMS[algorithm](text).hexdigest())


class SettingsUsers:
    """Users from settings: ``users`` maps a name to a password hash, ``digest_users``
    maps a name to ``{algorithm: HA1}``.

    :raises ConfigurationError: a hash that is not in a supported format.
    """

    __slots__ = ("_digest", "_hashes")

    def __init__(
        self, users: Mapping[str, Any], digest_users: Mapping[str, Any] | None = None
    ) -> None:
        for name, stored in users.items():
            try:
                check_hash_format(stored if isinstance(stored, str) else "")
            except ValueError as exc:
                raise ConfigurationError(f"httpauth users[{name!r}]: {exc}") from None
        for name, ha1s in (digest_users or {}).items():
            if not isinstance(ha1s, Mapping) or not set(ha1s) <= set(DIGEST_ALGORITHMS):
                raise ConfigurationError(
                    f"httpauth digest_users[{name!r}] must map 'SHA-256' and/or 'MD5' to a "
                    "hex HA1 (make one with camshaft_httpauth.make_digest_ha1)"
                )
        self._hashes = dict(users)
        self._digest = {k: dict(v) for k, v in (digest_users or {}).items()}

    def password_hash(self, username: str) -> str | None:
        return self._hashes.get(username)

    def set_password_hash(self, username: str, stored: str) -> None:
        """Upgrade a user's hash for this process (settings files are not rewritten:
        update the setting with :func:`make_password_hash` to keep it)."""
        self._hashes[username] = stored

    def digest_ha1(self, username: str, realm: str, algorithm: str) -> str | None:
        return self._digest.get(username, {}).get(algorithm)

    def usernames(self) -> Iterable[str]:
        return [*self._hashes, *(n for n in self._digest if n not in self._hashes)]


class StoreUsers:
    """Users as records of a :class:`camshaft.Store`, keyed by user name.

    :param store: any Camshaft store (memory, SQLAlchemy, key-value).
    :param hash_field: the member holding the password hash (Basic).
    :param ha1_field: the member holding ``{algorithm: HA1}`` (Digest), if any.
    """

    __slots__ = ("ha1_field", "hash_field", "store")

    def __init__(
        self, store: Store, hash_field: str = "password_hash", ha1_field: str | None = None
    ) -> None:
        self.store, self.hash_field, self.ha1_field = store, hash_field, ha1_field

    def password_hash(self, username: str) -> str | None:
        record = self.store.get(username)
        value = None if record is None else record.data.get(self.hash_field)
        return value if isinstance(value, str) else None

    def set_password_hash(self, username: str, stored: str) -> None:
        """Replace the user's hash (a rehash on sign-in); a lost race is harmless."""
        self.store.patch(username, {self.hash_field: stored})

    def digest_ha1(self, username: str, realm: str, algorithm: str) -> str | None:
        record = self.store.get(username) if self.ha1_field else None
        ha1s = None if record is None else record.data.get(self.ha1_field or "")
        value = ha1s.get(algorithm) if isinstance(ha1s, Mapping) else None
        return value if isinstance(value, str) else None


class _CallableUsers:
    __slots__ = ("password_hash",)

    def __init__(self, func: Callable[[str], str | None]) -> None:
        self.password_hash = func


def load_object(value: Any, setting: str) -> Any:
    """``value`` itself, or the object an import path ``"module:attr"`` names.

    :raises ConfigurationError: the path does not import.
    """
    if not isinstance(value, str) or not value:
        return value or None
    module_name, _, attr = value.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split(".") if attr else ():
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"setting {setting!r}: cannot import {value!r}: {exc}") from exc
    return obj


def user_source(section: Mapping[str, Any]) -> Any:
    """The user source the ``httpauth`` settings describe (see the module docstring)."""
    source = section["source"]
    if source in ("", None):
        return SettingsUsers(section["users"], section["digest_users"])
    obj = load_object(source, "httpauth.source")
    if callable(obj) and not any(
        hasattr(obj, m) for m in ("password_hash", "password", "digest_ha1")
    ):
        return _CallableUsers(obj)
    return obj
