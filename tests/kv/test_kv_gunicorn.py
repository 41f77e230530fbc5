"""The docstore under gunicorn: 4 worker processes, 50 concurrent clients writing
distinct keys; every key must read back intact (bytes and content type)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.servers import gunicorn

pytestmark = pytest.mark.gunicorn

WORKERS = 4
CLIENTS = 50
KEYS_PER_CLIENT = 4
#: The writers' key (the docstore refuses writes without one).
API_KEY = "writer." + "k" * 32


@pytest.fixture(params=["file", "shelve"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A gunicorn serving examples.docstore.app:app on a temporary root; its base URL."""
    env = {
        "DOCSTORE_BACKEND": request.param,
        "DOCSTORE_ROOT": str(tmp_path / "root"),
        # This project's Python may have no dbm but dbm.dumb (docs/kv.md).
        "CAMSHAFT__KV__SHELVE_ALLOW_DUMB": "true",
        "DOCSTORE_API_KEY": API_KEY,
    }
    with gunicorn(
        "examples.docstore.app:app",
        log=tmp_path / "gunicorn.log",
        ready_path="/docs/",
        workers=WORKERS,
        env=env,
    ) as base:
        yield base


def _client(base: str, client: int) -> dict[str, tuple[bytes, str]]:
    """Write this client's keys; return what it wrote."""
    written = {}
    with requests.Session() as session:
        for i in range(KEYS_PER_CLIENT):
            key = f"c{client}-k{i}"
            body = secrets.token_bytes(64 + client * 37 + i)
            content_type = f"application/x-client-{client}; part={i}"
            response = session.put(
                f"{base}/docs/{key}",
                data=body,
                headers={"Content-Type": content_type, "X-API-Key": API_KEY},
                timeout=30,
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
