"""The ``cursor`` paginator of camshaft-sqlalchemy: keyset pages in any ordering (NULLs
and descending keys included), next/prev/first/last links, signed cursors (a tampered,
truncated or foreign one is 400), page sizes, filters, and counting (exact, estimated,
off) -- on SQLite, and on PostgreSQL and MariaDB when their URLs are set."""

from __future__ import annotations

import base64
import datetime
import json
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from camshaft._kernel.handler import Handler
from camshaft.errors import BadRequest, ConfigurationError
from camshaft.testing import make_app, make_client
from camshaft_sqlalchemy.cursor_tokens import AFTER, CursorCodec, Position

from .conftest import engines_of, server_url

SECRET = "s" * 32
NAMES = ["cy", None, "ann", "bob"]
AGES = [30, None, 25, 41, 30]
ROWS = 23


def cursor_table() -> sa.Table:
    """id, nullable name and age, a nullable timestamp, and a version; a unique name."""
    return sa.Table(
        f"cs_cur_{uuid.uuid4().hex[:12]}",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20), nullable=True),
        sa.Column("age", sa.Integer, nullable=True),
        sa.Column("seen", sa.DateTime, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
    )


def handler_for(table, **attrs):
    base = {
        "resource_name": "people",
        "store": "sqlalchemy",
        "source": table,
        "pagination": "cursor",
        "filters": ("age", "name"),
        "ordering": ("id", "age", "name", "seen"),
    }
    base.update(attrs)
    return type("PeopleHandler", (Handler,), base)


@pytest.fixture
def build(db_url, dropped, disposing):
    """build(rows=ROWS, pagination={...}, sqlalchemy={...}) -> (app, client, rows)."""

    def make(rows=ROWS, handlers=None, pagination=None, sqlalchemy=None, environ=None):
        table = cursor_table()
        dropped.append((db_url, table))
        handler = handler_for(table)
        settings = {
            "sqlalchemy": {"url": db_url, "cursor_secret": SECRET, **(sqlalchemy or {})},
            "pagination": {"per_page": 5, **(pagination or {})},
        }
        app = make_app(
            [handler, *(handlers or ())],
            plugins=["sqlalchemy"],
            settings=settings,
            environ=environ or {},
        )
        disposing.extend(engines_of(app))
        store = app.stores[handler]
        start = datetime.datetime(2024, 1, 1, 12, 0, 0)
        created = []
        for i in range(rows):
            data = {
                "name": NAMES[i % len(NAMES)],
                "age": AGES[i % len(AGES)],
                "seen": None if i % 3 == 0 else start + datetime.timedelta(hours=i % 7),
            }
            created.append(store.create(data).data)
        return app, make_client(app), created

    return make


def links(response) -> dict[str, str]:
    found = re.findall(r'<([^>]*)>; rel="([^"]+)"', response.headers.get("Link", ""))
    return {rel: url for url, rel in found}


def ids(response) -> list[int]:
    return [row["id"] for row in response.json]


def expected_order(rows, order: str) -> list[int]:
    """Ids in the promised order: NULLs last ascending, first descending, ties by id."""
    result = sorted(rows, key=lambda r: r["id"])
    for part in reversed([p for p in order.split(",") if p]):
        name = part.lstrip("-")
        # Python's sort is stable also with reverse=True.
        result.sort(
            key=lambda r, n=name: (r[n] is None, 0 if r[n] is None else r[n]),
            reverse=part.startswith("-"),
        )
    return [r["id"] for r in result]


def walk(client, url: str, rel: str = "next") -> tuple[list[list[int]], object]:
    """Follow ``rel`` links from ``url``: the ids of every page and the last response."""
    pages = []
    response = client.get(url)
    while True:
        assert response.status_code == 200, response.json
        pages.append(ids(response))
        if rel not in links(response):
            return pages, response
        response = client.get(links(response)[rel])


ORDERS = ["", "age", "-age", "name,-age", "-name,age", "-seen", "seen,-id"]


@pytest.mark.parametrize("order", ORDERS, ids=lambda o: f"order={o or 'default'}")
def test_next_links_walk_every_row_once_in_order_with_nulls(build, order) -> None:
    _, client, rows = build()
    pages, last = walk(client, f"/people/?order={order}")
    assert [i for page in pages for i in page] == expected_order(rows, order)
    assert all(len(page) == 5 for page in pages[:-1]) and len(pages) == 5
    assert "prev" in links(last) and "next" not in links(last)


@pytest.mark.parametrize("order", ["age", "-name,age"], ids=lambda o: f"order={o}")
def test_prev_links_walk_back_the_same_pages(build, order) -> None:
    _, client, _ = build()
    forward, last = walk(client, f"/people/?order={order}")
    backward, first = walk(client, links(last)["prev"], rel="prev")
    assert backward == list(reversed(forward[:-1]))
    assert "prev" not in links(first) and "next" in links(first)


def test_the_last_link_opens_the_last_page_and_walks_back(build) -> None:
    _, client, rows = build()
    first = client.get("/people/?order=-age")
    assert "prev" not in links(first) and set(links(first)) == {"first", "next", "last"}
    backward, _ = walk(client, links(first)["last"], rel="prev")
    expected = expected_order(rows, "-age")
    assert backward[0] == expected[-5:]
    assert [i for page in reversed(backward) for i in page] == expected


def test_links_keep_filters_and_filters_apply_to_every_page(build) -> None:
    _, client, rows = build()
    pages, _ = walk(client, "/people/?age__gte=30&order=-name&per_page=3")
    matching = [r for r in rows if r["age"] is not None and r["age"] >= 30]
    assert [i for page in pages for i in page] == expected_order(matching, "-name")
    response = client.get("/people/?age__gte=30&order=-name&per_page=3")
    query = parse_qs(urlsplit(links(response)["next"]).query)
    assert query["age__gte"] == ["30"] and query["order"] == ["-name"]
    assert query["per_page"] == ["3"] and len(query["cursor"]) == 1
    assert links(response)["first"].endswith("/people/?age__gte=30&order=-name&per_page=3")


def test_an_empty_collection_is_one_page_without_next_or_prev(build) -> None:
    _, client, _ = build(rows=0)
    response = client.get("/people/")
    assert response.status_code == 200 and response.json == []
    assert set(links(response)) == {"first", "last"}


# ---------------------------------------------------------------------- invalid cursors


def _tamper(url: str, change) -> str:
    token = parse_qs(urlsplit(url).query)["cursor"][0]
    return url.replace(token, change(token))


def _payload_swapped(token: str) -> str:
    payload, mac = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["v"][0] = 0
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{forged}.{mac}"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), id="a changed signature"),
        pytest.param(_payload_swapped, id="a changed value kept its signature"),
        pytest.param(lambda t: t[: len(t) // 2], id="truncated"),
        pytest.param(lambda t: t.split(".")[0], id="without signature"),
        pytest.param(lambda t: t + ".x", id="an extra part"),
        pytest.param(lambda t: "%%%." + t, id="not base64url"),
        pytest.param(lambda t: "A" * 3000, id="too long"),
    ],
)
def test_a_tampered_or_truncated_cursor_is_400(build, change) -> None:
    _, client, _ = build()
    next_url = links(client.get("/people/?order=age"))["next"]
    response = client.get(_tamper(next_url, change))
    assert response.status_code == 400
    assert response.json["title"] == "Invalid cursor"
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_a_cursor_of_another_ordering_or_resource_is_400(build, db_url) -> None:
    other = handler_for(cursor_table(), resource_name="others")
    _, client, _ = build(handlers=[other])
    next_url = links(client.get("/people/?order=age"))["next"]
    token = parse_qs(urlsplit(next_url).query)["cursor"][0]
    assert client.get(f"/people/?order=-age&cursor={token}").status_code == 400
    assert client.get(f"/people/?cursor={token}").status_code == 400
    assert client.get(f"/others/?order=age&cursor={token}").status_code == 400
    assert client.get(f"/people/?order=age&cursor={token}").status_code == 200


def test_an_empty_or_repeated_cursor_parameter_is_400(build) -> None:
    _, client, _ = build()
    next_url = links(client.get("/people/"))["next"]
    token = parse_qs(urlsplit(next_url).query)["cursor"][0]
    assert client.get("/people/?cursor=").status_code == 400
    assert client.get(f"/people/?cursor={token}&cursor={token}").status_code == 400


def test_cursors_hold_across_apps_with_one_secret_and_fail_with_another(build) -> None:
    _, client, _ = build()
    token = parse_qs(urlsplit(links(client.get("/people/"))["next"]).query)["cursor"][0]
    same = CursorCodec(SECRET.encode())
    assert same.decode("/people/?id", token, 1) == Position(AFTER, (5,))
    with pytest.raises(BadRequest, match="malformed"):
        CursorCodec(b"t" * 32).decode("/people/?id", token, 1)


def test_the_secret_comes_through_env_indirection(build) -> None:
    _, client, _ = build(
        sqlalchemy={"cursor_secret": {"$env": "PEOPLE_CURSOR_SECRET"}},
        environ={"PEOPLE_CURSOR_SECRET": "e" * 40},
    )
    token = parse_qs(urlsplit(links(client.get("/people/"))["next"]).query)["cursor"][0]
    assert CursorCodec(b"e" * 40).decode("/people/?id", token, 1) == Position(AFTER, (5,))


def test_a_short_secret_fails_the_start(build) -> None:
    with pytest.raises(ConfigurationError, match="cursor_secret"):
        build(sqlalchemy={"cursor_secret": "short"})


def test_without_a_secret_a_random_one_signs_and_a_warning_is_logged(build, caplog) -> None:
    _, client, _ = build(sqlalchemy={"cursor_secret": ""})
    pages, _ = walk(client, "/people/")
    assert len(pages) == 5
    assert "random per-process secret" in caplog.text


def test_datetime_values_round_trip_through_cursors() -> None:
    codec = CursorCodec(SECRET.encode())
    values = (datetime.datetime(2024, 1, 1, 12, 30), None, "x", 1.5, datetime.date(2020, 2, 2))
    token = codec.encode("scope", Position(AFTER, values))
    assert codec.decode("scope", token, 5) == Position(AFTER, values)
    with pytest.raises(BadRequest, match="malformed"):
        codec.decode("scope", token, 4)


# ---------------------------------------------------------------------- sizes


def test_page_sizes_clamp_or_refuse_like_the_other_paginators(build) -> None:
    _, client, _ = build(pagination={"max_per_page": 7})
    assert len(client.get("/people/?per_page=50").json) == 7
    assert len(client.get("/people/?limit=2").json) == 2
    assert "limit=2" in links(client.get("/people/?limit=2"))["next"]
    for bad in ("per_page=0", "per_page=abc", "limit=-1", "per_page=1.5"):
        assert client.get(f"/people/?{bad}").status_code == 400, bad
    _, strict, _ = build(pagination={"max_per_page": 7, "clamp": False})
    assert strict.get("/people/?per_page=8").status_code == 400


def test_an_order_not_allowed_is_400(build) -> None:
    _, client, _ = build()
    response = client.get("/people/?order=version")
    assert response.status_code == 400


# ---------------------------------------------------------------------- counting


def _statements(app) -> list[str]:
    seen: list[str] = []
    for engine in engines_of(app):
        sa.event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2].lower()))
    return seen


def test_exact_counting_sends_the_total_and_the_envelope_links(build) -> None:
    _, client, _ = build(pagination={"envelope": True})
    body = client.get("/people/?order=age").json
    assert body["count"] == ROWS and len(body["results"]) == 5
    assert "cursor=" in body["next"] and body["previous"] is None
    second = client.get(body["next"]).json
    assert "cursor=" in second["previous"]
    assert client.get(second["previous"]).json["results"] == body["results"]


def test_counting_off_makes_no_count_query(build) -> None:
    app, client, _ = build(pagination={"count": "off"})
    seen = _statements(app)
    response = client.get("/people/?order=-age")
    assert "X-Total-Count" not in response.headers and "next" in links(response)
    assert seen and not any("count(" in statement for statement in seen)
    walk(client, links(response)["next"])
    assert not any("count(" in statement for statement in seen)


def test_estimated_counting_is_exact_without_a_usable_estimate(build) -> None:
    # SQLite and MariaDB have no estimate; PostgreSQL's is below EXACT_BELOW here.
    _, client, rows = build(pagination={"count": "estimated"})
    response = client.get("/people/?age__gte=30")
    assert response.headers["X-Total-Count"] == str(
        sum(1 for r in rows if r["age"] is not None and r["age"] >= 30)
    )


@pytest.mark.postgres
@pytest.mark.parametrize("style", ["cursor", "page", "offset"])
def test_estimated_counting_on_postgresql_uses_the_planner(dropped, disposing, style) -> None:
    url = server_url("postgres")
    table = cursor_table()
    dropped.append((url, table))
    handler = handler_for(table, pagination=style)
    app = make_app(
        [handler],
        plugins=["sqlalchemy"],
        settings={"sqlalchemy": {"url": url}, "pagination": {"count": "estimated"}},
    )
    disposing.extend(engines_of(app))
    engine = engines_of(app)[0]
    with engine.begin() as conn:
        conn.execute(
            sa.insert(table), [{"name": "bob", "age": i % 100, "version": 1} for i in range(5000)]
        )
    with engine.begin() as conn:
        conn.execute(sa.text(f'ANALYZE "{table.name}"'))
    with engine.begin() as conn:  # not analyzed: pg_class still says 5000
        conn.execute(sa.insert(table), [{"name": "bob", "age": 1, "version": 1}] * 10)
    client = make_client(app)
    seen = _statements(app)
    assert client.get("/people/").headers["X-Total-Count"] == "5000"
    assert any("pg_class" in s for s in seen) and not any("count(" in s for s in seen)
    filtered = int(client.get("/people/?age__gte=50").headers["X-Total-Count"])
    assert 2000 <= filtered <= 3000  # about half (2500), from the planner's histogram
    assert any(s.startswith("explain") for s in seen) and not any("count(" in s for s in seen)
    small = client.get("/people/?age=1")  # estimated below 1000 rows: counted exactly
    assert small.headers["X-Total-Count"] == "60"
