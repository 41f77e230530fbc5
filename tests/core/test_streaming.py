"""Streaming: iterators are shaped and emitted item by item; failures never look complete."""

from __future__ import annotations

import http.client
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder

from camshaft import EmitContext, Emitter, Handler, hookimpl
from camshaft.errors import NotFound
from camshaft.testing import make_app, make_client


class Source:
    """A generator of rows that records how far it was pulled and whether it was closed."""

    def __init__(
        self, n: int = 1000, fail_at: int | None = None, fail_with: Exception | None = None
    ) -> None:
        self.n, self.fail_at = n, fail_at
        self.fail_with = fail_with or RuntimeError("the database went away")
        self.pulled = 0
        self.closed = False

    def rows(self) -> Iterator[dict[str, Any]]:
        try:
            for i in range(self.n):
                if i == self.fail_at:
                    raise self.fail_with
                self.pulled += 1
                yield {"id": i, "name": f"row {i}"}
        finally:
            self.closed = True


def app_for(source: Source, **kwargs: Any):
    shaped = []

    class RowHandler(Handler):
        fields = ("id", "name", "shaped")
        links = False

        @staticmethod
        def shaped(obj: Any) -> int:
            shaped.append(obj["id"])
            return len(shaped)

        def read(self) -> Any:
            return source.rows()

    return make_app([RowHandler], **kwargs), shaped


def start(app, path: str = "/rows/", method: str = "GET"):
    """Call the WSGI app directly: (status, headers, the response iterable)."""
    seen: dict[str, Any] = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    body = app(EnvironBuilder(path=path, method=method).get_environ(), start_response)
    return seen["status"], seen["headers"], body


def test_a_generator_is_streamed_without_a_content_length_and_is_valid_json():
    app, _ = app_for(Source(n=3))
    response = make_client(app).get("/rows/")
    assert "Content-Length" not in response.headers
    assert response.json == [
        {"id": 0, "name": "row 0", "shaped": 1},
        {"id": 1, "name": "row 1", "shaped": 2},
        {"id": 2, "name": "row 2", "shaped": 3},
    ]


def test_items_are_pulled_and_shaped_one_at_a_time_as_the_server_reads():
    source = Source(n=1000)
    app, shaped = app_for(source)
    status, _, body = start(app)
    assert status == "200 OK"
    chunks = iter(body)
    received = [next(chunks) for _ in range(10)]
    assert received[0] == b"["
    # one item pulled ahead at most: the first is pulled before the response starts
    assert source.pulled <= len(received)
    assert len(shaped) == source.pulled
    body.close()


def test_closing_the_response_early_closes_the_handlers_generator():
    source = Source(n=1000)
    app, _ = app_for(source)
    _, _, body = start(app)
    next(iter(body))
    body.close()
    assert source.closed
    assert source.pulled < 1000


def test_head_on_a_stream_sends_no_body_and_closes_the_source():
    source = Source(n=1000)
    app, _ = app_for(source)
    status, headers, body = start(app, method="HEAD")
    assert status == "200 OK"
    assert headers["Content-Type"] == "application/json"
    assert list(body) == []
    assert source.closed


@pytest.mark.parametrize(
    ("error", "status"),
    [
        pytest.param(NotFound("No rows today."), 404, id="an HTTP error becomes its problem"),
        pytest.param(RuntimeError("boom"), 500, id="any other error becomes a 500 problem"),
    ],
)
def test_an_error_before_the_first_item_is_an_ordinary_problem_response(error, status):
    app, _ = app_for(Source(fail_at=0, fail_with=error))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(logging.getLogger("camshaft"), "disabled", True)
        response = make_client(app).get("/rows/")
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert "boom" not in response.text


def test_an_error_mid_stream_propagates_and_leaves_the_json_array_unterminated(caplog):
    source = Source(n=10, fail_at=2)
    app, _ = app_for(source)
    status, _, body = start(app)
    assert status == "200 OK"  # already on the wire: the status cannot change any more
    received = []
    with pytest.raises(RuntimeError, match="database went away"):
        for chunk in body:
            received.append(chunk)
    body.close()
    sent = b"".join(received)
    assert sent.startswith(b'[{"id":0,')
    with pytest.raises(json.JSONDecodeError):
        json.loads(sent)
    assert source.closed
    assert "Error in the middle of the streamed response to /rows/" in caplog.text


def test_the_werkzeug_test_client_sees_the_error_not_a_complete_body():
    app, _ = app_for(Source(n=10, fail_at=2))
    with pytest.raises(RuntimeError, match="database went away"):
        make_client(app).get("/rows/").get_data()


@pytest.fixture
def serve():
    """Serve an app with Werkzeug's threaded HTTP/1.1 server; yields its port."""
    servers = []

    def run(app) -> int:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return server.server_port

    yield run
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_real_server_aborts_the_connection_without_the_terminating_chunk(serve, caplog):
    app, _ = app_for(Source(n=10, fail_at=2))
    port = serve(app)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/rows/")
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Transfer-Encoding") == "chunked"
    with pytest.raises(http.client.IncompleteRead) as excinfo:
        response.read()
    conn.close()
    assert excinfo.value.partial.startswith(b'[{"id":0,')
    assert not excinfo.value.partial.endswith(b"]")


def test_a_complete_stream_ends_with_the_terminating_chunk(serve):
    app, _ = app_for(Source(n=3))
    port = serve(app)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/rows/")
    response = conn.getresponse()
    assert [row["id"] for row in json.loads(response.read())] == [0, 1, 2]
    conn.close()


class WholeOnly:
    """An emitter plugin that cannot stream (``stream`` is None)."""

    @hookimpl
    def camshaft_emitters(self) -> list[Emitter]:
        def emit(data: Any, ctx: EmitContext) -> bytes:
            return json.dumps({"many": ctx.many, "items": data}).encode()

        return [Emitter("whole", "application/x-whole", emit)]


def test_an_emitter_that_cannot_stream_gets_the_shaped_items_as_one_list():
    source = Source(n=2)
    app, _ = app_for(source, plugins=[WholeOnly()])
    response = make_client(app).get("/rows/?format=whole")
    assert json.loads(response.data) == {
        "many": True,
        "items": [{"id": 0, "name": "row 0", "shaped": 1}, {"id": 1, "name": "row 1", "shaped": 2}],
    }
    assert source.closed
