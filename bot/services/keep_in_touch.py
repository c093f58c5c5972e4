"""Keeping in touch (常态化对接): opt-ins per kind, weekly digests and the yearly check.

What a person receives, per kind: 活动 (event invitations and the events in a digest: the
invitations consent), 需求 (new needs in a digest) and 资讯 (news). Each is an invitations
consent scoped by kind, so it carries version, time and withdrawal like every consent. Digests
are opt-in and at most weekly; the yearly check goes at most once a year (the refresh nudge of
a stale profile is ``bot.services.nudges``, once per version of the profile). Each message's
outbox key names its period, so a job run twice sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import (
    Consent,
    ConsentPurpose,
    Demand,
    DemandStatus,
    Event,
    EventStatus,
    Talent,
    TalentStatus,
)
from bot.services import consents, talent_search
from bot.services import cooperation_texts as texts
from bot.services.notices import notify
from matching import MatchIndex

logger = logging.getLogger(__name__)

# Kind shown to people -> scope of their invitations consent.
KIND_SCOPES = {"活动": "", "需求": "needs", "资讯": "news"}
PREFERENCE_VERSION = "prefs-2026-11"
DIGEST_PERIOD = timedelta(days=7)
MIN_DIGEST_SCORE = 0.05


def wants(session: Session, talent: Talent, kind: str) -> bool:
    """Return whether ``talent`` currently accepts messages of ``kind`` (活动, 需求, 资讯)."""
    return consents.has_consent(session, talent, ConsentPurpose.INVITATIONS, KIND_SCOPES[kind])


def opted_out(session: Session, talent: Talent, kind: str) -> bool:
    """Return whether ``talent`` said no to ``kind`` (withdrew or declined), not merely silent."""
    latest = session.scalars(
        select(Consent)
        .where(
            Consent.talent_id == talent.id,
            Consent.purpose == ConsentPurpose.INVITATIONS,
            Consent.scope == KIND_SCOPES[kind],
        )
        .order_by(Consent.decided_at.desc(), Consent.id.desc())
        .limit(1)
    ).first()
    return latest is not None and (not latest.granted or latest.withdrawn_at is not None)


def set_preference(session: Session, talent: Talent, kind: str, *, on: bool) -> bool:
    """Opt ``talent`` in or out of ``kind``; return whether it changed (KeyError: unknown)."""
    scope = KIND_SCOPES[kind]
    if wants(session, talent, kind) == on:
        return False
    if on:
        consents.record_consent(
            session,
            purpose=ConsentPurpose.INVITATIONS,
            version=PREFERENCE_VERSION,
            granted=True,
            talent=talent,
            scope=scope,
        )
    else:
        consents.withdraw_consent(session, talent, ConsentPurpose.INVITATIONS, scope)
    return True


def preferences(session: Session, talent: Talent) -> dict[str, bool]:
    """Return, per kind, whether the person receives it."""
    return {kind: wants(session, talent, kind) for kind in KIND_SCOPES}


def _reachable(session: Session) -> list[Talent]:
    return list(
        session.scalars(
            select(Talent)
            .where(
                Talent.status == TalentStatus.ACTIVE,
                Talent.openid.is_not(None),
                Talent.is_following.is_(True),
            )
            .order_by(Talent.id)
        )
    )


def _consenting_ids(session: Session, scope: str) -> set[int]:
    rows = session.scalars(
        select(Consent)
        .where(
            Consent.purpose == ConsentPurpose.INVITATIONS,
            Consent.scope == scope,
            Consent.talent_id.is_not(None),
        )
        .order_by(Consent.decided_at, Consent.id)
    )
    latest: dict[int, Consent] = {}
    for consent in rows:
        assert consent.talent_id is not None  # noqa: S101 - filtered by the query
        latest[consent.talent_id] = consent
    return {tid for tid, c in latest.items() if c.granted and c.withdrawn_at is None}


def _week(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class DigestReport:
    considered: int
    queued: int


def send_digests(
    session: Session,
    *,
    now: datetime | None = None,
    max_items: int = 5,
    timezone: str = "Asia/Shanghai",
) -> DigestReport:
    """Queue one digest per opted-in person of the needs and events of the past week that fit.

    At most one digest per person per ISO week (the outbox key names the week).
    """
    now = now or utcnow()
    since = now - DIGEST_PERIOD
    new_needs = list(
        session.scalars(
            select(Demand).where(
                Demand.status == DemandStatus.APPROVED, Demand.approved_at >= since
            )
        )
    )
    new_events = list(
        session.scalars(
            select(Event).where(
                Event.status == EventStatus.OPEN, Event.created_at >= since, Event.starts_at > now
            )
        )
    )
    if not new_needs and not new_events:
        return DigestReport(0, 0)
    need_index = _index((d.id, talent_search.demand_document(d)) for d in new_needs)
    event_index = _index((e.id, talent_search.event_document(e)) for e in new_events)
    needs_by_id = {d.id: d for d in new_needs}
    events_by_id = {e.id: e for e in new_events}
    want_needs = _consenting_ids(session, KIND_SCOPES["需求"])
    want_events = _consenting_ids(session, KIND_SCOPES["活动"])
    zone = ZoneInfo(timezone)
    considered = queued = 0
    for talent in _reachable(session):
        lines: list[str] = []
        document = talent_search.talent_document(talent)
        if talent.id in want_needs and need_index is not None:
            for hit in need_index.search(document, k=max_items):
                if hit.score >= MIN_DIGEST_SCORE:
                    demand = needs_by_id[cast(int, hit.id)]
                    industry = "、".join(demand.industries[:2]) or "综合"
                    lines.append(texts.DIGEST_NEED.format(title=demand.title, industry=industry))
        if talent.id in want_events and event_index is not None:
            for hit in event_index.search(document, k=max_items):
                if hit.score >= MIN_DIGEST_SCORE:
                    event = events_by_id[cast(int, hit.id)]
                    when = event.starts_at.astimezone(zone).strftime("%m月%d日")
                    lines.append(texts.DIGEST_EVENT.format(title=event.title, when=when))
        if talent.id in want_needs or talent.id in want_events:
            considered += 1
        if not lines:
            continue
        lines = lines[:max_items]
        content = texts.DIGEST.format(
            name=talent.name, count=len(lines), lines="\n".join(lines), footer=texts.DIGEST_FOOTER
        )
        if notify(session, talent.openid, content, key=f"digest:{talent.id}:{_week(now)}"):
            queued += 1
    return DigestReport(considered, queued)


def _index(documents: Iterable[tuple[int, str]]) -> MatchIndex | None:
    items = list(documents)
    return MatchIndex.build(items) if items else None


def yearly_check(session: Session, *, consent_version: str, now: datetime | None = None) -> int:
    """Ask everyone registered a year or more ago "你的资料还准确吗" once this year.

    People whose registration consent is of an older version than ``consent_version`` are asked
    to agree to the new text in the same message. Returns how many were asked.
    """
    now = now or utcnow()
    year_ago = now - timedelta(days=365)
    queued = 0
    for talent in _reachable(session):
        if talent.registered_at > year_ago:
            continue
        content = texts.YEARLY_CHECK.format(name=talent.name)
        current = consents.active_consent(session, talent, ConsentPurpose.REGISTRATION)
        if current is not None and current.version != consent_version:
            content += "\n" + texts.YEARLY_CONSENT.format(version=consent_version)
        if notify(session, talent.openid, content, key=f"yearly:{talent.id}:{now.year}"):
            queued += 1
    return queued


def renew_registration_consent(session: Session, talent: Talent, *, version: str) -> bool:
    """Record the person's agreement to consent text ``version``; False if they had it already."""
    current = consents.active_consent(session, talent, ConsentPurpose.REGISTRATION)
    if current is not None and current.version == version:
        return False
    consents.record_consent(
        session, purpose=ConsentPurpose.REGISTRATION, version=version, granted=True, talent=talent
    )
    return True
