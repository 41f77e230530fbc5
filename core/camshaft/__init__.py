"""Camshaft: a minimal, pluggable REST API framework on Werkzeug and pluggy."""

from camshaft._kernel.app import App
from camshaft._kernel.auth.identity import ANONYMOUS, AuthScheme, Identity
from camshaft._kernel.auth.nonces import NonceStore
from camshaft._kernel.conditional import Current, Preconditions, conditional_write
from camshaft._kernel.emission.descriptors import EmitContext, Emitter, ParseLimits, Parser
from camshaft._kernel.forms import UploadedFile
from camshaft._kernel.handler import Handler, Result, Status, rc
from camshaft._kernel.pagination import Collection, Page, Paginator
from camshaft._kernel.plugin_manager import hookimpl
from camshaft._kernel.routing import Route
from camshaft._kernel.settings import Option, Settings
from camshaft._kernel.stores.base import (
    Filter,
    Query,
    Record,
    Search,
    Store,
    StoreBackend,
    StoreConfig,
)
from camshaft._kernel.stores.relations import Relation
from camshaft._kernel.throttle.backend import Decision, Rate, ThrottleBackend, throttle

__all__ = [
    "ANONYMOUS",
    "App",
    "AuthScheme",
    "Collection",
    "Current",
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
    "Preconditions",
    "Query",
    "Rate",
    "Record",
    "Relation",
    "Result",
    "Route",
    "Search",
    "Settings",
    "Status",
    "Store",
    "StoreBackend",
    "StoreConfig",
    "ThrottleBackend",
    "UploadedFile",
    "conditional_write",
    "hookimpl",
    "rc",
    "throttle",
]
