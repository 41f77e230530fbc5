"""The surface for plugin authors: everything a plugin may import from the core.

Application authors use :mod:`camshaft`; plugins use this module (and
:mod:`camshaft.errors`, :mod:`camshaft.models`, :mod:`camshaft.testing`). Everything
else in the distribution is the kernel's own and may change without notice; an
import-linter contract (``nox -s lint``) keeps the plugins in this repository on this
surface.

- **Hooks:** :data:`hookimpl` marks implementations of the specs documented in
  docs/hooks.md.
- **Descriptors** a registration hook returns: :class:`Emitter`, :class:`Parser`,
  :class:`AuthScheme`, :class:`StoreBackend`, :class:`Paginator`,
  :class:`ThrottleBackend`, :class:`NonceStore`, :class:`Route`, :class:`Option`.
- **What the request path hands a plugin:** :class:`Request`, :class:`Identity`,
  :class:`EmitContext`, :class:`ParseLimits`, :class:`Query`, :class:`Filter`,
  :class:`Record`, :class:`Collection`, :class:`Page`, :class:`Settings`,
  :class:`Rate`, :class:`Decision`, and the typed per-app and per-endpoint state
  (:class:`Stash`, :class:`StashKey`, :class:`Wiring`).
- **Shared helpers**, so every format and paginator means the same thing: the JSON
  codec (``json_default``, ``json_emit``, ``json_encode_each``, ``json_stream``,
  ``json_parse``), the depth
  pre-check (``check_json_depth``), page-size parsing (``page_size``, ``int_arg``),
  ``Link`` building (``link_builder``, ``link_header``), the HTTP verbs' action names
  (``METHOD_ACTIONS``), and what a store's replace keeps (``writable_members``,
  ``replacement``, ``MAX_IN_VALUES``).
"""

from camshaft._kernel.auth.identity import ANONYMOUS, AuthScheme, Identity, IdentityKind
from camshaft._kernel.auth.nonces import NonceStore
from camshaft._kernel.emission.descriptors import EmitContext, Emitter, ParseLimits, Parser
from camshaft._kernel.emission.json_codec import default as json_default
from camshaft._kernel.emission.json_codec import emit as json_emit
from camshaft._kernel.emission.json_codec import encode_each as json_encode_each
from camshaft._kernel.emission.json_codec import parse as json_parse
from camshaft._kernel.emission.json_codec import stream as json_stream
from camshaft._kernel.emission.limits import check_json_depth
from camshaft._kernel.pagination import (
    Collection,
    Page,
    Paginator,
    int_arg,
    link_builder,
    link_header,
    page_size,
)
from camshaft._kernel.plugin_manager import hookimpl
from camshaft._kernel.request import Request
from camshaft._kernel.routing import METHOD_ACTIONS, Route
from camshaft._kernel.settings import Option, Settings
from camshaft._kernel.stash import Stash, StashKey
from camshaft._kernel.stores.base import (
    MAX_IN_VALUES,
    Filter,
    Query,
    Record,
    Store,
    StoreBackend,
    StoreConfig,
    replacement,
    writable_members,
)
from camshaft._kernel.throttle.backend import BackendUnavailable, Decision, Rate, ThrottleBackend
from camshaft._kernel.wiring import Wiring

__all__ = [
    "ANONYMOUS",
    "MAX_IN_VALUES",
    "METHOD_ACTIONS",
    "AuthScheme",
    "BackendUnavailable",
    "Collection",
    "Decision",
    "EmitContext",
    "Emitter",
    "Filter",
    "Identity",
    "IdentityKind",
    "NonceStore",
    "Option",
    "Page",
    "Paginator",
    "ParseLimits",
    "Parser",
    "Query",
    "Rate",
    "Record",
    "Request",
    "Route",
    "Settings",
    "Stash",
    "StashKey",
    "Store",
    "StoreBackend",
    "StoreConfig",
    "ThrottleBackend",
    "Wiring",
    "check_json_depth",
    "hookimpl",
    "int_arg",
    "json_default",
    "json_emit",
    "json_encode_each",
    "json_parse",
    "json_stream",
    "link_builder",
    "link_header",
    "page_size",
    "replacement",
    "writable_members",
]
