"""Real servers for tests: gunicorn with several worker processes on 127.0.0.1.

Import it as ``from tests.servers import gunicorn`` (the root pyproject puts the
repository on ``sys.path``). The server always goes away: a graceful stop first, then
SIGKILL to its whole process group, workers included.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

__all__ = ["free_port", "gunicorn"]

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def gunicorn(
    app: str,
    *,
    log: Path,
    ready_path: str = "/",
    workers: int = 4,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO,
    extra_args: Sequence[str] = (),
    timeout: float = 30,
) -> Iterator[str]:
    """Serve ``app`` (``module:attr`` or ``module:factory()``) under gunicorn; yield its
    base URL once every worker has booted and ``ready_path`` answers 200.

    :param log: where gunicorn's output goes (shown when it fails to start).
    :param env: the server's environment, added to this process's.
    :param cwd: its working directory (the repository root: ``tests.x.y:app`` imports).
    :raises pytest.fail.Exception: it exited, or was not ready within ``timeout``
        seconds.
    """
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "info",  # "Booting worker" lines are how readiness is counted
                "--graceful-timeout",
                "2",
                *extra_args,
                app,
            ],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown reaches every worker
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{log.read_text(errors='replace')}")
            booted = log.read_text(errors="replace").count("Booting worker") >= workers
            try:
                if booted and requests.get(base + ready_path, timeout=2).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or a worker still booting
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn was not ready in time:\n{log.read_text(errors='replace')}")
            time.sleep(0.05)
        yield base
    finally:
        _stop(process)
