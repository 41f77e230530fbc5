"""The floor: a bare WSGI function, no framework, no library but SQLAlchemy Core and json.

It routes by string comparison and builds its answers by hand; it serves the four
scenarios and little else (no HEAD, no 405, no content negotiation).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

import sqlalchemy as sa

from . import CHALLENGE, PER_PAGE, address_table, check_basic, page_links, valid_address

JSON = ("Content-Type", "application/json")


def make_app(url: str) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    engine, table = sa.create_engine(url), address_table()
    count_query = sa.select(sa.func.count()).select_from(table)
    page_query = sa.select(table.c.id, table.c.name, table.c.age).order_by(table.c.id)

    def answer(start_response: Callable[..., Any], status: str, doc: Any, *headers: Any) -> Any:
        body = json.dumps(doc).encode()
        start_response(status, [JSON, ("Content-Length", str(len(body))), *headers])
        return [body]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        host = f"{environ['wsgi.url_scheme']}://{environ['HTTP_HOST']}"
        if path.startswith("/items/") and path[7:].isdigit() and method == "GET":
            key = int(path[7:])
            return answer(
                start_response, "200 OK", {"id": key, "name": "widget", "url": f"{host}{path}"}
            )
        if path.startswith("/reports/") and "/" not in path[9:] and method == "GET":
            user = check_basic(environ.get("HTTP_AUTHORIZATION"))
            if user is None:
                return answer(
                    start_response, "401 Unauthorized", {}, ("WWW-Authenticate", CHALLENGE)
                )
            return answer(
                start_response,
                "200 OK",
                {"report": path[9:], "user": user},
                ("Cache-Control", "no-store"),
                ("Vary", "Authorization"),
            )
        if path == "/addresses/" and method == "GET":
            args = dict(parse_qsl(environ.get("QUERY_STRING", "")))
            page, per_page = int(args.get("page", 1)), int(args.get("per_page", PER_PAGE))
            with engine.connect() as conn:
                count = conn.execute(count_query).scalar_one()
                rows = conn.execute(page_query.limit(per_page).offset((page - 1) * per_page)).all()
            doc = [
                {"id": r.id, "name": r.name, "age": r.age, "url": f"{host}/addresses/{r.id}"}
                for r in rows
            ]
            links = page_links(f"{host}{path}", page, per_page, count)
            return answer(
                start_response, "200 OK", doc, ("X-Total-Count", str(count)), ("Link", links)
            )
        if path == "/addresses/" and method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            try:
                data = valid_address(json.loads(environ["wsgi.input"].read(length)))
            except ValueError:
                data = None
            if data is None:
                return answer(start_response, "422 Unprocessable Content", {})
            with engine.begin() as conn:
                new_id = conn.execute(
                    sa.insert(table).values(**data, version=1)
                ).inserted_primary_key[0]
            location = f"{host}/addresses/{new_id}"
            doc = {"id": new_id, **data, "url": location}
            return answer(start_response, "201 Created", doc, ("Location", location))
        return answer(start_response, "404 Not Found", {})

    return app
