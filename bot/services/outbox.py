"""The outbox: every message to a person is queued here and sent by one sender.

Delivery is exactly once as far as WeChat's own record can tell: a row is claimed ("sending",
with a lease) and committed before its send, and its outcome is committed after. A sender
killed in between leaves rows "sending"; once their lease ran out the next sender looks them
up in WeChat's customer-service message record (``customservice/msgrecord/getmsglist``) and
marks those found as sent instead of sending them again. Template and subscribe messages have
no such record: one of those in flight when the sender died is sent again (at least once).

Sends are paced by a token bucket (``outbox.rate_per_second``), spread over a few threads, and
retried with growing delays. Messages sent on our own initiative (``proactive``: invitations,
reminders) wait outside quiet hours.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from datetime import time as clock_time
from typing import Any, Protocol, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.config import OutboxConfig
from bot.db import utcnow
from bot.models import OutboxMessage, OutboxStatus, Talent

logger = logging.getLogger(__name__)

# WeChat lets an account answer with customer-service messages for 48 h after the person wrote.
CUSTOMER_SERVICE_WINDOW = timedelta(hours=48)
# At most this many customer-service messages per person between two of their messages.
CUSTOMER_SERVICE_QUOTA = 5
MAX_ATTEMPTS = 5
RETRY_BASE_DELAY = timedelta(seconds=30)
RETRY_MAX_DELAY = timedelta(hours=2)
# A row stays "sending" this long; if the sender dies mid-way the row becomes due again and is
# first looked up in WeChat's message record (see the module docstring).
SENDING_LEASE = timedelta(minutes=5)
# WeChat's message record answers for at most 24 hours per request.
RECORD_WINDOW = timedelta(hours=24)
RECORD_PAGE = 10000
# Outcomes written per transaction: one commit for this many sends.
RECORD_CHUNK = 10

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


@dataclass(frozen=True)
class Settings:
    """How the sender paces and retries (from ``[outbox]`` in config.toml)."""

    rate_per_second: float = 100.0
    burst: int = 20
    workers: int = 1
    retry_base: timedelta = RETRY_BASE_DELAY
    lease: timedelta = SENDING_LEASE
    quiet_start: clock_time = clock_time(22, 0)
    quiet_end: clock_time = clock_time(8, 0)
    zone: tzinfo = ZoneInfo("Asia/Shanghai")

    @classmethod
    def from_config(cls, config: OutboxConfig, timezone: str) -> Settings:
        """Return the settings of ``[outbox]`` with local times in ``timezone``."""
        return cls(
            rate_per_second=config.rate_per_second,
            burst=config.burst,
            workers=config.workers,
            retry_base=timedelta(seconds=config.retry_base_seconds),
            lease=timedelta(seconds=config.sending_lease_seconds),
            quiet_start=clock_time.fromisoformat(config.quiet_hours_start),
            quiet_end=clock_time.fromisoformat(config.quiet_hours_end),
            zone=ZoneInfo(timezone),
        )

    def is_quiet(self, now: datetime) -> bool:
        """Return whether ``now`` falls in quiet hours (start inclusive, end exclusive)."""
        local = now.astimezone(self.zone).time()
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end

    def quiet_until(self, now: datetime) -> datetime:
        """Return when the quiet hours around ``now`` end (``now`` when not quiet)."""
        if not self.is_quiet(now):
            return now
        local = now.astimezone(self.zone)
        end = local.replace(
            hour=self.quiet_end.hour, minute=self.quiet_end.minute, second=0, microsecond=0
        )
        if end <= local:
            end += timedelta(days=1)
        return end


class TokenBucket:
    """Allow ``rate`` acquisitions per second on average and ``burst`` at once (thread-safe)."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.capacity = float(max(1, burst))
        self.tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, waiting until one is there; return the seconds waited."""
        with self._lock:
            now = self._clock()
            self.tokens = min(self.capacity, self.tokens + (now - self._updated) * self.rate)
            self._updated = now
            # Reserve the token now (possibly going negative) and wait for it outside the lock.
            self.tokens -= 1
            wait = -self.tokens / self.rate if self.tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


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


class MessageRecord(Protocol):
    """WeChat's record of customer-service messages sent (to confirm sends after a crash)."""

    def sent_customer_service_texts(
        self, start: datetime, end: datetime
    ) -> Iterable[tuple[str, str]] | None: ...


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
    session: Session,
    *,
    kind: str,
    openid: str | None,
    payload: dict[str, Any],
    dedupe_key: str,
    proactive: bool = False,
) -> OutboxMessage:
    """Queue a message once per ``dedupe_key`` and return its row (the existing one on repeats).

    ``proactive`` marks messages sent on our initiative: they wait outside quiet hours.
    Raises ValueError for an unknown kind or an empty text.
    """
    inserted = queue(
        session,
        kind=kind,
        openid=openid,
        payload=payload,
        dedupe_key=dedupe_key,
        proactive=proactive,
    )
    message = session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    ).one()
    if inserted:
        logger.info("outbox: queued %s message %s for %s", kind, message.id, openid)
    else:
        logger.info("outbox: %s already queued as message %s", dedupe_key, message.id)
    return message


def queue(
    session: Session,
    *,
    kind: str,
    openid: str | None,
    payload: dict[str, Any],
    dedupe_key: str,
    proactive: bool = False,
) -> bool:
    """Queue a message once per ``dedupe_key``; return whether it is new (``enqueue`` without
    reading the row back)."""
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
        insert(_OUTBOX)
        .values(
            kind=kind,
            openid=openid,
            payload=payload,
            dedupe_key=dedupe_key,
            channel="",
            status=OutboxStatus.PENDING,
            proactive=proactive,
            attempts=0,
            next_attempt_at=utcnow(),
            last_error="",
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(_OUTBOX.c.id)
    )
    # RETURNING says whether a row was inserted (rowcount is not reliable for this on every
    # driver: psycopg reports -1 here).
    return session.execute(statement).scalar() is not None


@dataclass(frozen=True)
class Queued:
    """One message for ``queue_many``."""

    openid: str
    payload: dict[str, Any]
    dedupe_key: str
    kind: str = "text"
    proactive: bool = False


def queue_many(session: Session, messages: list[Queued]) -> set[str]:
    """Queue many messages in one statement, each once per dedupe key; return the new keys.

    Raises ValueError for an unknown kind or an empty text.
    """
    if not messages:
        return set()
    now = utcnow()
    rows = []
    for message in messages:
        if message.kind not in KINDS:
            raise ValueError(f"unknown outbox message kind {message.kind!r}")
        if message.kind == "text" and not message.payload.get("content"):
            raise ValueError("a text message needs a non-empty payload['content']")
        rows.append(
            {
                "kind": message.kind,
                "openid": message.openid,
                "payload": message.payload,
                "dedupe_key": message.dedupe_key,
                "channel": "",
                "status": OutboxStatus.PENDING,
                "proactive": message.proactive,
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": "",
                "created_at": now,
            }
        )
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(_OUTBOX)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(_OUTBOX.c.dedupe_key)
    )
    # One INSERT ... VALUES (...), (...) ... RETURNING (SQLAlchemy's "insertmanyvalues").
    return set(session.execute(statement, rows).scalars())


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
    settings: Settings | None = None,
    bucket: TokenBucket | None = None,
    record: MessageRecord | None = None,
) -> DeliveryReport:
    """Send the messages that are due, choosing each one's channel, and record every outcome.

    Rows a dead sender left "sending" are first checked against WeChat's message ``record``
    (when given). Rows are then claimed in one statement (PostgreSQL skips rows another
    sender holds), sent without a transaction open (``settings.workers`` at a time, paced by
    ``bucket``), and each outcome is written in its own short transaction.
    """
    now = now or utcnow()
    settings = settings or Settings()
    bucket = bucket or TokenBucket(settings.rate_per_second, settings.burst)
    report = DeliveryReport()
    if record is not None:
        confirm_sent_by_record(session_factory, record, now)
    claimed = _claim_due(session_factory, now, limit, settings)
    jobs = _prepare(session_factory, claimed, now)

    # Each thread takes the next message as soon as it is free (no thread waits for another's
    # batch) and records its outcomes RECORD_CHUNK at a time, in one transaction each.
    waiting = deque(jobs)
    taking = threading.Lock()
    outcomes: list[DeliveryOutcome] = []

    def work() -> None:
        done: list[tuple[DeliveryOutcome, int, datetime | None]] = []
        while True:
            with taking:
                job = waiting.popleft() if waiting else None
            if job is None:
                break
            done.append(_deliver_job(client, job, max_attempts, bucket))
            if len(done) >= RECORD_CHUNK or not waiting:
                recorded = _record_all(session_factory, done, now, settings.retry_base)
                with taking:
                    outcomes.extend(recorded)
                done = []

    threads = min(settings.workers, len(jobs))
    if threads <= 1:
        work()
    else:
        with ThreadPoolExecutor(threads, thread_name_prefix="outbox") as pool:
            for future in [pool.submit(work) for _ in range(threads)]:
                future.result()
    report.outcomes.extend(outcomes)
    return report


@dataclass(frozen=True)
class _Job:
    """One claimed message with what is needed to send it, read before any send."""

    message_id: int
    plan: list[Channel] | DeliveryOutcome
    seen_interaction: datetime | None
    kind: str
    openid: str
    payload: dict[str, Any]
    attempts: int


def _prepare(
    session_factory: Callable[[], Session], claimed: list[int], now: datetime
) -> list[_Job]:
    """Read the claimed messages, their recipients and quotas in three queries; plan each."""
    if not claimed:
        return []
    with session_factory() as session, session.begin():
        messages = list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.id.in_(claimed))
                .order_by(OutboxMessage.id)
            )
        )
        openids = {m.openid for m in messages if m.openid}
        recipients = {
            t.openid: t for t in session.scalars(select(Talent).where(Talent.openid.in_(openids)))
        }
        used = _customer_service_used(session, recipients, now)
        jobs = []
        for message in messages:
            talent = recipients.get(message.openid) if message.openid else None
            plan = _plan(message, talent, now, used.get(message.openid or "", 0))
            if isinstance(plan, list) and Channel.CUSTOMER_SERVICE in plan and message.openid:
                # Later messages of the same batch count this one against the quota.
                used[message.openid] = used.get(message.openid, 0) + 1
            jobs.append(
                _Job(
                    message.id,
                    plan,
                    talent.last_interaction_at if talent else None,
                    message.kind,
                    message.openid or "",
                    dict(message.payload),
                    message.attempts,
                )
            )
    return jobs


def _deliver_job(
    client: MessageSender, job: _Job, max_attempts: int, bucket: TokenBucket
) -> tuple[DeliveryOutcome, int, datetime | None]:
    """Send one planned message; return its outcome, attempts so far and the interaction seen."""
    if isinstance(job.plan, DeliveryOutcome):
        return job.plan, job.attempts, job.seen_interaction
    outcome, tries = _send(
        client, job.message_id, job.kind, job.openid, job.payload, job.plan, bucket
    )
    if outcome.status is OutboxStatus.PENDING and job.attempts + tries >= max_attempts:
        outcome = _replace(
            outcome,
            OutboxStatus.FAILED,
            f"gave up after {job.attempts + tries} attempts: {outcome.detail}",
        )
    return outcome, job.attempts + tries, job.seen_interaction


def drain(
    session_factory: Callable[[], Session],
    client: MessageSender,
    *,
    seconds: float,
    limit: int = 200,
    settings: Settings | None = None,
    bucket: TokenBucket | None = None,
    record: MessageRecord | None = None,
) -> DeliveryReport:
    """Run ``deliver_due`` round after round until nothing is due or ``seconds`` have passed.

    One bucket paces every round. Returns every round's outcomes.
    """
    settings = settings or Settings()
    bucket = bucket or TokenBucket(settings.rate_per_second, settings.burst)
    deadline = time.monotonic() + seconds
    report = DeliveryReport()
    while time.monotonic() < deadline:
        done = deliver_due(
            session_factory, client, limit=limit, settings=settings, bucket=bucket, record=record
        )
        report.outcomes.extend(done.outcomes)
        if not done.outcomes:
            break
    return report


def confirm_sent_by_record(
    session_factory: Callable[[], Session], record: MessageRecord, now: datetime
) -> int:
    """Mark as sent the abandoned "sending" rows WeChat's message record shows; return how many.

    A row is abandoned when its lease ran out (its sender died). Its text to its person in
    the record, from its claim on, means the send happened before the sender died.
    """
    with session_factory() as session, session.begin():
        rows = session.execute(
            select(
                OutboxMessage.id, OutboxMessage.openid, OutboxMessage.payload,
                OutboxMessage.claimed_at,
            ).where(
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.next_attempt_at <= now,
            )
        ).all()  # fmt: skip
    if not rows:
        return 0
    start = min((row.claimed_at or now) for row in rows) - timedelta(seconds=5)
    sent: set[tuple[str, str]] = set()
    while start < now:
        end = min(now + timedelta(seconds=5), start + RECORD_WINDOW)
        found = record.sent_customer_service_texts(start, end)
        if found is None:
            logger.warning("outbox: message record unavailable; abandoned sends will be retried")
            return 0
        sent.update(found)
        start = end
    confirmed = [
        row.id for row in rows if (row.openid or "", str(row.payload.get("content", ""))) in sent
    ]
    if confirmed:
        with session_factory() as session, session.begin():
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(confirmed), OutboxMessage.status == OutboxStatus.SENDING
                )
                .values(
                    status=OutboxStatus.SENT,
                    channel=Channel.CUSTOMER_SERVICE,
                    sent_at=now,
                    last_error="confirmed by WeChat's message record after the sender stopped",
                )
                .execution_options(synchronize_session=False)
            )
    logger.info(
        "outbox: %s abandoned sends, %s confirmed by the message record", len(rows), len(confirmed)
    )
    return len(confirmed)


class RememberedTokenStore:
    """Keep the shared access token in memory for a few seconds around a token store.

    A sender makes many calls a second; without this every call reads the token from the
    store (one database round trip each with the database store). A token WeChat rejects is
    forgotten at once and replaced through the store as usual.
    """

    def __init__(
        self, store: Any, seconds: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store = store
        self.seconds = seconds
        self._clock = clock
        self._token: str | None = None
        self._until = 0.0
        self._lock = threading.Lock()

    def get_token(self, fetch: Any) -> str:
        """Return the remembered token, or the store's (remembered from now on)."""
        with self._lock:
            if self._token is not None and self._clock() < self._until:
                return self._token
        token = str(self.store.get_token(fetch))
        with self._lock:
            self._token, self._until = token, self._clock() + self.seconds
        return token

    def replace_rejected(self, rejected: str, fetch: Any) -> str:
        """Forget the rejected token and let the store replace it."""
        with self._lock:
            self._token = None
        return str(self.store.replace_rejected(rejected, fetch))

    def close(self) -> None:
        """Close the underlying store when it has something to close."""
        close = getattr(self.store, "close", None)
        if callable(close):
            close()


def remember_token(client: Any, seconds: float = 30.0) -> Any:
    """Give ``client`` (a ``HuaiCaiWeChatClient``) a remembered token store; return it."""
    if not isinstance(client.store, RememberedTokenStore):
        client.store = RememberedTokenStore(client.store, seconds)
    return client


class CustomerServiceRecord:
    """WeChat's customer-service message record (``customservice/msgrecord/getmsglist``).

    ``client`` is a ``bot.wechat.client.HuaiCaiWeChatClient``.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        base = str(client.API_BASE_URL).rstrip("/").removesuffix("cgi-bin").rstrip("/")
        self.url = f"{base}/customservice/msgrecord/getmsglist"

    def sent_customer_service_texts(
        self, start: datetime, end: datetime
    ) -> list[tuple[str, str]] | None:
        """Return (openid, text) of the texts sent between ``start`` and ``end`` (None: failed)."""
        found: list[tuple[str, str]] = []
        msgid = 1
        while True:
            outcome = self.client.call(
                "post",
                self.url,
                {
                    "starttime": int(start.timestamp()),
                    "endtime": int(end.timestamp()) + 1,
                    "msgid": msgid,
                    "number": RECORD_PAGE,
                },
            )
            if not outcome.ok or outcome.result is None:
                logger.warning("outbox: message record: %s", outcome.describe())
                return None
            records = outcome.result.get("recordlist") or []
            found.extend(
                (str(r.get("openid", "")), str(r.get("text", "")))
                for r in records
                if int(r.get("opercode", 0)) == 2002
            )
            if len(records) < RECORD_PAGE:
                return found
            msgid = int(outcome.result.get("msgid", msgid + len(records)))


def _claim_due(
    session_factory: Callable[[], Session],
    now: datetime,
    limit: int,
    settings: Settings | None = None,
) -> list[int]:
    settings = settings or Settings()
    # "sending" rows whose lease ran out belong to a sender that died; they are due again.
    conditions = [
        OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        OutboxMessage.next_attempt_at <= now,
    ]
    if settings.is_quiet(now):
        conditions.append(OutboxMessage.proactive.is_(False))
    due = (
        select(OutboxMessage.id)
        .where(*conditions)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    # One UPDATE ... RETURNING: on SQLite the write lock is taken before anything is read.
    claim = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(status=OutboxStatus.SENDING, next_attempt_at=now + settings.lease, claimed_at=now)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    with session_factory() as session, session.begin():
        return sorted(session.scalars(claim).all())


def _recipient(session: Session, openid: str | None) -> Talent | None:
    if not openid:
        return None
    return session.scalars(select(Talent).where(Talent.openid == openid)).first()


def _customer_service_used(
    session: Session, recipients: dict[str | None, Talent], now: datetime
) -> dict[str, int]:
    """Return per openid the customer-service messages sent since the person last wrote."""
    since = {
        openid: talent.last_interaction_at
        for openid, talent in recipients.items()
        if openid
        and talent.last_interaction_at is not None
        and now - talent.last_interaction_at < CUSTOMER_SERVICE_WINDOW
    }
    if not since:
        return {}
    rows = session.execute(
        select(OutboxMessage.openid, OutboxMessage.sent_at).where(
            OutboxMessage.openid.in_(list(since)),
            OutboxMessage.status == OutboxStatus.SENT,
            OutboxMessage.channel == Channel.CUSTOMER_SERVICE,
            OutboxMessage.sent_at >= min(since.values()),
        )
    ).all()
    used: dict[str, int] = {}
    for openid, sent_at in rows:
        if openid and sent_at is not None and sent_at >= since[openid]:
            used[openid] = used.get(openid, 0) + 1
    return used


def _plan(
    message: OutboxMessage, talent: Talent | None, now: datetime, customer_service_used: int
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
    in_window = talent is None or (last is not None and now - last < CUSTOMER_SERVICE_WINDOW)
    # Our own count of the quota saves a call bound to fail; WeChat's 45047 stays the final word.
    quota_used = in_window and last is not None and customer_service_used >= CUSTOMER_SERVICE_QUOTA
    if in_window and not quota_used:
        channels.append(Channel.CUSTOMER_SERVICE)
    # WeChat refuses (43101) a subscribe message the person did not subscribe to.
    if _template_spec(message.payload, "subscribe"):
        channels.append(Channel.SUBSCRIBE)
    if _template_spec(message.payload, "template"):
        channels.append(Channel.TEMPLATE)
    if not channels and quota_used:
        return decided(
            OutboxStatus.DEFERRED,
            f"deferred: customer-service quota used ({CUSTOMER_SERVICE_QUOTA} messages since the "
            "person last wrote) and no template or subscribe message allowed; waits for the "
            "person's next message",
        )
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
    bucket: TokenBucket | None = None,
) -> tuple[DeliveryOutcome, int]:
    """Try the channels in order until one takes the message; return outcome and sends made."""
    tried: list[str] = []
    for channel in channels:
        if bucket is not None:
            bucket.acquire()
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


def retry_delay(attempts: int, base: timedelta = RETRY_BASE_DELAY) -> timedelta:
    """Return how long to wait before the next try after ``attempts`` failed ones."""
    return min(RETRY_MAX_DELAY, base * 2 ** max(0, attempts - 1))


def _record(
    session_factory: Callable[[], Session],
    outcome: DeliveryOutcome,
    attempts: int,
    now: datetime,
    seen_interaction: datetime | None,
    retry_base: timedelta = RETRY_BASE_DELAY,
) -> DeliveryOutcome:
    """Write the outcome on the row and return it (possibly turned back into pending)."""
    return _record_all(session_factory, [(outcome, attempts, seen_interaction)], now, retry_base)[0]


def _record_all(
    session_factory: Callable[[], Session],
    items: list[tuple[DeliveryOutcome, int, datetime | None]],
    now: datetime,
    retry_base: timedelta = RETRY_BASE_DELAY,
) -> list[DeliveryOutcome]:
    """Write several outcomes in one transaction (one commit); return them as recorded.

    A crash before the commit leaves the rows "sending": the next sender confirms them from
    WeChat's message record (see the module docstring).
    """
    recorded = []
    with session_factory() as session, session.begin():
        for outcome, attempts, seen_interaction in items:
            recorded.append(
                _write_outcome(session, outcome, attempts, now, seen_interaction, retry_base)
            )
    for outcome in recorded:
        log = logger.info if outcome.status is not OutboxStatus.FAILED else logger.warning
        log("outbox: message %s %s %s", outcome.message_id, outcome.status, outcome.detail)
    return recorded


def _write_outcome(
    session: Session,
    outcome: DeliveryOutcome,
    attempts: int,
    now: datetime,
    seen_interaction: datetime | None,
    retry_base: timedelta,
) -> DeliveryOutcome:
    pending = outcome.status is OutboxStatus.PENDING
    next_attempt_at = now + retry_delay(attempts, retry_base) if pending else now
    statement = update(OutboxMessage).where(OutboxMessage.id == outcome.message_id)
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
    if outcome.detail.startswith("not following"):
        # WeChat says the person unfollowed (43004): nothing more is sent to them.
        openid = session.scalars(
            select(OutboxMessage.openid).where(OutboxMessage.id == outcome.message_id)
        ).one()
        session.execute(
            update(Talent)
            .where(Talent.openid == openid)
            .values(is_following=False)
            .execution_options(synchronize_session=False)
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
