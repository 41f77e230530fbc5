"""``camshaft new``: a project or a plugin distribution, written from the templates beside
this module, that passes its own tests as written.

Templates are files ending in ``.tmpl`` (so neither pytest nor ruff reads them as code);
``{{name}}`` and ``{{Name}}`` in their text, and ``_name_`` in their paths, become the
given name (``{{Name}}`` capitalised for class names); ``gitignore.tmpl`` becomes
``.gitignore``.
"""

from __future__ import annotations

import keyword
import sys
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["KINDS", "ScaffoldError", "check_name", "scaffold", "target_for"]

#: Template folder per kind.
KINDS = ("project", "plugin")
# Names that would shadow what the generated code imports, or its tests folder.
_TAKEN = frozenset({"camshaft", "tests", "test", "conftest", "sqlalchemy", "pytest"})


class ScaffoldError(Exception):
    """A name or target ``camshaft new`` refuses; the message says why."""


def check_name(name: str) -> None:
    """Refuse a name that cannot be a Python package name.

    :raises ScaffoldError: not an identifier, a keyword, starting with an underscore, or
        the name of a standard library module or of one the generated code imports.
    """
    if not name.isidentifier() or not name.isascii():
        raise ScaffoldError(
            f"{name!r} is not a Python identifier: use ASCII letters, digits and "
            "underscores, not starting with a digit (e.g. 'address_book')"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise ScaffoldError(f"{name!r} is a Python keyword; choose another name")
    if name.startswith("_"):
        raise ScaffoldError(f"{name!r} starts with an underscore; choose a public name")
    if name in sys.stdlib_module_names or name in _TAKEN:
        raise ScaffoldError(f"{name!r} would shadow the module of that name; choose another")


def target_for(kind: str, name: str, parent: Path) -> Path:
    """Where ``camshaft new`` writes: ``NAME/`` for a project, ``camshaft-NAME/`` for a
    plugin (its distribution's name)."""
    return parent / (name if kind == "project" else f"camshaft-{name}")


def scaffold(kind: str, name: str, parent: Path) -> Path:
    """Write a ``kind`` (``"project"`` or ``"plugin"``) named ``name`` under ``parent``.

    :returns: the new directory.
    :raises ScaffoldError: a bad name, or the directory exists (nothing is written).
    """
    if kind not in KINDS:
        raise ScaffoldError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    check_name(name)
    target = target_for(kind, name, parent)
    if target.exists():
        raise ScaffoldError(f"{target} already exists; choose another name or remove it")
    values = {"{{name}}": name, "{{Name}}": _class_name(name)}
    for source, relative in _templates(files(__name__) / kind, ()):
        path = target.joinpath(*(_file_name(part, name) for part in relative))
        path.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        for token, value in values.items():
            text = text.replace(token, value)
        path.write_text(text, encoding="utf-8")
    return target


def _class_name(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _file_name(part: str, name: str) -> str:
    part = part.removesuffix(".tmpl").replace("_name_", name)
    return ".gitignore" if part == "gitignore" else part


def _templates(
    folder: Traversable, prefix: tuple[str, ...]
) -> list[tuple[Traversable, tuple[str, ...]]]:
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            found.extend(_templates(entry, (*prefix, entry.name)))
        elif entry.name.endswith(".tmpl"):
            found.append((entry, (*prefix, entry.name)))
    return found
