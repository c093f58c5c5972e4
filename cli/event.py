"""``huaicai event``: create events, propose and edit invitee lists, send, see attendance."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

import click
from sqlalchemy.orm import Session

from bot.models import Event, EventStatus, InvitationStatus
from bot.services import events, invitations, talent_search, talents
from bot.validators import ValidationError
from bot.wechat.client import make_client
from cli import CliContext, pass_context


@click.group("event")
def event_group() -> None:
    """Run cooperation events: create, propose invitees, send, attendance."""


def _local(ctx: CliContext, text: str, option: str) -> datetime:
    try:
        value = datetime.strptime(text, "%Y-%m-%d %H:%M")  # noqa: DTZ007 - zone set below
    except ValueError:
        raise click.BadParameter(
            "expected YYYY-MM-DD HH:MM (local time)", param_hint=option
        ) from None
    return value.replace(tzinfo=ZoneInfo(ctx.config.app.timezone))


def _show_time(ctx: CliContext, moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(ZoneInfo(ctx.config.app.timezone)).strftime("%Y-%m-%d %H:%M")


@event_group.command("create")
@click.option("--title", required=True, help="Event name (up to 100 characters).")
@click.option("--kind", type=click.Choice(events.KINDS), required=True, help="What kind of event.")
@click.option("--starts", required=True, help="Start, local time: 'YYYY-MM-DD HH:MM'.")
@click.option("--ends", default=None, help="End, local time (default: start + 3 h).")
@click.option("--topic", "topics", multiple=True, help="A topic (repeat for several).")
@click.option("--description", default="", help="What the event is about.")
@click.option("--place", default="", help="Where it takes place.")
@click.option("--online-url", default="", help="Meeting link of an online event.")
@click.option("--capacity", type=int, default=None, help="Seats (default: no limit).")
@click.option("--deadline", default=None, help="Registration closes, local time.")
@click.option("--approval", is_flag=True, help="Registrations wait for an organiser's approval.")
@click.option("--open", "open_now", is_flag=True, help="Open for registration now.")
@pass_context
def create(
    ctx: CliContext,
    title: str,
    kind: str,
    starts: str,
    ends: str | None,
    topics: tuple[str, ...],
    description: str,
    place: str,
    online_url: str,
    capacity: int | None,
    deadline: str | None,
    approval: bool,
    open_now: bool,
) -> None:
    """Create an event (a draft unless --open) and print its id and QR scene."""
    try:
        with ctx.database.transaction() as session:
            event = events.create_event(
                session,
                title=title,
                kind=kind,
                starts_at=_local(ctx, starts, "--starts"),
                ends_at=_local(ctx, ends, "--ends") if ends else None,
                topics=list(topics),
                description=description,
                location=place,
                online_url=online_url,
                capacity=capacity,
                rsvp_deadline=_local(ctx, deadline, "--deadline") if deadline else None,
                needs_approval=approval,
                status=EventStatus.OPEN if open_now else EventStatus.DRAFT,
                actor="cli",
            )
            click.echo(f"event #{event.id} created ({event.status.value}), scene {event.qr_scene}")
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None


@event_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Past events too.")
@pass_context
def list_events(ctx: CliContext, show_all: bool) -> None:
    """List events, soonest first, with their seats taken."""
    from bot.db import utcnow

    with ctx.database.transaction() as session:
        found = events.list_events(session, 200, upcoming_from=None if show_all else utcnow())
        if not found:
            click.echo("no events")
        for event in found:
            counts = events.status_counts(session, event)
            seats = f"{events.seats_taken(session, event.id)}/{event.capacity or '∞'}"
            invited = counts[InvitationStatus.INVITED]
            click.echo(
                f"#{event.id:<4} {_show_time(ctx, event.starts_at)} {event.status.value:<9} "
                f"{event.kind or '-':<5} seats {seats:<8} invited {invited:<4} {event.title}"
            )


def _event_or_fail(session: Session, event_id: int) -> Event:
    event = events.get_event(session, event_id)
    if event is None:
        raise click.ClickException(f"no event with id {event_id}")
    return event


@event_group.command("show")
@click.argument("event_id", type=int)
@click.option("--people", is_flag=True, help="List the participants too.")
@pass_context
def show(ctx: CliContext, event_id: int, people: bool) -> None:
    """Show an event, its participants by status and the invitation as it will read."""
    with ctx.database.transaction() as session:
        event = _event_or_fail(session, event_id)
        click.echo(f"#{event.id} {event.title} [{event.kind}] {event.status.value}")
        click.echo(
            f"  starts {_show_time(ctx, event.starts_at)}, ends {_show_time(ctx, event.ends_at)}"
        )
        click.echo(
            f"  deadline {_show_time(ctx, events.deadline(event))}, capacity {event.capacity}"
        )
        click.echo(f"  place {event.location or '-'} {event.online_url}")
        click.echo(f"  topics {'、'.join(event.topics)}; approval {event.needs_approval}")
        click.echo(f"  QR scene {event.qr_scene} ticket {event.qr_ticket or '(not created)'}")
        counts = events.status_counts(session, event)
        click.echo("  " + ", ".join(f"{s.value} {n}" for s, n in counts.items() if n))
        if people:
            for invitation, talent in events.participants(session, event):
                name = talent.name if talent else invitation.openid
                click.echo(
                    f"    {invitation.status.value:<17} {name} {'; '.join(invitation.reasons)}"
                )
        preview = invitations.preview(ctx.config, event)
        click.echo("\ninvitation (customer-service message):\n" + preview.customer_service)
        for channel, spec in (("template", preview.template), ("subscribe", preview.subscribe)):
            click.echo(f"{channel} message: {spec if spec else 'not configured'}")


@event_group.command("propose")
@click.argument("event_id", type=int)
@click.option("-k", "--top", default=50, show_default=True, help="How many people at most.")
@click.option("--industry", "industries", multiple=True, help="Only these industries.")
@click.option("--county", "counties", multiple=True, help="Only these origin county codes.")
@click.option("--city", default="", help="Only people now living in this city.")
@click.option("--province", default="", help="Only people now living in this province.")
@click.option("--wish", "wishes", multiple=True, help="Only people with this cooperation wish.")
@click.option(
    "--attended/--newcomers", "attended", default=None, help="Only past attendees / newcomers."
)
@click.option("--add", "add_ids", multiple=True, type=int, help="Add this talent id by hand.")
@click.option("--remove", "remove_ids", multiple=True, type=int, help="Take this talent off.")
@click.option("--save", is_flag=True, help="Put the proposed people on the invitee list.")
@pass_context
def propose(
    ctx: CliContext,
    event_id: int,
    top: int,
    industries: tuple[str, ...],
    counties: tuple[str, ...],
    city: str,
    province: str,
    wishes: tuple[str, ...],
    attended: bool | None,
    add_ids: tuple[int, ...],
    remove_ids: tuple[int, ...],
    save: bool,
) -> None:
    """Propose invitees for EVENT_ID by matching its topics (with reasons); edit the list."""
    filters = invitations.InviteeFilters(
        industries=industries,
        counties=counties,
        city=city,
        province=province,
        attended_before=attended,
        wishes=wishes,
    )
    with ctx.database.transaction() as session:
        event = _event_or_fail(session, event_id)
        index = talent_search.TalentIndexCache(ctx.config.matching)
        proposals = invitations.propose_invitees(session, index, event, k=top, filters=filters)
        for rank, proposal in enumerate(proposals, 1):
            talent = proposal.talent
            click.echo(
                f"{rank:>3}. [{proposal.score:.3f}] #{talent.id} {talent.name} · "
                f"{talent.employer} · {talent.city}  {'; '.join(proposal.reasons)}"
            )
        if save:
            click.echo(f"added {invitations.save_proposals(session, event, proposals)} to the list")
        for talent_id in add_ids:
            added = talents.get_talent(session, talent_id)
            if added is None:
                raise click.ClickException(f"no talent with id {talent_id}")
            invitations.add_invitee(session, event, added)
            click.echo(f"added #{talent_id}")
        for talent_id in remove_ids:
            removed = invitations.remove_invitee(session, event, talent_id)
            click.echo(
                f"removed #{talent_id}" if removed else f"#{talent_id} not on the draft list"
            )
        listed = events.count_invitations(session, event, InvitationStatus.PROPOSED)
        click.echo(f"{listed} people on the list, not yet invited")


@event_group.command("send")
@click.argument("event_id", type=int)
@pass_context
def send(ctx: CliContext, event_id: int) -> None:
    """Queue the invitations of EVENT_ID's list (the scheduler's sender delivers them)."""
    with ctx.database.transaction(write=True) as session:
        event = _event_or_fail(session, event_id)
        pending = events.count_invitations(session, event, InvitationStatus.PROPOSED)
        with click.progressbar(length=pending, label="queueing invitations") as bar:
            summary = invitations.send_invitations(session, ctx.config, event, progress=bar.update)
    click.echo(str(summary))


@event_group.command("qrcode")
@click.argument("event_id", type=int)
@pass_context
def qrcode(ctx: CliContext, event_id: int) -> None:
    """Create EVENT_ID's permanent check-in QR code through the WeChat API; print its image URL."""
    with ctx.database.transaction() as session:
        event = _event_or_fail(session, event_id)
        scene, ticket = event.qr_scene or "", event.qr_ticket
    if not ticket:
        client = make_client(ctx.config, ctx.database)
        try:
            ticket = events.request_qr_ticket(client, scene)
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None
        finally:
            client.close()
        with ctx.database.transaction() as session:
            event = _event_or_fail(session, event_id)
            events.set_qr_ticket(session, event, ticket)
            ticket = event.qr_ticket
    click.echo(f"scene {scene}, ticket {ticket}")
    base = ctx.config.wechat.api_base_url.rstrip("/")
    click.echo(f"{base}/showqrcode?ticket={ticket}")


@event_group.command("attendance")
@click.argument("event_id", type=int)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8-sig"), default="-")
@pass_context
def attendance(ctx: CliContext, event_id: int, output: TextIO) -> None:
    """Write EVENT_ID's participants as CSV (status, registration and check-in times)."""
    zone = ZoneInfo(ctx.config.app.timezone)
    with ctx.database.transaction() as session:
        event = _event_or_fail(session, event_id)
        rows = events.attendance_rows(session, event, zone=zone, actor="cli")
    writer = csv.DictWriter(output, fieldnames=list(events.ATTENDANCE_COLUMNS))
    writer.writeheader()
    with click.progressbar(rows, label="writing", file=sys.stderr) as bar:
        for row in bar:
            writer.writerow(row)
    click.echo(f"{len(rows)} participants", err=True)


COMMANDS = [event_group]
