"""A need's life: review told by message, reasons, reopening, edits, withdrawal, closing, claims."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from bot.models import ContactStatus, DemandStatus, MatchStatus
from bot.services import enterprise_contacts, introductions, needs
from bot.validators import ValidationError
from tests.bot.services.cooperation_helpers import (
    approve,
    consenting_talent,
    new_index,
    outbox_for,
    submitted_need,
)


def test_approval_is_told_to_the_enterprise_once(db_session: Session) -> None:
    demand = submitted_need(db_session).demand
    approve(db_session, demand)
    told = outbox_for(db_session, "o-firm-1")
    assert len(told) == 1 and "已通过审核" in told[0] and demand.title in told[0]
    assert demand.status == DemandStatus.APPROVED and demand.approved_at is not None


def test_rejection_needs_a_reason_and_the_enterprise_reads_it(db_session: Session) -> None:
    demand = submitted_need(db_session).demand
    with pytest.raises(ValidationError):
        needs.review_need(db_session, demand, decision=needs.ReviewDecision.REJECT, reviewer="o")
    assert demand.status == DemandStatus.PENDING_REVIEW
    needs.review_need(
        db_session,
        demand,
        decision=needs.ReviewDecision.REJECT,
        reviewer="o",
        note="不属于技术需求",
    )
    told = outbox_for(db_session, "o-firm-1")
    assert len(told) == 1 and "不属于技术需求" in told[0]


def test_a_rejection_can_be_reopened_and_reviewed_again(db_session: Session) -> None:
    demand = submitted_need(db_session).demand
    needs.review_need(
        db_session, demand, decision=needs.ReviewDecision.REJECT, reviewer="o", note="太笼统"
    )
    needs.reopen_need(db_session, demand, actor="o")
    assert demand.status == DemandStatus.PENDING_REVIEW
    approve(db_session, demand)
    texts = outbox_for(db_session, "o-firm-1")
    assert [("太笼统" in t, "重新进入审核" in t, "已通过审核" in t) for t in texts] == [
        (True, False, False),
        (False, True, False),
        (False, False, True),
    ]
    with pytest.raises(ValidationError):
        needs.reopen_need(db_session, demand, actor="o")


def test_asked_for_more_then_any_edit_goes_back_to_review(db_session: Session) -> None:
    demand = submitted_need(db_session).demand
    needs.review_need(
        db_session, demand, decision=needs.ReviewDecision.ASK_MORE, reviewer="o", note="请补充预算"
    )
    assert demand.status == DemandStatus.NEEDS_INFO
    assert "请补充预算" in outbox_for(db_session, "o-firm-1")[0]
    assert needs.edit_need(db_session, demand, actor="self", budget="50万元") == ["budget"]
    assert demand.status == DemandStatus.PENDING_REVIEW


def test_only_a_change_of_substance_sends_an_approved_need_back(db_session: Session) -> None:
    demand = submitted_need(db_session).demand
    approve(db_session, demand)
    needs.edit_need(db_session, demand, actor="self", budget="面议")
    assert demand.status == DemandStatus.APPROVED
    needs.edit_need(db_session, demand, actor="self", title="高镍正极材料烧结与包覆工艺")
    assert demand.status == DemandStatus.PENDING_REVIEW
    with pytest.raises(ValidationError):
        needs.edit_need(db_session, demand, actor="self", enterprise_id=5)


def test_withdrawal_tells_the_people_still_asked(db_session: Session) -> None:
    demand = submitted_need(db_session).demand
    approve(db_session, demand)
    asked, proposed = consenting_talent(db_session), consenting_talent(db_session)
    introductions.propose_shortlist(db_session, new_index(), demand, actor="o")
    introductions.ask(db_session, demand, [asked.id], actor="o", answer_days=7)
    assert needs.withdraw_need(db_session, demand, actor="self") == 1
    assert "撤回" in outbox_for(db_session, asked.openid)[-1]
    assert outbox_for(db_session, proposed.openid) == []
    assert demand.status == DemandStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        needs.close_need(db_session, demand, actor="self")
    with pytest.raises(ValidationError):
        introductions.ask(db_session, demand, [proposed.id], actor="o", answer_days=7)


def test_a_second_contact_is_a_claim_that_sees_only_their_own_needs(db_session: Session) -> None:
    first = submitted_need(
        db_session, "o-first", credit_seed=4242, contact_name="张三", contact_phone="13711112222"
    )
    second = submitted_need(
        db_session,
        "o-second",
        credit_seed=4242,
        contact_name="李四",
        contact_phone="13633334444",
        title="正极材料的包覆工艺改进",
    )
    assert first.demand.enterprise_id == second.demand.enterprise_id
    assert not first.is_claim and second.is_claim
    enterprise = first.demand.enterprise
    # The enterprise row keeps its first contact; the claimant's details are their own.
    assert (enterprise.contact_name, enterprise.contact_phone) == ("张三", "13711112222")
    assert (second.contact.name, second.contact.phone) == ("李四", "13633334444")
    assert [d.id for d in needs.visible_needs(db_session, "o-second")] == [second.demand.id]
    assert {d.id for d in needs.visible_needs(db_session, "o-first")} == {
        first.demand.id,
        second.demand.id,
    }
    # The first contact is asked, without the claimant's name or phone.
    asked = outbox_for(db_session, "o-first")
    assert len(asked) == 1 and "认领" in asked[0]
    assert "李四" not in asked[0] and "13633334444" not in asked[0]
    assert needs.contact_openids(db_session, first.demand) == ["o-first"]

    assert (
        enterprise_contacts.approve_claim_by_chat(
            db_session, "o-second", second.contact.id, confirm=True
        )
        is None
    ), "a claimant cannot confirm themself"
    decided = enterprise_contacts.approve_claim_by_chat(
        db_session, "o-first", second.contact.id, confirm=True
    )
    assert decided is not None and decided.status == ContactStatus.CONFIRMED
    assert {d.id for d in needs.visible_needs(db_session, "o-second")} == {
        first.demand.id,
        second.demand.id,
    }
    assert "已确认" in outbox_for(db_session, "o-second")[-1]


def test_a_firm_an_organiser_registered_is_claimed_not_taken(db_session: Session) -> None:
    from tests.factories import make_enterprise

    firm = make_enterprise(db_session, contact_name="王经理", contact_phone="13700009999")
    claim = submitted_need(db_session, "o-walk-in", credit_code=firm.credit_code)
    assert claim.is_claim and claim.demand.enterprise_id == firm.id
    assert (firm.contact_name, firm.contact_phone) == ("王经理", "13700009999")


def test_an_organiser_can_refuse_a_claim(db_session: Session) -> None:
    submitted_need(db_session, "o-first", credit_seed=777)
    claim = submitted_need(db_session, "o-claim", credit_seed=777).contact
    assert enterprise_contacts.pending_claims(db_session) == [claim]
    enterprise_contacts.decide_claim(db_session, claim, confirm=False, actor="organiser")
    assert claim.status == ContactStatus.REFUSED
    assert len(needs.visible_needs(db_session, "o-claim")) == 1
    with pytest.raises(ValidationError):
        enterprise_contacts.decide_claim(db_session, claim, confirm=True, actor="organiser")


def test_a_closed_need_cancels_what_was_only_proposed(db_session: Session) -> None:
    demand = submitted_need(db_session).demand
    approve(db_session, demand)
    talent = consenting_talent(db_session)
    entries = introductions.propose_shortlist(db_session, new_index(), demand, actor="o")
    assert [e.talent.id for e in entries] == [talent.id]
    assert needs.close_need(db_session, demand, actor="self") == 0
    assert entries[0].match.status == MatchStatus.CANCELLED
    assert outbox_for(db_session, talent.openid) == []
