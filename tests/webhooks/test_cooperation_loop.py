"""The whole cooperation loop through the signed /wechat callback, on each database backend.

An enterprise contact submits a need by chat, an organiser approves it, matching proposes a
registered talent, the organiser asks them, they answer 1, both sides get each other's contact,
the enterprise reports the agreement. Counted: the messages each person is sent.
"""

from __future__ import annotations

import itertools
import time

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import MatchingConfig
from bot.db import utcnow
from bot.models import MatchStatus, OutboxMessage, OutcomeKind
from bot.services import funnel, introductions, needs, talents
from bot.services.talent_search import TalentIndexCache
from tests.bot.dialogs.conftest import text_models_loaded  # noqa: F401 - autouse warm-up
from tests.bot.dialogs.test_registration import FULL_REGISTRATION
from tests.factories import valid_credit_code
from tests.webhooks.conftest import Phone, new_user

NEED = "我公司生产锂离子电池正极材料，需要优化高镍三元材料的烧结工艺，提高循环寿命。"


def _phone(client: FlaskClient, openid: str) -> Phone:
    # Events are de-duplicated by sender and second: each request gets its own second.
    ticks = itertools.count(time.time() - 120)
    return Phone(client, new_user(openid=openid, clock=lambda: next(ticks)))


def talk(phone: Phone, lines: list[tuple[str, str]]) -> list[str]:
    """Play a transcript through the callback; each reply must contain the expected fragment."""
    replies = []
    for says, expected in lines:
        reply = phone.say(says)
        assert expected in reply, f"\nuser: {says}\nbot:  {reply}\nexpected: {expected}"
        assert len(reply.encode()) <= 2048
        replies.append(reply)
    return replies


def _sent_to(session: Session, openid: str) -> list[str]:
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.openid == openid).order_by(OutboxMessage.id)
    )
    return [str(row.payload.get("content", "")) for row in rows]


@pytest.fixture
def firm(client: FlaskClient) -> Phone:
    return _phone(client, "o-loop-firm-contact-0001")


@pytest.fixture
def talent_phone(client: FlaskClient) -> Phone:
    return _phone(client, "o-loop-talent-zhangwei-01")


def test_need_review_proposal_ask_yes_both_told_and_outcome(
    firm: Phone, talent_phone: Phone, db_session: Session
) -> None:
    talk(talent_phone, FULL_REGISTRATION)
    talk(
        firm,
        [
            ("企业需求", "（1/9）"),
            ("焦作市怀川新材料有限公司", "（2/9）"),
            (valid_credit_code(31337), "（3/9）"),
            ("王经理", "（4/9）"),
            ("13912345678", "（5/9）"),
            ("高镍正极材料烧结工艺优化", "（6/9）"),
            (NEED, "（7/9）"),
            ("2", "（8/9）"),
            ("跳过", "（9/9）"),
            ("50万元", "提炼的关键词"),
            ("确认", "等待市科技局审核"),
        ],
    )
    (demand,) = needs.visible_needs(db_session, firm.user.openid)
    needs.review_need(
        db_session, demand, decision=needs.ReviewDecision.APPROVE, reviewer="organiser"
    )
    assert "已通过审核" in _sent_to(db_session, firm.user.openid)[-1]
    talk(firm, [("需求1", "已发布"), ("有哪些人才匹配？", "还没有人才回复愿意")])

    index = TalentIndexCache(MatchingConfig(min_score=0.0))
    shortlist = introductions.propose_shortlist(db_session, index, demand, actor="organiser")
    zhang = talents.get_talent_by_openid(db_session, talent_phone.user.openid)
    assert zhang is not None and [e.talent.id for e in shortlist] == [zhang.id]
    introductions.ask(db_session, demand, [zhang.id], actor="organiser", answer_days=7)
    [ask] = _sent_to(db_session, talent_phone.user.openid)
    assert "回复 1 愿意对接" in ask and "王经理" not in ask and "13912345678" not in ask

    reply = talk(talent_phone, [("1", "企业联系人")])[0]
    assert "王经理" in reply and "13912345678" in reply
    told = _sent_to(db_session, firm.user.openid)[-1]
    assert "张伟" in told and "13812345678" in told
    talk(talent_phone, [("我的对接", "已同意")])
    talk(
        firm,
        [
            ("有哪些人才匹配？", "张伟"),
            ("对接进展", "张伟"),
            ("进展1 已签约", "签约金额"),
            ("30", "已签约 30万元"),
        ],
    )
    db_session.expire_all()  # the callback changed these rows in its own session
    (agreement,) = funnel.outcomes_of(db_session, demand)
    assert (agreement.kind, agreement.amount_wan) == (OutcomeKind.AGREEMENT, 30)
    (match,) = introductions.asks_of(db_session, zhang)
    assert match.status == MatchStatus.INTRODUCED

    from bot.config import TargetsConfig

    stages = funnel.funnel(db_session, utcnow().year, TargetsConfig())
    assert [stage.count for stage in stages.stages] == [1, 1, 1, 1, 1, 1, 1, 0]
    # Messages pushed (beyond the replies to what they said) in a full cycle, per person.
    assert len(_sent_to(db_session, firm.user.openid)) == 2  # approved; someone agreed
    assert len(_sent_to(db_session, talent_phone.user.openid)) == 1  # the ask
