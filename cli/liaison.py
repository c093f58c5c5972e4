"""``huaicai liaison``: who keeps in touch with whom, overdue contacts, and the contact log."""

from __future__ import annotations

import click
from sqlalchemy.orm import Session

from bot.models import ConsoleUser, ContactChannel, Talent
from bot.services import liaisons, talents, users
from bot.validators import ValidationError
from cli import CliContext, pass_context

ACTOR = "cli"


@click.group("liaison")
def liaison_group() -> None:
    """A liaison for every talent (一对一联络): rules, assignments, overdue contacts, the log."""


def _organiser(session: Session, username: str) -> ConsoleUser:
    user = users.get_user(session, username)
    if user is None:
        raise click.ClickException(f"no console user {username!r}")
    return user


def _talent(session: Session, talent_id: int) -> Talent:
    talent = talents.get_talent(session, talent_id)
    if talent is None:
        raise click.ClickException(f"no talent with id {talent_id}")
    return talent


@liaison_group.command("rule")
@click.argument("organiser")
@click.argument("kind", type=click.Choice(liaisons.RULE_KINDS))
@click.argument("value")
@pass_context
def liaison_rule(ctx: CliContext, organiser: str, kind: str, value: str) -> None:
    """Make ORGANISER the liaison of a county (GB/T 2260 code) or an industry."""
    with ctx.database.transaction() as session:
        try:
            liaisons.add_rule(session, _organiser(session, organiser), kind, value, actor=ACTOR)
        except ValidationError as exc:
            raise click.ClickException(exc.message_en) from None
        click.echo(f"{kind} {value} -> {organiser}")


@liaison_group.command("rules")
@pass_context
def liaison_rules(ctx: CliContext) -> None:
    """List the assignment rules and how many talents each organiser looks after."""
    with ctx.database.transaction() as session:
        counts = liaisons.assignment_counts(session)
        for rule in liaisons.rules(session):
            user = users.get_user_by_id(session, rule.organiser_id)
            name = user.username if user else f"#{rule.organiser_id}"
            click.echo(
                f"{rule.kind:<8} {rule.value:<12} {name} ({counts.get(rule.organiser_id, 0)})"
            )


@liaison_group.command("assign")
@click.argument("talent_id", type=int, required=False)
@click.argument("organiser", required=False)
@click.option("--rules", "by_rules", is_flag=True, help="Everyone without a liaison, by the rules.")
@pass_context
def liaison_assign(
    ctx: CliContext, talent_id: int | None, organiser: str | None, by_rules: bool
) -> None:
    """Assign TALENT_ID to ORGANISER by hand, or everyone unassigned --rules."""
    with ctx.database.transaction() as session:
        if by_rules:
            total = talents.count_talents(session)
            with click.progressbar(length=total, label="assigning") as bar:
                count = liaisons.assign_by_rules(session, actor=ACTOR, progress=bar.update)
            click.echo(f"assigned {count} talents")
            return
        if talent_id is None or organiser is None:
            raise click.UsageError("give TALENT_ID and ORGANISER, or --rules")
        try:
            liaisons.assign(
                session, _talent(session, talent_id), _organiser(session, organiser), actor=ACTOR
            )
        except ValidationError as exc:
            raise click.ClickException(exc.message_en) from None
        click.echo(f"talent #{talent_id} -> {organiser}")


@liaison_group.command("overdue")
@click.option("--organiser", default=None, help="Only this organiser's talents.")
@click.option("--days", type=int, default=None, help="Default cooperation.liaison_overdue_days.")
@pass_context
def liaison_overdue(ctx: CliContext, organiser: str | None, days: int | None) -> None:
    """List talents nobody was in touch with for more than DAYS days, longest first."""
    days = days or ctx.config.cooperation.liaison_overdue_days
    with ctx.database.transaction() as session:
        who = _organiser(session, organiser) if organiser else None
        rows = liaisons.overdue(session, days=days, organiser=who)
        for row in rows:
            last = f"{row.last_contact_at:%Y-%m-%d}" if row.last_contact_at else "never"
            click.echo(f"#{row.talent.id} {row.talent.name} — {row.days_since} days (last: {last})")
        click.echo(f"{len(rows)} overdue (more than {days} days)")


@liaison_group.command("log")
@click.argument("talent_id", type=int)
@click.argument("channel", type=click.Choice([c.value for c in ContactChannel]))
@click.argument("note", default="")
@click.option("--organiser", default=None, help="Who was in touch (a console user).")
@pass_context
def liaison_log(
    ctx: CliContext, talent_id: int, channel: str, note: str, organiser: str | None
) -> None:
    """Log a contact with a talent: message, call, visit or note."""
    with ctx.database.transaction() as session:
        who = _organiser(session, organiser) if organiser else None
        liaisons.log_contact(
            session, _talent(session, talent_id), ContactChannel(channel), note=note,
            organiser=who, actor=ACTOR,
        )  # fmt: skip
        click.echo(f"logged {channel} with talent #{talent_id}")


@liaison_group.command("history")
@click.argument("talent_id", type=int)
@pass_context
def liaison_history(ctx: CliContext, talent_id: int) -> None:
    """Print a talent's liaison and contact log, newest first."""
    with ctx.database.transaction() as session:
        talent = _talent(session, talent_id)
        assignment = liaisons.liaison_of(session, talent)
        if assignment is not None:
            user = users.get_user_by_id(session, assignment.organiser_id)
            click.echo(f"liaison: {user.username if user else '?'} ({assignment.basis})")
        for entry in liaisons.contact_log(session, talent):
            click.echo(f"{entry.at:%Y-%m-%d %H:%M} {entry.channel.value:<7} {entry.note}")


COMMANDS = [liaison_group]
