"""Profile self-service by chat: view, change, privacy, export and erase."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import Base
from bot.models import ConsentPurpose
from bot.services import audit, consents, talents
from tests.bot.dialogs.conftest import Chat, talk
from tests.bot.dialogs.test_registration import FULL_REGISTRATION


def test_profile_commands_ask_unregistered_people_to_register(chat: Chat) -> None:
    for says in ("我的资料", "修改 单位", "隐私", "导出", "注销", "撤回邀请"):
        assert "回复“注册”" in chat.send(says)
    assert "回复“注册”" in chat.click("PROFILE")


def test_view_and_change_fields(chat: Chat, db_session: Session) -> None:
    talk(chat, FULL_REGISTRATION)
    talk(
        chat,
        [
            ("我的资料", "4. 工作单位：清华大学材料学院"),
            ("修改", "修改 单位"),
            ("修改 单位", "现在是：清华大学材料学院"),
            ("北京大学化学学院", "工作单位是：北京大学化学学院"),
            ("修改手机", "联系方式"),
            ("123", "例如 13812345678"),
            ("13987654321", "13987654321"),
            ("修改 籍贯", "籍贯"),
            ("博爱县", "焦作市博爱县，对吗"),
            ("对", "籍贯是：焦作市博爱县"),
            ("修改 研究方向", "专业领域"),
            ("怀山药深加工与中药材质量标准", "关键词"),
            ("怀山药，中药材", "关键词：怀山药、中药材"),
            ("修改 城市", "现在是：北京"),
            ("取消", "没有改动"),
        ],
    )
    talent = talents.get_talent_by_openid(db_session, chat.openid)
    assert talent is not None
    assert (talent.employer, talent.phone, talent.origin_code) == (
        "北京大学化学学院",
        "13987654321",
        "410822",
    )
    assert talent.expertise == "怀山药深加工与中药材质量标准"
    assert "锂离子电池" not in talent.keywords and "怀山药" in talent.keywords
    entries = audit.entries_for(db_session, "talent", talent.id)
    updates = [entry for entry in entries if entry.action == "update"]
    assert len(updates) == 4 and all(e.actor == "self" for e in updates)


def test_privacy_shows_access_and_withdraws_consents(chat: Chat, db_session: Session) -> None:
    talk(chat, FULL_REGISTRATION)
    talent = talents.get_talent_by_openid(db_session, chat.openid)
    assert talent is not None
    audit.record(db_session, "console:wang", "read", "talent", talent.id)
    consents.record_consent(
        db_session,
        purpose=ConsentPurpose.INTRODUCTION,
        version="2026-11",
        granted=True,
        talent=talent,
        scope="demand:7",
    )
    db_session.flush()
    reply = chat.send("隐私")
    assert "姓名、籍贯、工作城市、工作单位" in reply and "openid" in reply
    assert "工作人员（wang）查看了您的资料" in reply
    assert "登记入库：已同意" in reply and "接收活动邀请：已同意" in reply
    talk(
        chat,
        [
            ("撤回邀请", "已撤回"),
            ("撤回邀请", "没有接收活动邀请的授权"),
            ("撤回引荐", "已撤回1项"),
            ("撤回引荐", "不需要撤回"),
            ("隐私", "接收活动邀请：已撤回"),
            ("恢复邀请", "已恢复"),
        ],
    )
    assert consents.has_consent(db_session, talent, ConsentPurpose.INVITATIONS)
    assert not consents.has_consent(db_session, talent, ConsentPurpose.INTRODUCTION, "demand:7")


def test_export_sends_everything_split_into_messages(chat: Chat, db_session: Session) -> None:
    talk(chat, FULL_REGISTRATION)
    talk(chat, [("修改 专业", "专业领域"), ("锂离子电池" + "正极材料研究。" * 150, "关键词")])
    talk(chat, [("锂离子电池，正极材料", "改好了")])
    reply = chat.send("导出")
    assert "姓名：张伟" in reply and "全部资料" in reply
    assert chat.followups, "a long export continues in follow-up messages"
    assert all(len(part) <= 600 for part in chat.followups)
    everything = reply + "".join(chat.followups)
    assert "13812345678" in everything and "登记入库：已同意" in everything


def test_erase_asks_first_then_leaves_nothing_personal(chat: Chat, db_session: Session) -> None:
    talk(chat, FULL_REGISTRATION)
    talk(chat, [("注销", "确认注销"), ("算了", "保留"), ("注销", "确认注销"), ("不了", "保留")])
    assert talents.get_talent_by_openid(db_session, chat.openid) is not None
    talk(chat, [("注销", "确认注销"), ("确认注销", "已经注销")])
    db_session.expire_all()
    for table in Base.metadata.sorted_tables:
        for row in db_session.execute(select(table)):
            text = repr(tuple(row))
            for personal in (chat.openid, "张伟", "13812345678", "清华大学"):
                assert personal not in text, f"{personal} left in {table.name}"
    talk(chat, [("我的资料", "还没有登记"), ("注册", "同意"), ("同意", "（1/9）")])


def test_an_edit_left_for_days_is_recalled_by_its_field(chat: Chat, db_session: Session) -> None:
    talk(chat, FULL_REGISTRATION)
    talk(chat, [("修改 单位", "现在是：清华大学材料学院")])
    chat.wait(days=2)
    talk(chat, [("你好", "上次停在“工作单位”这一步"), ("继续", "工作单位"), ("浙江大学", "改好了")])
    talent = talents.get_talent_by_openid(db_session, chat.openid)
    assert talent is not None and talent.employer == "浙江大学"


def test_changing_only_the_keywords(chat: Chat, db_session: Session) -> None:
    talk(chat, FULL_REGISTRATION)
    talk(
        chat,
        [
            ("修改 关键词", "现在是：锂离子电池、正极材料、固态电解质"),
            ("对", "和原来一样"),
            ("修改关键词", "锂离子电池"),
            ("锂电池；正极材料；钠离子电池", "钠离子电池"),
        ],
    )
    talent = talents.get_talent_by_openid(db_session, chat.openid)
    assert talent is not None
    assert talent.keywords == ["锂电池", "正极材料", "钠离子电池"]
    assert talent.expertise == "锂离子电池正极材料和固态电解质的研发"
