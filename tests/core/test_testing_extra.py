"""The ``testing`` extra is enough for ``camshaft.testing``: pytest and hypothesis only."""

from __future__ import annotations

import ast
import sys
from importlib.metadata import requires
from pathlib import Path

import camshaft.testing

CORE_DEPENDENCIES = {"werkzeug", "pluggy"}


def _extra(name: str) -> set[str]:
    found = set()
    for requirement in requires("camshaft") or []:
        spec, _, marker = requirement.partition(";")
        if f'extra == "{name}"' in marker.replace("'", '"'):
            found.add(spec.split(">")[0].split("=")[0].split("<")[0].strip().lower())
    return found


def test_the_testing_extra_is_pytest_and_hypothesis() -> None:
    assert _extra("testing") == {"pytest", "hypothesis"}
    assert _extra("testing") <= _extra("test")


def test_camshaft_testing_imports_nothing_beyond_the_testing_extra() -> None:
    allowed = CORE_DEPENDENCIES | _extra("testing") | {"camshaft"} | set(sys.stdlib_module_names)
    package = Path(camshaft.testing.__file__).parent
    imported = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    assert imported, "no imports found: the scan is broken"
    assert imported - allowed == set()
