"""The resource owner's decision at the authorize endpoints.

``[oauth.authorize] consent`` chooses how a decision is reached once an authenticated
resource owner (``request.identity``) reaches an authorize endpoint:

* ``"prompt"`` (default): ``GET`` answers 200 with a JSON description of the request and
  a ``consent_token``; the front end shows it to the owner and ``POST``s the same URL
  with the form fields ``consent_token`` and ``decision`` (``approve`` or ``deny``). The
  token is an HMAC over the owner, the client and what was asked, valid for 10 minutes:
  a cross-site form cannot forge one, because it cannot read the ``GET`` response.
* ``"auto"``: every authenticated owner approves at once (first-party clients, tests).
* ``"module:function"``: ``function(request, identity, client_id, scopes) -> bool``
  decides on ``GET`` (True approves, False denies).
"""

from __future__ import annotations

import base64
import hmac
import importlib
from collections.abc import Callable, Sequence
from typing import Any

from camshaft.errors import ConfigurationError

__all__ = ["ConsentSigner", "load_consent"]

CONSENT_TTL = 600


def load_consent(value: Any) -> str | Callable[..., bool]:
    """``"prompt"``, ``"auto"``, or the decision callable an import path names.

    :raises ConfigurationError: the path does not import or names no callable.
    """
    if callable(value):
        return value  # type: ignore[no-any-return]
    if value in ("prompt", "auto"):
        return str(value)
    module_name, _, attr = str(value).partition(":")
    try:
        found = getattr(importlib.import_module(module_name), attr) if attr else None
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"oauth.authorize.consent {value!r}: {exc}") from exc
    if not callable(found):
        raise ConfigurationError(
            f"oauth.authorize.consent must be 'prompt', 'auto' or 'module:function'; got {value!r}"
        )
    return found  # type: ignore[no-any-return]


class ConsentSigner:
    """Makes and checks consent tokens: ``<issued>.<HMAC-SHA256(secret, issued|parts)>``."""

    __slots__ = ("_secret", "clock")

    def __init__(self, secret: bytes, clock: Callable[[], float]) -> None:
        self._secret = secret
        self.clock = clock

    def _mac(self, issued: int, parts: Sequence[str]) -> str:
        message = "\x1f".join([str(issued), *parts]).encode("utf-8")
        digest = hmac.new(self._secret, message, "sha256").digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def sign(self, *parts: str) -> str:
        issued = int(self.clock())
        return f"{issued}.{self._mac(issued, parts)}"

    def verify(self, token: str, *parts: str) -> bool:
        """Whether ``token`` was made for exactly ``parts`` less than 10 minutes ago."""
        issued_text, _, mac = token.partition(".")
        if not issued_text.isdigit():
            return False
        issued = int(issued_text)
        if not 0 <= self.clock() - issued <= CONSENT_TTL:
            return False
        return hmac.compare_digest(mac, self._mac(issued, parts))
