"""What a handler reaches from ``self``: its store (``self.records``). Form fields and
uploaded files are tested in test_forms.py."""

from __future__ import annotations

import pytest

from camshaft import Handler, Query, rc
from camshaft.testing import make_app, make_client


class NoteHandler(Handler):
    store = "memory"
    source = [{"id": 1, "title": "first"}, {"id": 2, "title": "second"}]

    def read(self, key=None):
        if key is None:
            return [r.data["title"] for r in self.records.list(Query(order=(("id", True),)))]
        record = self.records.get(key)
        return record.data if record else rc.NOT_FOUND


class StorelessHandler(Handler):
    def read(self):
        return self.records.count(Query())


def test_records_is_the_store_the_handler_class_named():
    app = make_app([NoteHandler])
    client = make_client(app)
    assert client.get("/notes/").json == ["second", "first"]
    assert client.get("/notes/2").json["title"] == "second"
    assert client.get("/notes/9").status_code == 404


def test_records_on_a_handler_without_a_store_says_how_to_name_one():
    app = make_app([StorelessHandler])
    handler = StorelessHandler(type("R", (), {"app": app})())
    with pytest.raises(LookupError, match=r'StorelessHandler has no store: .*store = "memory"'):
        handler.records
