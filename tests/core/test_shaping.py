"""Shaping: fields, exclude, nested and computed members, ?fields=, links, objects."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import re
import sqlite3
import uuid
from collections import namedtuple
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder

from camshaft import EmitContext, Emitter, Handler, hookimpl
from camshaft._kernel.request import Request
from camshaft._kernel.shaping.representation import MaxDepthError
from camshaft._kernel.shaping.shaper import columns_for, shaper_for, to_plain
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client

# ---------------------------------------------------------------- objects used below


@dataclasses.dataclass
class Author:
    username: str
    first_name: str
    password: str = "hunter2"
    _internal: int = 0


class Plain:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)
        self._secret = "hidden"

    def method(self) -> str:
        return "not data"


class Slotted:
    __slots__ = ("_private", "name", "size")

    def __init__(self, name: str, size: int) -> None:
        self.name, self.size, self._private = name, size, "x"


Point = namedtuple("Point", "x y")


class Colour(enum.Enum):
    RED = "red"


def post(**over: Any) -> dict[str, Any]:
    data = {
        "id": 1,
        "title": "Hello",
        "content": "Hello, world",
        "private_notes": "do not show",
        "author": Author("ann", "Ann"),
        "tags": [{"name": "a", "private_rank": 1}, {"name": "b", "private_rank": 2}],
    }
    data.update(over)
    return data


def request_for(query: str = "", path: str = "/x") -> Request:
    app = make_app([])
    return Request(EnvironBuilder(path=path, query_string=query).get_environ(), app, path)


def shape(handler: type, obj: Any, query: str = "") -> Any:
    """Shape one object as the handler would, without links (no app routes given)."""
    fn, _ = shaper_for(handler).bind(request_for(query))
    return fn(obj)


# ---------------------------------------------------------------- handlers


class PostHandler(Handler):
    fields = (
        "id",
        "title",
        ("author", ("username", "first_name")),
        ("tags", ("name",)),
        "content_size",
    )
    exclude = ("password", re.compile(r"^private_"))

    @classmethod
    def content_size(cls, obj: Any) -> int:
        return len(obj["content"])

    def read(self, key: str | None = None) -> Any:
        if key is None:
            return [post(id=1), post(id=2)]
        return post(id=int(key))


class OpenHandler(Handler):
    """No fields declared: every member but the excluded ones."""

    resource_name = "opens"
    exclude = ("password", re.compile(r"^private_"))

    def read(self, key: str | None = None) -> Any:
        if key is None:
            return iter([post(id=1), post(id=2)])
        return post(id=key)


# ---------------------------------------------------------------- fields


def test_declared_fields_come_out_in_declared_order_with_nested_and_computed_members():
    assert shape(PostHandler, post()) == {
        "id": 1,
        "title": "Hello",
        "author": {"username": "ann", "first_name": "Ann"},
        "tags": [{"name": "a"}, {"name": "b"}],
        "content_size": 12,
    }
    assert list(shape(PostHandler, post())) == ["id", "title", "author", "tags", "content_size"]


class Computed(Handler):
    fields = ("id", "by_class", "by_static", "by_method")

    @classmethod
    def by_class(cls, obj: Any) -> str:
        return f"{cls.__name__}:{obj['id']}"

    @staticmethod
    def by_static(obj: Any) -> int:
        return obj["id"] * 10

    def by_method(self, obj: Any) -> str:
        return f"{self.request.path}:{obj['id']}"


def test_computed_members_may_be_classmethods_staticmethods_or_methods_seeing_the_request():
    assert shape(Computed, {"id": 3, "by_class": "data is ignored"}) == {
        "id": 3,
        "by_class": "Computed:3",
        "by_static": 30,
        "by_method": "/x:3",
    }


def test_a_computed_member_may_return_an_object_which_is_made_plain():
    class H(Handler):
        fields = ("who",)

        @staticmethod
        def who(obj: Any) -> Author:
            return Author("bob", "Bob")

    assert shape(H, {}) == {"who": {"username": "bob", "first_name": "Bob", "password": "hunter2"}}


def test_names_of_handler_actions_are_read_as_data_not_called():
    class H(Handler):
        fields = ("read", "title")

        def read(self) -> Any:
            return None

    assert shape(H, {"read": True, "title": "t"}) == {"read": True, "title": "t"}


def test_a_declared_member_the_object_lacks_is_left_out():
    assert shape(PostHandler, {"id": 9, "content": ""}) == {"id": 9, "content_size": 0}


def test_a_related_object_that_is_none_stays_none():
    assert shape(PostHandler, post(author=None))["author"] is None


def test_an_empty_nested_spec_means_the_whole_related_object_minus_exclusions():
    class H(Handler):
        fields = ("id", ("author", ()))
        exclude = ("password",)

    assert shape(H, post()) == {"id": 1, "author": {"username": "ann", "first_name": "Ann"}}


def test_nested_specs_apply_to_each_item_of_a_related_list_and_to_generators():
    out = shape(PostHandler, post(tags=(t for t in [Plain(name="x", rank=1)])))
    assert out["tags"] == [{"name": "x"}]


def test_methods_of_objects_are_never_emitted_as_data():
    class H(Handler):
        fields = ("name", "method")

    assert shape(H, Plain(name="n")) == {"name": "n"}


def test_no_declaration_emits_every_public_member_without_the_excluded_ones_at_any_depth():
    assert shape(OpenHandler, post()) == {
        "id": 1,
        "title": "Hello",
        "content": "Hello, world",
        "author": {"username": "ann", "first_name": "Ann"},
        "tags": [{"name": "a"}, {"name": "b"}],
    }


def test_columns_follow_the_declared_fields_with_dotted_paths_for_nested_members():
    assert columns_for(PostHandler) == (
        "id",
        "title",
        "author.username",
        "author.first_name",
        "tags.name",
        "content_size",
    )
    assert columns_for(OpenHandler) is None


@pytest.mark.parametrize(
    ("fields", "exclude", "message"),
    [
        pytest.param("title", (), "must be a tuple", id="a string instead of a tuple is refused"),
        pytest.param(("a", 1), (), "entries are names", id="a non-string entry is refused"),
        pytest.param(("a", "a"), (), "twice", id="a name given twice is refused"),
        pytest.param(("a.b",), (), "usable field name", id="a dotted name is refused"),
        pytest.param(("a", ("b", "c", "d")), (), "entries", id="a triple is refused"),
        pytest.param(("password",), ("password",), "excludes", id="an excluded name is refused"),
        pytest.param(
            ("id", ("author", ("private_x",))),
            (re.compile("^private_"),),
            "excludes",
            id="a nested name matching an exclude pattern is refused",
        ),
        pytest.param(("a",), (42,), "exclude entries", id="an exclude entry of another type"),
        pytest.param(
            ("a",), (re.compile(b"x"),), "exclude entries", id="a bytes pattern is refused"
        ),
    ],
)
def test_malformed_specs_fail_when_the_app_is_built(fields, exclude, message):
    handler = type("Bad", (Handler,), {"fields": fields, "exclude": exclude, "read": lambda s: 1})
    with pytest.raises(ConfigurationError, match=message):
        make_app([handler])


# ---------------------------------------------------------------- objects


class Money:
    """A custom type without attributes: handed to the emitter unchanged."""

    __slots__ = ()


SCALARS = [
    pytest.param(datetime.datetime(2024, 5, 1, 12, 30), id="a datetime passes through"),
    pytest.param(datetime.date(2024, 5, 1), id="a date passes through"),
    pytest.param(datetime.time(12, 30), id="a time passes through"),
    pytest.param(uuid.UUID(int=7), id="a UUID passes through"),
    pytest.param(decimal.Decimal("1.10"), id="a Decimal passes through"),
    pytest.param(Colour.RED, id="an enum member passes through"),
    pytest.param(b"\x00\xff", id="bytes pass through"),
    pytest.param("text", id="a string passes through"),
    pytest.param(None, id="None passes through"),
]


@pytest.mark.parametrize("value", SCALARS)
def test_rich_scalars_reach_the_emitter_as_themselves(value):
    assert shape(OpenHandler, {"v": value})["v"] is value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(bytearray(b"ab"), b"ab", id="a bytearray becomes bytes"),
        pytest.param(memoryview(b"ab"), b"ab", id="a memoryview becomes bytes"),
        pytest.param((1, 2), [1, 2], id="a tuple becomes a list"),
        pytest.param({"b", "a"}, ["a", "b"], id="a set becomes a sorted list"),
        pytest.param(iter([1, 2]), [1, 2], id="an iterator becomes a list"),
        pytest.param(Point(1, 2), {"x": 1, "y": 2}, id="a named tuple becomes an object"),
        pytest.param(Slotted("s", 3), {"name": "s", "size": 3}, id="public slots become members"),
        pytest.param(Plain(a=1), {"a": 1}, id="public attributes become members"),
    ],
)
def test_containers_and_objects_become_plain_data(value, expected):
    assert shape(OpenHandler, {"v": value})["v"] == expected


def test_a_custom_type_without_members_is_left_to_the_emitter():
    money = Money()
    assert shape(OpenHandler, {"v": money})["v"] is money


def test_dataclass_fields_starting_with_an_underscore_are_not_read():
    assert to_plain(Author("a", "b")) == {"username": "a", "first_name": "b", "password": "hunter2"}


def test_sqlite3_rows_are_objects():
    con = sqlite3.connect(":memory:")
    con.row_factory = sqlite3.Row
    row = con.execute("select 1 as id, 'x' as title, 'p' as password").fetchone()

    class H(Handler):
        fields = ("title", "id")

    assert shape(OpenHandler, row) == {"id": 1, "title": "x"}
    assert shape(H, row) == {"title": "x", "id": 1}
    con.close()


def test_reference_cycles_are_a_server_error_not_a_hang():
    a = Plain()
    a.me = a
    with pytest.raises(MaxDepthError):
        to_plain(a)


class TestSqlAlchemy:
    """Rows and mapped instances, when SQLAlchemy is installed (core does not need it)."""

    @pytest.fixture
    def session(self):
        sa = pytest.importorskip("sqlalchemy")
        orm = pytest.importorskip("sqlalchemy.orm")

        class Base(orm.DeclarativeBase):
            pass

        class User(Base):
            __tablename__ = "users"
            id = sa.Column(sa.Integer, primary_key=True)
            username = sa.Column(sa.String)
            password = sa.Column("pw", sa.String)

        class Article(Base):
            __tablename__ = "articles"
            id = sa.Column(sa.Integer, primary_key=True)
            title = sa.Column(sa.String)
            author_id = sa.Column(sa.ForeignKey("users.id"))
            author = orm.relationship(User)

        engine = sa.create_engine("sqlite://")
        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            session.add(Article(id=1, title="T", author=User(id=5, username="u", password="p")))
            session.commit()
            yield sa, session, Article
        engine.dispose()

    def test_core_rows_are_objects_keyed_by_column(self, session):
        sa, s, _ = session
        row = s.execute(sa.text("select id, title from articles")).one()
        assert shape(OpenHandler, row) == {"id": 1, "title": "T"}

    def test_mapped_instances_give_their_columns_and_not_their_relationships(self, session):
        _, s, article = session
        assert shape(OpenHandler, s.get(article, 1)) == {"id": 1, "title": "T", "author_id": 5}

    def test_a_nested_spec_follows_a_relationship_and_exclude_still_applies(self, session):
        _, s, article = session

        class H(Handler):
            fields = ("title", ("author", ("id", "username")))

        class Whole(Handler):
            fields = ("title", ("author", ()))
            exclude = ("password",)

        expected = {"title": "T", "author": {"id": 5, "username": "u"}}
        assert shape(H, s.get(article, 1)) == expected
        assert shape(Whole, s.get(article, 1)) == expected


# ---------------------------------------------------------------- ?fields=


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("fields=title", {"title": "Hello"}, id="one top-level member"),
        pytest.param(
            "fields=title,author.username",
            {"title": "Hello", "author": {"username": "ann"}},
            id="a nested path narrows the related object",
        ),
        pytest.param(
            "fields=author",
            {"author": {"username": "ann", "first_name": "Ann"}},
            id="a nested member asked whole keeps its declared sub-fields",
        ),
        pytest.param(
            "fields=author.username,author",
            {"author": {"username": "ann", "first_name": "Ann"}},
            id="asking for a member whole wins over a narrower path",
        ),
        pytest.param(
            "fields=content_size,id",
            {"id": 1, "content_size": 12},
            id="the declared order is kept whatever order the client asks in",
        ),
        pytest.param(
            "fields=id&fields=title",
            {"id": 1, "title": "Hello"},
            id="the parameter may be repeated",
        ),
        pytest.param("fields=tags.name", {"tags": [{"name": "a"}, {"name": "b"}]}, id="lists"),
    ],
)
def test_clients_may_choose_fewer_fields(query, expected):
    assert shape(PostHandler, post(), query) == expected


@pytest.mark.parametrize(
    ("query", "named"),
    [
        pytest.param("fields=content", "'content'", id="a member the handler leaves out is 400"),
        pytest.param("fields=private_notes", "'private_notes'", id="an excluded member is 400"),
        pytest.param("fields=author.password", "'author.password'", id="an excluded nested 400"),
        pytest.param("fields=title.length", "'title'", id="a path below a leaf is 400"),
        pytest.param("fields=", "names no field", id="an empty selection is 400"),
        pytest.param("fields=author..x", "empty segment", id="an empty path segment is 400"),
        pytest.param("fields=" + ",".join(["id"] * 201), "at most", id="too many names is 400"),
    ],
)
def test_asking_for_a_field_outside_the_spec_is_a_400_naming_it(client_for, query, named):
    response = client_for(PostHandler).get(f"/posts/1?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert named in response.json["detail"]
    assert "do not show" not in response.text and "hunter2" not in response.text


@pytest.mark.parametrize(
    ("query", "status", "expected"),
    [
        pytest.param("fields=title,id", 200, {"title": "Hello", "id": "1"}, id="top-level ok"),
        pytest.param("fields=nothere", 200, {}, id="a name the data lacks is simply absent"),
        pytest.param("fields=private_notes", 400, None, id="an excluded name is 400"),
        pytest.param("fields=password", 400, None, id="an excluded plain name is 400"),
        pytest.param("fields=author.username", 400, None, id="a dotted path is 400"),
    ],
)
def test_without_a_declaration_clients_select_among_top_level_members(
    client_for, query, status, expected
):
    response = client_for(OpenHandler).get(f"/opens/1?{query}")
    assert response.status_code == status
    if expected is not None:
        assert response.json == expected


def test_a_bad_selection_on_a_stream_is_a_400_before_any_byte(client_for):
    response = client_for(OpenHandler).get("/opens/?fields=private_notes")
    assert response.status_code == 400
    assert response.json["status"] == 400


def test_sparse_fields_apply_to_every_item_of_a_streamed_collection(client_for):
    response = client_for(OpenHandler).get("/opens/?fields=id,url")
    assert response.json == [
        {"id": 1, "url": "http://localhost/opens/1"},
        {"id": 2, "url": "http://localhost/opens/2"},
    ]


def test_sparse_fields_apply_inside_a_pagination_envelope(client_for):
    class PagedPostHandler(PostHandler):
        pagination = "page"

    client = client_for(PagedPostHandler, settings={"pagination": {"envelope": True}})
    body = client.get("/paged-posts/?fields=title").json
    assert body["results"] == [{"title": "Hello"}, {"title": "Hello"}]
    assert body["count"] == 2


# ---------------------------------------------------------------- links


def test_items_carry_an_absolute_link_to_themselves(client_for):
    client = client_for(PostHandler)
    assert client.get("/posts/1").json["url"] == "http://localhost/posts/1"
    assert [p["url"] for p in client.get("/posts/").json] == [
        "http://localhost/posts/1",
        "http://localhost/posts/2",
    ]


def test_links_start_at_the_script_root_and_keep_a_version_chosen_in_the_url(client_for):
    client = client_for(PostHandler)
    mounted = client.get("/posts/1", environ_overrides={"SCRIPT_NAME": "/api"})
    assert mounted.json["url"] == "http://localhost/api/posts/1"
    assert client.get("/v1/posts/1").json["url"] == "http://localhost/v1.0/posts/1"


def test_link_keys_are_percent_encoded(client_for):
    class KeyHandler(Handler):
        def read(self, key: str) -> Any:
            return {"id": "a b/c"}

    assert client_for(KeyHandler).get("/keys/x").json["url"] == "http://localhost/keys/a%20b%2Fc"


def test_links_use_the_handlers_key_field_even_when_it_is_not_emitted(client_for):
    class SlugHandler(Handler):
        key_field = "slug"
        fields = ("title",)

        def read(self, key: str) -> Any:
            return {"slug": "first-post", "title": "T"}

    body = client_for(SlugHandler).get("/slugs/x").json
    assert body == {"title": "T", "url": "http://localhost/slugs/first-post"}


class NoLinks(PostHandler):
    resource_name = "quiet"
    links = False


class OnlyCollection(Handler):
    def read(self) -> Any:
        return [{"id": 1}]


class OwnUrl(Handler):
    def read(self, key: str) -> Any:
        return {"id": 1, "url": "https://elsewhere.example/1"}


@pytest.mark.parametrize(
    ("handler", "path", "settings"),
    [
        pytest.param(NoLinks, "/quiet/1", None, id="a handler with links false has none"),
        pytest.param(
            PostHandler,
            "/posts/1",
            {"shaping": {"links": False}},
            id="the shaping.links setting switches them off everywhere",
        ),
        pytest.param(OnlyCollection, "/only-collections/", None, id="no item route no link"),
    ],
)
def test_links_can_be_switched_off_and_need_an_item_route(client_for, handler, path, settings):
    body = client_for(handler, settings=settings).get(path).json
    for item in body if isinstance(body, list) else [body]:
        assert "url" not in item


def test_an_objects_own_url_member_is_never_overwritten_by_the_link(client_for):
    assert client_for(OwnUrl).get("/own-urls/1").json["url"] == "https://elsewhere.example/1"


def test_custom_routes_of_a_handler_without_automatic_routes_carry_no_link(client_for):
    class Custom(Handler):
        automatic_routes = False
        routes = ("/custom/<key>",)

        def read(self, key: str) -> Any:
            return {"id": key}

    assert client_for(Custom).get("/custom/1").json == {"id": "1"}


def test_links_are_selectable_and_left_out_when_a_selection_omits_them(client_for):
    client = client_for(PostHandler)
    assert client.get("/posts/1?fields=id").json == {"id": 1}
    assert client.get("/posts/1?fields=url").json == {"url": "http://localhost/posts/1"}
    assert client.get("/posts/1?fields=url.x").status_code == 400


# ---------------------------------------------------------------- columns to emitters


class ColumnSpy:
    """An emitter plugin recording the EmitContext columns it was given."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, ...] | None] = []

    def emit(self, data: Any, ctx: EmitContext) -> bytes:
        self.seen.append(ctx.columns)
        return b"."

    @hookimpl
    def camshaft_emitters(self) -> list[Emitter]:
        return [Emitter("spy", "application/x-spy", self.emit)]


@pytest.mark.parametrize(
    ("handler", "query", "columns"),
    [
        pytest.param(
            PostHandler,
            "",
            (
                "id",
                "title",
                "author.username",
                "author.first_name",
                "tags.name",
                "content_size",
                "url",
            ),
            id="declared fields give the columns and the link comes last",
        ),
        pytest.param(
            PostHandler,
            "&fields=author.first_name,id",
            ("id", "author.first_name"),
            id="a selection narrows the columns in declared order",
        ),
        pytest.param(OpenHandler, "", None, id="no declaration leaves the columns unknown"),
        pytest.param(
            OpenHandler,
            "&fields=title,id,url",
            ("title", "id", "url"),
            id="a selection without a declaration orders columns as asked",
        ),
    ],
)
def test_tabular_formats_get_the_column_order(handler, query, columns):
    spy = ColumnSpy()
    client = make_client(make_app([handler], plugins=[spy]))
    name = handler.resource_name or "posts"
    assert client.get(f"/{name}/?format=spy{query}").status_code == 200
    assert spy.seen == [columns]
