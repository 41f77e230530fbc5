"""The contenders of ``bench_instructions.py``: one module per framework, each with a
``make_app(url) -> WSGI callable`` serving the same four scenarios with the same answers.

=====  ==============================  ================================================
S1     ``GET /items/1``                a small JSON item, ``{"id", "name", "url"}``
S2     ``GET /addresses/?page=2``      20 of 1000 SQLite rows, ``X-Total-Count``, ``Link``
S3     ``POST /addresses/``            a validated insert, ``201`` with ``Location``
S4     ``GET /reports/daily``          Basic auth (clear-text users) on a custom route
=====  ==============================  ================================================

What the contenders share is here: the table, its rows, the users and their Basic
check, the rules a new address must pass and the page links (plain functions any
hand-written app would have). Each module writes its own routing, queries and output.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from urllib.parse import urlencode

import sqlalchemy as sa

ROWS = 1000
PER_PAGE = 20
#: Basic-auth users, in clear text: the scenario measures the framework around the check,
#: not a password hash (scrypt would be ~65 ms, thousands of times the rest).
USERS = {"alice": "wonderland"}
CHALLENGE = 'Basic realm="camshaft", charset="UTF-8"'


def address_table(metadata: sa.MetaData | None = None) -> sa.Table:
    return sa.Table(
        "addresses",
        metadata or sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("age", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )


def seed(url: str) -> None:
    """Create ``addresses`` in WAL mode (it persists in the file) with ids 1..ROWS."""
    engine = sa.create_engine(url)
    table = address_table()
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(table),
            [{"id": a, "name": "bob", "age": a, "version": 1} for a in range(1, ROWS + 1)],
        )
    engine.dispose()


def valid_address(data: object) -> dict[str, object] | None:
    """The rules Camshaft's ``AddressModel`` states, written out by hand for the others:
    an object with exactly ``name`` (a string of 1 to 100 characters) and ``age`` (an
    integer from 0 to 200). None when ``data`` breaks them."""
    if not isinstance(data, dict) or set(data) != {"name", "age"}:
        return None
    name, age = data["name"], data["age"]
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        return None
    if type(age) is not int or not 0 <= age <= 200:
        return None
    return {"name": name, "age": age}


def page_links(base: str, page: int, per_page: int, count: int) -> str:
    """The RFC 8288 ``Link`` value Camshaft sends for a page: first, prev, next, last."""
    last = max(1, -(-count // per_page))
    pages = {"first": 1, "prev": page - 1 if page > 1 else None}
    pages |= {"next": page + 1 if page < last else None, "last": last}
    return ", ".join(
        f'<{base}?{urlencode({"page": n, "per_page": per_page})}>; rel="{rel}"'
        for rel, n in pages.items()
        if n is not None
    )


def check_basic(header: str | None) -> str | None:
    """The user named by a valid ``Authorization: Basic`` value, else None; the password
    is compared in constant time, and an unknown user costs what a known one does."""
    scheme, _, encoded = (header or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = decoded.partition(":")
    expected = USERS.get(user)
    matched = hmac.compare_digest(password.encode(), (expected or "\0unknown").encode())
    return user if colon and matched and expected is not None else None
