"""Header safety through a real WSGI server (gunicorn): a control character a client
smuggles into a header value is answered 400 with no injected header, a key with CR/LF
comes back percent-encoded in Location, and an untrusted Host is 400."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from tests.servers import gunicorn

pytestmark = pytest.mark.gunicorn


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("headers") / "gunicorn.log"
    with gunicorn(
        "tests.integration.headers_app:app", log=log, ready_path="/echo/", workers=1
    ) as url:
        yield url


def _raw(base: str, request: bytes) -> bytes:
    """Send bytes as they are (no client library cleans them) and read the answer."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_crlf_in_a_header_value_is_400_without_the_injected_header(base: str) -> None:
    response = requests.get(f"{base}/echo/1", params={"v": "a\r\nSet-Cookie: owned=1"}, timeout=10)
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers and "X-Echo" not in response.headers
    assert response.json()["title"] == "Unsafe header value"


def test_a_key_with_crlf_is_percent_encoded_in_location(base: str) -> None:
    response = requests.post(f"{base}/echo/", json={"id": "k\r\nX-Evil: 1"}, timeout=10)
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/echo/k%0D%0AX-Evil:%201")
    assert "X-Evil" not in response.headers


def test_untrusted_host_is_400_on_the_wire(base: str) -> None:
    answer = _raw(
        base, b"GET /echo/1 HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"attacker.example" not in answer.split(b"\r\n\r\n", 1)[0]


def test_trusted_host_is_served(base: str) -> None:
    port = urlsplit(base).port
    answer = _raw(
        base,
        f"GET /echo/1 HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n".encode(),
    )
    assert answer.startswith(b"HTTP/1.1 200")
