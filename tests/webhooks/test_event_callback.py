"""Events through the real callback: a scan checks in; a deferred invitation is announced."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import EventStatus, InvitationStatus, OutboxMessage, OutboxStatus
from bot.services import events, outbox
from tests.factories import make_event, make_talent
from tests.webhooks.conftest import Phone


def test_scan_through_the_callback_checks_in_once(db_session: Session, phone: Phone) -> None:
    event = make_event(
        db_session, starts_at=utcnow() + timedelta(minutes=20), status=EventStatus.OPEN
    )
    talent = make_talent(db_session, openid=phone.user.openid)
    events.register(db_session, event.id, talent_id=talent.id)
    db_session.commit()
    scene = event.qr_scene or ""
    assert "签到成功" in phone.send(phone.user.scan(scene)).text
    # A scan in the same second is WeChat's retry of the same event (same reply, handled
    # once); a second scan comes later.
    later = time.time() + 5
    phone.user.clock = lambda: later
    assert "已经签到过了" in phone.send(phone.user.scan(scene)).text
    db_session.expire_all()
    row = events.participation(db_session, event.id, talent_id=talent.id)
    assert row is not None and row.status is InvitationStatus.ATTENDED


def test_a_deferred_invitation_is_announced_in_the_next_reply(
    db_session: Session, phone: Phone
) -> None:
    make_talent(db_session, openid=phone.user.openid)
    message = outbox.enqueue(
        db_session,
        kind="text",
        openid=phone.user.openid,
        payload={"content": "诚邀您参加对接会"},
        dedupe_key="invite:1:1",
        proactive=True,
    )
    db_session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(status=OutboxStatus.DEFERRED)
    )
    db_session.commit()
    reply = phone.say("帮助")
    assert "您有 1 条消息（如活动邀请）在等您" in reply
    assert len(reply.encode()) <= 2048
    db_session.expire_all()
    assert db_session.get(OutboxMessage, message.id).status is OutboxStatus.PENDING  # type: ignore[union-attr]
    # Nothing waits any more: the next reply says nothing of it.
    assert "在等您" not in phone.say("帮助")
