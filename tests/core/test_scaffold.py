"""``camshaft new``: what it writes passes its own tests straight away, and it refuses
names and places it cannot use."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from camshaft.cli import main


def _environ(**extra: str) -> dict[str, str]:
    """This environment without Camshaft settings (the generated code must not depend on
    the caller's), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMSHAFT_")}
    env.pop("PYTEST_ADDOPTS", None)
    return {**env, **extra}


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=_environ(**env), capture_output=True, text=True, timeout=300
    )


def test_a_new_project_passes_its_own_tests(tmp_path, capsys):
    assert main(["new", "notebook", "--directory", str(tmp_path)]) == 0
    project = tmp_path / "notebook"
    assert f"created {project}" in capsys.readouterr().out
    result = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        project,
        PYTHONPATH=str(project),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_a_new_project_serves_its_handler_on_the_sqlite_file_its_settings_name(tmp_path):
    assert main(["new", "shelf", "--directory", str(tmp_path)]) == 0
    project = tmp_path / "shelf"
    result = _run(
        [sys.executable, "-m", "camshaft.cli", "routes", "shelf.app:create_app"],
        project,
        PYTHONPATH=str(project),
    )
    assert result.returncode == 0, result.stderr
    assert "/notes/" in result.stdout and "shelf.app.NoteHandler" in result.stdout
    assert (project / "var" / "shelf.db").is_file()


def test_a_new_projects_readme_gives_its_serve_and_test_commands(tmp_path):
    main(["new", "ledger", "--directory", str(tmp_path)])
    readme = (tmp_path / "ledger" / "README.md").read_text()
    commands = [line.strip() for line in readme.splitlines() if line.startswith("    ")]
    assert commands[0].endswith(".venv/bin/camshaft serve ledger.app:create_app")
    assert commands[1].endswith(".venv/bin/pytest -q")


@pytest.mark.skipif(
    importlib.util.find_spec("setuptools") is None,
    reason="building the plugin without isolation needs setuptools in this environment",
)
def test_a_new_plugin_passes_its_own_contract_tests_when_installed(tmp_path):
    assert main(["new", "--plugin", "lines", "--directory", str(tmp_path)]) == 0
    plugin = tmp_path / "camshaft-lines"
    site = tmp_path / "site"
    # Installed into a folder of its own, so the suite's environment never autoloads it.
    install = _run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(site), "."],
        plugin,
    )
    assert install.returncode == 0, install.stderr
    result = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        plugin,
        PYTHONPATH=str(site),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "13 passed" in result.stdout


def test_a_new_plugin_declares_its_entry_point_and_core_range_and_imports_only_the_plugin_surface(
    tmp_path,
):
    main(["new", "--plugin", "lines", "--directory", str(tmp_path)])
    plugin = tmp_path / "camshaft-lines"
    pyproject = (plugin / "pyproject.toml").read_text()
    assert '[project.entry-points.camshaft]\nlines = "camshaft_lines"' in pyproject
    assert '"camshaft>=0.1,<0.2"' in pyproject
    source = (plugin / "camshaft_lines" / "__init__.py").read_text()
    imports = {line.split()[1] for line in source.splitlines() if line.startswith("from ")}
    assert imports <= {"__future__", "collections.abc", "typing", "camshaft.plugin",
                       "camshaft.errors"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("1st", "is not a Python identifier"),
        ("my-api", "is not a Python identifier"),
        ("café", "is not a Python identifier"),
        ("class", "is a Python keyword"),
        ("_private", "starts with an underscore"),
        ("json", "would shadow the module"),
        ("camshaft", "would shadow the module"),
    ],
    ids=["starts with a digit", "has a dash", "is not ASCII", "is a keyword",
         "is private", "is a stdlib module", "is camshaft itself"],
)
@pytest.mark.parametrize("kind", [[], ["--plugin"]], ids=["project", "plugin"])
def test_a_name_that_cannot_be_a_package_is_refused_with_exit_2(
    tmp_path, capsys, name, message, kind
):
    assert main(["new", *kind, name, "--directory", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kind", "folder"), [([], "taken"), (["--plugin"], "camshaft-taken")], ids=["project", "plugin"]
)
def test_an_existing_directory_is_refused_and_left_alone(tmp_path, capsys, kind, folder):
    existing = tmp_path / folder
    existing.mkdir()
    (existing / "keep.txt").write_text("mine")
    assert main(["new", *kind, "taken", "--directory", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert [p.name for p in existing.iterdir()] == ["keep.txt"]
