"""``huaicai db``: schema migrations."""

from __future__ import annotations

import click

from bot import migrations
from cli import CliContext, pass_context


@click.group("db")
def db_group() -> None:
    """Create and migrate the database schema (Alembic)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@pass_context
def upgrade(ctx: CliContext, revision: str) -> None:
    """Migrate the configured database up to REVISION (creates it when empty)."""
    migrations.upgrade(ctx.database.url, revision)
    click.echo(
        f"database at {revision}: {ctx.database.engine.url.render_as_string(hide_password=True)}"
    )


@db_group.command("downgrade")
@click.argument("revision")
@pass_context
def downgrade(ctx: CliContext, revision: str) -> None:
    """Migrate the configured database down to REVISION ('base' empties it)."""
    migrations.downgrade(ctx.database.url, revision)
    click.echo(f"database at {revision}")


@db_group.command("current")
@pass_context
def current(ctx: CliContext) -> None:
    """Print the database's revision and the newest one shipped."""
    with ctx.database.engine.connect() as connection:
        revision = migrations.current_revision(connection)
    click.echo(
        f"current: {revision or 'none (empty database)'}; head: {migrations.head_revision()}"
    )


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@pass_context
def revision(ctx: CliContext, message: str) -> None:
    """Autogenerate a migration from the models (developers only)."""
    migrations.make_revision(ctx.database.url, message)


COMMANDS = [db_group]
