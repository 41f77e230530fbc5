"""Client secrets: generated with enough entropy, stored with a salted slow hash.

camshaft-oauth does not depend on camshaft-httpauth, so this is its own copy of the
scrypt format camshaft-httpauth uses for passwords, with the same parameters:
``scrypt$<log2 n>$<r>$<p>$<salt>$<hash>`` (salt and hash unpadded URL-safe base64).

Why slow, when a generated secret has 256 bits of entropy: secrets an operator types in
may not, and a leaked table must not hand out every client's secret for a GPU-hour.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["MIN_SECRET_LENGTH", "check_secret", "hash_secret", "make_client_secret"]

SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 14, 8, 1
_KEY_LENGTH = 32
_MAX_LOG2_N = 20
#: Shorter secrets are refused: a secret chosen by hand is the weak link.
MIN_SECRET_LENGTH = 32


def make_client_secret() -> str:
    """A new client secret: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(secret: bytes, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 1 << log2_n
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=256 * n * r * p, dklen=32)


def hash_secret(secret: str) -> str:
    """The stored form of ``secret``.

    :raises ValueError: ``secret`` is shorter than :data:`MIN_SECRET_LENGTH` characters
        (generate one with :func:`make_client_secret`).
    """
    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(
            f"a client secret must have at least {MIN_SECRET_LENGTH} characters; "
            "generate one with camshaft_oauth.make_client_secret()"
        )
    salt = secrets.token_bytes(16)
    digest = _scrypt(secret.encode("utf-8"), salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_LOG2_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def check_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` matches ``stored``, compared in constant time; a malformed
    ``stored`` never matches."""
    parts = stored.split("$")
    if parts[0] != "scrypt" or len(parts) != 6:
        return False
    try:
        log2_n, r, p = (int(x) for x in parts[1:4])
        if not (1 <= log2_n <= _MAX_LOG2_N and 1 <= r <= 32 and 1 <= p <= 16):
            return False
        actual = _scrypt(secret.encode("utf-8"), _unb64(parts[4]), log2_n, r, p)
        expected = _unb64(parts[5])
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)
