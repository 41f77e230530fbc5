"""One request must not break later reads (issue 10): a body holding ``1e400``, a lone
surrogate, a msgpack NaN or a YAML ``1:20`` is refused (or, for ``1:20``, kept as the
string it is), and every later GET of the collection answers 200 in every format."""

from __future__ import annotations

import os
import uuid
from importlib.metadata import entry_points

import msgpack
import pytest

from camshaft import Handler
from camshaft.models import Field, FloatField, IntegerField, Model, StringField
from camshaft.testing import make_app, make_client

INSTALLED = {ep.name for ep in entry_points(group="camshaft")}
FORMATS = [f for f in ("yaml", "xml", "msgpack", "csv") if f in INSTALLED]


class Thing(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("name"),
        FloatField("price"),
        Field("doc"),  # any JSON value: what the parsers alone must keep writable
    ]


def _memory_app():
    handler = type(
        "Things", (Handler,), {"resource_name": "things", "store": "memory", "model": Thing}
    )
    return make_app([handler], plugins=FORMATS)


def _sqlalchemy_app(url):
    sa = pytest.importorskip("sqlalchemy")
    table = sa.Table(
        f"cs_poison_{uuid.uuid4().hex[:10]}",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Column("price", sa.Float),
        sa.Column("doc", sa.JSON),
        sa.Column("version", sa.Integer, nullable=False),
    )
    handler = type(
        "Things", (Handler,), {"resource_name": "things", "store": "sqlalchemy", "source": table}
    )
    app = make_app(
        [handler], plugins=[*FORMATS, "sqlalchemy"], settings={"sqlalchemy": {"url": url}}
    )
    return app, table


def _server(variable):
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} is not set")
    return url


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def app(request, tmp_path):
    if request.param == "memory":
        yield _memory_app()
        return
    if "sqlalchemy" not in INSTALLED:
        pytest.skip("camshaft-sqlalchemy is not installed")
    url = {
        "sqlite": lambda: f"sqlite:///{tmp_path / 'poison.db'}",
        "postgres": lambda: _server("CAMSHAFT_TEST_POSTGRES_URL"),
        "mariadb": lambda: _server("CAMSHAFT_TEST_MARIADB_URL"),
    }[request.param]()
    app, table = _sqlalchemy_app(url)
    yield app
    for store in app.stores.values():
        engine = getattr(store, "engine", None)
        if engine is not None:
            table.drop(engine, checkfirst=True)
            engine.dispose()


NAN = float("nan")
POISON = [
    ("application/json", b'{"name": "a", "price": 1e400}', "/price"),
    ("application/json", b'{"name": "a", "doc": [1, -1e400]}', "/doc/1"),
    ("application/json", b'{"name": "\\ud800"}', "/name"),
    ("application/json", b'{"doc": {"\\udc00": 1}}', "/doc/\\udc00"),
    ("application/json", b'{"doc": 9223372036854775808}', "/doc"),
    ("application/json", b'{"name": "nul\\u0000"}', "/name"),
    ("application/msgpack", msgpack.packb({"name": "a", "doc": NAN}), "/doc"),
    ("application/msgpack", msgpack.packb({"price": float("inf")}), "/price"),
    ("application/msgpack", msgpack.packb({"doc": 2**64 - 1}), "/doc"),
    ("application/yaml", b"name: a\ndoc: .nan\n", "/doc"),
]


def _every_get_answers(client, created):
    for fmt in ["json", *FORMATS]:
        response = client.get(f"/things/?format={fmt}")
        assert response.status_code == 200, (fmt, response.data)
        for key in created:
            item = client.get(f"/things/{key}?format={fmt}")
            assert item.status_code == 200, (fmt, key, item.data)


def test_refused_bodies_leave_the_collection_readable(app):
    client = make_client(app)
    first = client.post("/things/", json={"name": "ok", "price": 1.5, "doc": {"a": [1]}})
    assert first.status_code == 201, first.data
    created = [first.json["id"]]
    for media_type, body, pointer in POISON:
        if media_type not in app.parsers:
            continue
        response = client.post("/things/", data=body, headers={"Content-Type": media_type})
        assert response.status_code == 400, (body, response.data)
        errors = response.json["errors"]
        assert errors[0]["pointer"] == pointer, (body, errors)
        _every_get_answers(client, created)


@pytest.mark.skipif("yaml" not in INSTALLED, reason="camshaft-yaml is not installed")
def test_a_yaml_sexagesimal_is_kept_as_the_string_it_is(app):
    client = make_client(app)
    response = client.post(
        "/things/",
        data=b"name: 1:20\ndoc: {t: 190:20:30, d: 2024-01-01, b: yes}\n",
        headers={"Content-Type": "application/yaml"},
    )
    assert response.status_code == 201, response.data
    key = response.json["id"]
    assert client.get(f"/things/{key}").json["doc"] == {
        "t": "190:20:30",
        "d": "2024-01-01",
        "b": "yes",
    }
    _every_get_answers(client, [key])
