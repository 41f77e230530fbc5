"""Database errors as HTTP errors by what they mean, with no SQL and no driver text in
what the client sees.

Each driver says what went wrong in its own words: psycopg by SQLSTATE, PyMySQL by
MariaDB/MySQL error number, sqlite3 by extended result code (and message). The meaning,
not the exception class, decides the answer (PyMySQL raises a NOT NULL violation as an
``OperationalError``, code 1364, which is not a database outage):

- a unique (or primary key) or foreign key violation is **409 Conflict**: the data
  clashes with other rows;
- a NOT NULL or CHECK violation, a value too long or out of range for its column, a
  value of the wrong type, or a statement with more parameters than the driver takes is
  **400**: no retry of the same request can succeed;
- a deadlock or serialization failure is run again (:func:`retried`, the store's writes
  use it), and is a **503 with Retry-After** when it keeps failing;
- a lost or refused connection, a pool timeout, a lock timeout (SQLite's "database is
  locked") is **503 with Retry-After**: the transaction was rolled back, nothing was
  half written, a retry may succeed. So is any
  other ``OperationalError`` the driver raises: DB-API reserves that class for failures
  of the database's operation, not of the request.

The column is named (as a JSON Pointer to the data member) where the driver says which.
Anything else propagates (a 500, logged): it is a bug, not the client's doing.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy.exc as sa_exc

from camshaft.errors import (
    BadRequest,
    Conflict,
    FieldError,
    HTTPError,
    ServiceUnavailable,
    ValidationError,
)

__all__ = ["Meaning", "RolledBack", "classify", "is_unique_violation", "retried", "translated"]

logger = logging.getLogger("camshaft.sqlalchemy")

# What each kind of failure means to the client: status class and a sentence.
UNIQUE, FOREIGN_KEY = "unique", "foreign key"
NOT_NULL, CHECK, TOO_LONG, OUT_OF_RANGE, BAD_VALUE = (
    "not null",
    "check",
    "too long",
    "out of range",
    "bad value",
)
TOO_MANY_PARAMETERS, UNAVAILABLE = "too many parameters", "unavailable"
#: A deadlock or serialization failure: the database rolled the transaction back so
#: another could finish; running it again usually succeeds (:func:`retried`).
ROLLED_BACK = "rolled back"

_DETAIL = {
    UNIQUE: (
        "is already taken by another record",
        "A record with the same key or unique value already exists.",
    ),
    FOREIGN_KEY: (
        "refers to a record that does not exist, or is still referred to",
        "The data refers to a record that does not exist, or a record still refers to it.",
    ),
    NOT_NULL: ("is required", "A required value is missing."),
    CHECK: ("breaks a rule of the database", "The data breaks a rule of the database."),
    TOO_LONG: ("is too long", "A value is too long for its field."),
    OUT_OF_RANGE: ("is out of range", "A value is out of range for its field."),
    BAD_VALUE: ("has the wrong type", "A value has the wrong type for its field."),
    TOO_MANY_PARAMETERS: ("", "The query lists too many values."),
}
_CONFLICTS = {UNIQUE, FOREIGN_KEY}


@dataclass(frozen=True, slots=True)
class Meaning:
    """What a database error means: a kind (the constants above) and, when the driver
    named it, the column."""

    kind: str
    column: str | None = None


# --------------------------------------------------------------------------- psycopg

_PG_STATES = {
    "23505": UNIQUE,
    "23503": FOREIGN_KEY,
    "23502": NOT_NULL,
    "23514": CHECK,
    "22001": TOO_LONG,
    "22003": OUT_OF_RANGE,
    "22P02": BAD_VALUE,
    "22007": BAD_VALUE,
    "22008": OUT_OF_RANGE,
    "54000": TOO_MANY_PARAMETERS,
}
#: Classes (first two characters) and states that mean "try again": connection
#: exceptions, insufficient resources, operator intervention, transaction rollback
#: (serialization failure, deadlock), lock not available.
_PG_RETRY_CLASSES = ("08", "53", "57", "40")
_PG_KEY_DETAIL = re.compile(r"^Key \(([^)]*)\)=")


def _postgres(orig: object) -> Meaning | None:
    state = getattr(orig, "sqlstate", None)
    if state is None:
        return None
    diag = getattr(orig, "diag", None)
    column = getattr(diag, "column_name", None)
    if state == "23505" and column is None:
        # "Key (email)=(...) already exists.": take the column list, never the value.
        match = _PG_KEY_DETAIL.match(getattr(diag, "message_detail", None) or "")
        if match and "," not in match.group(1):
            column = match.group(1).strip('"')
    if state in _PG_STATES:
        return Meaning(_PG_STATES[state], column)
    if state in ("40001", "40P01"):
        return Meaning(ROLLED_BACK)
    if state[:2] in _PG_RETRY_CLASSES or state == "55P03":
        return Meaning(UNAVAILABLE)
    return None


# --------------------------------------------------------------------------- PyMySQL

_MYSQL_CODES = {
    1062: UNIQUE,
    1586: UNIQUE,
    1216: FOREIGN_KEY,
    1217: FOREIGN_KEY,
    1451: FOREIGN_KEY,
    1452: FOREIGN_KEY,
    1048: NOT_NULL,  # Column 'x' cannot be null
    1364: NOT_NULL,  # Field 'x' doesn't have a default value (an OperationalError)
    3819: CHECK,  # MySQL: Check constraint 'x' is violated
    4025: CHECK,  # MariaDB: CONSTRAINT `x` failed for `db`.`t`
    1406: TOO_LONG,  # Data too long for column 'x' at row 1
    1264: OUT_OF_RANGE,  # Out of range value for column 'x' at row 1
    1366: BAD_VALUE,  # Incorrect integer value: '...' for column 'x' at row 1
    1292: BAD_VALUE,  # Incorrect datetime value
    1390: TOO_MANY_PARAMETERS,  # Prepared statement contains too many placeholders
}
_MYSQL_UNAVAILABLE = {1040, 1053, 1077, 1129, 1203, 1205, 1927, 2002, 2003, 2006, 2013, 2055}
_MYSQL_COLUMN = re.compile(r"(?:[Cc]olumn|Field) '([^']+)'")
# "Duplicate entry '<value>' for key '[table.]name'": read from the end, past the value
# (the client's text); the key is named after its column unless named otherwise.
_MYSQL_KEY = re.compile(r"for key '(?:[^'.]*\.)?([^'.]+)'$")


def _mysql(orig: object) -> Meaning | None:
    args = getattr(orig, "args", ())
    if not args or not isinstance(args[0], int):
        return None
    code = args[0]
    if code in _MYSQL_CODES:
        message = str(args[1]) if len(args) > 1 else ""
        pattern = _MYSQL_KEY if code == 1062 else _MYSQL_COLUMN
        match = pattern.search(message)
        return Meaning(_MYSQL_CODES[code], match.group(1) if match else None)
    if code == 1213:  # Deadlock found when trying to get lock
        return Meaning(ROLLED_BACK)
    if code in _MYSQL_UNAVAILABLE:
        return Meaning(UNAVAILABLE)
    return None


# --------------------------------------------------------------------------- sqlite3

_SQLITE_NAMES = {
    "SQLITE_CONSTRAINT_UNIQUE": UNIQUE,
    "SQLITE_CONSTRAINT_PRIMARYKEY": UNIQUE,
    "SQLITE_CONSTRAINT_FOREIGNKEY": FOREIGN_KEY,
    "SQLITE_CONSTRAINT_NOTNULL": NOT_NULL,
    "SQLITE_CONSTRAINT_CHECK": CHECK,
    "SQLITE_TOOBIG": TOO_LONG,
    "SQLITE_MISMATCH": BAD_VALUE,
}
_SQLITE_MESSAGES = (
    ("UNIQUE constraint failed", UNIQUE),
    ("PRIMARY KEY", UNIQUE),
    ("FOREIGN KEY constraint failed", FOREIGN_KEY),
    ("NOT NULL constraint failed", NOT_NULL),
    ("CHECK constraint failed", CHECK),
    ("too many SQL variables", TOO_MANY_PARAMETERS),
)
# "NOT NULL constraint failed: people.name" (one column; UNIQUE may list several).
_SQLITE_COLUMN = re.compile(r"constraint failed: [^.\s,]+\.([^\s,]+)$")


def _sqlite(orig: object) -> Meaning | None:
    message = str(orig)
    kind = _SQLITE_NAMES.get(getattr(orig, "sqlite_errorname", ""))
    if kind is None:
        kind = next((k for text, k in _SQLITE_MESSAGES if text in message), None)
    if kind is None:
        return None
    match = _SQLITE_COLUMN.search(message) if kind in (UNIQUE, NOT_NULL) else None
    return Meaning(kind, match.group(1) if match else None)


# --------------------------------------------------------------------------- mapping


def classify(exc: sa_exc.StatementError) -> Meaning | None:
    """What ``exc`` means, from its driver's code; None when no rule above knows it."""
    orig = exc.orig
    if isinstance(orig, OverflowError):  # sqlite3: an integer wider than 64 bits
        return Meaning(OUT_OF_RANGE)
    module = type(orig).__module__
    if module.startswith("psycopg"):
        return _postgres(orig)
    if module.startswith("pymysql"):
        return _mysql(orig)
    if module.startswith("sqlite3"):
        return _sqlite(orig)
    return None


def is_unique_violation(exc: sa_exc.StatementError) -> bool:
    """Whether a database error is a duplicate key (PostgreSQL, MariaDB or SQLite)."""
    meaning = classify(exc)
    return meaning is not None and meaning.kind == UNIQUE


class RolledBack(ServiceUnavailable):
    """A deadlock or serialization failure (503 once :func:`retried` gives up)."""


#: Times a write that the database rolled back for a deadlock or serialization failure
#: is run; the last failure is the 503.
ATTEMPTS = 3

T = TypeVar("T")


def retried(write: Callable[..., T]) -> Callable[..., T]:
    """Run the store method ``write`` again when the database rolled it back for a
    deadlock or serialization failure (nothing of it was written), up to
    :data:`ATTEMPTS` times in all."""

    @functools.wraps(write)
    def run(*args: Any, **kwargs: Any) -> T:
        for _ in range(ATTEMPTS - 1):
            try:
                return write(*args, **kwargs)
            except RolledBack:
                continue
        return write(*args, **kwargs)

    return run


def _client_error(meaning: Meaning, names: Mapping[str, str]) -> HTTPError:
    field_detail, detail = _DETAIL[meaning.kind]
    status = Conflict if meaning.kind in _CONFLICTS else BadRequest
    member = names.get(meaning.column) if meaning.column else None
    if member is None:
        return status(detail)
    pointer = "/" + member.replace("~", "~0").replace("/", "~1")
    errors = [FieldError(pointer, field_detail)]
    if status is BadRequest:
        return ValidationError(errors, f"{pointer}: {field_detail}.")
    return Conflict(f"{pointer}: {field_detail}.", errors=errors)


def _unavailable(exc: Exception, retry_after: int) -> ServiceUnavailable:
    # Logged without parameters: they may hold the client's data.
    logger.warning("database unavailable: %s", type(getattr(exc, "orig", exc)).__name__)
    return ServiceUnavailable(
        "The database is unavailable; try again shortly.", retry_after=retry_after
    )


def failure(
    exc: Exception, retry_after: int, names: Mapping[str, str] | None = None
) -> HTTPError | None:
    """The HTTP error a database failure becomes, or None when it is a bug (re-raise).

    :param names: column names to data member names, to name the field.
    """
    if isinstance(exc, sa_exc.TimeoutError):  # the pool had no connection to give
        return _unavailable(exc, retry_after)
    if not isinstance(exc, sa_exc.StatementError):
        return None
    meaning = classify(exc)
    if meaning is not None and meaning.kind == ROLLED_BACK:
        return RolledBack("The database is busy; try again shortly.", retry_after=retry_after)
    if meaning is not None and meaning.kind != UNAVAILABLE:
        return _client_error(meaning, names or {})
    if meaning is not None or isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return _unavailable(exc, retry_after)
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return _unavailable(exc, retry_after)
    if isinstance(exc, sa_exc.IntegrityError):
        return Conflict("The data violates a constraint of the database.")
    if isinstance(exc, sa_exc.DataError):
        return BadRequest("A value does not fit its field.")
    return None


@contextmanager
def translated(retry_after: int, names: Mapping[str, str] | None = None) -> Iterator[None]:
    """Run database work; re-raise its failures as :class:`camshaft.errors.HTTPError`
    (see the module's docstring), naming the field through ``names`` (column name to
    data member) where the driver names the column."""
    try:
        yield
    except (sa_exc.StatementError, sa_exc.TimeoutError) as exc:
        error = failure(exc, retry_after, names)
        if error is None:
            raise
        raise error from None
    except OverflowError:
        # sqlite3 refuses integers wider than 64 bits before sending the statement.
        raise _client_error(Meaning(OUT_OF_RANGE), {}) from None
