"""Falcon: one resource class per scenario, SQLAlchemy Core written by hand."""

from __future__ import annotations

from typing import Any

import falcon
import sqlalchemy as sa

from . import CHALLENGE, PER_PAGE, address_table, check_basic, page_links, valid_address


class Item:
    def on_get(self, req: falcon.Request, resp: falcon.Response, key: int) -> None:
        resp.media = {"id": key, "name": "widget", "url": f"{req.prefix}/items/{key}"}


def basic_user(req: falcon.Request) -> str:
    user = check_basic(req.auth)
    if user is None:
        raise falcon.HTTPUnauthorized(challenges=[CHALLENGE])
    return user


class Report:
    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        user = basic_user(req)
        resp.media = {"report": name, "user": user}
        resp.cache_control = ["no-store"]
        resp.vary = ["Authorization"]


class Addresses:
    def __init__(self, engine: sa.Engine, table: sa.Table) -> None:
        self.engine, self.table = engine, table

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        page = req.get_param_as_int("page", default=1, min_value=1)
        per_page = req.get_param_as_int("per_page", default=PER_PAGE, min_value=1, max_value=100)
        t = self.table
        with self.engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            rows = conn.execute(
                sa.select(t.c.id, t.c.name, t.c.age)
                .order_by(t.c.id)
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
        base = f"{req.prefix}{req.path}"
        resp.media = [
            {"id": r.id, "name": r.name, "age": r.age, "url": f"{req.prefix}/addresses/{r.id}"}
            for r in rows
        ]
        resp.set_header("X-Total-Count", str(count))
        resp.set_header("Link", page_links(base, page, per_page, count))

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = valid_address(req.get_media())
        if data is None:
            raise falcon.HTTPUnprocessableEntity(title="Invalid address")
        with self.engine.begin() as conn:
            new_id = conn.execute(
                sa.insert(self.table).values(**data, version=1)
            ).inserted_primary_key[0]
        url = f"{req.prefix}/addresses/{new_id}"
        resp.status = falcon.HTTP_201
        resp.location = url
        resp.media = {"id": new_id, **data, "url": url}


def make_app(url: str) -> Any:
    app = falcon.App()
    app.add_route("/items/{key:int}", Item())
    app.add_route("/reports/{name}", Report())
    app.add_route("/addresses/", Addresses(sa.create_engine(url), address_table()))
    return app
