"""Store benchmark: GET /addresses/?page=2 (20 rows and the count, of 1000 in SQLite) and
POST /addresses/, side by side, in-process.

Contenders, each on its own SQLite file with the same rows:

- camshaft: the address book handler (SQLAlchemy store, default CRUD, model validation);
- hand-written: a bare WSGI function building SQLAlchemy Core statements per request,
  the usual way;
- falcon: a Falcon resource doing the same;
- drf: Django REST Framework's ListCreateAPIView over a Django model.

Each WSGI callable is called directly with prepared environs; rounds are interleaved,
the contenders' order rotating from round to round, and the median per-request time is
reported, with Camshaft's ratios to the others: wall time, and the process's CPU time,
which leaves out waiting for the disk. A POST commits, and SQLite (synchronous=FULL, WAL)
then waits for an fsync that costs every contender the same and, on most disks, more than
everything else in the request; the CPU column shows what the frameworks themselves cost.

    python bench/bench_store.py [--rounds 15] [--requests 200] [--synchronous normal]

``--synchronous`` sets SQLite's PRAGMA synchronous on every contender's connections (a
diagnostic: ``normal`` or ``off`` take the fsync out of a POST, for all alike; the
default, ``full``, is what each contender does out of the box).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROWS = 1000
POST_BODY = json.dumps({"name": "alice", "age": 30}).encode()

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Any]
#: PRAGMA synchronous for every contender (see --synchronous).
SYNCHRONOUS = ["FULL"]


def environ(method: str, path: str, query: str = "", body: bytes = b"") -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "HTTP_ACCEPT": "application/json",
        "CONTENT_TYPE": "application/json" if body else "",
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def call(app: Wsgi, template: dict[str, Any], body: bytes) -> str:
    env = dict(template)
    env["wsgi.input"] = io.BytesIO(body)
    status: list[str] = []
    chunks = app(env, lambda s, h, exc_info=None: status.append(s))
    b"".join(chunks)
    close = getattr(chunks, "close", None)
    if close is not None:
        close()
    return status[0]


def seed(url: str, table: sa.Table) -> None:
    """Create and fill the table; WAL for every contender (it persists in the file), so
    commits cost the same everywhere."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(table),
            [{"id": a, "name": "bob", "age": a, "version": 1} for a in range(1, ROWS + 1)],
        )
    engine.dispose()


# --------------------------------------------------------------------------- contenders


def camshaft_app(url: str) -> Wsgi:
    from examples.addressbook.app import address_table, make_app

    seed(url, address_table())
    return make_app(url)


def hand_written_app(url: str) -> Wsgi:
    from urllib.parse import parse_qs

    table = _plain_table(sa.MetaData())
    seed(url, table)
    engine = sa.create_engine(url)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ["REQUEST_METHOD"] == "GET":
            page = int(parse_qs(environ["QUERY_STRING"]).get("page", ["1"])[0])
            with engine.connect() as conn:
                count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                rows = conn.execute(
                    sa.select(table.c.id, table.c.name, table.c.age)
                    .order_by(table.c.id)
                    .limit(20)
                    .offset((page - 1) * 20)
                ).all()
            body = json.dumps([dict(r._mapping) for r in rows]).encode()
            start_response(
                "200 OK",
                [("Content-Type", "application/json"), ("X-Total-Count", str(count))],
            )
            return [body]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        data = json.loads(environ["wsgi.input"].read(length))
        if not isinstance(data.get("name"), str) or not isinstance(data.get("age"), int):
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [b'{"error": "name and age required"}']
        with engine.begin() as conn:
            new_id = conn.execute(
                sa.insert(table).values(name=data["name"], age=data["age"], version=1)
            ).inserted_primary_key[0]
        out = {"id": new_id, "name": data["name"], "age": data["age"]}
        start_response(
            "201 Created",
            [("Content-Type", "application/json"), ("Location", f"/addresses/{new_id}")],
        )
        return [json.dumps(out).encode()]

    return app


def _plain_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "addresses",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("age", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )


def falcon_app(url: str) -> Wsgi:
    import falcon

    table = _plain_table(sa.MetaData())
    seed(url, table)
    engine = sa.create_engine(url)

    class Addresses:
        def on_get(self, req: Any, resp: Any) -> None:
            page = req.get_param_as_int("page", default=1, min_value=1)
            with engine.connect() as conn:
                count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                rows = conn.execute(
                    sa.select(table.c.id, table.c.name, table.c.age)
                    .order_by(table.c.id)
                    .limit(20)
                    .offset((page - 1) * 20)
                ).all()
            resp.media = [dict(r._mapping) for r in rows]
            resp.set_header("X-Total-Count", str(count))

        def on_post(self, req: Any, resp: Any) -> None:
            data = req.get_media()
            if not isinstance(data.get("name"), str) or not isinstance(data.get("age"), int):
                raise falcon.HTTPBadRequest(title="name and age required")
            with engine.begin() as conn:
                new_id = conn.execute(
                    sa.insert(table).values(name=data["name"], age=data["age"], version=1)
                ).inserted_primary_key[0]
            resp.status = falcon.HTTP_201
            resp.location = f"/addresses/{new_id}"
            resp.media = {"id": new_id, "name": data["name"], "age": data["age"]}

    app = falcon.App()
    app.add_route("/addresses/", Addresses())
    return app


def drf_app(url: str) -> Wsgi:
    import django
    from django.conf import settings

    path = url.removeprefix("sqlite:///")
    # Django connects anew per request: no extra statement unless --synchronous asks.
    options = (
        {"OPTIONS": {"init_command": f"PRAGMA synchronous={SYNCHRONOUS[0]}"}}
        if SYNCHRONOUS[0] != "FULL"
        else {}
    )
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": path, **options}},
        MIDDLEWARE=[],
        USE_TZ=True,
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
            "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
            "PAGE_SIZE": 20,
        },
    )
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection, models
    from django.urls import path as url_path
    from rest_framework import generics, serializers

    class Address(models.Model):
        name = models.CharField(max_length=100)
        age = models.IntegerField()
        version = models.IntegerField(default=1)

        class Meta:
            app_label = "bench"
            db_table = "addresses"
            ordering = ("id",)

    class AddressSerializer(serializers.ModelSerializer):
        class Meta:
            model = Address
            fields = ("id", "name", "age")

    class AddressList(generics.ListCreateAPIView):
        queryset = Address.objects.all()
        serializer_class = AddressSerializer

    with connection.schema_editor() as editor:
        editor.create_model(Address)
    Address.objects.bulk_create([Address(id=a, name="bob", age=a) for a in range(1, ROWS + 1)])
    globals()["urlpatterns"] = [url_path("addresses/", AddressList.as_view())]
    return WSGIHandler()


# --------------------------------------------------------------------------- measuring


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--synchronous", choices=("full", "normal", "off"), default="full")
    args = parser.parse_args()
    SYNCHRONOUS[0] = args.synchronous.upper()
    if SYNCHRONOUS[0] != "FULL":

        @sa.event.listens_for(sa.engine.Engine, "connect")
        def synchronous(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA synchronous={SYNCHRONOUS[0]}")

    tmp = Path(tempfile.mkdtemp(prefix="camshaft-bench-"))
    builders = {
        "camshaft": camshaft_app,
        "hand-written": hand_written_app,
        "falcon": falcon_app,
        "drf": drf_app,
    }
    apps = {name: build(f"sqlite:///{tmp / (name + '.db')}") for name, build in builders.items()}
    cases = {
        "GET /addresses/?page=2": (environ("GET", "/addresses/", "page=2"), b"", "200"),
        "POST /addresses/": (environ("POST", "/addresses/", body=POST_BODY), POST_BODY, "201"),
    }
    for label, (template, body, expected) in cases.items():
        for name, app in apps.items():  # warm up, and check each answers correctly
            for _ in range(20):
                status = call(app, template, body)
            if not status.startswith(expected):
                raise SystemExit(f"{name} answered {status} to {label}")
        samples: dict[str, list[float]] = {name: [] for name in apps}
        cpu: dict[str, list[float]] = {name: [] for name in apps}
        names = list(apps)
        for r in range(args.rounds):
            # Rotate who goes first each round, so drift over the run (a warming disk
            # cache, a neighbour's job) lands on every contender alike.
            shift = r % len(names)
            for name in names[shift:] + names[:shift]:
                app = apps[name]
                start, start_cpu = time.perf_counter(), time.process_time()
                for _ in range(args.requests):
                    call(app, template, body)
                samples[name].append((time.perf_counter() - start) / args.requests)
                cpu[name].append((time.process_time() - start_cpu) / args.requests)
        medians = {name: statistics.median(times) * 1e6 for name, times in samples.items()}
        cpus = {name: statistics.median(times) * 1e6 for name, times in cpu.items()}
        print(f"\n{label}  (median µs per request, {args.rounds} rounds x {args.requests})")
        print(f"  {'':<13} {'wall':>8}    {'cpu':>8}")
        for name, micro in medians.items():
            print(f"  {name:<13} {micro:8.1f} µs {cpus[name]:8.1f} µs")
        for name in ("hand-written", "falcon", "drf"):
            print(
                f"  camshaft / {name:<13} {medians['camshaft'] / medians[name]:.2f}x wall"
                f"   {cpus['camshaft'] / cpus[name]:.2f}x cpu"
            )


if __name__ == "__main__":
    main()
