"""What the route table holds: custom routes, endpoints (one handler class serving one
route shape at one version) and route groups (every version of one route shape)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from camshaft._kernel.handler import Handler
from camshaft._kernel.routing.actions import Action
from camshaft.errors import ConfigurationError

if TYPE_CHECKING:
    from camshaft._kernel.wiring import Wiring

__all__ = ["Endpoint", "Route", "RouteGroup", "allow_header", "deprecation_headers"]


@dataclass(frozen=True, slots=True)
class Route:
    """A custom route: a Werkzeug rule (``"/other/<username>/<path:data>"``) and the
    handler class serving it. Plugins contribute these through ``camshaft_routes``."""

    path: str
    handler: type[Handler]


@dataclass(slots=True)
class Endpoint:
    """One handler class serving one route shape (collection, item or custom).

    The app resolves its capabilities (schemes, throttle, store, paginator, shapers)
    into :attr:`wiring` once, when it is built.
    """

    handler: type[Handler]
    kind: str
    path: str  # a template for links: "/events/{key}"
    version: str
    actions: dict[str, Action]
    allow: str = ""
    deprecation_headers: tuple[tuple[str, str], ...] = ()
    #: What the request path calls, resolved by the app once routes are built.
    wiring: Wiring | None = None


@dataclass(slots=True)
class RouteGroup:
    """Every version of one route shape; the default answers unknown or absent versions."""

    name: str
    kind: str
    versions: dict[str, Endpoint]
    default: Endpoint
    key_re: re.Pattern[str] | None = None
    key_name: str = "key"
    #: Nested routes: every path parameter (the parents' keys, then the item's key) and
    #: the pattern its value must match in full, checked when the route is matched.
    path_params: tuple[tuple[str, re.Pattern[str]], ...] = ()


def allow_header(actions: dict[str, Action]) -> str:
    methods = set(actions) | {"OPTIONS"}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def deprecation_headers(cls: type[Handler]) -> tuple[tuple[str, str], ...]:
    from datetime import UTC, date, datetime
    from email.utils import format_datetime

    def when(value: str, attr: str) -> datetime:
        try:
            parsed = (
                date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
            )
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"{cls.__name__}.{attr} must be an ISO 8601 date: {value!r}"
            ) from exc
        if not isinstance(parsed, datetime):
            parsed = datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    headers = []
    if cls.deprecated:  # RFC 9745: a structured-field Date
        headers.append(("Deprecation", f"@{int(when(cls.deprecated, 'deprecated').timestamp())}"))
    if cls.sunset:  # RFC 8594: an HTTP-date
        headers.append(("Sunset", format_datetime(when(cls.sunset, "sunset"), usegmt=True)))
    return tuple(headers)
