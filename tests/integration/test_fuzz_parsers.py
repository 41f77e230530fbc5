"""Fuzz targets: every installed parser, the kv key validator and the kernel's key pattern.

Each target runs ``FUZZ_EXAMPLES`` inputs (a few seconds; ``CAMSHAFT_FUZZ_EXAMPLES``
raises it, see docs/security.md): random bytes and mutations of valid bodies. A parser
may refuse with the framework's own 4xx, never anything else; what it accepts every
emitter must write. Requests over the WSGI app must never answer 5xx.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from camshaft import Handler
from camshaft.plugin import EmitContext
from camshaft.testing import make_app, make_client, samples
from tests.fuzzing import FUZZ_SETTINGS, mutated, only_client_errors

INSTALLED = {ep.name for ep in entry_points(group="camshaft")}
PLUGINS = [p for p in ("yaml", "xml", "msgpack", "csv", "orjson") if p in INSTALLED]
FUZZ = FUZZ_SETTINGS


class Sink(Handler):
    resource_name = "sink"

    def create(self, data):
        return {"got": data}, 200

    def read(self, key=None):
        return {"key": key} if key is not None else []


@pytest.fixture(scope="module")
def app():
    return make_app([Sink], plugins=PLUGINS)


def _seeds(app: Any, media_type: str) -> Any:
    """Valid bodies of ``media_type``: sample values as its own format's emitter writes them."""
    fmt = app.parsers[media_type].format
    emitter = app.emitters.get(fmt) or app.emitters["json"]
    if fmt in ("csv", "ndjson"):
        return samples.RECORDS.map(lambda rows: emitter.emit(rows, EmitContext(many=True)))
    return samples.VALUES.map(lambda value: emitter.emit(value, EmitContext()))


def _every_emitter_writes(app: Any, data: Any) -> None:
    ctx = EmitContext(many=isinstance(data, list))
    for emitter in app.emitters.values():
        emitter.emit(data, ctx)


MEDIA_TYPES = sorted(
    {
        "application/json",
        "application/x-ndjson",
        "application/yaml",
        "application/x-yaml",
        "application/msgpack",
        "application/xml",
        "text/csv",
    }
)


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
def test_fuzz_parser(app, media_type):
    if media_type not in app.parsers:
        pytest.skip(f"no parser for {media_type} installed")

    @FUZZ
    @given(st.binary(max_size=200) | mutated(_seeds(app, media_type)))
    def parser_refuses_with_4xx_only(body: bytes) -> None:
        data = only_client_errors(lambda: app.parse_body(media_type, body))
        if data is not None:
            _every_emitter_writes(app, data)

    parser_refuses_with_4xx_only()


def test_fuzz_requests_with_any_content_type(app):
    client = make_client(app)

    @FUZZ
    @given(
        st.sampled_from([*MEDIA_TYPES, "text/plain", "", "application/json; charset=latin-1"]),
        st.binary(max_size=100),
        st.sampled_from(["json", "yaml", "xml", "msgpack", "csv", "ndjson"]),
    )
    def never_a_server_error(content_type: str, body: bytes, fmt: str) -> None:
        response = client.post(
            f"/sink/?format={fmt}", data=body, headers={"Content-Type": content_type}
        )
        assert response.status_code < 500, response.data

    never_a_server_error()


@pytest.mark.skipif("kv" not in INSTALLED, reason="camshaft-kv is not installed")
def test_fuzz_kv_keys():
    from camshaft_kv.keys import check_key

    @FUZZ
    @given(st.text(max_size=40) | st.text(alphabet="%2e./\\:cCoOnN0123456789 ", max_size=20))
    def keys_are_accepted_or_refused_with_4xx(key: str) -> None:
        accepted = only_client_errors(lambda: check_key(key))
        if accepted is not None:
            assert accepted == key
            key.encode("utf-8")  # an accepted key is valid Unicode
            json.dumps(key, ensure_ascii=False).encode("utf-8")

    keys_are_accepted_or_refused_with_4xx()


def test_fuzz_the_kernel_key_pattern(app):
    client = make_client(app)

    @FUZZ
    @given(st.text(max_size=30), st.sampled_from(["json", "yaml", "xml", "msgpack", "csv"]))
    def item_routes_never_fail(key: str, fmt: str) -> None:
        path = "/sink/" + quote(key.encode("utf-8", "surrogatepass"), safe="")
        response = client.get(path, query_string={"format": fmt})
        assert response.status_code < 500, response.data
        for name, value in response.headers.items():
            assert "\r" not in value and "\n" not in value, name

    item_routes_never_fail()
