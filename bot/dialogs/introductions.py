"""A talent's side of cooperation by chat, and keeping in touch.

- Answering an ask: 1 (愿意对接; "1 手机"/"1 邮箱" to share only one), 2 (这次不了).
- 我的对接: the needs they were asked about and their answers; 撤回对接N takes back a yes.
- 对接进展 / 进展N 已联系|已签约|已落地: how an introduction went (both sides can say).
- 订阅/退订 活动|需求|资讯, 我的推荐码 (and the referral QR scene), 同意新版, 人工客服.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.dialogs import introductions_texts as texts
from bot.dialogs.needs import numbered
from bot.dialogs.registration_texts import CONSENT_VERSION
from bot.dialogs.steps import word_of
from bot.dispatch import Context, Registry
from bot.models import ContactChannel, Demand, Match, MatchStatus, OutcomeKind, Talent
from bot.services import (
    audit,
    funnel,
    introductions,
    keep_in_touch,
    liaisons,
    needs,
    referrals,
    talents,
)
from bot.services.dialog_states import new_state

NUMBER = re.compile(r"(\d+)")
SKIP_WORDS = frozenset({"跳过", "不方便", "不说"})


def _talent(ctx: Context) -> Talent | None:
    return talents.get_talent_by_openid(ctx.session, ctx.openid)


def _registered(handler: Callable[[Context, Talent], str]) -> Callable[[Context], str]:
    def wrapped(ctx: Context) -> str:
        talent = _talent(ctx)
        if talent is None:
            return texts.NOT_REGISTERED
        return handler(ctx, talent)

    wrapped.__doc__ = handler.__doc__
    return wrapped


def _number(ctx: Context) -> int | None:
    found = NUMBER.search(ctx.message.text)
    return int(found.group(1)) if found else None


# --- answering an ask ---------------------------------------------------------------------------


def _answer(yes: bool, share: tuple[str, ...] = ("phone", "email")) -> Callable[[Context], str]:
    def handler(ctx: Context) -> str:
        talent = _talent(ctx)
        answered = (
            introductions.answer(ctx.session, talent, yes=yes, share=share, now=ctx.now)
            if talent is not None
            else None
        )
        if answered is None:
            return texts.NOTHING_PENDING
        if yes:
            shared = [
                label
                for name, label in introductions.SHAREABLE.items()
                if name in answered.match.shared_fields and getattr(talent, name)
            ]
            reply = texts.SAID_YES.format(
                shared="姓名、" + texts.SHARED_JOIN.join(shared)
                if shared
                else texts.SAID_YES_NOTHING_SHARED,
                contact=answered.enterprise_contact,
            )
        else:
            reply = texts.SAID_NO
        if answered.still_pending > 0:
            reply += texts.STILL_PENDING.format(count=answered.still_pending)
        return reply

    return handler


DIGIT_ANSWERS: dict[str, Callable[[Context], str]] = {
    **{word: _answer(True) for word in texts.DIGIT_YES_WORDS},
    **{word: _answer(True, ("phone",)) for word in texts.DIGIT_YES_PHONE_WORDS},
    **{word: _answer(True, ("email",)) for word in texts.DIGIT_YES_EMAIL_WORDS},
    **{word: _answer(False) for word in texts.DIGIT_NO_WORDS},
}


def _answers_by_number(
    otherwise: Callable[[Context], str | None] | None,
) -> Callable[[Context], str | None]:
    """Return a fallback that reads 1 / 2 as the answer to a pending ask, else ``otherwise``.

    Digits are not command words: a dialog's numbered question ("回复序号") must get them,
    and a command word would interrupt it. Outside a dialog nothing else claims them.
    """

    def fallback(ctx: Context) -> str | None:
        answer = DIGIT_ANSWERS.get(word_of(ctx.message.text)) if ctx.message.is_text else None
        talent = _talent(ctx) if answer is not None else None
        # Someone who was ever asked gets the answer's own reply ("nothing waits" included).
        if talent is not None and introductions.asks_of(ctx.session, talent):
            assert answer is not None  # noqa: S101 - talent is only looked up for an answer
            return answer(ctx)
        return otherwise(ctx) if otherwise is not None else None

    return fallback


# --- 我的对接 -----------------------------------------------------------------------------------


@_registered
def my_introductions(ctx: Context, talent: Talent) -> str:
    """List the needs the person was asked about and what they answered."""
    asked = introductions.asks_of(ctx.session, talent)
    if not asked:
        return texts.MINE_NONE
    zone = ZoneInfo(ctx.config.app.timezone)
    lines = [
        texts.MINE_LINE.format(
            number=number,
            title=match.demand.title,
            answer=texts.ANSWERS.get(str(match.status), str(match.status)),
            date=(match.asked_at or match.created_at).astimezone(zone).strftime("%Y-%m-%d"),
        )
        for number, match in enumerate(asked, 1)
    ]
    return texts.MINE.format(lines="\n".join(lines))


@_registered
def withdraw_introduction(ctx: Context, talent: Talent) -> str:
    """Take back a yes (撤回对接N); the enterprise is told."""
    asked = introductions.asks_of(ctx.session, talent)
    number = _number(ctx)
    if number is None:
        yeses = [m for m in asked if m.status == MatchStatus.INTRODUCED]
        if len(yeses) != 1:
            return texts.WHICH_NUMBER.format(word="撤回对接", list_word="我的对接")
        match = yeses[0]
    elif not 1 <= number <= len(asked):
        return texts.NO_SUCH_NUMBER.format(number=number, list_word="我的对接")
    else:
        match = asked[number - 1]
    if not introductions.withdraw_yes(ctx.session, talent, match, now=ctx.now):
        return texts.WITHDRAW_NOT_POSSIBLE
    return texts.WITHDRAWN.format(title=match.demand.title)


# --- 对接进展: both sides say how it went -------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """One introduction the person can report on, as they see it."""

    match: Match
    demand: Demand
    other: str  # the other side, as this person may see them
    side: str  # "talent" or "enterprise"


def _progress_items(ctx: Context) -> list[Progress]:
    talent = _talent(ctx)
    items: list[Progress] = []
    if talent is not None:
        for match in introductions.asks_of(ctx.session, talent):
            if match.status == MatchStatus.INTRODUCED:
                other = match.demand.enterprise.name
                items.append(Progress(match, match.demand, other, "talent"))
    for demand, people in introductions.introductions_for_contact(ctx.session, ctx.openid):
        for person in people:
            introduced = ctx.session.get(Match, person.match_id)
            if introduced is not None:
                items.append(Progress(introduced, demand, person.name, "enterprise"))
    return items


def show_progress(ctx: Context) -> str:
    """List the person's introductions with what was recorded, and how to report."""
    items = _progress_items(ctx)
    if not items:
        return texts.PROGRESS_NONE
    lines = []
    for number, item in enumerate(items, 1):
        done = [
            funnel.OUTCOME_LABELS[outcome.kind]
            for outcome in funnel.outcomes_of(ctx.session, item.demand)
            if outcome.match_id == item.match.id
        ]
        lines.append(
            texts.PROGRESS_LINE.format(
                number=number,
                title=item.demand.title,
                other=item.other,
                done=texts.PROGRESS_DONE.format(kinds="、".join(done)) if done else "",
            )
        )
    return texts.PROGRESS.format(lines="\n".join(lines))


def report_progress(ctx: Context) -> str:
    """Record "进展N 已联系|已签约|已落地"; a signed agreement asks for the amount."""
    text = word_of(ctx.message.text)
    kind_word = next((word for word in texts.OUTCOME_WORDS if word in text), None)
    number = _number(ctx)
    items = _progress_items(ctx)
    if kind_word is None or number is None or not 1 <= number <= len(items):
        return show_progress(ctx)
    item = items[number - 1]
    kind = OutcomeKind(texts.OUTCOME_WORDS[kind_word])
    funnel.record_outcome(ctx.session, item.demand, kind, match=item.match, recorded_by=item.side)
    if kind is OutcomeKind.AGREEMENT:
        data = {"demand_id": item.demand.id, "match_id": item.match.id, "side": item.side}
        ctx.state = new_state(texts.PROGRESS_FLOW, "amount", data, ctx.now)
        return texts.PROGRESS_ASK_AMOUNT
    return texts.PROGRESS_RECORDED.format(title=item.demand.title, kind=kind_word)


def progress_amount(ctx: Context) -> str:
    """Read the agreement amount (万元) asked for after "已签约"."""
    state = ctx.state
    assert state is not None  # noqa: S101 - only registered as the active flow's handler
    text = word_of(ctx.message.text).removesuffix("万元").removesuffix("万")
    demand = ctx.session.get(Demand, int(state.data.get("demand_id", 0)))
    match = ctx.session.get(Match, int(state.data.get("match_id", 0)))
    if demand is None or match is None:
        ctx.state = None
        return texts.PROGRESS_NONE
    if text in SKIP_WORDS or text in {"取消", "算了"}:
        ctx.state = None
        return texts.PROGRESS_RECORDED.format(title=demand.title, kind="已签约")
    try:
        amount = float(text)
    except ValueError:
        other = ctx.command_for(ctx.message.text)
        if other is not None:
            ctx.state = None
            return other(ctx) or ""
        return texts.PROGRESS_AMOUNT_UNCLEAR
    funnel.record_outcome(
        ctx.session,
        demand,
        OutcomeKind.AGREEMENT,
        match=match,
        amount_wan=amount,
        recorded_by=str(state.data.get("side", "talent")),
    )
    ctx.state = None
    return texts.PROGRESS_RECORDED.format(title=demand.title, kind=f"已签约 {amount:g}万元")


# --- keeping in touch ---------------------------------------------------------------------------


def _preference(kind: str, on: bool) -> Callable[[Context], str]:
    @_registered
    def handler(ctx: Context, talent: Talent) -> str:
        if not keep_in_touch.set_preference(ctx.session, talent, kind, on=on):
            return texts.PREFERENCE_SAME
        return (texts.PREFERENCE_ON if on else texts.PREFERENCE_OFF).format(kind=kind)

    return handler


@_registered
def referral_code(ctx: Context, talent: Talent) -> str:
    """Give the person their referral QR code (issued by the scheduler when new)."""
    code = referrals.request_code(ctx.session, talent)
    if not code.issued_at:
        return texts.REFERRAL_PENDING
    count = referrals.referral_count(ctx.session, talent)
    return texts.REFERRAL_READY.format(url=code.url, count=count)


def referral_scene(ctx: Context) -> str:
    """Welcome someone who followed through a referral code and remember who referred them."""
    referrals.record_scan(ctx.session, ctx.openid, ctx.message.event_key, now=ctx.now)
    if _talent(ctx) is not None:
        return texts.REFERRAL_WELCOME.split("！")[0] + "！"
    return texts.REFERRAL_WELCOME


@_registered
def renew_consent(ctx: Context, talent: Talent) -> str:
    """Record agreement to the current registration consent text (after the yearly check)."""
    if not keep_in_touch.renew_registration_consent(ctx.session, talent, version=CONSENT_VERSION):
        return texts.CONSENT_CURRENT
    return texts.CONSENT_RENEWED.format(version=CONSENT_VERSION)


def human_help(ctx: Context) -> str:
    """Hand the person to a member of staff (logged for their liaison, or the need's file)."""
    talent = _talent(ctx)
    if talent is not None:
        liaisons.log_contact(
            ctx.session, talent, ContactChannel.MESSAGE, note="请求人工客服", actor="wechat"
        )
    for demand in needs.visible_needs(ctx.session, ctx.openid, limit=1):
        audit.record(ctx.session, "wechat", "human-help", "demand", demand.id)
    return texts.HUMAN


def register(registry: Registry) -> None:
    """Put the talent's cooperation and keep-in-touch commands on ``registry``."""
    registry.command(*texts.YES_WORDS)(_answer(True))
    registry.command(*texts.NO_WORDS)(_answer(False))
    registry.fallback(_answers_by_number(registry.fallback_handler))
    registry.command(*texts.MINE_WORDS)(my_introductions)
    registry.command(*texts.WITHDRAW_WORDS, *numbered(texts.WITHDRAW_WORDS))(withdraw_introduction)
    registry.command(*texts.PROGRESS_WORDS)(show_progress)
    registry.command(
        *(
            f"进展{space}{n}{gap}{word}"
            for n in range(1, texts.MAX_NUMBER + 1)
            for word in texts.OUTCOME_WORDS
            for space in ("", " ")
            for gap in ("", " ")
        )
    )(report_progress)
    registry.flow(texts.PROGRESS_FLOW)(progress_amount)
    for (verb, kind), on in texts.PREFERENCE_WORDS.items():
        registry.command(f"{verb}{kind}", f"{verb} {kind}")(_preference(kind, on))
    registry.command(*texts.REFERRAL_WORDS)(referral_code)
    registry.scene(referrals.SCENE_PREFIX)(referral_scene)
    registry.command(*texts.RENEW_CONSENT_WORDS)(renew_consent)
    registry.command(*texts.HUMAN_WORDS)(human_help)
