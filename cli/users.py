"""``huaicai user`` and ``huaicai api-client``: console accounts and JSON API clients."""

from __future__ import annotations

import click

from bot.models import Role
from bot.services import users
from bot.validators import ValidationError
from cli import CliContext, pass_context

ROLES = click.Choice([role.value for role in Role])


@click.group("user")
def user_group() -> None:
    """Manage console users (organisers, administrators, enterprise contacts)."""


@user_group.command("create")
@click.argument("username")
@click.option("--role", type=ROLES, default=Role.ORGANISER.value, show_default=True)
@click.option("--enterprise-id", type=int, default=None, help="For enterprise users.")
@click.password_option(help="Password (asked for when not given).")
@pass_context
def create(
    ctx: CliContext, username: str, role: str, enterprise_id: int | None, password: str
) -> None:
    """Create console user USERNAME."""
    try:
        with ctx.database.transaction() as session:
            users.create_user(
                session,
                username=username,
                password=password,
                role=Role(role),
                enterprise_id=enterprise_id,
                actor="cli",
            )
    except ValidationError as exc:
        raise click.ClickException(exc.message_en) from None
    click.echo(f"created {role} {username}")


@user_group.command("list")
@pass_context
def list_users(ctx: CliContext) -> None:
    """List console users with their role and last login."""
    with ctx.database.transaction() as session:
        for user in users.list_users(session):
            state = "active" if user.is_active else "disabled"
            last = user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "-"
            click.echo(f"{user.id:>4}  {user.username:<24} {user.role.value:<10} {state:<8} {last}")


@user_group.command("set")
@click.argument("username")
@click.option("--role", type=ROLES, default=None)
@click.option("--enterprise-id", type=int, default=None)
@click.option("--disable/--enable", "disabled", default=None, help="Stop or allow logins.")
@click.option("--password", is_flag=True, help="Ask for a new password.")
@pass_context
def set_user(
    ctx: CliContext,
    username: str,
    role: str | None,
    enterprise_id: int | None,
    disabled: bool | None,
    password: bool,
) -> None:
    """Change USERNAME's role, activity or password (their open sessions end)."""
    new_password = (
        click.prompt("New password", hide_input=True, confirmation_prompt=True)
        if password
        else None
    )
    try:
        with ctx.database.transaction() as session:
            user = users.get_user(session, username)
            if user is None:
                raise click.ClickException(f"no console user {username!r}")
            changed = users.update_user(
                session,
                user,
                actor="cli",
                role=Role(role) if role else None,
                is_active=None if disabled is None else not disabled,
                password=new_password,
                enterprise_id=enterprise_id,
            )
    except ValidationError as exc:
        raise click.ClickException(exc.message_en) from None
    click.echo(f"{username}: {', '.join(changed) or 'nothing changed'}")


@click.group("api-client")
def api_client_group() -> None:
    """Manage the JSON API's clients (the city's other systems)."""


@api_client_group.command("create")
@click.argument("name")
@click.option("--role", type=ROLES, default=Role.ORGANISER.value, show_default=True)
@click.option("--enterprise-id", type=int, default=None, help="For an enterprise's client.")
@pass_context
def create_client(ctx: CliContext, name: str, role: str, enterprise_id: int | None) -> None:
    """Create API client NAME and print its bearer token (shown this once)."""
    try:
        with ctx.database.transaction() as session:
            _, token = users.create_api_client(
                session, name=name, role=Role(role), enterprise_id=enterprise_id, actor="cli"
            )
    except ValidationError as exc:
        raise click.ClickException(exc.message_en) from None
    click.echo(token)


COMMANDS = [user_group, api_client_group]
