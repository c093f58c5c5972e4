"""Tell whether the database is empty or holds demo data, and remove the demo rows."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.models import (
    Consent,
    ConsoleUser,
    Demand,
    DialogState,
    Enterprise,
    Event,
    InboundMessage,
    Invitation,
    Match,
    OutboxMessage,
    Talent,
)
from bot.services import audit

# The tables whose rows carry the is_demo mark.
DEMO_MODELS = (Talent, Enterprise, Demand, Event, ConsoleUser)


@dataclass(frozen=True)
class DemoCounts:
    """How many demo rows of each kind (loaded, present or removed)."""

    talents: int = 0
    enterprises: int = 0
    demands: int = 0
    events: int = 0
    users: int = 0

    @property
    def total(self) -> int:
        """Return the number of rows of every kind together."""
        return sum(getattr(self, f.name) for f in fields(self))

    def describe(self) -> str:
        """Return the counts as one line for an operator."""
        return (
            f"{self.talents} talents, {self.enterprises} enterprises, {self.demands} needs, "
            f"{self.events} events, {self.users} console users"
        )


def is_database_empty(session: Session) -> bool:
    """Return whether there are no talents, enterprises, needs or events at all.

    Console users do not count: an administrator may exist before any data does.
    """
    for model in (Talent, Enterprise, Demand, Event):
        if session.scalar(select(model.id).limit(1)) is not None:
            return False
    return True


def has_demo_data(session: Session) -> bool:
    """Return whether any row is marked as demo."""
    for model in DEMO_MODELS:
        if session.scalar(select(model.id).where(model.is_demo.is_(True)).limit(1)) is not None:
            return True
    return False


def count_demo_rows(session: Session) -> DemoCounts:
    """Return how many rows of each kind are marked as demo."""

    def count(model: type[Talent | Enterprise | Demand | Event | ConsoleUser]) -> int:
        query = select(func.count(model.id)).where(model.is_demo.is_(True))
        return int(session.scalar(query) or 0)

    return DemoCounts(
        talents=count(Talent),
        enterprises=count(Enterprise),
        demands=count(Demand),
        events=count(Event),
        users=count(ConsoleUser),
    )


def clear_demo(session: Session, *, actor: str = "system") -> DemoCounts:
    """Delete every demo row and what hangs off it; leave all other data alone.

    Dependent rows (consents, matches, invitations, what is kept under a demo openid) are deleted
    explicitly rather than left to ON DELETE CASCADE, so the result does not depend on SQLite's
    foreign-key pragma.
    """
    removed = count_demo_rows(session)
    demo_talents = select(Talent.id).where(Talent.is_demo.is_(True))
    demo_openids = select(Talent.openid).where(Talent.is_demo.is_(True), Talent.openid.is_not(None))
    demo_events = select(Event.id).where(Event.is_demo.is_(True))
    demo_enterprises = select(Enterprise.id).where(Enterprise.is_demo.is_(True))
    demo_demands = select(Demand.id).where(
        (Demand.is_demo.is_(True)) | Demand.enterprise_id.in_(demo_enterprises)
    )
    statements = [
        delete(DialogState).where(DialogState.openid.in_(demo_openids)),
        delete(InboundMessage).where(InboundMessage.openid.in_(demo_openids)),
        delete(OutboxMessage).where(OutboxMessage.openid.in_(demo_openids)),
        delete(Consent).where(Consent.talent_id.in_(demo_talents)),
        delete(Invitation).where(
            Invitation.talent_id.in_(demo_talents) | Invitation.event_id.in_(demo_events)
        ),
        delete(Match).where(Match.talent_id.in_(demo_talents) | Match.demand_id.in_(demo_demands)),
        delete(Demand).where(Demand.id.in_(demo_demands)),
        delete(Talent).where(Talent.is_demo.is_(True)),
        delete(Event).where(Event.is_demo.is_(True)),
        delete(ConsoleUser).where(ConsoleUser.is_demo.is_(True)),
        update(ConsoleUser)
        .where(ConsoleUser.enterprise_id.in_(demo_enterprises))
        .values(enterprise_id=None),
        delete(Enterprise).where(Enterprise.is_demo.is_(True)),
    ]
    for statement in statements:
        # Rows loaded in this session are expired rather than matched in Python: the criteria
        # use subqueries, which the "evaluate" strategy cannot handle.
        session.execute(statement, execution_options={"synchronize_session": False})
    session.expire_all()
    audit.record(session, actor, "clear_demo", "demo", None, **_as_dict(removed))
    session.flush()
    return removed


def _as_dict(counts: DemoCounts) -> dict[str, int]:
    return {f.name: getattr(counts, f.name) for f in fields(counts)}
