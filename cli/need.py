"""``huaicai need``: review needs, propose and ask talents, record outcomes, see the funnel."""

from __future__ import annotations

from datetime import date

import click
from sqlalchemy.orm import Session

from bot.models import Demand, DemandStatus, OutcomeKind
from bot.services import enterprise_contacts, enterprises, funnel, introductions, needs
from bot.services.talent_search import TalentIndexCache
from bot.validators import ValidationError
from cli import CliContext, pass_context

ACTOR = "cli"
DECISIONS = {
    "approve": needs.ReviewDecision.APPROVE,
    "reject": needs.ReviewDecision.REJECT,
    "ask-more": needs.ReviewDecision.ASK_MORE,
}


@click.group("need")
def need_group() -> None:
    """Enterprise needs: review, shortlist, asks, outcomes and the yearly funnel."""


def _demand(session: Session, demand_id: int) -> Demand:
    demand = enterprises.get_demand(session, demand_id)
    if demand is None:
        raise click.ClickException(f"no need with id {demand_id}")
    return demand


@need_group.command("list")
@click.option(
    "--status",
    type=click.Choice([s.value for s in DemandStatus]),
    default=None,
    help="Only needs in this status.",
)
@click.option("--limit", default=50, show_default=True, help="How many, newest first.")
@pass_context
def need_list(ctx: CliContext, status: str | None, limit: int) -> None:
    """List needs with status, enterprise and how many people said yes."""
    with ctx.database.transaction() as session:
        rows = enterprises.list_demands(
            session, status=DemandStatus(status) if status else None, limit=limit
        )
        for demand in rows:
            yes = len(introductions.introduced_people(session, demand))
            click.echo(
                f"#{demand.id:<4} {demand.status.value:<14} {demand.title}"
                f" ({demand.enterprise.name}) yes:{yes}"
                f" {demand.created_at:%Y-%m-%d}"
            )
        if not rows:
            click.echo("no needs")


@need_group.command("show")
@click.argument("demand_id", type=int)
@pass_context
def need_show(ctx: CliContext, demand_id: int) -> None:
    """Show a whole need (credit code, contact, budget, deadline), its shortlist and outcomes."""
    with ctx.database.transaction() as session:
        demand = _demand(session, demand_id)
        enterprise = demand.enterprise
        contact = demand.contact
        click.echo(f"need #{demand.id}: {demand.title} [{demand.status.value}]")
        click.echo(f"  enterprise: {enterprise.name} ({enterprise.credit_code})")
        if contact is not None:
            click.echo(f"  contact: {contact.name} {contact.phone} ({contact.status.value})")
        else:
            click.echo(f"  contact: {enterprise.contact_name} {enterprise.contact_phone}")
        click.echo(f"  mode: {demand.cooperation_mode or '-'}  budget: {demand.budget or '-'}")
        click.echo(f"  deadline: {demand.deadline or '-'}  keywords: {'、'.join(demand.keywords)}")
        click.echo(f"  description: {demand.description}")
        if demand.review_note:
            click.echo(f"  review note: {demand.review_note} ({demand.reviewed_by})")
        for entry in introductions.shortlist(session, demand):
            click.echo(
                f"  - talent #{entry.talent.id} {entry.talent.name} [{entry.match.status.value}]"
                f" {entry.match.score:.3f}"
            )
            for reason in entry.reasons:
                click.echo(f"      {reason}")
        for outcome in funnel.outcomes_of(session, demand):
            amount = f" {outcome.amount_wan:g}万元" if outcome.amount_wan is not None else ""
            click.echo(f"  outcome: {outcome.kind.value}{amount} {outcome.occurred_on}")


@need_group.command("review")
@click.argument("demand_id", type=int)
@click.argument("decision", type=click.Choice(list(DECISIONS)))
@click.option("--note", default="", help="The reason (required to reject or ask for more).")
@pass_context
def need_review(ctx: CliContext, demand_id: int, decision: str, note: str) -> None:
    """Approve, reject or ask for more on a pending need; the enterprise is told by message."""
    with ctx.database.transaction() as session:
        demand = _demand(session, demand_id)
        try:
            needs.review_need(
                session, demand, decision=DECISIONS[decision], reviewer=ACTOR, note=note
            )
        except ValidationError as exc:
            raise click.ClickException(exc.message_en) from None
        click.echo(f"need #{demand.id} is {demand.status.value}; the enterprise will be told")


@need_group.command("reopen")
@click.argument("demand_id", type=int)
@pass_context
def need_reopen(ctx: CliContext, demand_id: int) -> None:
    """Put a rejected need back in review."""
    with ctx.database.transaction() as session:
        demand = _demand(session, demand_id)
        try:
            needs.reopen_need(session, demand, actor=ACTOR)
        except ValidationError as exc:
            raise click.ClickException(exc.message_en) from None
        click.echo(f"need #{demand.id} is pending review again")


@need_group.command("propose")
@click.argument("demand_id", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="Every approved need.")
@click.option("-k", "--top", type=int, default=None, help="How many (default matching.top_k).")
@pass_context
def need_propose(ctx: CliContext, demand_id: int | None, every: bool, top: int | None) -> None:
    """Store matching's shortlist for one approved need (or --all), with reasons."""
    if (demand_id is None) == (not every):
        raise click.UsageError("give a need id or --all")
    index = TalentIndexCache(ctx.config.matching)
    with ctx.database.transaction() as session:
        if demand_id is None:
            targets = enterprises.list_demands(session, status=DemandStatus.APPROVED, limit=10_000)
        else:
            targets = [_demand(session, demand_id)]
        with click.progressbar(targets, label="proposing") as bar:
            for demand in bar:
                try:
                    introductions.propose_shortlist(session, index, demand, actor=ACTOR, k=top)
                except ValidationError as exc:
                    raise click.ClickException(f"need #{demand.id}: {exc.message_en}") from None
        for demand in targets:
            entries = introductions.shortlist(session, demand)
            click.echo(f"need #{demand.id}: {len(entries)} on the shortlist")


@need_group.command("ask")
@click.argument("demand_id", type=int)
@click.argument("talent_ids", type=int, nargs=-1)
@click.option("--top", type=int, default=None, help="Ask the best N proposed instead.")
@pass_context
def need_ask(ctx: CliContext, demand_id: int, talent_ids: tuple[int, ...], top: int | None) -> None:
    """Ask the chosen proposed talents by message whether they want to be introduced."""
    with ctx.database.transaction() as session:
        demand = _demand(session, demand_id)
        chosen = list(talent_ids)
        if top is not None:
            askable = [e for e in introductions.shortlist(session, demand) if e.can_be_asked]
            chosen += [e.talent.id for e in askable[:top]]
        if not chosen:
            raise click.UsageError("name talent ids or --top N")
        try:
            asked = introductions.ask(
                session,
                demand,
                chosen,
                actor=ACTOR,
                answer_days=ctx.config.cooperation.answer_days,
            )
        except ValidationError as exc:
            raise click.ClickException(exc.message_en) from None
        click.echo(f"asked {len(asked)} of {len(set(chosen))} (others asked before or unreachable)")


@need_group.command("outcome")
@click.argument("demand_id", type=int)
@click.argument("kind", type=click.Choice([k.value for k in OutcomeKind]))
@click.option("--match", "match_id", type=int, default=None, help="The introduction it came of.")
@click.option("--amount", type=float, default=None, help="Agreement amount in 万元.")
@click.option("--note", default="", help="A short note.")
@click.option("--on", "occurred_on", default=None, help="Date (YYYY-MM-DD), default today.")
@pass_context
def need_outcome(
    ctx: CliContext,
    demand_id: int,
    kind: str,
    match_id: int | None,
    amount: float | None,
    note: str,
    occurred_on: str | None,
) -> None:
    """Record that a need (or one introduction) got contacted, an agreement, or a landed project."""
    from bot.models import Match

    with ctx.database.transaction() as session:
        demand = _demand(session, demand_id)
        match = session.get(Match, match_id) if match_id is not None else None
        if match_id is not None and match is None:
            raise click.ClickException(f"no introduction with id {match_id}")
        try:
            outcome = funnel.record_outcome(
                session,
                demand,
                OutcomeKind(kind),
                match=match,
                amount_wan=amount,
                note=note,
                recorded_by=f"organiser:{ACTOR}",
                occurred_on=date.fromisoformat(occurred_on) if occurred_on else None,
            )
        except (ValidationError, ValueError) as exc:
            raise click.ClickException(getattr(exc, "message_en", str(exc))) from None
        click.echo(f"recorded {outcome.kind.value} for need #{demand.id}")


@need_group.command("funnel")
@click.option("--year", type=int, default=None, help="Calendar year (default: this year).")
@pass_context
def need_funnel(ctx: CliContext, year: int | None) -> None:
    """Print needs → approved → proposed → asked → yes → introduced → agreements → landed."""
    year = year or date.today().year  # noqa: DTZ011 - a calendar year, the zone does not matter
    with ctx.database.transaction() as session:
        click.echo(funnel.funnel(session, year, ctx.config.targets).format())


@need_group.command("claims")
@pass_context
def need_claims(ctx: CliContext) -> None:
    """List people waiting to be confirmed as an enterprise's contact."""
    with ctx.database.transaction() as session:
        claims = enterprise_contacts.pending_claims(session)
        for claim in claims:
            click.echo(f"claim #{claim.id}: {claim.name} {claim.phone} for {claim.enterprise.name}")
        if not claims:
            click.echo("no claims waiting")


@need_group.command("claim")
@click.argument("claim_id", type=int)
@click.argument("decision", type=click.Choice(["confirm", "refuse"]))
@pass_context
def need_claim(ctx: CliContext, claim_id: int, decision: str) -> None:
    """Confirm or refuse a claim to speak for an enterprise; the person is told."""
    from bot.models import EnterpriseContact

    with ctx.database.transaction() as session:
        claim = session.get(EnterpriseContact, claim_id)
        if claim is None:
            raise click.ClickException(f"no claim with id {claim_id}")
        try:
            enterprise_contacts.decide_claim(
                session, claim, confirm=decision == "confirm", actor=ACTOR
            )
        except ValidationError as exc:
            raise click.ClickException(exc.message_en) from None
        click.echo(f"claim #{claim.id} {claim.status.value}")


COMMANDS = [need_group]
