"""Attach HuaiCai's runtime (config, database, registry, talent index, reply executor) to the Flask
app, and a session to each request."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, g, request
from sqlalchemy.orm import Session

from bot.config import Config
from bot.db import Database, mark_writing, unmark_writing
from bot.runtime import Runtime

EXTENSION_KEY = "huaicai"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask, config: Config) -> None:
    """Register the runtime on ``app``; nothing connects until the first request."""
    database = Database(
        config.database_url, config.database.echo, pool_size=config.database.pool_size
    )
    app.extensions[EXTENSION_KEY] = Runtime.build(config, database)
    app.teardown_appcontext(_close_session)


def runtime() -> Runtime:
    """Return the runtime of the current app."""
    return current_app.extensions[EXTENSION_KEY]


def config() -> Config:
    """Return the current app's configuration."""
    return runtime().config


def db_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = runtime().database.session()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def one_transaction_per_request(blueprint: Blueprint) -> None:
    """Commit each request of ``blueprint`` on success and roll it back on an error (as warehouse).

    A response with status 400 or more rolls back as well; every response is kept out of shared
    caches (``Cache-Control: no-store``), since these pages and answers carry personal data.
    """

    @blueprint.before_request
    def _writes_take_the_lock_at_once() -> None:
        # A form or API call that changes things reads first, then writes: on SQLite its
        # transaction must take the write lock when it begins (bot.db.writing). Pages that
        # only show things stay readers (the event poster asks WeChat for a QR code meanwhile,
        # whose token is stored in a transaction of its own).
        if request.method not in SAFE_METHODS:
            g.writing_token = mark_writing()

    @blueprint.after_request
    def _finish_transaction(response: Response) -> Response:
        session: Session | None = g.get("db_session")
        if session is not None:
            if response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @blueprint.teardown_request
    def _roll_back_on_exception(exc: BaseException | None) -> None:
        session: Session | None = g.get("db_session")
        if exc is not None and session is not None:
            session.rollback()
        token = g.pop("writing_token", None)
        if token is not None:
            unmark_writing(token)
