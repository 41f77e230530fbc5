"""Camshaft: a minimal, pluggable REST API framework on Werkzeug and pluggy."""

from .app import App
from .auth import ANONYMOUS, AuthScheme, Identity
from .emission import EmitContext, Emitter, ParseLimits, Parser
from .handler import Handler, Result, Status, rc
from .nonces import NonceStore
from .pagination import Collection, Page, Paginator
from .plugins import hookimpl
from .routing import Route
from .settings import Option, Settings
from .stores import Filter, Query, Record, Store, StoreBackend, StoreConfig
from .throttling import Decision, Rate, ThrottleBackend, throttle

__all__ = [
    "ANONYMOUS",
    "App",
    "AuthScheme",
    "Collection",
    "Decision",
    "EmitContext",
    "Emitter",
    "Filter",
    "Handler",
    "Identity",
    "NonceStore",
    "Option",
    "Page",
    "Paginator",
    "ParseLimits",
    "Parser",
    "Query",
    "Rate",
    "Record",
    "Result",
    "Route",
    "Settings",
    "Status",
    "Store",
    "StoreBackend",
    "StoreConfig",
    "ThrottleBackend",
    "hookimpl",
    "rc",
    "throttle",
]
