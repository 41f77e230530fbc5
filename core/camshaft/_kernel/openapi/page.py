"""The HTML docs page: a self-contained page (shipped as package data, no CDN) whose
inline script fetches the app's own OpenAPI document and renders it."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from functools import cache
from importlib.resources import files

__all__ = ["docs_page"]

_PLACEHOLDER = re.compile(r"\{\{(title|spec_url|root|client_id)\}\}")


@cache
def _template() -> str:
    return files(__package__).joinpath("docs.html").read_text(encoding="utf-8")


def _csp_hash(pattern: str, text: str) -> str:
    found = re.search(pattern, text, re.DOTALL)
    assert found is not None, "docs.html lost its inline block"
    digest = hashlib.sha256(found[1].encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def docs_page(spec_url: str, title: str, root: str = "", client_id: str = "") -> tuple[bytes, str]:
    """The page for the document at ``spec_url`` and its Content-Security-Policy;
    ``root`` is the app's path prefix (SCRIPT_NAME), which the console's requests and
    curl lines put before each operation's path; ``client_id`` prefills the OAuth 2
    client the console authorizes as (``openapi.docs_oauth_client_id``).

    The page is a console: search, a permanent link per operation, parameters and a
    body editor prefilled from the schema, credentials for the document's security
    schemes, and each response shown with its status, headers and body; descriptions
    are rendered from Markdown and reST inline markup as DOM nodes, never as HTML. An
    ``oauth2`` scheme with an ``authorizationCode`` flow whose URLs are the app's own
    gets an Authorize button: the code flow with PKCE (S256) as a public client, with
    the page itself as the redirect URI.

    The policy allows exactly the page's own inline script and style (by hash) and
    fetching from the same origin, so nothing is loaded from anywhere else (the
    authorization endpoint is navigated to, which the policy does not govern).

    :return: ``(html bytes, Content-Security-Policy value)``.
    """
    values = {
        "title": html.escape(title),
        "spec_url": html.escape(spec_url, quote=True),
        "root": html.escape(root, quote=True),
        "client_id": html.escape(client_id, quote=True),
    }
    # One pass, so a value that looks like a placeholder stays as it is.
    page = _PLACEHOLDER.sub(lambda found: values[found[1]], _template())
    policy = "; ".join(
        (
            "default-src 'none'",
            "connect-src 'self'",
            "img-src data:",  # the empty favicon: no request for /favicon.ico
            "script-src " + _csp_hash(r"<script>(.*?)</script>", page),
            "style-src " + _csp_hash(r"<style>(.*?)</style>", page),
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )
    return page.encode("utf-8"), policy
