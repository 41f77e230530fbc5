"""The ``camshaft`` command: serve an app, list its routes, list plugins, print OpenAPI."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from camshaft._kernel.app import App
from camshaft.errors import ConfigurationError

__all__ = ["load_app", "main"]


def load_app(target: str) -> App:
    """Import ``MODULE:APP`` (from the current directory first) and return the app.

    ``APP`` may name an :class:`App` or a callable returning one.
    """
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise SystemExit(f"camshaft: expected MODULE:APP, got {target!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SystemExit(f"camshaft: cannot import {module_name!r}: {exc}") from exc
    obj: Any = getattr(module, attr, None)
    if obj is None:
        raise SystemExit(f"camshaft: {module_name!r} has no attribute {attr!r}")
    if not isinstance(obj, App) and callable(obj):
        obj = obj()
    if not isinstance(obj, App):
        raise SystemExit(f"camshaft: {target} is not a camshaft.App")
    return obj


def open_host_warning(app: App, host: str) -> str | None:
    """The warning for serving on a non-loopback address with any ``Host`` trusted."""
    from camshaft._kernel.hosts import is_loopback

    if is_loopback(host) or not app.trusted_hosts.any or app.base_url:
        return None
    return (
        f"serving on {host}, reachable from other machines, with trusted_hosts empty: "
        "any Host header is answered and used in absolute URLs (Location, Link). Set "
        "trusted_hosts (or base_url) to the names clients use."
    )


def _serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    app = load_app(args.app)
    warning = open_host_warning(app, args.host)
    if warning:
        print(f"camshaft: warning: {warning}", file=sys.stderr)
    run_simple(args.host, args.port, app, use_reloader=args.reload, threaded=True)
    return 0


def _routes(args: argparse.Namespace) -> int:
    app = load_app(args.app)
    rows = []
    for group in app.groups():
        for version, endpoint in sorted(group.versions.items()):
            default = " (default)" if endpoint is group.default else ""
            rows.append(
                (
                    endpoint.path,
                    endpoint.allow,
                    f"{endpoint.handler.__module__}.{endpoint.handler.__qualname__}",
                    version + default,
                )
            )
    _table(("PATH", "METHODS", "HANDLER", "VERSION"), rows)
    return 0


def _plugins(args: argparse.Namespace) -> int:
    from camshaft._kernel.plugin_manager import make_plugin_manager, plugin_infos

    pm = (
        make_plugin_manager({}, os.environ)
        if args.app is None
        else load_app(args.app).plugin_manager
    )
    rows = [
        (
            info.name,
            info.distribution or "-",
            info.version or "-",
            "blocked" if info.blocked else ("builtin" if info.builtin else "active"),
            ", ".join(h.removeprefix("camshaft_") for h in info.hooks),
        )
        for info in plugin_infos(pm)
    ]
    _table(("NAME", "DISTRIBUTION", "VERSION", "STATE", "HOOKS"), rows)
    return 0


def _openapi(args: argparse.Namespace) -> int:
    import json

    from camshaft._kernel.emission.descriptors import EmitContext
    from camshaft._kernel.openapi import build_document

    app = load_app(args.app)
    document = build_document(app)
    if args.format == "json":
        print(json.dumps(document, indent=2, ensure_ascii=False))
    elif args.format in app.emitters:
        sys.stdout.write(app.emitters[args.format].emit(document, EmitContext()).decode("utf-8"))
    else:
        print(f"camshaft: no {args.format!r} emitter is installed", file=sys.stderr)
        return 2
    return 0


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="camshaft", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the development server")
    serve.add_argument("app", help="MODULE:APP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--reload", action="store_true", help="restart when code changes")
    serve.set_defaults(func=_serve)
    routes = sub.add_parser("routes", help="list an app's routes")
    routes.add_argument("app", help="MODULE:APP")
    routes.set_defaults(func=_routes)
    plugins = sub.add_parser("plugins", help="list installed plugins")
    plugins.add_argument("app", nargs="?", help="MODULE:APP (its settings apply)")
    plugins.set_defaults(func=_plugins)
    openapi = sub.add_parser("openapi", help="print an app's OpenAPI 3.1 document")
    openapi.add_argument("app", help="MODULE:APP")
    openapi.add_argument("--format", choices=("json", "yaml"), default="json")
    openapi.set_defaults(func=_openapi)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigurationError as exc:
        print(f"camshaft: configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
