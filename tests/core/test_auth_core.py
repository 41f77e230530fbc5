"""Core authentication and authorization: scheme order, anonymous handlers, deny by
default, permissions per verb and per object, plugin policies."""

from __future__ import annotations

from typing import Any

import pytest

from camshaft import Handler, Identity, hookimpl
from camshaft._kernel.auth.identity import AuthScheme
from camshaft.errors import ConfigurationError, Unauthorized
from camshaft.permissions import authenticated, has_scopes, is_owner, nobody
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

        def delete(self, key: str) -> None:
            self.authorize("DELETE", {"locked": key == "l"})

    client = _app(Locked, plugins=(Policy(),))
    assert client.delete("/locked/l", headers={"X-One": "a"}).status_code == 403
    assert client.delete("/locked/u", headers={"X-One": "a"}).status_code == 204
