"""A worker that builds an app does not import what only some requests need: the cursor
paginator's module and the OpenAPI document builder load on first use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys
import sqlalchemy as sa
from camshaft import Handler
from camshaft.testing import make_app, make_client

table = sa.Table("lazy_things", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("name", sa.String(20)))

class Things(Handler):
    resource_name = "things"
    store = "sqlalchemy"
    source = table
    pagination = "cursor"

app = make_app([Things], plugins=["sqlalchemy"],
               settings={"sqlalchemy": {"url": "sqlite://"}})
lazy = ["camshaft_sqlalchemy.cursor", "camshaft._kernel.openapi.document"]
built = [m for m in lazy if m in sys.modules]
client = make_client(app)
page = client.get("/things/")
spec = client.get("/openapi.json")
print(json.dumps({"built": built, "after": [m for m in lazy if m in sys.modules],
                  "page": page.status_code, "spec": spec.status_code}))
"""


def test_cursor_paginator_and_openapi_document_load_on_first_use() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["built"] == []
    assert result["page"] == 200 and result["spec"] == 200
    assert sorted(result["after"]) == [
        "camshaft._kernel.openapi.document",
        "camshaft_sqlalchemy.cursor",
    ]
