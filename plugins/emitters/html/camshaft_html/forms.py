"""Forms for the writes a resource allows, built from the handler's model.

The page's script (page.js) sends a form as a JSON body with ``fetch``: each input
carries the member it fills (``data-member``) and how to read it (``data-type``); a
form without a model is one JSON text area (``data-type="body"``). An edit form sends
the ETag it was rendered with as ``If-Match``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import urlsplit

from camshaft.models import (
    BooleanField,
    ChoiceField,
    DateTimeField,
    Field,
    FloatField,
    IntegerField,
    StringField,
)
from camshaft.plugin import ResourceContext, json_default

__all__ = ["forms"]


def _esc(value: Any) -> str:
    return escape(str(value), quote=True)


def forms(item: Any, res: ResourceContext) -> str:
    """The create form (collections allowing POST), or the edit and delete forms
    (items allowing PUT, PATCH or DELETE); ``item`` is the item's data, or None."""
    url = urlsplit(res.base_url).path + res.path
    methods = set(res.methods)
    out = []
    if res.kind == "collection" and "POST" in methods:
        out.append(_form("Create", url, None, ("POST",), None, res))
    if res.kind == "item" and isinstance(item, Mapping):
        writes = tuple(m for m in ("PUT", "PATCH") if m in methods)
        etag = res.header("ETag")
        if writes:
            out.append(_form("Edit", url, etag, writes, item, res))
        if "DELETE" in methods:
            out.append(
                f'<section class="form"><h2>Delete</h2><form class="api" data-url="{_esc(url)}"'
                f'{_etag(etag)} data-after="parent"><button type="submit" value="DELETE" '
                'class="danger">Delete</button></form></section>'
            )
    return "".join(out)


def _etag(etag: str | None) -> str:
    return f' data-etag="{_esc(etag)}"' if etag else ""


_LABELS = {"POST": "Create", "PUT": "Replace (PUT)", "PATCH": "Change (PATCH)"}


def _form(
    title: str,
    url: str,
    etag: str | None,
    methods: tuple[str, ...],
    item: Mapping[str, Any] | None,
    res: ResourceContext,
) -> str:
    model = res.model
    fields = [f for f in getattr(model, "fields", ()) if not f.read_only] if model else []
    if fields:
        inputs = "".join(_input(f, item) for f in fields)
    else:
        text = json.dumps(_writable(item, res), default=json_default, indent=2) if item else "{}"
        inputs = (
            '<label class="wide">JSON body<textarea data-type="body" rows="8" '
            f'spellcheck="false">{_esc(text)}</textarea></label>'
        )
    buttons = "".join(
        f'<button type="submit" value="{m}"{" formnovalidate" if m == "PATCH" else ""}>'
        f"{_LABELS[m]}</button>"
        for m in methods
    )
    after = "location" if "POST" in methods else "reload"
    return (
        f'<section class="form"><h2>{title}</h2><form class="api" data-url="{_esc(url)}"'
        f'{_etag(etag)} data-after="{after}">{inputs}<div class="buttons">{buttons}</div>'
        "</form></section>"
    )


def _writable(item: Mapping[str, Any], res: ResourceContext) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in ("url", res.key_field)}


def _input(field: Field, item: Mapping[str, Any] | None) -> str:
    name = _esc(field.name)
    current = item.get(field.name) if item is not None else None
    attrs = [f'name="{name}"', f'data-member="{name}"']
    if field.required:
        attrs.append("required")
    if isinstance(field, BooleanField):
        checked = " checked" if current is True else ""
        return (
            f'<label class="check"><input type="checkbox" data-type="boolean" '
            f'{" ".join(attrs)}{checked}> {name}</label>'
        )
    if isinstance(field, ChoiceField):
        options = [] if field.required else ['<option value="">(none)</option>']
        for choice in field.choices:
            selected = " selected" if current == choice and item is not None else ""
            options.append(
                f'<option value="{_esc(json.dumps(choice, default=json_default))}"{selected}>'
                f"{_esc(choice)}</option>"
            )
        return (
            f'<label>{name}<select data-type="json" {" ".join(attrs)}>'
            f'{"".join(options)}</select></label>'
        )
    if isinstance(field, IntegerField | FloatField):
        kind = "integer" if isinstance(field, IntegerField) else "number"
        attrs.append('type="number"')
        attrs.append('step="1"' if kind == "integer" else 'step="any"')
        for attr in ("minimum", "maximum"):
            bound = getattr(field, attr, None)
            if bound is not None:
                attrs.append(f'{attr[:3]}="{_esc(bound)}"')
    else:
        kind = "string"
        attrs.append('type="text"')
        if isinstance(field, StringField) and field.max_length is not None:
            attrs.append(f'maxlength="{int(field.max_length)}"')
        if isinstance(field, DateTimeField):
            attrs.append('placeholder="2024-01-31T12:00:00"')
    if current is not None:
        shown = current if isinstance(current, str) else json.dumps(current, default=json_default)
        attrs.append(f'value="{_esc(shown)}"')
    return f'<label>{name}<input data-type="{kind}" {" ".join(attrs)}></label>'
