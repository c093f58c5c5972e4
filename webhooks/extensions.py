"""Attach HuaiCai's runtime (config, database, registry, talent index, reply executor) to the Flask
app, and a session to each request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from bot.config import Config
from bot.db import Database
from bot.runtime import Runtime

EXTENSION_KEY = "huaicai"


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
