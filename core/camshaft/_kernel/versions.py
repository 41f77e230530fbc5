"""Version selection: which version of a route group serves a request.

Strategies (``versioning.strategies``, tried in order): ``url`` (a ``/v1.1/`` prefix),
``header`` (``versioning.header``), ``accept`` (a ``version`` media-type parameter) and
``query`` (``versioning.query``). Nothing asked for: the group's default version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from camshaft._kernel.handler import normalize_version
from camshaft.errors import NotFound

if TYPE_CHECKING:
    from camshaft._kernel.request import Request
    from camshaft._kernel.routing import Endpoint, RouteGroup

__all__ = ["VersionSelector"]


class VersionSelector:
    """The ``versioning`` settings, compiled once."""

    __slots__ = ("default", "env_key", "header", "query", "strategies", "strict")

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.default = normalize_version(options["default"])
        self.header: str = options["header"]
        self.strategies = tuple(options["strategies"])
        self.env_key = "HTTP_" + self.header.upper().replace("-", "_")
        self.query: str = options["query"]
        self.strict: bool = options["strict"]

    def select(
        self,
        group: RouteGroup,
        request: Request,
        url_version: str | None,
        accept_version: str | None,
    ) -> Endpoint:
        """The endpoint of ``group`` serving ``request``.

        :raises NotFound: a URL prefix names a version the group lacks, or
            ``versioning.strict`` is on and the version asked for does not exist.
        """
        environ = request.environ
        if (
            url_version is None
            and accept_version is None
            and (
                (len(group.versions) == 1 and not self.strict)
                or (self.env_key not in environ and not environ.get("QUERY_STRING"))
            )
        ):  # nothing asks for a version: the common case, no strategy loop
            return group.default
        asked = self._asked(request, url_version, accept_version)
        if not asked:
            if url_version is not None:
                raise NotFound(f"No resource at {request.path}.")
            return group.default
        endpoint = group.versions.get(normalize_version(asked))
        if endpoint is not None:
            return endpoint
        if url_version is not None and "url" not in self.strategies:
            raise NotFound(f"No resource at {request.path}.")
        if self.strict:
            raise NotFound(
                f"Version {asked} of this resource does not exist; "
                f"available: {', '.join(sorted(group.versions))}.",
                title="Unknown API version",
            )
        return group.default

    def _asked(
        self, request: Request, url_version: str | None, accept_version: str | None
    ) -> str | None:
        """The first version a strategy finds in the request."""
        for strategy in self.strategies:
            if strategy == "url":
                asked = url_version
            elif strategy == "header":
                asked = request.environ.get(self.env_key)
            elif strategy == "accept":
                asked = accept_version
            elif request.environ.get("QUERY_STRING"):
                asked = request.args.get(self.query)
            else:
                asked = None
            if asked:
                return asked
        return None
