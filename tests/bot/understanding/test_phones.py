"""normalise_phone / find_phone: full-width, spaced, dashed, prefixed and +86 numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.understanding.phones import find_phone, normalise_phone


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("手机１３９２３４５６７８９", "13923456789"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("电话：13812345678", "13812345678"),
        ("手机号是 139 1234 5678。", "13912345678"),
        ("+49 151 1234 5678", "+4915112345678"),
    ],
)
def test_phone_numbers_are_stored_as_digits(text: str, number: str) -> None:
    assert normalise_phone(text) == number


@pytest.mark.parametrize("text", ["12812345678", "1381234567", "010-12345678", "abc", "", "+86"])
def test_what_is_not_a_phone_number_is_refused(text: str) -> None:
    assert normalise_phone(text) is None


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("手机换了 139 1234 5678", "13912345678"),
        ("电话号码错了，是１３８０３９１２２３４", "13803912234"),
        ("手机号更新一下：186-0391-5566", "18603915566"),
        ("没有号码", None),
    ],
)
def test_a_number_is_found_inside_a_sentence(text: str, number: str | None) -> None:
    assert find_phone(text) == number


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", " ", "-", "　"]))
def test_any_mainland_mobile_survives_any_separator_and_width(number: str, separator: str) -> None:
    typed = separator.join([number[:3], number[3:7], number[7:]])
    wide = typed.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    assert normalise_phone(typed) == number
    assert normalise_phone("+86" + wide) == number
