"""``huaicai outbox``: inspect and drain the queue of messages to people."""

from __future__ import annotations

import click

from bot.services import outbox
from bot.wechat.client import make_client
from cli import CliContext, pass_context


@click.group("outbox")
def outbox_group() -> None:
    """Inspect and drain the queue of messages to people."""


@outbox_group.command("deliver")
@click.option("--limit", default=50, show_default=True, type=int, help="Messages at most.")
@pass_context
def deliver(ctx: CliContext, limit: int) -> None:
    """Send the messages that are due now (what the deliver-outbox job does) and list outcomes."""
    client = outbox.remember_token(make_client(ctx.config, ctx.database))
    settings = outbox.Settings.from_config(ctx.config.outbox, ctx.config.app.timezone)
    try:
        report = outbox.deliver_due(
            ctx.database.session,
            client,
            limit=limit,
            settings=settings,
            record=outbox.CustomerServiceRecord(client),
        )
    finally:
        client.close()
    for outcome in report.outcomes:
        channel = outcome.channel or "-"
        click.echo(f"#{outcome.message_id} {outcome.status.value} {channel} {outcome.detail}")
    click.echo(str(report))


@outbox_group.command("status")
@pass_context
def status(ctx: CliContext) -> None:
    """Print how many messages are in each status and when the next one is due."""
    with ctx.database.transaction() as session:
        counts = outbox.status_counts(session)
        due = outbox.next_due_at(session)
    for name, count in counts.items():
        click.echo(f"{name.value:<9} {count}")
    click.echo(f"next due: {due.isoformat() if due else 'nothing waiting'}")


COMMANDS = [outbox_group]
