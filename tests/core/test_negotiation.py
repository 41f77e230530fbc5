from __future__ import annotations

import pytest

from camshaft import EmitContext, Emitter, Handler, hookimpl
from camshaft._kernel.emission.negotiation import parse_accept
from camshaft.testing import make_app, make_client


class Thing(Handler):
    resource_name = "things"

    def read(self, key):
        return {"id": key}


class TextPlugin:
    """A second format so there is something to choose between."""

    camshaft_name = "textfmt"

    @hookimpl
    def camshaft_emitters(self):
        return [
            Emitter("text", "text/plain", lambda data, ctx: repr(data).encode(), charset="utf-8")
        ]


def client(**settings):
    return make_client(make_app([Thing], plugins=[TextPlugin()], settings=settings))


def test_parse_accept_reads_q_values_and_parameters():
    ranges = parse_accept('text/html;q=0.5, application/json; version="1.1", */*;q=abc')
    assert ranges == [
        ("text", "html", 0.5, {}),
        ("application", "json", 1.0, {"version": "1.1"}),
        ("*", "*", 0.0, {}),
    ]


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("text/plain", "text/plain"),
        ("text/*", "text/plain"),
        ("text/plain;q=0.4, application/json;q=0.9", "application/json"),
        ("application/json;q=0, */*", "text/plain"),
        ("text/plain, application/json", "text/plain"),
        ("application/xml", "application/json"),
    ],
    ids=[
        "no accept gets json",
        "anything gets the default",
        "exact type",
        "subtype wildcard",
        "higher q wins",
        "q=0 excludes json",
        "equal q follows the client order",
        "nothing acceptable falls back to json",
    ],
)
def test_accept_chooses_the_emitter(accept, mimetype):
    headers = {"Accept": accept} if accept else {}
    response = client().get("/things/1", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Vary"] == "Accept, API-Version"  # version header strategy on


def test_format_query_parameter_wins_over_accept():
    response = client().get("/things/1?format=text", headers={"Accept": "application/json"})
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("strict", [False, True])
def test_an_unknown_format_is_406_listing_the_installed_ones(strict):
    response = client(strict_negotiation=strict).get("/things/1?format=nope")
    assert response.status_code == 406
    assert response.mimetype == "application/problem+json"
    assert "text/plain" in response.json["available"]
    assert sorted(response.json["formats"]) == ["json", "ndjson", "text"]
    assert "'nope'" in response.json["detail"] and "text" in response.json["detail"]


def test_nothing_acceptable_is_406_under_strict_negotiation():
    response = client(strict_negotiation=True).get("/things/1", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_problem_json_is_accepted_for_errors():
    response = client().get("/nowhere", headers={"Accept": "application/problem+json"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_errors_are_rendered_in_the_negotiated_format():
    response = client().get("/nowhere?format=text")
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert b"'status': 404" in response.data


def test_default_format_setting_must_name_an_emitter():
    from camshaft.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="default_format 'yaml' has no emitter"):
        make_app([Thing], settings={"default_format": "yaml"})


def test_emit_context_marks_problem_documents():
    seen = []

    class Spy:
        camshaft_name = "spy"

        @hookimpl
        def camshaft_emitters(self):
            def emit(data, ctx: EmitContext):
                seen.append(ctx.problem)
                return b"x"

            return [Emitter("spy", "application/x-spy", emit)]

    app = make_app([Thing], plugins=[Spy()])
    make_client(app).get("/nowhere?format=spy")
    make_client(app).get("/things/1?format=spy")
    assert seen == [True, False]


def test_accept_problem_json_on_a_success_is_406():
    for method in ("get", "head"):
        response = getattr(client(), method)(
            "/things/1", headers={"Accept": "application/problem+json"}
        )
        assert response.status_code == 406, method
    response = client().get("/things/1", headers={"Accept": "application/problem+json"})
    assert response.mimetype == "application/problem+json"
    assert "application/json" in response.json["available"]
    # Errors are still answered in it, and a range that also admits JSON gets JSON.
    assert (
        client().get("/nowhere", headers={"Accept": "application/problem+json"}).status_code == 404
    )
    both = client().get("/things/1", headers={"Accept": "application/problem+json, */*;q=0.1"})
    assert both.status_code == 200 and both.mimetype == "application/json"


class Writer(Handler):
    resource_name = "writes"
    calls: list[str] = []

    def create(self, data):
        self.calls.append("create")
        return {"id": 1}


def test_accept_problem_json_refuses_a_write_before_it_happens():
    Writer.calls.clear()
    app = make_client(make_app([Writer]))
    response = app.post("/writes/", json={}, headers={"Accept": "application/problem+json"})
    assert response.status_code == 406 and Writer.calls == []


def test_the_accept_tokenizer_honours_quoted_parameters():
    ranges = parse_accept('text/plain; foo="a, b; c", application/json;q=0.5, x/y;p="q\\"r"')
    assert ranges == [
        ("text", "plain", 1.0, {"foo": "a, b; c"}),
        ("application", "json", 0.5, {}),
        ("x", "y", 1.0, {"p": 'q"r'}),
    ]
    # Over HTTP: the quoted comma does not start a range " b" that is nonsense.
    accept = 'application/json; version="1.0, 2.0";q=0.2, text/plain;q=0.9'
    assert client().get("/things/1", headers={"Accept": accept}).mimetype == "text/plain"


class Aborting(Handler):
    resource_name = "aborts"

    def read(self, key):
        from werkzeug.exceptions import MethodNotAllowed, abort

        if key == "gone":
            abort(410)
        if key == "teapot":
            abort(418, description="Short and stout.")
        if key == "verb":
            raise MethodNotAllowed(valid_methods=["POST"])
        return {"id": key}


@pytest.mark.parametrize(
    ("key", "status", "detail"),
    [("gone", 410, None), ("teapot", 418, "Short and stout."), ("verb", 405, None)],
)
def test_werkzeug_http_exceptions_become_problems_with_their_status(key, status, detail):
    response = make_client(make_app([Aborting])).get(f"/aborts/{key}")
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status
    assert response.json.get("detail") == detail
    if status == 405:
        assert response.headers["Allow"] == "POST"
