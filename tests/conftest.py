"""Shared fixtures: one migrated database per backend, a rolled-back session per test, the app.

The whole suite runs on SQLite; with HUAICAI_TEST_DATABASE_URL set it runs again on that
PostgreSQL server (a fresh database is created per run and dropped after). When the URL is set
and the server is unreachable the run fails: it never silently skips.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot import migrations
from bot.db import Base, Database
from webhooks import create_app
from webhooks.extensions import runtime

pytest_plugins = ["tests.wechat_fixtures"]

POSTGRES_URL = os.environ.get("HUAICAI_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]

TEST_WECHAT = {
    "appid": "wx49f0ab532d5d035a",
    "secret": "test-app-secret",
    "token": "123456",
    "encoding_aes_key": "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
    # The suite talks in all three modes; tests of the mode check set their own.
    "message_mode": "compatible",
    # Deliveries kept during a database outage (or answered late) go here, not under instance/.
    "spool_dir": os.path.join(tempfile.gettempdir(), f"huaicai-test-spool-{os.getpid()}"),
}


def pytest_report_header() -> list[str]:
    """Say which databases the run uses, so CI output shows the PostgreSQL pass happened."""
    where = make_url(POSTGRES_URL).render_as_string(hide_password=True) if POSTGRES_URL else "off"
    return [f"huaicai database backends: {', '.join(BACKENDS)} (postgresql: {where})"]


def _admin_connection(admin_url: str) -> Any:
    """Connect (autocommit) to the server of ``admin_url`` for CREATE/DROP DATABASE."""
    import psycopg

    url = make_url(admin_url)
    return psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.database,
        autocommit=True,
        connect_timeout=5,
    )


def _create_postgres_database(admin_url: str) -> str:
    import psycopg

    name = f"huaicai_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with _admin_connection(admin_url) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(f"HUAICAI_TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}")
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(admin_url: str, test_url: str) -> None:
    name = make_url(test_url).database
    with _admin_connection(admin_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Yield the URL of an empty database of each backend under test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'huaicai-test.sqlite3'}"
        return
    url = _create_postgres_database(POSTGRES_URL)
    try:
        yield url
    finally:
        _drop_postgres_database(POSTGRES_URL, url)


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of a brand-new empty database on the same backend as ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = _create_postgres_database(POSTGRES_URL)
    try:
        yield url
    finally:
        _drop_postgres_database(POSTGRES_URL, url)


@pytest.fixture(scope="session")
def migrated_database(database_url: str) -> Iterator[Database]:
    """Yield a Database migrated to head with Alembic (the same path production takes)."""
    migrations.upgrade(database_url)
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def db_connection(migrated_database: Database) -> Iterator[Connection]:
    """Yield a connection inside a transaction that is rolled back after the test."""
    connection = migrated_database.engine.connect()
    transaction = connection.begin()
    try:
        yield connection
    finally:
        transaction.rollback()
        connection.close()


@pytest.fixture
def db_session(db_connection: Connection) -> Iterator[Session]:
    """Yield a session whose commits become savepoints of the test's rolled-back transaction."""
    session = Session(
        bind=db_connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()


def app_overrides(database_url: str, **sections: dict[str, Any]) -> dict[str, Any]:
    """Return create_app overrides for tests, merged with ``sections``."""
    overrides: dict[str, Any] = {
        "app": {"demo": True, "secret_key": "test-secret-key", "log_level": "WARNING"},
        "database": {"url": database_url},
        "wechat": dict(TEST_WECHAT),
    }
    for name, values in sections.items():
        overrides.setdefault(name, {}).update(values)
    return overrides


@pytest.fixture
def app(database_url: str, db_connection: Connection) -> Iterator[Flask]:
    """Yield the app whose requests share the test's rolled-back transaction."""
    flask_app = create_app(app_overrides(database_url))
    flask_app.config["TESTING"] = True
    with flask_app.app_context():
        runtime().database.sessionmaker.configure(
            bind=db_connection, join_transaction_mode="create_savepoint"
        )
    yield flask_app
    flask_app.extensions["huaicai"].database.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client of ``app``."""
    return app.test_client()


@pytest.fixture
def committed_database(migrated_database: Database) -> Iterator[Database]:
    """Yield the database for tests that need real commits (several connections, processes).

    Every table is emptied afterwards so other tests still start clean.
    """
    yield migrated_database
    with migrated_database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
