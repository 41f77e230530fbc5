"""Flask: one view function per scenario, SQLAlchemy Core written by hand."""

from __future__ import annotations

from typing import Any

import flask
import sqlalchemy as sa

from . import CHALLENGE, PER_PAGE, address_table, check_basic, page_links, valid_address


def make_app(url: str) -> flask.Flask:
    app = flask.Flask("bench_flask")
    engine, table = sa.create_engine(url), address_table()

    @app.get("/items/<int:key>")
    def item(key: int) -> Any:
        return {"id": key, "name": "widget", "url": f"{flask.request.host_url}items/{key}"}

    @app.get("/reports/<name>")
    def report(name: str) -> Any:
        user = check_basic(flask.request.headers.get("Authorization"))
        if user is None:
            return {"title": "Unauthorized"}, 401, {"WWW-Authenticate": CHALLENGE}
        headers = {"Cache-Control": "no-store", "Vary": "Authorization"}
        return {"report": name, "user": user}, 200, headers

    @app.get("/addresses/")
    def addresses() -> Any:
        args = flask.request.args
        page = args.get("page", 1, type=int)
        per_page = args.get("per_page", PER_PAGE, type=int)
        if page < 1 or not 1 <= per_page <= 100:
            return {"title": "Bad page"}, 400
        with engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            rows = conn.execute(
                sa.select(table.c.id, table.c.name, table.c.age)
                .order_by(table.c.id)
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
        prefix = flask.request.host_url
        body = [
            {"id": r.id, "name": r.name, "age": r.age, "url": f"{prefix}addresses/{r.id}"}
            for r in rows
        ]
        base = flask.request.base_url
        headers = {"X-Total-Count": str(count), "Link": page_links(base, page, per_page, count)}
        return flask.jsonify(body), 200, headers

    @app.post("/addresses/")
    def create_address() -> Any:
        data = valid_address(flask.request.get_json(silent=True))
        if data is None:
            return {"title": "Invalid address"}, 422
        with engine.begin() as conn:
            new_id = conn.execute(sa.insert(table).values(**data, version=1)).inserted_primary_key[
                0
            ]
        url = f"{flask.request.host_url}addresses/{new_id}"
        return {"id": new_id, **data, "url": url}, 201, {"Location": url}

    return app
