"""Organisers' talent records: filters, literal wildcards, edits with a reason, merging."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import MatchingConfig
from bot.models import AuditEntry, Consent, ConsentPurpose, Talent
from bot.services import consents, talent_records
from bot.services.talent_records import TalentSelection
from bot.services.talent_search import TalentIndexCache
from bot.validators import ValidationError
from tests.factories import make_event, make_talent


def consent(session: Session, talent: Talent) -> None:
    consents.record_consent(
        session, purpose=ConsentPurpose.REGISTRATION, version="t", granted=True, talent=talent
    )
    session.flush()


def names(page: talent_records.TalentPage) -> set[str]:
    return {t.name for t in page.talents}


def test_percent_and_underscore_match_themselves(db_session: Session) -> None:
    make_talent(db_session, name="百分之百", employer="100%科技")
    make_talent(db_session, name="普通人", employer="某公司")
    assert names(talent_records.search(db_session, TalentSelection(text="%"))) == {"百分之百"}
    assert names(talent_records.search(db_session, TalentSelection(text="_"))) == set()


def test_filters_combine(db_session: Session) -> None:
    first = make_talent(db_session, name="甲", origin_code="410882", city="深圳")
    first.ties = ["born", "studied"]
    make_talent(db_session, name="乙", origin_code="410882", city="北京", source="h5")
    make_talent(db_session, name="丙", origin_code="410825", city="深圳")
    consent(db_session, first)
    found = talent_records.search(db_session, TalentSelection(county="410882", city="深圳"))
    assert names(found) == {"甲"} and found.total == 1
    assert names(talent_records.search(db_session, TalentSelection(source="h5"))) == {"乙"}
    assert names(talent_records.search(db_session, TalentSelection(tie="studied"))) == {"甲"}
    assert names(talent_records.search(db_session, TalentSelection(consent="yes"))) == {"甲"}
    keyword = first.keywords[0]
    assert "甲" in names(talent_records.search(db_session, TalentSelection(keyword=keyword)))


def test_free_text_finds_expertise_through_matching(db_session: Session) -> None:
    make_talent(db_session, name="电池专家", expertise="锂离子电池正极材料与固态电解质")
    make_talent(db_session, name="农业专家", expertise="小麦育种与节水灌溉")
    index = TalentIndexCache(MatchingConfig(min_score=0.0))
    found = talent_records.search(db_session, TalentSelection(text="固态电池"), index=index)
    assert found.talents[0].name == "电池专家"
    assert found.reasons[found.talents[0].id]


def test_edit_needs_a_reason_that_is_audited(db_session: Session) -> None:
    talent = make_talent(db_session, employer="清华大学")
    with pytest.raises(ValidationError):
        talent_records.edit(db_session, talent, actor="console:li", reason="", changes={})
    changed = talent_records.edit(
        db_session,
        talent,
        actor="console:li",
        reason="本人来电告知换了单位",
        changes={"employer": "华为", "ties": ["worked", "born"]},
    )
    assert sorted(changed) == ["employer", "ties"]
    assert talent.ties == ["born", "worked"]
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "edit")).one()
    assert entry.detail["reason"] == "本人来电告知换了单位"


def test_merge_moves_consents_and_invitations_and_removes_the_other(db_session: Session) -> None:
    keep = make_talent(db_session, name="王建国", phone="", city="")
    other = make_talent(db_session, name="王建国", openid=None, phone="13800000001", city="杭州")
    consent(db_session, other)
    event = make_event(db_session)
    from bot.services import events

    events.propose_invitation(db_session, event, other)
    pairs = talent_records.likely_duplicates(db_session)
    assert [(p.keep.id, p.other.id) for p in pairs] == [(keep.id, other.id)]
    other_id = other.id
    talent_records.merge(db_session, keep, other, actor="console:li")
    assert db_session.get(Talent, other_id) is None
    assert keep.phone == "13800000001" and keep.city == "杭州"
    assert [c.talent_id for c in db_session.scalars(select(Consent))] == [keep.id]
    assert talent_records.profile(db_session, keep).invitations[0][1].id == event.id
    assert talent_records.likely_duplicates(db_session) == []


def test_two_wechat_accounts_are_never_merged(db_session: Session) -> None:
    first, second = make_talent(db_session), make_talent(db_session)
    with pytest.raises(ValidationError):
        talent_records.merge(db_session, first, second, actor="t")
