"""Factories for test data, built through the services like real data."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import Demand, Enterprise, Event, Talent
from bot.services import enterprises, events, talents
from bot.validators import CREDIT_CODE_CHARSET, credit_code_check_char

_sequence = itertools.count(1)


def valid_credit_code(seed: int | None = None) -> str:
    """Return a credit code with a correct GB 32100 check character."""
    rng = random.Random(seed if seed is not None else next(_sequence))
    body = "91410800" + "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(9))
    return body + credit_code_check_char(body)


def make_talent(session: Session, **overrides: Any) -> Talent:
    """Create a talent with believable defaults."""
    number = next(_sequence)
    fields: dict[str, Any] = {
        "name": f"测试人{number}",
        "openid": f"o-test-{number}",
        "origin_code": "410825",
        "origin_name": "焦作市温县",
        "city": "北京",
        "employer": "清华大学",
        "title": "副教授",
        "education": "博士",
        "expertise": "锂离子电池正极材料与固态电解质的研究，高镍三元材料的产业化",
        "cooperation_wishes": ["技术咨询", "项目合作"],
    }
    fields.update(overrides)
    return talents.create_talent(session, **fields)


def make_enterprise(session: Session, **overrides: Any) -> Enterprise:
    """Create an enterprise with a valid credit code."""
    number = next(_sequence)
    fields: dict[str, Any] = {
        "name": f"焦作市测试科技有限公司{number}",
        "credit_code": valid_credit_code(number),
        "contact_name": "王经理",
        "county_code": "410811",
    }
    fields.update(overrides)
    return enterprises.register_enterprise(session, **fields)


def make_demand(session: Session, enterprise: Enterprise | None = None, **overrides: Any) -> Demand:
    """Create a technical need of ``enterprise`` (a new one when not given)."""
    fields: dict[str, Any] = {
        "title": "高镍正极材料烧结工艺优化",
        "description": (
            "我公司生产锂离子电池正极材料，需要优化高镍三元材料的烧结工艺，提高循环寿命。"
        ),
        "cooperation_mode": "合作研发",
    }
    fields.update(overrides)
    return enterprises.submit_demand(session, enterprise or make_enterprise(session), **fields)


def make_event(session: Session, **overrides: Any) -> Event:
    """Create an event a month from now."""
    fields: dict[str, Any] = {
        "title": "新材料院地合作对接会",
        "starts_at": utcnow() + timedelta(days=30),
        "topics": ["新材料", "锂电池材料"],
        "location": "焦作市山阳区",
    }
    fields.update(overrides)
    return events.create_event(session, **fields)
