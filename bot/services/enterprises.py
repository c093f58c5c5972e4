"""Register enterprises and their technical needs, and review the needs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import Demand, DemandStatus, Enterprise
from bot.services import audit
from bot.services.analysis import analyse
from bot.validators import ValidationError, validate_credit_code, validate_mobile, validate_text
from bot.vocabulary import COOPERATION_MODES
from matching import classify_discipline_codes


def get_enterprise_by_credit_code(session: Session, credit_code: str) -> Enterprise | None:
    """Return the enterprise with this credit code (validated first) or None."""
    code = validate_credit_code(credit_code)
    return session.scalars(select(Enterprise).where(Enterprise.credit_code == code)).first()


def register_enterprise(
    session: Session,
    *,
    name: str,
    credit_code: str,
    contact_name: str = "",
    contact_phone: str = "",
    contact_openid: str | None = None,
    county_code: str | None = None,
    industry: str = "",
    is_demo: bool = False,
    actor: str = "system",
) -> Enterprise:
    """Return the enterprise with this credit code, creating it when new."""
    code = validate_credit_code(credit_code)
    enterprise = session.scalars(select(Enterprise).where(Enterprise.credit_code == code)).first()
    if enterprise is not None:
        if contact_openid and not enterprise.contact_openid:
            enterprise.contact_openid = contact_openid
        return enterprise
    enterprise = Enterprise(
        name=validate_text("name", name, label="企业名称", max_length=100),
        credit_code=code,
        contact_name=validate_text(
            "contact_name", contact_name, label="联系人", max_length=32, required=False
        ),
        contact_phone=validate_mobile(contact_phone) if contact_phone else "",
        contact_openid=contact_openid,
        county_code=county_code,
        industry=industry,
        is_demo=is_demo,
    )
    session.add(enterprise)
    session.flush()
    audit.record(session, actor, "create", "enterprise", enterprise.id)
    return enterprise


def submit_demand(
    session: Session,
    enterprise: Enterprise,
    *,
    title: str,
    description: str,
    cooperation_mode: str = "",
    deadline: date | None = None,
    budget: str = "",
    submitted_by_openid: str | None = None,
    status: DemandStatus = DemandStatus.PENDING_REVIEW,
    is_demo: bool = False,
    actor: str = "system",
) -> Demand:
    """Record a technical need, with keywords and industries derived from its text."""
    if cooperation_mode and cooperation_mode not in COOPERATION_MODES:
        raise ValidationError(
            "cooperation_mode",
            f"合作方式请从这些里选：{'、'.join(COOPERATION_MODES)}。",
            f"cooperation mode must be one of {', '.join(COOPERATION_MODES)}",
        )
    if deadline is not None and deadline < utcnow().date():
        raise ValidationError(
            "deadline", "截止日期已经过去了，请填一个今天以后的日期。", "deadline is in the past"
        )
    demand = Demand(
        enterprise=enterprise,
        title=validate_text("title", title, label="需求标题", max_length=100),
        description=validate_text("description", description, label="需求描述", max_length=4000),
        cooperation_mode=cooperation_mode,
        deadline=deadline,
        budget=validate_text("budget", budget, label="预算", max_length=60, required=False),
        submitted_by_openid=submitted_by_openid,
        status=status,
        is_demo=is_demo,
    )
    analysis = analyse(f"{demand.title}。{demand.description}")
    demand.keywords = analysis.keywords
    demand.industries = analysis.industries
    demand.discipline_codes = classify_discipline_codes(f"{demand.title}。{demand.description}")
    session.add(demand)
    session.flush()
    audit.record(session, actor, "create", "demand", demand.id)
    return demand


def review_demand(
    session: Session, demand: Demand, *, approve: bool, reviewer: str, note: str = ""
) -> None:
    """Approve or reject a pending need (``needs.review_need``; a rejection needs a note)."""
    from bot.services import needs

    decision = needs.ReviewDecision.APPROVE if approve else needs.ReviewDecision.REJECT
    needs.review_need(session, demand, decision=decision, reviewer=reviewer, note=note)


def get_demand(session: Session, demand_id: int) -> Demand | None:
    """Return the demand with ``demand_id`` or None."""
    return session.get(Demand, demand_id)


def list_demands(
    session: Session,
    *,
    status: DemandStatus | None = None,
    enterprise: Enterprise | None = None,
    submitted_by_openid: str | None = None,
    limit: int = 50,
) -> list[Demand]:
    """Return demands, newest first, optionally filtered."""
    query = select(Demand)
    if status is not None:
        query = query.where(Demand.status == status)
    if enterprise is not None:
        query = query.where(Demand.enterprise_id == enterprise.id)
    if submitted_by_openid is not None:
        query = query.where(Demand.submitted_by_openid == submitted_by_openid)
    return list(
        session.scalars(query.order_by(Demand.created_at.desc(), Demand.id.desc()).limit(limit))
    )


def count_demands(session: Session, status: DemandStatus | None = None) -> int:
    """Return how many demands there are (with ``status`` when given)."""
    query = select(func.count(Demand.id))
    if status is not None:
        query = query.where(Demand.status == status)
    return int(session.scalar(query) or 0)


def count_enterprises(session: Session) -> int:
    """Return how many enterprises are registered."""
    return int(session.scalar(select(func.count(Enterprise.id))) or 0)
