"""Growth by referral: a talent's own QR code, the friends who follow through it, the credit.

A registered talent asks for their code; the scheduler asks WeChat for a parametric QR code
(scene ``ref-<random>``) and sends them its link. A follower who scans it is remembered; once
they register (their own registration consent) they are credited to the referrer — their
``source`` becomes ``referral`` — and the referrer is thanked, without being told who it was.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import ConsentPurpose, Referral, ReferralCode, Talent, TalentStatus
from bot.services import audit, consents, talents
from bot.services import cooperation_texts as texts
from bot.services.notices import notify

logger = logging.getLogger(__name__)

SCENE_PREFIX = "ref-"
SOURCES = ("chat", "h5", "import", "referral", "event", "demo")


class QrCodeApi(Protocol):
    """The call the referral job needs from the API client (``HuaiCaiWeChatClient.call``)."""

    def call(self, method: str, endpoint: str, data: dict[str, Any]) -> Any: ...


def request_code(session: Session, talent: Talent) -> ReferralCode:
    """Return the talent's referral code, creating it (to be issued by the job) when new."""
    code = session.scalars(select(ReferralCode).where(ReferralCode.talent_id == talent.id)).first()
    if code is None:
        code = ReferralCode(talent_id=talent.id, scene=SCENE_PREFIX + secrets.token_hex(8))
        session.add(code)
        session.flush()
    return code


def issue_codes(session: Session, api: QrCodeApi, *, limit: int = 50) -> int:
    """Ask WeChat for the QR codes requested and not yet issued, and send each its link.

    A failed call leaves the code requested for the next run. Returns how many were issued.
    """
    waiting = session.scalars(
        select(ReferralCode)
        .where(ReferralCode.issued_at.is_(None))
        .order_by(ReferralCode.id)
        .limit(limit)
    ).all()
    issued = 0
    for code in waiting:
        outcome = api.call(
            "post",
            "qrcode/create",
            {
                "action_name": "QR_LIMIT_STR_SCENE",
                "action_info": {"scene": {"scene_str": code.scene}},
            },
        )
        result = getattr(outcome, "result", None) or {}
        if not getattr(outcome, "ok", False) or "ticket" not in result:
            logger.warning(
                "referral code %s not issued: %s", code.id, getattr(outcome, "errmsg", outcome)
            )
            continue
        code.ticket = str(result["ticket"])
        code.url = str(result.get("url") or "")
        code.issued_at = utcnow()
        talent = session.get(Talent, code.talent_id)
        link = code.url or f"https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket={code.ticket}"
        if talent is not None:
            notify(
                session,
                talent.openid,
                texts.REFERRAL_CODE.format(url=link),
                key=f"referral-code:{code.id}",
            )
        issued += 1
    return issued


def record_scan(
    session: Session, openid: str, scene: str, *, now: datetime | None = None
) -> Talent | None:
    """Remember that ``openid`` followed through referral ``scene``; return the referrer if any.

    Someone already registered, already referred, or scanning their own code is not recorded.
    """
    code = session.scalars(select(ReferralCode).where(ReferralCode.scene == scene)).first()
    if code is None:
        return None
    referrer = session.get(Talent, code.talent_id)
    if referrer is None or referrer.openid == openid:
        return None
    if talents.get_talent_by_openid(session, openid) is not None:
        return referrer
    known = session.scalars(select(Referral).where(Referral.openid == openid)).first()
    if known is None:
        session.add(Referral(openid=openid, referrer_id=referrer.id, scanned_at=now or utcnow()))
        session.flush()
    return referrer


def credit_referrals(session: Session, *, now: datetime | None = None) -> int:
    """Credit the referred people who have registered since, and thank their referrers.

    Both consents are needed: the newcomer's registration consent (given when registering) and
    the referrer's own registration (they are in the database). Returns how many were credited.
    """
    now = now or utcnow()
    waiting = session.scalars(
        select(Referral).where(Referral.credited_at.is_(None)).order_by(Referral.id)
    ).all()
    credited = 0
    for referral in waiting:
        newcomer = talents.get_talent_by_openid(session, referral.openid)
        referrer = session.get(Talent, referral.referrer_id)
        if newcomer is None or referrer is None or referrer.status != TalentStatus.ACTIVE:
            continue
        if not consents.has_consent(session, newcomer, ConsentPurpose.REGISTRATION):
            continue
        newcomer.source, newcomer.referred_by_id = "referral", referrer.id
        referral.credited_talent_id, referral.credited_at = newcomer.id, now
        audit.record(
            session, "system", "credit-referral", "talent", newcomer.id, referrer=referrer.id
        )
        session.flush()
        count = referral_count(session, referrer)
        notify(
            session,
            referrer.openid,
            texts.REFERRAL_THANKS.format(count=count),
            key=f"referral-thanks:{referral.id}",
        )
        credited += 1
    return credited


def referral_count(session: Session, talent: Talent) -> int:
    """Return how many people ``talent`` brought in (credited)."""
    return int(
        session.scalar(
            select(func.count(Referral.id)).where(
                Referral.referrer_id == talent.id, Referral.credited_at.is_not(None)
            )
        )
        or 0
    )


def registrations_by_source(session: Session, *, year: int | None = None) -> dict[str, int]:
    """Return active talents counted by how they came (chat, h5, import, referral, event, ...)."""
    query = select(Talent.source, func.count(Talent.id)).where(Talent.status == TalentStatus.ACTIVE)
    if year is not None:
        query = query.where(
            Talent.registered_at >= datetime(year, 1, 1, tzinfo=UTC),
            Talent.registered_at < datetime(year + 1, 1, 1, tzinfo=UTC),
        )
    counts = dict.fromkeys(SOURCES, 0)
    for source, count in session.execute(query.group_by(Talent.source)).all():
        counts[str(source)] = int(count)
    return counts
