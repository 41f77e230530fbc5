"""Password hashes as self-describing strings, made and checked with the standard library.

Formats (every field after the name is ``$``-separated; salt and hash are unpadded
URL-safe base64):

* ``scrypt$<log2 n>$<r>$<p>$<salt>$<hash>`` -- the default (memory-hard);
* ``pbkdf2_sha256$<iterations>$<salt>$<hash>``.

Make one with :func:`make_password_hash` (no CLI needed)::

    >>> from camshaft_httpauth import make_password_hash
    >>> make_password_hash("wonderland")            # doctest: +SKIP
    'scrypt$14$8$1$...$...'
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["make_password_hash", "verify_password"]

SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 14, 8, 1
PBKDF2_ITERATIONS = 600_000
_KEY_LENGTH = 32
#: Upper bounds on stored cost parameters, so a bad settings entry cannot stall a worker.
_MAX_LOG2_N, _MAX_ITERATIONS = 20, 5_000_000


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: bytes, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 1 << log2_n
    return hashlib.scrypt(
        password, salt=salt, n=n, r=r, p=p, maxmem=256 * n * r * p, dklen=_KEY_LENGTH
    )


def make_password_hash(
    password: str, *, algorithm: str = "scrypt", salt: bytes | None = None
) -> str:
    """Hash ``password`` (UTF-8) with a fresh 16-byte salt.

    :param algorithm: ``"scrypt"`` or ``"pbkdf2_sha256"``.
    :return: a string in one of the module's documented formats.
    :raises ValueError: an unknown algorithm.
    """
    salt = salt or secrets.token_bytes(16)
    raw = password.encode("utf-8")
    if algorithm == "scrypt":
        digest = _scrypt(raw, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
        return f"scrypt${SCRYPT_LOG2_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"
    if algorithm == "pbkdf2_sha256":
        digest = hashlib.pbkdf2_hmac("sha256", raw, salt, PBKDF2_ITERATIONS, _KEY_LENGTH)
        return f"pbkdf2_sha256${PBKDF2_ITERATIONS}${_b64(salt)}${_b64(digest)}"
    raise ValueError(f"unknown password hash algorithm {algorithm!r}")


def check_hash_format(stored: str) -> None:
    """:raises ValueError: ``stored`` is not a hash this module can verify."""
    parts = stored.split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            log2_n, r, p = (int(x) for x in parts[1:4])
            if 1 <= log2_n <= _MAX_LOG2_N and 1 <= r <= 32 and 1 <= p <= 16:
                _unb64(parts[4]), _unb64(parts[5])
                return
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            if 1 <= int(parts[1]) <= _MAX_ITERATIONS:
                _unb64(parts[2]), _unb64(parts[3])
                return
    except ValueError:
        pass
    raise ValueError("not a 'scrypt$...' or 'pbkdf2_sha256$...' password hash")


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``, compared in constant time.

    A malformed ``stored`` never matches (it is checked when settings are loaded).
    """
    parts = stored.split("$")
    raw = password.encode("utf-8")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            log2_n, r, p = (int(x) for x in parts[1:4])
            if not 1 <= log2_n <= _MAX_LOG2_N:
                return False
            expected = _unb64(parts[5])
            actual = _scrypt(raw, _unb64(parts[4]), log2_n, r, p)
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            iterations = int(parts[1])
            if not 1 <= iterations <= _MAX_ITERATIONS:
                return False
            expected = _unb64(parts[3])
            actual = hashlib.pbkdf2_hmac("sha256", raw, _unb64(parts[2]), iterations, len(expected))
        else:
            return False
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)
