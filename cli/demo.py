"""``huaicai demo``: load and clear demo data."""

from __future__ import annotations

import click

from bot.services import demo_rows
from cli import CliContext, pass_context
from devtools.demo_data import DEFAULT_SEED, DEFAULT_TALENTS, load_demo


@click.group("demo")
def demo_group() -> None:
    """Load or remove demo data (every row it creates is marked as demo)."""


def _require_schema(ctx: CliContext) -> None:
    if ctx.database.schema_revision() is None:
        raise click.ClickException("the database has no schema yet: run `huaicai db upgrade` first")


def _require_demo_mode(ctx: CliContext) -> None:
    # Demo rows and the demo console account (with its published password) must never appear
    # in a real database.
    if not ctx.config.app.demo:
        raise click.ClickException(
            "refusing to load demo data: [app] demo is false. Demo data and the demo console "
            "account exist only in demo mode (set app.demo = true on a demo installation)."
        )


@demo_group.command("load")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing when the database already holds talents, enterprises, needs or events.",
)
@click.option(
    "--talents",
    "talent_count",
    type=click.IntRange(0, 5000),
    default=DEFAULT_TALENTS,
    show_default=True,
    help="How many demo talents to create.",
)
@click.option(
    "--seed",
    type=int,
    default=DEFAULT_SEED,
    show_default=True,
    help="Random seed; the same seed gives the same data.",
)
@pass_context
def load(ctx: CliContext, if_empty: bool, talent_count: int, seed: int) -> None:
    """Load demo talents, enterprises, needs, events and a console login (demo mode only)."""
    _require_demo_mode(ctx)
    _require_schema(ctx)
    console = ctx.config.console
    with ctx.database.transaction() as session:
        if if_empty and not demo_rows.is_database_empty(session):
            click.echo("the database already holds data: demo data not loaded")
            return
        if demo_rows.has_demo_data(session):
            raise click.ClickException(
                "demo data is already loaded; run `huaicai demo clear` first"
            )
        with click.progressbar(length=talent_count, label="demo talents") as bar:
            counts = load_demo(
                session,
                talents=talent_count,
                seed=seed,
                console=console,
                timezone=ctx.config.app.timezone,
                progress=bar.update,
            )
    click.echo(f"loaded {counts.describe()}")
    if counts.users:
        click.echo(f"console login: {console.demo_username} / {console.demo_password}")


@demo_group.command("clear")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
def clear(ctx: CliContext, yes: bool) -> None:
    """Delete the demo rows and what hangs off them; other data stays."""
    _require_schema(ctx)
    with ctx.database.transaction() as session:
        present = demo_rows.count_demo_rows(session)
        if present.total == 0:
            click.echo("no demo data to delete")
            return
        if not yes:
            click.confirm(f"Delete {present.describe()}?", abort=True)
        removed = demo_rows.clear_demo(session, actor="cli")
    click.echo(f"deleted {removed.describe()}")


COMMANDS = [demo_group]
