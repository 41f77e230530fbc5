"""Core authentication and authorization: scheme order, anonymous handlers, deny by
default, permissions per verb and per object, plugin policies."""

from __future__ import annotations

from typing import Any

import pytest

from camshaft import Handler, Identity, hookimpl
from camshaft._kernel.auth.identity import AuthScheme
from camshaft.errors import ConfigurationError, Unauthorized
from camshaft.permissions import authenticated, has_scopes, is_owner, nobody, object_rule
from camshaft.testing import make_app, make_client


def _token_scheme(name: str, header: str, identity_id: str | None = "from-header") -> AuthScheme:
    """Not mine without ``header``; rejected when it says 'bad'; else accepted."""

    def authenticate(request: Any) -> Identity | None:
        value = request.header(header)
        if value is None:
            return None
        if value == "bad":
            raise Unauthorized("Invalid token.")
        who = value if identity_id == "from-header" else identity_id
        return Identity(id=who, scheme=name, scopes=frozenset({"read"}))

    return AuthScheme(name, authenticate, lambda request: f'{name.title()} realm="test"')


class SchemesPlugin:
    camshaft_name = "testschemes"

    @hookimpl
    def camshaft_auth_schemes(self) -> list[AuthScheme]:
        return [
            _token_scheme("one", "X-One"),
            _token_scheme("two", "X-Two"),
            _token_scheme("nameless", "X-Nameless", identity_id=None),
        ]


def _app(*handlers: type[Handler], settings: dict | None = None, plugins: tuple = ()) -> Any:
    return make_client(
        make_app(list(handlers), plugins=[SchemesPlugin(), *plugins], settings=settings)
    )


POSTS = {"p1": {"slug": "p1", "owner": "alice"}}


class Public(Handler):
    resource_name = "public"

    def read(self, key: str) -> Any:
        return {"who": self.identity.id}


class TwoSchemes(Handler):
    resource_name = "things"
    authentication = ("one", "two")

    def read(self, key: str) -> Any:
        return {"who": self.identity.id, "scheme": self.identity.scheme}


class AnonymousPost(Handler):
    allowed_methods = ("GET",)

    def read(self, key: str) -> Any:
        return {"anonymous": True}


class Post(Handler):
    resource_name = "posts"
    authentication = ("one",)
    anonymous = AnonymousPost
    permissions = {"DELETE": is_owner("owner"), "*": authenticated}

    def read(self, key: str) -> Any:
        return {"anonymous": False, "who": self.identity.id}

    def update(self, key: str, data: Any) -> Any:
        return data

    def delete(self, key: str) -> None:
        self.authorize("delete", POSTS[key])


def test_open_resource_needs_nothing() -> None:
    response = _app(Public).get("/public/1")
    assert response.status_code == 200 and response.json == {"who": None}
    assert "Authorization" not in response.headers["Vary"]


def test_no_credentials_gives_one_challenge_per_scheme_in_order() -> None:
    response = _app(TwoSchemes).get("/things/1")
    assert response.status_code == 401
    assert response.headers.getlist("WWW-Authenticate") == ['One realm="test"', 'Two realm="test"']
    assert response.mimetype == "application/problem+json"


def test_second_scheme_is_tried_when_the_first_is_not_concerned() -> None:
    response = _app(TwoSchemes).get("/things/1", headers={"X-Two": "bob"})
    assert response.json == {"who": "bob", "scheme": "two"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Authorization" in response.headers["Vary"]


def test_first_accepting_scheme_wins() -> None:
    response = _app(TwoSchemes).get("/things/1", headers={"X-One": "ann", "X-Two": "bob"})
    assert response.json == {"who": "ann", "scheme": "one"}


def test_rejection_stops_and_lists_every_challenge() -> None:
    response = _app(TwoSchemes).get("/things/1", headers={"X-One": "bad", "X-Two": "bob"})
    assert response.status_code == 401
    assert len(response.headers.getlist("WWW-Authenticate")) == 2


def test_auth_default_setting_applies_to_resources_naming_none() -> None:
    client = _app(Public, settings={"auth": {"default": ["two"]}})
    assert client.get("/public/1").status_code == 401
    assert client.get("/public/1", headers={"X-Two": "z"}).json == {"who": "z"}


def test_unknown_scheme_name_fails_the_build() -> None:
    class Broken(Handler):
        authentication = ("nope",)

        def read(self, key: str) -> Any:
            return {}

    with pytest.raises(ConfigurationError, match="nope"):
        make_app([Broken])


def test_identity_without_id_is_denied_by_default() -> None:
    class Nameless(Handler):
        resource_name = "nameless"
        authentication = ("nameless",)

        def read(self, key: str) -> Any:
            return {"reached": True}

    response = _app(Nameless).get("/nameless/1", headers={"X-Nameless": "x"})
    assert response.status_code == 401


def test_naming_the_anonymous_scheme_opts_in_to_anonymous_clients() -> None:
    class Optional(Handler):
        resource_name = "optional"
        authentication = ("one", "anonymous")

        def read(self, key: str) -> Any:
            return {"who": self.identity.id}

    client = _app(Optional)
    assert client.get("/optional/1").json == {"who": None}
    assert client.get("/optional/1", headers={"X-One": "ann"}).json == {"who": "ann"}


def test_anonymous_handler_serves_clients_without_credentials() -> None:
    response = _app(Post).get("/posts/p1")
    assert response.status_code == 200 and response.json == {"anonymous": True}


def test_anonymous_handler_does_not_serve_methods_it_lacks() -> None:
    response = _app(Post).put("/posts/p1", json={"a": 1})
    assert response.status_code == 401
    assert response.headers.getlist("WWW-Authenticate") == ['One realm="test"']


def test_authenticated_clients_get_the_real_handler() -> None:
    response = _app(Post).get("/posts/p1", headers={"X-One": "bob"})
    assert response.json == {"anonymous": False, "who": "bob"}


def test_per_object_check_refuses_non_owner_with_403() -> None:
    response = _app(Post).delete("/posts/p1", headers={"X-One": "bob"})
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_per_object_check_lets_owner_through() -> None:
    assert _app(Post).delete("/posts/p1", headers={"X-One": "alice"}).status_code == 204


def test_hide_forbidden_turns_object_refusal_into_404() -> None:
    client = _app(Post, settings={"auth": {"hide_forbidden": True}})
    assert client.delete("/posts/p1", headers={"X-One": "bob"}).status_code == 404


def test_verb_not_covered_by_permissions_is_refused() -> None:
    class ReadOnlyRules(Handler):
        resource_name = "rules"
        authentication = ("one",)
        permissions = {"GET": authenticated}

        def read(self, key: str) -> Any:
            return {}

        def delete(self, key: str) -> None:
            return None

    client = _app(ReadOnlyRules)
    assert client.get("/rules/1", headers={"X-One": "a"}).status_code == 200
    assert client.delete("/rules/1", headers={"X-One": "a"}).status_code == 403


def test_permission_lists_must_all_pass() -> None:
    class Scoped(Handler):
        resource_name = "scoped"
        authentication = ("one",)
        permissions = {"read": [authenticated, has_scopes("read")], "DELETE": nobody}

        def read(self, key: str) -> Any:
            return {}

        def delete(self, key: str) -> None:
            return None

    client = _app(Scoped)
    assert client.get("/scoped/1", headers={"X-One": "a"}).status_code == 200
    assert client.delete("/scoped/1", headers={"X-One": "a"}).status_code == 403


def test_permissions_on_an_open_resource_refuse_with_403() -> None:
    class Closed(Handler):
        resource_name = "closed"
        permissions = nobody

        def read(self, key: str) -> Any:
            return {}

    assert _app(Closed).get("/closed/1").status_code == 403


def test_bad_permissions_fail_the_build() -> None:
    class Bad(Handler):
        permissions = {"FETCH": authenticated}

        def read(self, key: str) -> Any:
            return {}

    with pytest.raises(ConfigurationError, match="FETCH"):
        make_app([Bad])


def test_anonymous_must_be_a_handler_class() -> None:
    class Bad(Handler):
        authentication = ("anonymous",)
        anonymous = "AnonymousBad"

        def read(self, key: str) -> Any:
            return {}

    with pytest.raises(ConfigurationError, match="anonymous"):
        make_app([Bad])


class Policy:
    """A plugin policy: nobody named 'mallory' may do anything; objects marked locked
    may not be deleted."""

    camshaft_name = "policy"

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    @hookimpl
    def camshaft_authorize(self, identity: Identity, handler: Any, action: str, obj: Any) -> Any:
        self.calls.append((action, obj))
        assert isinstance(handler, Handler)
        if identity.id == "mallory":
            return False
        if obj is not None and obj.get("locked"):
            return False
        return None


def test_camshaft_authorize_plugin_can_refuse() -> None:
    policy = Policy()
    client = _app(TwoSchemes, plugins=(policy,))
    assert client.get("/things/1", headers={"X-One": "ann"}).status_code == 200
    assert client.get("/things/1", headers={"X-One": "mallory"}).status_code == 403
    assert policy.calls[0] == ("read", None)


def test_camshaft_authorize_sees_objects_checked_by_handlers() -> None:
    class Locked(Handler):
        resource_name = "locked"
        authentication = ("one",)
        permissions = {"*": authenticated}

        def delete(self, key: str) -> None:
            self.authorize("DELETE", {"locked": key == "l"})

    client = _app(Locked, plugins=(Policy(),))
    assert client.delete("/locked/l", headers={"X-One": "a"}).status_code == 403
    assert client.delete("/locked/u", headers={"X-One": "a"}).status_code == 204


# ------------------------------------------- collections follow the object rules (#18)


class Account(Handler):
    resource_name = "accounts"
    authentication = ("one",)
    store = "memory"
    source = [
        {"id": i, "owner": owner, "secret": i % 2 == 0}
        for i, owner in enumerate(["alice", "bob", "alice", "carol", "alice", "bob"] * 10)
    ]
    permissions = {"GET": is_owner("owner"), "*": is_owner("owner")}


def test_collection_shows_only_what_item_routes_would_show_the_user() -> None:
    client = _app(Account)
    listed = client.get("/accounts/?per_page=100", headers={"X-One": "alice"})
    assert listed.status_code == 200
    assert {row["owner"] for row in listed.json} == {"alice"}
    assert listed.headers["X-Total-Count"] == "30"  # the count follows the filter too
    page = client.get("/accounts/?per_page=7&page=2", headers={"X-One": "bob"})
    assert len(page.json) == 7 and {row["owner"] for row in page.json} == {"bob"}
    # What the item route says about one of them agrees.
    assert client.get("/accounts/1", headers={"X-One": "alice"}).status_code == 403


def test_a_client_that_is_no_user_sees_an_empty_collection() -> None:
    class ClientScheme:
        camshaft_name = "clientscheme"

        @hookimpl
        def camshaft_auth_schemes(self) -> list[AuthScheme]:
            def authenticate(request: Any) -> Identity | None:
                who = request.header("X-Client")
                return None if who is None else Identity(id=who, scheme="client", kind="client")

            return [AuthScheme("client", authenticate)]

    class Accounts(Account):
        authentication = ("client",)

    client = _app(Accounts, plugins=(ClientScheme(),))
    # A client named like a user is not that user (identities have kinds).
    response = client.get("/accounts/", headers={"X-Client": "alice"})
    assert response.status_code == 200 and response.json == []
    assert client.get("/accounts/0", headers={"X-Client": "alice"}).status_code == 403


def test_other_object_rules_filter_the_rows_and_refill_the_page() -> None:
    def public_or_own(request: Any, identity: Identity, obj: Any) -> bool:
        return not obj["secret"] or obj["owner"] == identity.id

    class Mixed(Account):
        permissions = {"GET": object_rule(public_or_own), "*": is_owner("owner")}

    client = _app(Mixed)
    rows = client.get("/accounts/?per_page=100", headers={"X-One": "bob"}).json
    assert rows and all(not r["secret"] or r["owner"] == "bob" for r in rows)
    expected = [r for r in Account.source if not r["secret"] or r["owner"] == "bob"]
    assert [r["id"] for r in rows] == [r["id"] for r in expected]
    page = client.get("/accounts/?per_page=5&page=3", headers={"X-One": "bob"})
    assert [r["id"] for r in page.json] == [r["id"] for r in expected[10:15]]
    assert page.headers["X-Total-Count"] == str(len(expected))


def test_filter_collections_can_be_switched_off() -> None:
    client = _app(Account, settings={"auth": {"filter_collections": False}})
    rows = client.get("/accounts/?per_page=100", headers={"X-One": "alice"}).json
    assert {row["owner"] for row in rows} == {"alice", "bob", "carol"}


def test_create_sets_the_owner_from_the_identity() -> None:
    client = _app(Account)
    made = client.post("/accounts/", json={"secret": False}, headers={"X-One": "dora"})
    assert made.status_code == 201 and made.json["owner"] == "dora"
    forged = client.post("/accounts/", json={"owner": "alice"}, headers={"X-One": "dora"})
    assert forged.status_code == 403
    same = client.post("/accounts/", json={"owner": "dora"}, headers={"X-One": "dora"})
    assert same.status_code == 201


# ------------------------------------------------- writes need declared permissions (#18)


class Undeclared(Handler):
    resource_name = "notes"
    authentication = ("one",)
    store = "memory"
    source = [{"id": 1, "text": "hi"}]


def test_without_permissions_reads_are_open_to_users_and_writes_refused(caplog: Any) -> None:
    with caplog.at_level("WARNING", logger="camshaft"):
        client = _app(Undeclared)
    assert "Undeclared names authentication but declares no permissions" in caplog.text
    assert client.get("/notes/1", headers={"X-One": "ann"}).status_code == 200
    for response in (
        client.post("/notes/", json={"text": "x"}, headers={"X-One": "ann"}),
        client.put("/notes/1", json={"text": "x"}, headers={"X-One": "ann"}),
        client.patch("/notes/1", json={"text": "x"}, headers={"X-One": "ann"}),
        client.delete("/notes/1", headers={"X-One": "ann"}),
    ):
        assert response.status_code == 403
        assert "declares no permissions for writes" in response.json["detail"]
    assert client.get("/notes/1", headers={"X-One": "ann"}).json["text"] == "hi"


def test_declaring_authenticated_for_every_verb_opens_writes_to_users() -> None:
    class Declared(Undeclared):
        permissions = {"*": authenticated}

    client = _app(Declared)
    assert client.post("/notes/", json={"text": "x"}, headers={"X-One": "ann"}).status_code == 201
    assert client.post("/notes/", json={"text": "x"}).status_code == 401


def test_a_plugin_policy_may_grant_undeclared_writes() -> None:
    class Grants:
        camshaft_name = "grants"

        @hookimpl
        def camshaft_authorize(self, identity: Identity, action: str) -> bool | None:
            return True if identity.id == "root" else None

    client = _app(Undeclared, plugins=(Grants(),))
    assert client.delete("/notes/1", headers={"X-One": "root"}).status_code == 204
    assert client.delete("/notes/1", headers={"X-One": "ann"}).status_code == 403
