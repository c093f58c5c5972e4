from __future__ import annotations

import pytest

from bot.validators import (
    ValidationError,
    credit_code_check_char,
    validate_credit_code,
    validate_email,
    validate_mobile,
    validate_text,
)

# The example code printed in GB 32100-2015's explanatory material.
PUBLISHED_EXAMPLE = "91350100M000100Y43"


def test_published_example_credit_code_passes() -> None:
    assert validate_credit_code(PUBLISHED_EXAMPLE) == PUBLISHED_EXAMPLE


def test_credit_code_is_normalised_from_full_width_lower_case_and_spaces() -> None:
    assert validate_credit_code(" ９１３５０１００m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y44", "校验位"),
        ("91350100M000100Y4", "18位"),
        ("91350100M0001O0Y43", "O"),
        ("", "18位"),
    ],
)
def test_bad_credit_codes_explain_in_chinese(code: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_credit_code(code)
    assert fragment in error.value.message_zh
    assert error.value.field == "credit_code"


def test_check_char_matches_for_generated_codes() -> None:
    body = "91410800MA44Q0RN1"
    code = body + credit_code_check_char(body)
    assert validate_credit_code(code) == code


@pytest.mark.parametrize("raw", ["13812345678", "+86 138-1234-5678", "８６13812345678"])
def test_mobile_numbers_are_normalised(raw: str) -> None:
    assert validate_mobile(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "abc", "010-12345678"])
def test_bad_mobile_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError, match="phone"):
        validate_mobile(raw)


def test_email_domain_is_lower_cased_and_junk_refused() -> None:
    assert validate_email("Li.Ming@PKU.edu.CN") == "Li.Ming@pku.edu.cn"
    with pytest.raises(ValidationError):
        validate_email("li@")
    with pytest.raises(ValidationError):
        validate_email("<script>@x.com")


def test_text_is_bounded_and_control_characters_dropped() -> None:
    assert validate_text("name", " 张\x00三 ", label="姓名", max_length=10) == "张三"
    with pytest.raises(ValidationError) as error:
        validate_text("name", "长" * 11, label="姓名", max_length=10)
    assert "10字以内" in error.value.message_zh
    with pytest.raises(ValidationError):
        validate_text("name", "   ", label="姓名", max_length=10)


def test_free_text_keeps_chinese_punctuation() -> None:
    text = "锂电池（正极材料），固态电解质；高镍：三元"
    assert validate_text("expertise", text, label="专业领域", max_length=100) == text
