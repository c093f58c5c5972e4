"""Demo data: what ``huaicai demo load`` promises; ``demo clear`` removes only demo rows."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import timedelta

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import ConsoleConfig
from bot.db import Database, utcnow
from bot.models import (
    Consent,
    ConsentPurpose,
    ConsoleUser,
    Demand,
    DemandStatus,
    Enterprise,
    Event,
    Role,
    Talent,
)
from bot.services import users
from bot.services.demo_rows import clear_demo, count_demo_rows, has_demo_data, is_database_empty
from bot.validators import validate_credit_code
from bot.vocabulary import COOPERATION_MODES, COOPERATION_WISHES, JIAOZUO_COUNTIES
from cli import main
from devtools.demo_data import DemoDataPresent, generate_profiles, load_demo, load_vocabulary
from tests.factories import make_talent

# Two to four Han characters: one- or two-character surname, one- or two-character given name.
CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def test_demo_vocabulary_is_consistent() -> None:
    vocabulary = load_vocabulary()
    assert set(vocabulary.counties) == set(JIAOZUO_COUNTIES)
    assert set(vocabulary.cities) == set(vocabulary.employers)
    field_ids = {f.id for f in vocabulary.fields}
    kinds = {title.kind for title in vocabulary.titles}
    for employers in vocabulary.employers.values():
        assert any(not e.fields for e in employers), "every city needs a generic employer"
        for employer in employers:
            assert set(employer.fields) <= field_ids, employer.name
            assert employer.kind in kinds, employer.name
    for f in vocabulary.fields:
        assert 10 <= len(f.topics) <= 20, f.id
        assert len(set(f.topics)) == len(f.topics), f.id
    assert set(vocabulary.wish_phrases) == set(COOPERATION_WISHES)
    assert {t.person for t in vocabulary.templates} == {"first", "third", "none"}


def test_demo_enterprises_needs_and_events_are_complete() -> None:
    vocabulary = load_vocabulary()
    assert len(vocabulary.enterprises) == 20
    codes = [validate_credit_code(e["credit_code"]) for e in vocabulary.enterprises]
    assert len(set(codes)) == 20
    assert all(e["county"] in JIAOZUO_COUNTIES for e in vocabulary.enterprises)
    assert all(code[2:6] == "4108" for code in codes)
    keys = {e["key"] for e in vocabulary.enterprises}
    assert len(vocabulary.needs) == 30
    for need in vocabulary.needs:
        assert need["enterprise"] in keys
        assert need["mode"] in COOPERATION_MODES
        assert need["deadline_days"] > 0
    statuses = Counter(need["status"] for need in vocabulary.needs)
    assert set(statuses) == {"approved", "pending_review"}
    assert statuses["approved"] > statuses["pending_review"] > 0
    assert len(vocabulary.events) == 3


def test_profiles_are_the_same_for_the_same_seed() -> None:
    vocabulary = load_vocabulary()
    first = generate_profiles(vocabulary, 50, random.Random(7))
    again = generate_profiles(vocabulary, 50, random.Random(7))
    other = generate_profiles(vocabulary, 50, random.Random(8))
    assert first == again
    assert first != other


def test_profiles_cover_every_county_and_field_with_plausible_people() -> None:
    vocabulary = load_vocabulary()
    profiles = generate_profiles(vocabulary, 300, random.Random(1))
    assert {p.origin_code for p in profiles if p.is_from_jiaozuo} == set(JIAOZUO_COUNTIES)
    friends = [p for p in profiles if not p.is_from_jiaozuo]
    assert 0 < len(friends) < 30
    assert all(p.origin_code is None and p.origin_text for p in friends)
    assert {p.field_id for p in profiles} == {f.id for f in vocabulary.fields}
    assert len({p.city for p in profiles}) >= 12
    for profile in profiles:
        assert CHINESE_NAME.match(profile.name), profile.name
        assert profile.expertise and "{" not in profile.expertise, profile.expertise
        assert set(profile.cooperation_wishes) <= set(COOPERATION_WISHES)
    assert len({p.name for p in profiles}) == len(profiles)
    assert len({p.expertise for p in profiles}) == len(profiles)


def test_load_demo_creates_the_promised_rows(db_session: Session) -> None:
    counts = load_demo(db_session, talents=300, seed=3)
    assert (counts.talents, counts.enterprises, counts.demands, counts.events, counts.users) == (
        300,
        20,
        30,
        3,
        1,
    )
    assert count_demo_rows(db_session) == counts

    talents = list(db_session.scalars(select(Talent)))
    assert len(talents) == 300
    assert all(t.is_demo and t.source == "demo" and t.phone == "" for t in talents)
    assert {t.origin_code for t in talents if t.is_from_jiaozuo} == set(JIAOZUO_COUNTIES)
    assert any(not t.is_from_jiaozuo for t in talents)
    # Keywords and industries were derived by the services from the generated texts.
    assert sum(1 for t in talents if t.keywords) >= 290
    assert len({industry for t in talents for industry in t.industries}) >= 10

    consents = list(db_session.scalars(select(Consent)))
    registration = {c.talent_id for c in consents if c.purpose == ConsentPurpose.REGISTRATION}
    assert registration == {t.id for t in talents}
    invitations = [c for c in consents if c.purpose == ConsentPurpose.INVITATIONS]
    assert sum(c.granted for c in invitations) > 0.7 * len(talents)

    enterprises = list(db_session.scalars(select(Enterprise)))
    assert all(e.is_demo and validate_credit_code(e.credit_code) for e in enterprises)
    demands = list(db_session.scalars(select(Demand)))
    assert all(d.is_demo for d in demands)
    statuses = Counter(d.status for d in demands)
    assert statuses[DemandStatus.APPROVED] > statuses[DemandStatus.PENDING_REVIEW] > 0
    events = list(db_session.scalars(select(Event)))
    assert all(e.is_demo and e.starts_at > utcnow() for e in events)
    assert all(e.starts_at < utcnow() + timedelta(days=200) for e in events)

    user = users.authenticate(db_session, "organiser", ConsoleConfig().demo_password)
    assert user is not None and user.is_demo and user.role == Role.ORGANISER


def test_loading_demo_data_twice_is_refused(db_session: Session) -> None:
    load_demo(db_session, talents=12)
    with pytest.raises(DemoDataPresent):
        load_demo(db_session, talents=12)


def test_database_is_empty_until_it_holds_data(db_session: Session) -> None:
    assert is_database_empty(db_session)
    assert not has_demo_data(db_session)
    make_talent(db_session)
    assert not is_database_empty(db_session)
    assert not has_demo_data(db_session)


def test_clear_demo_removes_demo_rows_only(db_session: Session) -> None:
    keeper = make_talent(db_session)
    admin = users.create_user(
        db_session, username="admin", password="a long password", role=Role.ADMIN
    )
    load_demo(db_session, talents=20)
    assert has_demo_data(db_session)

    removed = clear_demo(db_session)

    assert (removed.talents, removed.enterprises, removed.demands, removed.events) == (
        20,
        20,
        30,
        3,
    )
    assert count_demo_rows(db_session).total == 0
    assert not has_demo_data(db_session)
    assert db_session.scalars(select(Talent)).all() == [keeper]
    assert db_session.scalars(select(ConsoleUser)).all() == [admin]
    assert db_session.scalar(select(func.count(Consent.id))) == 0


def run(args: list[str], database_url: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, args, input=input, env={"HUAICAI_DATABASE__URL": database_url})


def count_talents(database_url: str) -> tuple[int, int]:
    """Return (demo, other) talents in the database at ``database_url``."""
    database = Database(database_url)
    try:
        with database.transaction() as session:
            rows = session.scalars(select(Talent.is_demo)).all()
    finally:
        database.dispose()
    return sum(rows), len(rows) - sum(rows)


def test_cli_demo_load_if_empty_does_not_load_twice(empty_database_url: str) -> None:
    assert run(["db", "upgrade"], empty_database_url).exit_code == 0

    result = run(["demo", "load", "--if-empty", "--talents", "30"], empty_database_url)
    assert result.exit_code == 0, result.output
    assert "loaded 30 talents, 20 enterprises, 30 needs, 3 events" in result.output
    assert "console login: organiser / " in result.output

    result = run(["demo", "load", "--if-empty", "--talents", "30"], empty_database_url)
    assert result.exit_code == 0, result.output
    assert "not loaded" in result.output
    assert count_talents(empty_database_url) == (30, 0)

    result = run(["demo", "load", "--talents", "5"], empty_database_url)
    assert result.exit_code != 0
    assert "demo clear" in result.output
    assert count_talents(empty_database_url) == (30, 0)


def test_cli_demo_clear_asks_and_keeps_other_rows(empty_database_url: str) -> None:
    run(["db", "upgrade"], empty_database_url)
    assert run(["demo", "load", "--talents", "20"], empty_database_url).exit_code == 0
    database = Database(empty_database_url)
    try:
        with database.transaction() as session:
            make_talent(session)
    finally:
        database.dispose()

    result = run(["demo", "clear"], empty_database_url, input="n\n")
    assert result.exit_code != 0
    assert "Delete 20 talents" in result.output
    assert count_talents(empty_database_url) == (20, 1)

    result = run(["demo", "clear", "--yes"], empty_database_url)
    assert result.exit_code == 0, result.output
    assert "deleted 20 talents, 20 enterprises, 30 needs, 3 events, 1 console users" in (
        result.output
    )
    assert count_talents(empty_database_url) == (0, 1)

    result = run(["demo", "clear", "--yes"], empty_database_url)
    assert "no demo data" in result.output


def test_cli_demo_load_asks_for_a_migrated_database(empty_database_url: str) -> None:
    result = run(["demo", "load"], empty_database_url)
    assert result.exit_code != 0
    assert "huaicai db upgrade" in result.output
