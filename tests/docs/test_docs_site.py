"""The documentation site builds with no warning (``mkdocs build --strict``, what
``nox -s docs`` runs), and its reference pages are generated from the docstrings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs", reason="the docs toolchain (mkdocs, mkdocstrings) is not installed")
pytest.importorskip("mkdocstrings", reason="the docs toolchain is not installed")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return out


def _built(page: Path) -> Path:
    relative = page.relative_to(ROOT / "docs")
    if relative.name == "README.md":  # MkDocs makes a folder's README its index
        return relative.with_name("index.html")
    return relative.with_suffix(".html")


def test_every_page_under_docs_is_built(site):
    pages = {_built(p) for p in (ROOT / "docs").rglob("*.md")}
    assert {p for p in pages if not (site / p).is_file()} == set()


@pytest.mark.parametrize(
    ("page", "anchors"),
    [
        ("handler", ["camshaft.Handler.records", "camshaft.Handler.store", "camshaft.Result",
                     "camshaft.rc"]),
        ("request", ["camshaft.plugin.Request.headers", "camshaft.plugin.Request.args",
                     "camshaft.plugin.Request.body", "camshaft.plugin.Request.files",
                     "camshaft.plugin.Request.identity", "camshaft.plugin.Request.url_for"]),
        ("stores", ["camshaft.Query.filters", "camshaft.Store.list", "camshaft.Record.version"]),
        ("descriptors", ["camshaft.plugin.Emitter.stream",
                         "camshaft.plugin.Emitter.problem_media_type",
                         "camshaft.plugin.Emitter.charset", "camshaft.plugin.AuthScheme.vary",
                         "camshaft.plugin.StoreBackend.open",
                         "camshaft.testing.contracts.EmitterContract.parses"]),
    ],
)
def test_reference_pages_are_generated_from_the_docstrings(site, page, anchors):
    html = (site / "reference" / f"{page}.html").read_text(encoding="utf-8")
    assert [a for a in anchors if f'id="{a}"' not in html] == []
