"""The outbox: every message to a person is queued here and sent by one sender."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)


def enqueue(
    session: Session, *, kind: str, openid: str | None, payload: dict[str, Any], dedupe_key: str
) -> OutboxMessage:
    """Queue a message once per ``dedupe_key`` and return its row (the existing one on repeats)."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # ON CONFLICT DO NOTHING keeps the caller's transaction usable when another transaction
    # queued the same key first (an IntegrityError would abort it on PostgreSQL).
    statement = (
        insert(OutboxMessage)
        .values(
            kind=kind,
            openid=openid,
            payload=payload,
            dedupe_key=dedupe_key,
            channel="",
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
            last_error="",
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    inserted = session.execute(statement).rowcount  # type: ignore[attr-defined]
    message = session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    ).one()
    if inserted:
        logger.info("outbox: queued %s message %s for %s", kind, message.id, openid)
    else:
        logger.info("outbox: %s already queued as message %s", dedupe_key, message.id)
    return message


def release_deferred(session: Session, openid: str) -> int:
    """Put a person's deferred messages back in the queue (they just wrote to us)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.openid == openid, OutboxMessage.status == OutboxStatus.DEFERRED)
        .values(status=OutboxStatus.PENDING, next_attempt_at=utcnow())
    )
    released = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if released:
        logger.info("outbox: released %s deferred messages for %s", released, openid)
    return released
