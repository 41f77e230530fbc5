"""Database errors answer by their meaning on every driver (sqlite3, psycopg, PyMySQL):
conflicts with other rows are 409, data the columns refuse is 400 naming the field where
the driver names it, and none of them is a 503."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from camshaft.errors import BadRequest, Conflict, ServiceUnavailable, ValidationError
from camshaft.models import Field, Model
from camshaft.plugin import MAX_IN_VALUES, Query, StoreConfig
from camshaft.testing import make_client
from camshaft_sqlalchemy import SqlStore
from camshaft_sqlalchemy.engines import create_engine
from camshaft_sqlalchemy.failures import ATTEMPTS, retried, translated


class Unchecked(Model):
    """Lets every value through, so the database itself is what refuses it."""

    fields = [
        Field("id", read_only=True),
        Field("name"),
        Field("age"),
        Field("email"),
        Field("parent_id"),
    ]


@pytest.fixture
def store(db_url, dropped, disposing) -> SqlStore:
    suffix = uuid.uuid4().hex[:10]
    metadata = sa.MetaData()
    parents = sa.Table(f"csp_{suffix}", metadata, sa.Column("id", sa.Integer, primary_key=True))
    children = sa.Table(
        f"csc_{suffix}",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(10), nullable=False),
        sa.Column("age", sa.Integer),
        sa.Column("email", sa.String(50), unique=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey(parents.c.id)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.CheckConstraint("age >= 0", name=f"ck_{suffix}"),
    )
    dropped.extend([(db_url, children), (db_url, parents)])
    disposing.append(engine := create_engine(db_url, {}))
    metadata.create_all(engine)
    return SqlStore(engine, StoreConfig("people", source=children, model=Unchecked))


def _pointers(exc: BaseException) -> list[str]:
    return [e["pointer"] for e in getattr(exc, "errors", None) or exc.extensions.get("errors", [])]


def test_missing_not_null_column_is_400_naming_it(store: SqlStore) -> None:
    # MariaDB: PyMySQL's OperationalError 1364 "Field 'name' doesn't have a default value".
    with pytest.raises(ValidationError) as caught:
        store.create({"age": 1})
    assert _pointers(caught.value) == ["/name"]


def test_null_into_not_null_column_is_400_naming_it(store: SqlStore) -> None:
    with pytest.raises(ValidationError) as caught:
        store.create({"name": None, "age": 1})
    assert _pointers(caught.value) == ["/name"]
    record = store.create({"name": "a", "age": 1})
    with pytest.raises(ValidationError) as caught:
        store.patch(record.key, {"name": None})
    assert _pointers(caught.value) == ["/name"]


def test_unique_violation_is_409_naming_the_column(store: SqlStore) -> None:
    store.create({"name": "a", "email": "a@x"})
    with pytest.raises(Conflict) as caught:
        store.create({"name": "b", "email": "a@x"})
    assert _pointers(caught.value) == ["/email"]


def test_foreign_key_violation_is_409(store: SqlStore) -> None:
    with pytest.raises(Conflict):
        store.create({"name": "a", "parent_id": 999})


def test_check_violation_is_400(store: SqlStore) -> None:
    with pytest.raises(BadRequest) as caught:
        store.create({"name": "a", "age": -1})
    assert not isinstance(caught.value, ServiceUnavailable)


def test_integer_out_of_range_is_400(store: SqlStore) -> None:
    with pytest.raises(BadRequest):
        store.create({"name": "a", "age": 2**70})


def test_too_long_is_400_on_servers(store: SqlStore, db_url: str) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite does not enforce String lengths")
    with pytest.raises(BadRequest):
        store.create({"name": "x" * 11})


def test_nothing_was_written(store: SqlStore) -> None:
    refused = ({"age": 1}, {"name": None}, {"name": "a", "age": -1}, {"name": "a", "age": 2**70})
    for data in refused:
        with pytest.raises(BadRequest):
            store.create(data)
    assert store.count(Query()) == 0


def test_database_refusals_are_problem_documents_over_http(app_for) -> None:
    client = make_client(app_for(model=Unchecked))
    missing = client.post("/people/", json={"age": 1})
    assert missing.status_code == 400, missing.json
    assert "Retry-After" not in missing.headers
    assert [e["pointer"] for e in missing.json["errors"]] == ["/name"]
    assert client.post("/people/", json={"name": "a", "age": 1, "email": "a@x"}).status_code == 201
    clash = client.post("/people/", json={"name": "b", "age": 2, "email": "a@x"})
    assert clash.status_code == 409 and "INSERT" not in clash.get_data(as_text=True).upper()


def test_in_filter_longer_than_the_limit_is_400(app_for) -> None:
    client = make_client(app_for())
    values = ",".join(str(i) for i in range(MAX_IN_VALUES + 1))
    too_long = client.get(f"/people/?age__in={values}")
    assert too_long.status_code == 400
    assert "age__in" in too_long.json["detail"]
    at_limit = ",".join(str(i) for i in range(MAX_IN_VALUES))
    assert client.get(f"/people/?age__in={at_limit}").status_code == 200


def test_refused_connection_is_503(tmp_path) -> None:
    engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", {"pool_timeout": 1})
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    options = {"create_tables": False}
    store = SqlStore(engine, StoreConfig("t", source=table, options=options))
    with pytest.raises(ServiceUnavailable):
        store.get("1")
    engine.dispose()


def _deadlock(driver: str) -> sa.exc.OperationalError:
    """What each server driver raises for a deadlock, wrapped as SQLAlchemy does."""
    if driver == "psycopg":
        import psycopg

        orig: Exception = psycopg.errors.DeadlockDetected("deadlock detected")
    else:
        import pymysql

        orig = pymysql.err.OperationalError(1213, "Deadlock found when trying to get lock")
    return sa.exc.OperationalError("UPDATE t SET a = 1", {}, orig)


@pytest.mark.parametrize("driver", ["psycopg", "pymysql"])
def test_a_deadlock_is_run_again(driver: str) -> None:
    calls: list[int] = []

    def write() -> str:
        calls.append(1)
        with translated(2):
            if len(calls) < ATTEMPTS:
                raise _deadlock(driver)
        return "written"

    assert retried(write)() == "written" and len(calls) == ATTEMPTS


@pytest.mark.parametrize("driver", ["psycopg", "pymysql"])
def test_a_deadlock_that_persists_is_503(driver: str) -> None:
    calls: list[int] = []

    def write() -> None:
        calls.append(1)
        with translated(2):
            raise _deadlock(driver)

    with pytest.raises(ServiceUnavailable) as caught:
        retried(write)()
    assert len(calls) == ATTEMPTS
    assert ("Retry-After", "2") in caught.value.headers


def test_a_lost_connection_is_503_and_not_run_again() -> None:
    import pymysql

    calls: list[int] = []

    def write() -> None:
        calls.append(1)
        with translated(2):
            orig = pymysql.err.OperationalError(2013, "Lost connection to server during query")
            raise sa.exc.OperationalError("SELECT 1", {}, orig)

    with pytest.raises(ServiceUnavailable):
        retried(write)()
    assert len(calls) == 1
