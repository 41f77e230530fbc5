"""Contract suites every plugin of a capability must pass.

Subclass one in your plugin's tests and fill in the class attributes or fixtures it
asks for; pytest collects the inherited tests (name your subclass ``Test...``)::

    class TestYamlEmitter(EmitterContract):
        plugins = ("yaml",)
        format = "yaml"
        media_type = "application/yaml"

The emitter contract's property tests use hypothesis (a test dependency, like pytest).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis.strategies import SearchStrategy

from camshaft._kernel.app import App
from camshaft._kernel.emission.descriptors import EmitContext
from camshaft._kernel.handler import Handler
from camshaft._kernel.stores.base import (
    MAX_IN_VALUES,
    Filter,
    Query,
    Search,
    Store,
    StoreBackend,
)
from camshaft.errors import Conflict, NotFound, PreconditionFailed
from camshaft.models import IntegerField, Model, StringField
from camshaft.testing import make_app, make_client, samples
from camshaft.testing.samples import PLAIN_SAMPLE

__all__ = ["AuthContract", "EmitterContract", "GuardedModel", "StoreContract"]


class GuardedModel(Model):
    """The model of :meth:`StoreContract.guarded_store`: ``owner`` is read-only, and the
    rows' ``secret`` member lies outside it (a client can neither read it through a
    field nor write it)."""

    fields = [
        IntegerField("id", read_only=True),
        StringField("name", required=False),
        IntegerField("age", required=False),
        StringField("owner", read_only=True),
    ]


class _Sample(Handler):
    resource_name = "samples"

    def read(self, key: str | None = None) -> Any:
        if key is None:
            return [dict(PLAIN_SAMPLE, id=i) for i in range(3)]
        return PLAIN_SAMPLE

    def create(self, data: Any) -> Any:
        return ({"received": data}, 200)


@pytest.mark.camshaft_contract
class EmitterContract:
    """What every emitter (and its parser, when ``parses`` is true) must do."""

    #: Entry-point names of the plugins the app under test loads (``("yaml",)``).
    plugins: ClassVar[tuple[str, ...]] = ()
    #: The emitter's ``format``, as in ``?format=``.
    format: ClassVar[str] = ""
    #: The emitter's media type, which its parser (when ``parses``) accepts too.
    media_type: ClassVar[str] = ""
    #: Whether the plugin registers a parser for ``media_type``; False skips the
    #: round-trip, posted-body and garbage-body tests (an emit-only format).
    parses: ClassVar[bool] = True
    #: Whether the format carries None, bools and floats as themselves (CSV does not).
    typed: ClassVar[bool] = True
    #: Whether the parser always returns a list of items, a single object emitted being
    #: a list of one (CSV rows, NDJSON lines).
    parses_to_list: ClassVar[bool] = False

    #: Values the format must carry unchanged: what is emitted parses back equal. Narrow
    #: it when the format carries less (build one with :mod:`camshaft.testing.samples`).
    values: ClassVar[SearchStrategy[Any]] = samples.VALUES
    #: Collections (lists of items) the format must stream and carry unchanged; a
    #: ``parses_to_list`` format round-trips these instead of ``values``.
    collections: ClassVar[SearchStrategy[list[Any]]] = samples.RECORDS
    #: How many examples the round-trip and the streaming properties try.
    round_trip_examples: ClassVar[int] = 200
    stream_examples: ClassVar[int] = 50

    #: A Markdown page showing the bytes :data:`camshaft.testing.samples.SAMPLE` emits
    #: as, in the block fenced with ``sample_fence`` right after a ``<!-- sample-output
    #: -->`` line; when set, the contract checks the page tells the truth.
    sample_doc: ClassVar[Path | None] = None
    sample_fence: ClassVar[str] = "text"

    def documented_bytes(self, block: str) -> bytes:
        """The bytes the documented block's text stands for: by default the text in UTF-8,
        each line with its ``\\n``. Override it for a format whose bytes do not end in a
        line break (``block.removesuffix("\\n").encode()``), that ends lines with CRLF,
        or that is documented in hex (``bytes.fromhex(block)``)."""
        return block.encode("utf-8")

    @pytest.fixture
    def app(self) -> App:
        return make_app([_Sample], plugins=self.plugins)

    @pytest.fixture
    def emitter(self, app: App) -> Any:
        return app.emitters[self.format]

    def test_emitter_is_registered_under_its_format(self, app: App) -> None:
        assert app.emitters[self.format].media_type == self.media_type

    def test_format_query_selects_the_emitter(self, app: App) -> None:
        response = make_client(app).get(f"/samples/7?format={self.format}")
        assert response.status_code == 200
        assert response.mimetype == self.media_type
        assert response.data

    def test_accept_header_selects_the_emitter(self, app: App) -> None:
        accept = f"application/json;q=0.1, {self.media_type}"
        response = make_client(app).get("/samples/7", headers={"Accept": accept})
        assert response.mimetype == self.media_type
        assert "Accept" in response.headers["Vary"]

    def test_errors_are_problem_documents_in_the_format(self, app: App) -> None:
        response = make_client(app).get(f"/nowhere?format={self.format}")
        assert response.status_code == 404
        assert self.format in (response.mimetype or "") or response.mimetype == self.media_type

    def test_round_trip(self, app: App, emitter: Any) -> None:
        if not self.parses:
            pytest.skip("emit-only format")
        body = emitter.emit(PLAIN_SAMPLE, EmitContext())
        parsed = app.parse_body(self.media_type, body)
        if self.parses_to_list:
            assert isinstance(parsed, list) and len(parsed) == 1
            parsed = parsed[0]
        if self.typed:
            assert parsed == PLAIN_SAMPLE
        else:
            assert set(parsed) >= {"id", "title"}

    def test_posted_body_is_parsed(self, app: App, emitter: Any) -> None:
        if not self.parses:
            pytest.skip("emit-only format")
        body = emitter.emit({"title": "x"}, EmitContext())
        response = make_client(app).post(
            "/samples/",
            data=body,
            headers={"Content-Type": self.media_type, "Accept": "application/json"},
        )
        assert response.status_code == 200, response.data
        received = [{"title": "x"}] if self.parses_to_list else {"title": "x"}
        assert response.json == {"received": received}

    def test_garbage_body_is_400_not_500(self, app: App) -> None:
        if not self.parses:
            pytest.skip("emit-only format")
        response = make_client(app).post(
            "/samples/", data=b"\xff\xfe\x00{[<", headers={"Content-Type": self.media_type}
        )
        assert response.status_code == 400

    def test_collection_streams_match_whole_emission(self, emitter: Any) -> None:
        if emitter.stream is None:
            pytest.skip("format does not stream")
        items = [dict(PLAIN_SAMPLE, id=i) for i in range(5)]
        ctx = EmitContext(many=True)
        assert b"".join(emitter.stream(iter(items), ctx)) == emitter.emit(items, ctx)

    # The properties below run hypothesis inside the test, so that a format's own
    # ``values``, ``collections`` and example counts (class attributes) take effect; the
    # suite's profile still applies to every setting not named here.

    def test_what_is_emitted_parses_back(self, app: App, emitter: Any) -> None:
        if not self.parses:
            pytest.skip("emit-only format")
        many = self.parses_to_list
        ctx = EmitContext(many=many)
        strategy = self.collections if many else self.values

        @settings(max_examples=self.round_trip_examples)
        @given(strategy)
        def emitted_parses_back(value: Any) -> None:
            assert app.parse_body(self.media_type, emitter.emit(value, ctx)) == value

        emitted_parses_back()

    def test_streamed_collections_parse_back(self, app: App, emitter: Any) -> None:
        if emitter.stream is None:
            pytest.skip("format does not stream")
        ctx = EmitContext(many=True)

        @settings(max_examples=self.stream_examples)
        @given(self.collections)
        def streamed_is_whole(items: list[Any]) -> None:
            body = b"".join(emitter.stream(iter(items), ctx))
            assert body == emitter.emit(items, ctx)
            if self.parses:
                assert app.parse_body(self.media_type, body) == items

        streamed_is_whole()

    def test_documented_bytes_are_the_emitted_bytes(self, emitter: Any) -> None:
        if self.sample_doc is None:
            pytest.skip("no documented sample (set sample_doc)")
        block = samples.documented_sample(self.sample_doc, self.sample_fence)
        assert emitter.emit(samples.SAMPLE, EmitContext()) == self.documented_bytes(block)


@pytest.mark.camshaft_contract
class StoreContract:
    """What every store must do. Provide a ``store`` fixture returning an empty store
    for a resource whose key field is ``id`` and whose rows have ``name`` (str) and
    ``age`` (int) members, and may have ``email`` (str, nullable, unique), and a
    ``backend`` fixture returning the :class:`StoreBackend` the store's plugin
    registers (its ``searches`` says whether the search cases run)."""

    @pytest.fixture
    def store(self) -> Store:
        raise NotImplementedError("provide a 'store' fixture")

    @pytest.fixture
    def backend(self) -> StoreBackend | None:
        """The store's :class:`StoreBackend`; None (the default) skips the search cases."""
        return None

    @pytest.fixture
    def guarded_store(self) -> Store:
        """An empty store opened with ``StoreConfig(..., model=GuardedModel)`` whose rows
        hold ``id``, ``name`` (str), ``age`` (int), ``owner`` (str) and ``secret`` (str),
        the last three nullable and without defaults."""
        raise NotImplementedError("provide a 'guarded_store' fixture")

    @staticmethod
    def _data(store: Store, key: str) -> dict[str, Any]:
        record = store.get(key)
        assert record is not None, f"record {key!r} is missing"
        return record.data

    @staticmethod
    def _seed(store: Store, n: int = 5) -> list[str]:
        return [store.create({"name": f"n{i}", "age": i}).key for i in range(n)]

    def test_create_then_get(self, store: Store) -> None:
        record = store.create({"name": "bob", "age": 3})
        got = store.get(record.key)
        assert got is not None and got.data["name"] == "bob" and got.data["age"] == 3
        assert got.version == record.version and record.version is not None

    def test_get_missing_is_none(self, store: Store) -> None:
        assert store.get("999999") is None

    def test_create_with_existing_key_conflicts(self, store: Store) -> None:
        record = store.create({"name": "a", "age": 1})
        with pytest.raises(Conflict):
            store.create({"id": record.data["id"], "name": "b", "age": 2})
        assert self._data(store, record.key)["name"] == "a"

    def test_create_with_a_key_then_replace_and_patch(self, store: Store) -> None:
        """``create(data, key=...)`` names the record; later writes treat it as any other."""
        record = store.create({"name": "a", "age": 1}, key="4242")
        assert record.key == "4242"
        assert str(self._data(store, "4242")["id"]) == "4242"
        store.replace("4242", {"name": "b", "age": 2}, expected_version=record.version)
        patched = store.patch("4242", {"age": 3})
        assert patched.key == "4242"
        assert self._data(store, "4242")["name"] == "b" and self._data(store, "4242")["age"] == 3
        assert str(self._data(store, "4242")["id"]) == "4242"

    def test_replace_changes_version(self, store: Store) -> None:
        record = store.create({"name": "a", "age": 1})
        new = store.replace(record.key, {"name": "b", "age": 2})
        assert new.version != record.version and self._data(store, record.key)["name"] == "b"

    def test_replace_with_stale_version_fails_and_writes_nothing(self, store: Store) -> None:
        record = store.create({"name": "a", "age": 1})
        store.patch(record.key, {"age": 2})
        with pytest.raises(PreconditionFailed):
            store.replace(record.key, {"name": "z", "age": 9}, expected_version=record.version)
        assert self._data(store, record.key)["name"] == "a"

    def test_replace_create_only_refuses_existing(self, store: Store) -> None:
        record = store.create({"name": "a", "age": 1})
        with pytest.raises(PreconditionFailed):
            store.replace(record.key, {"name": "b", "age": 2}, create_only=True)

    def test_patch_keeps_other_fields(self, store: Store) -> None:
        record = store.create({"name": "a", "age": 1})
        store.patch(record.key, {"age": 5}, expected_version=record.version)
        assert self._data(store, record.key) == {**record.data, "age": 5}

    def test_missing_key_writes_are_not_found(self, store: Store) -> None:
        for call in (
            lambda: store.patch("424242", {"age": 1}),
            lambda: store.replace("424242", {"name": "x", "age": 1}),
            lambda: store.delete("424242"),
        ):
            with pytest.raises(NotFound):
                call()

    def test_delete_with_version(self, store: Store) -> None:
        record = store.create({"name": "a", "age": 1})
        with pytest.raises(PreconditionFailed):
            store.delete(record.key, expected_version="not-the-version")
        store.delete(record.key, expected_version=record.version)
        assert store.get(record.key) is None

    def test_list_filters_order_window_and_count(self, store: Store) -> None:
        self._seed(store, 10)
        query = Query(filters=(Filter("age", "gte", 3),), order=(("age", True),))
        assert store.count(query) == 7
        ages = [r.data["age"] for r in store.list(query)]
        assert ages == [9, 8, 7, 6, 5, 4, 3]
        window = Query(query.filters, query.order, offset=2, limit=3)
        assert [r.data["age"] for r in store.list(window)] == [7, 6, 5]

    @pytest.mark.parametrize(
        ("op", "value", "expected"),
        [
            ("eq", 2, [2]),
            ("ne", 2, [0, 1, 3, 4]),
            ("lt", 2, [0, 1]),
            ("lte", 2, [0, 1, 2]),
            ("gt", 2, [3, 4]),
            ("in", [1, 3], [1, 3]),
        ],
        ids=lambda v: str(v),
    )
    def test_filter_operators(self, store: Store, op: str, value: Any, expected: list[int]) -> None:
        self._seed(store, 5)
        query = Query(filters=(Filter("age", op, value),), order=(("age", False),))
        assert [r.data["age"] for r in store.list(query)] == expected

    def test_contains_filter(self, store: Store) -> None:
        self._seed(store, 3)
        query = Query(filters=(Filter("name", "contains", "1"),))
        assert [r.data["name"] for r in store.list(query)] == ["n1"]

    def test_longest_in_filter_is_answered(self, store: Store) -> None:
        # The default CRUD refuses longer lists (400); this long a list must work
        # (SQLite builds before 3.32 allowed only 999 bound parameters).
        self._seed(store, 3)
        values = [2, *range(100, 100 + MAX_IN_VALUES - 1)]
        query = Query(filters=(Filter("age", "in", values),))
        assert store.count(query) == 1
        assert [r.data["age"] for r in store.list(query)] == [2]

    # ------------------------------------------------------------ search

    @staticmethod
    def _searching(store: Store, backend: StoreBackend | None) -> Store:
        if backend is None or not backend.searches:
            pytest.skip(
                "the store's StoreBackend does not declare searches=True (or the test "
                "class provides no 'backend' fixture): handlers cannot search it"
            )
        return store

    @staticmethod
    def _names(store: Store, query: Query) -> list[str]:
        return sorted(r.data["name"] for r in store.list(query))

    @staticmethod
    def _people(store: Store) -> None:
        for age, (name, email) in enumerate(
            [
                ("Ann Lee", "ann@example.org"),
                ("Joanna", "jo@example.net"),
                ("Bob", "LEE@corp.example"),
                ("Zed", None),
            ]
        ):
            store.create({"name": name, "age": age, "email": email})

    @pytest.mark.parametrize(
        ("terms", "expected"),
        [
            (("ann",), ["Ann Lee", "Joanna"]),
            (("ANN", "lee"), ["Ann Lee"]),
            (("lee",), ["Ann Lee", "Bob"]),
            (("example", "net"), ["Joanna"]),
            (("ann", "corp"), []),
            (("nobody",), []),
        ],
        ids=lambda v: " ".join(v) if isinstance(v, tuple) else str(v),
    )
    def test_search_every_term_in_some_field_ignoring_case(
        self, store: Store, backend: StoreBackend | None, terms: tuple[str, ...], expected: Any
    ) -> None:
        store = self._searching(store, backend)
        self._people(store)
        query = Query(search=Search(("name", "email"), terms))
        assert self._names(store, query) == expected
        assert store.count(query) == len(expected)

    def test_search_with_filters_order_window_and_count(
        self, store: Store, backend: StoreBackend | None
    ) -> None:
        store = self._searching(store, backend)
        for i in range(10):
            store.create({"name": f"{'match' if i % 2 else 'other'} {i}", "age": i})
        query = Query(
            filters=(Filter("age", "gte", 3),),
            order=(("age", True),),
            search=Search(("name",), ("MATCH",)),
        )
        assert store.count(query) == 4
        assert [r.data["age"] for r in store.list(query)] == [9, 7, 5, 3]
        window = Query(query.filters, query.order, offset=1, limit=2, search=query.search)
        assert [r.data["age"] for r in store.list(window)] == [7, 5]

    @pytest.mark.parametrize(
        ("term", "expected"),
        [
            ("%", ["100%"]),
            ("_", ["a_b"]),
            ("\\", ["c\\d"]),
            ("/", ["x/y"]),
            ("'", ["o'hara"]),
            ('"', ['say "hi"']),
            ("';", []),
            ("*", []),
            ("[a]", []),
        ],
        ids=repr,
    )
    def test_search_matches_special_characters_literally(
        self, store: Store, backend: StoreBackend | None, term: str, expected: list[str]
    ) -> None:
        store = self._searching(store, backend)
        for age, name in enumerate(["100%", "a_b", "c\\d", "x/y", "o'hara", 'say "hi"', "plain"]):
            store.create({"name": name, "age": age})
        query = Query(search=Search(("name",), (term,)))
        assert self._names(store, query) == expected
        assert store.count(query) == len(expected)

    # ------------------------------------------------------------ many at once

    def test_create_many_stores_every_item(self, store: Store) -> None:
        create_many = getattr(store, "create_many", None)
        if create_many is None:
            pytest.skip("the store has no create_many (the default CRUD creates one by one)")
        records = create_many([{"name": f"m{i}", "age": i} for i in range(3)])
        assert len({r.key for r in records}) == 3
        assert [self._data(store, r.key)["name"] for r in records] == ["m0", "m1", "m2"]

    @pytest.mark.parametrize("clash", ["stored", "repeated"])
    def test_create_many_is_all_or_nothing(self, store: Store, clash: str) -> None:
        create_many = getattr(store, "create_many", None)
        if create_many is None:
            pytest.skip("the store has no create_many (the default CRUD creates one by one)")
        first = store.create({"id": 500, "name": "first", "age": 1})
        taken = first.data["id"] if clash == "stored" else 601
        items = [
            {"id": 600, "name": "new a", "age": 2},
            {"id": 601, "name": "new b", "age": 3},
            {"id": taken, "name": "clash", "age": 4},
        ]
        with pytest.raises(Conflict):
            create_many(items)
        assert store.count(Query()) == 1
        assert [r.data["name"] for r in store.list(Query())] == ["first"]
        assert store.get("600") is None and store.get("601") is None

    # ------------------------------------------------------------ nested resources

    def test_parent_filter_lists_and_finds_only_that_parents_children(self, store: Store) -> None:
        """A nested handler's default CRUD lists ``/parents/1/children/`` as an ``eq``
        filter on the parent field and creates children with it set; here ``age`` plays
        the parent field."""
        mine = [store.create({"name": f"mine {i}", "age": 1}).key for i in range(3)]
        theirs = store.create({"name": "theirs", "age": 2}).key
        of_one = (Filter("age", "eq", 1),)
        assert sorted(r.key for r in store.list(Query(filters=of_one))) == sorted(mine)
        assert store.count(Query(filters=of_one)) == 3
        only = Query(filters=(*of_one, Filter("id", "eq", int(theirs))))
        assert list(store.list(only)) == [] and store.count(only) == 0
        found = Query(filters=(*of_one, Filter("id", "eq", int(mine[0]))))
        assert [r.key for r in store.list(found)] == [mine[0]]

    # ------------------------------------------------------------ what a PUT may touch

    def test_replace_keeps_read_only_and_hidden_members(self, guarded_store: Store) -> None:
        store = guarded_store
        record = store.create({"name": "a", "age": 1, "owner": "alice", "secret": "hash"})
        new = store.replace(record.key, {"name": "b"})
        data = self._data(store, record.key)
        assert (data["name"], data["owner"], data["secret"]) == ("b", "alice", "hash")
        assert data.get("age") is None, "a writable member not sent is reset"
        assert new.data == data

    def test_replace_with_version_keeps_read_only_and_hidden_members(
        self, guarded_store: Store
    ) -> None:
        store = guarded_store
        record = store.create({"name": "a", "age": 1, "owner": "alice", "secret": "hash"})
        store.replace(record.key, {"name": "b", "age": 2}, expected_version=record.version)
        data = self._data(store, record.key)
        assert (data["name"], data["age"], data["owner"], data["secret"]) == (
            "b",
            2,
            "alice",
            "hash",
        )

    def test_create_by_replace_leaves_server_members_to_their_defaults(
        self, guarded_store: Store
    ) -> None:
        record = guarded_store.replace("77", {"name": "c", "age": 3}, create_only=True)
        data = self._data(guarded_store, record.key)
        assert (data["name"], data["age"]) == ("c", 3)
        assert data.get("owner") is None and data.get("secret") is None


@pytest.mark.camshaft_contract
class AuthContract:
    """What every authentication scheme must do. Fill in ``plugins``, ``scheme``,
    ``settings`` and the two credential fixtures."""

    plugins: ClassVar[tuple[str, ...]] = ()
    scheme: ClassVar[str] = ""
    settings: ClassVar[Mapping[str, Any]] = {}
    #: the auth-scheme word the 401 challenge starts with ("Basic", "Digest", "Bearer").
    challenge_prefix: ClassVar[str] = ""
    #: more attributes of the protected handler (``{"scopes": ["read"]}`` for schemes
    #: whose identities need declared scopes).
    handler_attrs: ClassVar[Mapping[str, Any]] = {}

    @pytest.fixture
    def good_headers(self) -> Callable[[str, str], dict[str, str]]:
        """A function (method, path) -> headers carrying valid credentials."""
        raise NotImplementedError

    @pytest.fixture
    def bad_headers(self) -> Callable[[str, str], dict[str, str]]:
        """A function (method, path) -> headers carrying this scheme's wrong credentials."""
        raise NotImplementedError

    @pytest.fixture
    def app(self) -> App:
        scheme = self.scheme

        class Protected(Handler):
            resource_name = "protected"
            authentication = (scheme,)

            def read(self, key: str) -> Any:
                return {"id": key, "who": self.identity.id, "scheme": self.identity.scheme}

        for name, value in self.handler_attrs.items():
            setattr(Protected, name, value)
        return make_app([Protected], plugins=self.plugins, settings=self.settings)

    def test_no_credentials_is_401_with_challenge(self, app: App) -> None:
        response = make_client(app).get("/protected/1")
        assert response.status_code == 401
        challenges = response.headers.getlist("WWW-Authenticate")
        assert any(c.startswith(self.challenge_prefix) for c in challenges)
        assert response.mimetype == "application/problem+json"

    def test_good_credentials_give_an_identity(self, app: App, good_headers: Any) -> None:
        response = make_client(app).get("/protected/1", headers=good_headers("GET", "/protected/1"))
        assert response.status_code == 200, response.data
        body = response.json
        assert body is not None and body["who"] and body["scheme"] == self.scheme
        assert response.headers["Cache-Control"] == "no-store"
        assert "Authorization" in response.headers["Vary"]

    def test_bad_credentials_are_401(self, app: App, bad_headers: Any) -> None:
        response = make_client(app).get("/protected/1", headers=bad_headers("GET", "/protected/1"))
        assert response.status_code == 401
        assert b"Traceback" not in response.data

    def test_credentials_in_query_string_are_ignored(self, app: App, good_headers: Any) -> None:
        headers = good_headers("GET", "/protected/1")
        query = "&".join(f"{k}={v}" for k, v in headers.items()).replace(" ", "+")
        response = make_client(app).get(f"/protected/1?{query}&access_token=x&api_key=x")
        assert response.status_code == 401
