"""camshaft-httpauth: the ``basic``, ``digest`` and ``apikey`` authentication schemes.

Settings live in the ``[httpauth]`` section; see the package README and docs/auth.md.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from camshaft import AuthScheme, Option, Settings, hookimpl
from camshaft.errors import ConfigurationError

from .apikey import ApiKeyScheme, hash_api_secret, make_api_key
from .basic import BasicScheme
from .digest import DigestScheme
from .passwords import (
    PBKDF2_ITERATIONS,
    SCRYPT_LOG2_N,
    PasswordHasher,
    make_password_hash,
    verify_password,
)
from .users import DIGEST_ALGORITHMS, SettingsUsers, StoreUsers, load_object, make_digest_ha1
from .users import user_source as _user_source

__all__ = [
    "ApiKeyScheme",
    "BasicScheme",
    "DigestScheme",
    "PasswordHasher",
    "SettingsUsers",
    "StoreUsers",
    "hash_api_secret",
    "make_api_key",
    "make_digest_ha1",
    "make_password_hash",
    "schemes_from_settings",
    "verify_password",
]


@hookimpl
def camshaft_settings_spec() -> Mapping[str, Any]:
    return {
        "realm": Option(str, "camshaft", "The protection space named in challenges."),
        "users": Option(
            dict, {}, "User name -> password hash (camshaft_httpauth.make_password_hash)."
        ),
        "digest_users": Option(
            dict, {}, "User name -> {algorithm: HA1} for Digest (make_digest_ha1)."
        ),
        "source": Option(
            object, "", "A user source: import path 'module:attr' or, from Python, the object."
        ),
        "passwords": {
            "algorithm": Option(
                str,
                "scrypt",
                "Algorithm of new and upgraded password hashes, and of the dummy hash an "
                "unknown user is checked against.",
                choices=("scrypt", "pbkdf2_sha256"),
            ),
            "scrypt_log2_n": Option(int, SCRYPT_LOG2_N, "scrypt cost: n = 2**scrypt_log2_n."),
            "pbkdf2_iterations": Option(int, PBKDF2_ITERATIONS, "PBKDF2-SHA256 iterations."),
            "rehash": Option(
                bool,
                True,
                "Replace a hash weaker than the default on a successful sign-in (when the "
                "user source has set_password_hash).",
            ),
        },
        "basic_cache_ttl": Option(
            float,
            0.0,
            "Seconds Basic remembers a verified password (skipping the hash check); "
            "0 = off. See docs/auth.md for the trade-off.",
        ),
        "basic_cache_size": Option(int, 1024, "Most verified Basic credentials remembered."),
        "digest": {
            "secret": Option(
                str, "", "Key nonces are signed with (use {'$env': NAME}); random if empty."
            ),
            "nonce_ttl": Option(int, 300, "Seconds a nonce is valid before it goes stale."),
            "algorithms": Option(
                list,
                ["SHA-256"],
                "Algorithms offered, preferred first. 'MD5' is legacy and opt-in: common "
                "clients pick the last algorithm of a challenge, so offering it means "
                "they use it.",
                choices=tuple(DIGEST_ALGORITHMS),
            ),
            "userhash": Option(bool, False, "Offer and accept hashed user names."),
        },
        "apikey": {
            "keys": Option(dict, {}, "Key id -> 'sha256$<hex>' or {hash, owner, scopes}."),
            "lookup": Option(
                object, "", "lookup(key_id) -> stored key | None: import path or object."
            ),
            "header": Option(str, "X-API-Key", "Header carrying a key; '' to accept none."),
            "bearer": Option(bool, True, "Accept 'Authorization: Bearer <key_id>.<secret>'."),
        },
    }


def schemes_from_settings(section: Mapping[str, Any], **digest_options: Any) -> list[AuthScheme]:
    """The three schemes configured by an ``[httpauth]`` settings section.

    :param digest_options: extra :class:`DigestScheme` arguments (``clock=`` in tests).
    :raises ConfigurationError: a stored hash, key or import path is malformed.
    """
    realm = section["realm"]
    source = _user_source(section)
    digest = section["digest"]
    secret = digest["secret"].encode("utf-8")
    if not secret:
        # Safe, but per process: nonces from one worker go stale on another (the client
        # retries once). Set digest.secret when running several workers.
        secret = secrets.token_bytes(32)
    passwords = section["passwords"]
    try:
        hasher = PasswordHasher(
            passwords["algorithm"], passwords["scrypt_log2_n"], passwords["pbkdf2_iterations"]
        )
    except ValueError as exc:
        raise ConfigurationError(f"httpauth.passwords: {exc}") from None
    ttl, size = section.get("basic_cache_ttl", 0.0), section.get("basic_cache_size", 1024)
    if ttl < 0 or size < 0:
        raise ConfigurationError(
            "settings 'httpauth.basic_cache_ttl' and '.basic_cache_size' must not be negative"
        )
    basic = BasicScheme(
        realm, source, hasher, rehash=passwords["rehash"], cache_ttl=ttl, cache_size=size
    )
    schemes = [basic.descriptor()]
    if any(hasattr(source, m) for m in ("password", "digest_ha1")):
        schemes.append(
            DigestScheme(
                realm,
                source,
                secret,
                nonce_ttl=digest["nonce_ttl"],
                algorithms=digest["algorithms"],
                userhash=digest["userhash"],
                **digest_options,
            ).descriptor()
        )
    apikey = section["apikey"]
    lookup = load_object(apikey["lookup"], "httpauth.apikey.lookup") or None
    schemes.append(
        ApiKeyScheme(
            realm, apikey["keys"], lookup, header=apikey["header"], bearer=apikey["bearer"]
        ).descriptor()
    )
    return schemes


@hookimpl
def camshaft_auth_schemes(settings: Settings) -> list[AuthScheme]:
    return schemes_from_settings(settings.plugin("httpauth"))
