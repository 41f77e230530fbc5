"""Sample data for format tests: the documented sample object and hypothesis strategies.

``SAMPLE`` is the object every format page in ``docs/formats/`` shows the bytes of (it
carries the rich scalars: a datetime, a UUID, a Decimal and bytes). The strategies
generate the JSON-typed values a format must carry unchanged; a format that carries less
narrows them (see :class:`camshaft.testing.contracts.EmitterContract`)::

    XML_SCALARS = samples.scalars(text=XML_TEXT)

    class TestXmlEmitterContract(EmitterContract):
        values = samples.nested(XML_SCALARS, keys=XML_TEXT)
        collections = samples.records(XML_SCALARS, keys=XML_TEXT)

This module imports hypothesis, a test dependency (the ``testing`` extra).
"""

from __future__ import annotations

import datetime
import decimal
import os
import re
import uuid
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from camshaft._kernel.handler import Handler
from camshaft._kernel.values import INT_LIMIT

__all__ = [
    "PLAIN_SAMPLE",
    "RECORDS",
    "SAMPLE",
    "SCALARS",
    "TEXT",
    "VALUES",
    "Things",
    "documented_sample",
    "nested",
    "records",
    "scalars",
]

#: The object the format pages document the emitted bytes of.
SAMPLE: dict[str, Any] = {
    "title": "Soup & <bread>",
    "count": 3,
    "price": 9.5,
    "open": True,
    "closed_on": None,
    "tags": ["soup", "bread"],
    "owner": {"name": "Ada", "id": 1},
    "updated": datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "total": decimal.Decimal("19.90"),
    "logo": b"\x89PNG",
}

#: An object of JSON types only, which every typed format parses back equal.
PLAIN_SAMPLE: dict[str, Any] = {
    "id": 7,
    "title": "Hello",
    "tags": ["a", "b"],
    "score": 1.5,
    "draft": False,
    "note": None,
}


class Things(Handler):
    """``/things/``: any key reads :data:`SAMPLE`; the collection is an iterator (so it
    is streamed) of ``{"n": 0}``, ``{"n": 1}``, ``{"n": 2}``; a create answers 200 with
    ``{"received": <the parsed body>}``."""

    resource_name = "things"

    def read(self, key: str | None = None) -> Any:
        if key is None:
            return ({"n": i} for i in range(3))
        return SAMPLE

    def create(self, data: Any) -> Any:
        return ({"received": data}, 200)


#: Short strings of any characters a str can hold (lone surrogates cannot be encoded).
TEXT: SearchStrategy[str] = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)


def scalars(
    text: SearchStrategy[str] = TEXT,
    *,
    integers: SearchStrategy[int] | None = None,
    floats: SearchStrategy[float] | None = None,
) -> SearchStrategy[Any]:
    """None, booleans, ``integers`` (default: any int a parser accepts, within the
    signed 64-bit range of :data:`camshaft.plugin.INT_LIMIT`), ``floats`` (default: finite) and
    ``text``; ``|`` another strategy onto the result to add a type (bytes, ...)."""
    ints = st.integers(-INT_LIMIT + 1, INT_LIMIT - 1) if integers is None else integers
    reals = st.floats(allow_nan=False, allow_infinity=False) if floats is None else floats
    return st.none() | st.booleans() | ints | reals | text


#: The default scalars: None, bool, 64-bit ints, finite floats, :data:`TEXT`.
SCALARS: SearchStrategy[Any] = scalars()


def nested(
    leaves: SearchStrategy[Any] = SCALARS, keys: SearchStrategy[str] = TEXT
) -> SearchStrategy[Any]:
    """Scalars from ``leaves``, and lists and dicts (keys from ``keys``) of them nested to
    any depth, at most four members a container and twenty leaves a value."""
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=20,
    )


def records(
    leaves: SearchStrategy[Any] = SCALARS, keys: SearchStrategy[str] = TEXT
) -> SearchStrategy[list[Any]]:
    """A collection: up to five flat dicts of up to four members, values from ``leaves``."""
    return st.lists(st.dictionaries(keys, leaves, max_size=4), max_size=5)


#: :func:`nested` over the defaults.
VALUES: SearchStrategy[Any] = nested()
#: :func:`records` over the defaults.
RECORDS: SearchStrategy[list[Any]] = records()


def documented_sample(doc: str | os.PathLike[str], fence: str) -> str:
    """The text of the fenced block (info string ``fence``) that directly follows a
    ``<!-- sample-output -->`` line in the Markdown page ``doc``: every line of it, each
    with its line break, so a block whose bytes end in a newline ends in ``"\\n"``.

    :raises AssertionError: the page has no such block.
    """
    text = Path(doc).read_text(encoding="utf-8")
    pattern = rf"^<!-- sample-output -->\n```{re.escape(fence)}\n(.*?)^```"
    block = re.search(pattern, text, re.DOTALL | re.MULTILINE)
    assert block is not None, f"{doc}: no ```{fence} block after <!-- sample-output -->"
    return block.group(1)
