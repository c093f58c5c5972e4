"""Conversations driven through the signed /wechat callback, as a follower would have them."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import Base
from bot.models import DemandStatus, DialogState
from bot.services import enterprises, talents
from bot.validators import CREDIT_CODE_CHARSET
from tests.bot.dialogs.conftest import text_models_loaded  # noqa: F401 - autouse warm-up
from tests.bot.dialogs.test_registration import FULL_REGISTRATION
from tests.factories import valid_credit_code
from tests.webhooks.conftest import Phone, new_user


def _ticking_clock() -> itertools.count[float]:
    # Events are de-duplicated by sender and second: give each request its own second.
    return itertools.count(time.time() - 120)


@pytest.fixture
def person(client: FlaskClient) -> Phone:
    """Return a follower whose requests are one second apart."""
    ticks = _ticking_clock()
    return Phone(client, new_user(clock=lambda: next(ticks)))


def talk(phone: Phone, lines: list[tuple[str, str]]) -> None:
    """Play a transcript through the callback; each reply must contain the expected fragment."""
    for says, expected in lines:
        reply = phone.say(says)
        assert expected in reply, f"\nuser: {says}\nbot:  {reply}\nexpected: {expected}"


def test_follow_then_register_through_the_callback(person: Phone, db_session: Session) -> None:
    assert "注册" in person.send(person.user.subscribe()).text
    talk(person, FULL_REGISTRATION)
    talent = talents.get_talent_by_openid(db_session, person.user.openid)
    assert talent is not None
    assert (talent.name, talent.origin_code, talent.phone) == ("张伟", "410825", "13812345678")
    assert "已经登记过了" in person.send(person.user.click("REGISTER")).text
    assert "1. 姓名：张伟" in person.send(person.user.click("PROFILE")).text


def test_registration_in_safe_mode_with_voice_and_an_image(client: FlaskClient) -> None:
    ticks = _ticking_clock()
    phone = Phone(client, new_user(mode="safe", clock=lambda: next(ticks)))
    assert "同意书版本" in phone.send(phone.user.click("REGISTER")).text
    talk(phone, [("同意", "（1/9）")])
    assert "只能看懂文字" in phone.send(phone.user.image()).text
    assert "（2/9）" in phone.send(phone.user.voice(recognition="刘洋。")).text


def test_corrections_and_going_back_through_the_callback(
    person: Phone, db_session: Session
) -> None:
    talk(
        person,
        [
            ("注册", "同意"),
            ("同意", "（1/9）"),
            ("刘洋", "（2/9）"),
            ("上一步", "（1/9）"),
            ("刘阳", "（2/9）"),
            ("沁阳", "焦作市沁阳市，对吗"),
            ("不对", "（2/9）"),
            ("修武", "焦作市修武县，对吗"),
            ("对", "（3/9）"),
            ("广州", "（4/9）"),
            ("修改 籍贯", "（2/9）"),
            ("孟州", "焦作市孟州市，对吗"),
            ("对", "（4/9）"),
            ("中山大学", "（5/9）"),
            ("跳过", "（6/9）"),
            ("3", "（7/9）"),
            ("氟化工新材料的研发", "关键词"),
            ("氟化工，含氟聚合物", "（8/9）"),
            ("项目合作 回乡创业", "（9/9）"),
            ("liu@example.com", "请核对"),
            ("5", "（5/9）"),
            ("副研究员", "请核对"),
            ("确认", "登记完成"),
        ],
    )
    talent = talents.get_talent_by_openid(db_session, person.user.openid)
    assert talent is not None
    assert (talent.name, talent.origin_name, talent.title) == ("刘阳", "焦作市孟州市", "副研究员")
    assert talent.keywords == ["氟化工", "含氟聚合物"]
    assert talent.cooperation_wishes == ["项目合作", "回乡创业/投资"]
    assert talent.email == "liu@example.com"


def test_registration_resumes_after_a_break(person: Phone, db_session: Session) -> None:
    talk(person, FULL_REGISTRATION[:7])
    (state,) = db_session.scalars(select(DialogState))
    state.updated_at -= timedelta(days=4)  # four days pass
    db_session.flush()
    talk(
        person,
        [
            ("你好", "上次停在第5步（职务/职称）"),
            ("继续", "（5/9）"),
            *FULL_REGISTRATION[7:],
        ],
    )
    assert talents.get_talent_by_openid(db_session, person.user.openid) is not None


def test_erase_through_the_callback_leaves_nothing_personal(
    person: Phone, db_session: Session
) -> None:
    talk(person, FULL_REGISTRATION)
    talk(person, [("导出", "姓名：张伟"), ("注销", "确认注销"), ("确认注销", "已经注销")])
    db_session.expire_all()
    for table in Base.metadata.sorted_tables:
        for row in db_session.execute(select(table)):
            text = repr(tuple(row))
            for personal in (person.user.openid, "张伟", "13812345678", "清华大学", "锂离子"):
                assert personal not in text, f"{personal} left in {table.name}"
    talk(person, [("我的资料", "还没有登记"), ("注册", "同意书版本")])


def test_enterprise_need_with_a_bad_then_a_good_credit_code(
    person: Phone, db_session: Session
) -> None:
    good = valid_credit_code(777)
    bad = good[:-1] + next(char for char in CREDIT_CODE_CHARSET if char != good[-1])
    talk(
        person,
        [
            ("企业需求", "（1/9）"),
            ("焦作市覃怀药业有限公司", "（2/9）"),
            (bad, "校验位对不上"),
            (good, "（3/9）"),
            ("赵经理", "（4/9）"),
            ("13700001111", "（5/9）"),
            ("怀山药深加工技术攻关", "（6/9）"),
            (
                "我们加工怀山药，想开发高附加值的深加工产品，需要中药材和食品工程方面的专家。",
                "（7/9）",
            ),
            ("1", "（8/9）"),
            ("跳过", "（9/9）"),
            ("面议", "提炼的关键词"),
            ("确认", "等待市科技局审核"),
        ],
    )
    assert "待审核" in person.send(person.user.click("DEMAND_MINE")).text
    (demand,) = enterprises.list_demands(db_session, submitted_by_openid=person.user.openid)
    assert (demand.status, demand.cooperation_mode, demand.deadline) == (
        DemandStatus.PENDING_REVIEW,
        "技术咨询",
        None,
    )
