"""Events in chat: RSVP by word and number, my events, upcoming events, one-scan check-in."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from bot.models import EventStatus, InvitationStatus
from bot.services import events, talents
from tests.bot.dialogs.conftest import START, Chat, talk
from tests.bot.dialogs.test_registration import FULL_REGISTRATION
from tests.factories import make_event, make_talent

S = InvitationStatus


def _invite(session: Session, chat: Chat, **fields: object) -> events.Event:
    values: dict[str, object] = {"starts_at": START + timedelta(days=5), "status": EventStatus.OPEN}
    values.update(fields)
    event = make_event(session, **values)
    talent = make_talent(session, openid=chat.openid, name="李明")
    invitation = events.propose_invitation(session, event, talent)
    events.transition(invitation, S.INVITED, START)
    return event


def _status(session: Session, event: events.Event, chat: Chat) -> InvitationStatus | None:
    row = events.participation(session, event.id, openid=chat.openid)
    return InvitationStatus(row.status) if row is not None else None


def test_invited_person_registers_by_replying_and_can_cancel(
    db_session: Session, chat: Chat
) -> None:
    event = _invite(db_session, chat, title="新材料院地合作对接会")
    reply = chat.send("报名")
    assert "报名成功" in reply and "新材料院地合作对接会" in reply
    assert len(reply.encode()) <= 2048
    assert _status(db_session, event, chat) is S.REGISTERED
    assert "已经报过名" in chat.send("报名")
    assert "已取消" in chat.send("取消报名")
    assert _status(db_session, event, chat) is S.CANCELLED


def test_declining_an_invitation(db_session: Session, chat: Chat) -> None:
    event = _invite(db_session, chat)
    assert "不参加" in chat.send("不参加")
    assert _status(db_session, event, chat) is S.DECLINED


def test_several_invitations_are_answered_by_number(db_session: Session, chat: Chat) -> None:
    first = _invite(db_session, chat, title="氟化工技术沙龙", kind="沙龙")
    second = make_event(
        db_session,
        title="怀药成果发布会",
        starts_at=START + timedelta(days=9),
        status=EventStatus.OPEN,
    )
    talent = events.participation(db_session, first.id, openid=chat.openid)
    assert talent is not None and talent.talent_id is not None
    invitation = events.propose_invitation(
        db_session,
        second,
        db_session.get(events.Talent, talent.talent_id),  # type: ignore[arg-type]
    )
    events.transition(invitation, S.INVITED, START)
    reply = chat.send("报名")
    assert (
        "请回复编号" in reply
        and "1. 【氟化工技术沙龙】" in reply
        and "2. 【怀药成果发布会】" in reply
    )
    assert "报名成功" in chat.send("报名2")
    assert _status(db_session, second, chat) is S.REGISTERED
    assert _status(db_session, first, chat) is S.INVITED
    assert "没有第 7 个活动" in chat.send("报名 7")


def test_full_event_puts_the_person_on_the_waitlist_with_a_position(
    db_session: Session, chat: Chat
) -> None:
    event = _invite(db_session, chat, capacity=1)
    events.register(db_session, event.id, talent_id=make_talent(db_session).id, now=START)
    reply = chat.send("报名")
    assert "候补" in reply and "第 1 位" in reply
    assert _status(db_session, event, chat) is S.WAITLISTED


def test_my_events_and_upcoming_events(db_session: Session, chat: Chat) -> None:
    _invite(db_session, chat, title="新能源汽车对接会")
    make_event(
        db_session,
        title="康养产业沙龙",
        starts_at=START + timedelta(days=3),
        status=EventStatus.OPEN,
    )
    mine = chat.send("我的活动")
    assert "新能源汽车对接会" in mine and "待您回复" in mine
    assert "康养产业沙龙" in mine
    upcoming = chat.send("最近有什么活动")
    assert "康养产业沙龙" in upcoming and "报名1" in upcoming
    assert len(mine.encode()) <= 2048 and len(upcoming.encode()) <= 2048


def test_nobody_invited_gets_a_helpful_answer(chat: Chat) -> None:
    reply = chat.send("报名")
    assert "没有待回复的活动邀请" in reply
    assert "没有可以取消" in chat.send("取消报名")


def test_scan_checks_a_registered_follower_in_once(db_session: Session, chat: Chat) -> None:
    event = _invite(db_session, chat, starts_at=START + timedelta(minutes=30), title="洽谈会")
    chat.send("报名")
    scene = event.qr_scene or ""
    assert "签到成功" in chat.send(kind="event", event="SCAN", event_key=scene)
    assert _status(db_session, event, chat) is S.ATTENDED
    assert "已经签到过了" in chat.send(kind="event", event="SCAN", event_key=scene)


def test_new_follower_scanning_is_checked_in_and_offered_registration(
    db_session: Session, chat: Chat
) -> None:
    event = make_event(db_session, starts_at=START, status=EventStatus.OPEN, title="对接会")
    reply = chat.send(kind="event", event="subscribe", event_key=event.qr_scene or "")
    assert "已为您签到" in reply and "注册" in reply
    row = events.participation(db_session, event.id, openid=chat.openid)
    assert row is not None and row.status is S.ATTENDED and row.source == "walk_in"
    # Registering afterwards makes the walk-in theirs.
    talk(chat, FULL_REGISTRATION)
    talent = talents.get_talent_by_openid(db_session, chat.openid)
    assert talent is not None and row.talent_id == talent.id


def test_wrong_unknown_and_past_codes_are_answered(db_session: Session, chat: Chat) -> None:
    mine = _invite(db_session, chat, starts_at=START + timedelta(hours=1), title="甲活动")
    chat.send("报名")
    other = make_event(
        db_session, starts_at=START + timedelta(hours=1), status=EventStatus.OPEN, title="乙活动"
    )
    reply = chat.send(kind="event", event="SCAN", event_key=other.qr_scene or "")
    assert "您报名的是【甲活动】" in reply and "乙活动" in reply
    assert _status(db_session, mine, chat) is S.REGISTERED
    assert "没找到" in chat.send(kind="event", event="SCAN", event_key="event-0000")
    past = make_event(
        db_session, starts_at=START - timedelta(days=2), status=EventStatus.OPEN, title="丙活动"
    )
    assert "已经结束" in chat.send(kind="event", event="SCAN", event_key=past.qr_scene or "")


def test_feedback_after_the_event_is_kept(db_session: Session, chat: Chat) -> None:
    event = _invite(db_session, chat, starts_at=START)
    chat.send(kind="event", event="SCAN", event_key=event.qr_scene or "")
    assert "谢谢您的反馈" in chat.send("有帮助")
    row = events.participation(db_session, event.id, openid=chat.openid)
    assert row is not None and row.feedback == "有帮助"
