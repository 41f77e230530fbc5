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

__all__ = ["PasswordHasher", "make_password_hash", "verify_password"]

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
    password: str,
    *,
    algorithm: str = "scrypt",
    salt: bytes | None = None,
    scrypt_log2_n: int = SCRYPT_LOG2_N,
    pbkdf2_iterations: int = PBKDF2_ITERATIONS,
) -> str:
    """Hash ``password`` (UTF-8) with a fresh 16-byte salt.

    :param algorithm: ``"scrypt"`` or ``"pbkdf2_sha256"``.
    :param scrypt_log2_n: scrypt's cost (n = 2**scrypt_log2_n).
    :param pbkdf2_iterations: PBKDF2's iteration count.
    :return: a string in one of the module's documented formats.
    :raises ValueError: an unknown algorithm, or a cost outside the accepted bounds.
    """
    salt = salt or secrets.token_bytes(16)
    raw = password.encode("utf-8")
    if algorithm == "scrypt":
        if not 1 <= scrypt_log2_n <= _MAX_LOG2_N:
            raise ValueError(f"scrypt_log2_n must be within 1..{_MAX_LOG2_N}")
        digest = _scrypt(raw, salt, scrypt_log2_n, SCRYPT_R, SCRYPT_P)
        return f"scrypt${scrypt_log2_n}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"
    if algorithm == "pbkdf2_sha256":
        if not 1 <= pbkdf2_iterations <= _MAX_ITERATIONS:
            raise ValueError(f"pbkdf2_iterations must be within 1..{_MAX_ITERATIONS}")
        digest = hashlib.pbkdf2_hmac("sha256", raw, salt, pbkdf2_iterations, _KEY_LENGTH)
        return f"pbkdf2_sha256${pbkdf2_iterations}${_b64(salt)}${_b64(digest)}"
    raise ValueError(f"unknown password hash algorithm {algorithm!r}")


class PasswordHasher:
    """The configured default password hash: what new and upgraded hashes use, and what
    an unknown user's password is checked against.

    Checking an unknown user against a dummy hash of the default algorithm and cost makes
    it cost what checking a user whose hash is in the default format costs; users with a
    weaker hash (another algorithm, a lower cost) are rehashed when they next sign in
    (:meth:`needs_rehash`), so every stored hash converges on the default.

    :raises ValueError: an unknown algorithm or a cost outside the bounds.
    """

    __slots__ = ("_dummy", "algorithm", "pbkdf2_iterations", "scrypt_log2_n")

    def __init__(
        self,
        algorithm: str = "scrypt",
        scrypt_log2_n: int = SCRYPT_LOG2_N,
        pbkdf2_iterations: int = PBKDF2_ITERATIONS,
    ) -> None:
        self.algorithm = algorithm
        self.scrypt_log2_n = scrypt_log2_n
        self.pbkdf2_iterations = pbkdf2_iterations
        self._dummy: str | None = None
        if algorithm not in ("scrypt", "pbkdf2_sha256"):
            raise ValueError(f"unknown password hash algorithm {algorithm!r}")
        if not 1 <= scrypt_log2_n <= _MAX_LOG2_N or not 1 <= pbkdf2_iterations <= _MAX_ITERATIONS:
            raise ValueError("password hash cost outside the accepted bounds")

    def _params(self) -> dict[str, object]:
        return {
            "algorithm": self.algorithm,
            "scrypt_log2_n": self.scrypt_log2_n,
            "pbkdf2_iterations": self.pbkdf2_iterations,
        }

    def hash(self, password: str) -> str:
        """``password`` hashed with the default algorithm and cost."""
        return make_password_hash(password, **self._params())  # type: ignore[arg-type]

    @property
    def dummy(self) -> str:
        """A hash nobody's password matches, made on first use (not at app start: an app
        that never sees an unknown user never pays for it). Two threads racing here
        both make one; either is fine."""
        if self._dummy is None:
            self._dummy = self.hash(secrets.token_urlsafe(16))
        return self._dummy

    def verify(self, password: str, stored: str | None) -> bool:
        """Whether ``password`` matches ``stored``; ``stored`` None (an unknown user)
        costs the dummy's check and never matches."""
        matched = verify_password(password, stored if stored else self.dummy)
        return matched and bool(stored)

    def needs_rehash(self, stored: str) -> bool:
        """Whether ``stored`` is weaker than the default: another algorithm, or a lower
        cost (it is then replaced on a successful sign-in)."""
        parts = stored.split("$")
        if parts[0] != self.algorithm:
            return True
        try:
            if parts[0] == "scrypt":
                return int(parts[1]) < self.scrypt_log2_n
            return int(parts[1]) < self.pbkdf2_iterations
        except (IndexError, ValueError):
            return True


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
