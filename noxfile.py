"""Sessions: tests (everything), one isolated session per plugin, lint, typecheck, docs, demo,
bench.

Plugins are discovered by globbing ``plugins/*/*/pyproject.toml``; there is no list to keep.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
PLUGINS = sorted(p.parent for p in ROOT.glob("plugins/*/*/pyproject.toml"))
EXAMPLE_PLUGINS = sorted(p.parent for p in ROOT.glob("examples/*/pyproject.toml"))


def _dev() -> object:
    """dev.py, the README's installer: the tests session installs exactly what it does."""
    spec = importlib.util.spec_from_file_location("camshaft_dev", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _editable(paths: list[Path]) -> list[str]:
    return [arg for p in paths for arg in ("-e", str(p.relative_to(ROOT)))]


@nox.session
def tests(session: nox.Session) -> None:
    """Core, every plugin and the integration tests, against installed distributions."""
    session.install(*_dev().pip_arguments(test=True))  # type: ignore[attr-defined]
    session.run("pytest", *session.posargs)


@nox.session
@nox.parametrize("plugin", [p.name for p in PLUGINS])
def plugin(session: nox.Session, plugin: str) -> None:
    """One plugin with the core only, so a hidden dependency on a sibling fails."""
    path = next(p for p in PLUGINS if p.name == plugin)
    session.install("-e", ".[test]", "-e", str(path.relative_to(ROOT)))
    session.run("pytest", f"tests/{plugin}", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, and the import contracts in pyproject.toml (plugins on the public surfaces,
    a kernel that names no plugin, no import cycles) checked by import-linter."""
    session.install("ruff", "import-linter", "-e", ".", *_editable(PLUGINS))
    paths = ["core", "plugins", "tests", "examples", "bench", "typings", "noxfile.py", "dev.py"]
    session.run("ruff", "check", *paths)
    session.run("lint-imports")


# Stubs for the libraries that plugins import and that ship no types of their own (orjson,
# redis, SQLAlchemy and psycopg do; msgpack has none anywhere: see typings/msgpack).
TYPE_STUBS = ["types-PyYAML", "types-defusedxml", "types-authlib"]


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict (pyproject's [tool.mypy]) on the core and every plugin's package, in one
    run so the core is read once; each plugin is installed, so mypy checks it against the
    core exactly as an application imports it."""
    # The testing module types against pytest; representation.py against SQLAlchemy.
    session.install("mypy", *TYPE_STUBS, "-e", ".[test]", *_editable(PLUGINS + EXAMPLE_PLUGINS))
    packages = sorted(p.parent for d in PLUGINS + EXAMPLE_PLUGINS for p in d.glob("*/__init__.py"))
    session.run("mypy", "core/camshaft", *(str(p.relative_to(ROOT)) for p in packages))


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site (mkdocs.yml: docs/ and the reference generated from the
    docstrings) in build/site, offline; any warning fails (--strict)."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Install and serve the demo API on its embedded default (SQLite)."""
    demo_plugins = [p for p in PLUGINS if p.name in {"sqlalchemy"}]
    session.install("-e", ".", *_editable(demo_plugins))
    app = "examples.addressbook.app:app" if demo_plugins else "examples.events.app:app"
    session.run("camshaft", "serve", app, *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against peer frameworks, run side by side."""
    session.install("-e", ".", *_editable(PLUGINS), "-r", "bench/requirements.txt")
    scripts = session.posargs or sorted(str(p) for p in (ROOT / "bench").glob("bench_*.py"))
    for script in scripts:
        session.run("python", script)
