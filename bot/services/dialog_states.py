"""Keep where each person is in a multi-step conversation, so it can resume after days.

A message reads the person's state once, when its delivery is claimed (``STATE`` is part of that
round trip on PostgreSQL), and writes it once, after the dialog step (``save``). In between the
state is a value, ``FlowState``: a step returns a new one instead of changing a row.

Stored form: ``dialog_states.data`` holds the flow's answers, plus the engine's bookkeeping under
``_history`` (the numbered questions answered, in order) and ``_return`` (where a correction goes
back to).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Insert, Table, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot import direct
from bot.models import DialogState

HISTORY_KEY = "_history"
RETURN_KEY = "_return"


@dataclass(frozen=True)
class FlowState:
    """Where one person is in one flow: the step, the answers so far and the way back.

    ``data`` is the flow's own answers (each flow types it as a ``TypedDict``); ``history`` the
    numbered steps answered, in order (what 上一步 goes back through); ``return_to`` the step to
    go back to after a correction made from the summary. Times are timezone-aware UTC.
    """

    flow: str
    step: str
    started_at: datetime
    updated_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    history: tuple[str, ...] = ()
    return_to: str | None = None

    def moved(
        self,
        step: str,
        data: Mapping[str, Any],
        now: datetime,
        *,
        history: tuple[str, ...] | None = None,
        return_to: str | None = None,
    ) -> FlowState:
        """Return the state at ``step`` with ``data`` (history kept unless given)."""
        return replace(
            self,
            step=step,
            data=dict(data),
            updated_at=now,
            history=self.history if history is None else history,
            return_to=return_to,
        )

    def touched(self, now: datetime) -> FlowState:
        """Return the same state, marked as current at ``now`` (the person came back to it)."""
        return replace(self, updated_at=now)

    def stored_data(self) -> dict[str, Any]:
        """Return the JSON stored in ``dialog_states.data``."""
        stored: dict[str, Any] = {**self.data, HISTORY_KEY: list(self.history)}
        if self.return_to is not None:
            stored[RETURN_KEY] = self.return_to
        return stored


def new_state(flow: str, step: str, data: Mapping[str, Any], now: datetime) -> FlowState:
    """Return the state of someone starting ``flow`` at ``step`` now."""
    return FlowState(flow=flow, step=step, started_at=now, updated_at=now, data=dict(data))


_STATES = cast(Table, DialogState.__table__)
# Read with every inbound message: built once, on the table. On PostgreSQL each column is a
# scalar subquery of the delivery's opening statement (bot.services.inbound).
STATE_COLUMNS = ("flow", "step", "data", "started_at", "updated_at")
STATE = select(*(_STATES.c[name] for name in STATE_COLUMNS)).where(
    _STATES.c.openid == bindparam("person")
)


def from_row(
    flow: str | None,
    step: str | None,
    data: Mapping[str, Any] | None,
    started_at: datetime | None,
    updated_at: datetime | None,
) -> FlowState | None:
    """Return the state stored in a row's columns (None when the person is in no flow)."""
    if flow is None or step is None or started_at is None or updated_at is None:
        return None
    answers = dict(data or {})
    history = answers.pop(HISTORY_KEY, None) or []
    return_to = answers.pop(RETURN_KEY, None)
    return FlowState(
        flow=flow,
        step=step,
        started_at=started_at,
        updated_at=updated_at,
        data=answers,
        history=tuple(history),
        return_to=return_to,
    )


def load(session: Session, openid: str) -> FlowState | None:
    """Return the person's dialog state, or None when they are in no flow."""
    row = session.execute(STATE, {"person": openid}).first()
    return from_row(*row) if row is not None else None


def _upsert_statement(insert: Any) -> Insert:
    statement = insert(_STATES).values(
        openid=bindparam("person"),
        flow=bindparam("flow"),
        step=bindparam("step"),
        data=bindparam("data", type_=_STATES.c.data.type),
        started_at=bindparam("started_at", type_=_STATES.c.started_at.type),
        updated_at=bindparam("updated_at", type_=_STATES.c.updated_at.type),
    )
    excluded = statement.excluded
    return cast(
        Insert,
        statement.on_conflict_do_update(
            index_elements=["openid"],
            set_={
                name: excluded[name]
                for name in ("flow", "step", "data", "started_at", "updated_at")
            },
        ),
    )


UPSERT = {
    "postgresql": _upsert_statement(postgresql_insert),
    "sqlite": _upsert_statement(sqlite_insert),
}


def save(session: Session, openid: str, before: FlowState | None, after: FlowState | None) -> None:
    """Store the state a message left the person in (one statement, none when unchanged)."""
    if after == before:
        return
    if after is None:
        clear(session, openid)
        return
    direct.execute(
        session,
        UPSERT[session.get_bind().dialect.name],
        {
            "person": openid,
            "flow": after.flow,
            "step": after.step,
            "data": after.stored_data(),
            "started_at": after.started_at,
            "updated_at": after.updated_at,
        },
    )


def clear(session: Session, openid: str) -> None:
    """End whatever flow the person is in."""
    session.execute(delete(DialogState).where(DialogState.openid == openid))
