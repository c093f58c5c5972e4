from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from bot.config import MatchingConfig
from bot.models import ConsentPurpose, Talent
from bot.services import consents, talent_search, talents
from bot.services.talent_search import TalentIndexCache
from tests.factories import make_demand, make_event, make_talent

BATTERY = "长期从事锂离子电池正极材料研究，主攻高镍三元材料烧结工艺和固态电解质"
HERBS = "研究怀山药、怀地黄等四大怀药的规范化种植与有效成分提取"
VISION = "机器视觉与深度学习，工业产品表面缺陷检测算法"


@pytest.fixture
def index() -> TalentIndexCache:
    # Each test's rows are rolled back: each test gets an index of its own.
    return TalentIndexCache(MatchingConfig(min_score=0.0))


def consenting_talent(session: Session, expertise: str, **fields: object) -> Talent:
    talent = make_talent(session, expertise=expertise, **fields)
    for purpose in (ConsentPurpose.REGISTRATION, ConsentPurpose.INVITATIONS):
        consents.record_consent(session, talent=talent, purpose=purpose, version="t", granted=True)
    session.flush()
    return talent


def test_need_finds_the_fitting_talent_first_with_reasons(
    db_session: Session, index: TalentIndexCache
) -> None:
    battery = consenting_talent(db_session, BATTERY)
    consenting_talent(db_session, HERBS)
    consenting_talent(db_session, VISION)
    demand = make_demand(db_session)
    hits = talent_search.match_demand(db_session, index, demand, k=3)
    assert hits[0].talent.id == battery.id
    assert hits[0].reasons, "every hit says why"
    assert any(
        "电池" in reason or "正极" in reason or "高镍" in reason for reason in hits[0].reasons
    )


def test_talents_without_consent_are_never_matched(
    db_session: Session, index: TalentIndexCache
) -> None:
    make_talent(db_session, expertise=BATTERY)  # registered without a recorded consent
    demand = make_demand(db_session)
    assert talent_search.match_demand(db_session, index, demand) == []


def test_withdrawn_invitation_consent_takes_effect_at_once(
    db_session: Session, index: TalentIndexCache
) -> None:
    talent = consenting_talent(db_session, BATTERY)
    event = make_event(db_session, title="锂电池材料技术对接会", topics=["锂离子电池", "正极材料"])
    assert [hit.talent.id for hit in talent_search.match_event(db_session, index, event)] == [
        talent.id
    ]
    consents.withdraw_consent(db_session, talent, ConsentPurpose.INVITATIONS)
    db_session.flush()
    assert talent_search.match_event(db_session, index, event) == []


def test_index_follows_new_changed_and_erased_talents(
    db_session: Session, index: TalentIndexCache
) -> None:
    first = consenting_talent(db_session, HERBS)
    demand = make_demand(db_session)
    assert talent_search.match_demand(db_session, index, demand) == [] or all(
        hit.talent.id == first.id for hit in talent_search.match_demand(db_session, index, demand)
    )
    newcomer = consenting_talent(db_session, BATTERY)
    assert talent_search.match_demand(db_session, index, demand)[0].talent.id == newcomer.id

    talents.update_talent(db_session, first, actor="t", expertise=BATTERY + "，兼顾正极材料表征")
    db_session.flush()
    found = {hit.talent.id for hit in talent_search.match_demand(db_session, index, demand)}
    assert found == {first.id, newcomer.id}

    talents.erase_talent(db_session, newcomer, actor="t")
    db_session.flush()
    assert [hit.talent.id for hit in talent_search.match_demand(db_session, index, demand)] == [
        first.id
    ]


def test_proposed_matches_are_stored_once(db_session: Session, index: TalentIndexCache) -> None:
    talent = consenting_talent(db_session, BATTERY)
    demand = make_demand(db_session)
    first = talent_search.propose_matches(db_session, index, demand)
    second = talent_search.propose_matches(db_session, index, demand)
    assert [m.talent_id for m in first] == [talent.id]
    assert [m.id for m in first] == [m.id for m in second]
    assert first[0].reasons


def test_approved_needs_are_found_for_a_talent(db_session: Session) -> None:
    from bot.services import enterprises

    talent = consenting_talent(db_session, BATTERY)
    fitting = make_demand(db_session)
    other = make_demand(
        db_session, title="中药材种植基地建设", description="怀山药标准化种植技术指导"
    )
    pending = make_demand(db_session, title="三元正极材料改性")
    for demand in (fitting, other):
        enterprises.review_demand(db_session, demand, approve=True, reviewer="t")
    found = [demand.id for demand, _ in talent_search.match_needs_for_talent(db_session, talent)]
    assert found[0] == fitting.id
    assert pending.id not in found


def test_words_unknown_at_build_become_searchable_after_a_rebuild(
    db_session: Session, index: TalentIndexCache
) -> None:
    consenting_talent(db_session, HERBS)
    demand = make_demand(
        db_session, title="太赫兹成像芯片封装", description="太赫兹成像芯片的封装与测试"
    )
    talent_search.match_demand(db_session, index, demand)  # builds the index from one profile
    newcomers = [
        consenting_talent(db_session, f"太赫兹成像芯片封装测试方向研究{i}")
        for i in range(index.REBUILD_MINIMUM + 1)
    ]
    talent_search.match_demand(db_session, index, demand)
    assert index.added_since_build > index.REBUILD_MINIMUM, "a search never rebuilds"
    assert index.refresh(db_session), "the scheduled refresh rebuilds a drifted index"
    found = {hit.talent.id for hit in talent_search.match_demand(db_session, index, demand, k=100)}
    found |= {hit.talent.id for hit in talent_search.match_demand(db_session, index, demand, k=100)}
    assert {t.id for t in newcomers} <= found
    assert index.added_since_build == 0, "the index was rebuilt with the new words"


def test_workers_load_the_index_the_job_saved_and_follow_changes_since(
    db_session: Session, tmp_path: Path
) -> None:
    battery = consenting_talent(db_session, BATTERY)
    saved = tmp_path / "talent-index"
    job = TalentIndexCache(MatchingConfig(min_score=0.0), saved)
    assert job.refresh(db_session)
    assert saved.exists()
    worker = TalentIndexCache(MatchingConfig(min_score=0.0), saved)
    worker.warm(db_session)
    assert worker.ids == {battery.id} and worker.built_size == 1
    herbs = consenting_talent(db_session, HERBS)
    demand = make_demand(
        db_session, title="怀山药种植", description="怀山药规范化种植与有效成分提取"
    )
    hits = talent_search.match_demand(db_session, worker, demand)
    assert hits[0].talent.id == herbs.id, "a talent added after the save is found"
    assert worker.built_size == 1, "by an incremental sync, not a rebuild"


def test_an_index_saved_for_another_database_is_not_loaded(
    db_session: Session, tmp_path: Path
) -> None:
    consenting_talent(db_session, BATTERY)
    saved = tmp_path / "talent-index"
    TalentIndexCache(path=saved).refresh(db_session)
    meta = saved.with_name(saved.name + ".json")
    meta.write_text(
        meta.read_text(encoding="utf-8").replace('"database": "', '"database": "x'),
        encoding="utf-8",
    )
    worker = TalentIndexCache(path=saved)
    worker.warm(db_session)  # builds from the database instead
    assert worker.loaded_file_time is not None and worker.built_size == 1
