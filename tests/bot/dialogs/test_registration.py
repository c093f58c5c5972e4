"""Registration by chat, as transcripts: what the person says and what HuaiCai answers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import matching
from bot.models import Consent, ConsentPurpose, DialogState, Talent
from bot.services import consents, stats, talents
from matching import OriginCandidate
from tests.bot.dialogs.conftest import Chat, talk
from tests.factories import make_talent

FULL_REGISTRATION = [
    ("注册", "同意"),
    ("同意", "（1/9）"),
    ("张伟", "（2/9）您的籍贯"),
    ("老家温县", "焦作市温县，对吗"),
    ("对", "（3/9）"),
    ("北京", "（4/9）"),
    ("清华大学材料学院", "（5/9）"),
    ("教授", "（6/9）"),
    ("1", "（7/9）"),
    ("锂离子电池正极材料和固态电解质的研发", "关键词"),
    ("锂离子电池，正极材料，固态电解质", "（8/9）"),
    ("1 3 5", "（9/9）"),
    ("13812345678", "请核对"),
    ("确认", "登记完成"),
]


def test_full_registration_creates_the_talent(chat: Chat, db_session: Session) -> None:
    replies = talk(chat, FULL_REGISTRATION)
    assert "博士" in replies[-2] and "技术咨询、成果转化、兼职/顾问" in replies[-2]
    talent = talents.get_talent_by_openid(db_session, chat.openid)
    assert talent is not None
    assert (talent.name, talent.origin_code, talent.origin_name) == ("张伟", "410825", "焦作市温县")
    assert talent.is_from_jiaozuo is True
    assert (talent.city, talent.employer, talent.title, talent.education) == (
        "北京",
        "清华大学材料学院",
        "教授",
        "博士",
    )
    assert talent.keywords == ["锂离子电池", "正极材料", "固态电解质"]
    assert talent.cooperation_wishes == ["技术咨询", "成果转化", "兼职/顾问"]
    assert talent.phone == "13812345678"
    granted = {c.purpose for c in talent.consents if c.granted}
    assert granted == {ConsentPurpose.REGISTRATION, ConsentPurpose.INVITATIONS}
    assert all(c.version == "2026-11" for c in talent.consents)
    assert db_session.scalars(select(DialogState)).all() == []


def test_declining_consent_stores_only_the_refusal(chat: Chat, db_session: Session) -> None:
    talk(chat, [("登记", "同意书版本 2026-11"), ("不同意", "没有保存")])
    assert db_session.scalars(select(Talent)).all() == []
    assert db_session.scalars(select(DialogState)).all() == []
    (consent,) = db_session.scalars(select(Consent).where(Consent.openid == chat.openid))
    assert (consent.granted, consent.purpose, consent.version) == (
        False,
        ConsentPurpose.REGISTRATION,
        "2026-11",
    )


def test_back_and_corrections_at_the_summary(chat: Chat, db_session: Session) -> None:
    talk(
        chat,
        [
            ("入库", "同意"),
            ("同意", "（1/9）"),
            ("上一步", "已经是第一个问题"),
            ("李娜", "（2/9）"),
            ("上一步", "（1/9）"),
            ("李娜", "（2/9）"),
            ("武陟", "焦作市武陟县，对吗"),
            ("不对", "（2/9）"),
            ("孟州", "焦作市孟州市，对吗"),
            ("是的。", "（3/9）"),
            ("跳过", "（4/9）"),
            ("上一步", "（3/9）"),
            ("上海", "（4/9）"),
            ("复旦大学", "（5/9）"),
            ("研究员", "（6/9）"),
            ("研究生", "（7/9）"),
            ("怀山药和中药材质量标准", "关键词"),
            ("怀山药，质量标准，道地药材", "（8/9）"),
            ("技术咨询 讲座", "（9/9）"),
            ("不留", "请核对"),
            ("修改 单位", "（4/9）"),
            ("复旦大学药学院", "请核对"),
            ("6", "（6/9）"),
            ("博士", "请核对"),
            ("确认", "登记完成"),
        ],
    )
    talent = talents.get_talent_by_openid(db_session, chat.openid)
    assert talent is not None
    assert (talent.origin_name, talent.city, talent.employer) == (
        "焦作市孟州市",
        "上海",
        "复旦大学药学院",
    )
    assert talent.education == "博士"
    assert talent.keywords == ["怀山药", "质量标准", "道地药材"]
    assert talent.cooperation_wishes == ["技术咨询", "讲座培训"]
    assert (talent.phone, talent.email) == ("", "")


def test_validation_failures_explain_with_an_example(chat: Chat) -> None:
    talk(chat, [("注册", "同意"), ("同意", "姓名")])
    talk(
        chat,
        [
            ("😀😀", "例如：张伟"),
            ("Ｒｏｂｅｒｔ'); DROP TABLE talents;--", "例如：张伟"),
            ("王" * 40, "最多32个字"),
            ("王　芳。", "籍贯"),
            ("温县", "对吗"),
            ("对", "城市"),
            ("北京", "单位"),
            ("跳过", "职务"),
            ("跳过", "学历"),
            ("小学毕业", "例如“2”"),
            ("9", "例如“2”"),
            ("跳过", "专业领域"),
            ("跳过", "没法跳过"),
            ("AI", "再多写几个字"),
            ("氟化工新材料", "关键词"),
            ("氟化工", "合作"),
            ("12", "（9/9）"),
            ("1381234", "例如 13812345678"),
            ("abc@", "name@example.com"),
            ("13812345678 wang@Example.COM", "wang@example.com"),
        ],
    )


def test_non_text_messages_get_the_same_question_again(chat: Chat) -> None:
    talk(chat, [("注册", "同意"), ("同意", "姓名")])
    for kind in ("image", "location", "link"):
        reply = chat.send(kind=kind)
        assert "只能看懂文字" in reply and "（1/9）" in reply
    reply = chat.send("https://mp.weixin.qq.com/s/abc")
    assert "链接我这边打不开" in reply and "（1/9）" in reply
    assert "（2/9）" in chat.send("赵强")


def test_unfinished_registration_resumes_after_days(chat: Chat, db_session: Session) -> None:
    talk(
        chat,
        [("注册", "同意"), ("同意", "姓名"), ("陈静", "籍贯"), ("沁阳", "对吗"), ("对", "城市")],
    )
    chat.wait(days=3)
    talk(
        chat,
        [
            ("在吗", "上次停在第3步（工作城市）"),
            ("继续", "（3/9）"),
            ("深圳", "（4/9）"),
        ],
    )
    chat.wait(days=2)
    talk(chat, [("注册", "欢迎回来"), ("华为", "（5/9）")])
    chat.wait(hours=5)
    talk(chat, [("取消", "已取消"), ("继续", "没有填到一半")])
    assert db_session.scalars(select(DialogState)).all() == []
    assert db_session.scalars(select(Talent)).all() == []


def test_restart_and_help(chat: Chat) -> None:
    talk(
        chat,
        [
            ("注册", "同意"),
            ("帮助", "回复“同意”开始登记"),
            ("重新开始", "同意"),
            ("同意", "（1/9）"),
            ("周明", "（2/9）"),
            ("帮助", "焦作之友"),
            ("重新开始", "从头来"),
        ],
    )
    assert "（2/9）" in chat.send("周明")


def test_people_from_elsewhere_register_as_friends_of_jiaozuo(
    chat: Chat, db_session: Session
) -> None:
    talk(
        chat,
        [
            ("注册", "同意"),
            ("同意", "姓名"),
            ("Anna Schmidt", "籍贯"),
            ("德国慕尼黑", "焦作之友"),
            ("是", "（3/9）"),
        ],
    )
    for says in (
        "慕尼黑",
        "跳过",
        "跳过",
        "跳过",
        "新能源汽车电池管理系统",
        "电池管理",
        "2",
        "跳过",
    ):
        chat.send(says)
    assert "登记完成" in chat.send("确认")
    talent = talents.get_talent_by_openid(db_session, chat.openid)
    assert talent is not None
    assert (talent.is_from_jiaozuo, talent.origin_code, talent.origin_name) == (
        False,
        None,
        "德国慕尼黑",
    )


def test_registered_person_saying_register_sees_the_profile(chat: Chat) -> None:
    talk(chat, FULL_REGISTRATION)
    reply = chat.send("注册")
    assert "已经登记过了" in reply and "张伟" in reply and "焦作市温县" in reply
    assert "已经登记过了" in chat.click("REGISTER")


def test_other_commands_during_registration_are_obeyed_not_stored(chat: Chat) -> None:
    talk(chat, [("注册", "同意"), ("同意", "姓名"), ("孙丽", "籍贯"), ("温县", "对吗")])
    talk(chat, [("对", "（3/9）"), ("我的资料", "还没有登记"), ("继续", "（3/9）")])
    reply = chat.send("我的需求")
    assert "还没有提交过需求" in reply and "人才登记还没完成" in reply
    assert "（4/9）" in chat.send("杭州")


def test_correcting_an_earlier_answer_mid_way(chat: Chat, db_session: Session) -> None:
    talk(chat, FULL_REGISTRATION[:6])
    talk(
        chat,
        [
            ("修改 专业", "还没填到"),
            ("修改 名字", "（1/9）"),
            ("张卫", "（4/9）"),
            ("修改 籍贯", "（2/9）"),
            ("武陟", "焦作市武陟县，对吗"),
            ("对", "（4/9）"),
            ("上一步", "（3/9）"),
            ("北京", "（4/9）"),
        ],
    )
    for says, _expected in FULL_REGISTRATION[6:]:
        chat.send(says)
    talent = talents.get_talent_by_openid(db_session, chat.openid)
    assert talent is not None
    assert (talent.name, talent.origin_code, talent.city) == ("张卫", "410823", "北京")


def test_close_origin_candidates_are_offered_to_choose(
    chat: Chat, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidates = {
        "温陟": [
            OriginCandidate("410825", "焦作市温县", 0.6, ("温",)),
            OriginCandidate("410823", "焦作市武陟县", 0.55, ("陟",)),
            OriginCandidate("410825", "焦作市温县", 0.5, ("温",)),
        ],
        "济源": [
            OriginCandidate("419001", "济源市", 0.9, ("济源",), "historical", in_jiaozuo=False),
            OriginCandidate("410800", "焦作市", 0.3, ("济源",)),
        ],
    }
    monkeypatch.setattr(matching, "recognise_origin", lambda text: candidates.get(text, []))
    talk(chat, [("注册", "同意"), ("同意", "姓名"), ("郑华", "籍贯")])
    reply = chat.send("温陟")
    assert "1. 焦作市温县\n2. 焦作市武陟县\n都不是" in reply
    talk(chat, [("3", "请回复序号"), ("济源", "济源市”，它现在不属于焦作市")])
    talk(chat, [("温陟", "哪一个"), ("2", "（3/9）")])
    assert chat.send("上一步").endswith("例如：温县、武陟县詹店镇、焦作市解放区。")


def test_a_city_wide_answer_is_asked_for_the_county(chat: Chat, db_session: Session) -> None:
    talk(chat, [("注册", "同意"), ("同意", "姓名"), ("吴刚", "籍贯")])
    talk(chat, [("怀川人", "能再具体到县"), ("山阳区", "焦作市山阳区，对吗"), ("不对", "籍贯")])
    talk(chat, [("怀川人", "能再具体到县"), ("对", "（3/9）")])
    (state,) = db_session.scalars(select(DialogState))
    assert (state.data["origin_code"], state.data["origin_name"]) == ("410800", "焦作市")


def test_overlong_extracted_phrases_are_dropped(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(matching, "extract_keywords", lambda text, top_k=10: ["长" * 40, "锂电池"])
    talk(chat, FULL_REGISTRATION[:9])
    reply = chat.send("锂电池材料")
    assert "锂电池" in reply and "长" * 40 not in reply


def test_an_imported_person_sees_the_notice_and_confirms_once(
    chat: Chat, db_session: Session
) -> None:
    talent = make_talent(db_session, openid=chat.openid, name="周杰", source="import")
    talent.is_following = False
    db_session.flush()

    def awaiting() -> int:
        query = select(func.count()).select_from(Talent).where(stats.awaiting_confirmation())
        return db_session.scalar(query) or 0

    assert awaiting() == 1
    notice = talk(chat, [("确认入库", "还没有经过您本人确认")])[0]
    assert "周杰" in notice and "谁能看到" in notice and "同意入库" in notice
    assert len(notice.encode()) <= 2048
    # 注册 from an imported person asks for the same confirmation, not a new registration.
    talk(chat, [("注册", "同意入库")])
    assert awaiting() == 1, "nothing is recorded before the person agrees"
    talk(chat, [("同意入库", "正式加入")])
    assert consents.has_consent(db_session, talent, ConsentPurpose.REGISTRATION)
    assert consents.has_consent(db_session, talent, ConsentPurpose.INVITATIONS)
    assert talent.is_following and awaiting() == 0
    talk(chat, [("同意入库", "已经确认过了"), ("注册", "周杰")])


def test_a_person_registered_by_chat_is_not_asked_to_confirm_an_import(
    chat: Chat, db_session: Session
) -> None:
    talk(chat, FULL_REGISTRATION)
    talk(chat, [("同意入库", "已经确认过了"), ("确认入库", "张伟")])


@pytest.mark.parametrize(
    ("description", "keyword"),
    [
        ("律师，主要做公司并购、知识产权诉讼，还有劳动争议", "劳动争议"),
        ("我是搞冶金的，炼钢连铸，还有轧钢工艺", "轧钢工艺"),
        ("开奶茶店的，加盟了两家，现在自己研发新品", ""),
    ],
)
def test_a_description_with_haiyou_or_jiameng_is_read_not_refused(
    chat: Chat, description: str, keyword: str
) -> None:
    # 还有 and 加 edit a shown keyword list; inside a description they are words of it.
    talk(chat, FULL_REGISTRATION[:9])
    reply = chat.send(description)
    assert "没法填进这一项" not in reply
    assert keyword in reply


def test_an_edit_command_at_the_field_question_is_still_refused(chat: Chat) -> None:
    talk(chat, FULL_REGISTRATION[:9])
    assert "没法填进这一项" in chat.send("把锂电池去掉")


def test_a_keyword_without_a_word_is_not_stored(chat: Chat, db_session: Session) -> None:
    talk(chat, FULL_REGISTRATION[:9])
    talk(chat, [("在工厂流水线上干活", "关键词"), ("5", "关键词要写成词语")])
    talent = talents.get_talent_by_openid(db_session, chat.openid)
    assert talent is None


@pytest.mark.parametrize("answer", ["初中", "技校", "小学", "职高"])
def test_school_levels_below_high_school_are_other(chat: Chat, answer: str) -> None:
    talk(chat, FULL_REGISTRATION[:8])
    assert "（7/9）" in chat.send(answer)


def test_one_new_term_under_the_shown_list_is_added_and_shown(
    chat: Chat, db_session: Session
) -> None:
    talk(chat, FULL_REGISTRATION[:9])
    talk(chat, [("主要做公司并购和知识产权诉讼", "知识产权诉讼")])
    reply = chat.send("劳动争议")
    assert "知识产权诉讼" in reply and "劳动争议" in reply and "（8/9）" not in reply
    assert "（8/9）" in chat.send("对")
    state = db_session.scalars(select(DialogState)).one()
    assert "劳动争议" in state.data["keywords"] and "知识产权诉讼" in state.data["keywords"]


def test_a_list_sent_under_the_shown_list_replaces_it_and_says_so(chat: Chat) -> None:
    talk(chat, FULL_REGISTRATION[:9])
    talk(chat, [("主要做公司并购和知识产权诉讼", "知识产权诉讼")])
    reply = chat.send("劳动争议，合同纠纷")
    assert "关键词用您发的：劳动争议、合同纠纷" in reply and "（8/9）" in reply


@pytest.mark.parametrize(
    ("description", "trade"), [("我是焊工", "焊工"), ("我是纺织厂的挡车工", "挡车工")]
)
def test_a_trade_named_alone_is_offered_as_the_first_keyword(
    chat: Chat, description: str, trade: str
) -> None:
    talk(chat, FULL_REGISTRATION[:9])
    reply = chat.send(description)
    assert trade in reply and "没能提炼" not in reply
    assert "氩弧焊" in chat.send("加上氩弧焊")
