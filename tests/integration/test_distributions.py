"""Release hygiene of every distribution in the repository: each keeps a changelog with
its current version, and each plugin pins the core to a range that holds the core's
version and stops before the next minor (0.x minors may break plugins)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = sorted(p.parent for p in ROOT.glob("plugins/*/*/pyproject.toml")) + sorted(
    p.parent for p in ROOT.glob("examples/*/pyproject.toml")
)


def _project(folder: Path) -> dict:
    return tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))["project"]


CORE_VERSION = Version(_project(ROOT)["version"])


@pytest.mark.parametrize(
    "folder", [ROOT, *PLUGINS], ids=lambda p: str(p.relative_to(ROOT)) or "camshaft"
)
def test_each_distribution_has_a_changelog_naming_its_version(folder: Path) -> None:
    changelog = (folder / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = [line for line in changelog.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Unreleased"
    assert f"## {_project(folder)['version']}" in headings


@pytest.mark.parametrize("folder", PLUGINS, ids=lambda p: p.name)
def test_each_plugin_pins_the_core_to_its_minor(folder: Path) -> None:
    core = [Requirement(d) for d in _project(folder)["dependencies"]]
    core = [r for r in core if r.name == "camshaft"]
    assert len(core) == 1
    specifier = core[0].specifier
    assert CORE_VERSION in specifier
    next_minor = Version(f"{CORE_VERSION.major}.{CORE_VERSION.minor + 1}")
    assert next_minor not in specifier
