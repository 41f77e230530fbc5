"""The fast run (``pytest -m "not slow"``, docs/testing.md) leaves out every schemathesis
test, and nobody has to remember to mark one: a test that reaches schemathesis or the
shared conformance checks (``tests/fuzzing.py``), directly, through a module-level helper
or through a fixture of its module, must carry the ``slow`` marker."""

from __future__ import annotations

import ast
from pathlib import Path

SUITE = Path(__file__).resolve().parents[1]
FUZZING = frozenset({"schemathesis", "CONFORMANCE_CHECKS"})


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _marks_slow(expressions: list[ast.expr]) -> bool:
    return any(
        isinstance(n, ast.Attribute) and n.attr == "slow"
        for expr in expressions
        for n in ast.walk(expr)
    )


def _module_marks(tree: ast.Module) -> list[ast.expr]:
    return [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
    ]


def _fuzzing_tests(tree: ast.Module) -> list[ast.FunctionDef]:
    """The module's test functions that reach schemathesis (the closure over its
    module-level functions and fixtures, by name and by fixture argument)."""
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    reaching = {name for name, d in defs.items() if _names(d) & FUZZING}
    grew = True
    while grew:
        grew = False
        for name, d in defs.items():
            used = _names(d) | {a.arg for a in d.args.args}
            if name not in reaching and used & reaching:
                reaching.add(name)
                grew = True
    return [d for name, d in defs.items() if name.startswith("test_") and name in reaching]


def _unmarked() -> tuple[list[str], list[str]]:
    found, unmarked = [], []
    for path in sorted(SUITE.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_slow = _marks_slow(_module_marks(tree))
        for test in _fuzzing_tests(tree):
            name = f"{path.relative_to(SUITE)}::{test.name}"
            found.append(name)
            if not (module_slow or _marks_slow(test.decorator_list)):
                unmarked.append(name)
    return found, unmarked


def test_every_test_that_runs_schemathesis_is_marked_slow() -> None:
    found, unmarked = _unmarked()
    assert unmarked == []
    # The search sees the suite's schemathesis tests, so an empty answer means something.
    assert "integration/test_fuzz_examples.py::test_examples_survive_schemathesis" in found
    oauth = "oauth/test_oauth_openapi.py::test_schemathesis_finds_nothing_on_the_oauth_endpoints"
    assert oauth in found


def test_a_test_reaching_schemathesis_through_a_fixture_must_be_marked() -> None:
    tree = ast.parse(
        "import pytest\n"
        "@pytest.fixture\n"
        "def served():\n"
        "    return schemathesis.openapi.from_dict({})\n"
        "def helper(schema):\n"
        "    return schema\n"
        "def test_quick():\n"
        "    assert True\n"
        "def test_fuzz(served):\n"
        "    helper(served)\n"
        "@pytest.mark.slow\n"
        "def test_marked(served):\n"
        "    pass\n"
    )
    tests = {t.name: _marks_slow(t.decorator_list) for t in _fuzzing_tests(tree)}
    assert tests == {"test_fuzz": False, "test_marked": True}
