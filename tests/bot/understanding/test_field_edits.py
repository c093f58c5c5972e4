"""recognise_field_edit: one profile item changed in a sentence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.understanding.field_edits import FIELD_CUES, recognise_field_edit

INSTRUCTION_WORDS = ("去掉", "改成", "改为", "换成", "把", "确认", "写错", "应该是")


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("我换工作了，现在在华为", "employer", "华为"),
        ("我搬到杭州了", "city", "杭州"),
        ("手机换了 139 1234 5678", "phone", "13912345678"),
        ("职称评上正高了", "title", "正高级"),
        ("评上副高了", "title", "副高级"),
        ("工作城市写错了，是深圳", "city", "深圳"),
        ("我的名字改成李晓明", "name", "李晓明"),
        ("单位改成 ABB 中国", "employer", "ABB中国"),
        ("籍贯改成沁阳", "origin", "沁阳"),
        ("老家是孟州的，不是温县", "origin", "孟州"),
        ("最高学历改为大专", "education", "大专"),
        ("研究生毕业了，学历改一下", "education", "硕士"),
        ("专长写：机器视觉与缺陷检测", "expertise", "机器视觉与缺陷检测"),
        ("邮箱写错了 应该是wangjg2020@qq.com", "email", "wangjg2020@qq.com"),
        # A correction marker opening a clause of its own is not part of the value.
        ("单位写错了，应该是郑州大学", "employer", "郑州大学"),
        ("名字写错了，应该叫王建国", "name", "王建国"),
        ("城市写错了，其实是深圳", "city", "深圳"),
    ],
)
def test_an_edit_in_a_sentence_gives_the_item_and_its_new_value(
    text: str, field: str, value: str
) -> None:
    edit = recognise_field_edit(text)
    assert edit is not None
    assert (edit.field, edit.value) == (field, value)


def test_a_moved_city_with_a_typo_is_a_suggestion() -> None:
    edit = recognise_field_edit("我搬到深证了")
    assert edit is not None
    assert (edit.field, edit.value, edit.suggested) == ("city", "深圳", True)


def test_naming_an_item_without_a_value_asks_for_it() -> None:
    edit = recognise_field_edit("手机号要改一下")
    assert edit is not None
    assert (edit.field, edit.value) == ("phone", "")


@pytest.mark.parametrize(
    "text", ["我是温县一家机械公司的", "我想看一下我的资料", "你好", "我在华为工作"]
)
def test_an_idle_message_without_a_change_is_not_an_edit(text: str) -> None:
    assert recognise_field_edit(text) is None


def test_at_the_summary_a_named_item_and_value_are_enough() -> None:
    assert recognise_field_edit("籍贯是焦作修武") is None
    edit = recognise_field_edit("籍贯是焦作修武", need_signal=False)
    assert edit is not None
    assert (edit.field, edit.value) == ("origin", "焦作修武")


_CUE_WORDS = [cue for cues in FIELD_CUES.values() for cue in cues]


@given(
    st.sampled_from(_CUE_WORDS),
    st.sampled_from(["改成", "改为", "换成", "应该是", "写错了，是", "不对，"]),
    st.text(alphabet=st.characters(categories=["Lo", "Nd", "Ll"]), min_size=1, max_size=12),
)
def test_an_edit_value_never_holds_an_instruction_word(cue: str, marker: str, value: str) -> None:
    edit = recognise_field_edit(f"{cue}{marker}{value}")
    if edit is None:
        return
    assert not any(word in edit.value for word in INSTRUCTION_WORDS if word not in value)


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("我现在在腾讯上班", "employer", "腾讯"),
        ("我现在在深圳工作", "city", "深圳"),
        ("我调到上海工作了", "city", "上海"),
        ("单位变了，现在在比亚迪", "employer", "比亚迪"),
        ("我升教授了", "title", "教授"),
        ("我的联系方式变了，新号码 13912345678", "phone", "13912345678"),
    ],
)
def test_where_someone_now_works_is_a_city_or_an_employer(
    text: str, field: str, value: str
) -> None:
    edit = recognise_field_edit(text)
    assert edit is not None
    assert (edit.field, edit.value) == (field, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("我换工作了现在在华为", "华为"),  # voice: no punctuation
        ("单位是为民科技", "为民科技"),  # 为 inside the value is not a marker
        ("单位改为为民科技", "为民科技"),
        ("单位从为民科技改成华为", "华为"),
    ],
)
def test_markers_inside_a_value_are_not_taken_for_the_edit(text: str, value: str) -> None:
    edit = recognise_field_edit(text, need_signal=False)
    assert edit is not None
    assert (edit.field, edit.value) == ("employer", value)


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [("我现在是教授了", "title", "教授"), ("我回焦作了", "city", "焦作")],
)
def test_a_new_state_said_plainly_is_an_edit(text: str, field: str, value: str) -> None:
    edit = recognise_field_edit(text)
    assert edit is not None
    assert (edit.field, edit.value) == (field, value)


@pytest.mark.parametrize("text", ["报名加入人才库", "已经加入人才库了", "我去了你们的活动"])
def test_joining_huaicai_or_going_to_an_event_is_not_a_new_job_or_city(text: str) -> None:
    assert recognise_field_edit(text) is None
