"""Enterprise needs by chat: the enterprise, its contact and need, then organiser review."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

import matching
from bot.dialogs import common_texts as common
from bot.dialogs import enterprise_texts as texts
from bot.dialogs.registration import parse_choices
from bot.dialogs.steps import (
    Advance,
    FieldNames,
    Finish,
    Outcome,
    Reject,
    Step,
    StepFlow,
    fixed,
    word_of,
)
from bot.dispatch import Context, Registry
from bot.services import enterprise_contacts, enterprises, needs
from bot.understanding.dates import resolve_date
from bot.validators import ValidationError, validate_credit_code, validate_mobile, validate_text
from bot.vocabulary import COOPERATION_MODES

FLOW = "enterprise_demand"
MENU_NEW = "DEMAND_NEW"
MIN_DESCRIPTION_LENGTH = 10
KEYWORDS_SHOWN = 8
# The answers that can be taken over from the person's previous need.
REUSED_STEPS = ("enterprise_name", "credit_code", "contact_name", "contact_phone")
FULL_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
# The text bounds of the enterprise and demand services.
TEXT_LIMITS: dict[str, tuple[str, int]] = {
    "enterprise_name": ("企业名称", 100),
    "contact_name": ("联系人", 32),
    "title": ("需求标题", 100),
    "description": ("需求描述", 4000),
    "budget": ("预算", 60),
}


class DemandData(TypedDict, total=False):
    """The answers of an enterprise need while the dialog runs (deadline as an ISO date)."""

    enterprise_name: str
    credit_code: str
    contact_name: str
    contact_phone: str
    title: str
    description: str
    cooperation_mode: str
    deadline: str | None
    budget: str


def _text_answer(key: str) -> Callable[[Context, str, DemandData], Outcome]:
    label, limit = TEXT_LIMITS[key]

    def answer(ctx: Context, text: str, data: DemandData) -> Outcome:
        try:
            value = validate_text(key, text, label=label, max_length=limit)
        except ValidationError as error:
            return Reject(error.message_zh)
        if key == "description" and len(value) < MIN_DESCRIPTION_LENGTH:
            return Reject(texts.DESCRIPTION_TOO_SHORT.format(min=MIN_DESCRIPTION_LENGTH))
        return Advance({key: value})

    return answer


def _answer_credit_code(ctx: Context, text: str, data: DemandData) -> Outcome:
    try:
        return Advance({"credit_code": validate_credit_code(text)})
    except ValidationError as error:
        return Reject(error.message_zh)


def _answer_contact_phone(ctx: Context, text: str, data: DemandData) -> Outcome:
    try:
        return Advance({"contact_phone": validate_mobile(text)})
    except ValidationError as error:
        return Reject(error.message_zh)


def _ask_mode(ctx: Context, data: DemandData) -> str:
    options = "\n".join(f"{i}. {mode}" for i, mode in enumerate(COOPERATION_MODES, 1))
    return texts.ASK_MODE.format(options=options)


def _answer_mode(ctx: Context, text: str, data: DemandData) -> Outcome:
    chosen = parse_choices(text, COOPERATION_MODES)
    if len(chosen) != 1:
        return Reject(texts.MODE_UNKNOWN)
    return Advance({"cooperation_mode": chosen[0]})


def parse_deadline(text: str, today: date) -> date | None:
    """Return the date ``text`` means as a deadline seen from ``today``; None if unreadable.

    Exact dates (2027-03-31, 2027年3月5日), months (2027年3月: its last day) and the usual
    relative forms (明年3月底前, 下个月, 年底前, 三个月内) through ``resolve_date``.
    """
    word = word_of(text)
    try:
        match = FULL_DATE.match(word)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
        match = MONTH.match(word)
        if match:
            year, month = (int(part) for part in match.groups())
            return date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        return None
    resolved = resolve_date(text, today)
    return resolved.value if resolved is not None else None


def _answer_deadline(ctx: Context, text: str, data: DemandData) -> Outcome:
    today = ctx.now.astimezone(ZoneInfo(ctx.config.app.timezone)).date()
    deadline = parse_deadline(text, today)
    if deadline is None:
        return Reject(texts.DEADLINE_INVALID)
    if deadline <= today:
        return Reject(texts.DEADLINE_PAST)
    # Say the date as understood: the summary that follows asks for a confirmation.
    return Advance(
        {"deadline": deadline.isoformat()},
        note=texts.DEADLINE_READ.format(date=deadline.strftime("%Y年%m月%d日")),
    )


def _details(data: DemandData) -> str:
    shown: dict[str, Any] = dict(data)
    if shown.get("deadline"):
        shown["deadline"] = date.fromisoformat(shown["deadline"]).strftime("%Y年%m月%d日")
    return "\n".join(
        texts.LINE.format(number=number, label=label, value=shown.get(key) or texts.NOT_SET)
        for number, (key, (label, _aliases)) in enumerate(texts.FIELDS.items(), 1)
    )


def _ask_summary(ctx: Context, data: DemandData) -> str:
    keywords = matching.extract_keywords(
        f"{data.get('title', '')}。{data.get('description', '')}", top_k=KEYWORDS_SHOWN
    )
    return texts.SUMMARY.format(
        details=_details(data), keywords="、".join(keywords) or texts.NO_KEYWORDS
    )


FIELD_NAMES = FieldNames(texts.FIELDS, texts.EDIT_PREFIXES)


def _submit(ctx: Context, _text: str, data: DemandData) -> Outcome:
    try:
        submitted = needs.submit_need(
            ctx.session,
            enterprise_name=data["enterprise_name"],
            credit_code=data["credit_code"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            openid=ctx.openid,
            title=data["title"],
            description=data["description"],
            cooperation_mode=data.get("cooperation_mode", ""),
            deadline=date.fromisoformat(deadline) if (deadline := data.get("deadline")) else None,
            budget=data.get("budget", ""),
            actor="wechat",
        )
    except ValidationError as error:
        return Reject(error.message_zh)
    reply = texts.SUBMITTED.format(title=submitted.demand.title)
    if submitted.is_claim:
        # Someone else speaks for this credit code already: this person's claim waits.
        reply += texts.SUBMITTED_AS_CLAIM
    return Finish(reply)


def _ask_reuse(ctx: Context, data: DemandData) -> str:
    return texts.ASK_REUSE.format(
        name=data.get("enterprise_name", ""), contact=data.get("contact_name", "")
    )


def _answer_reuse(ctx: Context, text: str, data: DemandData) -> Outcome:
    word = word_of(text)
    if word in common.YES_WORDS:
        return Advance(history=REUSED_STEPS, goto="title")
    if word in common.NO_WORDS:
        return Advance({key: "" for key in REUSED_STEPS}, goto="enterprise_name")
    return Reject(texts.REUSE_UNCLEAR)


flow = StepFlow(
    FLOW,
    (
        Step("reuse", "沿用企业信息", _ask_reuse, _answer_reuse, texts.HELP_REUSE,
             counted=False),
        Step("enterprise_name", "企业名称", fixed(texts.ASK_NAME),
             _text_answer("enterprise_name"), texts.HELP_NAME),
        Step("credit_code", "统一社会信用代码", fixed(texts.ASK_CREDIT_CODE),
             _answer_credit_code, texts.HELP_CREDIT_CODE),
        Step("contact_name", "联系人", fixed(texts.ASK_CONTACT_NAME),
             _text_answer("contact_name"), texts.HELP_CONTACT_NAME),
        Step("contact_phone", "联系电话", fixed(texts.ASK_CONTACT_PHONE),
             _answer_contact_phone, texts.HELP_CONTACT_PHONE),
        Step("title", "需求标题", fixed(texts.ASK_TITLE), _text_answer("title"), texts.HELP_TITLE),
        Step("description", "需求描述", fixed(texts.ASK_DESCRIPTION),
             _text_answer("description"), texts.HELP_DESCRIPTION),
        Step("cooperation_mode", "合作方式", _ask_mode, _answer_mode, texts.HELP_MODE),
        Step("deadline", "截止日期", fixed(texts.ASK_DEADLINE), _answer_deadline,
             texts.HELP_DEADLINE, optional=True, skip_updates={"deadline": None}),
        Step("budget", "预算", fixed(texts.ASK_BUDGET), _text_answer("budget"),
             texts.HELP_BUDGET, optional=True, skip_updates={"budget": ""}),
        Step("summary", "最后确认", _ask_summary,
             FIELD_NAMES.summary_answer(
                 (*common.YES_WORDS, "提交", "确认提交"), _submit, texts.SUMMARY_UNCLEAR
             ),
             texts.SUMMARY_HELP,
             counted=False, takes_commands=True),
    ),
    title=texts.TITLE,
    start_words=texts.START_WORDS,
    on_cancel=lambda ctx, data: texts.CANCELLED,
    restart_at=lambda data: "enterprise_name",
    jump_to=FIELD_NAMES.correction_target,
)  # fmt: skip


def start_demand(ctx: Context) -> str:
    """Start (or resume) entering an enterprise need."""
    if ctx.state is not None and ctx.state.flow == FLOW:
        return flow.carry_on(ctx, ctx.state)
    earlier = enterprises.list_demands(ctx.session, submitted_by_openid=ctx.openid, limit=1)
    if not earlier:
        return texts.INTRO + "\n\n" + flow.begin(ctx, at="enterprise_name")
    enterprise = earlier[0].enterprise
    # Only the person's own contact details are offered again, never another contact's
    # (issue 10 item 7): their contact record, or the enterprise's when it names them.
    own = enterprise_contacts.contact_of(ctx.session, enterprise, ctx.openid)
    if own is not None:
        name, phone = own.name, own.phone
    elif enterprise.contact_openid == ctx.openid:
        name, phone = enterprise.contact_name, enterprise.contact_phone
    else:
        name = phone = ""
    known = {
        "enterprise_name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "contact_name": name,
        "contact_phone": phone,
    }
    if not all(known.values()):
        return texts.INTRO + "\n\n" + flow.begin(ctx, at="enterprise_name")
    return texts.INTRO + "\n\n" + flow.begin(ctx, known, at="reuse")


def register(registry: Registry) -> None:
    """Put the enterprise need flow, its command words and menu keys on ``registry``."""
    flow.register(registry)
    registry.command(*texts.START_WORDS)(start_demand)
    registry.click(MENU_NEW)(start_demand)
