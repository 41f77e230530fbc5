"""The plugin manager factory: builtins first, then entry points, then explicit plugins.

Each app gets its own :class:`pluggy.PluginManager`; nothing is registered at import time.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy

from camshaft._kernel import hookspecs
from camshaft.errors import ConfigurationError, PluginLoadError

__all__ = ["BUILTINS", "ENTRY_POINT_GROUP", "PluginInfo", "collect", "make_plugin_manager"]

ENTRY_POINT_GROUP = "camshaft"

#: The builtin plugins, by registration name, registered before entry points.
BUILTINS: dict[str, str] = {
    "json": "camshaft.builtins.json_format",
    "ndjson": "camshaft.builtins.ndjson_format",
    "anonymous": "camshaft.builtins.anonymous_auth",
    "memory": "camshaft.builtins.memory_store",
    "models": "camshaft.builtins.model_adapters",
    "pagination": "camshaft.builtins.pagination",
    "throttle": "camshaft.builtins.memory_throttle",
    "openapi": "camshaft.builtins.openapi_routes",
    "request_id": "camshaft.builtins.request_id",
    "access_log": "camshaft.builtins.access_log",
    "cors": "camshaft.builtins.cors",
}

hookimpl = pluggy.HookimplMarker("camshaft")


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What ``camshaft plugins`` shows for one plugin."""

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    blocked: bool
    builtin: bool


def blocked_names(raw: Mapping[str, Any], environ: Mapping[str, str]) -> set[str]:
    """Plugin names blocked by ``plugins.block`` or ``$CAMSHAFT_BLOCK_PLUGINS``."""
    names = set(raw.get("plugins", {}).get("block", []) or [])
    names.update(
        n.strip() for n in environ.get("CAMSHAFT_BLOCK_PLUGINS", "").split(",") if n.strip()
    )
    return names


def _autoload(raw: Mapping[str, Any], environ: Mapping[str, str]) -> bool:
    if environ.get("CAMSHAFT_DISABLE_PLUGIN_AUTOLOAD", "").lower() in {"1", "true", "yes"}:
        return False
    return bool(raw.get("plugins", {}).get("autoload", True))


def _load_entry_point(ep: EntryPoint) -> object:
    dist = ep.dist
    where = f"{dist.name} {dist.version}" if dist is not None else "an unknown distribution"
    try:
        return ep.load()
    except Exception as exc:
        raise PluginLoadError(
            f"plugin {ep.name!r} (from {where}, entry point {ep.value!r}) failed to load: "
            f"{type(exc).__name__}: {exc}"
        ) from exc


def _plugin_name(plugin: object) -> str:
    return str(getattr(plugin, "camshaft_name", None) or getattr(plugin, "__name__", repr(plugin)))


def make_plugin_manager(
    raw_settings: Mapping[str, Any],
    environ: Mapping[str, str],
    extra_plugins: Iterable[object | tuple[str, object]] = (),
) -> pluggy.PluginManager:
    """Build one app's plugin manager.

    Builtins register first (their hooks are ``trylast``, so installed plugins win); then
    entry points of the ``camshaft`` group unless autoload is off; then ``extra_plugins``
    (modules or objects, registered under their ``camshaft_name`` attribute or ``__name__``;
    or ``(name, plugin)`` pairs).
    A name in ``plugins.block`` or ``$CAMSHAFT_BLOCK_PLUGINS`` is never registered. An
    entry point named like a builtin replaces that builtin. An opt-in plugin (one with
    ``camshaft_opt_in = True``) is registered only when ``plugins.enable`` names it; an
    opt-in builtin also when the settings have a section of its name (configuring
    ``[cors]`` turns CORS on), so an app that uses none makes none of their hook calls.

    :raises PluginLoadError: a plugin failed to import or register (the message names it).
    """
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    blocked = blocked_names(raw_settings, environ)
    enabled = set(raw_settings.get("plugins", {}).get("enable", []) or [])
    for name in blocked:
        pm.set_blocked(name)

    discovered: list[tuple[str, object]] = []
    if _autoload(raw_settings, environ):
        seen: set[str] = set()
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.name in blocked or ep.name in seen:
                continue
            seen.add(ep.name)
            discovered.append((ep.name, _load_entry_point(ep)))
    explicit = [p if isinstance(p, tuple) else (_plugin_name(p), p) for p in extra_plugins]
    replaced = {name for name, _ in discovered + explicit}

    for name, module_name in BUILTINS.items():
        if name not in blocked and name not in replaced:
            module = importlib.import_module(module_name)
            if getattr(module, "camshaft_opt_in", False) and not (
                name in enabled or name in raw_settings
            ):
                continue
            pm.register(module, name=name)
    for name, plugin in discovered + explicit:
        if name in blocked or pm.has_plugin(name):
            continue
        if getattr(plugin, "camshaft_opt_in", False) and name not in enabled:
            continue
        try:
            pm.register(plugin, name=name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginLoadError(f"plugin {name!r} could not be registered: {exc}") from exc
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginLoadError(f"plugin {exc.plugin!r} implements an unknown hook: {exc}") from exc
    return pm


def collect(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call a registration hook plugin by plugin, in pluggy's call order.

    :return: ``(plugin name, item)`` pairs, each item one element of a plugin's returned
        sequence (a mapping result is returned whole).
    :raises ConfigurationError: an implementation raised; the message names its plugin.
    """
    out: list[tuple[str, Any]] = []
    for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
        try:
            result = impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
        except ConfigurationError as exc:
            raise ConfigurationError(f"plugin {impl.plugin_name!r}: {exc}") from exc
        if result is None:
            continue
        if isinstance(result, Mapping):
            out.append((impl.plugin_name, result))
        else:
            out.extend((impl.plugin_name, item) for item in result)
    return out


def plugin_infos(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Every registered or blocked plugin with its distribution and hooks."""
    dists = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.dist is not None:
            dists[ep.name] = (ep.dist.name, ep.dist.version)
    infos = []
    for name, plugin in sorted(pm.list_name_plugin()):
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or ()))
        dist, version = dists.get(name, (None, None))
        builtin = name in BUILTINS and dist is None
        if builtin:
            from importlib.metadata import version as _version

            dist, version = "camshaft", _version("camshaft")
        infos.append(PluginInfo(name, dist, version, hooks, plugin is None, builtin))
    return infos
