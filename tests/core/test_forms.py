"""Form and multipart bodies over HTTP: validated by the model, within the limits."""

from __future__ import annotations

import io

import pytest

from camshaft import Handler
from camshaft.models import BooleanField, IntegerField, Model, StringField
from camshaft.testing import make_app, make_client


class Person(Model):
    fields = (
        StringField("name", required=True),
        IntegerField("age"),
        BooleanField("member"),
    )


class People(Handler):
    resource_name = "people"
    store = "memory"
    model = Person
    links = False


class Uploads(Handler):
    resource_name = "uploads"
    links = False

    def create(self, data):
        files = self.request.files
        return {
            "data": data,
            "files": {
                name: [f.filename, f.content_type, f.size, f.read().decode()]
                for name, f in files.items()
            },
        }


LIMITS = {"max_size": 4096, "max_parts": 5, "max_field_size": 100, "max_file_size": 1000}


@pytest.fixture
def client():
    return make_client(make_app([People, Uploads], settings={"forms": LIMITS}))


def test_an_urlencoded_post_is_validated_by_the_model(client):
    response = client.post("/people/", data={"name": "Ada", "age": "36", "member": "on"})
    assert response.status_code == 201
    assert response.json == {"id": 1, "name": "Ada", "age": 36, "member": True} | {
        k: v for k, v in response.json.items() if k not in ("name", "age", "member")
    }
    assert (response.json["age"], response.json["member"]) == (36, True)


def test_a_form_value_of_the_wrong_type_is_a_400(client):
    response = client.post("/people/", data={"name": "Ada", "age": "old"})
    assert response.status_code == 400
    assert "age" in response.get_data(as_text=True)


def test_unknown_form_fields_are_refused_like_json_members(client):
    assert client.post("/people/", data={"name": "Ada", "admin": "1"}).status_code == 400


def test_a_multipart_post_with_a_file(client):
    response = client.post(
        "/uploads/",
        data={"title": "notes", "doc": (io.BytesIO(b"hello file"), "a.txt", "text/plain")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert response.json == {
        "data": {"title": "notes"},
        "files": {"doc": ["a.txt", "text/plain", 10, "hello file"]},
    }


def test_multipart_fields_are_validated_by_the_model(client):
    response = client.post(
        "/people/", data={"name": "Bo", "age": "7"}, content_type="multipart/form-data"
    )
    assert (response.status_code, response.json["age"]) == (201, 7)


def problem_of(response):
    return response.status_code, response.json["detail"]


def test_an_oversized_body_names_forms_max_size(client):
    status, detail = problem_of(client.post("/uploads/", data={"a": "x" * 5000}))
    assert status == 413 and "forms.max_size" in detail


def test_an_oversized_file_names_forms_max_file_size(client):
    response = client.post(
        "/uploads/",
        data={"doc": (io.BytesIO(b"x" * 2000), "big.bin")},
        content_type="multipart/form-data",
    )
    status, detail = problem_of(response)
    assert status == 413 and "forms.max_file_size" in detail


def test_an_oversized_field_names_forms_max_field_size(client):
    status, detail = problem_of(client.post("/uploads/", data={"a": "x" * 200}))
    assert status == 413 and "forms.max_field_size" in detail
    multipart = client.post("/uploads/", data={"a": "x" * 200}, content_type="multipart/form-data")
    status, detail = problem_of(multipart)
    assert status == 413 and "forms.max_field_size" in detail


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data", "application/x-www-form-urlencoded"]
)
def test_too_many_parts_names_forms_max_parts(client, content_type):
    data = {f"f{i}": "v" for i in range(20)}
    status, detail = problem_of(client.post("/uploads/", data=data, content_type=content_type))
    assert status == 413 and "forms.max_parts" in detail


def test_an_oversized_chunked_body_is_stopped(client):
    body = b"a=" + b"x" * 10_000

    def chunks():
        yield body

    response = client.post(
        "/uploads/",
        input_stream=io.BytesIO(body),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
    )
    status, detail = problem_of(response)
    assert status == 413 and "forms.max_size" in detail


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\nnot a part"),
        ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data\r\n\r\nv"),
        ("multipart/form-data; boundary=zz", b"garbage without any boundary"),
    ],
    ids=["no boundary parameter", "a part without a name", "no parts at all"],
)
def test_malformed_multipart_is_a_400_or_empty_never_a_500(client, content_type, body):
    response = client.post("/uploads/", data=body, content_type=content_type)
    assert response.status_code in (400, 201)
    if response.status_code == 201:
        assert response.json["files"] == {}
