"""``huaicai fake-wechat`` and ``huaicai outbox``: the sending side of the WeChat gateway."""

from __future__ import annotations

import logging

import click

from bot.cli import CliContext, pass_context
from bot.services import outbox
from bot.wechat.client import make_client


@click.command("fake-wechat")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8900, show_default=True, type=int)
@click.option(
    "--strict",
    is_flag=True,
    help="Answer 40003 for unknown openids instead of taking them for followers who just wrote.",
)
@pass_context
def fake_wechat(ctx: CliContext, host: str, port: int, strict: bool) -> None:
    """Serve a fake WeChat API (tokens, sends, menu, QR codes, users, tags) for demos and tests.

    It accepts the configured appid and secret; point wechat.api_base_url at
    http://HOST:PORT/cgi-bin/. Drive it with POST /fake/users/OPENID and GET /fake/calls.
    """
    from bot.wechat.fake_server import serve

    logging.basicConfig(level=ctx.config.app.log_level.upper())
    wechat = ctx.config.wechat
    click.echo(f"fake WeChat API on http://{host}:{port}/cgi-bin/ (appid {wechat.appid})")
    serve(host, port, appid=wechat.appid, secret=wechat.secret, auto_follow=not strict)


@click.group("outbox")
def outbox_group() -> None:
    """Inspect and drain the queue of messages to people."""


@outbox_group.command("deliver")
@click.option("--limit", default=50, show_default=True, type=int, help="Messages at most.")
@pass_context
def deliver(ctx: CliContext, limit: int) -> None:
    """Send the messages that are due now (what the deliver-outbox job does) and list outcomes."""
    client = make_client(ctx.config, ctx.database)
    try:
        report = outbox.deliver_due(ctx.database.session, client, limit=limit)
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


COMMANDS = [fake_wechat, outbox_group]
