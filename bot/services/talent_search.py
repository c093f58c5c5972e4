"""Match talents to needs and events with ``matching.MatchIndex``, kept in step with the database.

Each process keeps one talent index per database. Before a search it asks the database whether
anything changed since the index was synced (one cheap aggregate query) and, if so, applies the
changes incrementally: changed talents are re-added, vanished ones removed. Consent is checked
against the database after the search, so a withdrawn consent takes effect at once.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Config, MatchingConfig
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


@dataclass(frozen=True)
class IndexFile:
    """A saved talent index and what it was synced to (``<path>`` and ``<path>.json``)."""

    path: Path

    @property
    def meta_path(self) -> Path:
        return self.path.with_name(self.path.name + ".json")

    def modified(self) -> float | None:
        """Return the saved index's modification time, or None when there is none."""
        try:
            return self.meta_path.stat().st_mtime
        except FileNotFoundError:
            return None


class TalentIndexCache:
    """One process's talent index: warmed at start, synced incrementally, rebuilt by a job.

    Words first seen after the build are not searchable (the vocabulary is fixed at build), so
    ``refresh`` (the ``refresh-talent-index`` job, in the scheduler) rebuilds the index once the
    talents added since the build exceed ``REBUILD_FRACTION`` of it, and saves it to
    ``matching.index_path``. Web workers ``warm`` at start (loading that file, or building), and a
    search only applies the changes since (or loads a newer file the job saved): no request
    builds an index, except the very first search of a process nobody warmed (the CLI, tests).
    """

    REBUILD_FRACTION = 0.2
    REBUILD_MINIMUM = 50

    def __init__(self, settings: MatchingConfig | None = None, path: Path | None = None) -> None:
        self.settings = settings or MatchingConfig()
        self.file = IndexFile(path) if path is not None else None
        self.index: MatchIndex | None = None
        self.loaded_file_time: float | None = None
        self.synced_until: datetime | None = None
        self.count = 0
        self.ids: set[int] = set()
        self.added_since_build = 0
        self.built_size = 0
        # MatchIndex is not safe for a search during an add or remove: one lock for both.
        self.lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Config) -> TalentIndexCache:
        """Return an empty cache with the ``[matching]`` settings and the saved index's path."""
        return cls(config.matching, config.match_index_path)

    def search(self, session: Session, query: str, k: int, **filters: Any) -> list[Hit]:
        """Return the index's hits for ``query`` after bringing it up to date."""
        with self.lock:
            index = self._current(session)
            return index.search(query, k=k, **filters)

    def _database(self, session: Session) -> str:
        # A saved index names its database: a worker never loads another database's index.
        return session.get_bind().engine.url.render_as_string(hide_password=True)

    def warm(self, session: Session) -> None:
        """Load the saved index (or build one) and sync it: at worker start, outside requests."""
        with self.lock:
            if not self._load_newer(session):
                self._rebuild(session, *self._latest(session))
            self._current(session)

    def refresh(self, session: Session) -> bool:
        """Rebuild the index when it has drifted (or was never built), save it; return whether.

        Without a path the rebuilt index is only kept in memory.
        """
        with self.lock:
            latest, count = self._latest(session)
            self._load_newer(session)
            rebuild = self.index is None or self.added_since_build > max(
                self.REBUILD_MINIMUM, self.REBUILD_FRACTION * self.built_size
            )
            if rebuild:
                self._rebuild(session, latest, count)
            elif latest != self.synced_until or count != self.count:
                self._sync(session, latest, count)
            self._save(session)
            return rebuild

    def _latest(self, session: Session) -> tuple[datetime | None, int]:
        latest, count = session.execute(
            select(func.max(Talent.updated_at), func.count(Talent.id)).where(
                Talent.status == TalentStatus.ACTIVE
            )
        ).one()
        return latest, int(count)

    def _current(self, session: Session) -> MatchIndex:
        self._load_newer(session)
        latest, count = self._latest(session)
        if self.index is None:
            logger.warning("talent index was not warmed: building it now")
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

    def _save(self, session: Session) -> None:
        if self.file is None or self.index is None:
            return
        self.file.path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: a worker never reads half a file. The metadata goes last,
        # so its time says when a complete index is there.
        partial = self.file.path.with_name(self.file.path.name + ".partial")
        self.index.save(partial)
        os.replace(partial, self.file.path)
        meta = {
            "database": self._database(session),
            "synced_until": self.synced_until.isoformat() if self.synced_until else None,
            "count": self.count,
            "built_size": self.built_size,
            "added_since_build": self.added_since_build,
            "ids": sorted(self.ids),
        }
        partial_meta = self.file.meta_path.with_name(self.file.meta_path.name + ".partial")
        partial_meta.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(partial_meta, self.file.meta_path)
        self.loaded_file_time = self.file.modified()

    def _load_newer(self, session: Session) -> bool:
        """Load the saved index if it is newer than the one in memory; return whether loaded."""
        if self.file is None:
            return False
        modified = self.file.modified()
        if modified is None or modified == self.loaded_file_time:
            return False
        try:
            meta = json.loads(self.file.meta_path.read_text(encoding="utf-8"))
            if meta.get("database") != self._database(session):
                raise ValueError("saved for another database")
            index = MatchIndex.load(self.file.path)
        except (OSError, ValueError) as error:
            logger.warning("talent index at %s not loaded: %s", self.file.path, error)
            self.loaded_file_time = modified  # not tried again until the job saves anew
            return False
        self.index = index
        self.ids = {int(item) for item in meta.get("ids", [])}
        synced = meta.get("synced_until")
        self.synced_until = datetime.fromisoformat(synced) if synced else None
        self.count = int(meta.get("count", 0))
        self.built_size = int(meta.get("built_size", len(self.ids)))
        self.added_since_build = int(meta.get("added_since_build", 0))
        self.loaded_file_time = modified
        logger.info("talent index loaded from %s (%d talents)", self.file.path, len(self.ids))
        return True


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
    index: TalentIndexCache,
    query: str,
    *,
    purpose: ConsentPurpose,
    k: int | None = None,
    min_score: float | None = None,
    **filters: Any,
) -> list[TalentHit]:
    """Return the consenting talents best matching ``query``, with reasons, best first.

    ``k`` and ``min_score`` default to ``matching.top_k`` and ``matching.min_score``.
    """
    k = index.settings.top_k if k is None else k
    min_score = index.settings.min_score if min_score is None else min_score
    # Ask for more than k: some hits drop out on consent.
    hits = index.search(session, query, k * 3 + 20, **filters)
    return _resolve(session, hits, purpose, k, min_score)


def match_demand(
    session: Session,
    index: TalentIndexCache,
    demand: Demand,
    *,
    k: int | None = None,
    min_score: float | None = None,
) -> list[TalentHit]:
    """Return the talents who fit a technical need and agreed to be matched."""
    return match_talents(
        session,
        index,
        demand_document(demand),
        purpose=ConsentPurpose.REGISTRATION,
        k=k,
        min_score=min_score,
    )


def match_event(
    session: Session,
    index: TalentIndexCache,
    event: Event,
    *,
    k: int | None = None,
    min_score: float | None = None,
) -> list[TalentHit]:
    """Return the talents to propose for an event's invitee list (invitation consent given)."""
    return match_talents(
        session,
        index,
        event_document(event),
        purpose=ConsentPurpose.INVITATIONS,
        k=k,
        min_score=min_score,
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
    session: Session,
    index: TalentIndexCache,
    demand: Demand,
    *,
    k: int | None = None,
    min_score: float | None = None,
) -> list[Match]:
    """Store the best talents for an approved need as proposed matches (idempotent)."""
    existing = {
        m.talent_id: m for m in session.scalars(select(Match).where(Match.demand_id == demand.id))
    }
    stored: list[Match] = []
    for hit in match_demand(session, index, demand, k=k, min_score=min_score):
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
