"""Set up and run Camshaft from a clone with nothing but a Python 3.11+ interpreter.

    python3 dev.py demo [camshaft serve options]   install, then serve the demo on SQLite
    python3 dev.py test [pytest arguments]          install with the [test] extra, then pytest
    python3 dev.py install [--test]                 install only

Everything goes into the project virtual environment ``.venv`` (created on first use, so
PEP 668's externally-managed system Pythons are never touched): the core, every plugin and
example plugin as editable installs, and the ``camshaft`` command. After it,
``. .venv/bin/activate`` puts ``camshaft`` and ``pytest`` on PATH.

A re-run does not reinstall: ``.venv/camshaft-install.json`` records a hash of every
``pyproject.toml`` and the extras installed; pip runs again only when that changes.
The noxfile imports :func:`pip_arguments` so both install the same distributions.

Standard library only, and no syntax newer than Python 3.7, so that an older interpreter
reaches the version check and its message instead of a SyntaxError.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / "camshaft-install.json"
MINIMUM = (3, 11)
# Bump when the install steps below change in a way the stamp cannot see.
INSTALLER_VERSION = 1
DEMO_APP = "examples.addressbook.app:app"


def distributions() -> list[Path]:
    """Every plugin and example plugin folder, found by their pyproject.toml (no list)."""
    found = list(ROOT.glob("plugins/*/*/pyproject.toml")) + list(
        ROOT.glob("examples/*/pyproject.toml")
    )
    return sorted(p.parent for p in found)


def pip_arguments(test: bool) -> list[str]:
    """``pip install`` arguments for the core (with ``[test]`` if asked) and every plugin."""
    core = ".[test]" if test else "."
    args = ["-e", core]
    for folder in distributions():
        args += ["-e", folder.relative_to(ROOT).as_posix()]
    return args


def _fingerprint() -> str:
    digest = hashlib.sha256(f"installer {INSTALLER_VERSION}\n".encode())
    for path in [ROOT / "pyproject.toml"] + [d / "pyproject.toml" for d in distributions()]:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _venv_bin() -> Path:
    return _venv_python().parent


def _fail(message: str) -> None:
    print(f"dev.py: {message}", file=sys.stderr)
    raise SystemExit(1)


def _check_interpreter() -> None:
    if sys.version_info < MINIMUM:
        needed = ".".join(map(str, MINIMUM))
        _fail(
            f"Camshaft needs Python {needed} or newer; this is {sys.version.split()[0]}. "
            "Run dev.py with a newer python3."
        )


def _venv_works() -> bool:
    python = _venv_python()
    if not (VENV / "pyvenv.cfg").is_file() or not python.exists():
        return False
    probe = [str(python), "-c", "import pip, sys; assert sys.version_info >= (3, 11)"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def _create_venv() -> None:
    import importlib.util

    # Debian and Ubuntu ship venv without ensurepip unless python3-venv is installed;
    # `python3 -m venv` would then leave a half-made .venv and a long message.
    version = ".".join(map(str, sys.version_info[:2]))
    advice = (
        "this Python cannot create virtual environments; install its venv support "
        f"(Debian/Ubuntu: apt install python3-venv, or python{version}-venv) and re-run"
    )
    if importlib.util.find_spec("venv") is None or importlib.util.find_spec("ensurepip") is None:
        _fail(advice)
    import venv

    if VENV.exists():
        print(f"dev.py: {VENV.name} is unusable, making it anew", file=sys.stderr)
        shutil.rmtree(VENV)
    print(f"dev.py: creating {VENV.name} with {sys.executable}", file=sys.stderr)
    try:
        venv.EnvBuilder(with_pip=True).create(VENV)
    except (OSError, subprocess.CalledProcessError):  # ensurepip present but not working
        shutil.rmtree(VENV, ignore_errors=True)
        _fail(advice)


def _read_stamp() -> dict[str, object]:
    try:
        stamp = json.loads(STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def ensure_installed(test: bool) -> None:
    """Create or reuse ``.venv`` and install what is missing; quick when nothing changed."""
    _check_interpreter()
    if not _venv_works():
        _create_venv()
    fingerprint = _fingerprint()
    stamp = _read_stamp()
    if stamp.get("fingerprint") == fingerprint and (stamp.get("test") or not test):
        return
    python = str(_venv_python())
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    print(f"dev.py: installing Camshaft and its plugins into {VENV.name}", file=sys.stderr)
    # One setuptools in the venv instead of an isolated build environment per distribution.
    subprocess.run([*pip, "setuptools>=68"], check=True, cwd=ROOT)
    subprocess.run([*pip, "--no-build-isolation", *pip_arguments(test)], check=True, cwd=ROOT)
    STAMP.write_text(json.dumps({"fingerprint": fingerprint, "test": test}) + "\n", "utf-8")


def _run(command: list[str]) -> int:
    """Run ``command`` in the activated ``.venv``; on POSIX it replaces this process, so
    a signal (Ctrl-C, a CI's kill) reaches the server or pytest directly."""
    env = dict(os.environ)
    env["VIRTUAL_ENV"] = str(VENV)
    env["PATH"] = str(_venv_bin()) + os.pathsep + env.get("PATH", "")
    env.pop("PYTHONHOME", None)
    os.chdir(ROOT)
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execve(command[0], command, env)
    try:
        return subprocess.run(command, env=env).returncode
    except KeyboardInterrupt:
        return 130


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command == "demo":
        ensure_installed(test=False)
        camshaft = _venv_bin() / ("camshaft.exe" if os.name == "nt" else "camshaft")
        return _run([str(camshaft), "serve", DEMO_APP, *rest])
    if command == "test":
        ensure_installed(test=True)
        return _run([str(_venv_python()), "-m", "pytest", *rest])
    if command == "install":
        ensure_installed(test="--test" in rest)
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 0 if command in ("-h", "--help", "help") else 2


if __name__ == "__main__":
    try:
        raise SystemExit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as exc:
        _fail(f"{' '.join(map(str, exc.cmd[:4]))} ... failed with status {exc.returncode}")
