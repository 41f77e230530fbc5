"""The browsable address book in headless Chromium: a collection page, the create form,
an item page and its edit form, with the page's own CSP in force."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from camshaft import Handler
from camshaft.models import IntegerField, Model, StringField
from camshaft.testing import make_app
from tests.browser import browser_page, serve

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "images"


class AddressModel(Model):
    fields = [
        IntegerField("id", read_only=True),
        StringField("name", required=True, min_length=1, max_length=100),
        IntegerField("age", required=True, minimum=0, maximum=200),
    ]


class Addresses(Handler):
    """Addresses in memory, as in the quickstart."""

    resource_name = "addresses"
    key_pattern = r"\d{1,18}"
    store = "memory"
    model = AddressModel


@pytest.fixture
def live() -> Any:
    app = make_app([Addresses], plugins=["html"], settings={"pagination": {"per_page": 5}})
    from camshaft.testing import make_client

    client = make_client(app)
    for age, name in enumerate(["ann", "bob", "<script>alert(1)</script>", "javascript:x"]):
        assert client.post("/addresses/", json={"name": name, "age": 30 + age}).status_code == 201
    with serve(app) as url:
        yield url


def test_collection_page_lists_items_and_the_create_form_adds_one(live: str) -> None:
    with browser_page() as page:
        page.goto(live + "/addresses/")
        rows = page.locator("table.data tbody tr")
        assert rows.count() == 4
        assert page.locator("table.data").inner_text().count("<script>alert(1)</script>") == 1
        assert page.locator("table.data a", has_text="javascript:x").count() == 0
        if os_wants_screenshots():
            page.screenshot(path=str(SCREENSHOTS / "html-collection.png"), full_page=True)
        page.fill("form.api input[name=name]", "carol")
        page.fill("form.api input[name=age]", "41")
        with page.expect_navigation():
            page.click("form.api button[value=POST]")
        # The script follows Location: the new item's own page.
        assert page.url.startswith(live + "/addresses/")
        assert page.locator("dl.item").inner_text().count("carol") == 1
        page.goto(live + "/addresses/")
        assert page.locator("table.data tbody tr").count() == 5
        assert "carol" in page.locator("table.data").inner_text()
        assert page.errors == []


def test_item_page_edit_form_changes_the_item_with_if_match(live: str) -> None:
    with browser_page() as page:
        page.goto(live + "/addresses/")
        page.click("table.data tbody tr >> nth=1 >> a >> nth=0")
        assert page.url == live + "/addresses/1"
        page.fill("form.api input[name=age]", "77")
        with page.expect_navigation():
            page.click("form.api button[value=PATCH]")
        assert "77" in page.locator("dl.item").inner_text()
        if os_wants_screenshots():
            page.screenshot(path=str(SCREENSHOTS / "html-item.png"), full_page=True)
        assert page.errors == []


def test_a_refused_write_shows_the_problem_on_the_page(live: str) -> None:
    with browser_page() as page:
        page.goto(live + "/addresses/")
        page.fill("form.api input[name=name]", "dan")
        page.evaluate("document.querySelector('form.api input[name=age]').value = '999'")
        page.evaluate("document.querySelector('form.api').noValidate = true")
        page.click("form.api button[value=POST]")
        result = page.locator("#result")
        result.wait_for(state="visible")
        assert result.inner_text().startswith("400")
        assert "/age" in result.inner_text()


def os_wants_screenshots() -> bool:
    """Screenshots for docs/ are written when CAMSHAFT_SCREENSHOTS is set."""
    import os

    return bool(os.environ.get("CAMSHAFT_SCREENSHOTS"))
