"""Camshaft: three handlers, the SQLAlchemy store's default CRUD for addresses.

Only the plugins the scenarios use are loaded (autoload off), as when only
``camshaft-sqlalchemy`` and ``camshaft-httpauth`` are installed.
"""

from __future__ import annotations

from typing import Any

import camshaft_httpauth
import camshaft_sqlalchemy
from camshaft import App, Handler
from camshaft.models import IntegerField, Model, StringField

from . import USERS, address_table


class ItemHandler(Handler):
    resource_name = "items"
    key_pattern = r"\d{1,18}"
    allowed_methods = ("GET",)

    def read(self, key: str) -> dict[str, Any]:
        return {"id": int(key), "name": "widget"}


class ReportHandler(Handler):
    routes = ("/reports/<name>",)
    automatic_routes = False
    authentication = ("basic",)

    def read(self, name: str) -> dict[str, Any]:
        return {"report": name, "user": self.identity.id}


class AddressModel(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("name", required=True, min_length=1, max_length=100),
        IntegerField("age", required=True, minimum=0, maximum=200),
    ]


class ClearTextUsers:
    """A user source with clear-text passwords (see ``bench.apps.USERS``)."""

    def password(self, username: str) -> str | None:
        return USERS.get(username)


def make_app(url: str) -> App:
    class AddressHandler(Handler):
        resource_name = "addresses"
        key_pattern = r"\d{1,18}"
        store = "sqlalchemy"
        source = address_table()
        model = AddressModel

    return App(
        [ItemHandler, ReportHandler, AddressHandler],
        settings={
            "plugins": {"autoload": False},
            "sqlalchemy": {"url": url},
            "httpauth": {"source": ClearTextUsers()},
        },
        plugins=[("sqlalchemy", camshaft_sqlalchemy), ("httpauth", camshaft_httpauth)],
        environ={},
    )
