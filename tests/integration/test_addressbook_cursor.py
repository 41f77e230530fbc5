"""The address book paged by cursor, 20 a page with Link headers, while another thread
inserts addresses over HTTP: a walk following rel="next" sees every address present from
the start exactly once, never a row inserted behind its position, and rows inserted ahead
of it -- on SQLite, and on PostgreSQL and MariaDB when their URLs are set."""

from __future__ import annotations

import os
import random
import re
import threading
import uuid

import pytest
import sqlalchemy as sa

from camshaft import App
from camshaft.testing import make_client
from examples.addressbook.app import AddressHandler, address_table, seed

SERVERS = {"postgres": "CAMSHAFT_TEST_POSTGRES_URL", "mariadb": "CAMSHAFT_TEST_MARIADB_URL"}


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def app(request, tmp_path):
    """The address book on its own table, paginated by cursor, and its seeded rows
    (id: age)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'addressbook.db'}"
    else:
        url = os.environ.get(SERVERS[request.param])
        if not url:
            pytest.skip(f"{SERVERS[request.param]} is not set; the {request.param} test needs it")
    table = address_table(f"cs_addr_cursor_{uuid.uuid4().hex[:10]}")
    handler = type("AddressHandler", (AddressHandler,), {"source": table, "pagination": "cursor"})
    settings = {"sqlalchemy": {"url": url, "cursor_secret": "x" * 32}}
    application = App([handler], settings=settings, environ={})
    engine = application.stores[handler].engine  # type: ignore[attr-defined]
    seed(engine, table)
    with engine.connect() as conn:
        seeded = dict(conn.execute(sa.select(table.c.id, table.c.age)).all())
    yield application, seeded
    table.drop(engine, checkfirst=True)
    engine.dispose()


def _next(response) -> str | None:
    found = dict(
        (rel, url) for url, rel in re.findall(r'<([^>]*)>; rel="([^"]+)"', response.headers["Link"])
    )
    return found.get("next")


def test_a_walk_sees_every_row_once_while_rows_are_inserted(app) -> None:
    app, seeded = app
    client = make_client(app)
    lowest = min(seeded.values())
    inserted: list[tuple[int, int]] = []  # (age, id) of rows the other thread added
    paced = threading.Semaphore(0)
    stop = threading.Event()
    failures: list[BaseException] = []

    def insert() -> None:
        writer = make_client(app)
        rng = random.Random(6)
        try:
            while not stop.is_set() and len(inserted) < 400:
                # Above the lowest seeded age, which is kept for the row "behind".
                age = rng.randint(lowest + 2, 199)
                created = writer.post("/addresses/", json={"name": "new", "age": age})
                assert created.status_code == 201, created.json
                inserted.append((created.json["age"], created.json["id"]))
                paced.release()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            paced.release(1000)  # never leave the walk waiting

    thread = threading.Thread(target=insert)
    thread.start()
    seen: list[tuple[int, int]] = []
    behind = ahead = None
    url: str | None = "/addresses/?order=age"
    pages = 0
    try:
        while url is not None:
            paced.acquire(timeout=30)  # at least one insert between two pages
            response = client.get(url)
            pages += 1
            assert response.status_code == 200, response.json
            assert len(response.json) <= 20
            seen.extend((row["age"], row["id"]) for row in response.json)
            if behind is None:  # page 1 ended past (lowest age, any older id): behind it
                old = {"name": "old", "age": lowest}
                behind = client.post("/addresses/", json=old).json["id"]
                ahead = client.post("/addresses/", json={"name": "late", "age": 200}).json["id"]
            url = _next(response)
    finally:
        stop.set()
        thread.join()
    assert not failures, failures
    assert len(inserted) >= pages > len(seeded) // 20  # the writer ran all through the walk
    assert seen == sorted(seen) and len(set(seen)) == len(seen)  # in order, no duplicates
    seen_ids = [key for _, key in seen]
    assert set(seeded) <= set(seen_ids)  # none present from the start skipped
    assert behind not in seen_ids and ahead in seen_ids
    assert set(seen_ids) - set(seeded) <= {key for _, key in inserted} | {ahead}


def test_pages_hold_20_with_link_headers(app) -> None:
    app, seeded = app
    client = make_client(app)
    ids = sorted(seeded)
    first = client.get("/addresses/")
    assert [row["id"] for row in first.json] == ids[:20]
    assert first.headers["X-Total-Count"] == str(len(ids))
    second = client.get(_next(first))
    assert [row["id"] for row in second.json] == ids[20:40]
    assert 'rel="prev"' in second.headers["Link"] and 'rel="last"' in second.headers["Link"]
