"""Handle each WeChat delivery once: claim its key, run the dialog, keep the reply for retries.

WeChat retries a callback it got no answer to within 5 s, and two copies may reach two workers
at the same moment. Each delivery is claimed by inserting its ``inbound_messages`` row under the
unique key; the dialog step, the cached reply and any queued messages commit in that same
transaction, so either all of it happened once or none of it did. A second copy's INSERT waits
on the uncommitted key (PostgreSQL row lock, SQLite's single writer) and then finds the row.

The person's dialog state is read in the claim's round trip and rides in the dialog's context;
the state the dialog leaves is written once, in the same transaction (``converse``).

The handler runs in a worker thread with its own session. The request waits at most the reply
budget; past it the request answers ``success`` and the worker's reply goes out later as a
customer-service message through the outbox.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import (
    Executable,
    Insert,
    Table,
    bindparam,
    delete,
    func,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot import direct
from bot.config import Config
from bot.db import utcnow
from bot.deadlines import Deadlines, Watch
from bot.dispatch import Context, Incoming, Registry
from bot.models import InboundMessage, Talent
from bot.services import dialog_states, event_messages, outbox, replay_guard, spool, talents
from bot.services.dialog_states import FlowState
from bot.services.replay_guard import SignedPair, Verdict

if TYPE_CHECKING:
    # Only named in annotations: the floor benchmark imports this module without matching.
    from bot.services.talent_search import TalentIndexCache

logger = logging.getLogger(__name__)

# Retries of a transaction the database refused: the first pause, its cap, and how long before
# the reply budget ends the delivery is spooled instead.
FIRST_RETRY_PAUSE_SECONDS = 0.05
MAX_RETRY_PAUSE_SECONDS = 0.8
RETRY_MARGIN_SECONDS = 0.5
# After a delivery had to be kept outside the database, how long the next ones skip the retries.
AWAY_SECONDS = 2.0

PROCESSING = "processing"
HANDLED = "handled"  # the reply went back as the passive reply (and is cached for retries)
QUEUED = "queued"  # the reply was late and went to the outbox; retries get "success"

INBOUND = cast(Table, InboundMessage.__table__)
MAX_KEY_LENGTH = 160  # inbound_messages.dedup_key
# WeChat fails a passive text reply longer than this ("该公众号提供的服务出现故障").
MAX_REPLY_BYTES = 2048
# Ends a passive reply whose rest follows as customer-service messages.
CONTINUED = "\n（未完，接下一条）"
# Events after which WeChat opens the 48-hour customer-service window, besides messages.
WINDOW_EVENTS = frozenset({"subscribe", "SCAN", "CLICK"})


@dataclass(frozen=True)
class Result:
    """What became of one delivery and the passive reply to give (None: answer ``success``)."""

    reply: str | None
    # handled, repeat, replay, queued (a late reply went to the outbox), spooled, or late: the
    # request stopped waiting for its reply thread, which still holds the delivery.
    outcome: str

    @property
    def is_repeat(self) -> bool:
        return self.outcome == "repeat"


@dataclass
class Delivery:
    """The hand-over between a waiting request and its worker, decided once under a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    abandoned: bool = False
    taken: bool = False
    # Handled in the request thread: past this moment (monotonic s) the reply is not promised.
    deadline: float | None = None

    def give_up(self) -> bool:
        """Stop waiting unless the worker already promised its reply; return whether we did."""
        with self.lock:
            if self.taken:
                return False
            self.abandoned = True
            return True

    def take(self) -> bool:
        """Promise the reply to the waiting request; False when it has already given up."""
        with self.lock:
            if self.deadline is not None and time.monotonic() > self.deadline:
                self.abandoned = True
            if self.abandoned:
                return False
            self.taken = True
            return True


def delivery_key(message: Incoming) -> str:
    """Return the stored de-duplication key (hashed when WeChat's identity is too long)."""
    key = message.dedup_key
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def opens_window(message: Incoming) -> bool:
    """Return whether the message is one after which WeChat lets us write to the person."""
    return message.kind != "event" or message.event in WINDOW_EVENTS


def _claim_statement(insert: Callable[..., Any]) -> Insert:
    # ON CONFLICT DO NOTHING waits for a concurrent claim of the same key to end, and keeps the
    # transaction usable (an IntegrityError would abort it on PostgreSQL). Built once with bound
    # parameters, on the table rather than the entity: per message, building the statement and
    # the ORM's bulk path cost more than the round trip.
    return (
        insert(INBOUND)
        .values(
            dedup_key=bindparam("delivery_key"),
            openid=bindparam("person"),
            msg_type=bindparam("message_kind"),
            status=PROCESSING,
            received_at=bindparam("at"),
        )
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(INBOUND.c.id)
    )


CLAIM = {
    "postgresql": _claim_statement(postgresql_insert),
    "sqlite": _claim_statement(sqlite_insert),
}
FINISH = (
    update(INBOUND)
    .where(INBOUND.c.id == bindparam("row_id"))
    .values(status=bindparam("status"), reply=bindparam("reply"), handled_at=bindparam("at"))
)


def _claim_if_postgresql(condition: Any) -> Insert:
    """The claim, inserting only when ``condition`` holds (the signed pair was new)."""
    source = select(
        bindparam("delivery_key", type_=INBOUND.c.dedup_key.type),
        bindparam("person", type_=INBOUND.c.openid.type),
        bindparam("message_kind", type_=INBOUND.c.msg_type.type),
        literal(PROCESSING, INBOUND.c.status.type),
        bindparam("at", type_=INBOUND.c.received_at.type),
    ).where(condition)
    return (
        postgresql_insert(INBOUND)
        .from_select(["dedup_key", "openid", "msg_type", "status", "received_at"], source)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(INBOUND.c.id)
    )


def _open_statement_postgresql(opens_window: bool, binds_pair: bool) -> Executable:
    # One round trip instead of five: bind the signed pair to its body (when the database keeps
    # the pairs), claim the key (only for a new pair: a replay claims nothing), and only if the
    # claim succeeded touch the person's last interaction and release their deferred messages;
    # read their dialog state and whether they are registered. Data-modifying CTEs run once
    # whether or not they are read; they are referred to anyway because SQLAlchemy renders only
    # the CTEs a statement refers to.
    columns: list[Any] = []
    if binds_pair:
        pair = replay_guard.PAIR_INSERT.cte("pair")
        claim = _claim_if_postgresql(select(pair.c.nonce).exists()).cte("claim")
        columns.append(select(pair.c.nonce).scalar_subquery().label("pair_bound"))
    else:
        claim = CLAIM["postgresql"].cte("claim")
    states = dialog_states.STATE.subquery("state")
    columns += [
        select(claim.c.id).scalar_subquery().label("row_id"),
        *(
            select(states.c[name]).scalar_subquery().label(f"state_{name}")
            for name in dialog_states.STATE_COLUMNS
        ),
    ]
    if opens_window:
        claimed = select(claim.c.id).exists()
        touch = talents.TOUCH_INTERACTION.where(claimed).returning(talents.TALENT_ID_COLUMN)
        release = (
            outbox.RELEASE_DEFERRED.where(claimed).returning(literal_column("1")).cte("release")
        )
        columns += [
            select(touch.cte("touch").c.id).scalar_subquery().label("talent_id"),
            select(func.count()).select_from(release).scalar_subquery().label("released"),
        ]
    else:
        columns.append(talents.TALENT_ID.scalar_subquery().label("talent_id"))
    return select(*columns)


OPEN_POSTGRESQL = {
    (window, pair): _open_statement_postgresql(window, pair)
    for window in (False, True)
    for pair in (False, True)
}


@dataclass(frozen=True)
class Opened:
    """A delivery's claim: its row (None when another delivery holds the key, or when the signed
    pair was bound before) and the person's dialog state."""

    row_id: int | None
    state: FlowState | None = None
    # Deferred outbox messages put back in the queue by this message (the reply says so).
    released: int = 0
    # The person's talent id as of the claim (None: not registered).
    talent_id: int | None = None
    # RETRY or REPLAY when the signed pair was bound before this delivery.
    verdict: Verdict = Verdict.FIRST


def _open(
    session: Session, key: str, message: Incoming, now: datetime, pair: SignedPair | None = None
) -> Opened:
    """Bind the signed pair, claim the delivery's key and, when claimed, note the interaction.

    A message (not every event) opens WeChat's 48-hour window: the person's last interaction
    moves and their deferred messages go back in the queue. Also reads their dialog state and
    whether they are registered.
    """
    # No parameter is named like a column: an UPDATE would take it as a value to set.
    parameters: dict[str, Any] = {
        "delivery_key": key,
        "person": message.openid,
        "message_kind": (message.event or message.kind)[:32],
        "at": now,
    }
    window = opens_window(message)
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        if pair is not None:
            parameters |= replay_guard.pair_parameters(pair)
        # The statements every message runs skip SQLAlchemy's execution layer (``bot.direct``).
        opening = OPEN_POSTGRESQL[(window, pair is not None)]
        row = direct.compiled_for(dialect, opening).run(session, parameters)
        assert row is not None  # noqa: S101 - a SELECT of scalar subqueries: always one row
        if pair is not None and row.pair_bound is None:
            return Opened(None, verdict=replay_guard.stored_verdict(session, pair))
        if window:
            outbox.log_released(message.openid, row.released)
        state = dialog_states.from_row(
            *(getattr(row, f"state_{name}") for name in dialog_states.STATE_COLUMNS)
        )
        released = int(row.released or 0) if window else 0
        return Opened(row.row_id, state, released, row.talent_id)
    if pair is not None:
        verdict = replay_guard.bind_pair(session, pair)
        if verdict is not Verdict.FIRST:
            return Opened(None, verdict=verdict)
    row_id = session.execute(CLAIM[dialect.name], parameters).scalar()
    if row_id is None:
        return Opened(None)
    released = 0
    if window:
        talents.touch_interaction(session, message.openid, now)
        released = outbox.release_deferred(session, message.openid)
    state = dialog_states.load(session, message.openid)
    talent_id = session.scalar(talents.TALENT_ID, {"person": message.openid})
    return Opened(row_id, state, released, talent_id)


def purge_before(session: Session, cutoff: datetime) -> int:
    """Forget the deliveries received before ``cutoff``; return how many were deleted."""
    result = session.execute(delete(InboundMessage).where(InboundMessage.received_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def find(session: Session, key: str) -> InboundMessage | None:
    """Return the delivery stored under ``key``, if any."""
    return session.scalars(select(InboundMessage).where(InboundMessage.dedup_key == key)).first()


def converse(
    session: Session,
    config: Config,
    registry: Registry,
    message: Incoming,
    *,
    now: datetime,
    state: FlowState | None,
    talent_index: TalentIndexCache | None = None,
) -> tuple[str | None, Context]:
    """Run the handler for ``message`` and store the dialog state it leaves (once).

    ``state`` is the person's dialog state as read when the delivery was claimed. Returns the
    passive reply (None: nothing to say) and the context, whose ``followups`` are the messages
    to queue.
    """
    ctx = Context(
        session=session,
        message=message,
        config=config,
        now=now,
        state=state,
        talent_index=talent_index,
    )
    reply = registry.dispatch(ctx) or None
    dialog_states.save(session, message.openid, state, ctx.state)
    if reply is not None and len(reply.encode("utf-8")) > MAX_REPLY_BYTES:
        # Whatever a dialog says, the passive reply fits; the rest follows through the outbox.
        parts = split_text(reply, MAX_REPLY_BYTES - len(CONTINUED.encode("utf-8")))
        logger.info("inbound: a %d-part reply", len(parts))
        reply = parts[0] + CONTINUED
        ctx.followups[:0] = parts[1:]
    ctx.followups[:] = [
        part for text in ctx.followups for part in split_text(text, MAX_REPLY_BYTES)
    ]
    return reply, ctx


def split_text(text: str, max_bytes: int) -> list[str]:
    """Split ``text`` into parts of at most ``max_bytes`` UTF-8 bytes, at line ends if possible."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line.encode("utf-8")) > max_bytes:
            cut = len(line.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore"))
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if current and len(candidate.encode("utf-8")) > max_bytes:
            parts.append(current)
            candidate = line
        current = candidate
    if current or not parts:
        parts.append(current)
    return parts


@contextmanager
def _in_transaction(session_factory: Callable[[], Session]) -> Iterator[Session]:
    with session_factory() as session, session.begin():
        yield session


def process(
    session_factory: Callable[[], Session],
    config: Config,
    message: Incoming,
    *,
    registry: Registry,
    delivery: Delivery | None = None,
    talent_index: TalentIndexCache | None = None,
    pair: SignedPair | None = None,
    transaction: Callable[[], AbstractContextManager[Session]] | None = None,
) -> Result:
    """Handle one delivery in one transaction and return the reply to give now.

    ``pair``: the signed query string's pair, bound to the body in this transaction (a pair
    bound before with another body makes the outcome ``replay``: nothing is handled).
    ``transaction``: yields a session in a transaction it commits (the reply threads pass
    ``Database.held_transaction``); by default a session of ``session_factory``.
    """
    key = delivery_key(message)
    begin = transaction or (lambda: _in_transaction(session_factory))
    with begin() as session:
        now = utcnow()
        opened = _open(session, key, message, now, pair)
        row_id = opened.row_id
        if opened.verdict is Verdict.REPLAY:
            return Result(None, "replay")
        if row_id is None:
            row = find(session, key)
            cached = row.reply if row is not None and row.status == HANDLED else None
            logger.info("inbound: %s repeated (%s)", key, row.status if row else "gone")
            return Result(cached, "repeat")
        # The person's registration as of the claim: the dialogs' lookups start from it.
        talents.remember_talent_id(session, message.openid, opened.talent_id)
        reply, ctx = converse(
            session,
            config,
            registry,
            message,
            now=now,
            state=opened.state,
            talent_index=talent_index,
        )
        if opened.released and reply:
            notice = f"{reply}\n\n{event_messages.deferred_notice(opened.released)}"
            reply = notice if len(notice.encode("utf-8")) <= MAX_REPLY_BYTES else reply
        late = delivery is not None and not delivery.take()
        status = HANDLED
        if late and reply:
            outbox.enqueue(
                session,
                kind="text",
                openid=message.openid,
                payload={"content": reply},
                dedupe_key=f"reply:{key}",
            )
            status = QUEUED
        # Queued in the claim's transaction: they exist exactly when the reply does, and the
        # sender only sees them after the commit.
        for number, text in enumerate(ctx.followups):
            if text.strip():
                outbox.enqueue(
                    session,
                    kind="text",
                    openid=message.openid,
                    payload={"content": text},
                    dedupe_key=f"followup:{key}:{number}",
                )
        direct.execute(
            session, FINISH, {"row_id": row_id, "status": status, "reply": reply, "at": utcnow()}
        )
    # No openid here: the delivery key leads to it in the database for whoever may look.
    logger.info("inbound: %s %s", key, status)
    if late:
        # Stored either way; "late" is kept for a request that stopped waiting (``respond``).
        return Result(None, "queued" if reply else "handled")
    return Result(reply, "handled")


class Responder:
    """Run deliveries in worker threads and wait for each one at most the reply budget."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        config: Config,
        registry: Registry,
        *,
        max_workers: int = 8,
        talent_index: TalentIndexCache | None = None,
        transaction: Callable[[], AbstractContextManager[Session]] | None = None,
        deadlines: Deadlines | None = None,
    ) -> None:
        self.session_factory = session_factory
        # How a reply thread opens a delivery's transaction (see ``process``).
        self.transaction = transaction
        self.config = config
        self.registry = registry
        self.talent_index = talent_index
        self.budget = config.wechat.reply_budget_seconds
        # Where a delivery goes when the database stays unreachable for the whole budget (the
        # callback sets the spool's keep); None: the failure is raised as before.
        self.keep: Callable[[Incoming], object] | None = None
        # How a signed pair is checked while the database is away (the callback sets the replay
        # guard's local store); None: it is not checked then.
        self.check_locally: Callable[[SignedPair], Verdict] | None = None
        # While the database is known to be away, each delivery tries once and is kept at once
        # (no back-off), so requests do not queue up behind each other's retries.
        self._away_until = 0.0
        # Threads start on first use, so a forking server (gunicorn) creates them per worker.
        self.executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="inbound")
        # Given (PostgreSQL): deliveries run in the request thread, and a statement still
        # running near the budget's end is cancelled (``bot.deadlines``).
        self.deadlines = deadlines

    def respond(self, message: Incoming, pair: SignedPair | None = None) -> Result:
        """Handle ``message``; past the budget return at once and let the worker finish.

        ``pair``: the request's signed pair, bound in the delivery's transaction (see
        ``process``). With ``deadlines`` given, the delivery runs in the calling thread
        instead: see ``respond_here``.
        """
        if self.deadlines is not None:
            return self.respond_here(message, pair)
        delivery = Delivery()
        # In the request's context, so the worker's log lines carry its request id.
        run = contextvars.copy_context().run
        future = self.executor.submit(run, self._work, message, delivery, pair)
        try:
            return future.result(timeout=self.budget)
        except FutureTimeout:
            if delivery.give_up():
                logger.warning(
                    "inbound: %s not done within %.2f s; its reply will be sent later",
                    delivery_key(message),
                    self.budget,
                )
                return Result(None, "late")
            return future.result()  # the worker promised its reply and is committing it

    def respond_here(self, message: Incoming, pair: SignedPair | None = None) -> Result:
        """Handle ``message`` in the calling thread, within the budget where the database is why.

        A worker thread per delivery costs two thread switches (about 0.2 ms of CPU per message
        on a quiet machine, docs/measurements.md). Here nothing switches, and what the thread
        waits for is bounded instead: a statement still running ``RETRY_MARGIN_SECONDS`` before
        the budget ends is cancelled (lock waits, a server that stopped answering) and the
        delivery kept in the spool, so WeChat gets its answer in time. Handler code slow on its
        own is not interrupted: past the budget its reply goes to the outbox instead
        (``Delivery``), and WeChat's retry meanwhile is answered when its own wait is cancelled.
        """
        started = time.monotonic()
        delivery = Delivery(deadline=started + self.budget)
        assert self.deadlines is not None  # noqa: S101 - only called when set
        with self.deadlines.watch(started + max(0.0, self.budget - RETRY_MARGIN_SECONDS)) as watch:
            result = self._work(message, delivery, pair, watch)
        spent = time.monotonic() - started
        if spent > self.budget:
            logger.warning(
                "inbound: %s took %.2f s, past the %.2f s budget (%s)",
                delivery_key(message),
                spent,
                self.budget,
                result.outcome,
            )
        return result

    def _work(
        self,
        message: Incoming,
        delivery: Delivery,
        pair: SignedPair | None = None,
        watch: Watch | None = None,
    ) -> Result:
        try:
            return self._process_or_keep(message, delivery, pair, watch)
        except Exception:
            # Logged here because nobody reads the future once the request has given up.
            logger.exception("inbound: handling %s failed", delivery_key(message))
            raise

    def _process_or_keep(
        self,
        message: Incoming,
        delivery: Delivery,
        pair: SignedPair | None = None,
        watch: Watch | None = None,
    ) -> Result:
        # A database that does not answer (restart, failover, network) is retried with back-off
        # within the reply budget; nothing was committed by a failed attempt. Past that the
        # delivery is kept outside the database and handled once it is back.
        now = time.monotonic()
        away = now < self._away_until
        deadline = now if away else now + max(0.0, self.budget - RETRY_MARGIN_SECONDS)
        pause = FIRST_RETRY_PAUSE_SECONDS
        while True:
            try:
                result = self._process(message, delivery, pair)
                self._away_until = 0.0
                return result
            except Exception as exc:
                if not spool.database_unreachable(exc):
                    raise
                stopped = watch is not None and watch.cancelled
                if stopped or time.monotonic() + pause > deadline:
                    if self.keep is None:
                        raise
                    if pair is not None and self.check_locally is not None:
                        # The database cannot say whether the pair was bound: this machine can.
                        if self.check_locally(pair) is Verdict.REPLAY:
                            return Result(None, "replay")
                    self.keep(message)
                    if stopped:
                        # Our own deadline stopped a statement that waited (a lock, a slow
                        # server): the database is not taken for away.
                        logger.warning(
                            "inbound: %s stopped at its deadline (%s); kept in the spool",
                            delivery_key(message),
                            spool.cause(exc),
                        )
                        return Result(None, "spooled")
                    self._away_until = time.monotonic() + AWAY_SECONDS
                    logger.warning(
                        "inbound: database unreachable (%s); %s kept in the spool",
                        spool.cause(exc),
                        delivery_key(message),
                    )
                    return Result(None, "spooled")
                logger.warning(
                    "inbound: database unreachable (%s) handling %s; retrying in %.2f s",
                    spool.cause(exc),
                    delivery_key(message),
                    pause,
                )
                time.sleep(pause)
                pause = min(pause * 2, MAX_RETRY_PAUSE_SECONDS)

    def _process(
        self, message: Incoming, delivery: Delivery, pair: SignedPair | None = None
    ) -> Result:
        return process(
            self.session_factory,
            self.config,
            message,
            registry=self.registry,
            delivery=delivery,
            talent_index=self.talent_index,
            pair=pair,
            transaction=self.transaction,
        )

    def close(self) -> None:
        """Wait for running deliveries and stop the threads."""
        self.executor.shutdown(wait=True)


def record_follow(session: Session, openid: str) -> Talent | None:
    """Mark a registered person as following again; return their record (None: not registered)."""
    talent = talents.get_talent_by_openid(session, openid)
    if talent is not None:
        talent.is_following = True
    return talent


def record_unsubscribe(session: Session, openid: str) -> bool:
    """Mark the person as no longer following (nothing more is sent); return whether known."""
    talent = talents.get_talent_by_openid(session, openid)
    if talent is None:
        return False
    talent.is_following = False
    return True
