"""resolve_date: Chinese relative and absolute deadlines, relative to a given today."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.understanding.dates import resolve_date, today_in

TODAY = date(2026, 11, 30)  # a Monday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("明年3月底前", date(2027, 3, 31)),
        ("下个月", date(2026, 12, 31)),
        ("年底前", date(2026, 12, 31)),
        ("3月底", date(2027, 3, 31)),  # March has passed this year: next March
        ("2027年6月", date(2027, 6, 30)),
        ("2027-03-31", date(2027, 3, 31)),
        ("2027/3/31", date(2027, 3, 31)),
        ("2027年3月31日", date(2027, 3, 31)),
        ("二〇二七年六月", date(2027, 6, 30)),
        ("明年年底", date(2027, 12, 31)),
        ("明年上半年", date(2027, 6, 30)),
        ("三个月内", date(2027, 2, 28)),
        ("半年内", date(2027, 5, 30)),
        ("12月15号", date(2026, 12, 15)),
        ("下周", date(2026, 12, 13)),
        ("月底", date(2026, 11, 30)),
        ("１２月底之前", date(2026, 12, 31)),
    ],
)
def test_usual_deadlines_are_resolved(text: str, expected: date) -> None:
    resolved = resolve_date(text, TODAY)
    assert resolved is not None
    assert resolved.value == expected


def test_a_full_date_is_exact_and_a_month_is_not() -> None:
    assert resolve_date("2027-03-31", TODAY).exact  # type: ignore[union-attr]
    assert not resolve_date("2027年3月", TODAY).exact  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["", "尽快", "hello", "2026-02-30", "13月", "没有期限"])
def test_what_names_no_date_is_none(text: str) -> None:
    assert resolve_date(text, TODAY) is None


def test_today_is_taken_in_shanghai() -> None:
    # 17:00 UTC on 30 November is already 1 December in Shanghai.
    assert today_in(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)) == date(2026, 12, 1)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_relative_deadlines_never_lie_before_today(today: date) -> None:
    for text in ("下个月", "年底前", "3月底", "明年3月底前", "三个月内", "下周"):
        resolved = resolve_date(text, today)
        assert resolved is not None
        assert resolved.value >= today
