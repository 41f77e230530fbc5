"""Deprecated alias of :mod:`camshaft.permissions` (kept for one release)."""

import warnings

from camshaft.permissions import (
    Permission,
    anyone,
    authenticated,
    has_scopes,
    is_allowed,
    is_owner,
    nobody,
    object_rule,
)

__all__ = [
    "Permission",
    "anyone",
    "authenticated",
    "has_scopes",
    "is_allowed",
    "is_owner",
    "nobody",
    "object_rule",
]

warnings.warn(
    "camshaft.authorization is deprecated: import the rules from camshaft.permissions",
    DeprecationWarning,
    stacklevel=2,
)
