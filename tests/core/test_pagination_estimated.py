"""``pagination.count = "estimated"`` in the page and offset paginators: a collection's
optional ``estimate()`` gives the total and the ``last`` link; without one (or when it
returns None) counting is exact; the store collection asks its store."""

from __future__ import annotations

import re

import pytest

from camshaft import Handler
from camshaft._kernel.stores.base import Query
from camshaft._kernel.stores.crud import StoreCollection
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client


class Estimating:
    """45 items whose count is recorded and whose estimate is ``guess``."""

    def __init__(self, guess):
        self.items = [{"id": i} for i in range(45)]
        self.guess = guess
        self.counted = 0

    def count(self):
        self.counted += 1
        return len(self.items)

    def estimate(self):
        return self.guess

    def window(self, offset, limit):
        return self.items[offset : offset + limit]


def client_over(collection, style):
    class Rows(Handler):
        resource_name = "rows"
        pagination = style

        def read(self, key=None):
            return collection

    app = make_app([Rows], settings={"pagination": {"count": "estimated", "per_page": 10}})
    return make_client(app)


def links(response):
    found = re.findall(r'<([^>]*)>; rel="([^"]+)"', response.headers.get("Link", ""))
    return {rel: url for url, rel in found}


@pytest.mark.parametrize("style", ["page", "offset"])
def test_an_estimate_gives_the_total_and_last_link_without_counting(style):
    collection = Estimating(1000)
    client = client_over(collection, style)
    response = client.get("/rows/")
    assert response.headers["X-Total-Count"] == "1000"
    assert links(response)["last"].endswith(
        "page=100&per_page=10" if style == "page" else "offset=990&limit=10"
    )
    assert "next" in links(response)
    # Past the real end the estimate does not invent a next page.
    tail = client.get("/rows/?page=5" if style == "page" else "/rows/?offset=40")
    assert len(tail.json) == 5 and "next" not in links(tail)
    assert collection.counted == 0


@pytest.mark.parametrize("style", ["page", "offset"])
def test_without_an_estimate_the_count_is_exact(style):
    collection = Estimating(None)
    response = client_over(collection, style).get("/rows/")
    assert response.headers["X-Total-Count"] == "45" and collection.counted == 1


def test_a_plain_list_is_counted_exactly():
    class Rows(Handler):
        resource_name = "rows"
        pagination = True

        def read(self, key=None):
            return [{"id": i} for i in range(45)]

    app = make_app([Rows], settings={"pagination": {"count": "estimated"}})
    response = make_client(app).get("/rows/?page=3")
    assert response.headers["X-Total-Count"] == "45" and 'rel="last"' in response.headers["Link"]


def test_the_store_collection_asks_a_store_that_estimates():
    class Store:
        def estimate(self, query):
            return 7 if query == Query() else None

    assert StoreCollection(Store(), Query()).estimate() == 7  # type: ignore[arg-type]
    assert StoreCollection(object(), Query()).estimate() is None  # type: ignore[arg-type]


def test_the_count_setting_refuses_unknown_modes():
    with pytest.raises(ConfigurationError, match="estimated"):
        make_app([], settings={"pagination": {"count": "guess"}})
