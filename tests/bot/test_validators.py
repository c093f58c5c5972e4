from __future__ import annotations

import importlib
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot import dialogs
from bot.dialogs import common_texts
from bot.dialogs.steps import Step, StepFlow
from bot.understanding.cities import normalise_city
from bot.understanding.dates import today_in
from bot.understanding.names import clean_name
from bot.validators import (
    ValidationError,
    credit_code_check_char,
    validate_credit_code,
    validate_deadline,
    validate_email,
    validate_mobile,
    validate_text,
)
from matching.origin import recognise_origin

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


# --- what the new readers accept ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("手机１３９２３４５６７８９", "13923456789"),
        ("138 1234 5678", "13812345678"),
        ("电话：0086 138 1234 5678", "13812345678"),
        ("+49 151 1234 5678", "+4915112345678"),
    ],
)
def test_mobile_accepts_what_people_type(raw: str, number: str) -> None:
    assert validate_mobile(raw) == number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("明年3月底前", date(2027, 3, 31)),
        ("2027年6月", date(2027, 6, 30)),
        ("2027-03-31", date(2027, 3, 31)),
        ("年底前", date(2026, 12, 31)),
    ],
)
def test_deadline_accepts_usual_chinese_dates(raw: str, expected: date) -> None:
    assert validate_deadline(raw, today=date(2026, 11, 30)) == expected


@pytest.mark.parametrize(("raw", "fragment"), [("尽快", "没看懂"), ("2025-01-01", "已经过去")])
def test_deadline_refuses_what_is_unreadable_or_past(raw: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_deadline(raw, today=date(2026, 11, 30))
    assert fragment in error.value.message_zh
    assert error.value.field == "deadline"


# --- every example shown in a prompt passes its own validation ------------------------------

TEXT_MODULES = sorted(
    f"bot.dialogs.{path.stem}" for path in Path(dialogs.__file__).parent.glob("*_texts.py")
)
CREDIT_CODE_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Z]{18}(?![0-9A-Za-z])")
MOBILE_LIKE = re.compile(r"(?<![0-9])1[0-9]{10}(?![0-9])")
EMAIL_LIKE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}年[0-9]{1,2}月(?:[0-9]{1,2}日)?")
EXAMPLE = re.compile(r"例如[：:]?\s*(.+?)(?:[。；）]|$)")


def _prompt_texts() -> list[tuple[str, str]]:
    """Return (module.CONSTANT, text) for every string in the dialogs' text modules."""
    texts = []
    for name in TEXT_MODULES:
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if attribute.isupper() and isinstance(value, str):
                texts.append((f"{name}.{attribute}", value))
    return texts


def _examples(text: str) -> list[str]:
    """Return the examples after 例如 in a prompt, split at 、 and quotes and 或."""
    found = []
    for match in EXAMPLE.finditer(text):
        found += [part for part in re.split(r"[、“”\s]+|或", match.group(1)) if part]
    return found


PROMPTS = _prompt_texts()
TODAY = today_in(datetime.now(UTC))


def test_the_prompt_scan_finds_the_examples_it_checks() -> None:
    everything = "\n".join(text for _, text in PROMPTS)
    assert "91410800MA44Q0RN1K" in CREDIT_CODE_LIKE.findall(everything)
    assert MOBILE_LIKE.search(everything)
    assert _examples("例如：温县、武陟县詹店镇。") == ["温县", "武陟县詹店镇"]


@pytest.mark.parametrize(("where", "text"), PROMPTS, ids=[where for where, _ in PROMPTS])
def test_identifiers_shown_in_prompts_pass_their_validators(where: str, text: str) -> None:
    for code in CREDIT_CODE_LIKE.findall(text):
        validate_credit_code(code)
    for number in MOBILE_LIKE.findall(text):
        validate_mobile(number)
    for address in EMAIL_LIKE.findall(text):
        validate_email(address)
    for written in DATE_LIKE.findall(text):
        # Dated examples must lie in the future for as long as the prompt is shown.
        validate_deadline(written, today=TODAY)


def test_deadline_examples_in_prompts_lie_in_the_future() -> None:
    # Relative examples never expire, unlike a dated one shown for years.
    texts = [text for where, text in PROMPTS if "DEADLINE" in where]
    examples = {found for text in texts for found in re.findall(r"明年[0-9]+月底前|年底前", text)}
    assert examples == {"明年3月底前", "年底前"}
    # 年底前 is today itself on 31 December; 明年… is always ahead.
    assert validate_deadline("明年3月底前", today=TODAY) > TODAY


def _examples_of(suffix: str) -> list[tuple[str, str]]:
    return [
        (where, example)
        for where, text in PROMPTS
        if where.startswith("bot.dialogs.registration_texts.") and where.endswith(suffix)
        for example in _examples(text)
    ]


@pytest.mark.parametrize(("where", "example"), _examples_of("NAME") + _examples_of("NOT_A_NAME"))
def test_name_examples_are_names(where: str, example: str) -> None:
    assert clean_name(example) == example, where


@pytest.mark.parametrize(("where", "example"), _examples_of("CITY"))
def test_city_examples_are_known_cities(where: str, example: str) -> None:
    match = normalise_city(example)
    assert match is not None and match.certain, (where, example)


@pytest.mark.parametrize(
    ("where", "example"), [pair for pair in _examples_of("ORIGIN") if "CHOOSE" not in pair[0]]
)
def test_origin_examples_are_recognised_confidently(where: str, example: str) -> None:
    candidates = recognise_origin(example)
    assert candidates and candidates[0].confidence >= 0.8, (where, example)


# --- help texts promise 跳过 only where a step can be skipped --------------------------------


def _steps() -> list[tuple[str, Step]]:
    found = []
    for path in sorted(Path(dialogs.__file__).parent.glob("*.py")):
        if path.stem.endswith("_texts") or path.stem.startswith("_"):
            continue
        module = importlib.import_module(f"bot.dialogs.{path.stem}")
        for value in vars(module).values():
            if isinstance(value, StepFlow):
                found += [(f"{value.name}.{key}", step) for key, step in value.steps.items()]
    return found


STEPS = _steps()


def test_the_flows_are_found() -> None:
    names = {where.split(".")[0] for where, _ in STEPS}
    assert len(names) >= 2
    assert any(step.optional for _, step in STEPS)


@pytest.mark.parametrize(("where", "step"), STEPS, ids=[where for where, _ in STEPS])
def test_a_step_help_offers_skip_only_when_the_step_is_optional(where: str, step: Step) -> None:
    assert step.optional or "跳过" not in step.help, where


def test_the_help_shown_at_a_required_step_does_not_offer_skip() -> None:
    required = [step for _, step in STEPS if not step.optional]
    assert required
    assert all("跳过" not in common_texts.HELP.format(help=step.help) for step in required)
