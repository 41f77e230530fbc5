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
  :class:`ThrottleBackend`, :class:`NonceStore`, :class:`Route`, :class:`Option`,
  :class:`ModelAdapter` (with :class:`AdaptedModel`, :class:`ModelField` and the
  helpers ``json_pointer``, ``require_object``, ``screen_members``, ``writable_body``,
  ``raise_if``, ``fields_from_schema`` that keep every adapter's errors alike).
- **What the request path hands a plugin:** :class:`Request`, :class:`Identity`,
  :class:`EmitContext` (with its :class:`ResourceContext`), :class:`ParseLimits`,
  :class:`Query`, :class:`Filter`, :class:`Search`, :class:`Record`, :class:`Collection`,
  :class:`Page`, :class:`Settings`, :class:`Rate`, :class:`Decision`, and the typed per-app
  and per-endpoint state
  (:class:`Stash`, :class:`StashKey`, :class:`Wiring`).
- **Shared helpers**, so every format and paginator means the same thing: the JSON
  codec (``json_default``, ``json_emit``, ``json_encode_each``, ``json_stream``,
  ``json_parse``, ``json_load``, ``json_may_hold_unwritable``), the depth pre-check
  (``check_json_depth``), what every emitter can write (``check_value``,
  ``INT_LIMIT``), page-size parsing (``page_size``, ``int_arg``), ``Link`` building
  (``link_builder``, ``link_header``), the HTTP verbs' action names
  (``METHOD_ACTIONS``), what a store's replace keeps (``writable_members``,
  ``replacement``, ``MAX_IN_VALUES``, ``search_matches``), and conditional requests
  (``Preconditions``, ``Current``, ``conditional_write``).
"""

from camshaft._kernel.auth.identity import ANONYMOUS, AuthScheme, Identity, IdentityKind
from camshaft._kernel.auth.nonces import NonceStore
from camshaft._kernel.conditional import Current, Preconditions, conditional_write
from camshaft._kernel.emission.descriptors import (
    EmitContext,
    Emitter,
    ParseLimits,
    Parser,
    ResourceContext,
)
from camshaft._kernel.emission.json_codec import default as json_default
from camshaft._kernel.emission.json_codec import emit as json_emit
from camshaft._kernel.emission.json_codec import encode_each as json_encode_each
from camshaft._kernel.emission.json_codec import load as json_load
from camshaft._kernel.emission.json_codec import may_hold_unwritable as json_may_hold_unwritable
from camshaft._kernel.emission.json_codec import parse as json_parse
from camshaft._kernel.emission.json_codec import stream as json_stream
from camshaft._kernel.emission.limits import check_json_depth
from camshaft._kernel.forms import UploadedFile
from camshaft._kernel.models.protocol import (
    AdaptedModel,
    ModelAdapter,
    ModelField,
    fields_from_schema,
    json_pointer,
    raise_if,
    require_object,
    screen_members,
    writable_body,
)
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
    Search,
    Store,
    StoreBackend,
    StoreConfig,
    replacement,
    search_matches,
    writable_members,
)
from camshaft._kernel.throttle.backend import BackendUnavailable, Decision, Rate, ThrottleBackend
from camshaft._kernel.values import INT_LIMIT, check_value
from camshaft._kernel.wiring import Wiring

__all__ = [
    "ANONYMOUS",
    "INT_LIMIT",
    "MAX_IN_VALUES",
    "METHOD_ACTIONS",
    "AdaptedModel",
    "AuthScheme",
    "BackendUnavailable",
    "Collection",
    "Current",
    "Decision",
    "EmitContext",
    "Emitter",
    "Filter",
    "Identity",
    "IdentityKind",
    "ModelAdapter",
    "ModelField",
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
    "Request",
    "ResourceContext",
    "Route",
    "Search",
    "Settings",
    "Stash",
    "StashKey",
    "Store",
    "StoreBackend",
    "StoreConfig",
    "ThrottleBackend",
    "UploadedFile",
    "Wiring",
    "check_json_depth",
    "check_value",
    "conditional_write",
    "fields_from_schema",
    "hookimpl",
    "int_arg",
    "json_default",
    "json_emit",
    "json_encode_each",
    "json_load",
    "json_may_hold_unwritable",
    "json_parse",
    "json_pointer",
    "json_stream",
    "link_builder",
    "link_header",
    "page_size",
    "raise_if",
    "replacement",
    "require_object",
    "screen_members",
    "search_matches",
    "writable_body",
    "writable_members",
]
