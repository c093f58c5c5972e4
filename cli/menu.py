"""``huaicai menu``: check the custom menu in config.toml and push it to WeChat."""

from __future__ import annotations

import json
import sys

import click

from bot.services.menu import MenuError, build_menu
from cli import CliContext, pass_context


@click.group("menu")
def menu_group() -> None:
    """Check and publish the official account's custom menu."""


def _checked_menu(ctx: CliContext) -> dict[str, object]:
    from bot import dialogs

    try:
        return build_menu(ctx.config, routed_keys=dialogs.build_registry().clicks)
    except MenuError as error:
        for problem in error.problems:
            click.echo(f"huaicai: {problem}", err=True)
        sys.exit(2)


@menu_group.command("show")
@pass_context
def show(ctx: CliContext) -> None:
    """Print the menu/create JSON that `menu push` would send, after checking it."""
    click.echo(json.dumps(_checked_menu(ctx), ensure_ascii=False, indent=2))


@menu_group.command("push")
@pass_context
def push(ctx: CliContext) -> None:
    """Check the menu against WeChat's limits and send it with menu/create."""
    from bot.wechat.client import make_client

    payload = _checked_menu(ctx)
    client = make_client(ctx.config, ctx.database)
    try:
        outcome = client.call("post", "menu/create", payload)
    finally:
        client.close()
    if not outcome.ok:
        click.echo(f"huaicai: WeChat refused the menu: {outcome.describe()}", err=True)
        sys.exit(1)
    buttons = payload["button"]
    count = len(buttons) if isinstance(buttons, list) else 0
    click.echo(f"menu pushed: {count} top buttons")


COMMANDS = [menu_group]
