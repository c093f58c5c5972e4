from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from bot.models import (
    AuditEntry,
    Consent,
    ConsentPurpose,
    DialogState,
    InboundMessage,
    Invitation,
    Match,
    OutboxMessage,
    Talent,
)
from bot.services import audit, consents, events, talents
from bot.validators import ValidationError
from tests.factories import make_demand, make_enterprise, make_event, make_talent


def test_created_talent_gets_keywords_and_industries_from_expertise(db_session: Session) -> None:
    talent = make_talent(db_session, expertise="从事锂离子电池正极材料和固态电解质研究")
    assert talent.id is not None
    assert any("电池" in keyword or "电解质" in keyword for keyword in talent.keywords)
    assert talent.industries, "a battery-materials profile belongs to some industry"
    assert talent.registered_at.tzinfo is not None


def test_openid_is_unique(db_session: Session) -> None:
    make_talent(db_session, openid="o-same")
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        make_talent(db_session, openid="o-same")


def test_update_validates_and_reports_changed_fields(db_session: Session) -> None:
    talent = make_talent(db_session)
    changed = talents.update_talent(
        db_session, talent, actor="talent", city="上海", employer=talent.employer
    )
    assert changed == ["city"]
    with pytest.raises(ValidationError) as error:
        talents.update_talent(db_session, talent, actor="talent", phone="12345")
    assert "手机号" in error.value.message_zh
    db_session.refresh(talent)
    assert talent.phone == ""


def test_changing_expertise_recomputes_keywords(db_session: Session) -> None:
    talent = make_talent(db_session)
    talents.update_talent(
        db_session, talent, actor="talent", expertise="怀山药多糖提取与中药材规范化种植"
    )
    assert any("山药" in keyword or "中药" in keyword for keyword in talent.keywords)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("education", "幼儿园"),
        ("cooperation_wishes", ["发财"]),
        ("email", "not-an-email"),
        ("name", ""),
        ("name", "名" * 40),
        ("unknown_field", "x"),
    ],
)
def test_invalid_values_are_refused_with_a_chinese_message(
    db_session: Session, field: str, value: Any
) -> None:
    with pytest.raises(ValidationError) as error:
        talents.clean_fields({field: value})
    assert error.value.message_zh


def test_find_and_count_by_county_and_text(db_session: Session) -> None:
    make_talent(db_session, origin_code="410825", employer="郑州大学")
    make_talent(db_session, origin_code="410882", employer="浙江大学")
    found = talents.find_talents(db_session, talents.TalentFilter(county="410882"))
    assert [t.employer for t in found] == ["浙江大学"]
    assert talents.count_talents(db_session, talents.TalentFilter(text="郑州")) == 1


def test_export_contains_the_profile_and_is_audited(db_session: Session) -> None:
    talent = make_talent(db_session, phone="13812345678")
    consents.record_consent(
        db_session, talent=talent, purpose=ConsentPurpose.REGISTRATION, version="v1", granted=True
    )
    db_session.flush()
    db_session.refresh(talent)
    data = talents.export_talent(db_session, talent, actor="talent")
    assert data["phone"] == "13812345678"
    assert data["consents"][0]["purpose"] == "registration"
    actions = [entry.action for entry in db_session.scalars(select(AuditEntry))]
    assert "export" in actions


def personal_values(talent: Talent) -> list[str]:
    return [
        v for v in (talent.name, talent.openid, talent.phone, talent.email, talent.employer) if v
    ]


def test_erasure_leaves_nothing_personal_behind(db_session: Session) -> None:
    talent = make_talent(
        db_session, name="独一无二名", phone="13912345678", email="unique.person@example.com"
    )
    openid = talent.openid
    assert openid is not None
    secrets_left = personal_values(talent)
    consents.record_consent(
        db_session, talent=talent, purpose=ConsentPurpose.REGISTRATION, version="v1", granted=True
    )
    event = make_event(db_session)
    events.propose_invitation(db_session, event, talent)
    demand = make_demand(db_session)
    db_session.add(Match(demand_id=demand.id, talent_id=talent.id, score=0.5, reasons=["x"]))
    db_session.add(
        DialogState(openid=openid, flow="profile", step="view", data={"name": talent.name})
    )
    db_session.add(InboundMessage(dedup_key="msg:1", openid=openid, msg_type="text", reply="你好"))
    db_session.add(OutboxMessage(kind="text", openid=openid, payload={}, dedupe_key="k1"))
    db_session.flush()
    talent_id = talent.id

    talents.erase_talent(db_session, talent, actor="talent")
    db_session.flush()
    db_session.expire_all()

    assert db_session.get(Talent, talent_id) is None
    for model in (Consent, Invitation, Match, DialogState, InboundMessage, OutboxMessage):
        rows = list(db_session.scalars(select(model)))
        for row in rows:
            values = [str(getattr(row, c.key)) for c in inspect(model).columns]
            for secret in secrets_left:
                assert all(secret not in value for value in values), (model, secret)
    assert not list(db_session.scalars(select(Invitation).where(Invitation.talent_id == talent_id)))
    erase_entries = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).all()
    assert [(e.subject_type, e.subject_id) for e in erase_entries] == [("talent", talent_id)]
    for entry in db_session.scalars(select(AuditEntry)):
        for secret in secrets_left:
            assert secret not in str(entry.detail) and secret not in entry.actor


def test_person_can_register_again_after_erasure(db_session: Session) -> None:
    talent = make_talent(db_session, openid="o-again")
    old_id = talent.id
    audit.record(db_session, "console:li", "read", "talent", old_id)
    talents.erase_talent(db_session, talent, actor="talent")
    again = make_talent(db_session, openid="o-again")
    # A new id, never the erased one: the old person's access log must not become theirs.
    assert again.id != old_id
    assert [e.action for e in audit.entries_for(db_session, "talent", again.id)] == ["create"]


def test_keywords_leave_out_the_employer_and_city(db_session: Session) -> None:
    talent = make_talent(
        db_session,
        employer="复旦大学",
        city="上海",
        expertise="我在复旦大学工作，主要做数字文旅，也关注博物馆展陈策划。",
    )
    assert "复旦大学" not in talent.keywords
    assert "数字文旅" in talent.keywords


def test_erasure_forgets_the_openid_on_needs_the_person_posted(db_session: Session) -> None:
    talent = make_talent(db_session, openid="o-boss-talent")
    enterprise = make_enterprise(db_session, contact_openid="o-boss-talent")
    demand = make_demand(db_session, enterprise, submitted_by_openid="o-boss-talent")
    talents.erase_talent(db_session, talent, actor="talent")
    db_session.flush()
    db_session.refresh(demand)
    db_session.refresh(enterprise)
    assert demand.submitted_by_openid is None and enterprise.contact_openid is None
    assert demand.title, "the enterprise's need itself stays"
