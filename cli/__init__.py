"""The ``huaicai`` command: operations on HuaiCai, one subcommand each."""

from __future__ import annotations

import sys
from functools import cached_property

import click

from bot.config import Config, ConfigError, load_config
from bot.db import Database


class CliContext:
    """Configuration and database, loaded on first use so ``--help`` never needs them."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path

    @cached_property
    def config(self) -> Config:
        try:
            return load_config(self.config_path)
        except ConfigError as exc:
            # One line naming the key, no traceback: this is an operator's mistake, not a bug.
            click.echo(f"huaicai: config error: {exc}", err=True)
            sys.exit(2)

    @cached_property
    def database(self) -> Database:
        self.config.instance_path.mkdir(parents=True, exist_ok=True)
        return Database(
            self.config.database_url,
            self.config.database.echo,
            pool_size=self.config.database.pool_size,
        )

    def close(self) -> None:
        """Release pooled connections when the command ends."""
        if "database" in self.__dict__:
            self.database.dispose()


pass_context = click.make_pass_decorator(CliContext)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Path of config.toml (default: HUAICAI_CONFIG, then ./config.toml).",
)
@click.version_option(package_name="huaicai")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """HuaiCai (怀才): the WeChat backend of Jiaozuo's talent network.

    \b
    First steps:
      huaicai db upgrade     create or migrate the database
      huaicai demo load      fill it with demo talents, enterprises, needs and events
      huaicai up             start web server, scheduler (and fake WeChat in demo mode)
    """
    ctx.obj = CliContext(config_path)
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from cli import (
        backup,
        chat,
        config_reference,
        db,
        demo,
        doctor,
        event,
        fake_wechat,
        imports,
        liaison,
        match,
        menu,
        need,
        outbox,
        server,
        users,
    )

    for module in (chat, db, demo, fake_wechat, match, menu, outbox, server, users):
        for command in module.COMMANDS:
            main.add_command(command)
    for command in event.COMMANDS:
        main.add_command(command)
    for module in (backup, config_reference, doctor, imports):
        for command in module.COMMANDS:
            main.add_command(command)

    for module in (liaison, need):
        for command in module.COMMANDS:
            main.add_command(command)

    # ``eval intents`` registers itself on cli.match's eval group when imported.
    from cli import evaluate_chat  # noqa: F401


_register()
