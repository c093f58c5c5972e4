"""Enterprise needs by chat: a bad then a good credit code, review status in 我的需求."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.dialogs.enterprise import parse_deadline
from bot.models import DemandStatus
from bot.services import enterprises
from bot.validators import CREDIT_CODE_CHARSET
from tests.bot.dialogs.conftest import Chat, talk
from tests.factories import make_demand, make_enterprise, valid_credit_code


def _with_wrong_check_character(code: str) -> str:
    wrong = next(char for char in CREDIT_CODE_CHARSET if char != code[-1])
    return code[:-1] + wrong


def test_enterprise_need_from_bad_credit_code_to_review(chat: Chat, db_session: Session) -> None:
    good = valid_credit_code(4242)
    talk(
        chat,
        [
            ("我的需求", "还没有提交过需求"),
            ("企业需求", "（1/9）"),
            ("焦作市怀川新材料有限公司", "（2/9）"),
            ("12345", "应为18位"),
            (_with_wrong_check_character(good), "校验位对不上"),
            (good.lower(), "（3/9）"),
            ("王经理", "（4/9）"),
            ("0391-1234567", "11位手机号"),
            ("13912345678", "（5/9）"),
            ("高镍正极材料烧结工艺优化", "（6/9）"),
            ("太短了", "至少10个字"),
            (
                "我公司生产锂离子电池正极材料，需要优化高镍三元材料的烧结工艺，提高循环寿命。",
                "（7/9）",
            ),
            ("7", "例如“2”"),
            ("2", "（8/9）"),
            ("2020-01-01", "已经过去"),
            ("有空再说", "没看懂这个日期"),
            ("2027年3月底前", "截止日期记为2027年03月31日"),
            ("跳过", "提炼的关键词"),
            ("修改 预算", "（9/9）"),
            ("50万元", "2027年03月31日"),
            ("确认", "等待市科技局审核"),
            ("我的需求", "高镍正极材料烧结工艺优化（焦作市怀川新材料有限公司）— 待审核"),
        ],
    )
    enterprise = enterprises.get_enterprise_by_credit_code(db_session, good)
    assert enterprise is not None
    assert (enterprise.contact_name, enterprise.contact_phone) == ("王经理", "13912345678")
    (demand,) = enterprises.list_demands(db_session, submitted_by_openid=chat.openid)
    assert demand.status == DemandStatus.PENDING_REVIEW
    assert (demand.cooperation_mode, demand.deadline, demand.budget) == (
        "合作研发",
        date(2027, 3, 31),
        "50万元",
    )
    assert demand.keywords and demand.description.endswith("的烧结工艺，提高循环寿命。")
    enterprises.review_demand(db_session, demand, approve=True, reviewer="console:wang")
    assert "已发布" in chat.click("DEMAND_MINE")


def test_back_and_cancel_in_the_enterprise_flow(chat: Chat) -> None:
    talk(
        chat,
        [
            ("发布需求", "（1/9）"),
            ("上一步", "已经是第一个问题"),
            ("焦作某公司", "（2/9）"),
            ("上一步", "（1/9）"),
            ("跳过", "没法跳过"),
            ("取消", "已取消"),
            ("我的需求", "还没有提交过需求"),
        ],
    )


def test_deadlines_in_the_forms_people_write() -> None:
    today = date(2026, 11, 30)
    assert parse_deadline("2027-03-05", today) == date(2027, 3, 5)
    assert parse_deadline("２０２７年３月５日", today) == date(2027, 3, 5)
    assert parse_deadline("2027/3", today) == date(2027, 3, 31)
    assert parse_deadline("2028年2月", today) == date(2028, 2, 29)
    assert parse_deadline("2027-02-30", today) is None
    # Issue 11: the usual relative forms, resolved in Asia/Shanghai from today.
    assert parse_deadline("明年3月底前", today) == date(2027, 3, 31)
    assert parse_deadline("年底前", today) == date(2026, 12, 31)
    assert parse_deadline("下个月", today) == date(2026, 12, 31)
    assert parse_deadline("随便吧", today) is None


def test_a_second_need_reuses_the_enterprise_details(chat: Chat, db_session: Session) -> None:
    enterprise = make_enterprise(
        db_session, contact_name="钱经理", contact_phone="13600001111", contact_openid=chat.openid
    )
    make_demand(db_session, enterprise, submitted_by_openid=chat.openid)
    talk(
        chat,
        [
            ("企业需求", "还是为“" + enterprise.name + "”发布、联系人还是钱经理吗"),
            ("嗯嗯", "回复“是”或“不是”"),
            ("是", "（5/9）"),
            ("上一步", "（4/9）"),
            ("13600001111", "（5/9）"),
            ("含氟精细化学品工艺放大", "（6/9）"),
            ("需要把实验室的含氟精细化学品合成工艺放大到百吨级，解决安全与收率问题。", "（7/9）"),
            ("合作研发", "（8/9）"),
            ("跳过", "（9/9）"),
            ("跳过", "1. 企业名称：" + enterprise.name),
            ("确认", "等待市科技局审核"),
        ],
    )
    assert len(enterprises.list_demands(db_session, submitted_by_openid=chat.openid)) == 2
    talk(chat, [("企业需求", "还是为"), ("不是", "（1/9）"), ("重新开始", "（1/9）")])


def test_another_persons_need_for_the_firm_offers_none_of_its_contact(
    chat: Chat, db_session: Session
) -> None:
    enterprise = make_enterprise(
        db_session, contact_name="钱经理", contact_phone="13600001111", contact_openid="o-other"
    )
    make_demand(db_session, enterprise, submitted_by_openid=chat.openid)
    reply = talk(chat, [("企业需求", "（1/9）")])[0]
    assert "钱经理" not in reply and "13600001111" not in reply


def test_correcting_an_earlier_answer_in_the_enterprise_flow(chat: Chat) -> None:
    talk(
        chat,
        [
            ("企业需求", "（1/9）"),
            ("焦作某科技公司", "（2/9）"),
            (valid_credit_code(99), "（3/9）"),
            ("修改 企业名称", "（1/9）"),
            ("焦作市某某科技有限公司", "（3/9）"),
            ("修改 预算", "还没填到"),
            ("改进型联系人", "（4/9）"),
        ],
    )
