"""Fill the database with believable demo data drawn from ``data/demo/``, through the services.

Everything is generated from the vocabularies in ``data/demo/*.toml`` with a seeded random
generator, so the same seed gives the same people, texts and choices. Rows are created by the
same services a real registration uses (keywords and industries are derived from the texts) and
all are marked ``is_demo``; ``bot.services.demo_rows.clear_demo`` removes them again.
"""

from __future__ import annotations

import random
import string
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.config import ConsoleConfig, MatchingConfig
from bot.db import utcnow
from bot.dialogs.registration_texts import CONSENT_VERSION
from bot.models import (
    ConsentPurpose,
    DemandStatus,
    Enterprise,
    EventStatus,
    OutboxMessage,
    OutcomeKind,
    Role,
    Talent,
)
from bot.services import consents, enterprises, events, funnel, introductions, talents, users
from bot.services.demo_rows import DemoCounts, has_demo_data
from bot.services.talent_search import TalentIndexCache
from bot.vocabulary import COOPERATION_WISHES, county_name
from matching.resources import data_path

DEMO_DIR = data_path("demo")
DEFAULT_SEED = 2020_23  # 焦发〔2020〕23号
DEFAULT_TALENTS = 300
ACTOR = "demo"
# Shares of the talents' consent decisions on invitations: most grant, some decline, few never
# answered (no record).
INVITATION_GRANTED = 0.85
INVITATION_DECLINED = 0.10
# Talents without an openid came from an imported 校友会 spreadsheet and never followed the account.
WITH_OPENID = 0.8
SINGLE_GIVEN_NAME = 0.25
WITH_WISHES = 0.85
# Registrations are spread over this many days before loading, recent ones more often.
REGISTRATION_SPAN_DAYS = 900
# Answers of the demo people asked about a need: yes, no, and (the rest) not yet.
DEMO_YES = 0.45
DEMO_NO = 0.3
# Of the introductions: share contacted, then of those signed, then of those landed.
DEMO_OUTCOMES = (("contacted", 0.8), ("agreement", 0.6), ("landed", 0.4))

T = TypeVar("T")


class DemoDataPresent(RuntimeError):
    """Demo data is already loaded; clear it before loading again."""


@dataclass(frozen=True)
class Title:
    kind: str
    name: str
    weight: float
    education: tuple[str, ...]
    years: tuple[int, int]


@dataclass(frozen=True)
class Employer:
    name: str
    kind: str
    fields: tuple[str, ...]

    def fits(self, field_id: str) -> bool:
        """Return whether someone working in ``field_id`` plausibly works here."""
        return not self.fields or field_id in self.fields


@dataclass(frozen=True)
class Field:
    id: str
    name: str
    weight: float
    topics: tuple[str, ...]
    technical: bool


@dataclass(frozen=True)
class Template:
    text: str
    person: str
    needs_origin: bool
    technical: bool

    @property
    def has_wish(self) -> bool:
        """Return whether the template mentions a cooperation wish."""
        return "{wish}" in self.text


@dataclass(frozen=True)
class DemoVocabulary:
    """The contents of ``data/demo/``."""

    common_surnames: tuple[str, ...]
    surnames: tuple[str, ...]
    given_names: tuple[str, ...]
    single_given_names: tuple[str, ...]
    counties: dict[str, tuple[float, tuple[str, ...]]]
    friend_share: float
    friend_origins: tuple[str, ...]
    cities: dict[str, float]
    titles: tuple[Title, ...]
    employers: dict[str, tuple[Employer, ...]]
    fields: tuple[Field, ...]
    templates: tuple[Template, ...]
    achievements: tuple[str, ...]
    technical_achievements: tuple[str, ...]
    wish_phrases: dict[str, tuple[str, ...]]
    enterprises: tuple[dict[str, Any], ...]
    needs: tuple[dict[str, Any], ...]
    events: tuple[dict[str, Any], ...]


@dataclass
class TalentProfile:
    """One generated person, ready for ``talents.create_talent``."""

    name: str
    openid: str | None
    origin_code: str | None
    origin_name: str
    origin_text: str
    is_from_jiaozuo: bool
    city: str
    employer: str
    title: str
    education: str
    expertise: str
    cooperation_wishes: list[str]
    field_id: str
    registered_days_ago: float
    invitations: bool | None

    def talent_fields(self) -> dict[str, Any]:
        """Return the keyword arguments of ``talents.create_talent`` (besides name/openid)."""
        return {
            "origin_code": self.origin_code,
            "origin_name": self.origin_name,
            "origin_text": self.origin_text,
            "is_from_jiaozuo": self.is_from_jiaozuo,
            "city": self.city,
            "employer": self.employer,
            "title": self.title,
            "education": self.education,
            "expertise": self.expertise,
            "cooperation_wishes": self.cooperation_wishes,
        }


def _read(directory: Path, name: str) -> dict[str, Any]:
    return tomllib.loads((directory / name).read_text(encoding="utf-8"))


def load_vocabulary(directory: Path | None = None) -> DemoVocabulary:
    """Read the demo vocabularies (``data/demo/`` unless ``directory`` is given)."""
    if directory is None:
        return _default_vocabulary()
    return _read_vocabulary(directory)


@cache
def _default_vocabulary() -> DemoVocabulary:
    return _read_vocabulary(DEMO_DIR)


def _read_vocabulary(directory: Path) -> DemoVocabulary:
    people = _read(directory, "people.toml")
    employers = _read(directory, "employers.toml")
    expertise = _read(directory, "expertise.toml")
    companies = _read(directory, "enterprises.toml")
    agenda = _read(directory, "events.toml")
    return DemoVocabulary(
        common_surnames=tuple(people["common_surnames"]),
        surnames=tuple(people["surnames"]),
        given_names=tuple(people["given_names"]),
        single_given_names=tuple(people["single_given_names"]),
        counties={
            code: (float(county["weight"]), tuple(county["origin_texts"]))
            for code, county in people["counties"].items()
        },
        friend_share=float(people["friend_share"]),
        friend_origins=tuple(people["friend_origins"]),
        cities={city: float(weight) for city, weight in people["cities"].items()},
        titles=tuple(
            Title(
                t["kind"],
                t["name"],
                float(t["weight"]),
                tuple(t["education"]),
                (int(t.get("years", [8, 30])[0]), int(t.get("years", [8, 30])[1])),
            )
            for t in people["titles"]
        ),
        employers={
            city: tuple(Employer(e["name"], e["kind"], tuple(e["fields"])) for e in entries)
            for city, entries in employers["employers"].items()
        },
        fields=tuple(
            Field(
                f["id"],
                f["name"],
                float(f["weight"]),
                tuple(f["topics"]),
                bool(f.get("technical", True)),
            )
            for f in expertise["fields"]
        ),
        templates=tuple(
            Template(
                t["text"],
                t["person"],
                bool(t.get("needs_origin", False)),
                bool(t.get("technical", False)),
            )
            for t in expertise["templates"]
        ),
        achievements=tuple(expertise["achievements"]),
        technical_achievements=tuple(expertise["technical_achievements"]),
        wish_phrases={wish: tuple(phrases) for wish, phrases in expertise["wish_phrases"].items()},
        enterprises=tuple(companies["enterprises"]),
        needs=tuple(companies["needs"]),
        events=tuple(agenda["events"]),
    )


def _weighted(rng: random.Random, options: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(options, weights=weights, k=1)[0]


def _spread(
    rng: random.Random, count: int, options: Sequence[T], weights: Sequence[float]
) -> list[T]:
    """Return ``count`` weighted picks that include every option once when count allows."""
    picks = list(options) if count >= len(options) else []
    picks += rng.choices(options, weights=weights, k=count - len(picks))
    rng.shuffle(picks)
    return picks


def generate_profiles(
    vocabulary: DemoVocabulary, count: int, rng: random.Random
) -> list[TalentProfile]:
    """Return ``count`` fictional talents spread over Jiaozuo's counties and the fields."""
    friends = round(count * vocabulary.friend_share) if count > len(vocabulary.counties) else 0
    codes = list(vocabulary.counties)
    origins: list[str | None] = [None] * friends
    origins += _spread(
        rng, count - friends, codes, [vocabulary.counties[code][0] for code in codes]
    )
    rng.shuffle(origins)
    field_picks = _spread(rng, count, vocabulary.fields, [f.weight for f in vocabulary.fields])
    taken: set[str] = set()
    return [
        _generate_profile(vocabulary, rng, origin, field_pick, taken)
        for origin, field_pick in zip(origins, field_picks, strict=True)
    ]


def _generate_name(vocabulary: DemoVocabulary, rng: random.Random, taken: set[str]) -> str:
    surnames = vocabulary.common_surnames + vocabulary.surnames
    weights = [3.0] * len(vocabulary.common_surnames) + [1.0] * len(vocabulary.surnames)
    name = ""
    # Namesakes exist in real life, but in a demo list they look like a bug: retry a few times.
    for _ in range(20):
        surname = _weighted(rng, surnames, weights)
        pool = (
            vocabulary.single_given_names
            if rng.random() < SINGLE_GIVEN_NAME
            else vocabulary.given_names
        )
        name = surname + rng.choice(pool)
        if name not in taken:
            break
    taken.add(name)
    return name


def _generate_profile(
    vocabulary: DemoVocabulary,
    rng: random.Random,
    origin_code: str | None,
    field_pick: Field,
    taken: set[str],
) -> TalentProfile:
    name = _generate_name(vocabulary, rng, taken)
    if origin_code is None:
        origin_name, origin_text = "", rng.choice(vocabulary.friend_origins)
    else:
        origin_name = county_name(origin_code)
        origin_text = rng.choice(vocabulary.counties[origin_code][1])
    cities = list(vocabulary.cities)
    city = _weighted(rng, cities, [vocabulary.cities[c] for c in cities])
    employer = _pick_employer(vocabulary, rng, city, field_pick.id)
    titles = [t for t in vocabulary.titles if t.kind == employer.kind]
    title = _weighted(rng, titles, [t.weight for t in titles])
    wishes: list[str] = []
    if rng.random() < WITH_WISHES:
        wish_weights = [3.0, 3.0, 2.0, 1.0, 1.5, 1.5, 1.0][: len(COOPERATION_WISHES)]
        wishes = sorted(
            set(rng.choices(COOPERATION_WISHES, weights=wish_weights, k=rng.randint(1, 3))),
            key=COOPERATION_WISHES.index,
        )
    expertise = _generate_expertise(
        vocabulary,
        rng,
        name=name,
        field_pick=field_pick,
        employer=employer.name,
        title=title,
        city=city,
        wishes=wishes,
        from_jiaozuo=origin_code is not None,
    )
    draw = rng.random()
    invitations = (
        True
        if draw < INVITATION_GRANTED
        else False
        if draw < INVITATION_GRANTED + INVITATION_DECLINED
        else None
    )
    openid = None
    if rng.random() < WITH_OPENID:
        # Shaped like a real openid (28 characters) but recognisably fake.
        alphabet = string.ascii_letters + string.digits
        openid = "oDEMO" + "".join(rng.choice(alphabet) for _ in range(23))
    return TalentProfile(
        name=name,
        openid=openid,
        origin_code=origin_code,
        origin_name=origin_name,
        origin_text=origin_text,
        is_from_jiaozuo=origin_code is not None,
        city=city,
        employer=employer.name,
        title=title.name,
        education=rng.choice(title.education),
        expertise=expertise,
        cooperation_wishes=wishes,
        field_id=field_pick.id,
        # Skewed towards recent registrations, as a growing database has.
        registered_days_ago=REGISTRATION_SPAN_DAYS * rng.random() ** 1.6,
        invitations=invitations,
    )


def _pick_employer(
    vocabulary: DemoVocabulary, rng: random.Random, city: str, field_id: str
) -> Employer:
    local = vocabulary.employers[city]
    fitting = [e for e in local if e.fits(field_id)]
    # Specialised employers are likelier than the generic universities that fit anyone.
    weights = [1.0 if not e.fields else 3.0 for e in fitting]
    return _weighted(rng, fitting, weights) if fitting else rng.choice(local)


def _generate_expertise(
    vocabulary: DemoVocabulary,
    rng: random.Random,
    *,
    name: str,
    field_pick: Field,
    employer: str,
    title: Title,
    city: str,
    wishes: list[str],
    from_jiaozuo: bool,
) -> str:
    templates = [
        t
        for t in vocabulary.templates
        if (wishes or not t.has_wish)
        and (from_jiaozuo or not t.needs_origin)
        and (field_pick.technical or not t.technical)
    ]
    template = rng.choice(templates)
    topics = rng.sample(field_pick.topics, k=3)
    achievements = vocabulary.achievements
    if field_pick.technical:
        achievements += vocabulary.technical_achievements
    first, second = rng.sample(achievements, k=2)
    wish = ""
    if wishes:
        phrase = rng.choice(vocabulary.wish_phrases[rng.choice(wishes)])
        wish = phrase.format(home="家乡" if from_jiaozuo else "焦作")
    slots = {
        "t1": topics[0],
        "t2": topics[1],
        "t3": topics[2],
        "field": field_pick.name,
        "name": name,
        "employer": employer,
        "title": title.name,
        "city": city,
        "years": str(rng.randint(*title.years)),
        "wish": wish,
    }
    slots["ach"] = first.format(n=rng.randint(2, 9), t1=topics[0])
    slots["ach2"] = second.format(n=rng.randint(2, 9), t1=topics[0])
    return template.text.format(**slots)


def load_demo(
    session: Session,
    *,
    talents: int = DEFAULT_TALENTS,
    seed: int = DEFAULT_SEED,
    console: ConsoleConfig | None = None,
    timezone: str = "Asia/Shanghai",
    now: datetime | None = None,
    progress: Callable[[int], object] | None = None,
) -> DemoCounts:
    """Create demo talents, 20 enterprises, 30 needs, 3 events and the demo console user.

    Nothing is committed: the caller owns the transaction. Raises DemoDataPresent when demo rows
    exist already (loading twice would duplicate people).
    """
    if has_demo_data(session):
        raise DemoDataPresent("demo data is already loaded")
    vocabulary = load_vocabulary()
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    now = now or utcnow()
    local_zone = ZoneInfo(timezone)
    console = console or ConsoleConfig()

    created_user = _load_console_user(session, console)
    companies = _load_enterprises(session, vocabulary)
    demand_count = _load_needs(
        session, vocabulary, companies, today=now.astimezone(local_zone).date()
    )
    event_count = _load_events(session, vocabulary, now=now, zone=local_zone)
    profiles = generate_profiles(vocabulary, talents, rng)
    for profile in profiles:
        _load_talent(session, profile, now)
        if progress is not None:
            progress(1)
    session.flush()
    _load_cooperation(session, random.Random(seed + 1))  # noqa: S311 - demo data
    _load_participation(session, random.Random(seed + 2), now=now)  # noqa: S311 - demo data
    return DemoCounts(
        talents=len(profiles),
        enterprises=len(companies),
        demands=demand_count,
        events=event_count,
        users=int(created_user),
    )


def _load_console_user(session: Session, console: ConsoleConfig) -> bool:
    """Create the demo organiser login unless a user of that name exists; return if created."""
    if users.get_user(session, console.demo_username) is not None:
        return False
    users.create_user(
        session,
        username=console.demo_username,
        password=console.demo_password,
        role=Role.ORGANISER,
        display_name="演示组织者",
        is_demo=True,
    )
    return True


def _load_enterprises(session: Session, vocabulary: DemoVocabulary) -> dict[str, Enterprise]:
    return {
        entry["key"]: enterprises.register_enterprise(
            session,
            name=entry["name"],
            credit_code=entry["credit_code"],
            contact_name=entry["contact"],
            county_code=entry["county"],
            industry=entry["industry"],
            is_demo=True,
            actor=ACTOR,
        )
        for entry in vocabulary.enterprises
    }


def _load_needs(
    session: Session,
    vocabulary: DemoVocabulary,
    companies: dict[str, Enterprise],
    *,
    today: date,
) -> int:
    for entry in vocabulary.needs:
        demand = enterprises.submit_demand(
            session,
            companies[entry["enterprise"]],
            title=entry["title"],
            description=entry["description"],
            cooperation_mode=entry["mode"],
            budget=entry["budget"],
            deadline=today + timedelta(days=int(entry["deadline_days"])),
            is_demo=True,
            actor=ACTOR,
        )
        status = DemandStatus(entry["status"])
        if status in (DemandStatus.APPROVED, DemandStatus.REJECTED):
            enterprises.review_demand(
                session,
                demand,
                approve=status == DemandStatus.APPROVED,
                reviewer=ACTOR,
                note="演示数据",
            )
    return len(vocabulary.needs)


def _load_events(
    session: Session, vocabulary: DemoVocabulary, *, now: datetime, zone: ZoneInfo
) -> int:
    today = now.astimezone(zone).date()
    for entry in vocabulary.events:
        day = today + timedelta(days=int(entry["days_from_now"]))
        starts_at = datetime.combine(day, time.fromisoformat(entry["start"]), tzinfo=zone)
        ends_at = datetime.combine(day, time.fromisoformat(entry["end"]), tzinfo=zone)
        events.create_event(
            session,
            title=entry["title"].format(year=day.year),
            starts_at=starts_at,
            ends_at=ends_at,
            description=entry["description"],
            kind=entry["kind"],
            topics=list(entry["topics"]),
            location=entry["location"],
            capacity=int(entry["capacity"]),
            status=EventStatus.OPEN,
            is_demo=True,
            actor=ACTOR,
        )
    return len(vocabulary.events)


def _load_participation(session: Session, rng: random.Random, *, now: datetime) -> None:
    """Give each demo event invitees with answers: registered, declined, waiting to answer,
    and a waitlist where the seats ran out."""
    from bot.models import Event, InvitationStatus
    from bot.services.talent_search import consenting

    people = list(
        session.scalars(select(Talent).where(Talent.is_demo.is_(True), Talent.openid.is_not(None)))
    )
    allowed = consenting(session, [t.id for t in people], ConsentPurpose.INVITATIONS)
    people = [t for t in people if t.id in allowed]
    for event in session.scalars(select(Event).where(Event.is_demo.is_(True))):
        topics = set(event.topics)
        fitting = [t for t in people if topics & {*t.industries, *t.keywords}] or people
        guests = rng.sample(fitting, min(len(fitting), 36))
        sent = now - timedelta(days=3)
        for number, talent in enumerate(guests):
            invitation = events.propose_invitation(
                session, event, talent, score=0.5, reasons=["研究方向与活动主题相符"]
            )
            events.transition(invitation, InvitationStatus.INVITED, sent)
            roll, answered = rng.random(), sent + timedelta(hours=1 + number)
            if roll < 0.6:
                full = event.capacity is not None and (
                    events.seats_taken(session, event.id) >= event.capacity
                )
                wanted = InvitationStatus.WAITLISTED if full else InvitationStatus.REGISTERED
                events.transition(invitation, wanted, answered)
            elif roll < 0.75:
                events.transition(invitation, InvitationStatus.DECLINED, answered)
            session.flush()


def _load_cooperation(session: Session, rng: random.Random) -> None:
    """Take the approved demo needs through the loop, so every funnel stage has some.

    Through the services, as an organiser and the people would: a shortlist for each approved
    need, asks for most, yes / no / no answer yet, and outcomes for some introductions. The
    demo people are fictional: the messages this queues are dropped again.
    """
    before = session.scalar(select(func.max(OutboxMessage.id))) or 0
    index = TalentIndexCache(MatchingConfig())
    approved = [
        d
        for d in enterprises.list_demands(session, status=DemandStatus.APPROVED, limit=1000)
        if d.is_demo
    ]
    for number, demand in enumerate(sorted(approved, key=lambda d: d.id)):
        shortlist = introductions.propose_shortlist(session, index, demand, actor=ACTOR, k=6)
        if number % 5 == 4:
            continue  # proposed, nobody asked yet
        chosen = [entry.talent.id for entry in shortlist if entry.can_be_asked][:3]
        for match in introductions.ask(session, demand, chosen, actor=ACTOR, answer_days=7):
            talent = session.get(Talent, match.talent_id)
            draw = rng.random()
            if talent is None or draw >= DEMO_YES + DEMO_NO:
                continue  # still waiting for an answer
            answered = introductions.answer(session, talent, yes=draw < DEMO_YES, match=match)
            if answered is None or not answered.yes:
                continue
            for kind, share in DEMO_OUTCOMES:
                if rng.random() >= share:
                    break
                amount = float(rng.choice((20, 30, 50, 80, 120))) if kind == "agreement" else None
                funnel.record_outcome(
                    session, demand, OutcomeKind(kind), match=match, amount_wan=amount,
                    recorded_by=ACTOR,
                )  # fmt: skip
    session.execute(delete(OutboxMessage).where(OutboxMessage.id > before))
    session.flush()


def _load_talent(session: Session, profile: TalentProfile, now: datetime) -> None:
    talent = talents.create_talent(
        session,
        name=profile.name,
        openid=profile.openid,
        source="demo",
        is_demo=True,
        actor=ACTOR,
        **profile.talent_fields(),
    )
    registered_at = now - timedelta(days=profile.registered_days_ago)
    talent.registered_at = registered_at
    talent.updated_at = registered_at
    if talent.openid is not None:
        talent.last_interaction_at = registered_at
    decisions: list[tuple[ConsentPurpose, bool]] = [(ConsentPurpose.REGISTRATION, True)]
    if profile.invitations is not None:
        decisions.append((ConsentPurpose.INVITATIONS, profile.invitations))
    for purpose, granted in decisions:
        # Demo people "saw" the consent text people registering now see.
        consent = consents.record_consent(
            session, purpose=purpose, version=CONSENT_VERSION, granted=granted, talent=talent
        )
        consent.decided_at = registered_at
