"""What a handler reaches from ``self``: its store (``self.records``) and the request's
headers, form fields and uploaded files."""

from __future__ import annotations

import io

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


class UploadHandler(Handler):
    resource_name = "uploads"

    def create(self, request):
        files = request.files.getlist("file")
        return {
            "caption": request.form.get("caption"),
            "files": [{"name": f.filename, "size": len(f.read())} for f in files],
            "agent": request.headers.get("User-Agent"),
        }


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


def upload(client, **kwargs):
    return client.post("/uploads/", headers={"User-Agent": "tests/1"}, **kwargs)


def test_multipart_files_and_fields_reach_the_handler():
    client = make_client(make_app([UploadHandler]))
    response = upload(
        client,
        data={
            "caption": "two files",
            "file": [(io.BytesIO(b"abc"), "a.txt"), (io.BytesIO(b"hello"), "b.bin")],
        },
    )
    assert response.status_code == 201
    assert response.json == {
        "caption": "two files",
        "files": [{"name": "a.txt", "size": 3}, {"name": "b.bin", "size": 5}],
        "agent": "tests/1",
    }


def test_a_json_body_has_no_form_and_no_files():
    response = upload(make_client(make_app([UploadHandler])), json={"caption": "x"})
    assert response.json["caption"] is None and response.json["files"] == []


def test_a_multipart_body_over_the_size_limit_is_413():
    client = make_client(make_app([UploadHandler], settings={"max_body_size": 1000}))
    response = upload(client, data={"file": (io.BytesIO(b"x" * 5000), "big.bin")})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_a_malformed_multipart_body_is_400_not_500():
    client = make_client(make_app([UploadHandler]))
    response = client.post(
        "/uploads/",
        data=b"--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated",
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
