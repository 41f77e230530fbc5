"""camshaft-csv: the emitter contract, flattening, formula neutralising, parsing limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camshaft import EmitContext, Handler
from camshaft.errors import BadRequest, PayloadTooLarge
from camshaft.testing import make_app, make_client
from camshaft.testing.contracts import EmitterContract
from camshaft.testing.samples import TEXT
from camshaft_csv import EMITTER, neutralise, restore
from camshaft_csv.table import load

# CSV carries tables of strings: every row has the same columns, every cell is text.
KEYS = st.lists(TEXT, min_size=1, max_size=4, unique=True)
TABLES = KEYS.flatmap(lambda ks: st.lists(st.fixed_dictionaries({k: TEXT for k in ks}), max_size=5))


class TestCsvEmitterContract(EmitterContract):
    plugins = ("csv",)
    format = "csv"
    media_type = "text/csv"
    typed = False
    parses_to_list = True
    collections = TABLES
    stream_examples = 200
    sample_doc = Path(__file__).parents[2] / "docs" / "formats" / "csv.md"

    def documented_bytes(self, block):
        return block.replace("\n", "\r\n").encode("utf-8")


class Rows(Handler):
    resource_name = "rows"

    def read(self, key=None):
        if key is None:
            return ({"n": i, "who": {"name": f"u{i}"}} for i in range(3))
        return {"id": key, "formula": '=HYPERLINK("http://evil")'}

    def create(self, data):
        return ({"received": data}, 200)


@pytest.fixture
def client():
    return make_client(make_app([Rows], plugins=["csv"], settings={"csv": {"max_rows": 3}}))


def emit(data, **ctx):
    return EMITTER.emit(data, EmitContext(**ctx))


def test_single_object_is_a_one_row_table_with_dotted_columns():
    body = emit({"a": 1, "b": {"c": "x", "d": {"e": None}}, "f": [1, 2]})
    assert body == b'a,b.c,b.d.e,f\r\n1,x,,"[1,2]"\r\n'


def test_columns_are_first_seen_order_across_rows():
    assert emit([{"a": 1}, {"b": 2, "a": 3}], many=True) == b"a,b\r\n1,\r\n3,2\r\n"


def test_declared_columns_fix_order_and_expand_nested_fields():
    data = [{"x": 0, "a": 1, "d": {"p": 2, "q": 3}}]
    assert emit(data, many=True, columns=("d", "a")) == b"d.p,d.q,a\r\n2,3,1\r\n"


def test_declared_columns_stream_an_empty_table_as_a_header():
    assert b"".join(EMITTER.stream(iter([]), EmitContext(many=True, columns=("a",)))) == b"a\r\n"
    assert emit([], many=True, columns=("a",)) == b"a\r\n"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'x", "''x"),
        ("plain", "plain"),
        ("a=b", "a=b"),
    ],
    ids=repr,
)
def test_formula_cells_are_neutralised_and_restored(cell, written):
    assert neutralise(cell) == written
    assert restore(written) == cell


def test_numbers_are_not_prefixed():
    assert emit({"n": -5, "f": -1.5}) == b"n,f\r\n-5,-1.5\r\n"


def test_formula_injection_is_neutralised_in_responses(client):
    response = client.get("/rows/1?format=csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert b"'=HYPERLINK" in response.data


def test_iterator_is_streamed_row_by_row(client):
    response = client.get("/rows/", headers={"Accept": "text/csv;q=0.9, application/json;q=0.1"})
    assert response.mimetype == "text/csv"
    assert "Content-Length" not in response.headers
    assert response.data == b"n,who.name\r\n0,u0\r\n1,u1\r\n2,u2\r\n"


def test_posted_csv_is_a_list_of_dicts_of_strings(client):
    body = b"name,age\r\nAda,36\r\n'=x,1\r\n"
    response = client.post("/rows/", data=body, headers={"Content-Type": "text/csv"})
    assert response.json == {"received": [{"name": "Ada", "age": "36"}, {"name": "=x", "age": "1"}]}


def test_too_many_rows_is_413(client):
    body = b"a\n" + b"1\n" * 4
    response = client.post("/rows/", data=body, headers={"Content-Type": "text/csv"})
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"a,a\n1,2\n", "repeats"),
        (b"a,b\n1\n", "cells"),
        (b"a,b\n1,2,3\n", "cells"),
        (b'a\n"unclosed\n', "valid CSV"),
        (b'a\n"x"y\n', "valid CSV"),
        (b"a\n\xff\n", "UTF-8"),
    ],
    ids=["repeated column", "short row", "long row", "unclosed quote", "junk after quote", "bytes"],
)
def test_malformed_bodies_are_400(body, detail):
    with pytest.raises(BadRequest, match=detail):
        load(body, 100)


def test_header_only_and_blank_lines():
    assert load(b"\xef\xbb\xbfa,b\r\n\r\n", 10) == []
    assert load(b"a\n\n1\n", 10) == [{"a": "1"}]


def test_row_limit_counts_data_rows():
    assert len(load(b"a\n1\n2\n", 2)) == 2
    with pytest.raises(PayloadTooLarge):
        load(b"a\n1\n2\n3\n", 2)


def test_problem_documents_are_one_row_tables(client):
    response = client.get("/nowhere?format=csv")
    assert response.status_code == 404
    rows = load(response.data, 10)
    assert rows[0]["status"] == "404" and rows[0]["title"] == "Not Found"


@settings(max_examples=100, deadline=None)
@given(TEXT)
def test_neutralising_is_reversible(cell):
    assert restore(neutralise(cell)) == cell
    assert not neutralise(cell).startswith(("=", "+", "-", "@", "\t", "\r"))
