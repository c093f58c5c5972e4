"""Keep in touch (常态化对接): a friendly nudge to people whose profile has not changed for long."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Talent, TalentStatus
from bot.services import outbox

logger = logging.getLogger(__name__)


def nudge_stale_profiles(session: Session, *, untouched_since: datetime, text: str) -> int:
    """Queue a nudge for each profile unchanged since ``untouched_since``; return how many.

    ``text`` is the message, with ``{name}`` for the person's name. Only people who still follow
    the account are nudged, once per version of their profile: the outbox key carries its
    ``updated_at``, so the next nudge waits until the profile changes and goes stale again.
    """
    stale = session.scalars(
        select(Talent).where(
            Talent.status == TalentStatus.ACTIVE,
            Talent.is_following.is_(True),
            Talent.openid.is_not(None),
            Talent.updated_at < untouched_since,
        )
    )
    count = 0
    for talent in stale:
        outbox.enqueue(
            session,
            kind="text",
            openid=talent.openid,
            payload={"content": text.format(name=talent.name)},
            dedupe_key=f"stale-profile:{talent.id}:{talent.updated_at:%Y%m%d%H%M%S}",
            # Sent on our initiative: it waits outside quiet hours.
            proactive=True,
        )
        count += 1
    logger.info("nudges: %d stale profiles", count)
    return count
