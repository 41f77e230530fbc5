from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camshaft import App, Handler, Route
from camshaft._kernel.handler import default_resource_name
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client


class EventHandler(Handler):
    links = False

    def read(self, key):
        return {"id": key}


class ListAndItemHandler(Handler):
    resource_name = "things"
    links = False

    def read(self, key=None):
        return [{"id": 1}] if key is None else {"id": key}

    def create(self, data):
        return {"id": 9, **data}

    def delete(self, key):
        return None


@pytest.mark.parametrize(
    ("class_name", "expected"),
    [
        ("EventHandler", "events"),
        ("EventHandler_v11", "events"),
        ("AddressHandler", "addresses"),
        ("CategoryHandler", "categories"),
        ("BlogPostHandler", "blog-posts"),
        ("Key", "keys"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_resource_name_is_derived_from_the_class_name(class_name, expected):
    assert default_resource_name(type(class_name, (Handler,), {})) == expected


def test_item_route_is_automatic_and_collection_absent_when_read_needs_a_key(client_for):
    client = client_for(EventHandler)
    assert client.get("/events/1").json == {"id": "1"}
    assert client.get("/events/").status_code == 404


def test_optional_key_serves_both_collection_and_item(client_for):
    client = client_for(ListAndItemHandler)
    assert client.get("/things/").json == [{"id": 1}]
    assert client.get("/things").json == [{"id": 1}]
    assert client.get("/things/5").json == {"id": "5"}
    assert client.get("/things/5/").json == {"id": "5"}


@pytest.mark.parametrize(
    "bad_key",
    ["..", "a..b", "%00", "a%01b", "x" * 256, "%7f"],
    ids=["dot-dot", "embedded-dot-dot", "nul", "control-char", "too-long", "delete-char"],
)
def test_invalid_keys_are_400_and_never_reach_the_handler(bad_key):
    called = []

    class Spy(Handler):
        resource_name = "spies"

        def read(self, key):
            called.append(key)
            return {}

    response = make_client(make_app([Spy])).get(f"/spies/{bad_key}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert called == []


def test_key_containing_an_encoded_slash_does_not_match_the_item_route(client_for):
    assert client_for(EventHandler).get("/events/a%2Fb").status_code == 404


def test_handler_key_pattern_overrides_the_default(client_for):
    class Numbered(Handler):
        resource_name = "numbered"
        key_pattern = r"\d+"
        links = False

        def read(self, key):
            return {"id": int(key)}

    client = client_for(Numbered)
    assert client.get("/numbered/12").json == {"id": 12}
    assert client.get("/numbered/abc").status_code == 400


def test_head_answers_like_get_without_a_body(client_for):
    client = client_for(EventHandler)
    get, head = client.get("/events/1"), client.head("/events/1")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.headers["Content-Type"] == get.headers["Content-Type"]


def test_options_lists_allowed_methods(client_for):
    response = client_for(ListAndItemHandler).options("/things/1")
    assert response.status_code == 204
    assert response.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS"
    assert client_for(ListAndItemHandler).options("/things/").headers["Allow"] == (
        "GET, HEAD, OPTIONS, POST"
    )


def test_wrong_verb_is_405_with_allow(client_for):
    response = client_for(EventHandler).put("/events/1", json={})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert response.json["status"] == 405


def test_allowed_methods_restricts_what_the_class_implements(client_for):
    class Restricted(ListAndItemHandler):
        resource_name = "restricted"
        allowed_methods = ("GET",)

    client = client_for(Restricted)
    assert client.get("/restricted/1").status_code == 200
    assert client.delete("/restricted/1").status_code == 405
    assert client.post("/restricted/", json={}).status_code == 405


def test_webpy_style_verb_methods(client_for):
    class Doc(Handler):
        resource_name = "docs"

        def GET(self, key):
            return {"key": key}

        def PUT(self, key, data):
            return {"stored": key, "body": data}

    client = client_for(Doc)
    assert client.get("/docs/a").json == {"key": "a"}
    assert client.put("/docs/a", json={"x": 1}).json == {"stored": "a", "body": {"x": 1}}


def test_custom_routes_with_werkzeug_converters(client_for):
    class ArbitraryDataHandler(Handler):
        routes = ("/other/<username>/<path:data>",)
        automatic_routes = False

        def read(self, username, data):
            return {"user": username, "data_length": len(data)}

    client = client_for(ArbitraryDataHandler)
    assert client.get("/other/alice/a/b/c").json == {"user": "alice", "data_length": 5}
    assert client.get("/arbitrary-datas/1").status_code == 404


def test_routes_given_to_the_app(client_for):
    class Ping(Handler):
        automatic_routes = False

        def read(self):
            return {"pong": True}

    app = make_app(routes=[Route("/ping", Ping)])
    assert make_client(app).get("/ping").json == {"pong": True}


def test_request_and_data_are_injected_by_name(client_for):
    class Echo(Handler):
        resource_name = "echo"

        def create(self, request, data):
            return {"method": request.method, "data": data}, 200

    assert client_for(Echo).post("/echo/", json=[1, 2]).json == {"method": "POST", "data": [1, 2]}


def test_a_method_needing_an_argument_the_route_cannot_give_fails_at_build():
    class Broken(Handler):
        def read(self, key, colour):
            return {}

    with pytest.raises(ConfigurationError, match="colour"):
        make_app([Broken])


def test_two_handlers_for_one_resource_version_fail_at_build():
    class A(Handler):
        resource_name = "same"

        def read(self, key):
            return {}

    class B(A):
        pass

    with pytest.raises(ConfigurationError, match="both serve 'same'"):
        make_app([A, B])


def test_non_handler_is_rejected_at_build():
    with pytest.raises(ConfigurationError, match=r"not a camshaft\.Handler"):
        App([object], environ={})


def test_items_link_to_themselves_by_default(client_for):
    class Linked(Handler):
        resource_name = "linked"

        def read(self, key):
            return {"id": key}

    assert client_for(Linked).get("/linked/7").json == {
        "id": "7",
        "url": "http://localhost/linked/7",
    }


def test_unknown_path_is_a_404_problem(client_for):
    response = client_for(EventHandler).get("/nowhere/at/all")
    assert response.status_code == 404
    assert response.json["instance"] == "/nowhere/at/all"


def test_non_utf8_path_is_400():
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path="/events/x").get_environ()
    environ["PATH_INFO"] = b"/events/\xff".decode("latin-1")  # what a WSGI server passes
    seen = {}

    def start_response(status, headers):
        seen["status"] = status

    body = b"".join(make_app([EventHandler])(environ, start_response))
    assert seen["status"].startswith("400")
    assert b"UTF-8" in body


def test_non_ascii_keys_are_decoded_as_utf8(client_for):
    assert client_for(EventHandler).get("/events/caf%C3%A9").json == {"id": "café"}


# ------------------------------------------------- custom routes: the compiled table


_RULES = (
    "/other/<username>/<path:data>",
    "/hello/<int:n>",
    "/a/b/",
    "/users/me",
    "/users/<name>",
    "/files/<path:p>",
    "/x/<int:a>/<float:b>",
    "/u/<uuid:id>",
    "/any/<any(red, blue):c>",
    "/s/<string(length=2):c>",
    "/deep/<a>/<b>/",
    "/",
)
_SEGMENTS = (
    "other", "hello", "a", "b", "users", "me", "files", "x", "u", "any", "red", "blue",
    "s", "ab", "abc", "deep", "1", "-1", "2.5", "12345678-1234-5678-1234-567812345678",
    "é", "a b", "..", "%2F",
)  # fmt: skip


def _werkzeug(adapter: Any, path: str) -> tuple[str, dict[str, Any]] | None:
    from werkzeug.exceptions import HTTPException
    from werkzeug.routing import RequestRedirect

    try:
        rule, args = adapter.match(path, method="GET", return_rule=True)
    except (RequestRedirect, HTTPException):
        return None
    return rule.endpoint, dict(args)


def _compiled() -> tuple[Any, Any]:
    from werkzeug.routing import Map, Rule

    from camshaft._kernel.routing.matcher import CustomMatcher

    url_map = Map([Rule(r, endpoint=r) for r in _RULES], strict_slashes=False, merge_slashes=False)
    return CustomMatcher(url_map), url_map.bind("localhost")


_TABLE, _ADAPTER = _compiled()


@settings(max_examples=1500, deadline=None)
@given(
    segments=st.lists(st.sampled_from(_SEGMENTS) | st.text(max_size=4), max_size=4),
    trailing=st.booleans(),
)
def test_custom_routes_match_as_werkzeug_matches(segments: list[str], trailing: bool) -> None:
    """The table compiled at build agrees with Werkzeug's own matching (same rules,
    same converters, same preference: static before converter, int before path)."""
    path = "/" + "/".join(s.replace("/", "") for s in segments) + ("/" if trailing else "")
    if "//" in path:
        return  # left to Werkzeug itself by the app (it skips empty segments)
    assert _TABLE.match(path) == _werkzeug(_ADAPTER, path)


def test_custom_route_with_an_empty_segment_is_still_matched_by_werkzeug() -> None:
    class Hello(Handler):
        automatic_routes = False
        routes = ("/greet/<name>",)

        def read(self, name: str) -> dict[str, str]:
            return {"name": name}

    from werkzeug.test import EnvironBuilder, run_wsgi_app

    app = make_app([Hello])

    def status(path: str) -> str:
        environ = EnvironBuilder(path="/").get_environ()
        environ["PATH_INFO"] = path  # as a server passes it, no URL parsing in between
        return run_wsgi_app(app, environ)[1]

    assert status("/greet/ann") == "200 OK"
    assert status("/greet/ann/") == "200 OK"
    assert status("/greet/") == "404 Not Found"
    # Werkzeug skips a leading empty segment but not an inner one; so does the app.
    assert status("//greet/ann") == "200 OK"
    assert status("/greet//ann") == "404 Not Found"
