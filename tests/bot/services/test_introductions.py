"""Introductions: shortlist, asks, the person's own yes, and no path that shows anyone else."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterator
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import (
    ConsentPurpose,
    Demand,
    Enterprise,
    EnterpriseContact,
    Match,
    MatchStatus,
    OutcomeKind,
    Talent,
)
from bot.services import (
    consents,
    enterprise_contacts,
    enterprises,
    funnel,
    introductions,
    needs,
)
from tests.bot.services.cooperation_helpers import (
    all_outbox,
    approve,
    consenting_talent,
    new_index,
    outbox_for,
    submitted_need,
)

FIRM = "o-firm-1"


@pytest.fixture
def approved(db_session: Session) -> Demand:
    demand = submitted_need(db_session, FIRM).demand
    approve(db_session, demand)
    return demand


def test_the_asked_person_gets_the_need_in_brief_without_enterprise_contact(
    db_session: Session, approved: Demand
) -> None:
    talent = consenting_talent(db_session, name="赵工")
    shortlist = introductions.propose_shortlist(db_session, new_index(), approved, actor="o")
    assert [entry.talent.id for entry in shortlist] == [talent.id]
    assert shortlist[0].reasons, "each proposed person comes with reasons"
    asked = introductions.ask(db_session, approved, [talent.id], actor="o", answer_days=7)
    assert [m.status for m in asked] == [MatchStatus.ASKED]
    [message] = outbox_for(db_session, talent.openid)
    assert approved.title in message and "回复 1 愿意对接，回复 2 这次不了" in message
    for secret in (
        "王经理",
        "13700001111",
        approved.enterprise.name,
        approved.enterprise.credit_code,
    ):
        assert secret not in message
    assert len(message.encode()) < 2048
    # Asking again changes nothing and sends nothing.
    assert introductions.ask(db_session, approved, [talent.id], actor="o", answer_days=7) == []
    assert len(outbox_for(db_session, talent.openid)) == 1


def test_a_yes_introduces_both_sides_with_only_the_shared_details(
    db_session: Session, approved: Demand
) -> None:
    talent = consenting_talent(db_session, name="钱博士", phone="13912345678", email="q@x.cn")
    introductions.propose_shortlist(db_session, new_index(), approved, actor="o")
    introductions.ask(db_session, approved, [talent.id], actor="o", answer_days=7)
    answered = introductions.answer(db_session, talent, yes=True, share=["phone"])
    assert answered is not None and answered.yes
    assert "王经理" in answered.enterprise_contact and "13700001111" in answered.enterprise_contact
    assert consents.has_consent(
        db_session, talent, ConsentPurpose.INTRODUCTION, introductions.consent_scope(approved)
    )
    [told] = [t for t in outbox_for(db_session, FIRM) if "愿意对接" in t]
    assert "钱博士" in told and "13912345678" in told and "q@x.cn" not in told
    [person] = introductions.introduced_people(db_session, approved)
    assert person.contacts == [("手机", "13912345678")]


def test_people_who_opted_out_of_needs_are_not_asked(db_session: Session, approved: Demand) -> None:
    from bot.services import keep_in_touch

    willing, opted_out = consenting_talent(db_session), consenting_talent(db_session)
    keep_in_touch.set_preference(db_session, opted_out, "需求", on=True)
    keep_in_touch.set_preference(db_session, opted_out, "需求", on=False)
    introductions.propose_shortlist(db_session, new_index(), approved, actor="o")
    asked = introductions.ask(
        db_session, approved, [willing.id, opted_out.id], actor="o", answer_days=7
    )
    assert [m.talent_id for m in asked] == [willing.id]
    assert outbox_for(db_session, opted_out.openid) == []


def test_nobody_waits_on_more_than_three_asks(db_session: Session) -> None:
    talent = consenting_talent(db_session)
    asked = []
    for seed in range(4):
        demand = submitted_need(db_session, f"o-firm-cap-{seed}").demand
        approve(db_session, demand)
        introductions.propose_shortlist(db_session, new_index(), demand, actor="o")
        asked += introductions.ask(db_session, demand, [talent.id], actor="o", answer_days=7)
    assert len(asked) == introductions.MAX_PENDING_ASKS == 3
    assert len(outbox_for(db_session, talent.openid)) == 3


def test_a_no_is_never_asked_again_and_silence_is_a_no(
    db_session: Session, approved: Demand
) -> None:
    saying_no, silent = consenting_talent(db_session), consenting_talent(db_session)
    index = new_index()
    introductions.propose_shortlist(db_session, index, approved, actor="o")
    introductions.ask(db_session, approved, [saying_no.id, silent.id], actor="o", answer_days=3)
    introductions.answer(db_session, saying_no, yes=False)
    assert introductions.expire_unanswered(db_session, now=utcnow() + timedelta(days=2)) == 0
    assert introductions.expire_unanswered(db_session, now=utcnow() + timedelta(days=4)) == 1
    assert introductions.expire_unanswered(db_session, now=utcnow() + timedelta(days=5)) == 0
    # Proposing again keeps both answers; asking again asks nobody.
    entries = introductions.propose_shortlist(db_session, index, approved, actor="o")
    assert {e.match.status for e in entries} == {MatchStatus.DECLINED}
    assert (
        introductions.ask(db_session, approved, [saying_no.id, silent.id], actor="o", answer_days=3)
        == []
    )
    assert introductions.introduced_people(db_session, approved) == []
    assert introductions.answer(db_session, silent, yes=True) is None


def test_withdrawing_a_yes_hides_the_person_and_tells_the_enterprise(
    db_session: Session, approved: Demand
) -> None:
    talent = consenting_talent(db_session, name="孙教授")
    introductions.propose_shortlist(db_session, new_index(), approved, actor="o")
    introductions.ask(db_session, approved, [talent.id], actor="o", answer_days=7)
    answered = introductions.answer(db_session, talent, yes=True)
    assert answered is not None
    assert introductions.withdraw_yes(db_session, talent, answered.match)
    assert introductions.introduced_people(db_session, approved) == []
    assert "撤回了对接意愿" in outbox_for(db_session, FIRM)[-1]
    assert not introductions.withdraw_yes(db_session, talent, answered.match)


def test_withdrawing_every_yes_at_once_tells_each_enterprise(
    db_session: Session, approved: Demand
) -> None:
    talent = consenting_talent(db_session)
    introductions.propose_shortlist(db_session, new_index(), approved, actor="o")
    introductions.ask(db_session, approved, [talent.id], actor="o", answer_days=7)
    introductions.answer(db_session, talent, yes=True)
    assert introductions.withdraw_all(db_session, talent) == 1
    assert introductions.introduced_people(db_session, approved) == []
    assert "撤回了对接意愿" in outbox_for(db_session, FIRM)[-1]
    assert introductions.withdraw_all(db_session, talent) == 0


def test_a_month_later_both_sides_are_asked_how_it_went_once(
    db_session: Session, approved: Demand
) -> None:
    talent = consenting_talent(db_session, name="何工")
    introductions.propose_shortlist(db_session, new_index(), approved, actor="o")
    introductions.ask(db_session, approved, [talent.id], actor="o", answer_days=7)
    introductions.answer(db_session, talent, yes=True)
    soon, later = utcnow() + timedelta(days=10), utcnow() + timedelta(days=31)
    assert introductions.ask_how_it_went(db_session, now=soon) == 0
    assert introductions.ask_how_it_went(db_session, now=later) == 1
    assert introductions.ask_how_it_went(db_session, now=later) == 1  # the same keys
    assert [t for t in outbox_for(db_session, talent.openid) if "进展如何" in t] != []
    assert len([t for t in outbox_for(db_session, FIRM) if "进展如何" in t]) == 1
    funnel.record_outcome(
        db_session,
        approved,
        OutcomeKind.CONTACTED,
        match=answered_match(db_session, talent),
        recorded_by="talent",
    )
    assert introductions.ask_how_it_went(db_session, now=later) == 0


def answered_match(session: Session, talent: Talent) -> Match:
    return introductions.asks_of(session, talent)[0]


def test_outcomes_feed_the_funnel(db_session: Session, approved: Demand) -> None:
    from bot.config import TargetsConfig

    talent = consenting_talent(db_session)
    introductions.propose_shortlist(db_session, new_index(), approved, actor="o")
    introductions.ask(db_session, approved, [talent.id], actor="o", answer_days=7)
    answered = introductions.answer(db_session, talent, yes=True)
    assert answered is not None
    for kind in (OutcomeKind.CONTACTED, OutcomeKind.AGREEMENT, OutcomeKind.LANDED):
        funnel.record_outcome(
            db_session, approved, kind, match=answered.match, recorded_by="talent"
        )
    # Recording the agreement again (with its amount) updates it rather than counting twice.
    funnel.record_outcome(
        db_session,
        approved,
        OutcomeKind.AGREEMENT,
        match=answered.match,
        amount_wan=50,
        recorded_by="enterprise",
    )
    year = utcnow().year
    result = funnel.funnel(db_session, year, TargetsConfig())
    counts = {stage.key: stage.count for stage in result.stages}
    assert counts == {
        "needs": 1,
        "approved": 1,
        "proposed": 1,
        "asked": 1,
        "yes": 1,
        "introduced": 1,
        "agreements": 1,
        "landed": 1,
    }
    assert result.stage("agreements").target == 100 and result.agreement_amount_wan == 50
    assert funnel.funnel(db_session, year - 1, TargetsConfig()).stage("needs").count == 0


# --- no service path shows an enterprise anyone who did not say yes -----------------------------

# Modules whose functions an enterprise's views (chat, console pages for enterprises) may call.
ENTERPRISE_FACING: tuple[ModuleType, ...] = (introductions, needs, enterprises, enterprise_contacts)
# Functions of those modules that change things rather than read; each is exercised by the
# loop below (their messages to the enterprise are scanned) or returns no people.
NOT_READERS = {
    # Talent side, or changes whose messages the loop below scans.
    "answer", "asks_of", "match_for_talent", "pending_asks", "withdraw_yes", "withdraw_all",
    "expire_unanswered",
    "approve_claim_by_chat", "decide_claim", "speak_for", "tell_confirmed_contacts",
    "erase_openid", "close_need", "edit_need", "reopen_need", "review_need", "review_demand",
    "withdraw_need", "submit_need", "submit_demand", "register_enterprise",
    # Lookups by id or text, and helpers returning no people.
    "get_demand", "get_enterprise_by_credit_code", "match_openid", "ask_message",
    "organiser_only",
}  # fmt: skip


def _public_functions(module: ModuleType) -> Iterator[tuple[str, Callable[..., Any]]]:
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if not name.startswith("_") and function.__module__ == module.__name__:
            yield name, function


def _leaks(
    value: Any, forbidden_ids: set[int], forbidden_text: set[str], seen: set[int]
) -> list[str]:
    """Return what in ``value`` names a forbidden person (talent objects, ids, names, phones)."""
    if id(value) in seen:
        return []
    seen.add(id(value))
    found: list[str] = []
    if isinstance(value, str):
        found += [text for text in forbidden_text if text in value]
    elif isinstance(value, Talent):
        if value.id in forbidden_ids:
            found.append(f"talent #{value.id}")
    elif isinstance(value, Match):
        if value.talent_id in forbidden_ids:
            found.append(f"match of talent #{value.talent_id}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            found += _leaks(getattr(value, item.name), forbidden_ids, forbidden_text, seen)
    elif isinstance(value, dict):
        for key, item in value.items():
            found += _leaks(key, forbidden_ids, forbidden_text, seen)
            found += _leaks(item, forbidden_ids, forbidden_text, seen)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            found += _leaks(item, forbidden_ids, forbidden_text, seen)
    return found


def test_no_service_path_shows_an_enterprise_a_person_who_did_not_say_yes(
    db_session: Session, approved: Demand
) -> None:
    people = {
        status: consenting_talent(db_session, name=f"人才{status}", phone=f"1380000{i:04d}")
        for i, status in enumerate(
            ["yes", "asked", "no", "silent", "proposed", "skipped", "withdrew", "revoked"]
        )
    }
    index = new_index()
    introductions.propose_shortlist(db_session, index, approved, actor="o")
    asked = [people[s].id for s in ("yes", "asked", "no", "silent", "withdrew", "revoked")]
    introductions.ask(db_session, approved, asked, actor="o", answer_days=3)
    introductions.skip(db_session, approved, [people["skipped"].id], actor="o")
    for status in ("yes", "withdrew", "revoked"):
        assert introductions.answer(db_session, people[status], yes=True) is not None
    introductions.answer(db_session, people["no"], yes=False)
    introductions.expire_unanswered(db_session, now=utcnow() + timedelta(days=4))
    introductions.ask(db_session, approved, [people["asked"].id], actor="o", answer_days=3)
    withdrew = introductions.match_for_talent(
        db_session, people["withdrew"], introductions.asks_of(db_session, people["withdrew"])[0].id
    )
    assert withdrew is not None and introductions.withdraw_yes(
        db_session, people["withdrew"], withdrew
    )
    # Withdrawn elsewhere (撤回引荐 in the privacy menu): only the consent changes.
    consents.withdraw_consent(
        db_session,
        people["revoked"],
        ConsentPurpose.INTRODUCTION,
        introductions.consent_scope(approved),
    )
    # A second need of the same enterprise where nobody said yes.
    other = submitted_need(db_session, FIRM, credit_seed=None).demand
    approve(db_session, other)

    allowed = people["yes"]
    forbidden = [t for s, t in people.items() if s != "yes"]
    forbidden_ids = {t.id for t in forbidden}
    forbidden_text = {t.name for t in forbidden} | {t.phone for t in forbidden}
    contact = enterprise_contacts.contact_of(db_session, approved.enterprise, FIRM)
    arguments: dict[type | str, Any] = {
        Session: db_session, Demand: approved, Enterprise: approved.enterprise,
        EnterpriseContact: contact, "openid": FIRM,
    }  # fmt: skip

    called: list[str] = []
    for module in ENTERPRISE_FACING:
        for name, function in _public_functions(module):
            if getattr(function, "organiser_only", False) or name in NOT_READERS:
                continue
            kwargs: dict[str, Any] = {}
            for parameter in inspect.signature(function).parameters.values():
                annotation = str(parameter.annotation)
                given = arguments.get(parameter.name) or next(
                    (
                        value
                        for key, value in arguments.items()
                        if isinstance(key, type)
                        and annotation in (key.__name__, f"{key.__name__} | None")
                    ),
                    None,
                )
                if given is not None:
                    kwargs[parameter.name] = given
                elif parameter.default is inspect.Parameter.empty:
                    pytest.fail(
                        f"{module.__name__}.{name} reads with a parameter this test cannot give "
                        f"({parameter.name}): mark it @organiser_only, add it to NOT_READERS, or "
                        "teach this test its argument"
                    )
            result = function(**kwargs)
            assert _leaks(result, forbidden_ids, forbidden_text, set()) == [], (
                f"{module.__name__}.{name} shows an enterprise someone who did not say yes"
            )
            called.append(name)
    assert {"introduced_people", "introductions_for_contact"} <= set(called)
    # What the loop sent the enterprise names nobody who never said yes.
    never_yes = [people[s] for s in ("asked", "no", "silent", "proposed", "skipped")]
    never_text = {t.name for t in never_yes} | {t.phone for t in never_yes}
    to_firm = [m.payload["content"] for m in all_outbox(db_session) if m.openid == FIRM]
    assert len(to_firm) >= 4, "the enterprise was told the review and each yes"
    for content in to_firm:
        assert _leaks(content, {t.id for t in never_yes}, never_text, set()) == [], content
    [person] = introductions.introduced_people(db_session, approved)
    assert person.name == allowed.name
