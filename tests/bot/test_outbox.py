"""The outbox: idempotent queueing, channel choice, recorded outcomes, deferral and release."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.config import load_config
from bot.db import Database, utcnow
from bot.jobs import JOBS, run_job
from bot.models import OutboxMessage, OutboxStatus, Talent
from bot.services import outbox
from bot.wechat.client import HuaiCaiWeChatClient
from bot.wechat.token_store import RedisTokenStore
from devtools.fake_wechat import FakeWeChat
from tests.wechat_fixtures import FAKE_APPID, FAKE_SECRET, REDIS_URL

SEND = "message/custom/send"
TEMPLATE = {"template_id": "T-EVENT", "data": {"thing1": {"value": "对接会"}}, "url": "https://e"}
SUBSCRIBE = {"template_id": "S-EVENT", "data": {"thing1": {"value": "对接会"}}}

SessionFactory = Callable[[], Session]


@pytest.fixture
def sessions(db_connection: Connection) -> SessionFactory:
    """Return a session factory inside the test's rolled-back transaction (for the sender)."""

    def factory() -> Session:
        return Session(
            bind=db_connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    return factory


def _person(
    session: Session,
    fake: FakeWeChat,
    openid: str,
    *,
    wrote_hours_ago: float | None = 1,
    following: bool = True,
) -> Talent:
    """Create the talent and tell the fake the same story (following, last message)."""
    # Built directly: the outbox only reads openid, is_following and last_interaction_at.
    wrote_at = None if wrote_hours_ago is None else utcnow() - timedelta(hours=wrote_hours_ago)
    talent = Talent(
        openid=openid, name="测试人", is_following=following, last_interaction_at=wrote_at
    )
    session.add(talent)
    session.flush()
    fake.set_user(openid, following=following)
    if wrote_hours_ago is not None:
        fake.interact(openid, at=fake.now() - wrote_hours_ago * 3600)
    return talent


def _text(
    session: Session, openid: str, key: str, content: str = "您好", **extra: Any
) -> OutboxMessage:
    payload: dict[str, Any] = {"content": content, **extra}
    message = outbox.enqueue(session, kind="text", openid=openid, payload=payload, dedupe_key=key)
    session.commit()
    return message


def _reload(session: Session, message: OutboxMessage) -> OutboxMessage:
    session.expire_all()
    return session.get(OutboxMessage, message.id)  # type: ignore[return-value]


def test_enqueue_twice_with_the_same_key_keeps_one_message(db_session: Session) -> None:
    first = outbox.enqueue(
        db_session, kind="text", openid="o-1", payload={"content": "a"}, dedupe_key="reply:1"
    )
    second = outbox.enqueue(
        db_session, kind="text", openid="o-1", payload={"content": "b"}, dedupe_key="reply:1"
    )
    assert first.id == second.id
    assert second.payload == {"content": "a"}
    assert first.status is OutboxStatus.PENDING
    count = db_session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dedupe_key == "reply:1")
    )
    assert count == 1


def test_concurrent_enqueues_of_one_key_make_one_message(committed_database: Database) -> None:
    barrier = threading.Barrier(4)
    ids: list[int] = []
    errors: list[BaseException] = []

    def enqueue_once() -> None:
        try:
            barrier.wait(timeout=10)
            with committed_database.transaction() as session:
                message = outbox.enqueue(
                    session, kind="text", openid="o-1", payload={"content": "x"}, dedupe_key="same"
                )
                ids.append(message.id)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=enqueue_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(ids) == 4 and len(set(ids)) == 1
    with committed_database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_text_inside_the_window_goes_by_customer_service(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    _person(db_session, fake_wechat, "o-1", wrote_hours_ago=2)
    message = _text(db_session, "o-1", "k1", "报名成功")
    report = outbox.deliver_due(sessions, wechat_client)
    assert [(o.status, o.channel) for o in report.outcomes] == [
        (OutboxStatus.SENT, "customer_service")
    ]
    row = _reload(db_session, message)
    assert (row.status, row.channel, row.attempts, row.last_error) == (
        OutboxStatus.SENT,
        "customer_service",
        1,
        "",
    )
    assert row.sent_at is not None
    [call] = fake_wechat.calls(SEND)
    assert call.body["text"]["content"] == "报名成功"
    # Sent messages are not picked again.
    assert outbox.deliver_due(sessions, wechat_client).outcomes == []


def test_outside_the_window_a_template_is_used_when_the_payload_allows(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    _person(db_session, fake_wechat, "o-1", wrote_hours_ago=72)
    message = _text(db_session, "o-1", "k1", template=TEMPLATE)
    outbox.deliver_due(sessions, wechat_client)
    row = _reload(db_session, message)
    assert (row.status, row.channel) == (OutboxStatus.SENT, "template")
    assert fake_wechat.calls(SEND) == []
    assert fake_wechat.calls("message/template/send")[0].body["template_id"] == "T-EVENT"


def test_outside_the_window_without_alternatives_waits_and_is_released_on_the_next_message(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    talent = _person(db_session, fake_wechat, "o-1", wrote_hours_ago=72)
    message = _text(db_session, "o-1", "k1")
    outbox.deliver_due(sessions, wechat_client)
    row = _reload(db_session, message)
    assert row.status is OutboxStatus.DEFERRED
    assert "48 h" in row.last_error
    assert row.attempts == 0
    assert fake_wechat.calls(SEND) == []
    # Deferred messages are not retried by time alone.
    later = utcnow() + timedelta(days=3)
    assert outbox.deliver_due(sessions, wechat_client, now=later).outcomes == []

    # The person writes again: the callback side notes it and releases the queue.
    talent.last_interaction_at = utcnow()
    fake_wechat.interact("o-1")
    assert outbox.release_deferred(db_session, "o-1") == 1
    db_session.commit()
    outbox.deliver_due(sessions, wechat_client)
    row = _reload(db_session, message)
    assert (row.status, row.channel) == (OutboxStatus.SENT, "customer_service")


def test_window_closed_at_wechat_is_recorded_and_deferred(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    _person(db_session, fake_wechat, "o-1", wrote_hours_ago=1)
    fake_wechat.set_user("o-1")  # WeChat has no recent message from the person: 45015
    message = _text(db_session, "o-1", "k1")
    outbox.deliver_due(sessions, wechat_client)
    row = _reload(db_session, message)
    assert (row.status, row.channel, row.attempts) == (
        OutboxStatus.DEFERRED,
        "customer_service",
        1,
    )
    assert "45015" in row.last_error


def test_closed_customer_service_window_falls_back_to_subscribe(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    _person(db_session, fake_wechat, "o-1", wrote_hours_ago=1)
    fake_wechat.set_user("o-1", subscriptions={"S-EVENT": 1})
    message = _text(db_session, "o-1", "k1", subscribe=SUBSCRIBE)
    outbox.deliver_due(sessions, wechat_client)
    row = _reload(db_session, message)
    assert (row.status, row.channel, row.attempts) == (OutboxStatus.SENT, "subscribe", 2)
    assert [c.errcode for c in fake_wechat.calls()[1:]] == [45015, 0]


def test_refused_subscribe_message_is_deferred(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    _person(db_session, fake_wechat, "o-1", wrote_hours_ago=72)
    message = _text(db_session, "o-1", "k1", subscribe=SUBSCRIBE)
    outbox.deliver_due(sessions, wechat_client)
    row = _reload(db_session, message)
    assert (row.status, row.channel) == (OutboxStatus.DEFERRED, "subscribe")
    assert "43101" in row.last_error


def test_customer_service_quota_is_recorded_and_deferred(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    _person(db_session, fake_wechat, "o-1", wrote_hours_ago=1)
    messages = [_text(db_session, "o-1", f"k{n}", f"第{n}条") for n in range(6)]
    report = outbox.deliver_due(sessions, wechat_client)
    assert report.count(OutboxStatus.SENT) == 5
    assert report.count(OutboxStatus.DEFERRED) == 1
    last = _reload(db_session, messages[-1])
    assert last.status is OutboxStatus.DEFERRED
    assert "quota" in last.last_error
    # The sixth is not even tried: our own count knows the quota is used.
    assert len(fake_wechat.calls(SEND)) == 5


def test_customer_service_quota_wechat_reports_is_recorded_and_deferred(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    _person(db_session, fake_wechat, "o-1", wrote_hours_ago=1)
    message = _text(db_session, "o-1", "k", "您好")
    fake_wechat.inject(45047, path=SEND)
    report = outbox.deliver_due(sessions, wechat_client)
    assert report.count(OutboxStatus.DEFERRED) == 1
    assert "45047" in _reload(db_session, message).last_error


def test_wechat_saying_not_following_fails_the_message(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    _person(db_session, fake_wechat, "o-1", wrote_hours_ago=1)
    fake_wechat.set_user("o-1", following=False)
    message = _text(db_session, "o-1", "k1")
    outbox.deliver_due(sessions, wechat_client)
    row = _reload(db_session, message)
    assert row.status is OutboxStatus.FAILED
    assert "43004" in row.last_error


def test_person_who_unsubscribed_gets_nothing(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    _person(db_session, fake_wechat, "o-1", wrote_hours_ago=1, following=False)
    message = _text(db_session, "o-1", "k1", template=TEMPLATE, subscribe=SUBSCRIBE)
    report = outbox.deliver_due(sessions, wechat_client)
    assert report.count(OutboxStatus.FAILED) == 1
    row = _reload(db_session, message)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 0)
    assert "no longer follows" in row.last_error
    assert [call.path for call in fake_wechat.calls() if call.path != "stable_token"] == []


def test_system_busy_is_retried_later_with_growing_delays_then_given_up(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    wechat_client.max_retries = 0  # let the outbox, not the client, do the waiting here
    _person(db_session, fake_wechat, "o-1", wrote_hours_ago=1)
    fake_wechat.inject(errcode=-1, times=None, path=SEND)
    message = _text(db_session, "o-1", "k1")
    now = utcnow()
    waits: list[timedelta] = []
    for _ in range(3):
        outbox.deliver_due(sessions, wechat_client, now=now, max_attempts=3)
        row = _reload(db_session, message)
        if row.status is not OutboxStatus.PENDING:
            break
        waits.append(row.next_attempt_at - now)
        assert outbox.deliver_due(sessions, wechat_client, now=now).outcomes == []
        now = row.next_attempt_at
    assert waits == [timedelta(seconds=30), timedelta(seconds=60)]
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert row.last_error.startswith("gave up after 3 attempts")
    assert "-1 system error" in row.last_error


def test_busy_then_success_is_sent_on_the_retry(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    wechat_client.max_retries = 0
    _person(db_session, fake_wechat, "o-1", wrote_hours_ago=1)
    fake_wechat.inject(errcode=45009, times=1, path=SEND)
    message = _text(db_session, "o-1", "k1")
    outbox.deliver_due(sessions, wechat_client)
    row = _reload(db_session, message)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert "45009" in row.last_error
    outbox.deliver_due(sessions, wechat_client, now=row.next_attempt_at)
    row = _reload(db_session, message)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 2, "")


def test_enqueue_refuses_unknown_kinds_and_empty_texts(db_session: Session) -> None:
    with pytest.raises(ValueError, match="unknown outbox message kind"):
        outbox.enqueue(db_session, kind="carrier-pigeon", openid="o-1", payload={}, dedupe_key="a")
    with pytest.raises(ValueError, match="content"):
        outbox.enqueue(db_session, kind="text", openid="o-1", payload={}, dedupe_key="b")


def test_row_of_an_unknown_kind_fails_without_sending(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    _person(db_session, fake_wechat, "o-1")
    # A row written by a newer version that knows more kinds than this sender.
    message = OutboxMessage(kind="carrier-pigeon", openid="o-1", payload={}, dedupe_key="k1")
    db_session.add(message)
    db_session.commit()
    outbox.deliver_due(sessions, wechat_client)
    row = _reload(db_session, message)
    assert row.status is OutboxStatus.FAILED
    assert "unknown message kind" in row.last_error
    assert fake_wechat.calls(SEND) == []


def test_someone_without_a_profile_is_tried_by_customer_service(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    fake_wechat.interact("o-visitor")
    message = _text(db_session, "o-visitor", "k1")
    outbox.deliver_due(sessions, wechat_client)
    assert _reload(db_session, message).status is OutboxStatus.SENT


def test_status_counts_and_next_due(db_session: Session) -> None:
    _text(db_session, "o-1", "k1")
    assert outbox.status_counts(db_session)[OutboxStatus.PENDING] == 1
    assert outbox.status_counts(db_session)[OutboxStatus.SENT] == 0
    due = outbox.next_due_at(db_session)
    assert isinstance(due, datetime) and due <= utcnow()


@pytest.fixture
def job_config(fake_wechat: FakeWeChat, database_url: str) -> Iterator[Any]:
    """Return a configuration whose API base URL is the fake's."""
    yield load_config(
        overrides={
            "database": {"url": database_url},
            "wechat": {
                "appid": FAKE_APPID,
                "secret": FAKE_SECRET,
                "api_base_url": fake_wechat.api_base_url,
            },
        },
        environ={},
    )


def test_deliver_outbox_job_sends_with_the_database_token_store(
    committed_database: Database, fake_wechat: FakeWeChat, job_config: Any
) -> None:
    with committed_database.transaction() as session:
        _person(session, fake_wechat, "o-1", wrote_hours_ago=1)
        outbox.enqueue(
            session, kind="text", openid="o-1", payload={"content": "hi"}, dedupe_key="k"
        )
    job = next(job for job in JOBS if job.id == "deliver-outbox")
    assert job.every_seconds(job_config) == job_config.scheduler.outbox_interval_seconds
    report = run_job(committed_database, job_config, job)
    assert isinstance(report, outbox.DeliveryReport)
    assert report.count(OutboxStatus.SENT) == 1
    with committed_database.transaction() as session:
        assert outbox.status_counts(session)[OutboxStatus.SENT] == 1
    assert [call.path for call in fake_wechat.calls()] == ["stable_token", SEND]


def test_two_senders_at_once_send_each_message_once(
    committed_database: Database, fake_wechat: FakeWeChat, redis_key_prefix: str
) -> None:
    with committed_database.transaction() as session:
        _person(session, fake_wechat, "o-1", wrote_hours_ago=1)
        for n in range(4):
            outbox.enqueue(
                session, kind="text", openid="o-1", payload={"content": f"#{n}"}, dedupe_key=f"{n}"
            )
    # Each send is slow, so the second sender claims while the first is still sending.
    fake_wechat.inject(latency=0.1, times=None, path=SEND)
    reports: list[outbox.DeliveryReport] = []
    barrier = threading.Barrier(2)

    def sender() -> None:
        store = RedisTokenStore.from_url(REDIS_URL, FAKE_APPID, key_prefix=redis_key_prefix)
        client = HuaiCaiWeChatClient(
            FAKE_APPID, FAKE_SECRET, store=store, api_base_url=fake_wechat.api_base_url
        )
        try:
            client.access_token  # noqa: B018 - take the token before the race
            barrier.wait(timeout=10)
            reports.append(outbox.deliver_due(committed_database.session, client, limit=2))
        finally:
            client.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    sent = sorted(o.message_id for report in reports for o in report.outcomes)
    assert len(reports) == 2
    assert len(sent) == 4 and len(set(sent)) == 4
    contents = sorted(call.body["text"]["content"] for call in fake_wechat.calls(SEND))
    assert contents == ["#0", "#1", "#2", "#3"]


def test_person_writing_while_a_send_is_refused_puts_the_message_back_in_the_queue(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    talent = _person(db_session, fake_wechat, "o-1", wrote_hours_ago=1)
    fake_wechat.set_user("o-1")  # WeChat will refuse with 45015
    message = _text(db_session, "o-1", "k1")
    send = wechat_client.send_customer_service_text

    def send_while_the_person_writes(openid: str, content: str) -> Any:
        outcome = send(openid, content)
        # Meanwhile the callback side records a new message (and releases deferred ones).
        with sessions() as session, session.begin():
            session.get(Talent, talent.id).last_interaction_at = utcnow()  # type: ignore[union-attr]
            outbox.release_deferred(session, "o-1")
        fake_wechat.interact("o-1")
        return outcome

    wechat_client.send_customer_service_text = send_while_the_person_writes  # type: ignore[method-assign]
    [outcome] = outbox.deliver_due(sessions, wechat_client).outcomes
    assert outcome.status is OutboxStatus.PENDING
    assert "45015" in outcome.detail
    wechat_client.send_customer_service_text = send  # type: ignore[method-assign]
    outbox.deliver_due(sessions, wechat_client)
    assert _reload(db_session, message).status is OutboxStatus.SENT


def test_sender_skips_messages_another_sender_holds(
    committed_database: Database, fake_wechat: FakeWeChat, wechat_client: HuaiCaiWeChatClient
) -> None:
    if committed_database.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers instead")
    with committed_database.transaction() as session:
        _person(session, fake_wechat, "o-1", wrote_hours_ago=1)
        ids = [
            outbox.enqueue(
                session, kind="text", openid="o-1", payload={"content": f"#{n}"}, dedupe_key=f"{n}"
            ).id
            for n in range(4)
        ]
    holder = committed_database.engine.connect()
    holding = holder.begin()
    holder.execute(
        select(OutboxMessage.id).where(OutboxMessage.id.in_(ids[:2])).with_for_update()
    ).all()
    # Without SKIP LOCKED the sender would wait for the holder; let it go after a while so that
    # a regression fails the assertion below instead of hanging the run.
    release = threading.Timer(5, holding.rollback)
    release.start()
    try:
        report = outbox.deliver_due(committed_database.session, wechat_client)
    finally:
        release.cancel()
        release.join()
        if holding.is_active:
            holding.rollback()
        holder.close()
    assert sorted(o.message_id for o in report.outcomes) == ids[2:]


def test_token_bucket_allows_the_burst_then_paces_to_the_rate() -> None:
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    bucket = outbox.TokenBucket(100, 10, clock=lambda: clock[0], sleep=sleep)
    for _ in range(60):
        bucket.acquire()
    # 10 at once, then 50 more at 100/s: half a second.
    assert clock[0] == pytest.approx(0.5)
    assert len(waits) == 50


def test_quiet_hours_hold_proactive_messages_but_not_replies(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    _person(db_session, fake_wechat, "o-1", wrote_hours_ago=1)
    invitation = outbox.enqueue(
        db_session,
        kind="text",
        openid="o-1",
        payload={"content": "邀请"},
        dedupe_key="invite:1:1",
        proactive=True,
    )
    reply = _text(db_session, "o-1", "reply:1", "回复")
    settings = outbox.Settings()
    # 23:30 in Shanghai is 15:30 UTC.
    night = datetime.now(settings.zone).replace(hour=23, minute=30).astimezone(UTC)
    assert settings.is_quiet(night)
    assert settings.quiet_until(night).astimezone(settings.zone).hour == 8
    report = outbox.deliver_due(sessions, wechat_client, now=night, settings=settings)
    assert [o.message_id for o in report.outcomes] == [reply.id]
    assert _reload(db_session, invitation).status is OutboxStatus.PENDING
    morning = settings.quiet_until(night) + timedelta(minutes=1)
    report = outbox.deliver_due(sessions, wechat_client, now=morning, settings=settings)
    assert [o.message_id for o in report.outcomes] == [invitation.id]


def test_not_following_answer_marks_the_person_unfollowed(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    talent = _person(db_session, fake_wechat, "o-1", wrote_hours_ago=1)
    fake_wechat.set_user("o-1", following=False)
    _text(db_session, "o-1", "k1")
    outbox.deliver_due(sessions, wechat_client)
    db_session.expire_all()
    assert db_session.get(Talent, talent.id).is_following is False  # type: ignore[union-attr]


def test_retry_delay_comes_from_the_settings() -> None:
    assert outbox.retry_delay(1, timedelta(seconds=2)) == timedelta(seconds=2)
    assert outbox.retry_delay(3, timedelta(seconds=2)) == timedelta(seconds=8)


def test_abandoned_send_found_in_the_message_record_is_not_sent_again(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    _person(db_session, fake_wechat, "o-1", wrote_hours_ago=1)
    _person(db_session, fake_wechat, "o-2", wrote_hours_ago=1)
    sent = _text(db_session, "o-1", "invite:1:1", "邀请一")
    lost = _text(db_session, "o-2", "invite:1:2", "邀请二")
    settings = outbox.Settings(lease=timedelta(seconds=30))
    claimed_at = utcnow()
    assert outbox._claim_due(sessions, claimed_at, 10, settings) == sorted([sent.id, lost.id])
    # The dead sender got the first one out before it died, not the second.
    assert wechat_client.send_customer_service_text("o-1", "邀请一").ok
    later = claimed_at + timedelta(seconds=31)
    record = outbox.CustomerServiceRecord(wechat_client)
    outbox.deliver_due(sessions, wechat_client, now=later, settings=settings, record=record)
    assert fake_wechat.sent_texts() == [("o-1", "邀请一"), ("o-2", "邀请二")]
    first = _reload(db_session, sent)
    assert first.status is OutboxStatus.SENT and "message record" in first.last_error
    assert _reload(db_session, lost).status is OutboxStatus.SENT


def test_drain_sends_round_after_round_until_nothing_is_due(
    db_session: Session,
    sessions: SessionFactory,
    fake_wechat: FakeWeChat,
    wechat_client: HuaiCaiWeChatClient,
) -> None:
    for n in range(5):
        _person(db_session, fake_wechat, f"o-{n}", wrote_hours_ago=1)
        _text(db_session, f"o-{n}", f"k{n}")
    report = outbox.drain(sessions, wechat_client, seconds=30, limit=2)
    assert report.count(OutboxStatus.SENT) == 5
    assert len(fake_wechat.calls(SEND)) == 5
