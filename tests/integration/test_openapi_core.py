"""A second, independent checker: openapi-core validates real responses of every example
against its generated document (status documented, documented headers valid, body
schema) for a sample of requests: reads, creates, errors."""

from __future__ import annotations

import base64
import importlib
import json
from pathlib import Path
from typing import Any

import pytest

openapi_core = pytest.importorskip("openapi_core")

from openapi_core import Config, OpenAPI  # noqa: E402
from openapi_core.contrib.werkzeug import (  # noqa: E402
    WerkzeugOpenAPIRequest,
    WerkzeugOpenAPIResponse,
)
from werkzeug.test import EnvironBuilder  # noqa: E402
from werkzeug.wrappers import Request as WerkzeugRequest  # noqa: E402

from camshaft.openapi import build_document  # noqa: E402
from camshaft.testing import make_client  # noqa: E402

ALICE = {"Authorization": "Basic " + base64.b64encode(b"alice:wonderland").decode()}


def _apps(tmp: Path) -> dict[str, Any]:
    apps: dict[str, Any] = {"events": importlib.import_module("examples.events.app").app}
    apps["blog"] = importlib.import_module("examples.blog.app").create_app()
    pytest.importorskip("camshaft_sqlalchemy")
    apps["addressbook"] = importlib.import_module("examples.addressbook.app").make_app(
        f"sqlite:///{tmp / 'addressbook.db'}", environ={}
    )
    return apps


#: (app, method, path, headers, JSON body) -- each answered and validated.
SAMPLE = [
    ("events", "GET", "/events/1", {}, None),
    ("events", "GET", "/v1.1/events/2", {}, None),
    ("events", "GET", "/events/1?format=yaml", {}, None),
    ("events", "GET", "/events/x", {}, None),
    ("blog", "GET", "/posts/hello-world", {}, None),
    ("blog", "GET", "/posts/no-such-post", ALICE, None),
    ("blog", "PUT", "/posts/a-new-post", ALICE, {"title": "T", "content": "C"}),
    ("addressbook", "GET", "/addresses/?per_page=3", {}, None),
    ("addressbook", "GET", "/addresses/1", {}, None),
    ("addressbook", "GET", "/addresses/?age__gte=x", {}, None),
    ("addressbook", "POST", "/addresses/", {}, {"name": "Eve", "age": 30}),
    ("addressbook", "POST", "/addresses/", {}, {"name": 3}),
    ("addressbook", "PATCH", "/addresses/2", {}, {"age": 31}),
    ("addressbook", "DELETE", "/addresses/3", {}, None),
]


@pytest.mark.parametrize(("name", "method", "path", "headers", "body"), SAMPLE)
def test_real_responses_validate_against_the_document(
    tmp_path: Path, name: str, method: str, path: str, headers: dict[str, str], body: Any
) -> None:
    app = _apps(tmp_path)[name]
    # openapi-core reads only application/json as JSON; problems are JSON too.
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    openapi = OpenAPI.from_dict(build_document(app), config=config)

    def built() -> EnvironBuilder:
        return EnvironBuilder(path=path, method=method, headers=headers, json=body)

    request = WerkzeugRequest(built().get_environ())
    response = make_client(app).open(built())
    assert response.status_code < 500
    openapi.validate_response(
        WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response)
    )
