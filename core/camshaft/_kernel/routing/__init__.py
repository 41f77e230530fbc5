"""Routing: the route table built from handler classes and custom routes.

- :mod:`.actions` -- which method serves each HTTP verb (``actions_for``);
- :mod:`.endpoints` -- routes, endpoints and version groups;
- :mod:`.table` -- building the table, and the URL version prefix.
"""

from camshaft._kernel.routing.actions import METHOD_ACTIONS, Action, actions_for
from camshaft._kernel.routing.endpoints import Endpoint, Route, RouteGroup
from camshaft._kernel.routing.table import build_groups, split_version_prefix

__all__ = [
    "METHOD_ACTIONS",
    "Action",
    "Endpoint",
    "Route",
    "RouteGroup",
    "actions_for",
    "build_groups",
    "split_version_prefix",
]
