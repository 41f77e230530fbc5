"""The ``camshaft`` command: serve an app, list its routes, list plugins, print OpenAPI,
create its stores' tables, create a new project or plugin."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from camshaft._kernel.app import App
from camshaft.errors import ConfigurationError

__all__ = ["build_parser", "load_app", "main"]


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


def _db_create(args: argparse.Namespace) -> int:
    """Create every store's tables (stores offering ``create_schema()``), so workers can
    start with table creation off (``sqlalchemy.create_tables = false``)."""
    from camshaft.errors import HTTPError

    app = load_app(args.app)
    rows = []
    for handler, store in app.stores.items():
        create_schema = getattr(store, "create_schema", None)
        if create_schema is None:
            continue
        name = f"{handler.__module__}.{handler.__qualname__}"
        try:
            create_schema()
        except HTTPError as exc:
            print(f"camshaft: {name}: {exc.detail or exc.title}", file=sys.stderr)
            return 1
        rows.append((name, type(store).__name__, "ready"))
    _table(("HANDLER", "STORE", "TABLES"), rows)
    return 0


def _new(args: argparse.Namespace) -> int:
    """Write a project (or with ``--plugin``, a plugin distribution) that passes its tests."""
    from camshaft._kernel.scaffold import ScaffoldError, scaffold

    kind = "plugin" if args.plugin else "project"
    try:
        target = scaffold(kind, args.name, args.directory)
    except ScaffoldError as exc:
        print(f"camshaft new: {exc}", file=sys.stderr)
        return 2
    print(f"created {target}")
    print("next, in it: python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'")
    if kind == "project":
        serve = f".venv/bin/camshaft serve {args.name}.app:create_app"
        print(f"then: .venv/bin/pytest -q   or   {serve}")
    else:
        print("then: .venv/bin/pytest -q")
    return 0


def _add_new_command(sub: Any) -> None:
    from pathlib import Path

    new = sub.add_parser(
        "new",
        help="create a project, or a plugin distribution, that passes its own tests",
        description=(
            "Create NAME/: an app module with one handler and its model on SQLite "
            "(camshaft-sqlalchemy), camshaft.toml, tests and a README. With --plugin, "
            "create camshaft-NAME/: a plugin distribution with its entry point, a hook "
            "implementation and Camshaft's contract tests."
        ),
    )
    new.add_argument("name", metavar="NAME", help="a Python identifier: the package's name")
    new.add_argument(
        "--plugin", action="store_true", help="create a plugin distribution instead"
    )
    new.add_argument(
        "--directory",
        type=Path,
        default=Path(),
        help="where to create it (default: the current directory)",
    )
    new.set_defaults(func=_new)


def _add_db_commands(sub: Any) -> None:
    db = sub.add_parser("db", help="manage the databases of an app's stores")
    commands = db.add_subparsers(dest="db_command", required=True)
    create = commands.add_parser("create", help="create every store's missing tables")
    create.add_argument("app", help="MODULE:APP")
    create.set_defaults(func=_db_create)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


DESCRIPTION = (
    "Camshaft's command line: serve an app, list its routes and plugins, "
    "print its OpenAPI document."
)
EPILOG = """examples:
  camshaft serve examples.events.app:app --port 8000
  camshaft routes examples.events.app:app
  camshaft plugins
  camshaft openapi examples.events.app:app --format yaml
  camshaft new address_book
  camshaft new --plugin jsonl

MODULE:APP names a module importable from the current directory and an App in it
(or a function returning one)."""


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {port}")
    return port


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"camshaft {version('camshaft')}"
    except PackageNotFoundError:  # imported from a source tree that pip never installed
        return "camshaft (not installed)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``camshaft`` command (plain-text help, defaults shown)."""
    parser = argparse.ArgumentParser(
        prog="camshaft",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser(
        "serve",
        help="run the Werkzeug development server (not for production)",
        description="Run the Werkzeug development server for MODULE:APP.",
    )
    serve.add_argument("app", metavar="MODULE:APP", help="the app to serve")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=_port, default=8000, help="port to listen on (default: %(default)s)"
    )
    serve.add_argument("--reload", action="store_true", help="restart when code changes")
    serve.set_defaults(func=_serve)
    routes = sub.add_parser(
        "routes", help="list an app's routes", description="List MODULE:APP's routes."
    )
    routes.add_argument("app", metavar="MODULE:APP", help="the app whose routes to list")
    routes.set_defaults(func=_routes)
    plugins = sub.add_parser(
        "plugins",
        help="list installed plugins",
        description="List installed plugins, with an app's settings applied if one is named.",
    )
    plugins.add_argument(
        "app", nargs="?", metavar="MODULE:APP", help="an app whose settings apply (optional)"
    )
    plugins.set_defaults(func=_plugins)
    openapi = sub.add_parser(
        "openapi",
        help="print an app's OpenAPI 3.1 document",
        description="Print MODULE:APP's OpenAPI 3.1 document.",
    )
    openapi.add_argument("app", metavar="MODULE:APP", help="the app to describe")
    openapi.add_argument(
        "--format",
        choices=("json", "yaml"),
        default="json",
        help="output format; yaml needs camshaft-yaml (default: %(default)s)",
    )
    openapi.set_defaults(func=_openapi)
    _add_db_commands(sub)
    _add_new_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigurationError as exc:
        print(f"camshaft: configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
