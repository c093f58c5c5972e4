"""``huaicai user``: console accounts."""

from __future__ import annotations

import click

from bot.models import Role
from bot.services import users
from bot.validators import ValidationError
from cli import CliContext, pass_context


@click.group("user")
def user_group() -> None:
    """Manage console users (organisers, administrators, enterprise contacts)."""


@user_group.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.ORGANISER.value,
    show_default=True,
)
@click.password_option(help="Password (asked for when not given).")
@pass_context
def create(ctx: CliContext, username: str, role: str, password: str) -> None:
    """Create console user USERNAME."""
    try:
        with ctx.database.transaction() as session:
            users.create_user(session, username=username, password=password, role=Role(role))
    except ValidationError as exc:
        raise click.ClickException(exc.message_en) from None
    click.echo(f"created {role} {username}")


COMMANDS = [user_group]
