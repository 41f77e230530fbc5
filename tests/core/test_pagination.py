"""Page-number and limit/offset pagination: links, totals, envelopes, limits, errors."""

from __future__ import annotations

import re

import pytest

from camshaft import Handler
from camshaft.errors import ConfigurationError
from camshaft.testing import make_app, make_client

ROWS = [{"id": i} for i in range(45)]


def lister(rows=ROWS, **attrs):
    def read(self, key=None):
        return list(rows)

    attrs.setdefault("pagination", True)
    return type("Rows", (Handler,), {"resource_name": "rows", "read": read, **attrs})


class CountingCollection:
    """A collection that records whether it was counted."""

    def __init__(self, n):
        self.items = [{"id": i} for i in range(n)]
        self.counted = 0

    def count(self):
        self.counted += 1
        return len(self.items)

    def window(self, offset, limit):
        return self.items[offset : offset + limit]


def client_for(handler, **settings):
    return make_client(make_app([handler], settings={"pagination": settings} if settings else None))


def links(response):
    """The Link header as {rel: url}."""
    found = re.findall(r'<([^>]*)>; rel="([^"]+)"', response.headers.get("Link", ""))
    return {rel: url for url, rel in found}


def ids(response):
    return [row["id"] for row in response.json]


# ---------------------------------------------------------------------- page numbers


def test_the_first_page_has_first_next_and_last_links_and_a_total():
    response = client_for(lister()).get("/rows/")
    assert ids(response) == list(range(20))
    assert response.headers["X-Total-Count"] == "45"
    assert links(response) == {
        "first": "http://localhost/rows/?page=1&per_page=20",
        "next": "http://localhost/rows/?page=2&per_page=20",
        "last": "http://localhost/rows/?page=3&per_page=20",
    }


def test_a_middle_page_links_both_ways_and_the_last_has_no_next():
    client = client_for(lister())
    middle = client.get("/rows/?page=2&per_page=20")
    assert ids(middle) == list(range(20, 40))
    assert set(links(middle)) == {"first", "prev", "next", "last"}
    last = client.get("/rows/?page=3")
    assert ids(last) == list(range(40, 45))
    assert "next" not in links(last)
    assert links(last)["prev"].endswith("page=2&per_page=20")


def test_walking_next_links_sees_every_row_once():
    client = client_for(lister())
    seen, url = [], "/rows/?per_page=7"
    while url:
        response = client.get(url)
        seen.extend(ids(response))
        url = links(response).get("next", "").removeprefix("http://localhost")
    assert seen == list(range(45))


def test_past_the_end_is_an_empty_page_pointing_back_to_the_last():
    response = client_for(lister()).get("/rows/?page=9")
    assert response.status_code == 200
    assert response.json == []
    assert links(response)["prev"].endswith("page=3&per_page=20")
    assert "next" not in links(response)


def test_an_empty_collection_is_one_empty_page():
    response = client_for(lister(rows=[])).get("/rows/")
    assert response.json == []
    assert response.headers["X-Total-Count"] == "0"
    assert links(response)["last"].endswith("page=1&per_page=20")


def test_links_keep_other_parameters_including_repeated_ones():
    response = client_for(lister()).get("/rows/?tag=a&tag=b&q=x%20y&page=2")
    nxt = links(response)["next"]
    assert nxt == "http://localhost/rows/?tag=a&tag=b&q=x+y&page=3&per_page=20"


# ---------------------------------------------------------------------- offsets


def test_offset_pagination_chosen_per_handler():
    client = client_for(lister(pagination="offset"))
    response = client.get("/rows/?offset=40&limit=20")
    assert ids(response) == list(range(40, 45))
    assert links(response) == {
        "first": "http://localhost/rows/?offset=0&limit=20",
        "prev": "http://localhost/rows/?offset=20&limit=20",
        "last": "http://localhost/rows/?offset=40&limit=20",
    }


def test_offset_pagination_chosen_in_settings():
    response = client_for(lister(), default="offset").get("/rows/?offset=5&limit=10")
    assert ids(response) == list(range(5, 15))
    assert links(response)["next"].endswith("offset=15&limit=10")
    assert links(response)["prev"].endswith("offset=0&limit=10")


def test_offset_past_the_end_points_back_to_the_last_window():
    response = client_for(lister(pagination="offset")).get("/rows/?offset=100&limit=10")
    assert response.json == []
    assert links(response)["prev"].endswith("offset=40&limit=10")


# ---------------------------------------------------------------------- bodies and counting


def test_the_envelope_carries_count_next_previous_and_results():
    response = client_for(lister(), envelope=True).get("/rows/?page=2&per_page=10")
    body = response.json
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 45
    assert body["next"].endswith("page=3&per_page=10")
    assert body["previous"].endswith("page=1&per_page=10")
    assert [r["id"] for r in body["results"]] == list(range(10, 20))
    assert "X-Total-Count" not in response.headers
    assert 'rel="next"' in response.headers["Link"]


@pytest.mark.parametrize("style", ["page", "offset"])
def test_counting_off_never_counts_and_still_links_next(style):
    collection = CountingCollection(25)

    class Rows(Handler):
        resource_name = "rows"
        pagination = style

        def read(self, key=None):
            return collection

    client = client_for(Rows, count="off")
    size = "per_page" if style == "page" else "limit"
    first = client.get(f"/rows/?{size}=10")
    assert len(first.json) == 10
    assert "X-Total-Count" not in first.headers
    assert set(links(first)) == {"first", "next"}
    last = client.get(f"/rows/?{size}=10&" + ("page=3" if style == "page" else "offset=20"))
    assert len(last.json) == 5
    assert "next" not in links(last)
    assert collection.counted == 0


def test_counting_off_gives_a_null_count_in_the_envelope():
    response = client_for(lister(), envelope=True, count="off").get("/rows/")
    assert response.json["count"] is None
    assert response.json["next"].endswith("page=2&per_page=20")


# ---------------------------------------------------------------------- limits and errors


def test_a_too_large_page_size_is_clamped_by_default():
    rows = [{"id": i} for i in range(150)]
    response = client_for(lister(rows=rows)).get("/rows/?per_page=1000")
    assert len(response.json) == 100
    assert links(response)["next"].endswith("page=2&per_page=100")


def test_a_too_large_page_size_is_400_when_not_clamping():
    response = client_for(lister(), clamp=False).get("/rows/?per_page=101")
    assert response.status_code == 400
    assert response.json["status"] == 400


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=-1",
        "page=1.5",
        "page=+2",
        "page=",
        "page=%D9%A1",  # an Arabic-Indic digit one, which int() would accept
        "page=1_0",
        "per_page=0",
        "per_page=-5",
        "page=99999999999999999999",
        "page=100000000000",
    ],
)
def test_bad_page_parameters_are_400_problems(query):
    response = client_for(lister()).get(f"/rows/?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("query", ["offset=-1", "offset=x", "limit=0", "limit=-3"])
def test_bad_offset_parameters_are_400_problems(query):
    response = client_for(lister(pagination="offset")).get(f"/rows/?{query}")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "settings", [{"per_page": 0}, {"per_page": 50, "max_per_page": 10}, {"max_per_page": 0}]
)
def test_page_sizes_that_cannot_work_fail_the_app_start(settings):
    with pytest.raises(ConfigurationError):
        make_app([lister()], settings={"pagination": settings})


# ---------------------------------------------------------------------- over a store


def test_pages_over_a_store():
    class Stored(Handler):
        resource_name = "stored"
        store = "memory"
        source = [{"id": i, "n": i} for i in range(30)]

    client = make_client(make_app([Stored]))
    response = client.get("/stored/?page=2&per_page=12")
    assert [r["n"] for r in response.json] == list(range(12, 24))
    assert response.headers["X-Total-Count"] == "30"
    offset = make_client(make_app([Stored], settings={"pagination": {"default": "offset"}})).get(
        "/stored/?offset=25&limit=10"
    )
    assert [r["n"] for r in offset.json] == list(range(25, 30))


def test_pagination_is_opt_in_for_plain_handlers_and_opt_out_for_stores():
    plain = lister(pagination=None)
    assert len(client_for(plain).get("/rows/").json) == 45
    assert "Link" not in client_for(plain).get("/rows/").headers

    class Unpaged(Handler):
        resource_name = "stored"
        store = "memory"
        pagination = False
        source = [{"id": i} for i in range(30)]

    assert len(make_client(make_app([Unpaged])).get("/stored/").json) == 30
