from __future__ import annotations

import importlib

import pytest

from camshaft import Handler
from camshaft.testing import make_app, make_client


@pytest.fixture(scope="module")
def events():
    module = importlib.import_module("examples.events.app")
    return make_client(module.app)


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        ("/events/1", {}, "1.0"),
        ("/v1.1/events/1", {}, "1.1"),
        ("/v1.2/events/1", {}, "1.2"),
        ("/v1/events/1", {}, "1.0"),
        ("/events/1", {"Accept": "application/json; version=1.1"}, "1.1"),
        ("/events/1", {"API-Version": "1.2"}, "1.2"),
        ("/events/1?version=1.1", {}, "1.1"),
        ("/events/1?version=9.9", {}, "1.0"),
        ("/events/1", {"API-Version": "7"}, "1.0"),
    ],
    ids=[
        "no version asked gets the default",
        "url prefix picks 1.1",
        "url prefix picks 1.2",
        "url prefix v1 means 1.0",
        "accept parameter picks 1.1",
        "header picks 1.2",
        "query picks 1.1",
        "unknown version in query gets the default",
        "unknown version in header gets the default",
    ],
)
def test_every_version_strategy_of_the_events_example(events, path, headers, expected):
    response = events.get(path, headers=headers)
    assert response.status_code == 200
    assert response.headers["API-Version"] == expected
    body = response.json
    assert body["id"] == 1
    assert body.get("version", "1.0") == expected


def test_versions_differ_visibly(events):
    bodies = {v: events.get(f"/v{v}/events/1").json for v in ("1.0", "1.1", "1.2")}
    assert len({str(b) for b in bodies.values()}) == 3


def test_url_prefix_wins_over_header(events):
    response = events.get("/v1.1/events/1", headers={"API-Version": "1.2"})
    assert response.headers["API-Version"] == "1.1"


class OldThing(Handler):
    resource_name = "things"
    deprecated = "2026-01-01"
    sunset = "2027-06-30"

    def read(self, key):
        return {"v": 1}


class NewThing(Handler):
    resource_name = "things"
    version = "2.0"

    def read(self, key):
        return {"v": 2}


def test_deprecated_versions_carry_deprecation_and_sunset_headers():
    client = make_client(make_app([OldThing, NewThing]))
    old = client.get("/things/1")
    assert old.headers["Deprecation"] == "@1767225600"
    assert old.headers["Sunset"] == "Wed, 30 Jun 2027 00:00:00 GMT"
    new = client.get("/v2.0/things/1")
    assert "Deprecation" not in new.headers and new.json == {"v": 2}


def test_strict_versioning_makes_unknown_versions_an_error():
    client = make_client(make_app([OldThing, NewThing], settings={"versioning": {"strict": True}}))
    response = client.get("/things/1", headers={"API-Version": "3.0"})
    assert response.status_code == 404
    assert response.json["title"] == "Unknown API version"
    assert client.get("/things/1").json == {"v": 1}


def test_only_enabled_strategies_are_honoured():
    settings = {"versioning": {"strategies": ["header"]}}
    client = make_client(make_app([OldThing, NewThing], settings=settings))
    assert client.get("/things/1?version=2.0").json == {"v": 1}
    assert client.get("/things/1", headers={"API-Version": "2.0"}).json == {"v": 2}
    assert client.get("/v2.0/things/1").status_code == 404


def test_default_version_setting_chooses_the_default_handler():
    client = make_client(
        make_app([OldThing, NewThing], settings={"versioning": {"default": "2.0"}})
    )
    assert client.get("/things/1").json == {"v": 2}


def test_resource_without_the_default_version_serves_its_newest():
    class OnlyTwo(Handler):
        resource_name = "twos"
        version = 2

        def read(self, key):
            return {"v": 2}

    assert make_client(make_app([OnlyTwo])).get("/twos/1").headers["API-Version"] == "2.0"


def test_custom_version_header_name():
    settings = {"versioning": {"header": "X-Api-Version"}}
    client = make_client(make_app([OldThing, NewThing], settings=settings))
    response = client.get("/things/1", headers={"X-Api-Version": "2.0"})
    assert response.json == {"v": 2}
    assert response.headers["X-Api-Version"] == "2.0"
