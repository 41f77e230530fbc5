"""Mistakes refused when the app is built, each message naming the class; the strict
query setting; the memory store's warning under several workers; what the OpenAPI
document says about filters and versions."""

from __future__ import annotations

import logging

import pytest

from camshaft import Handler
from camshaft.builtins.memory_store import per_worker_warning
from camshaft.errors import ConfigurationError
from camshaft.models import IntegerField, Model, StringField
from camshaft.testing import make_app, make_client


class Person(Model):
    fields = [IntegerField("id", read_only=True), StringField("name"), IntegerField("age")]


def test_a_handler_with_no_verb_and_no_store_is_refused_naming_the_typo() -> None:
    class TypoHandler(Handler):
        def reed(self, key=None):
            return {}

    with pytest.raises(ConfigurationError, match=r"TypoHandler defines no method.*read"):
        make_app([TypoHandler])


def test_an_async_verb_method_is_refused() -> None:
    class AsyncHandler(Handler):
        async def read(self, key=None):
            return {}

    with pytest.raises(ConfigurationError, match=r"AsyncHandler\.read is 'async def'"):
        make_app([AsyncHandler])


@pytest.mark.parametrize("model", [dict, {"name": str}, "Person", 3])
def test_a_model_that_is_not_one_is_refused(model) -> None:
    cls = type("OddHandler", (Handler,), {"store": "memory", "model": model})
    with pytest.raises(ConfigurationError, match=r"OddHandler\.model is"):
        make_app([cls])


def test_a_model_is_accepted_only_when_a_model_adapter_takes_it() -> None:
    """A camshaft Model or a dataclass builds; an object that merely has validate() is
    no supported model (it has no fields or schema to describe): refused, naming it."""
    import dataclasses

    class Duck:
        @staticmethod
        def validate(data, *, partial=False, allow=()):
            return dict(data)

    @dataclasses.dataclass
    class Pet:
        name: str

    make_app([type("AHandler", (Handler,), {"store": "memory", "model": Person})])
    make_app([type("CHandler", (Handler,), {"store": "memory", "model": Pet})])
    with pytest.raises(ConfigurationError, match=r"BHandler\.model is .*no model adapter"):
        make_app([type("BHandler", (Handler,), {"store": "memory", "model": Duck})])


@pytest.mark.parametrize("allowed", [("GET", "FETCH"), "GET"])
def test_an_unknown_allowed_method_is_refused(allowed) -> None:
    cls = type("PickyHandler", (Handler,), {"store": "memory", "allowed_methods": allowed})
    with pytest.raises(ConfigurationError, match=r"PickyHandler\.allowed_methods"):
        make_app([cls])


# --------------------------------------------------------------------------- strict_query


def _people(**attrs):
    base = {
        "resource_name": "people",
        "store": "memory",
        "model": Person,
        "filters": ("name", "age"),
        "source": [{"id": 1, "name": "bob", "age": 3}, {"id": 2, "name": "ann", "age": 5}],
    }
    return type("PersonHandler", (Handler,), {**base, **attrs})


def test_unknown_query_parameters_are_ignored_by_default() -> None:
    client = make_client(make_app([_people()]))
    response = client.get("/people/?nmae=bob")
    assert response.status_code == 200 and len(response.json) == 2


def test_strict_query_names_the_unknown_parameter() -> None:
    client = make_client(make_app([_people()], settings={"strict_query": True}))
    response = client.get("/people/?nmae=bob")
    assert response.status_code == 400
    assert "'nmae'" in response.json["detail"]
    assert client.get("/people/?x__y=1").status_code == 400
    # What others read is known: pagination, shaping, format, the version parameter.
    ok = client.get("/people/?name=bob&page=1&per_page=5&fields=name&format=json&version=1.0")
    assert ok.status_code == 200 and ok.json == [{"name": "bob"}]


def test_contains_applies_to_text_fields_only() -> None:
    client = make_client(make_app([_people()]))
    assert client.get("/people/?name__contains=o").json[0]["name"] == "bob"
    refused = client.get("/people/?age__contains=3")
    assert refused.status_code == 400 and "age__contains" in refused.json["detail"]
    spec = client.get("/openapi.json").json
    names = {p["name"] for p in spec["paths"]["/people/"]["get"]["parameters"]}
    assert "name__contains" in names and "age__contains" not in names
    assert "age__gte" in names


# --------------------------------------------------------------------------- OpenAPI versions


def test_the_version_query_parameter_is_documented_when_the_strategy_is_on() -> None:
    v1 = _people()
    v2 = type("PersonHandler_v2", (v1,), {"version": "2.0"})
    settings = {"versioning": {"strategies": ["header", "query"]}}
    spec = make_client(make_app([v1, v2], settings=settings)).get("/openapi.json").json
    params = {p["name"]: p for p in spec["paths"]["/people/{key}"]["get"]["parameters"]}
    assert params["version"]["in"] == "query"
    # An unknown version is served by the default one: the versions are examples...
    assert params["version"]["schema"]["examples"] == ["1.0", "2.0"]
    assert params["API-Version"]["schema"]["examples"] == ["1.0", "2.0"]
    # ...and, when unknown versions are refused (versioning.strict), the only values.
    strict = {"versioning": {"strategies": ["header", "query"], "strict": True}}
    spec = make_client(make_app([v1, v2], settings=strict)).get("/openapi.json").json
    params = {p["name"]: p for p in spec["paths"]["/people/{key}"]["get"]["parameters"]}
    assert params["version"]["schema"]["enum"] == ["1.0", "2.0"]
    header_only = {"versioning": {"strategies": ["header"]}}
    off = make_client(make_app([v1, v2], settings=header_only)).get("/openapi.json").json
    names = {p["name"] for p in off["paths"]["/people/{key}"]["get"]["parameters"]}
    assert "version" not in names


# --------------------------------------------------------------------------- memory store


def test_the_memory_store_warns_once_under_several_workers(monkeypatch, caplog) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with caplog.at_level(logging.WARNING, logger="camshaft.store"):
        make_app([_people()])
    assert caplog.text.count("store 'memory'") == 1 and "4 workers" in caplog.text
    assert per_worker_warning(["people"], {"WEB_CONCURRENCY": "1"}, ["x"]) is None


def test_the_memory_store_is_quiet_with_one_worker(monkeypatch, caplog) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    with caplog.at_level(logging.WARNING, logger="camshaft.store"):
        make_app([_people()])
    assert "store 'memory'" not in caplog.text
