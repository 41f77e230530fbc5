"""JSON Merge Patch (RFC 7396) on the default CRUD's PATCH, over HTTP."""

from __future__ import annotations

import json

from camshaft import Handler
from camshaft._kernel.stores.crud import merge_patch
from camshaft.models import IntegerField, Model, StringField
from camshaft.testing import make_app, make_client

MERGE = "application/merge-patch+json"


class Doc(Handler):
    resource_name = "docs"
    store = "memory"
    links = False


class Contact(Model):
    fields = (
        StringField("name", required=True),
        StringField("email", nullable=True),
        IntegerField("age"),
    )


class Contacts(Handler):
    resource_name = "contacts"
    store = "memory"
    model = Contact
    links = False


def send(client, path, body, **headers):
    return client.patch(path, data=json.dumps(body), content_type=MERGE, headers=headers)


def test_rfc7396_examples():
    assert merge_patch({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": "b"}, {"b": "c"}) == {"a": "b", "b": "c"}
    assert merge_patch({"a": "b"}, {"a": None}) == {}
    assert merge_patch({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}) == {"a": {"b": "d"}}
    assert merge_patch({"a": [{"b": "c"}]}, {"a": [1]}) == {"a": [1]}
    assert merge_patch({"e": None}, {"a": 1}) == {"e": None, "a": 1}
    assert merge_patch([1, 2], {"a": "b", "c": None}) == {"a": "b"}


def test_nested_objects_are_merged_not_replaced():
    client = make_client(make_app([Doc]))
    created = client.post("/docs/", json={"title": "t", "meta": {"a": 1, "b": 2}})
    key = created.json["id"]
    response = send(client, f"/docs/{key}", {"meta": {"b": None, "c": 3}})
    assert response.status_code == 200
    assert response.json["meta"] == {"a": 1, "c": 3}
    assert response.json["title"] == "t"


def test_null_clears_a_nullable_field_and_the_model_validates():
    client = make_client(make_app([Contacts]))
    key = client.post("/contacts/", json={"name": "Ada", "email": "a@x", "age": 3}).json["id"]
    cleared = send(client, f"/contacts/{key}", {"email": None, "age": 4})
    assert (cleared.status_code, cleared.json["email"], cleared.json["age"]) == (200, None, 4)
    assert send(client, f"/contacts/{key}", {"name": None}).status_code == 400  # required
    assert send(client, f"/contacts/{key}", {"age": "old"}).status_code == 400
    assert send(client, f"/contacts/{key}", {"nope": 1}).status_code == 400
    assert send(client, f"/contacts/{key}", [1, 2]).status_code == 400  # not an object
    assert send(client, "/contacts/999", {"age": 1}).status_code == 404


def test_merge_patch_honours_if_match():
    client = make_client(make_app([Contacts]))
    created = client.post("/contacts/", json={"name": "Ada"})
    key, etag = created.json["id"], created.headers["ETag"]
    assert (
        send(client, f"/contacts/{key}", {"age": 1}, **{"If-Match": '"stale"'}).status_code == 412
    )
    ok = send(client, f"/contacts/{key}", {"age": 1}, **{"If-Match": etag})
    assert ok.status_code == 200 and ok.headers["ETag"] != etag
