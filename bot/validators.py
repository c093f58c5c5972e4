"""Validate the real-world identifiers people type: credit codes, phones, e-mails, deadlines."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from bot.understanding.dates import resolve_date
from bot.understanding.phones import normalise_phone

# GB 32100-2015: 统一社会信用代码 uses these 31 characters (no I, O, Z, S, V).
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}$"
)


@dataclass
class ValidationError(ValueError):
    """Bad input, explained for a person (Chinese) and for an operator (English)."""

    field: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message_en}"


def normalise(text: str) -> str:
    """Return ``text`` NFKC-normalised (full-width to half-width) and stripped."""
    return unicodedata.normalize("NFKC", text).strip()


def credit_code_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(
        CREDIT_CODE_CHARSET.index(char) * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(raw: str) -> str:
    """Return the normalised 统一社会信用代码 or raise ValidationError saying what is wrong."""
    code = re.sub(r"[\s-]", "", normalise(raw)).upper()
    if len(code) != 18:
        raise ValidationError(
            "credit_code",
            f"统一社会信用代码应为18位，您输入的是{len(code)}位，请对照营业执照再核对一下。",
            f"a unified social credit code has 18 characters, got {len(code)}",
        )
    bad = [char for char in code if char not in CREDIT_CODE_CHARSET]
    if bad:
        raise ValidationError(
            "credit_code",
            f"统一社会信用代码里不会出现“{bad[0]}”（代码不含字母 I、O、Z、S、V），请核对一下。",
            f"character {bad[0]!r} cannot appear in a credit code",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            "credit_code",
            "这个统一社会信用代码的校验位对不上，可能有一位输错了，请对照营业执照再输一次。",
            "the check character does not match (GB 32100)",
        )
    return code


def validate_mobile(raw: str) -> str:
    """Return a phone number in stored form or raise ValidationError.

    Accepts what ``bot.understanding.phones.normalise_phone`` reads: full-width digits, spaces,
    dashes, 手机/电话 prefixes, +86/0086. A mainland mobile comes back as 11 digits, another
    country's number written with + as +<digits> (E.164).
    """
    number = normalise_phone(raw)
    if number is None:
        raise ValidationError(
            "phone",
            "手机号格式不对，请输入11位手机号，例如 13812345678。",
            "expected an 11-digit mainland mobile number (or +country code and number)",
        )
    return number


def validate_deadline(raw: str, *, today: date) -> date:
    """Return the date a deadline names, after ``today`` (Asia/Shanghai), or raise ValidationError.

    Accepts what ``bot.understanding.dates.resolve_date`` reads: 2027-03-31, 2027年3月 (its last
    day), 明年3月底前, 下个月, 年底前, 三个月内 … Resolved dates should be shown back to confirm.
    """
    resolved = resolve_date(raw, today)
    if resolved is None:
        raise ValidationError(
            "deadline",
            "没看懂这个日期，可以写具体日期、月份，或“明年3月底前”“年底前”这样。",
            "expected a date such as 2027-03-31, 2027年3月 or 明年3月底",
        )
    if resolved.value <= today:
        raise ValidationError(
            "deadline",
            "这个日期已经过去了，请填一个今天以后的日期，比如“明年3月底前”。",
            f"the date {resolved.value.isoformat()} is not after today ({today.isoformat()})",
        )
    return resolved.value


def validate_email(raw: str) -> str:
    """Return a plausible e-mail address, lower-cased domain, or raise ValidationError."""
    address = normalise(raw)
    if len(address) > 128 or not EMAIL_RE.match(address):
        raise ValidationError(
            "email",
            "邮箱格式不对，请输入类似 name@example.com 的地址。",
            "expected an e-mail address like name@example.com",
        )
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def validate_text(
    field: str, raw: str, *, label: str, max_length: int, required: bool = True
) -> str:
    """Return cleaned free text of bounded length, or raise ValidationError.

    The text keeps the person's own characters (Chinese punctuation stays Chinese); only
    control characters go and the ends are trimmed.
    """
    value = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    value = value.strip()
    if required and not value:
        raise ValidationError(field, f"{label}不能为空。", f"{field} must not be empty")
    if len(value) > max_length:
        raise ValidationError(
            field,
            f"{label}太长了，请控制在{max_length}字以内。",
            f"{field} is longer than {max_length} characters",
        )
    return value
