"""The same shaping in every format: what JSON leaves out, no other format carries.

Each format plugin is loaded by entry-point name; a format whose plugin is not installed
in this environment is skipped, saying which distribution to install.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import pickle
import re
from collections.abc import Callable
from typing import Any

import pytest

from camshaft import Handler, ParseLimits
from camshaft.errors import PluginLoadError
from camshaft.testing import load_plugin, make_app, make_client

SECRETS = (b"private_notes", b"do not show", b"password", b"hunter2")


@dataclasses.dataclass
class Author:
    username: str
    password: str = "hunter2"


def post(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "title": "Hello",
        "content": "Hello, world",
        "private_notes": "do not show",
        "author": Author("ann"),
    }


class PostHandler(Handler):
    fields = ("id", "title", ("author", ("username",)), "content_size")
    exclude = ("password", re.compile(r"^private_"))

    @classmethod
    def content_size(cls, obj: Any) -> int:
        return len(obj["content"])

    def read(self, key: str | None = None) -> Any:
        if key is None:
            return [post(1), post(2)]
        return post(int(key))


class StreamedPostHandler(PostHandler):
    """The same resource, returning a generator (the streaming path)."""

    resource_name = "streamed-posts"

    def read(self, key: str | None = None) -> Any:
        if key is None:
            return (post(i) for i in (1, 2))
        return post(int(key))


class OpenPostHandler(Handler):
    """No ``fields``: every member but the excluded ones."""

    resource_name = "open-posts"
    exclude = ("password", re.compile(r"^private_"), "content")
    links = False

    def read(self, key: str | None = None) -> Any:
        if key is None:
            return iter([post(1), post(2)])
        return post(int(key))


# ----------------------------------------------------------------- decoding each format


def _csv(body: bytes, app: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def _parser(media_type: str) -> Callable[[bytes, Any], Any]:
    return lambda body, app: app.parsers[media_type].parse(body, ParseLimits())


def _ndjson(body: bytes, app: Any) -> list[Any]:
    return [json.loads(line) for line in body.splitlines()]


def _yaml(body: bytes, app: Any) -> Any:
    import yaml

    return yaml.safe_load(body)


def _msgpack(body: bytes, app: Any) -> Any:
    import msgpack

    return msgpack.unpackb(body)


# (format for ?format=, plugin entry-point name or None for a builtin, decoder, typed)
FORMATS = [
    pytest.param(("json", None, lambda b, app: json.loads(b), True), id="json"),
    pytest.param(("json", "orjson", lambda b, app: json.loads(b), True), id="orjson"),
    pytest.param(("ndjson", None, _ndjson, True), id="ndjson"),
    pytest.param(("yaml", "yaml", _yaml, True), id="yaml"),
    pytest.param(("xml", "xml", _parser("application/xml"), True), id="xml"),
    pytest.param(("msgpack", "msgpack", _msgpack, True), id="msgpack"),
    pytest.param(("pickle", "pickle", lambda b, app: pickle.loads(b), True), id="pickle"),
    pytest.param(("csv", "csv", _csv, False), id="csv"),
]


@pytest.fixture(params=FORMATS)
def fmt(request):
    """(format, app, client, decode, typed) for one format, skipped when not installed."""
    name, plugin, decode, typed = request.param
    plugins = []
    if plugin is not None:
        try:
            load_plugin(plugin)
        except PluginLoadError:
            pytest.skip(
                f"the {plugin!r} format plugin (camshaft-{plugin}) is not installed here; "
                f"pip install -e plugins/emitters/{plugin}"
            )
        plugins.append(plugin)
    app = make_app([PostHandler, StreamedPostHandler, OpenPostHandler], plugins=plugins)
    return name, app, make_client(app), decode, typed


def get(fmt: tuple, path: str) -> tuple[bytes, Any]:
    name, app, client, decode, _ = fmt
    sep = "&" if "?" in path else "?"
    response = client.get(f"{path}{sep}format={name}")
    assert response.status_code == 200, response.data
    body = response.get_data()
    return body, decode(body, app)


def expected_item(i: int, typed: bool, prefix: str = "posts") -> dict[str, Any]:
    item = {
        "id": i,
        "title": "Hello",
        "author": {"username": "ann"},
        "content_size": 12,
        "url": f"http://localhost/{prefix}/{i}",
    }
    if typed:
        return item
    # CSV: one flat row of text per item, nested members under dotted columns
    return {
        "id": str(i),
        "title": "Hello",
        "author.username": "ann",
        "content_size": "12",
        "url": item["url"],
    }


def single(decoded: Any) -> Any:
    """A single item as the format carries it (CSV and NDJSON: a one-item list)."""
    return decoded[0] if isinstance(decoded, list) else decoded


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/posts/1", id="an item"),
        pytest.param("/posts/", id="a list"),
        pytest.param("/streamed-posts/", id="a streamed collection"),
        pytest.param("/open-posts/1", id="an item without a fields declaration"),
        pytest.param("/open-posts/", id="a stream without a fields declaration"),
    ],
)
def test_excluded_and_undeclared_members_are_absent_in_every_format(fmt, path):
    body, _ = get(fmt, path)
    for secret in SECRETS:
        assert secret not in body


def test_an_item_decodes_to_the_same_shaped_data_in_every_format(fmt):
    *_, typed = fmt
    _, decoded = get(fmt, "/posts/1")
    assert single(decoded) == expected_item(1, typed)


@pytest.mark.parametrize("resource", ["posts", "streamed-posts"])
def test_a_collection_decodes_to_the_same_shaped_items_in_every_format(fmt, resource):
    *_, typed = fmt
    _, decoded = get(fmt, f"/{resource}/")
    assert decoded == [expected_item(1, typed, resource), expected_item(2, typed, resource)]


def test_client_chosen_fields_narrow_every_format_alike(fmt):
    *_, typed = fmt
    _, decoded = get(fmt, "/streamed-posts/?fields=author.username,id")
    expected = [{"id": i, "author": {"username": "ann"}} for i in (1, 2)]
    if not typed:
        expected = [{"id": str(i), "author.username": "ann"} for i in (1, 2)]
    assert decoded == expected


def test_a_field_outside_the_spec_is_a_400_problem_in_every_format(fmt):
    name, _, client, *_ = fmt
    response = client.get(f"/posts/1?fields=private_notes&format={name}")
    assert response.status_code == 400
    assert b"private_notes" in response.get_data()  # named in the problem's detail
    assert b"do not show" not in response.get_data()


def test_csv_columns_follow_the_declared_field_order():
    try:
        load_plugin("csv")
    except PluginLoadError:
        pytest.skip("the 'csv' format plugin (camshaft-csv) is not installed here")
    client = make_client(make_app([PostHandler], plugins=["csv"]))
    header = client.get("/posts/?format=csv").get_data().split(b"\r\n", 1)[0]
    assert header == b"id,title,author.username,content_size,url"
