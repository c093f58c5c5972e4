"""An enterprise contact's needs by chat: detail with the review note, who said yes, changes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.config import Config
from bot.dispatch import Registry
from bot.models import DemandStatus
from bot.services import introductions, needs
from tests.bot.dialogs.conftest import Chat, talk
from tests.bot.services.cooperation_helpers import (
    approve,
    consenting_talent,
    new_index,
    outbox_for,
    submitted_need,
)
from tests.factories import valid_credit_code


def test_detail_shows_the_review_note_and_only_the_people_who_said_yes(
    chat: Chat, db_session: Session
) -> None:
    demand = submitted_need(db_session, chat.openid).demand
    needs.review_need(
        db_session, demand, decision=needs.ReviewDecision.APPROVE, reviewer="o", note="已补充关键词"
    )
    agreed = consenting_talent(db_session, name="周博士", phone="13911112222")
    silent = consenting_talent(db_session, name="吴工", phone="13933334444")
    introductions.propose_shortlist(db_session, new_index(), demand, actor="o")
    introductions.ask(db_session, demand, [agreed.id, silent.id], actor="o", answer_days=7)
    introductions.answer(db_session, agreed, yes=True)
    detail = talk(chat, [("需求1", "审核意见：已补充关键词")])[0]
    assert "周博士" in detail and "13911112222" in detail
    assert "吴工" not in detail and "13933334444" not in detail
    matches = talk(chat, [("有哪些人才匹配？", "愿意对接的人才")])[0]
    assert "周博士" in matches and "吴工" not in matches


def test_nobody_agreed_yet_gives_a_count_never_a_name(chat: Chat, db_session: Session) -> None:
    demand = submitted_need(db_session, chat.openid).demand
    approve(db_session, demand)
    asked = consenting_talent(db_session, name="郑工")
    introductions.propose_shortlist(db_session, new_index(), demand, actor="o")
    introductions.ask(db_session, demand, [asked.id], actor="o", answer_days=7)
    reply = talk(chat, [("需求1", "已邀请1位")])[0]
    assert "郑工" not in reply
    talk(chat, [("有哪些人才匹配", "本人同意后")])


def test_budget_change_keeps_an_approved_need_published(chat: Chat, db_session: Session) -> None:
    demand = submitted_need(db_session, chat.openid).demand
    approve(db_session, demand)
    talk(
        chat,
        [
            ("这个需求能改一下预算吗", "新的预算"),
            ("80万元", "已修改预算：80万元"),
        ],
    )
    assert demand.status == DemandStatus.APPROVED and demand.budget == "80万元"
    talk(
        chat,
        [
            ("修改需求1", "哪一项"),
            ("2", "新的需求描述"),
            ("我公司需要改进高镍正极材料的包覆工艺，提升循环寿命和安全性。", "重新审核"),
        ],
    )
    assert demand.status == DemandStatus.PENDING_REVIEW


def test_withdraw_and_close_by_chat(chat: Chat, db_session: Session) -> None:
    first = submitted_need(db_session, chat.openid, title="第一条需求：正极材料烧结").demand
    second = submitted_need(db_session, chat.openid, title="第二条需求：电解液配方").demand
    talk(chat, [("撤回需求", "请带上编号"), ("撤回需求2", "已撤回")])
    assert first.status == DemandStatus.WITHDRAWN, "numbered as listed: newest first"
    talk(chat, [("关闭需求", "已标记为已解决"), ("关闭需求1", "已经结束")])
    assert second.status == DemandStatus.CLOSED


def test_a_claimant_sees_only_their_own_need_and_never_the_first_contact(
    db_session: Session, chat_config: Config, chat_registry: Registry
) -> None:
    first = Chat(db_session, chat_config, chat_registry, openid="o-first-contact")
    claimant = Chat(db_session, chat_config, chat_registry, openid="o-claimant")
    submitted_need(
        db_session, first.openid, credit_seed=99, contact_name="张三", contact_phone="13711112222"
    )
    submitted_need(
        db_session, claimant.openid, credit_seed=99, contact_name="李四",
        contact_phone="13633334444", title="包覆工艺改进",
    )  # fmt: skip
    listed = talk(claimant, [("需求1", "包覆工艺改进")])[0]
    assert "张三" not in listed and "13711112222" not in listed
    talk(claimant, [("需求2", "没有第2条需求")])
    [asked] = outbox_for(db_session, first.openid)
    assert "李四" not in asked and "13633334444" not in asked
    talk(first, [("同意认领", "已确认"), ("同意认领", "没有需要您确认")])
    talk(claimant, [("需求2", "【高镍正极材料烧结工艺优化】")])


def _submit_by_chat(chat: Chat, code: str, contact: str, phone: str, title: str) -> None:
    talk(
        chat,
        [
            ("企业需求", "（1/9）"),
            ("焦作市怀川新材料有限公司", "（2/9）"),
            (code, "（3/9）"),
            (contact, "（4/9）"),
            (phone, "（5/9）"),
            (title, "（6/9）"),
            (
                "我公司生产锂离子电池正极材料，需要优化高镍三元材料的烧结工艺，提高循环寿命。",
                "（7/9）",
            ),
            ("2", "（8/9）"),
            ("跳过", "（9/9）"),
            ("跳过", "提炼的关键词"),
            ("确认", "等待市科技局审核"),
        ],
    )


def test_a_second_contact_by_chat_never_sees_the_first_contacts_details(
    db_session: Session, chat_config: Config, chat_registry: Registry
) -> None:
    first = Chat(db_session, chat_config, chat_registry, openid="o-v-first")
    second = Chat(db_session, chat_config, chat_registry, openid="o-a-second")
    code = valid_credit_code(5150)
    _submit_by_chat(first, code, "张三", "13711112222", "高镍正极材料烧结工艺优化")
    _submit_by_chat(second, code, "李四", "13633334444", "正极材料包覆工艺改进")
    listed = talk(second, [("我的需求", "正极材料包覆工艺改进")])[0]
    assert "高镍正极材料烧结工艺优化" not in listed and "确认中" in listed
    again = talk(second, [("企业需求", "李四")])[0]
    for secret in ("张三", "13711112222"):
        assert secret not in listed and secret not in again
    assert "张三" in talk(first, [("企业需求", "联系人还是")])[0]
