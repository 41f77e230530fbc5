"""Models: field types, required, lengths, choices, read-only fields and validators."""

from __future__ import annotations

import datetime

import pytest

from camshaft._kernel.handler import Handler
from camshaft.errors import BadRequest, ValidationError
from camshaft.models import (
    BooleanField,
    ChoiceField,
    DateTimeField,
    FloatField,
    IntegerField,
    Model,
    StringField,
    validate,
)
from camshaft.testing import make_app, make_client


def _even(value: int) -> None:
    if value % 2:
        raise ValueError("must be even")


class Person(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("name", required=True, min_length=1, max_length=5),
        IntegerField("age", required=True, minimum=0, maximum=150),
        FloatField("score"),
        BooleanField("active", default=True),
        ChoiceField("kind", ["a", "b"]),
        DateTimeField("born"),
        IntegerField("lucky", validators=[_even]),
    ]


def _pointers(exc: ValidationError) -> dict[str, str]:
    return {e["pointer"]: e["detail"] for e in exc.errors}


def test_valid_data_is_converted_and_defaults_filled() -> None:
    clean = Person.validate(
        {"name": "bob", "age": "41", "score": 2, "born": "2024-05-01T12:00:00+00:00"}
    )
    assert clean == {
        "name": "bob",
        "age": 41,
        "score": 2.0,
        "born": datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC),
        "active": True,
    }


def test_every_bad_field_is_listed_with_a_pointer() -> None:
    with pytest.raises(ValidationError) as info:
        Person.validate(
            {"name": "toolong", "age": -1, "kind": "c", "active": "maybe", "lucky": 3, "x/y": 1}
        )
    errors = _pointers(info.value)
    assert set(errors) == {"/name", "/age", "/kind", "/active", "/lucky", "/x~1y"}
    assert errors["/lucky"] == "must be even"
    assert info.value.status == 400
    assert info.value.to_problem()["errors"] == info.value.errors


def test_missing_required_fields_are_reported() -> None:
    with pytest.raises(ValidationError) as info:
        Person.validate({})
    assert set(_pointers(info.value)) == {"/name", "/age"}


def test_read_only_and_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        Person.validate({"id": 4, "name": "a", "age": 1, "is_admin": True})
    assert _pointers(info.value) == {
        "/id": "is read-only",
        "/is_admin": "is not a field of this resource",
    }


def test_partial_checks_only_what_is_sent() -> None:
    assert Person.validate({"age": 3}, partial=True) == {"age": 3}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (IntegerField("n"), True),
        (IntegerField("n"), 1.5),
        (IntegerField("n"), "1e3"),
        (FloatField("n"), float("nan")),
        (FloatField("n"), "x"),
        (StringField("n"), 3),
        (BooleanField("n"), 1),
        (DateTimeField("n", aware=True), "2024-05-01T12:00:00"),
        (DateTimeField("n"), "yesterday"),
        (IntegerField("n", required=True), None),
    ],
    ids=lambda v: repr(v),
)
def test_wrong_types_are_refused(field, value) -> None:
    with pytest.raises(ValueError):
        field.clean(value)


def test_null_is_accepted_for_optional_fields() -> None:
    assert Person.validate({"score": None}, partial=True) == {"score": None}


def test_non_object_body_is_400() -> None:
    with pytest.raises(BadRequest):
        Person.validate([1, 2])


def test_duplicate_field_names_are_a_mistake() -> None:
    with pytest.raises(ValueError, match="twice"):

        class Twice(Model):
            fields = [StringField("a"), StringField("a")]


class _Echo(Handler):
    resource_name = "echoes"
    model = Person

    @validate()
    def create(self, data):
        return data

    @validate()
    def patch(self, key, data):
        return data


def test_validate_decorator_guards_plain_handlers() -> None:
    client = make_client(make_app([_Echo]))
    ok = client.post("/echoes/", json={"name": "bob", "age": 3})
    assert ok.status_code == 201 and ok.json == {"name": "bob", "age": 3, "active": True}
    bad = client.post("/echoes/", json={"name": "bob", "age": "old", "id": 1})
    assert bad.status_code == 400
    assert {e["pointer"] for e in bad.json["errors"]} == {"/age", "/id"}
    assert client.patch("/echoes/1", json={"age": 4}).json == {"age": 4}


class Note(Model):
    fields = [
        StringField("title"),
        StringField("raw", allow_control=True),
        FloatField("weight"),
        IntegerField("count"),
    ]


@pytest.mark.parametrize(
    "text", ["a\x00b", "\x01", "bell\x07", "esc\x1b[31m", "\x0b", "\x0c", "del\x7f"]
)
def test_string_fields_refuse_control_characters(text):
    with pytest.raises(ValidationError) as caught:
        Note.validate({"title": text})
    assert caught.value.errors[0]["pointer"] == "/title"
    assert "control character" in caught.value.errors[0]["detail"]


def test_string_fields_keep_tab_newline_and_carriage_return():
    assert Note.validate({"title": "a\tb\r\nc"}) == {"title": "a\tb\r\nc"}


def test_a_field_that_allows_control_characters_keeps_them():
    assert Note.validate({"raw": "a\x00\x1b"}) == {"raw": "a\x00\x1b"}


def test_a_float_field_given_a_400_digit_integer_is_400():
    with pytest.raises(ValidationError) as caught:
        Note.validate({"weight": 10**400})
    assert caught.value.errors[0]["pointer"] == "/weight"


@pytest.mark.parametrize("value", [2**63, -(2**63), "99999999999999999999"])
def test_an_integer_field_keeps_to_64_bits(value):
    with pytest.raises(ValidationError) as caught:
        Note.validate({"count": value})
    assert caught.value.errors[0]["pointer"] == "/count"


def test_a_400_digit_integer_for_a_float_field_over_http_is_400():
    class Notes(Handler):
        resource_name = "notes"
        model = Note

        @validate()
        def create(self, data):
            return data, 201

    client = make_client(make_app([Notes]))
    body = '{"weight": 1' + "0" * 399 + "}"
    response = client.post("/notes/", data=body, content_type="application/json")
    assert response.status_code == 400, response.data
    assert response.json["errors"][0]["pointer"] == "/weight"


# --------------------------------------------------------------------------- richer fields

from camshaft.models import (  # noqa: E402
    DateField,
    DecimalField,
    EmailField,
    ListField,
    ObjectField,
    URLField,
    UUIDField,
)


class Place(Model):
    fields = [StringField("city", required=True, max_length=10)]


class Rich(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("code", pattern=r"[A-Z]{3}"),
        EmailField("email"),
        URLField("site"),
        UUIDField("token"),
        DecimalField("price", max_digits=5, decimal_places=2, minimum=0),
        DateField("day"),
        ObjectField("place", Place),
        ListField("tags", StringField("tag", max_length=3), max_items=2),
        ListField("places", ObjectField("place", Place)),
    ]


class RichHandler(Handler):
    resource_name = "rich"
    links = False
    store = "memory"
    model = Rich


def test_richer_fields_convert():
    clean = Rich.validate(
        {
            "code": "ABC",
            "email": "a@b.io",
            "site": "https://x.org/p",
            "token": "12345678-1234-5678-1234-567812345678",
            "price": "19.99",
            "day": "2024-05-01",
            "place": {"city": "Oslo"},
            "tags": ["a"],
            "places": [{"city": "Rome"}],
        }
    )
    assert str(clean["price"]) == "19.99" and clean["day"] == datetime.date(2024, 5, 1)
    assert clean["place"] == {"city": "Oslo"}


@pytest.mark.parametrize(
    ("member", "value", "pointer"),
    [
        ("code", "abc", "/code"),
        ("email", "not-an-email", "/email"),
        ("site", "javascript:alert(1)", "/site"),
        ("site", "file:///etc/passwd", "/site"),
        ("token", "nope", "/token"),
        ("price", "123.456", "/price"),
        ("price", "-1", "/price"),
        ("price", "Infinity", "/price"),
        ("price", "9" * 500, "/price"),
        ("day", "2024-13-01", "/day"),
        ("place", "Oslo", "/place"),
        ("place", {"city": "x" * 11}, "/place/city"),
        ("place", {}, "/place/city"),
        ("place", {"city": "a", "x": 1}, "/place/x"),
        ("tags", ["a", "b", "c"], "/tags"),
        ("tags", ["toolong"], "/tags/0"),
        ("tags", "a", "/tags"),
        ("places", [{"city": "a"}, {"city": 5}], "/places/1/city"),
    ],
)
def test_richer_fields_point_at_the_problem(member, value, pointer):
    with pytest.raises(ValidationError) as info:
        Rich.validate({member: value})
    assert pointer in _pointers(info.value)


def test_richer_fields_over_http_and_in_openapi():
    client = make_client(make_app([RichHandler]))
    ok = client.post("/rich/", json={"price": 1.5, "places": [{"city": "a"}]})
    assert ok.status_code == 201 and ok.json["price"] == "1.5"
    bad = client.post("/rich/", json={"places": [{"city": "a"}] * 10 + [{"city": 1}]})
    assert bad.status_code == 400 and bad.json["errors"][0]["pointer"] == "/places/10/city"
    many = client.post("/rich/", json={"places": [{"city": 1}] * 30000})
    assert many.status_code == 400
    schema = client.get("/openapi.json").json["components"]["schemas"]["RichInput"]
    props = schema["properties"]
    assert props["code"]["pattern"] == "^(?:[A-Z]{3})$"
    assert props["email"]["type"] == ["string", "null"] and props["email"]["format"] == "email"
    assert props["tags"]["maxItems"] == 2
    assert props["place"]["properties"]["city"]["maxLength"] == 10
