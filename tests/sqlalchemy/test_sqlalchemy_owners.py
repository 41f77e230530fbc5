"""Issue 18 on every database: a collection shows only what item routes would show, and
a create sets the owner from the identity (owner rules pushed into the SQL WHERE)."""

from __future__ import annotations

from typing import Any

from camshaft.permissions import is_owner
from camshaft.plugin import AuthScheme, Identity, hookimpl
from camshaft.testing import make_client

from .conftest import guarded_table


class HeaderUsers:
    """``X-User: <name>`` is that user; ``X-Client: <name>`` an OAuth-like client."""

    camshaft_name = "headerusers"

    @hookimpl
    def camshaft_auth_schemes(self) -> list[AuthScheme]:
        def authenticate(request: Any) -> Identity | None:
            if (user := request.header("X-User")) is not None:
                return Identity(id=user, scheme="header", kind="user")
            if (client := request.header("X-Client")) is not None:
                return Identity(id=client, scheme="header", kind="client")
            return None

        return [AuthScheme("header", authenticate)]


def test_owner_rules_filter_in_sql_and_create_sets_the_owner(db_url, dropped, disposing) -> None:
    from camshaft.testing import make_app

    from .conftest import engines_of, people_handler

    table = guarded_table()
    dropped.append((db_url, table))
    handler = people_handler(
        table,
        authentication=("header",),
        permissions={"*": is_owner("owner")},
        filters=(),
        ordering=(),
    )
    app = make_app(
        [handler],
        plugins=["sqlalchemy", HeaderUsers()],
        settings={"sqlalchemy": {"url": db_url}},
    )
    disposing.extend(engines_of(app))
    client = make_client(app)
    for user, names in (("alice", ["a1", "a2", "a3"]), ("bob", ["b1", "b2"])):
        for name in names:
            made = client.post("/people/", json={"name": name, "age": 1}, headers={"X-User": user})
            assert made.status_code == 201, made.json
            assert made.json["owner"] == user  # set from the identity
    forged = client.post("/people/", json={"name": "x", "owner": "bob"}, headers={"X-User": "eve"})
    assert forged.status_code in (400, 403)  # read-only in the model, or another owner
    alice = client.get("/people/?per_page=100", headers={"X-User": "alice"})
    assert sorted(r["name"] for r in alice.json) == ["a1", "a2", "a3"]
    assert alice.headers["X-Total-Count"] == "3"
    page = client.get("/people/?per_page=1&page=2", headers={"X-User": "bob"})
    assert [r["name"] for r in page.json] == ["b2"] and page.headers["X-Total-Count"] == "2"
    # A client called "alice" is not the user alice: it owns nothing and sees nothing.
    assert client.get("/people/", headers={"X-Client": "alice"}).json == []
    other = alice.json[0]["id"]
    assert client.get(f"/people/{other}", headers={"X-User": "bob"}).status_code == 403
