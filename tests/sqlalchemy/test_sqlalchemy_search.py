"""``?search=`` over HTTP on the SQLAlchemy store, on SQLite, PostgreSQL and MariaDB:
the memory store's semantics in SQL (escaped, case-folded LIKE per term), hostile terms
as bound parameters matched literally, search with filters and page counts, the build's
refusals, and PostgreSQL's full-text mode with its index."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from camshaft.errors import ConfigurationError
from camshaft.plugin import Search
from camshaft.testing import make_app, make_client
from camshaft_sqlalchemy import fulltext_index

from .conftest import engines_of, people_handler, people_table, server_url

PEOPLE = [
    ("Ann Lee", "ann@example.org", 30),
    ("Joanna", "jo@example.net", 40),
    ("Bob", "LEE@corp.example", 50),
    ("Zed", None, 50),
    ("Élodie", "e@example.org", 20),
    ("100% o'hara", "a_b@x.example", 60),
    ("back\\slash", "q@x.example", 70),
]


def seeded(app: Any) -> Any:
    client = make_client(app)
    for name, email, age in PEOPLE:
        response = client.post("/people/", json={"name": name, "email": email, "age": age})
        assert response.status_code == 201, response.json
    return client


@pytest.fixture
def client(app_for) -> Any:
    return seeded(app_for(search=("name", "email")))


def names(client: Any, search: str, extra: str = "") -> list[str]:
    response = client.get(f"/people/?search={quote(search)}{extra}")
    assert response.status_code == 200, response.json
    return sorted(item["name"] for item in response.json)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ann", ["Ann Lee", "Joanna"]),
        ("LEE", ["Ann Lee", "Bob"]),
        ("ann lee", ["Ann Lee"]),
        ("example org", ["Ann Lee", "Élodie"]),
        ("Élodie", ["Élodie"]),
        ("nobody", []),
        ("ann nobody", []),
    ],
)
def test_terms_are_found_in_any_searched_member(client: Any, search: str, expected: Any) -> None:
    assert names(client, search) == expected


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("%", ["100% o'hara"]),
        ("_", ["100% o'hara"]),
        ("\\", ["back\\slash"]),
        ("'", ["100% o'hara"]),
        ("'; drop table people; --", []),
        ('"', []),
        ("ünïcødé ☃", []),
        ("a" * 200, []),
    ],
    ids=lambda v: repr(v)[:20],
)
def test_hostile_terms_are_matched_literally(client: Any, search: str, expected: Any) -> None:
    assert names(client, search) == expected
    assert len(client.get("/people/?per_page=100").json) == len(PEOPLE)  # nothing dropped


def test_non_ascii_case_follows_the_database(client: Any, db_url: str) -> None:
    """Case is folded by the database's lower(): SQLite folds ASCII letters only; MariaDB's
    default collations also ignore accents (docs/stores.md says so)."""
    folded = [] if db_url.startswith("sqlite") else ["Élodie"]
    assert names(client, "élodie") == folded
    assert names(client, "elodie") == (["Élodie"] if db_url.startswith("mysql") else [])


def test_a_search_too_long_is_400(client: Any) -> None:
    response = client.get(f"/people/?search={'a' * 201}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_search_filters_and_page_count_all_hold(client: Any) -> None:
    assert names(client, "lee", "&age=50") == ["Bob"]
    response = client.get("/people/?search=EXAMPLE&age__gte=40&per_page=2&order=age")
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "4"  # Joanna, Bob, 100%, back\slash
    assert [item["name"] for item in response.json] == ["Joanna", "Bob"]
    last = client.get("/people/?search=EXAMPLE&age__gte=40&per_page=2&order=age&page=2")
    assert [item["name"] for item in last.json] == ["100% o'hara", "back\\slash"]


def test_search_over_a_column_that_is_not_text_is_refused_at_build(tmp_path) -> None:
    # The core refuses it once the store is open (on SQLite: a failed build leaves a
    # server's engine to the garbage collector).
    handler = people_handler(people_table(), search=("name", "age"))
    settings = {"sqlalchemy": {"url": f"sqlite:///{tmp_path / 'x.db'}"}}
    with pytest.raises(ConfigurationError, match=r"PeopleHandler\.search names 'age'"):
        make_app([handler], plugins=["sqlalchemy"], settings=settings)


# ---------------------------------------------------------------- PostgreSQL full text


def articles_table() -> sa.Table:
    return sa.Table(
        f"cs_{uuid.uuid4().hex[:12]}",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("age", sa.Integer, nullable=False),
        sa.Column("email", sa.String(100)),
    )


@pytest.fixture
def postgres_app(dropped, disposing) -> Any:
    """``postgres_app(table, **store_options)``: an app searching name and email in
    full-text mode on the PostgreSQL server."""
    url = server_url("postgres")

    def build(table: sa.Table, **options: Any) -> Any:
        dropped.append((url, table))
        handler = people_handler(
            table, search=("name", "email"), store_options={"search": "fulltext", **options}
        )
        app = make_app([handler], plugins=["sqlalchemy"], settings={"sqlalchemy": {"url": url}})
        disposing.extend(engines_of(app))
        return app

    return build


@pytest.mark.postgres
def test_fulltext_matches_word_stems_and_counts(postgres_app) -> None:
    table = articles_table()
    client = seeded(postgres_app(table))
    client.post("/people/", json={"name": "She runs every day", "age": 1})
    client.post("/people/", json={"name": "Walking", "email": "quiet walks", "age": 2})
    assert names(client, "running") == ["She runs every day"]
    assert names(client, "walk") == ["Walking"]
    assert names(client, "running walked") == []  # every term must be found
    assert names(client, "'; drop table x; --") == []
    assert names(client, "the") == []  # a stop word alone matches nothing
    response = client.get("/people/?search=run&per_page=1")
    assert response.headers["X-Total-Count"] == "1"


@pytest.mark.postgres
def test_fulltext_index_is_created_and_searched(postgres_app) -> None:
    table = articles_table()
    index = fulltext_index(table, ["name", "email"])
    app = postgres_app(table)
    client = seeded(app)
    client.post("/people/", json={"name": "Runs", "age": 1})
    (engine,) = engines_of(app)
    indexes = {i["name"]: i for i in sa.inspect(engine).get_indexes(table.name)}
    assert index.name in indexes
    with engine.connect() as conn:
        definition = conn.execute(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": index.name}
        ).scalar_one()
    assert "USING gin" in definition and "to_tsvector('english'::regconfig" in definition
    assert names(client, "running") == ["Runs"]
    # The searched expression is the index's: with sequential scans off, the plan uses it.
    (store,) = app.stores.values()
    listing, _, params = store.statements.for_query((), (), Search(("name", "email"), ("run",)))
    compiled = listing.limit(None).offset(None).order_by(None).compile(engine)
    with engine.connect() as conn:
        conn.execute(sa.text("SET enable_seqscan = off"))
        plan = conn.exec_driver_sql(f"EXPLAIN {compiled}", {**compiled.params, **params}).all()
    assert index.name in "\n".join(row[0] for row in plan)


@pytest.mark.postgres
def test_fulltext_config_simple_does_not_stem(postgres_app) -> None:
    client = seeded(postgres_app(articles_table(), search_config="simple"))
    client.post("/people/", json={"name": "She runs", "age": 1})
    assert names(client, "running") == []
    assert names(client, "RUNS") == ["She runs"]


def test_fulltext_is_refused_outside_postgresql(app_for, db_url: str) -> None:
    if db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL has full-text search")
    with pytest.raises(ConfigurationError, match="search='fulltext' needs PostgreSQL"):
        app_for(search=("name",), options={"search": "fulltext"})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"search": "fuzzy"}, "'sqlalchemy.search' has invalid value 'fuzzy'"),
        ({"search_config": "english'; drop"}, "is not a text search configuration name"),
    ],
)
def test_bad_search_options_fail_the_build(app_for, options: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        app_for(search=("name",), options=options)
