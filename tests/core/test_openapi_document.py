"""The generated OpenAPI 3.1 document: valid for every example, complete, and faithful
to handlers, models, pagination, filters, formats, security and versions."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from camshaft import AuthScheme, Handler, Identity
from camshaft._kernel.openapi import build_document, included
from camshaft.models import ChoiceField, IntegerField, Model, StringField
from camshaft.testing import make_app

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- examples


def _events(tmp: Path) -> Any:
    return importlib.import_module("examples.events.app").app


def _blog(tmp: Path) -> Any:
    pytest.importorskip("camshaft_httpauth", reason="camshaft-httpauth is not installed")
    return importlib.import_module("examples.blog.app").create_app()


def _addressbook(tmp: Path) -> Any:
    pytest.importorskip("camshaft_sqlalchemy", reason="camshaft-sqlalchemy is not installed")
    module = importlib.import_module("examples.addressbook.app")
    return module.make_app(f"sqlite:///{tmp / 'addressbook.db'}", environ={})


def _docstore(tmp: Path) -> Any:
    pytest.importorskip("camshaft_kv", reason="camshaft-kv is not installed")
    return importlib.import_module("examples.docstore.handlers").build_app(
        "memory", tmp, environ={}
    )


EXAMPLES = {"events": _events, "blog": _blog, "addressbook": _addressbook, "docstore": _docstore}


@pytest.fixture(params=list(EXAMPLES))
def example_app(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if not (ROOT / "examples" / request.param / "__init__.py").is_file():
        pytest.skip(f"examples/{request.param} does not exist yet")
    return EXAMPLES[request.param](tmp_path)


def _operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_example_document_passes_openapi_spec_validator(example_app: Any) -> None:
    document = build_document(example_app)
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_every_route_and_method_of_every_example_is_documented(example_app: Any) -> None:
    documented = _operations(build_document(example_app))
    strategies = example_app.settings["versioning"]["strategies"]
    expected = set()
    for group in example_app.groups():
        for version, endpoint in group.versions.items():
            if not included(endpoint):
                continue
            if endpoint is group.default:
                path = endpoint.path
            elif "url" in strategies:
                path = f"/v{version}{endpoint.path}"
            else:
                continue
            expected.update((path, method) for method in endpoint.actions)
    assert expected and expected <= documented
    assert documented == expected


def test_operation_ids_are_unique(example_app: Any) -> None:
    ids = [
        op["operationId"]
        for item in build_document(example_app)["paths"].values()
        for op in item.values()
    ]
    assert len(ids) == len(set(ids))


# --------------------------------------------------------------------------- handlers


class NoteModel(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("title", required=True, min_length=1, max_length=80),
        IntegerField("stars", minimum=0, maximum=5),
        ChoiceField("mood", ["happy", "sad"], required=True),
    ]


class NoteHandler(Handler):
    """Notes somebody wrote.

    Kept in memory.
    """

    key_pattern = r"\d{1,9}"
    store = "memory"
    model = NoteModel
    filters = ("stars",)
    ordering = ("id", "title")
    source = [{"id": 1, "title": "a", "stars": 3, "mood": "happy"}]


class GreetingHandler(Handler):
    resource_name = "greetings"

    def read(self, key: str) -> dict[str, str]:
        """Greet somebody.

        The key is a name.
        """
        return {"hello": key}


def _doc(*handlers: type[Handler], **kwargs: Any) -> dict[str, Any]:
    document = build_document(make_app(list(handlers), **kwargs))
    validate(document)
    return document


def _param(op: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in op["parameters"] if p["name"] == name)


def test_item_key_is_a_path_parameter_with_the_key_pattern() -> None:
    op = _doc(NoteHandler)["paths"]["/notes/{key}"]["get"]
    key = _param(op, "key")
    assert key["in"] == "path" and key["required"] is True
    assert key["schema"]["pattern"] == r"^(?:\d{1,9})$"


def test_model_gives_read_write_and_patch_schemas() -> None:
    document = _doc(NoteHandler)
    schemas = document["components"]["schemas"]
    read, write, patch = schemas["NoteModel"], schemas["NoteModelInput"], schemas["NoteModelPatch"]
    assert read["properties"]["id"] == {"type": ["integer", "null"], "readOnly": True}
    assert "required" not in read  # responses may be sparse (?fields=)
    assert "id" not in write["properties"]
    assert write["required"] == ["title", "mood"]
    assert write["additionalProperties"] is False
    assert write["properties"]["title"] == {
        "type": "string",
        "minLength": 1,
        "maxLength": 80,
        "pattern": "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$",  # no C0 controls
    }
    assert write["properties"]["stars"] == {
        "type": ["integer", "null"],
        "minimum": 0,
        "maximum": 5,
    }
    assert write["properties"]["mood"] == {"enum": ["happy", "sad"]}
    assert "required" not in patch
    paths = document["paths"]
    body = paths["/notes/"]["post"]["requestBody"]
    assert body["required"] is True
    one = {"$ref": "#/components/schemas/NoteModelInput"}
    # The default create takes one item or a list of them (bulk create).
    assert body["content"]["application/json"]["schema"] == {
        "oneOf": [one, {"type": "array", "items": one, "minItems": 1, "maxItems": 1000}]
    }
    assert paths["/notes/{key}"]["patch"]["requestBody"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/NoteModelPatch"}


def test_collection_has_pagination_filter_ordering_and_fields_parameters() -> None:
    op = _doc(NoteHandler)["paths"]["/notes/"]["get"]
    names = [p["name"] for p in op["parameters"]]
    assert {"page", "per_page", "stars", "stars__gte", "stars__in", "order", "fields"} <= set(names)
    assert "maximum" not in _param(op, "per_page")["schema"]  # clamped, so accepted
    assert _param(op, "stars__gte")["schema"] == {"type": "integer", "minimum": 0, "maximum": 5}
    assert _param(op, "stars__isnull")["schema"] == {"type": "boolean"}
    order = re.compile(_param(op, "order")["schema"]["pattern"])
    assert order.match("-title,id") and not order.match("stars")
    ok = op["responses"]["200"]
    assert set(ok["headers"]) == {"Link", "X-Total-Count", "X-Request-ID"}
    assert ok["content"]["application/json"]["schema"]["type"] == "array"


def test_offset_paginator_documents_its_own_parameters() -> None:
    class Offsets(NoteHandler):
        resource_name = "offsets"
        pagination = "offset"

    names = [p["name"] for p in _doc(Offsets)["paths"]["/offsets/"]["get"]["parameters"]]
    assert "offset" in names and "limit" in names and "page" not in names


def test_formats_emitted_and_parsed_are_content_maps() -> None:
    pytest.importorskip("camshaft_yaml", reason="camshaft-yaml is not installed")
    document = _doc(NoteHandler, plugins=["yaml"])
    post = document["paths"]["/notes/"]["post"]
    assert set(post["requestBody"]["content"]) == {
        "application/json",
        "application/merge-patch+json",  # JSON on the wire; merge semantics on PATCH
        "application/yaml",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/x-yaml",
        "application/x-ndjson",  # a list body: bulk create
    }
    assert {"application/json", "application/yaml"} <= set(post["responses"]["201"]["content"])
    problem = document["components"]["responses"]["BadRequest"]["content"]
    assert problem["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "application/yaml" in problem


def test_problem_statuses_follow_what_can_happen() -> None:
    paths = _doc(NoteHandler, settings={"concurrency": {"require_if_match": True}})["paths"]
    assert set(paths["/notes/{key}"]["put"]["responses"]) == {
        "200",
        "201",
        "400",
        "404",
        "406",
        "409",
        "412",
        "413",
        "415",
        "428",
    }
    assert set(paths["/notes/"]["get"]["responses"]) == {"200", "400", "404", "406"}
    assert {"304", "412"} <= set(paths["/notes/{key}"]["get"]["responses"])
    # A delete the store refuses because other rows refer to the item is a 409.
    assert "409" in paths["/notes/{key}"]["delete"]["responses"]
    if_match = _param(paths["/notes/{key}"]["delete"], "If-Match")
    assert if_match["in"] == "header" and if_match["required"] is True


def test_throttled_and_strict_resources_document_429_and_406() -> None:
    class Limited(GreetingHandler):
        throttle = (10, 60)

    doc = _doc(Limited, settings={"strict_negotiation": True})
    responses = doc["paths"]["/greetings/{key}"]["get"]["responses"]
    assert {"406", "429"} <= set(responses)
    assert "Retry-After" in doc["components"]["responses"]["TooManyRequests"]["headers"]


def test_docstrings_become_summary_description_and_tags() -> None:
    document = _doc(GreetingHandler, NoteHandler)
    op = document["paths"]["/greetings/{key}"]["get"]
    assert op["summary"] == "Greet somebody."
    assert op["description"] == "Greet somebody.\n\nThe key is a name."
    assert {"name": "notes", "description": "Notes somebody wrote.\n\nKept in memory."} in (
        document["tags"]
    )
    assert document["paths"]["/notes/"]["get"]["summary"] == "List notes"


def test_handler_openapi_attribute_is_merged_over_the_operation() -> None:
    class Raw(GreetingHandler):
        resource_name = "raw"
        openapi = {"GET": {"responses": {"200": {"content": {"*/*": {"schema": {}}}}}}}

    content = _doc(Raw)["paths"]["/raw/{key}"]["get"]["responses"]["200"]["content"]
    assert "*/*" in content and "application/json" in content


# --------------------------------------------------------------------------- versions


def test_other_versions_are_paths_under_v_and_the_header_chooses_on_the_default() -> None:
    document = _doc(*_event_handlers())
    assert {"/events/{key}", "/v1.1/events/{key}"} <= set(document["paths"])
    header = _param(document["paths"]["/events/{key}"]["get"], "API-Version")
    # Not strict: any value is served (an unknown one by the default version).
    assert header["in"] == "header" and header["schema"] == {
        "type": "string",
        "examples": ["1.0", "1.1"],
    }


def test_strict_versioning_documents_only_the_versions_that_exist() -> None:
    document = _doc(
        *_event_handlers(),
        settings={"versioning": {"strict": True, "strategies": ["url", "header", "query"]}},
    )
    op = document["paths"]["/events/{key}"]["get"]
    assert _param(op, "API-Version")["schema"]["enum"] == ["1.0", "1.1"]
    assert _param(op, "version")["schema"]["enum"] == ["1.0", "1.1"]


def test_without_the_url_strategy_only_the_header_documents_versions() -> None:
    document = _doc(*_event_handlers(), settings={"versioning": {"strategies": ["header"]}})
    assert set(document["paths"]) == {"/events/{key}"}


def _event_handlers() -> tuple[type[Handler], type[Handler]]:
    class EventHandler(Handler):
        def read(self, key: str) -> dict[str, str]:
            return {"id": key}

    class EventHandler_v11(EventHandler):
        version = "1.1"

    return EventHandler, EventHandler_v11


# --------------------------------------------------------------------------- security


_DESCRIBED = {
    "basic": {"type": "http", "scheme": "basic"},
    "apikey": {"type": "apiKey", "in": "header", "name": "X-Key"},
    "oauth2": {
        "type": "oauth2",
        "flows": {
            "clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {"read": "Read things"}}
        },
    },
}


def _nobody(request: Any) -> Identity | None:
    return None


def _schemes_plugin() -> object:
    from camshaft import hookimpl

    class Plugin:
        camshaft_name = "fakeauth"

        @staticmethod
        @hookimpl
        def camshaft_auth_schemes() -> list[AuthScheme]:
            names = ("basic", "apikey", "oauth2", "custom")
            return [AuthScheme(n, _nobody, openapi=_DESCRIBED.get(n)) for n in names]

    return Plugin()


def test_schemes_describe_themselves_and_every_operation_names_them() -> None:
    class Secret(GreetingHandler):
        resource_name = "secrets"
        authentication = ("basic", "apikey", "oauth2", "custom")

    document = _doc(Secret, plugins=[_schemes_plugin()])
    schemes = document["components"]["securitySchemes"]
    for name, described in _DESCRIBED.items():
        assert schemes[name] == described
    # A scheme that does not describe itself is documented as an HTTP scheme of its name.
    assert schemes["custom"]["type"] == "http" and schemes["custom"]["scheme"] == "custom"
    op = document["paths"]["/secrets/{key}"]["get"]
    assert op["security"] == [{n: []} for n in Secret.authentication]
    assert "401" in op["responses"] and "403" in op["responses"]


def test_the_core_names_no_scheme() -> None:
    """Descriptions come from descriptors: the kernel's OpenAPI code names no plugin."""
    import camshaft._kernel.openapi as package

    folder = Path(package.__file__).parent
    text = "\n".join(f.read_text() for f in folder.glob("*.py"))
    for name in ("'basic'", '"basic"', '"digest"', '"apikey"', '"oauth1"', '"oauth2"'):
        assert name not in text


def test_an_anonymous_handler_makes_security_optional() -> None:
    class Public(GreetingHandler):
        resource_name = "public"

    class Guarded(GreetingHandler):
        resource_name = "guarded"
        authentication = ("basic",)
        anonymous = Public

    op = _doc(Guarded, plugins=[_schemes_plugin()])["paths"]["/guarded/{key}"]["get"]
    assert op["security"] == [{"basic": []}, {}]


def test_open_resources_name_no_security() -> None:
    document = _doc(GreetingHandler)
    assert "security" not in document["paths"]["/greetings/{key}"]["get"]
    assert "securitySchemes" not in document["components"]


def test_only_a_handlers_own_docstring_describes_it() -> None:
    class Bare(Handler):
        resource_name = "bare"

        def read(self, key: str | None = None) -> Any:
            return {}

    class Documented(Handler):
        """Documented things."""

        resource_name = "documented"

        def read(self, key: str | None = None) -> Any:
            """Read one."""
            return {}

    class Child(Documented):
        resource_name = "child"

        def read(self, key: str | None = None) -> Any:
            return {}

    document = _doc(Bare, Documented, Child)
    tags = {t["name"]: t.get("description") for t in document.get("tags", [])}
    assert "bare" not in tags and "child" not in tags
    assert tags["documented"] == "Documented things."
    for name in ("bare", "child"):
        op = document["paths"][f"/{name}/{{key}}"]["get"]
        assert "description" not in op
        assert op["summary"] == f"Read one of {name}"
