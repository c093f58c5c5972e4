"""Keeping in touch: liaisons and overdue contacts, digests, the yearly check, referral codes,
and the cooperation jobs sending nothing twice when run twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import load_config
from bot.db import utcnow
from bot.jobs import JOBS
from bot.models import ContactChannel, OutboxMessage, Role
from bot.services import introductions, keep_in_touch, liaisons, referrals, users
from bot.wechat.client import HuaiCaiWeChatClient
from devtools.fake_wechat import FakeWeChat
from tests.bot.services.cooperation_helpers import (
    approve,
    consenting_talent,
    new_index,
    outbox_for,
    submitted_need,
)

COOPERATION_JOBS = (
    "expire-introduction-asks",
    "ask-how-introductions-went",
    "send-digests",
    "yearly-profile-check",
    "credit-referrals",
    "assign-liaisons",
)


def _organiser(session: Session, name: str) -> object:
    return users.create_user(
        session, username=name, password="a-long-password-1", role=Role.ORGANISER
    )


def test_liaisons_by_county_then_industry_and_overdue_contacts(db_session: Session) -> None:
    by_county, by_industry = _organiser(db_session, "wenxian"), _organiser(db_session, "materials")
    liaisons.add_rule(db_session, by_county, "county", "410825", actor="admin")
    liaisons.add_rule(db_session, by_industry, "industry", "新材料", actor="admin")
    from_wenxian = consenting_talent(db_session, origin_code="410825")
    materials = consenting_talent(db_session, origin_code="410882")
    nobody = consenting_talent(db_session, origin_code="410882", expertise="怀山药规范化种植与炮制")
    assert liaisons.assign_by_rules(db_session, actor="t") >= 2
    assert liaisons.assign_by_rules(db_session, actor="t") == 0
    assert liaisons.liaison_of(db_session, from_wenxian).organiser_id == by_county.id
    assert liaisons.liaison_of(db_session, materials).organiser_id == by_industry.id
    assert liaisons.liaison_of(db_session, nobody) is None
    assert nobody in liaisons.unassigned(db_session)
    liaisons.add_rule(db_session, by_county, "default", "", actor="admin")
    assert liaisons.assign_by_rules(db_session, actor="t") >= 1
    assert liaisons.liaison_of(db_session, nobody).basis == "default"
    assert liaisons.unassigned(db_session) == []
    later = utcnow() + timedelta(days=120)
    liaisons.log_contact(
        db_session, materials, ContactChannel.CALL, note="电话回访", organiser=by_industry,
        at=later - timedelta(days=10), actor="materials",
    )  # fmt: skip
    overdue = liaisons.overdue(db_session, days=90, now=later)
    assert {row.talent.id for row in overdue} == {from_wenxian.id, nobody.id}
    assert liaisons.overdue(db_session, days=90, now=later, organiser=by_industry) == []
    assert [e.note for e in liaisons.contact_log(db_session, materials)] == ["电话回访"]


def test_digest_only_to_people_who_opted_in_once_a_week(db_session: Session) -> None:
    wants, silent = consenting_talent(db_session), consenting_talent(db_session)
    keep_in_touch.set_preference(db_session, wants, "需求", on=True)
    demand = submitted_need(db_session).demand
    approve(db_session, demand)
    report = keep_in_touch.send_digests(db_session, now=utcnow())
    assert report.queued == 1
    [digest] = outbox_for(db_session, wants.openid)
    assert demand.title in digest and "退订需求" in digest
    assert outbox_for(db_session, silent.openid) == []
    assert keep_in_touch.send_digests(db_session, now=utcnow()).queued == 1  # the same key
    assert len(outbox_for(db_session, wants.openid)) == 1
    keep_in_touch.set_preference(db_session, wants, "需求", on=False)
    assert keep_in_touch.send_digests(db_session, now=utcnow() + timedelta(days=7)).queued == 0


def test_yearly_check_asks_once_and_renews_an_old_consent(db_session: Session) -> None:
    veteran, newcomer = consenting_talent(db_session), consenting_talent(db_session)
    veteran.registered_at = utcnow() - timedelta(days=400)
    assert keep_in_touch.yearly_check(db_session, consent_version="2027-01") == 1
    assert keep_in_touch.yearly_check(db_session, consent_version="2027-01") == 1
    [check] = outbox_for(db_session, veteran.openid)
    assert "你的资料还准确吗" in check and "2027-01" in check
    assert outbox_for(db_session, newcomer.openid) == []
    assert keep_in_touch.renew_registration_consent(db_session, veteran, version="2027-01")
    assert not keep_in_touch.renew_registration_consent(db_session, veteran, version="2027-01")


def test_referral_code_is_issued_by_the_fake_wechat_and_sent_once(
    db_session: Session, fake_wechat: FakeWeChat, wechat_client: HuaiCaiWeChatClient
) -> None:
    talent = consenting_talent(db_session)
    code = referrals.request_code(db_session, talent)
    assert referrals.request_code(db_session, talent) is code
    assert referrals.issue_codes(db_session, wechat_client) == 1
    assert referrals.issue_codes(db_session, wechat_client) == 0
    assert code.ticket and code.url.startswith("http")
    issued = fake_wechat.qrcodes[code.ticket]
    assert issued["scene"] == {"scene_str": code.scene}
    [message] = outbox_for(db_session, talent.openid)
    assert code.url in message


def test_registrations_by_source(db_session: Session) -> None:
    consenting_talent(db_session)
    consenting_talent(db_session, source="import", openid=None)
    counts = referrals.registrations_by_source(db_session, year=utcnow().year)
    assert counts["chat"] >= 1 and counts["import"] >= 1 and counts["referral"] == 0


def test_cooperation_jobs_send_nothing_twice_when_run_twice(db_session: Session) -> None:
    config = load_config(environ={})
    organiser = _organiser(db_session, "liaison")
    liaisons.add_rule(db_session, organiser, "county", "410825", actor="admin")
    veteran = consenting_talent(db_session)
    veteran.registered_at = utcnow() - timedelta(days=400)
    keep_in_touch.set_preference(db_session, veteran, "需求", on=True)
    asked = consenting_talent(db_session)
    demand = submitted_need(db_session).demand
    approve(db_session, demand)
    introductions.propose_shortlist(db_session, new_index(), demand, actor="o")
    [match] = introductions.ask(db_session, demand, [asked.id], actor="o", answer_days=7)
    match.answer_due_at = utcnow() - timedelta(minutes=1)
    referrer, friend = consenting_talent(db_session), consenting_talent(db_session)
    code = referrals.request_code(db_session, referrer)
    db_session.delete(friend)  # the friend scans first, then registers
    db_session.flush()
    referrals.record_scan(db_session, "o-friend-job", code.scene)
    consenting_talent(db_session, openid="o-friend-job")
    jobs = {job.id: job for job in JOBS}

    def queued() -> int:
        return int(db_session.scalar(select(func.count(OutboxMessage.id))) or 0)

    first = {}
    for job_id in COOPERATION_JOBS:
        first[job_id] = jobs[job_id].run(db_session, config)
    after_first = queued()
    second = {job_id: jobs[job_id].run(db_session, config) for job_id in COOPERATION_JOBS}
    assert queued() == after_first, "a second run queued messages"
    assert first["expire-introduction-asks"] == 1 and second["expire-introduction-asks"] == 0
    assert first["credit-referrals"] == 1 and second["credit-referrals"] == 0
    assert first["yearly-profile-check"] >= 1
    assert first["assign-liaisons"] >= 1 and second["assign-liaisons"] == 0
    assert "1 digests" in str(first["send-digests"])
