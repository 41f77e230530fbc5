"""The document says what the server does: list-only bodies, forms, validators of a
handler's own, RateLimit and X-Request-ID headers, links, the page size bound, and the
empty ``?format=`` (each checked against the server where it can be)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from openapi_spec_validator import validate

from camshaft import Handler, Result, throttle
from camshaft._kernel.openapi import build_document
from camshaft.models import IntegerField, Model, StringField
from camshaft.testing import make_app, make_client


class ThingModel(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("name", required=True, max_length=20),
        IntegerField("size"),
    ]


class ThingHandler(Handler):
    resource_name = "things"
    store = "memory"
    model = ThingModel


class BatchHandler(Handler):
    resource_name = "batches"
    allowed_methods = ("POST",)

    def create(self, data: list[dict[str, Any]]) -> Any:
        return {"count": len(data)}


class ClockHandler(Handler):
    resource_name = "clock"

    def read(self, key: str) -> Result:
        return Result({"key": key}, etag="v1", last_modified=datetime(2024, 1, 1, tzinfo=UTC))


class LimitedHandler(Handler):
    resource_name = "limited"

    @throttle(5, 60)
    def read(self, key: str) -> dict[str, str]:
        return {"key": key}


def _doc(*handlers: type[Handler], **kw: Any) -> dict[str, Any]:
    document = build_document(make_app(list(handlers), **kw))
    validate(document)
    return document


def test_ndjson_is_listed_only_where_a_list_body_is_taken() -> None:
    paths = _doc(ThingHandler, BatchHandler)["paths"]
    # The default create takes a list too (bulk create), up to bulk.max_items.
    bulk = paths["/things/"]["post"]["requestBody"]["content"]
    assert bulk["application/x-ndjson"]["schema"]["maxItems"] == 1000
    assert len(bulk["application/json"]["schema"]["oneOf"]) == 2
    batch = paths["/batches/"]["post"]["requestBody"]["content"]["application/x-ndjson"]
    assert batch["schema"]["type"] == "array"
    # A handler's own method that takes objects is offered no list format.
    off = _doc(ThingHandler, settings={"bulk": {"max_items": 0}})["paths"]["/things/"]
    assert "application/x-ndjson" not in off["post"]["requestBody"]["content"]


def test_an_ndjson_body_to_a_default_create_is_a_bulk_create_or_refused_when_off() -> None:
    body, ndjson = b'{"name": "a"}\n{"name": "b"}\n', {"Content-Type": "application/x-ndjson"}
    created = make_client(make_app([ThingHandler])).post("/things/", data=body, headers=ndjson)
    assert created.status_code == 201 and [r["name"] for r in created.json] == ["a", "b"]
    off = make_client(make_app([ThingHandler], settings={"bulk": {"max_items": 0}}))
    assert off.post("/things/", data=body, headers=ndjson).status_code == 400


def test_form_bodies_are_documented_and_accepted() -> None:
    content = _doc(ThingHandler)["paths"]["/things/"]["post"]["requestBody"]["content"]
    form = content["application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["name"] and form["properties"]["size"]["type"] == "integer"
    assert "multipart/form-data" in content
    client = make_client(make_app([ThingHandler]))
    response = client.post("/things/", data={"name": "box", "size": "3"})
    assert response.status_code == 201 and response.json["size"] == 3


def test_own_validators_document_304_and_412_which_the_server_sends() -> None:
    op = _doc(ClockHandler)["paths"]["/clock/{key}"]["get"]
    assert {"304", "412"} <= set(op["responses"])
    assert {"ETag", "Last-Modified"} <= set(op["responses"]["304"]["headers"])
    assert "If-None-Match" in {p["name"] for p in op["parameters"]}
    client = make_client(make_app([ClockHandler]))
    etag = client.get("/clock/a").headers["ETag"]
    assert client.get("/clock/a", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/clock/a", headers={"If-Match": '"other"'}).status_code == 412


def test_a_handler_without_validators_documents_no_304() -> None:
    op = _doc(LimitedHandler)["paths"]["/limited/{key}"]["get"]
    assert "304" not in op["responses"] and "412" not in op["responses"]


def test_ratelimit_and_request_id_headers_are_documented_where_sent() -> None:
    document = _doc(LimitedHandler)
    ok = document["paths"]["/limited/{key}"]["get"]["responses"]["200"]
    assert {"RateLimit", "RateLimit-Policy", "X-Request-ID"} <= set(ok["headers"])
    too_many = document["components"]["responses"]["TooManyRequests"]["headers"]
    assert {"Retry-After", "RateLimit", "X-Request-ID"} <= set(too_many)
    sent = make_client(make_app([LimitedHandler])).get("/limited/a").headers
    assert "RateLimit" in sent and "X-Request-ID" in sent


def test_no_request_id_header_documented_when_the_builtin_is_blocked() -> None:
    document = _doc(ThingHandler, settings={"plugins": {"block": ["request_id"]}})
    ok = document["paths"]["/things/{key}"]["get"]["responses"]["200"]
    assert "X-Request-ID" not in ok["headers"]


def test_creates_link_to_the_new_items_operations() -> None:
    created = _doc(ThingHandler)["paths"]["/things/"]["post"]["responses"]["201"]
    link = created["links"]["read_things_item"]
    assert link == {"operationId": "read_things_item", "parameters": {"key": "$response.body#/id"}}


def test_page_size_over_the_maximum_is_documented_as_the_server_treats_it() -> None:
    clamped = _doc(ThingHandler)["paths"]["/things/"]["get"]["parameters"]
    assert "maximum" not in next(p for p in clamped if p["name"] == "per_page")["schema"]
    strict = _doc(ThingHandler, settings={"pagination": {"clamp": False}})
    parameters = strict["paths"]["/things/"]["get"]["parameters"]
    sizes = next(p for p in parameters if p["name"] == "per_page")
    assert sizes["schema"]["maximum"] == 100


def test_an_empty_format_parameter_is_406() -> None:
    response = make_client(make_app([ThingHandler])).get("/things/?format=")
    assert response.status_code == 406
