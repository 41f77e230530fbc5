"""Compare-and-swap under contention: 50 concurrent PATCHes carrying the same If-Match
give exactly one success and 49 x 412, and the row holds the winner's write."""

from __future__ import annotations

import threading

from camshaft._kernel.handler import Handler
from camshaft.testing import make_app, make_client

from .conftest import engines_of, people_table

WRITERS = 50


def test_one_writer_wins(db_url, dropped, disposing) -> None:
    table = people_table()
    dropped.append((db_url, table))
    handler = type(
        "PeopleHandler",
        (Handler,),
        {"resource_name": "people", "store": "sqlalchemy", "source": table},
    )
    app = make_app(
        [handler],
        plugins=["sqlalchemy"],
        settings={"sqlalchemy": {"url": db_url, "pool_size": 10, "max_overflow": 45}},
    )
    disposing.extend(engines_of(app))
    created = make_client(app).post("/people/", json={"name": "a", "age": 0})
    etag = created.headers["ETag"]
    barrier = threading.Barrier(WRITERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def write(age: int) -> None:
        client = make_client(app)
        barrier.wait()
        response = client.patch("/people/1", json={"age": age}, headers={"If-Match": etag})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=write, args=(i + 1,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [412] * (WRITERS - 1)
    final = make_client(app).get("/people/1")
    assert final.headers["ETag"].startswith('"2~') and final.json["age"] >= 1
