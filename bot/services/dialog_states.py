"""Keep where each person is in a multi-step conversation, so it can resume after days."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import DialogState


def get_state(session: Session, openid: str) -> DialogState | None:
    """Return the person's dialog state, or None when they are in no flow."""
    return session.scalars(select(DialogState).where(DialogState.openid == openid)).first()


# Asked on every inbound message: built once, on the table.
_STATES = cast(Table, DialogState.__table__)
ACTIVE_FLOW = select(_STATES.c.flow).where(_STATES.c.openid == bindparam("person"))


def active_flow(session: Session, openid: str) -> str | None:
    """Return the name of the person's active flow, if any."""
    return session.execute(ACTIVE_FLOW, {"person": openid}).scalar()


def start_flow(
    session: Session,
    openid: str,
    flow: str,
    step: str,
    data: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> DialogState:
    """Put the person at ``step`` of ``flow``, replacing any flow they were in."""
    now = now or utcnow()
    state = get_state(session, openid)
    if state is None:
        state = DialogState(openid=openid, flow=flow, step=step, data=dict(data or {}))
        state.started_at = now
        session.add(state)
    else:
        state.flow, state.step, state.data = flow, step, dict(data or {})
        state.started_at = now
    state.updated_at = now
    session.flush()
    return state


def advance(
    session: Session,
    state: DialogState,
    step: str,
    data: dict[str, Any],
    *,
    now: datetime | None = None,
) -> DialogState:
    """Move ``state`` to ``step`` with ``data`` (a fresh dict, so the JSON change is seen)."""
    state.step = step
    state.data = dict(data)
    state.updated_at = now or utcnow()
    session.flush()
    return state


def touch(session: Session, state: DialogState, *, now: datetime | None = None) -> None:
    """Mark ``state`` as current again (the person came back to it)."""
    state.updated_at = now or utcnow()
    session.flush()


def clear(session: Session, openid: str) -> None:
    """End whatever flow the person is in."""
    session.execute(delete(DialogState).where(DialogState.openid == openid))
    session.flush()
