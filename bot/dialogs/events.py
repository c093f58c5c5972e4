"""Events in chat: RSVP (报名 / 不参加 / 取消报名, with a number when there are several),
我的活动 and 最近有什么活动, one-scan check-in with the event's QR code, and the feedback line.

Numbers refer to lists computed the same way each time (no dialog state): "报名2" is the second
of the person's open invitations followed by the other open events that fit them; "取消报名2"
and "不参加2" the second of the person's own events.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dialogs import events_texts as texts
from bot.dispatch import Context, Registry
from bot.models import Event, InvitationStatus
from bot.services import event_messages, events, talents

logger = logging.getLogger(__name__)

SCENE_PREFIX = "event-"
S = InvitationStatus


def _zone(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.config.app.timezone)


def _when(ctx: Context, event: Event) -> str:
    return event_messages.when(event, _zone(ctx))


def _number(text: str, words: tuple[str, ...]) -> int | None:
    """Return N of "<word>N" / "<word> N" (None: no number)."""
    for word in sorted(words, key=len, reverse=True):
        if text.startswith(word):
            rest = text[len(word) :].strip()
            return int(rest) if rest.isdigit() else None
    return None


def _register_candidates(ctx: Context) -> list[Event]:
    """Open invitations first, then other open events that fit the person."""
    pending = [event for event, _ in events.open_invitations(ctx.session, ctx.openid, ctx.now)]
    talent = talents.get_talent_by_openid(ctx.session, ctx.openid)
    mine = {event.id for event, _ in events.events_of(ctx.session, ctx.openid, ctx.now)}
    others = [
        event
        for event in events.events_that_fit(ctx.session, talent, ctx.now)
        if event.id not in mine
    ]
    return (pending + others)[: texts.MAX_NUMBER]


def _own_events(ctx: Context, statuses: frozenset[InvitationStatus]) -> list[Event]:
    rows = events.events_of(
        ctx.session,
        ctx.openid,
        ctx.now,
        default_duration_hours=ctx.config.events.default_duration_hours,
    )
    return [event for event, invitation in rows if invitation.status in statuses][
        : texts.MAX_NUMBER
    ]


def _item(ctx: Context, number: int, event: Event) -> str:
    return texts.ITEM.format(
        number=number, title=event.title, when=_when(ctx, event), where=event_messages.where(event)
    )


def _choose(ctx: Context, word: str, candidates: list[Event]) -> str:
    items = "\n".join(_item(ctx, n, event) for n, event in enumerate(candidates, start=1))
    return texts.CHOOSE.format(word=word, items=items)


def _talent_id(ctx: Context) -> int | None:
    talent = talents.get_talent_by_openid(ctx.session, ctx.openid)
    return talent.id if talent is not None else None


def _register_reply(ctx: Context, result: events.RsvpResult) -> str:
    event, invitation = result.event, result.invitation
    assert event is not None  # noqa: S101 - candidates exist
    fields = {
        "title": event.title,
        "when": _when(ctx, event),
        "where": event_messages.where(event),
    }
    if result.outcome == "registered":
        return texts.REGISTERED.format(**fields)
    if result.outcome == "awaiting_approval":
        return texts.AWAITING.format(**fields)
    if result.outcome == "waitlisted":
        waiting = events.participants(ctx.session, event, [S.WAITLISTED])
        position = next(
            (n for n, (row, _) in enumerate(waiting, start=1) if row is invitation), len(waiting)
        )
        return texts.WAITLISTED.format(position=position, **fields)
    if result.outcome == "unchanged" and invitation is not None:
        status = texts.STATUS.get(str(invitation.status), "")
        return texts.ALREADY.format(status=status, **fields)
    return texts.CLOSED.format(**fields)


def rsvp_register(ctx: Context) -> str:
    """Register for the event the person was invited to (or the one they name by number)."""
    number = _number(ctx.message.text, texts.REGISTER_WORDS)
    candidates = _register_candidates(ctx)
    if number is None:
        pending = events.open_invitations(ctx.session, ctx.openid, ctx.now)
        if len(pending) == 1:
            chosen = pending[0][0]
        elif not candidates:
            held = _own_events(ctx, CANCELLABLE | {S.ATTENDED})
            if held:
                # Said 报名 again for what they already have: say where they stand.
                chosen = held[0]
            else:
                return texts.NOTHING_TO_ANSWER + "\n" + texts.UPCOMING_EMPTY
        elif len(candidates) == 1 and not pending:
            chosen = candidates[0]
        else:
            return _choose(ctx, "报名", candidates)
    elif 1 <= number <= len(candidates):
        chosen = candidates[number - 1]
    else:
        return texts.NO_SUCH_NUMBER.format(number=number)
    result = events.register(
        ctx.session, chosen.id, talent_id=_talent_id(ctx), openid=ctx.openid, now=ctx.now
    )
    return _register_reply(ctx, result)


def _withdraw(ctx: Context, words: tuple[str, ...], statuses: frozenset[InvitationStatus]) -> str:
    number = _number(ctx.message.text, words)
    own = _own_events(ctx, statuses)
    if not own:
        return texts.NOTHING_TO_CANCEL if words is texts.CANCEL_WORDS else texts.NOTHING_TO_ANSWER
    if number is None:
        if len(own) > 1:
            return _choose(ctx, words[0], own)
        chosen = own[0]
    elif 1 <= number <= len(own):
        chosen = own[number - 1]
    else:
        return texts.NO_SUCH_NUMBER.format(number=number)
    result = events.decline(
        ctx.session,
        chosen.id,
        talent_id=_talent_id(ctx),
        openid=ctx.openid,
        now=ctx.now,
        offer_hours=ctx.config.events.offer_hours,
    )
    if result.outcome == "declined":
        return texts.DECLINED.format(title=chosen.title)
    if result.outcome == "cancelled":
        return texts.CANCELLED.format(title=chosen.title)
    if result.outcome == "closed":
        return texts.CLOSED.format(title=chosen.title)
    return texts.NOT_REGISTERED.format(title=chosen.title)


ANSWERABLE = frozenset({S.INVITED, S.OFFERED})
CANCELLABLE = frozenset({S.REGISTERED, S.OFFERED, S.WAITLISTED, S.AWAITING_APPROVAL})


def rsvp_decline(ctx: Context) -> str:
    """Decline an invitation (or, when none is open, cancel a registration)."""
    if not _own_events(ctx, ANSWERABLE) and _own_events(ctx, CANCELLABLE):
        return _withdraw(ctx, texts.DECLINE_WORDS, CANCELLABLE)
    return _withdraw(ctx, texts.DECLINE_WORDS, ANSWERABLE)


def rsvp_cancel(ctx: Context) -> str:
    """Cancel a registration (the seat goes to the waitlist)."""
    return _withdraw(ctx, texts.CANCEL_WORDS, CANCELLABLE)


def _upcoming_lines(ctx: Context) -> list[str]:
    candidates = _register_candidates(ctx)
    if not candidates:
        return [texts.UPCOMING_EMPTY]
    return [texts.UPCOMING_HEADER] + [
        _item(ctx, n, event) for n, event in enumerate(candidates[:5], start=1)
    ]


def my_events(ctx: Context) -> str:
    """List the person's events (with status), then open events that fit them."""
    rows = events.events_of(
        ctx.session,
        ctx.openid,
        ctx.now,
        default_duration_hours=ctx.config.events.default_duration_hours,
    )[: texts.MAX_NUMBER]
    lines = [texts.MINE_HEADER] if rows else [texts.MINE_EMPTY]
    lines += [
        texts.ITEM_WITH_STATUS.format(
            number=n,
            title=event.title,
            when=_when(ctx, event),
            status=texts.STATUS.get(str(invitation.status), ""),
        )
        for n, (event, invitation) in enumerate(rows, start=1)
    ]
    if rows:
        lines.append(texts.MINE_FOOTER)
    return "\n".join(lines + [""] + _upcoming_lines(ctx))


def upcoming(ctx: Context) -> str:
    """List the open events that fit the person, numbered for 报名N."""
    return "\n".join(_upcoming_lines(ctx))


def feedback(ctx: Context) -> str:
    """Keep the one-line answer to the thank-you message's question."""
    event = events.record_feedback(ctx.session, ctx.openid, ctx.message.text, ctx.now)
    return texts.FEEDBACK_THANKS if event is not None else texts.FEEDBACK_NO_EVENT


def _registered_elsewhere(ctx: Context, event: Event) -> Event | None:
    for other, invitation in events.events_of(ctx.session, ctx.openid, ctx.now):
        same_day = (
            other.starts_at.astimezone(_zone(ctx)).date() == ctx.now.astimezone(_zone(ctx)).date()
        )
        if other.id != event.id and invitation.status is S.REGISTERED and same_day:
            return other
    return None


def _local_time(ctx: Context, moment: datetime | None) -> str:
    return moment.astimezone(_zone(ctx)).strftime("%H:%M") if moment else ""


def check_in(ctx: Context) -> str:
    """Check the person in with one scan (SCAN, or subscribe with the event's scene)."""
    scene = ctx.message.event_key
    new_follower = ctx.message.event == "subscribe"
    result = events.check_in(
        ctx.session,
        scene,
        openid=ctx.openid,
        now=ctx.now,
        default_duration_hours=ctx.config.events.default_duration_hours,
    )
    event = result.event
    if event is None:
        logger.info("check-in with unknown scene %r", scene)
        return texts.UNKNOWN_EVENT
    title, when = event.title, _when(ctx, event)
    if result.outcome == "cancelled":
        return texts.EVENT_CANCELLED.format(title=title)
    if result.outcome == "ended":
        return texts.ENDED.format(title=title)
    if result.outcome == "too_early":
        return texts.TOO_EARLY.format(title=title, when=when)
    if result.outcome == "already":
        return texts.ALREADY_CHECKED_IN.format(time=_local_time(ctx, result.checked_in_at))
    if result.outcome == "checked_in":
        return texts.CHECKED_IN.format(title=title)
    known = talents.get_talent_by_openid(ctx.session, ctx.openid) is not None
    if new_follower and not known:
        return texts.WALK_IN_NEW.format(title=title)
    reply = texts.WALK_IN.format(title=title)
    elsewhere = _registered_elsewhere(ctx, event)
    if elsewhere is not None:
        reply = texts.WRONG_EVENT.format(registered=elsewhere.title, title=title) + "\n" + reply
    if not known:
        reply += "\n" + texts.WALK_IN_NEW.split("\n", 1)[1]
    return reply


def _numbered(words: tuple[str, ...]) -> list[str]:
    return [
        f"{word}{space}{n}"
        for word in words
        for n in range(1, texts.MAX_NUMBER + 1)
        for space in ("", " ")
    ]


def register(registry: Registry) -> None:
    """Put RSVP, the event lists, check-in and feedback on ``registry``."""
    registry.scene(SCENE_PREFIX)(check_in)
    registry.command(*texts.REGISTER_WORDS, *_numbered(("报名",)))(rsvp_register)
    registry.command(*texts.DECLINE_WORDS, *_numbered(("不参加",)))(rsvp_decline)
    registry.command(*texts.CANCEL_WORDS, *_numbered(("取消报名",)))(rsvp_cancel)
    registry.command(*texts.MINE_WORDS)(my_events)
    registry.command(*texts.UPCOMING_WORDS)(upcoming)
    registry.command(*texts.FEEDBACK_WORDS)(feedback)
