"""The outbox: every message to a person is queued here and sent by one sender."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import OutboxMessage, OutboxStatus, Talent

logger = logging.getLogger(__name__)

# WeChat lets an account answer with customer-service messages for 48 h after the person wrote.
CUSTOMER_SERVICE_WINDOW = timedelta(hours=48)
MAX_ATTEMPTS = 5
RETRY_BASE_DELAY = timedelta(seconds=30)
RETRY_MAX_DELAY = timedelta(hours=2)
# A row stays "sending" this long; if the sender dies mid-way the row becomes due again
# (delivery is at least once: a crash between WeChat's answer and our commit can repeat a send).
SENDING_LEASE = timedelta(minutes=5)

# The channel is closed for this person now; a message from them opens it again.
CHANNEL_CLOSED_ERRORS = frozenset({45015, 45047, 43101})
NOT_FOLLOWING_ERROR = 43004
# Worth trying again later: system busy, API quota, token trouble, network or HTTP failures.
RETRYABLE_ERRORS = frozenset({-1, 45009, 40001, 40014, 42001, -1001, -1002})

KINDS = frozenset({"text"})


class Channel(enum.StrEnum):
    CUSTOMER_SERVICE = "customer_service"
    TEMPLATE = "template"
    SUBSCRIBE = "subscribe"


class SendResult(Protocol):
    """What a send returns (``bot.wechat.client.SendOutcome``)."""

    @property
    def errcode(self) -> int: ...

    @property
    def ok(self) -> bool: ...

    def describe(self) -> str: ...


class MessageSender(Protocol):
    """The sends the outbox needs from the API client."""

    def send_customer_service_text(self, openid: str, content: str) -> SendResult: ...

    def send_template_message(
        self, openid: str, template_id: str, data: dict[str, Any], url: str | None = None
    ) -> SendResult: ...

    def send_subscribe_message(
        self, openid: str, template_id: str, data: dict[str, Any], page: str | None = None
    ) -> SendResult: ...


@dataclass(frozen=True)
class DeliveryOutcome:
    """The decision taken for one message and what came of it."""

    message_id: int
    status: OutboxStatus
    channel: str
    detail: str


@dataclass
class DeliveryReport:
    """What one run of the sender did."""

    outcomes: list[DeliveryOutcome] = field(default_factory=list)

    def count(self, status: OutboxStatus) -> int:
        """Return how many messages ended the run in ``status``."""
        return sum(outcome.status == status for outcome in self.outcomes)

    def __str__(self) -> str:
        counts = ", ".join(f"{status.value} {self.count(status)}" for status in OutboxStatus)
        return f"{len(self.outcomes)} messages: {counts}"


def enqueue(
    session: Session, *, kind: str, openid: str | None, payload: dict[str, Any], dedupe_key: str
) -> OutboxMessage:
    """Queue a message once per ``dedupe_key`` and return its row (the existing one on repeats)."""
    if kind not in KINDS:
        raise ValueError(
            f"unknown outbox message kind {kind!r} (known: {', '.join(sorted(KINDS))})"
        )
    if kind == "text" and not (isinstance(payload.get("content"), str) and payload["content"]):
        raise ValueError("a text message needs a non-empty payload['content']")
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


# Runs on every inbound message: built once, on the table (no ORM bookkeeping).
_OUTBOX = cast(Table, OutboxMessage.__table__)
RELEASE_DEFERRED = (
    update(_OUTBOX)
    .where(_OUTBOX.c.openid == bindparam("person"), _OUTBOX.c.status == OutboxStatus.DEFERRED)
    .values(status=OutboxStatus.PENDING, next_attempt_at=bindparam("at"))
)


def release_deferred(session: Session, openid: str) -> int:
    """Put a person's deferred messages back in the queue (they just wrote to us)."""
    result = session.execute(RELEASE_DEFERRED, {"person": openid, "at": utcnow()})
    released = int(result.rowcount or 0)  # type: ignore[attr-defined]
    log_released(openid, released)
    return released


def log_released(openid: str, released: int) -> None:
    """Log that ``released`` deferred messages of ``openid`` went back in the queue, if any."""
    if released:
        logger.info("outbox: released %s deferred messages for %s", released, openid)


def deliver_due(
    session_factory: Callable[[], Session],
    client: MessageSender,
    *,
    now: datetime | None = None,
    limit: int = 50,
    max_attempts: int = MAX_ATTEMPTS,
) -> DeliveryReport:
    """Send the messages that are due, choosing each one's channel, and record every outcome.

    Rows are claimed in one statement (PostgreSQL skips rows another sender holds), sent
    without a transaction open, and each outcome is written in its own short transaction.
    """
    now = now or utcnow()
    report = DeliveryReport()
    for message_id in _claim_due(session_factory, now, limit):
        with session_factory() as session, session.begin():
            message = session.get(OutboxMessage, message_id)
            if message is None:  # pragma: no cover - deleted while we held the lease
                continue
            talent = _recipient(session, message.openid)
            plan = _plan(message, talent, now)
            seen_interaction = talent.last_interaction_at if talent else None
            kind, openid, payload = message.kind, message.openid or "", dict(message.payload)
            attempts = message.attempts
        if isinstance(plan, DeliveryOutcome):
            outcome, tries = plan, 0
        else:
            outcome, tries = _send(client, message_id, kind, openid, payload, plan)
            if outcome.status is OutboxStatus.PENDING and attempts + tries >= max_attempts:
                outcome = _replace(
                    outcome,
                    OutboxStatus.FAILED,
                    f"gave up after {attempts + tries} attempts: {outcome.detail}",
                )
        outcome = _record(session_factory, outcome, attempts + tries, now, seen_interaction)
        report.outcomes.append(outcome)
    return report


def _claim_due(session_factory: Callable[[], Session], now: datetime, limit: int) -> list[int]:
    # "sending" rows whose lease ran out belong to a sender that died; they are due again.
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    # One UPDATE ... RETURNING: on SQLite the write lock is taken before anything is read.
    claim = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(status=OutboxStatus.SENDING, next_attempt_at=now + SENDING_LEASE)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    with session_factory() as session, session.begin():
        return sorted(session.scalars(claim).all())


def _recipient(session: Session, openid: str | None) -> Talent | None:
    if not openid:
        return None
    return session.scalars(select(Talent).where(Talent.openid == openid)).first()


def _plan(
    message: OutboxMessage, talent: Talent | None, now: datetime
) -> list[Channel] | DeliveryOutcome:
    """Return the channels to try in order, or the outcome when nothing may be sent."""

    def decided(status: OutboxStatus, detail: str) -> DeliveryOutcome:
        return DeliveryOutcome(message.id, status, "", detail)

    if message.kind not in KINDS:
        return decided(OutboxStatus.FAILED, f"unknown message kind {message.kind!r}")
    if not message.openid:
        return decided(OutboxStatus.FAILED, "no recipient openid")
    if talent is not None and not talent.is_following:
        return decided(OutboxStatus.FAILED, "skipped: the person no longer follows the account")
    channels: list[Channel] = []
    # Someone we hold no record of has just written to us (that is how we got the openid):
    # try the customer-service channel and let WeChat's answer tell whether the window is open.
    last = talent.last_interaction_at if talent is not None else None
    if talent is None or (last is not None and now - last < CUSTOMER_SERVICE_WINDOW):
        channels.append(Channel.CUSTOMER_SERVICE)
    if _template_spec(message.payload, "template"):
        channels.append(Channel.TEMPLATE)
    if _template_spec(message.payload, "subscribe"):
        channels.append(Channel.SUBSCRIBE)
    if not channels:
        return decided(
            OutboxStatus.DEFERRED,
            "deferred: outside the 48 h customer-service window and no template or subscribe "
            "message allowed; waits for the person's next message",
        )
    return channels


def _template_spec(payload: dict[str, Any], key: str) -> dict[str, Any] | None:
    # {"template_id": ..., "data": {...}, "url"/"page": ...}; anything else is not usable.
    spec = payload.get(key)
    if isinstance(spec, dict) and isinstance(spec.get("template_id"), str):
        return spec
    return None


def _send(
    client: MessageSender,
    message_id: int,
    kind: str,
    openid: str,
    payload: dict[str, Any],
    channels: list[Channel],
) -> tuple[DeliveryOutcome, int]:
    """Try the channels in order until one takes the message; return outcome and sends made."""
    tried: list[str] = []
    for channel in channels:
        try:
            result = _send_on(client, channel, openid, payload)
        except Exception as exc:  # an unexpected client failure must not stop the other sends
            logger.exception("outbox: message %s on %s raised", message_id, channel)
            tried.append(f"{channel}: {type(exc).__name__}: {exc}")
            detail = "; ".join(tried)
            return DeliveryOutcome(message_id, OutboxStatus.PENDING, channel, detail), len(tried)
        tried.append(f"{channel}: {result.describe()}")
        logger.info(
            "outbox: %s message %s to %s via %s -> %s",
            kind,
            message_id,
            openid,
            channel,
            result.describe(),
        )
        detail = "; ".join(tried)
        if result.ok:
            return DeliveryOutcome(message_id, OutboxStatus.SENT, channel, ""), len(tried)
        if result.errcode in CHANNEL_CLOSED_ERRORS:
            continue  # this channel is closed for the person: try the next one
        if result.errcode == NOT_FOLLOWING_ERROR:
            status = OutboxStatus.FAILED
            detail = f"not following: {detail}"
        elif result.errcode in RETRYABLE_ERRORS:
            status = OutboxStatus.PENDING
        else:
            status = OutboxStatus.FAILED
        return DeliveryOutcome(message_id, status, channel, detail), len(tried)
    # Every channel was closed: wait until the person writes again.
    return DeliveryOutcome(
        message_id, OutboxStatus.DEFERRED, channels[-1], "deferred: " + "; ".join(tried)
    ), len(tried)


def _send_on(
    client: MessageSender, channel: Channel, openid: str, payload: dict[str, Any]
) -> SendResult:
    if channel is Channel.CUSTOMER_SERVICE:
        return client.send_customer_service_text(openid, str(payload.get("content", "")))
    spec = _template_spec(payload, channel.value) or {}
    template_id, data = str(spec.get("template_id")), dict(spec.get("data") or {})
    if channel is Channel.TEMPLATE:
        return client.send_template_message(openid, template_id, data, spec.get("url"))
    return client.send_subscribe_message(openid, template_id, data, spec.get("page"))


def _replace(outcome: DeliveryOutcome, status: OutboxStatus, detail: str) -> DeliveryOutcome:
    return DeliveryOutcome(outcome.message_id, status, outcome.channel, detail)


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait before the next try after ``attempts`` failed ones."""
    return min(RETRY_MAX_DELAY, RETRY_BASE_DELAY * 2 ** max(0, attempts - 1))


def _record(
    session_factory: Callable[[], Session],
    outcome: DeliveryOutcome,
    attempts: int,
    now: datetime,
    seen_interaction: datetime | None,
) -> DeliveryOutcome:
    """Write the outcome on the row and return it (possibly turned back into pending)."""
    next_attempt_at = now + retry_delay(attempts) if outcome.status is OutboxStatus.PENDING else now
    statement = update(OutboxMessage).where(OutboxMessage.id == outcome.message_id)
    with session_factory() as session, session.begin():
        # The write comes first so that SQLite takes its write lock before anything is read.
        session.execute(
            statement.values(
                status=outcome.status,
                channel=outcome.channel,
                last_error=outcome.detail,
                attempts=attempts,
                next_attempt_at=next_attempt_at,
                sent_at=utcnow() if outcome.status is OutboxStatus.SENT else None,
            ).execution_options(synchronize_session=False)
        )
        if outcome.status is OutboxStatus.DEFERRED:
            openid = session.scalars(
                select(OutboxMessage.openid).where(OutboxMessage.id == outcome.message_id)
            ).one()
            talent = _recipient(session, openid)
            latest = talent.last_interaction_at if talent else None
            # The person wrote while we were sending: the window is open again, so no deferral.
            if latest is not None and (seen_interaction is None or latest > seen_interaction):
                outcome = _replace(outcome, OutboxStatus.PENDING, f"released: {outcome.detail}")
                session.execute(
                    statement.values(
                        status=outcome.status, last_error=outcome.detail
                    ).execution_options(synchronize_session=False)
                )
    log = logger.info if outcome.status is not OutboxStatus.FAILED else logger.warning
    log("outbox: message %s %s %s", outcome.message_id, outcome.status, outcome.detail)
    return outcome


def status_counts(session: Session) -> dict[OutboxStatus, int]:
    """Return how many outbox messages are in each status."""
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update({status: int(count) for status, count in rows})
    return counts


def next_due_at(session: Session) -> datetime | None:
    """Return when the earliest pending message is due, or None when nothing waits."""
    return session.scalars(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
        )
    ).one()
