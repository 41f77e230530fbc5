"""Key rules: traversal, device names, control characters and lengths are refused (400),
and no key, accepted or not, ever puts a file outside the root."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camshaft.errors import BadRequest
from camshaft_kv import FileBackend, KVStore, check_content_type, check_key
from camshaft_kv.keys import KEY_PATTERN

from .conftest import files_outside

BAD_KEYS = {
    "empty": "",
    "dot-dot": "..",
    "single dot": ".",
    "dot-dot inside": "a..b",
    "parent path": "../etc/passwd",
    "encoded dot-dot": "%2e%2e",
    "encoded upper-case": "%2E%2E",
    "encoded parent path": "%2e%2e%2fetc",
    "double-encoded dot-dot": "%252e%252e",
    "encoded slash": "a%2fb",
    "absolute path": "/etc/passwd",
    "slash": "a/b",
    "backslash": "a\\b",
    "windows parent": "..\\windows",
    "drive letter": "C:evil",
    "NUL": "a\x00b",
    "encoded NUL": "a%00b",
    "newline": "a\nb",
    "DEL": "a\x7fb",
    "C1 control": "a\x85b",
    "CON": "CON",
    "con lower case": "con",
    "NUL.txt": "NUL.txt",
    "aux with extension": "aux.tar.gz",
    "COM1": "COM1",
    "com9 lower": "com9",
    "LPT1": "LPT1",
    "lpt3 with extension": "lpt3.log",
    "device with trailing space": "PRN .txt",
    "superscript COM": "COM\u00b9",
    "trailing dot": "name.",
    "trailing space": "name ",
    "too long": "a" * 256,
    "lone surrogate": "a\ud800",
}

GOOD_KEYS = [
    "a",
    "photo.png",
    ".profile",
    "README",
    "a b",
    "ünïcödé",
    "1",
    "a" * 255,
    "COM10",
    "CONSOLE",
    "nul-result",
    "100%",
    "x%41y",
    "-_~!$&'()*+,;=@",
]


@pytest.mark.parametrize("key", BAD_KEYS.values(), ids=list(BAD_KEYS))
def test_bad_key_is_a_400(key: str) -> None:
    with pytest.raises(BadRequest) as caught:
        check_key(key)
    assert caught.value.status == 400


@pytest.mark.parametrize("key", GOOD_KEYS)
def test_good_key_is_accepted_unchanged(key: str) -> None:
    assert check_key(key) == key


def test_non_string_key_is_a_400() -> None:
    with pytest.raises(BadRequest):
        check_key(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize("key", BAD_KEYS.values(), ids=list(BAD_KEYS))
def test_store_refuses_bad_key_and_writes_nothing(tmp_path: Path, key: str) -> None:
    root = tmp_path / "root"
    store = KVStore(FileBackend(root))
    before = sorted(tmp_path.rglob("*"))
    for call in (
        lambda: store.put_document(key, b"x", "text/plain"),
        lambda: store.get_document(key),
        lambda: store.create({"id": key}),
        lambda: store.replace(key, {}, create_only=True),
        lambda: store.delete(key),
    ):
        with pytest.raises(BadRequest):
            call()
    assert sorted(tmp_path.rglob("*")) == before


def test_file_names_are_hashes_inside_the_root(tmp_path: Path) -> None:
    backend = FileBackend(tmp_path / "root")
    for key in GOOD_KEYS:
        path = backend.path_for(key)
        assert path.parent == backend.directory
        assert len(path.name) == 67 and set(path.stem) <= set(string.hexdigits.lower())


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=st.one_of(
        st.text(max_size=300),
        st.text(alphabet="./\\%2eEfF0:~ cCoOnN\x00", max_size=20),
        st.lists(st.sampled_from(["..", "/", "%2e", "%2f", "%25", "\\", "con", "."])).map("".join),
    )
)
def test_random_keys_never_write_outside_the_root(tmp_path: Path, key: str) -> None:
    root = tmp_path / "root"
    store = KVStore(FileBackend(root))
    try:
        put = store.put_document(key, b"body", "text/plain")
    except BadRequest:
        pass
    else:
        assert store.get_document(key) == put.document
        assert store.backend.path_for(key).parent == root  # type: ignore[attr-defined]
    assert files_outside(tmp_path, root) == []


@pytest.mark.parametrize(
    ("given_type", "stored"),
    [
        (None, "application/octet-stream"),
        ("", "application/octet-stream"),
        ("  text/plain; charset=utf-8 ", "text/plain; charset=utf-8"),
        ('multipart/form-data; boundary="x y"', 'multipart/form-data; boundary="x y"'),
    ],
)
def test_content_type_is_kept_verbatim(given_type: str | None, stored: str) -> None:
    assert check_content_type(given_type) == stored


@pytest.mark.parametrize(
    "bad", ["text/plain\r\nSet-Cookie: x=1", "text/\x00plain", "tëxt/plain", "a/" + "b" * 300]
)
def test_content_type_that_could_split_a_header_is_a_400(bad: str) -> None:
    with pytest.raises(BadRequest):
        check_content_type(bad)


# --------------------------------------------------------------------------- KEY_PATTERN

_KEY_RE = re.compile(KEY_PATTERN)


@settings(max_examples=500, deadline=None)
@given(st.text(min_size=0, max_size=300))
def test_key_pattern_accepts_only_keys_the_store_accepts(key: str) -> None:
    if _KEY_RE.fullmatch(key):
        assert check_key(key) == key


@pytest.mark.parametrize(
    "key",
    ["a", "photo.png", "über alles", "100%", "x" * 255, "con1", "conx.txt", "a.b.c"],
)
def test_key_pattern_accepts_ordinary_keys(key: str) -> None:
    assert _KEY_RE.fullmatch(key) and check_key(key) == key


@pytest.mark.parametrize(
    "key",
    [
        "",
        ".",
        "a.",
        "a ",
        "a..b",
        "a/b",
        "a\\b",
        "a:b",
        "CON",
        "nul.txt",
        "Lpt1",
        "COM¹",
        "conİn$",
        "x" * 256,
        "a\x00",
        "a\x85",
        "%2e%2e",
    ],
)
def test_key_pattern_refuses_what_the_store_refuses(key: str) -> None:
    assert not _KEY_RE.fullmatch(key)


def test_a_kv_route_and_its_openapi_use_the_store_key_pattern(tmp_path) -> None:
    from camshaft import Handler
    from camshaft.testing import make_app, make_client

    class ThingHandler(Handler):
        store = "kv"

    app = make_app([ThingHandler], plugins=["kv"], settings={"kv": {"root": str(tmp_path)}})
    client = make_client(app)
    spec = client.get("/openapi.json").json
    key = spec["paths"]["/things/{key}"]["get"]["parameters"][0]
    assert key["schema"]["pattern"] == f"^(?:{KEY_PATTERN})$"
    refused = client.get("/things/nul.txt")
    assert refused.status_code == 400 and refused.json["title"] == "Invalid key"
    assert client.put("/things/a%253A", json={"x": 1}).status_code == 400
    assert client.get("/things/ok").status_code == 404
