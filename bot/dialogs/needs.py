"""An enterprise contact's needs by chat: list, detail, who said yes, edit, withdraw, close.

Needs are numbered as "我的需求" lists them (newest first) and named by number: 需求2,
修改需求2, 撤回需求2, 关闭需求2. With a single open need the number may be left out. A person
sees the needs they submitted and, once confirmed as the enterprise's contact, the firm's other
needs (issue 10 item 7); the people shown are only those who said yes (``introductions``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.dialogs import needs_texts as texts
from bot.dialogs.enterprise import parse_deadline
from bot.dialogs.steps import word_of
from bot.dispatch import Context, Registry
from bot.models import ContactStatus, Demand, DemandStatus, MatchStatus
from bot.services import enterprise_contacts, introductions, needs
from bot.services.dialog_states import new_state
from bot.services.stats import DEMAND_STATUS_LABELS
from bot.validators import ValidationError
from bot.vocabulary import COOPERATION_MODES

MENU_MINE = "DEMAND_MINE"
EDIT_FLOW = "need_edit"
NUMBER = re.compile(r"(\d+)\s*$")
# Edit choices: (field, label).
EDIT_FIELDS = (
    ("title", "需求标题"),
    ("description", "需求描述"),
    ("cooperation_mode", "合作方式"),
    ("deadline", "截止日期"),
    ("budget", "预算"),
)
STATUS_LABELS = {
    **DEMAND_STATUS_LABELS,
    DemandStatus.NEEDS_INFO: "待补充",
    DemandStatus.WITHDRAWN: "已撤回",
    DemandStatus.CLOSED: "已解决",
}


def numbered(words: tuple[str, ...], limit: int = texts.MAX_NUMBER) -> list[str]:
    """Return ``words`` followed by 1..limit, with and without a space ("需求2", "需求 2")."""
    return [
        f"{word}{space}{n}" for word in words for n in range(1, limit + 1) for space in ("", " ")
    ]


def _number(ctx: Context) -> int | None:
    found = NUMBER.search(ctx.message.text)
    return int(found.group(1)) if found else None


def _status(demand: Demand) -> str:
    return STATUS_LABELS.get(demand.status, str(demand.status))


def _pick(ctx: Context, word: str, *, open_only: bool = False) -> Demand | str:
    """Return the need the message names by number (or the only one), or the reply to give."""
    visible = needs.visible_needs(ctx.session, ctx.openid)
    if not visible:
        return texts.NO_NEEDS
    number = _number(ctx)
    if number is None:
        candidates = (
            [d for d in visible if d.status in needs.OPEN_STATUSES] if open_only else visible
        )
        if len(candidates) == 1:
            return candidates[0]
        return texts.WHICH_NUMBER.format(word=word)
    if not 1 <= number <= len(visible):
        return texts.NO_SUCH_NUMBER.format(number=number)
    return visible[number - 1]


# --- list and detail ----------------------------------------------------------------------------


def list_my_needs(ctx: Context) -> str:
    """List the needs this person may see, with status and how many said yes."""
    visible = needs.visible_needs(ctx.session, ctx.openid)
    if not visible:
        return texts.NO_NEEDS
    zone = ZoneInfo(ctx.config.app.timezone)
    lines = []
    for number, demand in enumerate(visible, 1):
        people = introductions.introduced_people(ctx.session, demand)
        lines.append(
            texts.MINE_LINE.format(
                number=number,
                title=demand.title,
                enterprise=demand.enterprise.name,
                status=_status(demand),
                extra=texts.MINE_YES.format(count=len(people)) if people else "",
                date=demand.created_at.astimezone(zone).strftime("%Y-%m-%d"),
            )
        )
    reply = texts.MINE.format(lines="\n".join(lines))
    claims = enterprise_contacts.contacts_of_person(ctx.session, ctx.openid)
    if any(claim.status == ContactStatus.PENDING for claim in claims):
        reply += texts.CLAIM_PENDING
    return reply


def show_need(ctx: Context) -> str:
    """Show one need: status, the review note, and the people who said yes."""
    picked = _pick(ctx, "需求")
    if isinstance(picked, str):
        return picked
    visible = needs.visible_needs(ctx.session, ctx.openid)
    return need_detail(ctx, picked, visible.index(picked) + 1)


def need_detail(ctx: Context, demand: Demand, number: int) -> str:
    """Return the detail of ``demand`` (numbered ``number`` in the person's list)."""
    people = introductions.introduced_people(ctx.session, demand)
    if people:
        block = texts.PEOPLE.format(lines="\n".join(person.describe() for person in people))
    elif demand.status == DemandStatus.APPROVED:
        asked = sum(
            entry_status in (MatchStatus.ASKED, MatchStatus.DECLINED, MatchStatus.WITHDRAWN)
            for entry_status in _match_statuses(ctx, demand)
        )
        block = texts.PEOPLE_NONE_APPROVED.format(asked=asked)
    else:
        block = texts.PEOPLE_NONE_YET
    if demand.status in needs.OPEN_STATUSES:
        actions = texts.ACTIONS_OPEN.format(n=number)
    elif demand.status == DemandStatus.REJECTED:
        actions = texts.ACTIONS_REJECTED.format(n=number)
    else:
        actions = texts.ACTIONS_DONE
    return texts.DETAIL.format(
        title=demand.title,
        enterprise=demand.enterprise.name,
        status=_status(demand),
        note=texts.NOTE.format(note=demand.review_note) if demand.review_note else "",
        mode=demand.cooperation_mode or texts.NOT_SET,
        budget=demand.budget or texts.NOT_SET,
        deadline=demand.deadline.strftime("%Y年%m月%d日") if demand.deadline else texts.NOT_SET,
        people=block,
        actions=actions,
    )


def _match_statuses(ctx: Context, demand: Demand) -> list[MatchStatus]:
    # Counts only: an enterprise learns how many were asked, never who.
    from sqlalchemy import select

    from bot.models import Match

    return list(ctx.session.scalars(select(Match.status).where(Match.demand_id == demand.id)))


def show_matches(ctx: Context) -> str:
    """Answer "有哪些人才匹配？": the people who said yes, need by need."""
    blocks = [
        texts.MATCHES_BLOCK.format(
            title=demand.title, lines="\n".join(person.describe() for person in people)
        )
        for demand, people in introductions.introductions_for_contact(ctx.session, ctx.openid)
        if people
    ]
    if not blocks:
        if not needs.visible_needs(ctx.session, ctx.openid):
            return texts.NO_NEEDS
        return texts.MATCHES_NONE
    return texts.MATCHES.format(blocks="\n\n".join(blocks))


# --- withdraw and close -------------------------------------------------------------------------


def _ending(end: Callable[..., int], template: str, word: str) -> Callable[[Context], str]:
    def handler(ctx: Context) -> str:
        picked = _pick(ctx, word, open_only=True)
        if isinstance(picked, str):
            return picked
        try:
            told = end(ctx.session, picked, actor="wechat")
        except ValidationError:
            return texts.ENDED_ALREADY
        note = texts.TOLD_PEOPLE.format(count=told) if told else ""
        return template.format(title=picked.title, told=note)

    return handler


withdraw_need = _ending(needs.withdraw_need, texts.WITHDRAWN, "撤回需求")
close_need = _ending(needs.close_need, texts.CLOSED, "关闭需求")


# --- edit: pick a field, send the new value -----------------------------------------------------


def start_edit(ctx: Context) -> str:
    """Ask which item of the named need to change."""
    picked = _pick(ctx, "修改需求", open_only=True)
    if isinstance(picked, str):
        return picked if picked != texts.NO_NEEDS else texts.EDIT_NONE
    if picked.status not in needs.OPEN_STATUSES and picked.status != DemandStatus.REJECTED:
        return texts.ENDED_ALREADY
    ctx.state = new_state(EDIT_FLOW, "pick", {"demand_id": picked.id}, ctx.now)
    return texts.EDIT_PICK.format(title=picked.title)


def start_budget_edit(ctx: Context) -> str:
    """Answer "这个需求能改一下预算吗": straight to the new budget of the only open need."""
    picked = _pick(ctx, "修改需求", open_only=True)
    if isinstance(picked, str):
        return texts.EDIT_WHICH if picked.startswith("请带上编号") else picked
    ctx.state = new_state(EDIT_FLOW, "value", {"demand_id": picked.id, "field": "budget"}, ctx.now)
    return _ask_value(picked, "budget")


def _ask_value(demand: Demand, field: str) -> str:
    label = dict(EDIT_FIELDS)[field]
    if field == "cooperation_mode":
        options = "\n".join(f"{i}. {mode}" for i, mode in enumerate(COOPERATION_MODES, 1))
        return texts.EDIT_MODE.format(options=options)
    current: Any = getattr(demand, field)
    if isinstance(current, date):
        current = current.strftime("%Y-%m-%d")
    return texts.EDIT_ASK.format(label=label, current=current or texts.NOT_SET)


def edit_step(ctx: Context) -> str:
    """Read the answer of the edit flow's current step."""
    state = ctx.state
    assert state is not None  # noqa: S101 - only registered as the active flow's handler
    text = ctx.message.text
    demand = ctx.session.get(Demand, int(state.data.get("demand_id", 0)))
    if demand is None or not needs.can_see(ctx.session, demand, ctx.openid):
        ctx.state = None
        return texts.EDIT_NONE
    if word_of(text) in {"取消", "算了", "不改了", "退出"}:
        ctx.state = None
        return texts.EDIT_CANCELLED
    if state.step == "pick":
        if text.isdigit() and 1 <= int(text) <= len(EDIT_FIELDS):
            field = EDIT_FIELDS[int(text) - 1][0]
            ctx.state = state.moved("value", {**state.data, "field": field}, ctx.now)
            return _ask_value(demand, field)
        other = ctx.command_for(text)
        if other is not None:
            ctx.state = None
            return other(ctx) or ""
        return texts.EDIT_PICK_UNCLEAR
    field = str(state.data.get("field"))
    value: Any = text
    if field == "cooperation_mode":
        if not (text.isdigit() and 1 <= int(text) <= len(COOPERATION_MODES)):
            return _ask_value(demand, field)
        value = COOPERATION_MODES[int(text) - 1]
    elif field == "deadline":
        value = parse_deadline(text, ctx.now.astimezone(ZoneInfo(ctx.config.app.timezone)).date())
        if value is None:
            return texts.EDIT_ASK.format(label="截止日期（例如 明年3月底前）", current=text)
    before = demand.status
    try:
        changed = needs.edit_need(ctx.session, demand, actor="wechat", **{field: value})
    except ValidationError as error:
        return error.message_zh + "\n" + _ask_value(demand, field)
    ctx.state = None
    if not changed:
        return texts.EDIT_UNCHANGED
    shown = getattr(demand, field)
    if isinstance(shown, date):
        shown = shown.strftime("%Y年%m月%d日")
    reply = texts.EDIT_DONE.format(label=dict(EDIT_FIELDS)[field], value=shown)
    if demand.status == DemandStatus.PENDING_REVIEW and before != DemandStatus.PENDING_REVIEW:
        reply += texts.EDIT_BACK_TO_REVIEW
    return reply


# --- claims (a confirmed contact decides about a colleague) -------------------------------------


def _claim_decision(confirm: bool) -> Callable[[Context], str]:
    def handler(ctx: Context) -> str:
        waiting = enterprise_contacts.claims_awaiting(ctx.session, ctx.openid)
        if not waiting:
            return texts.CLAIM_UNKNOWN
        enterprise_contacts.approve_claim_by_chat(
            ctx.session, ctx.openid, waiting[0].id, confirm=confirm
        )
        reply = texts.CLAIM_DONE_YES if confirm else texts.CLAIM_DONE_NO
        if len(waiting) > 1:
            reply += texts.CLAIM_MORE.format(count=len(waiting) - 1)
        return reply

    return handler


def register(registry: Registry) -> None:
    """Put the enterprise's need commands on ``registry``."""
    registry.command(*texts.MINE_WORDS)(list_my_needs)
    registry.click(MENU_MINE)(list_my_needs)
    registry.command(*numbered(texts.DETAIL_WORDS))(show_need)
    registry.command(*texts.MATCHES_WORDS)(show_matches)
    registry.command(*texts.WITHDRAW_WORDS, *numbered(texts.WITHDRAW_WORDS))(withdraw_need)
    registry.command(*texts.CLOSE_WORDS, *numbered(texts.CLOSE_WORDS))(close_need)
    registry.command(*texts.EDIT_WORDS, *numbered(texts.EDIT_WORDS))(start_edit)
    registry.command(*texts.BUDGET_EDIT_WORDS)(start_budget_edit)
    registry.flow(EDIT_FLOW)(edit_step)
    registry.command(*texts.CLAIM_YES_WORDS)(_claim_decision(True))
    registry.command(*texts.CLAIM_NO_WORDS)(_claim_decision(False))
