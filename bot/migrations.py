"""Run Alembic migrations programmatically (behind ``huaicai db``)."""

from __future__ import annotations

import functools

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy.engine import Connection

from bot.config import PROJECT_ROOT


def alembic_config(url: str, connection: Connection | None = None) -> AlembicConfig:
    """Return an Alembic configuration for HuaiCai's migrations at ``url``."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # ConfigParser interpolation would choke on '%' in passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head", connection: Connection | None = None) -> None:
    """Migrate the database at ``url`` up to ``revision``."""
    command.upgrade(alembic_config(url, connection), revision)


def downgrade(url: str, revision: str, connection: Connection | None = None) -> None:
    """Migrate the database at ``url`` down to ``revision``."""
    command.downgrade(alembic_config(url, connection), revision)


def current_revision(connection: Connection) -> str | None:
    """Return the revision the connected database is at, or None when unmigrated."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


@functools.cache
def head_revision() -> str | None:
    """Return the newest revision shipped with the code."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def make_revision(url: str, message: str) -> None:
    """Autogenerate a new migration from the difference between models and the database."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
