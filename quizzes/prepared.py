"""Server-side prepared statements for the answer-save hot path (PostgreSQL).

Planning the joined read of the answer-save path costs PostgreSQL more than running it (about
1 ms against 0.3 ms, measured on the bench database): a statement prepared once per database
connection skips that. Other databases run the SQL as is.

`fetch_all` runs a statement already prepared on the connection on psycopg2's own cursor, inside
Django's error wrapping: Django's cursor and its wrappers cost the web worker about 0.05 ms of
CPU per call (client CPU of one remembered answer save: 0.11-0.13 ms through Django's cursor,
0.06 ms on psycopg2's, measured in a loop on the bench database), some 3% of everything a
save costs the machine (web worker, PostgreSQL and client). Django's cursor is still taken whenever something watches the queries (DEBUG,
assertNumQueries / django_assert_num_queries, a connection.execute_wrapper such as an APM's),
or the transaction is broken (Django then refuses, as for any query).
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

_INVALID_NAME = "26000"  # invalid_sql_statement_name

# raw DB-API connection -> names prepared on it (a new connection starts empty)
_PREPARED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _numbered(sql: str) -> str:
    counter = iter(range(1, 10_000))
    return re.sub(r"%s", lambda _m: f"${next(counter)}", sql)


def _gone(db: BaseDatabaseWrapper, exc: DatabaseError) -> bool:
    """The prepared statement is gone (DEALLOCATE ALL, a pooler's new server connection) and
    may be prepared again: not when the failed statement broke a transaction in progress."""
    return not db.in_atomic_block and getattr(exc.__cause__, "pgcode", None) == _INVALID_NAME


def _execute_sql(name: str, literals: str, count: int) -> str:
    return f"EXECUTE {name} ({', '.join(([literals] if literals else []) + ['%s'] * count)})"


def execute(
    cursor: CursorWrapper, name: str, sql: str, params: list[Any], literals: str = ""
) -> None:
    """cursor.execute(sql, params), through `PREPARE name` on PostgreSQL. `sql` uses %s
    placeholders only (no literal %), or $1, $2... (PostgreSQL only); `name` is a fixed
    identifier. `literals`: the first parameters as SQL literals, already quoted by psycopg2
    with "%" doubled; `params` are then the ones after them."""
    db = cursor.db
    if db.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    raw = db.connection
    names = _PREPARED.get(raw)
    if names is None:
        names = _PREPARED[raw] = set()
    if name not in names:
        cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
        names.add(name)
    statement = _execute_sql(name, literals, len(params))
    try:
        cursor.execute(statement, params)
    except DatabaseError as exc:
        if not _gone(db, exc):
            raise
        cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
        cursor.execute(statement, params)


def fetch_all(
    db: BaseDatabaseWrapper, name: str, sql: str, params: list[Any], literals: str = ""
) -> list[tuple]:
    """The rows of a statement run as `execute` runs it, standing in for the request's health
    check (CONN_HEALTH_CHECKS). The statement must be safe to run twice: a read, or an upsert
    of the same values.

    Django checks a reused connection with a `SELECT 1` before the first query of a request:
    one more round trip on the hot path. The statement can check it instead: if the connection
    turns out to be dead, it is closed and the statement runs again on a new one, as the check
    would have done before it.
    """
    stands_in = (
        db.connection is not None
        and db.health_check_enabled  # type: ignore[attr-defined]
        and not db.health_check_done  # type: ignore[attr-defined]
        and not db.in_atomic_block
    )
    if stands_in:
        db.health_check_done = True  # type: ignore[attr-defined]
    try:
        return _fetch_all(db, name, sql, params, literals)
    except (OperationalError, InterfaceError):
        if not stands_in:
            raise
        db.close()
    return _fetch_all(db, name, sql, params, literals)


def _fetch_all(
    db: BaseDatabaseWrapper, name: str, sql: str, params: list[Any], literals: str
) -> list[tuple]:
    raw = db.connection
    if (
        raw is not None
        and db.vendor == "postgresql"
        and name in _PREPARED.get(raw, ())
        and not db.queries_logged
        and not db.execute_wrappers
        and not db.needs_rollback
    ):
        try:
            with db.wrap_database_errors, raw.cursor() as cursor:
                # What Django's cursor would give: datetimes in the connection's time zone.
                cursor.tzinfo_factory = db.tzinfo_factory  # type: ignore[attr-defined]
                cursor.execute(_execute_sql(name, literals, len(params)), params)
                return cursor.fetchall()
        except DatabaseError as exc:
            if not _gone(db, exc):
                raise
            _PREPARED[raw].discard(name)  # Django's cursor below prepares it again
    with db.cursor() as cursor:
        execute(cursor, name, sql, params, literals)
        return cursor.fetchall()
