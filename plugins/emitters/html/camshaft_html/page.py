"""One HTML page for one response: the data, its links, the methods, forms, headers.

Everything that comes from data or from the request passes through :func:`esc`; a
string becomes a link only when it is one of the app's own URLs (it starts with the
app's base URL), so a stored ``javascript:`` URL or ``<script>`` stays text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from html import escape
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode

from camshaft.plugin import EmitContext, ResourceContext, json_default

from .forms import forms

__all__ = ["esc", "render"]

_LINK = re.compile(r'<([^>]*)>\s*((?:;\s*[^;,]*)*)')
_REL = re.compile(r'rel\s*=\s*"?([^";]+)"?', re.IGNORECASE)
_SHOWN_HEADERS = ("ETag", "Link", "Location", "X-Total-Count", "Allow")


def esc(value: Any) -> str:
    """``value`` as HTML text, quotes included (safe in text and in attributes)."""
    return escape(str(value), quote=True)


def render(data: Any, ctx: EmitContext, style: str, script: str) -> str:
    """The page for ``data``; ``style`` and ``script`` are inlined as they are (the
    Content-Security-Policy names their hashes)."""
    res = ctx.resource or ResourceContext(base_url="", path="/")
    status = res.status
    if ctx.problem and isinstance(data, Mapping):
        status = _int(data.get("status"), status)
        title = f"{status} {data.get('title', '')}"
        body = _problem(data)
    else:
        title = res.path
        body = _data(data, ctx, res)
        body += forms(data if not ctx.many else None, res)
    return "".join(
        (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="referrer" content="same-origin"><link rel="icon" href="data:,">',
            f"<title>{esc(title)}</title><style>{style}</style></head><body>",
            _header(res, status),
            f'<main>{body}<p id="result" role="status" hidden></p>',
            _headers(res),
            _raw(data),
            f"</main><script>{script}</script></body></html>\n",
        )
    )


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _header(res: ResourceContext, status: int) -> str:
    crumbs = [f'<a href="{esc(res.base_url)}/">/</a>']
    parts = [p for p in res.path.split("/") if p]
    for i, part in enumerate(parts):
        href = res.base_url + "/" + "/".join(parts[: i + 1]) + ("/" if i < len(parts) - 1 else "")
        if i == len(parts) - 1:
            crumbs.append(f"<span>{esc(part)}</span>")
        else:
            crumbs.append(f'<a href="{esc(href)}">{esc(part)}</a>')
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    methods = "".join(f'<span class="method">{esc(m)}</span>' for m in res.methods)
    query = dict(parse_qsl(res.query, keep_blank_values=True))
    query["format"] = "json"
    json_href = f"{res.base_url}{res.path}?{urlencode(query)}"
    etag = res.header("ETag")
    version = f' ETag: <code class="etag">{esc(etag)}</code>' if etag else ""
    return (
        f'<header><nav aria-label="Path">{" / ".join(crumbs)}</nav>'
        f'<h1>{esc(res.path)}</h1><p class="meta"><span class="status">{status} {esc(phrase)}'
        f"</span>{' Allow: ' + methods if methods else ''}{version}"
        f' <a class="alt" href="{esc(json_href)}">as JSON</a></p></header>'
    )


def _own_url(value: Any, res: ResourceContext) -> bool:
    """Whether ``value`` is one of the app's own absolute URLs (the only strings linked)."""
    return (
        isinstance(value, str)
        and bool(res.base_url)
        and value.startswith(res.base_url + "/")
        and not any(c in value for c in "\"'<>` \\\n\r\t")
    )


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    try:
        shown = json_default(value)
    except TypeError:
        return repr(value)
    return shown if isinstance(shown, str) else json.dumps(shown, default=str)


def _value(value: Any, res: ResourceContext, depth: int = 0) -> str:
    """One value: a link when it is an app URL, a nested list or table, else text."""
    if _own_url(value, res):
        return f'<a href="{esc(value)}">{esc(value.removeprefix(res.base_url))}</a>'
    if depth < 4 and isinstance(value, Mapping):
        return _definitions(value, res, depth + 1)
    if depth < 4 and isinstance(value, list | tuple):
        if value and all(isinstance(v, Mapping) for v in value):
            return _table(value, None, res, depth + 1)
        items = "".join(f"<li>{_value(v, res, depth + 1)}</li>" for v in value)
        return f"<ul>{items}</ul>" if value else '<span class="empty">[]</span>'
    if isinstance(value, Mapping | list | tuple):
        return f"<code>{esc(json.dumps(value, default=_text))}</code>"
    css = "null" if value is None else type(value).__name__
    return f'<span class="v-{esc(css)}">{esc(_text(value))}</span>'


def _definitions(data: Mapping[Any, Any], res: ResourceContext, depth: int = 0) -> str:
    rows = "".join(
        f"<dt>{esc(k)}</dt><dd>{_value(v, res, depth)}</dd>" for k, v in data.items()
    )
    return f'<dl class="item">{rows}</dl>' if rows else '<p class="empty">{}</p>'


def _columns(rows: Sequence[Any], declared: tuple[str, ...] | None, key: str) -> list[str]:
    """The declared columns, else every member in order of appearance, the key first
    and the ``url`` link last."""
    if declared:
        return list(declared)
    seen: dict[str, None] = {}
    for row in rows:
        if isinstance(row, Mapping):
            seen.update(dict.fromkeys(map(str, row)))
    first = [key] if key in seen else []
    last = ["url"] if "url" in seen and key != "url" else []
    return first + [c for c in seen if c not in (key, "url")] + last


def _cell(row: Mapping[str, Any], column: str) -> Any:
    value: Any = row
    for part in column.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _table(
    rows: Sequence[Any], declared: tuple[str, ...] | None, res: ResourceContext, depth: int = 0
) -> str:
    if not rows:
        return '<p class="empty">No items.</p>'
    if not all(isinstance(r, Mapping) for r in rows):
        return "<ul>" + "".join(f"<li>{_value(r, res, depth)}</li>" for r in rows) + "</ul>"
    columns = _columns(rows, declared, res.key_field)
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    body = []
    for row in rows:
        cells = []
        for column in columns:
            value = _cell(row, column)
            if column == res.key_field and _own_url(row.get("url"), res):
                cells.append(f'<td><a href="{esc(row["url"])}">{esc(_text(value))}</a></td>')
            else:
                cells.append(f"<td>{_value(value, res, depth + 1)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="scroll"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _data(data: Any, ctx: EmitContext, res: ResourceContext) -> str:
    if ctx.many and isinstance(data, list | tuple):
        total = res.header("X-Total-Count")
        count = f'<p class="meta">{len(data)} shown' + (
            f" of {esc(total)}</p>" if total is not None else "</p>"
        )
        return count + _table(data, ctx.columns, res) + _pages(res)
    if isinstance(data, Mapping):
        if res.key_field in data:  # the key first, as in the table
            data = {res.key_field: data[res.key_field], **data}
        return _definitions(data, res) + _pages(res)
    return f'<p class="scalar">{_value(data, res)}</p>'


def links(header: str | None) -> list[tuple[str, str]]:
    """``(rel, url)`` pairs of a ``Link`` header, in order."""
    found: list[tuple[str, str]] = []
    for match in _LINK.finditer(header or ""):
        rel = _REL.search(match[2])
        if rel:
            found.extend((r, match[1]) for r in rel[1].split())
    return found


def _pages(res: ResourceContext) -> str:
    found = [
        f'<a rel="{esc(rel)}" href="{esc(url)}">{esc(rel)}</a>'
        for rel, url in links(res.header("Link"))
        if _own_url(url, res)
    ]
    return f'<nav class="pages" aria-label="Pages">{" ".join(found)}</nav>' if found else ""


def _problem(data: Mapping[str, Any]) -> str:
    parts = [f'<section class="problem"><h2>{esc(data.get("title", "Error"))}</h2>']
    if data.get("detail"):
        parts.append(f'<p class="detail">{esc(data["detail"])}</p>')
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        rows = "".join(
            f"<li><code>{esc(e.get('pointer', ''))}</code> {esc(e.get('detail', ''))}</li>"
            for e in errors
            if isinstance(e, Mapping)
        )
        parts.append(f'<ul class="errors">{rows}</ul>')
    rest = {k: v for k, v in data.items() if k not in ("title", "detail", "errors")}
    parts.append(
        "<dl>"
        + "".join(f"<dt>{esc(k)}</dt><dd>{esc(_text(v))}</dd>" for k, v in rest.items())
        + "</dl></section>"
    )
    return "".join(parts)


def _headers(res: ResourceContext) -> str:
    shown = [(n, v) for n, v in res.headers if n.title() in _SHOWN_HEADERS or n == "ETag"]
    if not shown:
        return ""
    rows = "".join(f"<tr><th>{esc(n)}</th><td><code>{esc(v)}</code></td></tr>" for n, v in shown)
    return f'<details class="headers"><summary>Headers</summary><table>{rows}</table></details>'


def _raw(data: Any) -> str:
    text = json.dumps(data, default=_text, indent=2, ensure_ascii=False)
    return f'<details class="raw"><summary>JSON</summary><pre>{esc(text)}</pre></details>'
