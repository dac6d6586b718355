"""The benchmarks' PostgreSQL databases: each benchmark works in a database of its own."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse


def _admin_connection(url: str) -> Any:
    import psycopg2

    conn = psycopg2.connect(urlparse(url)._replace(path="/postgres").geturl())
    conn.autocommit = True
    return conn


def ensure_database(url: str) -> None:
    """Create the database named by `url` if it does not exist."""
    from psycopg2 import sql

    name = urlparse(url).path.lstrip("/")
    conn = _admin_connection(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def recreate_database(url: str) -> None:
    """Drop (closing its connections) and create the database named by `url`: an empty one."""
    from psycopg2 import sql

    name = urlparse(url).path.lstrip("/")
    conn = _admin_connection(url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
            )
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
