"""The docstore under gunicorn: 4 worker processes, 50 concurrent clients writing
distinct keys; every key must read back intact (bytes and content type)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.gunicorn

REPO = Path(__file__).resolve().parents[2]
WORKERS = 4
CLIENTS = 50
KEYS_PER_CLIENT = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


@pytest.fixture(params=["file", "shelve"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A gunicorn serving examples.docstore.app:app on a temporary root; its base URL."""
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    env = {
        **os.environ,
        "DOCSTORE_BACKEND": request.param,
        "DOCSTORE_ROOT": str(tmp_path / "root"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "2",
            "examples.docstore.app:app",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so teardown can reach every worker
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited: {(tmp_path / 'gunicorn.log').read_text()}")
            try:
                if (
                    requests.get(f"{base}/docs/", timeout=2).status_code == 200
                    and len(_children(process.pid)) == WORKERS
                ):
                    break
            except requests.RequestException:  # not listening yet, or a worker still booting
                pass
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not start its workers in time")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _client(base: str, client: int) -> dict[str, tuple[bytes, str]]:
    """Write this client's keys; return what it wrote."""
    written = {}
    with requests.Session() as session:
        for i in range(KEYS_PER_CLIENT):
            key = f"c{client}-k{i}"
            body = secrets.token_bytes(64 + client * 37 + i)
            content_type = f"application/x-client-{client}; part={i}"
            response = session.put(
                f"{base}/docs/{key}", data=body, headers={"Content-Type": content_type}, timeout=30
            )
            assert response.status_code == 201, response.text
            written[key] = (body, content_type)
    return written


def test_concurrent_writers_on_four_workers_all_read_back_intact(server: str) -> None:
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(lambda c: _client(server, c), range(CLIENTS)))
    expected = {k: v for written in results for k, v in written.items()}
    assert len(expected) == CLIENTS * KEYS_PER_CLIENT

    with requests.Session() as session:
        for key, (body, content_type) in expected.items():
            response = session.get(f"{server}/docs/{key}", timeout=30)
            assert response.status_code == 200
            assert response.content == body
            assert response.headers["Content-Type"] == content_type
        listed = session.get(f"{server}/docs/?per_page=100", timeout=30)
        assert int(listed.headers["X-Total-Count"]) == len(expected)
