"""Settings: defaults, a TOML file, a dict given to the app, and environment variables.

Later sources win: defaults < ``camshaft.toml`` (or ``[tool.camshaft]`` in a
``pyproject.toml``) < the dict given to :class:`camshaft.App` < ``CAMSHAFT__*``
environment variables. Each plugin has a section keyed by its entry-point name and
declares its options through the ``camshaft_settings_spec`` hook. Every key is checked:
an unknown or ill-typed key fails the app's start with a message naming it.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camshaft.errors import ConfigurationError

__all__ = ["CORE_OPTIONS", "Option", "Settings", "load_raw_settings"]

ENV_PREFIX = "CAMSHAFT__"


@dataclass(frozen=True, slots=True)
class Option:
    """One setting: its type, default and meaning.

    ``type`` is ``bool``, ``int``, ``float``, ``str``, ``list`` or ``dict`` (a free-form
    mapping the owner validates itself). ``choices`` restricts the allowed values (for a
    list, each item).
    """

    type: type
    default: Any
    doc: str = ""
    choices: tuple[Any, ...] | None = None

    def check(self, path: str, value: Any) -> Any:
        expected = self.type
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise ConfigurationError(
                f"setting {path!r} must be of type {expected.__name__}, "
                f"got {type(value).__name__} {value!r}"
            )
        if self.choices is not None:
            for item in value if expected is list else [value]:
                if item not in self.choices:
                    raise ConfigurationError(
                        f"setting {path!r} has invalid value {item!r}; "
                        f"choose from {', '.join(map(repr, self.choices))}"
                    )
        return value


Spec = Mapping[str, "Option | Spec"]

CAPABILITIES = (
    "auth",
    "emitters",
    "parsers",
    "stores",
    "paginators",
    "throttle_backends",
    "nonce_stores",
    "model_adapters",
)

CORE_OPTIONS: dict[str, Any] = {
    "max_body_size": Option(int, 1024 * 1024, "Largest request body accepted, in bytes (413)."),
    "max_depth": Option(int, 32, "Deepest nesting of containers a parser accepts (400)."),
    "body_limits": Option(
        dict,
        {},
        "Largest request body per parser format, in bytes (413): {format: bytes}, e.g. "
        "{yaml = 262144}. A format not named here gets the lower of its parser's own "
        "default (yaml, xml: 256 KiB) and max_body_size.",
    ),
    "forms": {
        "max_size": Option(
            int, 16 * 1024 * 1024, "Largest form or multipart body, in bytes (413)."
        ),
        "max_parts": Option(int, 100, "Most fields and files in one form (413)."),
        "max_field_size": Option(int, 64 * 1024, "Largest text field of a form, in bytes (413)."),
        "max_file_size": Option(
            int, 10 * 1024 * 1024, "Largest uploaded file, in bytes (413); streamed to disk."
        ),
    },
    "default_format": Option(str, "json", "The format used when the client names none."),
    "strict_negotiation": Option(
        bool, False, "406 instead of the default format when nothing acceptable exists."
    ),
    "strict_query": Option(
        bool,
        False,
        "400 naming an unknown query parameter on a default-CRUD collection "
        "(false: it is ignored).",
    ),
    "key_pattern": Option(
        str,
        r"(?!.*\.\.)[^/\x00-\x1f\x7f]{1,255}",
        "Regular expression an automatic route's key must match in full (400 otherwise).",
    ),
    "trusted_hosts": Option(
        list,
        [],
        "Host names this app answers ('api.example.org', '*.example.org'); others get 400. "
        "Empty: any well-formed host.",
    ),
    "base_url": Option(
        str,
        "",
        "Scheme, host and prefix of every absolute URL the app writes "
        "('https://api.example.org'); empty: from the request's Host.",
    ),
    "shaping": {
        "links": Option(
            bool, True, "Items of resources with item routes carry their own 'url' (HATEOAS)."
        ),
    },
    "plugins": {
        "autoload": Option(bool, True, "Load plugins from the 'camshaft' entry-point group."),
        "block": Option(list, [], "Plugin names never to load or register."),
        "enable": Option(list, [], "Opt-in plugins to load (e.g. 'pickle')."),
    },
    "order": {
        cap: Option(list, [], f"Plugin names whose {cap} are consulted first, in this order.")
        for cap in CAPABILITIES
    },
    "versioning": {
        "strategies": Option(
            list,
            ["url", "header", "accept", "query"],
            "How clients choose a version, in order of precedence.",
            choices=("url", "header", "accept", "query"),
        ),
        "default": Option(str, "1.0", "The version served when none (or an unknown one) is asked."),
        "strict": Option(bool, False, "Answer an unknown version with an error instead."),
        "header": Option(str, "API-Version", "Request header naming the version."),
        "query": Option(str, "version", "Query parameter naming the version."),
    },
    "auth": {
        "default": Option(list, [], "Schemes for resources that name none (empty: open)."),
        "hide_forbidden": Option(bool, False, "Answer 404 instead of 403 for hidden objects."),
        "filter_collections": Option(
            bool,
            True,
            "Default CRUD lists only what item routes would show: owner rules become query "
            "filters, other object rules filter the rows read.",
        ),
        "failures": Option(
            object,
            "10/minute",
            "Failed authentications allowed per client address (a rate like the "
            "throttle's), then 429 with Retry-After; 'off' disables the limit.",
        ),
    },
    "pagination": {
        "default": Option(str, "page", "Paginator for collections whose handler names none."),
        "per_page": Option(int, 20, "Default page size."),
        "max_per_page": Option(int, 100, "Largest page size a client may ask for."),
        "clamp": Option(bool, True, "Clamp a too-large page size instead of answering 400."),
        "envelope": Option(bool, False, "Wrap pages in {count, next, previous, results}."),
        "count": Option(
            str,
            "exact",
            "Count the whole collection ('exact'), estimate it ('estimated': PostgreSQL's "
            "planner; exact elsewhere) or not ('off': no total, no last link).",
            choices=("exact", "estimated", "off"),
        ),
    },
    "nonces": {
        "backend": Option(str, "memory", "Where replay-protection nonces are recorded."),
    },
    "bulk": {
        "max_items": Option(
            int,
            1000,
            "Most items one POST of a JSON array may create (413 above it); 0 turns "
            "bulk create off.",
        ),
    },
    "concurrency": {
        "require_if_match": Option(
            bool, False, "Default CRUD writes (PUT, PATCH, DELETE) need If-Match (428)."
        ),
    },
    "openapi": {
        "enabled": Option(bool, True, "Serve the OpenAPI document and the HTML docs page."),
        "path": Option(str, "/openapi.json", "Where the OpenAPI document is served (JSON)."),
        "docs_path": Option(str, "/docs", "Where the HTML docs page is served ('' for none)."),
        "title": Option(str, "API", "The document's info.title."),
        "version": Option(str, "", "The document's info.version ('' for the default version)."),
        "docs_oauth_client_id": Option(
            str,
            "",
            "client_id the docs page's Authorize button uses: a public OAuth 2 client "
            "registered with the docs page's URL as a redirect URI ('': the user types it).",
        ),
    },
    "throttle": {
        "backend": Option(str, "memory", "Throttle backend by name ('memory': per process)."),
        "scopes": Option(
            dict,
            {},
            "Named rates shared by several resources: {name: rate} or "
            "{name: {rate, fail = 'open' | 'closed'}}.",
        ),
        "trusted_proxies": Option(
            int, 0, "Proxy hops whose forwarded-for entries are trusted for the client address."
        ),
        "proxy_header": Option(
            str,
            "X-Forwarded-For",
            "Header the trusted proxies write the client address into.",
            choices=("X-Forwarded-For", "Forwarded"),
        ),
        "ipv6_prefix": Option(int, 64, "IPv6 clients share one bucket per prefix of this length."),
    },
}


def _resolve_indirection(path: str, value: Any, environ: Mapping[str, str]) -> Any:
    if isinstance(value, Mapping) and len(value) == 1:
        if "$env" in value:
            name = value["$env"]
            if name not in environ:
                raise ConfigurationError(
                    f"setting {path!r} refers to environment variable {name!r}, which is not set"
                )
            return environ[name]
        if "$file" in value:
            try:
                return Path(value["$file"]).read_text().strip()
            except OSError as exc:
                raise ConfigurationError(
                    f"setting {path!r}: cannot read {value['$file']!r}: {exc}"
                ) from exc
    return value


def _merge(into: dict[str, Any], new: Mapping[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif isinstance(value, Mapping):
            into[key] = {}
            _merge(into[key], value)
        else:
            into[key] = value


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        parts = [p.lower() for p in name[len(ENV_PREFIX) :].split("__") if p]
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if parts:
            node[parts[-1]] = value
    return out


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read settings file {str(path)!r}: {exc}") from exc
    if path.name == "pyproject.toml":
        return dict(data.get("tool", {}).get("camshaft", {}))
    return data


def load_raw_settings(
    given: Mapping[str, Any] | None,
    *,
    file: str | os.PathLike[str] | None,
    environ: Mapping[str, str],
) -> dict[str, Any]:
    """Merge the sources (unvalidated). ``file`` defaults to ``$CAMSHAFT_SETTINGS``, else
    ``./camshaft.toml`` when it exists."""
    merged: dict[str, Any] = {}
    path = file or environ.get("CAMSHAFT_SETTINGS")
    if path is None and Path("camshaft.toml").is_file():
        path = "camshaft.toml"
    if path is not None:
        _merge(merged, _read_file(Path(path)))
    _merge(merged, given or {})
    _merge(merged, _from_environment(environ))
    return merged


def _validate(
    spec: Spec,
    raw: Mapping[str, Any],
    prefix: str,
    environ: Mapping[str, str],
    blocked: Collection[str] = (),
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        path = f"{prefix}{key}"
        if key not in spec and key in blocked:
            raise ConfigurationError(
                f"settings section {path!r} belongs to the plugin {key!r}, which is blocked "
                "(plugins.block or $CAMSHAFT_BLOCK_PLUGINS): unblock the plugin or remove "
                "its section"
            )
        if key not in spec:
            known = ", ".join(sorted(spec)) or "none"
            raise ConfigurationError(f"unknown setting {path!r} (known here: {known})")
        value = _resolve_indirection(path, value, environ)
        sub = spec[key]
        if isinstance(sub, Option):
            out[key] = sub.check(path, value)
        elif isinstance(value, Mapping):
            out[key] = _validate(sub, value, path + ".", environ)
        else:
            raise ConfigurationError(f"setting {path!r} must be a table of settings")
    for key, sub in spec.items():
        if key not in out:
            out[key] = _defaults(sub) if not isinstance(sub, Option) else _copy_default(sub.default)
    return out


def _copy_default(value: Any) -> Any:
    return type(value)(value) if isinstance(value, list | dict) else value


def _defaults(spec: Spec) -> dict[str, Any]:
    return {
        k: _copy_default(v.default) if isinstance(v, Option) else _defaults(v)
        for k, v in spec.items()
    }


class Settings(Mapping[str, Any]):
    """Validated settings: core options at the top level, one section per plugin.

    ``settings["versioning"]["strict"]`` reads a core option; ``settings.plugin("yaml")``
    a plugin's section (with its defaults filled in).
    """

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    @classmethod
    def build(
        cls,
        raw: Mapping[str, Any],
        plugin_specs: Mapping[str, Spec],
        environ: Mapping[str, str],
        blocked: Collection[str] = (),
    ) -> Settings:
        """Validate ``raw`` against the core options and ``plugin_specs``.

        :raises ConfigurationError: an unknown setting or a bad value (the message names
            it); a section of a plugin in ``blocked`` says the plugin is blocked.
        """
        clash = set(plugin_specs) & set(CORE_OPTIONS)
        if clash:
            raise ConfigurationError(f"plugin names clash with core settings: {sorted(clash)}")
        spec: dict[str, Any] = {**CORE_OPTIONS, **plugin_specs}
        return cls(_validate(spec, raw, "", environ, blocked))

    def plugin(self, name: str) -> Mapping[str, Any]:
        section = self._data.get(name, {})
        return section if isinstance(section, Mapping) else {}

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Any:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)
