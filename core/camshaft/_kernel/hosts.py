"""Which ``Host`` values an app answers, and the base of the absolute URLs it writes.

Absolute URLs (``Location``, ``Link``, items' ``url`` members) start with the
``base_url`` setting when set, else with the request's scheme and ``Host``. So a
``Host`` the client chose must be a well-formed host name, and, when ``trusted_hosts``
lists names (``api.example.org``, ``*.example.org``), one of them: anything else is
answered 400 before routing. An empty ``trusted_hosts`` trusts any well-formed host, as
a development server must; ``camshaft serve`` warns when it binds a non-loopback
address that way.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any

from camshaft.errors import BadRequest, ConfigurationError

__all__ = ["TrustedHosts", "is_loopback"]

#: host[:port]: a DNS name, an IPv4 address or a bracketed IPv6 address.
_HOST = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252}))(?::\d{1,5})?$")


class TrustedHosts:
    """Checks a request's ``Host`` against the ``trusted_hosts`` setting.

    :param patterns: exact host names, or ``*.example.org`` (any subdomain, not the
        domain itself); matched case-insensitively, ports ignored. Empty: any host.
    :raises ConfigurationError: a pattern is blank or has a wildcard elsewhere.
    """

    __slots__ = ("_exact", "_suffixes")

    def __init__(self, patterns: Iterable[str]) -> None:
        exact, suffixes = set(), []
        for pattern in patterns:
            text = str(pattern).strip().lower().rstrip(".")
            if text.startswith("*.") and "*" not in text[2:] and len(text) > 2:
                suffixes.append(text[1:])
            elif text and "*" not in text:
                exact.add(text)
            else:
                raise ConfigurationError(
                    f"setting 'trusted_hosts': {pattern!r} is not a host name or '*.domain'"
                )
        self._exact = frozenset(exact)
        self._suffixes = tuple(suffixes)

    @property
    def any(self) -> bool:
        return not self._exact and not self._suffixes

    def check(self, environ: Mapping[str, Any]) -> None:
        """:raises BadRequest: the ``Host`` is malformed or not trusted."""
        host = environ.get("HTTP_HOST")
        if host is None:
            return  # HTTP/1.0 without Host: URLs use SERVER_NAME, which the server set
        if not _HOST.match(host):
            raise BadRequest("The Host header is not a valid host name.", title="Invalid host")
        if self.any:
            return
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        name = name.lower().rstrip(".")
        if name in self._exact or any(name.endswith(s) for s in self._suffixes):
            return
        raise BadRequest("This server does not answer for that host.", title="Invalid host")


def is_loopback(host: str) -> bool:
    """Whether a bind address only accepts connections from this machine."""
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
