"""Test data for the cooperation loop: consenting talents, a submitted need, the outbox."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import MatchingConfig
from bot.models import ConsentPurpose, Demand, OutboxMessage, Talent
from bot.services import consents, needs
from bot.services.talent_search import TalentIndexCache
from tests.factories import make_talent, valid_credit_code

BATTERY = "长期从事锂离子电池正极材料研究，主攻高镍三元材料烧结工艺和固态电解质"
_numbers = itertools.count(1)


def new_index() -> TalentIndexCache:
    """Return a talent index of the test's own (rows are rolled back after each test)."""
    return TalentIndexCache(MatchingConfig(min_score=0.0))


def consenting_talent(session: Session, expertise: str = BATTERY, **fields: Any) -> Talent:
    """Create a talent who gave the registration and invitations consents."""
    number = next(_numbers)
    fields.setdefault("phone", f"1390000{number:04d}")
    fields.setdefault("email", f"talent{number}@example.cn")
    talent = make_talent(session, expertise=expertise, **fields)
    for purpose in (ConsentPurpose.REGISTRATION, ConsentPurpose.INVITATIONS):
        consents.record_consent(session, talent=talent, purpose=purpose, version="t", granted=True)
    session.flush()
    return talent


def submitted_need(
    session: Session, openid: str = "o-firm-1", *, credit_seed: int | None = None, **fields: Any
) -> needs.Submitted:
    """Submit a battery need by chat as ``openid`` (the first contact of a new enterprise)."""
    values: dict[str, Any] = {
        "enterprise_name": "焦作市测试新材料有限公司",
        "credit_code": valid_credit_code(
            credit_seed if credit_seed is not None else next(_numbers)
        ),
        "contact_name": "王经理",
        "contact_phone": "13700001111",
        "title": "高镍正极材料烧结工艺优化",
        "description": (
            "我公司生产锂离子电池正极材料，需要优化高镍三元材料的烧结工艺，提高循环寿命。"
        ),
        "cooperation_mode": "合作研发",
    }
    values.update(fields)
    return needs.submit_need(session, openid=openid, **values)


def outbox_for(session: Session, openid: str | None) -> list[str]:
    """Return the texts queued for ``openid``, oldest first."""
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.openid == openid).order_by(OutboxMessage.id)
    )
    return [str(row.payload.get("content", "")) for row in rows]


def all_outbox(session: Session) -> list[OutboxMessage]:
    """Return every queued message."""
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def approve(session: Session, demand: Demand) -> None:
    """Approve a pending need as an organiser would."""
    needs.review_need(session, demand, decision=needs.ReviewDecision.APPROVE, reviewer="organiser")
