"""Invitee lists and event messages: proposal with filters and consent, sending, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config, load_config
from bot.models import ConsentPurpose, EventStatus, InvitationStatus, OutboxMessage, Talent
from bot.services import consents, events, invitations, talent_search
from tests.factories import make_event, make_talent

S = InvitationStatus
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
BATTERY = "锂离子电池正极材料与固态电解质的研究，高镍三元材料的产业化"


@pytest.fixture
def config() -> Config:
    return load_config(
        environ={},
        overrides={"events": {"invitation_template_id": "T-INVITE"}},
    )


def _consenting(session: Session, **fields: object) -> Talent:
    talent = make_talent(session, **fields)
    consents.record_consent(
        session, purpose=ConsentPurpose.INVITATIONS, version="t", granted=True, talent=talent
    )
    return talent


def _messages(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_proposal_keeps_consenting_people_who_pass_the_filters_with_reasons(
    db_session: Session, config: Config
) -> None:
    beijing = _consenting(db_session, city="北京", expertise=BATTERY, origin_code="410825")
    shanghai = _consenting(db_session, city="上海", expertise=BATTERY, origin_code="410882")
    make_talent(db_session, city="北京", expertise=BATTERY)  # no invitation consent
    withdrawn = _consenting(db_session, city="北京", expertise=BATTERY)
    consents.withdraw_consent(db_session, withdrawn, ConsentPurpose.INVITATIONS)
    event = make_event(db_session, topics=["锂电池材料", "固态电解质"])
    index = talent_search.TalentIndexCache(config.matching)

    everyone = invitations.propose_invitees(db_session, index, event)
    assert {p.talent.id for p in everyone} == {beijing.id, shanghai.id}
    assert all(p.reasons for p in everyone)

    in_beijing = invitations.propose_invitees(
        db_session, index, event, filters=invitations.InviteeFilters(city="北京")
    )
    assert [p.talent.id for p in in_beijing] == [beijing.id]
    from_qinyang = invitations.propose_invitees(
        db_session, index, event, filters=invitations.InviteeFilters(counties=("410882",))
    )
    assert [p.talent.id for p in from_qinyang] == [shanghai.id]
    newcomers = invitations.InviteeFilters(attended_before=True)
    assert invitations.propose_invitees(db_session, index, event, filters=newcomers) == []

    assert invitations.save_proposals(db_session, event, everyone) == 2
    # Once on the list, nobody is proposed again; the organiser may take people off.
    assert invitations.propose_invitees(db_session, index, event) == []
    assert invitations.remove_invitee(db_session, event, shanghai.id)
    assert events.count_invitations(db_session, event) == 1


def test_sending_queues_one_invitation_per_person_and_sending_again_queues_nothing(
    db_session: Session, config: Config
) -> None:
    event = make_event(db_session, capacity=30, starts_at=NOW + timedelta(days=10))
    invited = [_consenting(db_session) for _ in range(3)]
    no_consent = make_talent(db_session)
    for talent in [*invited, no_consent]:
        invitations.add_invitee(db_session, event, talent)
    ticks: list[int] = []
    summary = invitations.send_invitations(
        db_session, config, event, now=NOW, progress=ticks.append
    )
    assert (summary.queued, summary.no_consent) == (3, [no_consent.id])
    assert sum(ticks) == 4
    assert event.status is EventStatus.OPEN
    messages = _messages(db_session)
    assert sorted(m.dedupe_key for m in messages) == sorted(
        f"invite:{event.id}:{t.id}" for t in invited
    )
    first = messages[0]
    assert first.proactive and "回复“报名”参加" in first.payload["content"]
    assert f"/h5/events/{event.id}" in first.payload["content"]
    assert first.payload["template"]["template_id"] == "T-INVITE"
    assert len(first.payload["content"].encode()) < 2048
    statuses = {i.talent_id: i.status for i, _ in events.participants(db_session, event)}
    assert statuses[invited[0].id] is S.INVITED and statuses[no_consent.id] is S.PROPOSED
    again = invitations.send_invitations(db_session, config, event, now=NOW)
    assert again.queued == 0 and len(_messages(db_session)) == 3


def test_preview_shows_each_channel(db_session: Session, config: Config) -> None:
    event = make_event(db_session, title="成果发布会", location="焦作市会展中心")
    preview = invitations.preview(config, event)
    assert "成果发布会" in preview.customer_service and "焦作市会展中心" in preview.customer_service
    assert preview.template is not None and preview.subscribe is None


def test_reminders_come_24_and_2_hours_before_once_each(
    db_session: Session, config: Config
) -> None:
    event = make_event(db_session, starts_at=NOW + timedelta(hours=30), status=EventStatus.OPEN)
    talent = _consenting(db_session)
    events.register(db_session, event.id, talent_id=talent.id, now=NOW)
    assert invitations.queue_reminders(db_session, config, NOW) == 0
    day_before = NOW + timedelta(hours=7)
    assert invitations.queue_reminders(db_session, config, day_before) == 1
    assert invitations.queue_reminders(db_session, config, day_before) == 0
    two_hours = NOW + timedelta(hours=28, minutes=30)
    assert invitations.queue_reminders(db_session, config, two_hours) == 1
    assert invitations.queue_reminders(db_session, config, two_hours) == 0
    keys = [m.dedupe_key for m in _messages(db_session)]
    assert keys == [f"remind24:{event.id}:{talent.id}", f"remind2:{event.id}:{talent.id}"]


def test_thanks_go_to_attendees_after_the_event_once(db_session: Session, config: Config) -> None:
    event = make_event(
        db_session,
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=2),
        status=EventStatus.OPEN,
    )
    came, absent = _consenting(db_session), _consenting(db_session)
    for talent in (came, absent):
        events.register(db_session, event.id, talent_id=talent.id, now=NOW - timedelta(days=1))
    events.check_in(db_session, event.qr_scene or "", openid=came.openid or "", now=NOW)
    after = NOW + timedelta(hours=3)
    assert invitations.queue_thanks(db_session, config, after) == 1
    assert invitations.queue_thanks(db_session, config, after) == 0
    (message,) = _messages(db_session)
    assert message.openid == came.openid and "有帮助" in message.payload["content"]


def test_cancelling_an_event_tells_those_expected_once(db_session: Session, config: Config) -> None:
    event = make_event(db_session, status=EventStatus.OPEN, capacity=1, title="康养沙龙")
    registered, waiting, declined = (_consenting(db_session) for _ in range(3))
    events.register(db_session, event.id, talent_id=registered.id, now=NOW)
    events.register(db_session, event.id, talent_id=waiting.id, now=NOW)
    invitation = events.propose_invitation(db_session, event, declined)
    events.transition(invitation, S.DECLINED, NOW)
    events.edit_event(db_session, event, status=EventStatus.CANCELLED)
    events.edit_event(db_session, event, status=EventStatus.CANCELLED)
    told = {m.openid for m in _messages(db_session) if m.dedupe_key.startswith("cancel:")}
    assert told == {registered.openid, waiting.openid}
    assert all("取消了" in m.payload["content"] for m in _messages(db_session))
