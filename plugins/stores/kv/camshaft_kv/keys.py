"""Key and content-type rules shared by every kv backend.

The kernel already checks an automatic route's key against ``key_pattern``; a store checks
again because other code calls it directly (defence in depth). The rules are stricter than
any one filesystem needs, so a key accepted here is safe everywhere: on Linux, macOS and
Windows, in a URL and in a log line.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from camshaft.errors import BadRequest

__all__ = [
    "KEY_PATTERN",
    "MAX_CONTENT_TYPE_LENGTH",
    "MAX_KEY_LENGTH",
    "check_content_type",
    "check_key",
]

#: Longest key, in characters (and at most four times that in UTF-8 bytes).
MAX_KEY_LENGTH = 255
MAX_CONTENT_TYPE_LENGTH = 255
DEFAULT_CONTENT_TYPE = "application/octet-stream"

# NUL and C0/C1 control characters, DEL, path separators and the Windows drive/stream colon.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f/\\:]")
# Windows reserves these names with any extension and in any case ("con.txt", "Lpt1").
_DEVICE = re.compile(r"(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])", re.I)
# A header value: visible ASCII and spaces only, so no CR/LF can split a response header.
_CONTENT_TYPE = re.compile(r"[\x20-\x7e]+")
# Percent-decoding is repeated at most this often ("%252e" -> "%2e" -> ".").
_DECODE_ROUNDS = 3


def _nocase(word: str) -> str:
    """``word`` case-insensitively without flags (ECMA 262 patterns have no ``(?i)``),
    with the letters Python's ``re.IGNORECASE`` also folds (U+0130 and U+0131 for ``I``)."""
    extra = {"I": r"\u0130\u0131"}
    out = []
    for char in word:
        if char.isalpha():
            out.append(f"[{char.upper()}{char.lower()}{extra.get(char.upper(), '')}]")
        else:
            out.append(re.escape(char))
    return "".join(out)


_DIGIT = r"[0-9\u00b9\u00b2\u00b3]"
_DEVICES = "|".join(
    [_nocase(n) for n in ("CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$")]
    + [_nocase("COM") + _DIGIT, _nocase("LPT") + _DIGIT]
)
_KEY_CHAR = r"[^\x00-\x1f\x7f-\x9f/\\:\ud800-\udfff]"
_LAST_CHAR = r"[^\x00-\x1f\x7f-\x9f/\\:\ud800-\udfff. ]"
#: The keys :func:`check_key` accepts, as one regular expression (Python and ECMA 262,
#: ASCII text): the ``kv`` store backend gives it to the kernel, so an automatic route
#: refuses what the store would and the OpenAPI document states the same pattern. It is
#: stricter than :func:`check_key` in one place: no ``%`` followed by two hex digits
#: (percent-encoding inside a key, which check_key decodes and checks again).
KEY_PATTERN = (
    r"(?!.*\.\.)(?!.*%[0-9A-Fa-f]{2})"
    rf"(?!(?:{_DEVICES}) *(?:\.|$))"
    f"{_KEY_CHAR}{{0,{MAX_KEY_LENGTH - 1}}}{_LAST_CHAR}"
)


def _reason(key: str) -> str | None:
    """Why ``key`` (one decoding of it) is refused, or None when it is acceptable."""
    if not key:
        return "is empty"
    if len(key) > MAX_KEY_LENGTH:
        return f"is longer than {MAX_KEY_LENGTH} characters"
    if _FORBIDDEN.search(key):
        return "contains a path separator, a colon or a control character"
    if ".." in key or key == ".":
        return "contains '..' or is '.'"
    if key[-1] in ". ":
        return "ends with a dot or a space"
    if _DEVICE.fullmatch(key.split(".", 1)[0].rstrip(" ")):
        return "is a reserved device name"
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode"
    return None


def check_key(key: object) -> str:
    """Return ``key`` when it is a safe store key.

    Refused: empty or over-long keys; ``/``, ``\\``, ``:``, NUL and control characters;
    ``..`` anywhere and ``.`` alone; trailing dots or spaces; Windows device names (``CON``,
    ``nul.txt``, ``COM1``...). The same rules apply to every percent-decoding of the key,
    so ``%2e%2e%2f`` is refused as ``../`` is.

    :raises BadRequest: the key breaks a rule (400); the message says which.
    """
    if not isinstance(key, str):
        raise BadRequest("A key must be a string.", title="Invalid key")
    text = key
    for _ in range(_DECODE_ROUNDS + 1):
        reason = _reason(text)
        if reason is not None:
            raise BadRequest(f"The key {key[:80]!r} {reason}.", title="Invalid key")
        decoded = unquote(text) if "%" in text else text
        if decoded == text:
            return key
        text = decoded
    raise BadRequest(f"The key {key[:80]!r} is percent-encoded too deeply.", title="Invalid key")


def check_content_type(value: str | None) -> str:
    """The content type to store: ``value`` stripped, or ``application/octet-stream``.

    :raises BadRequest: it holds anything but visible ASCII and spaces, or is too long.
    """
    text = (value or "").strip()
    if not text:
        return DEFAULT_CONTENT_TYPE
    if len(text) > MAX_CONTENT_TYPE_LENGTH or not _CONTENT_TYPE.fullmatch(text):
        raise BadRequest(
            "The Content-Type must be visible ASCII of at most "
            f"{MAX_CONTENT_TYPE_LENGTH} characters.",
            title="Invalid content type",
        )
    return text
