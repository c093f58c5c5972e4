"""Match talents to needs and events with ``matching.MatchIndex``, kept in step with the database.

Each process keeps one talent index per database. Before a search it asks the database whether
anything changed since the index was synced (one cheap aggregate query) and, if so, applies the
changes incrementally: changed talents are re-added, vanished ones removed. Consent is checked
against the database after the search, so a withdrawn consent takes effect at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import (
    Consent,
    ConsentPurpose,
    Demand,
    DemandStatus,
    Event,
    Match,
    MatchStatus,
    Talent,
    TalentStatus,
)
from matching import Hit, MatchIndex

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TalentHit:
    talent: Talent
    score: float
    reasons: list[str]


def talent_document(talent: Talent) -> str:
    """Return the text a talent is matched on: expertise, confirmed keywords and title."""
    return "。".join(
        part for part in (talent.expertise, " ".join(talent.keywords), talent.title) if part
    )


def talent_attributes(talent: Talent) -> dict[str, Any]:
    """Return the filterable attributes of a talent in the index."""
    return {
        "county": talent.origin_code or "",
        "city": talent.city,
        "wish": list(talent.cooperation_wishes),
        "from_jiaozuo": talent.is_from_jiaozuo,
    }


def demand_document(demand: Demand) -> str:
    """Return the text a need is matched on."""
    return "。".join(
        part for part in (demand.title, demand.description, " ".join(demand.keywords)) if part
    )


def event_document(event: Event) -> str:
    """Return the text an event is matched on."""
    return "。".join(
        part for part in (event.title, " ".join(event.topics), event.description) if part
    )


def background_texts() -> list[str]:
    """Return texts that give a young index the policy industries' vocabulary."""
    from matching.industries import load_taxonomy

    return [
        " ".join((industry.name, *industry.aliases, *industry.strong, *industry.keywords))
        for industry in load_taxonomy().industries
    ]


class TalentIndexCache:
    """One process's talent index, synced incrementally from the database.

    Words first seen after the build are not searchable (the vocabulary is fixed at build), so
    the index is rebuilt once the talents added since the build exceed ``REBUILD_FRACTION`` of it.
    """

    REBUILD_FRACTION = 0.2
    REBUILD_MINIMUM = 50

    def __init__(self) -> None:
        self.index: MatchIndex | None = None
        self.synced_until: datetime | None = None
        self.count = 0
        self.ids: set[int] = set()
        self.added_since_build = 0
        self.built_size = 0
        # MatchIndex is not safe for a search during an add or remove: one lock for both.
        self.lock = threading.Lock()

    def search(self, session: Session, query: str, k: int, **filters: Any) -> list[Hit]:
        """Return the index's hits for ``query`` after bringing it up to date."""
        with self.lock:
            index = self._current(session)
            return index.search(query, k=k, **filters)

    def _current(self, session: Session) -> MatchIndex:
        latest, count = session.execute(
            select(func.max(Talent.updated_at), func.count(Talent.id)).where(
                Talent.status == TalentStatus.ACTIVE
            )
        ).one()
        if self.index is None or self.added_since_build > max(
            self.REBUILD_MINIMUM, self.REBUILD_FRACTION * self.built_size
        ):
            self._rebuild(session, latest, count)
        elif latest != self.synced_until or count != self.count:
            self._sync(session, latest, count)
        assert self.index is not None  # noqa: S101 - set by _rebuild
        return self.index

    def _rebuild(self, session: Session, latest: datetime | None, count: int) -> None:
        talents = list(session.scalars(select(Talent).where(Talent.status == TalentStatus.ACTIVE)))
        self.index = MatchIndex.build(
            ((t.id, talent_document(t), talent_attributes(t)) for t in talents),
            background=background_texts(),
        )
        self.ids = {t.id for t in talents}
        self.added_since_build, self.built_size = 0, len(talents)
        self.synced_until, self.count = latest, count
        logger.info("talent index built with %d talents", count)

    def _sync(self, session: Session, latest: datetime | None, count: int) -> None:
        assert self.index is not None  # noqa: S101 - only called after a build
        changed: Iterable[Talent] = session.scalars(
            select(Talent).where(Talent.updated_at >= self.synced_until)
            if self.synced_until is not None
            else select(Talent)
        )
        for talent in changed:
            if talent.id in self.ids:
                self.index.remove(talent.id)
                self.ids.discard(talent.id)
            if talent.status == TalentStatus.ACTIVE:
                self.index.add(talent.id, talent_document(talent), talent_attributes(talent))
                self.ids.add(talent.id)
                self.added_since_build += 1
        active_ids = set(
            session.scalars(select(Talent.id).where(Talent.status == TalentStatus.ACTIVE))
        )
        for gone in self.ids - active_ids:
            self.index.remove(gone)
        self.ids &= active_ids
        self.synced_until, self.count = latest, count


_caches: dict[str, TalentIndexCache] = {}
_caches_lock = threading.Lock()


def talent_index_cache(session: Session) -> TalentIndexCache:
    """Return this process's talent index cache for the session's database."""
    key = str(session.get_bind().engine.url)
    with _caches_lock:
        return _caches.setdefault(key, TalentIndexCache())


def reset_indexes() -> None:
    """Forget every cached index (tests, and after bulk imports)."""
    with _caches_lock:
        _caches.clear()


def consenting(session: Session, talent_ids: list[int], purpose: ConsentPurpose) -> set[int]:
    """Return the ids among ``talent_ids`` whose latest decision on ``purpose`` is a live yes."""
    if not talent_ids:
        return set()
    rows = session.scalars(
        select(Consent)
        .where(Consent.talent_id.in_(talent_ids), Consent.purpose == purpose, Consent.scope == "")
        .order_by(Consent.decided_at, Consent.id)
    )
    latest: dict[int, Consent] = {}
    for consent in rows:
        assert consent.talent_id is not None  # noqa: S101 - filtered by the query
        latest[consent.talent_id] = consent
    return {tid for tid, c in latest.items() if c.granted and c.withdrawn_at is None}


def _talent_id(hit: Hit) -> int:
    return cast(int, hit.id)


def _resolve(
    session: Session, hits: list[Hit], purpose: ConsentPurpose, k: int, min_score: float
) -> list[TalentHit]:
    ids = [_talent_id(hit) for hit in hits if hit.score >= min_score]
    allowed = consenting(session, ids, purpose)
    talents = {t.id: t for t in session.scalars(select(Talent).where(Talent.id.in_(allowed)))}
    results = [
        TalentHit(talents[_talent_id(hit)], hit.score, hit.reasons)
        for hit in hits
        if _talent_id(hit) in talents
    ]
    return results[:k]


def match_talents(
    session: Session,
    query: str,
    *,
    purpose: ConsentPurpose,
    k: int = 20,
    min_score: float = 0.0,
    **filters: Any,
) -> list[TalentHit]:
    """Return the consenting talents best matching ``query``, with reasons."""
    # Ask for more than k: some hits drop out on consent.
    hits = talent_index_cache(session).search(session, query, k * 3 + 20, **filters)
    return _resolve(session, hits, purpose, k, min_score)


def match_demand(
    session: Session, demand: Demand, *, k: int = 20, min_score: float = 0.0
) -> list[TalentHit]:
    """Return the talents who fit a technical need and agreed to be matched."""
    return match_talents(
        session,
        demand_document(demand),
        purpose=ConsentPurpose.REGISTRATION,
        k=k,
        min_score=min_score,
    )


def match_event(
    session: Session, event: Event, *, k: int = 50, min_score: float = 0.0
) -> list[TalentHit]:
    """Return the talents to propose for an event's invitee list (invitation consent given)."""
    return match_talents(
        session, event_document(event), purpose=ConsentPurpose.INVITATIONS, k=k, min_score=min_score
    )


def match_needs_for_talent(
    session: Session, talent: Talent, *, k: int = 10
) -> list[tuple[Demand, Hit]]:
    """Return the approved needs that fit a talent, best first."""
    demands = list(session.scalars(select(Demand).where(Demand.status == DemandStatus.APPROVED)))
    if not demands:
        return []
    index = MatchIndex.build((d.id, demand_document(d)) for d in demands)
    by_id = {d.id: d for d in demands}
    return [(by_id[_talent_id(hit)], hit) for hit in index.search(talent_document(talent), k=k)]


def propose_matches(
    session: Session, demand: Demand, *, k: int = 20, min_score: float = 0.0
) -> list[Match]:
    """Store the best talents for an approved need as proposed matches (idempotent)."""
    existing = {
        m.talent_id: m for m in session.scalars(select(Match).where(Match.demand_id == demand.id))
    }
    stored: list[Match] = []
    for hit in match_demand(session, demand, k=k, min_score=min_score):
        match = existing.get(hit.talent.id)
        if match is None:
            match = Match(
                demand_id=demand.id,
                talent_id=hit.talent.id,
                score=hit.score,
                reasons=hit.reasons,
                created_at=utcnow(),
            )
            session.add(match)
        elif match.status == MatchStatus.PROPOSED:
            match.score, match.reasons = hit.score, hit.reasons
        stored.append(match)
    session.flush()
    return stored
