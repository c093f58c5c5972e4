from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot import migrations
from bot.db import Base, Database


def test_upgrade_from_empty_creates_every_table_at_head(empty_database_url: str) -> None:
    migrations.upgrade(empty_database_url)
    database = Database(empty_database_url)
    try:
        with database.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            assert set(Base.metadata.tables) <= tables
            assert migrations.current_revision(connection) == migrations.head_revision()
    finally:
        database.dispose()


def test_migrated_schema_matches_the_models(migrated_database: Database) -> None:
    with migrated_database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_downgrade_to_base_and_up_again(empty_database_url: str) -> None:
    migrations.upgrade(empty_database_url)
    migrations.downgrade(empty_database_url, "base")
    database = Database(empty_database_url)
    try:
        with database.engine.connect() as connection:
            assert not set(Base.metadata.tables) & set(inspect(connection).get_table_names())
        migrations.upgrade(empty_database_url)
        with database.engine.connect() as connection:
            assert migrations.current_revision(connection) == migrations.head_revision()
    finally:
        database.dispose()
