"""Database errors as HTTP errors, with no SQL and no driver text in what the client sees.

- a unique (or primary key) violation is 409 Conflict;
- another constraint (not null, foreign key, check) is 409 too: the data clashes with
  the database's rules, which no retry of the same request fixes;
- a value the column cannot hold (out of range, too long) is 400;
- a lost or refused connection, a pool timeout, a deadlock or a lock timeout is 503 with
  ``Retry-After``: the transaction was rolled back, nothing was half written.

Anything else is left to propagate (a 500, logged): it is a bug, not the client's doing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy.exc as sa_exc

from camshaft.errors import BadRequest, Conflict, ServiceUnavailable

__all__ = ["is_unique_violation", "translated"]

logger = logging.getLogger("camshaft.sqlalchemy")

_UNIQUE_SQLSTATE = "23505"
_MYSQL_DUPLICATE = {1062, 1586}


def is_unique_violation(exc: sa_exc.IntegrityError) -> bool:
    """Whether an IntegrityError is a duplicate key (PostgreSQL, MariaDB or SQLite)."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == _UNIQUE_SQLSTATE:
        return True
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int):
        return args[0] in _MYSQL_DUPLICATE
    text = str(orig)
    return "UNIQUE constraint failed" in text or "PRIMARY KEY" in text


@contextmanager
def translated(retry_after: int) -> Iterator[None]:
    """Run database work; re-raise its failures as :class:`camshaft.errors.HTTPError`."""
    try:
        yield
    except sa_exc.IntegrityError as exc:
        if is_unique_violation(exc):
            raise Conflict("A record with the same key or unique value already exists.") from None
        raise Conflict("The data violates a constraint of the database.") from None
    except sa_exc.DataError:
        raise BadRequest("A value does not fit its field (too long, or out of range).") from None
    except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError) as exc:
        # Logged without parameters: they may hold the client's data.
        logger.warning("database unavailable: %s", type(getattr(exc, "orig", exc)).__name__)
        raise ServiceUnavailable(
            "The database is unavailable; try again shortly.", retry_after=retry_after
        ) from None
    except sa_exc.DBAPIError as exc:
        if exc.connection_invalidated:
            raise ServiceUnavailable(
                "The database connection was lost; try again shortly.", retry_after=retry_after
            ) from None
        raise
