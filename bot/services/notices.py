"""Queue a message to one person about something that happened (through the outbox, once).

Every message the cooperation loop sends goes through ``notify``: it is queued under a dedupe
key that names the event it tells (so a job or a retried request never sends it twice), and the
outbox decides the channel, the pacing and the quotas when it sends. Each is sent on our own
initiative (nobody is waiting for it as a reply), so it is ``proactive``: it waits outside
quiet hours.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from bot.models import OutboxMessage
from bot.services import outbox

logger = logging.getLogger(__name__)


def notify(session: Session, openid: str | None, content: str, *, key: str) -> OutboxMessage | None:
    """Queue ``content`` for ``openid`` once per ``key``; None when there is nobody to tell."""
    if not openid:
        logger.info("notice %s not queued: no openid", key)
        return None
    return outbox.enqueue(
        session,
        kind="text",
        openid=openid,
        payload={"content": content},
        dedupe_key=key,
        proactive=True,
    )
