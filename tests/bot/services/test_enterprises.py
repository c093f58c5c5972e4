from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import DemandStatus
from bot.services import enterprises
from bot.validators import ValidationError
from tests.factories import make_demand, make_enterprise, valid_credit_code


def test_same_credit_code_returns_the_same_enterprise(db_session: Session) -> None:
    code = valid_credit_code(42)
    first = make_enterprise(db_session, credit_code=code)
    second = make_enterprise(db_session, credit_code=code.lower(), name="别的名字")
    assert first.id == second.id


def test_invalid_credit_code_is_refused(db_session: Session) -> None:
    code = valid_credit_code(1)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError):
        make_enterprise(db_session, credit_code=wrong)
    assert enterprises.count_enterprises(db_session) == 0


def test_demand_gets_keywords_and_waits_for_review(db_session: Session) -> None:
    demand = make_demand(db_session)
    assert demand.status == DemandStatus.PENDING_REVIEW
    assert demand.keywords
    enterprises.review_demand(db_session, demand, approve=True, reviewer="console:organiser")
    assert demand.status == DemandStatus.APPROVED
    assert demand.reviewed_at is not None
    with pytest.raises(ValidationError):
        enterprises.review_demand(db_session, demand, approve=False, reviewer="console:organiser")


def test_past_deadline_and_unknown_mode_are_refused(db_session: Session) -> None:
    enterprise = make_enterprise(db_session)
    yesterday: date = utcnow().date() - timedelta(days=1)
    with pytest.raises(ValidationError, match="deadline"):
        make_demand(db_session, enterprise, deadline=yesterday)
    with pytest.raises(ValidationError, match="cooperation"):
        make_demand(db_session, enterprise, cooperation_mode="送钱")


def test_list_demands_filters_by_status_and_submitter(db_session: Session) -> None:
    enterprise = make_enterprise(db_session)
    make_demand(db_session, enterprise, submitted_by_openid="o-boss")
    approved = make_demand(db_session, enterprise, title="废水处理工艺改进")
    enterprises.review_demand(db_session, approved, approve=True, reviewer="x")
    assert [
        d.title for d in enterprises.list_demands(db_session, status=DemandStatus.APPROVED)
    ] == ["废水处理工艺改进"]
    assert len(enterprises.list_demands(db_session, submitted_by_openid="o-boss")) == 1
