"""camshaft-html over HTTP: who gets a page, what the page holds, and that data never
becomes markup or a foreign link."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from camshaft import Handler
from camshaft.models import BooleanField, ChoiceField, IntegerField, Model, StringField
from camshaft.testing import make_app, make_client

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' onmouseover='alert(1)",
    "http://evil.example/x",
]


class ThingModel(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("name", required=True, max_length=200),
        IntegerField("age", minimum=0),
        BooleanField("active"),
        ChoiceField("colour", choices=["red", "green"]),
    ]


class Things(Handler):
    """Things in memory."""

    resource_name = "things"
    store = "memory"
    model = ThingModel


class Tags(Handler):
    """No model: forms are a JSON text area."""

    resource_name = "tags"
    store = "memory"


class Page(HTMLParser):
    """Every start tag with its attributes, and the page's text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


@pytest.fixture
def client() -> Any:
    app = make_app([Things, Tags], plugins=["html", "xml"])
    client = make_client(app)
    for i, name in enumerate(HOSTILE):
        assert client.post("/things/", json={"name": name, "age": i}).status_code == 201
    return client


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (BROWSER, "text/html; charset=utf-8"),
        ("text/html", "text/html; charset=utf-8"),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        (None, "application/json"),
        ("application/xml, application/json", "application/xml"),
        ("application/xml, text/html;q=0.9", "application/xml"),
    ],
    ids=[
        "a browser gets a page",
        "text/html gets a page",
        "JSON clients keep JSON",
        "any type keeps the default JSON",
        "no Accept keeps JSON",
        "a client asking XML first keeps XML",
        "XML preferred over HTML keeps XML",
    ],
)
def test_who_gets_a_page(client: Any, accept: str | None, expected: str) -> None:
    response = client.get("/things/", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == expected
    assert "Accept" in response.headers["Vary"]


def test_format_query_asks_for_the_page(client: Any) -> None:
    response = client.get("/things/?format=html")
    assert response.headers["Content-Type"].startswith("text/html")


def test_collection_page_is_a_table_with_item_links_and_pages(client: Any) -> None:
    response = client.get("/things/?per_page=2&page=2", headers={"Accept": BROWSER})
    page = Page(response.text)
    assert [a["scope"] for a in page.all("th")[:1]] == ["col"]
    assert len(re.findall(r"<tr>", response.text.split("<tbody>")[1].split("</tbody>")[0])) == 2
    hrefs = [a["href"] for a in page.all("a")]
    assert "http://localhost/things/2" in hrefs
    rels = {a["rel"]: a["href"] for a in page.all("a") if a.get("rel")}
    assert set(rels) >= {"first", "prev", "next", "last"}
    assert rels["next"] == "http://localhost/things/?page=3&per_page=2"
    assert "of 5" in response.text  # X-Total-Count


def test_every_value_is_escaped_and_only_app_urls_are_links(client: Any) -> None:
    response = client.get("/things/", headers={"Accept": BROWSER})
    page = Page(response.text)
    assert len(page.all("script")) == 1  # the page's own, nothing from the data
    assert page.all("img") == []
    for attrs in page.tags:
        assert not any(k.startswith("on") for k in attrs[1])
    for a in page.all("a"):
        assert (a["href"] or "").startswith("http://localhost/"), a
    text = "".join(page.text)
    for value in HOSTILE:
        assert value in text  # shown as text, whole


def test_an_app_url_with_a_quote_is_not_a_link(client: Any) -> None:
    client.post("/things/", json={"name": 'http://localhost/x"onclick="alert(1)'})
    page = Page(client.get("/things/", headers={"Accept": BROWSER}).text)
    assert all('"' not in (a["href"] or "") for a in page.all("a"))


def test_pages_carry_a_strict_content_security_policy(client: Any) -> None:
    for path in ("/things/", "/things/0", "/things/999"):
        response = client.get(path, headers={"Accept": BROWSER})
        policy = dict(
            p.strip().split(" ", 1) for p in response.headers["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == "'none'"
        assert policy["script-src"].startswith("'sha256-")
        assert " " not in policy["script-src"]  # one hash, no 'unsafe-inline', no host
        assert policy["connect-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_json_responses_carry_no_page_headers(client: Any) -> None:
    response = client.get("/things/", headers={"Accept": "application/json"})
    assert "Content-Security-Policy" not in response.headers


def test_item_page_lists_members_and_an_edit_form_with_the_etag(client: Any) -> None:
    response = client.get("/things/0", headers={"Accept": BROWSER})
    etag = response.headers["ETag"]
    page = Page(response.text)
    assert "<dl" in response.text
    forms = page.all("form")
    edit = next(f for f in forms if f.get("data-after") == "reload")
    assert edit["data-etag"] == etag
    assert edit["data-url"] == "/things/0"
    buttons = {b["value"] for b in page.all("button")}
    assert buttons == {"PUT", "PATCH", "DELETE"}
    name = next(i for i in page.all("input") if i["name"] == "name")
    assert name["value"] == HOSTILE[0]  # prefilled, the attribute parsed back whole
    assert name["maxlength"] == "200"
    assert "required" in name


def test_create_form_follows_the_model(client: Any) -> None:
    page = Page(client.get("/things/", headers={"Accept": BROWSER}).text)
    inputs = {i["name"]: i for i in page.all("input")}
    assert set(inputs) == {"name", "age", "active"}  # id is read-only
    assert inputs["age"]["type"] == "number"
    assert inputs["age"]["data-type"] == "integer"
    assert inputs["age"]["min"] == "0"
    assert inputs["active"]["type"] == "checkbox"
    options = [o["value"] for o in page.all("option")]
    assert options == ["", '"red"', '"green"']
    assert [b["value"] for b in page.all("button")] == ["POST"]


def test_without_a_model_the_form_is_a_json_text_area() -> None:
    client = make_client(make_app([Tags], plugins=["html"]))
    client.post("/tags/", json={"label": "</textarea><script>x</script>"})
    text = client.get("/tags/0", headers={"Accept": BROWSER}).text
    page = Page(text)
    assert len(page.all("textarea")) == 1
    assert len(page.all("script")) == 1
    assert "&lt;/textarea&gt;&lt;script&gt;" in text


def test_problems_are_error_pages_in_their_status(client: Any) -> None:
    response = client.get("/things/999", headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>404 Not Found</title>" in response.text
    assert 'class="problem"' in response.text


def test_validation_problems_list_each_member(client: Any) -> None:
    response = client.post(
        "/things/?format=html", json={"name": "<b>x</b>", "age": -1, "colour": "blue"}
    )
    assert response.status_code == 400
    assert "<li><code>/age</code>" in response.text
    assert "<b>" not in response.text


def test_method_not_allowed_page_keeps_allow(client: Any) -> None:
    response = client.delete("/things/", headers={"Accept": BROWSER})
    assert response.status_code == 405
    assert response.headers["Allow"]
    assert response.headers["Content-Type"].startswith("text/html")


def test_head_of_a_page_has_no_body(client: Any) -> None:
    response = client.head("/things/", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.data == b""
