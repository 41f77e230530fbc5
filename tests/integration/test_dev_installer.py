"""dev.py, the README's installer: what it installs, when it reinstalls, how it fails."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """dev.py loaded afresh, pointed at a copy of the repository's pyproject files."""
    spec = importlib.util.spec_from_file_location("camshaft_dev_under_test", REPO / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("pyproject.toml", "plugins/emitters/yaml/pyproject.toml",
                 "examples/plugin-hello/pyproject.toml"):
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((REPO / name).read_bytes())
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(module, "STAMP", tmp_path / ".venv" / "camshaft-install.json")
    return module


@pytest.fixture
def pip_calls(dev: ModuleType, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """A working .venv whose pip calls are recorded instead of run."""
    (dev.VENV).mkdir()
    monkeypatch.setattr(dev, "_venv_works", lambda: True)
    calls: list[list[str]] = []

    def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(dev.subprocess, "run", run)
    return calls


def test_every_plugin_and_example_plugin_is_installed_editable(dev: ModuleType) -> None:
    assert dev.pip_arguments(test=True) == [
        "-e", ".[test]", "-e", "examples/plugin-hello", "-e", "plugins/emitters/yaml",
    ]
    assert dev.pip_arguments(test=False)[:2] == ["-e", "."]


def test_the_real_repository_lists_every_plugin_folder() -> None:
    spec = importlib.util.spec_from_file_location("camshaft_dev_real", REPO / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folders = {p.parent for p in REPO.glob("plugins/*/*/pyproject.toml")}
    assert folders <= set(module.distributions())


def test_a_rerun_with_unchanged_pyproject_files_does_not_call_pip(
    dev: ModuleType, pip_calls: list[list[str]]
) -> None:
    dev.ensure_installed(test=True)
    assert len(pip_calls) == 2
    dev.ensure_installed(test=True)
    dev.ensure_installed(test=False)  # the [test] install covers the demo's
    assert len(pip_calls) == 2


def test_a_changed_pyproject_or_a_new_extra_reinstalls(
    dev: ModuleType, pip_calls: list[list[str]]
) -> None:
    dev.ensure_installed(test=False)
    assert "-e" in pip_calls[-1] and ".[test]" not in pip_calls[-1]
    dev.ensure_installed(test=True)
    assert ".[test]" in pip_calls[-1]
    count = len(pip_calls)
    yaml = dev.ROOT / "plugins/emitters/yaml/pyproject.toml"
    yaml.write_text(yaml.read_text() + "\n# changed\n")
    dev.ensure_installed(test=True)
    assert len(pip_calls) == count + 2


def test_a_python_without_ensurepip_gets_the_apt_fix_not_a_traceback(
    dev: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec",
        lambda name, *a: None if name == "ensurepip" else real_find_spec(name, *a),
    )
    with pytest.raises(SystemExit) as exit_info:
        dev.ensure_installed(test=False)
    assert exit_info.value.code == 1
    message = capsys.readouterr().err
    assert "apt install python3-venv" in message
    assert message.count("\n") == 1
    assert not dev.VENV.exists()


def test_an_old_python_is_told_the_version_it_needs(
    dev: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(dev, "MINIMUM", (sys.version_info[0], sys.version_info[1] + 1))
    with pytest.raises(SystemExit):
        dev.ensure_installed(test=False)
    assert "or newer" in capsys.readouterr().err


def test_an_unknown_command_prints_usage_and_exits_2(
    dev: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert dev.main(["bogus"]) == 2
    assert "python3 dev.py test" in capsys.readouterr().err


def test_a_venv_that_fails_to_get_pip_is_removed_and_explained(
    dev: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import venv

    def create(self: venv.EnvBuilder, path: Path) -> None:
        Path(path).mkdir()
        raise subprocess.CalledProcessError(1, ["python", "-m", "ensurepip"])

    monkeypatch.setattr(venv.EnvBuilder, "create", create)
    with pytest.raises(SystemExit):
        dev.ensure_installed(test=False)
    assert "apt install python3-venv" in capsys.readouterr().err
    assert not dev.VENV.exists()
