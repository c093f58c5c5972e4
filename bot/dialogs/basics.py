"""The account's basics: follow and unfollow, QR scenes nobody handles, help and the fallback."""

from __future__ import annotations

import logging

from bot.dialogs import basics_texts as texts
from bot.dialogs import profile
from bot.dispatch import Context, Registry
from bot.services import inbound, talents
from bot.understanding import Context as Where
from bot.understanding import Intent, recognise_intent

logger = logging.getLogger(__name__)

MENU_HELP = "HELP"
# Below this an understood intent is only pointed at ("回复“注册”…"), not acted on.
ACT_CONFIDENCE = 0.75
# What a clear intent does: the command word whose handler it runs.
INTENT_COMMANDS = {
    Intent.REGISTER: "注册",
    Intent.SHOW_PROFILE: "我的资料",
    Intent.ERASE: "注销",  # asks for its confirmation first
    Intent.HELP: "帮助",
    Intent.POST_NEED: "企业需求",
    Intent.MY_NEEDS: "我的需求",
    Intent.EVENTS: "有什么活动",
    Intent.HUMAN: "人工客服",
}


def welcome(ctx: Context) -> str:
    """Welcome a follower: new ones are offered registration, registered ones welcomed back.

    A scene nobody handles gets a note.
    """
    talent = inbound.record_follow(ctx.session, ctx.openid)
    greeting = texts.WELCOME_BACK.format(name=talent.name) if talent else texts.WELCOME
    if ctx.message.event_key:
        logger.info("subscribe with unhandled scene %r", ctx.message.event_key)
        return greeting + "\n\n" + texts.UNKNOWN_SCENE
    return greeting


def unknown_scene(ctx: Context) -> str:
    """Answer a scan of a QR code whose scene no feature handles."""
    logger.info("scan of unhandled scene %r", ctx.message.event_key)
    return texts.UNKNOWN_SCENE


def farewell(ctx: Context) -> None:
    """Stop writing to someone who unfollowed (WeChat shows them no reply)."""
    inbound.record_unsubscribe(ctx.session, ctx.openid)


def show_help(ctx: Context) -> str:
    """List what one can do here (a registered person is not offered registration)."""
    return texts.HELP_REGISTERED if _is_registered(ctx) else texts.HELP


def fallback(ctx: Context) -> str | None:
    """Answer anything no feature claimed with what one can do here."""
    message = ctx.message
    if message.kind == "event":
        # Menu clicks deserve an answer; location reports, link opens and the like do not.
        return texts.UNKNOWN_BUTTON if message.event == "CLICK" else None
    if message.is_text:
        return _act_on_intent(ctx) or _intent_hint(message.text.lower()) or _not_understood(ctx)
    return texts.NOT_TEXT


def _is_registered(ctx: Context) -> bool:
    return talents.is_registered(ctx.session, ctx.openid)


def _not_understood(ctx: Context) -> str:
    return texts.NOT_UNDERSTOOD_REGISTERED if _is_registered(ctx) else texts.NOT_UNDERSTOOD


def _act_on_intent(ctx: Context) -> str | None:
    """Do what a sentence clearly asks for ("我想登记一下", "我搬到杭州了"); None if unclear."""
    understood = recognise_intent(ctx.message.content, Where.IDLE_REGISTERED)
    # Only an edit reads differently for a registered person: ask the database only then.
    registered = understood.intent is Intent.EDIT_FIELD and _is_registered(ctx)
    if understood.intent is Intent.EDIT_FIELD and not registered:
        understood = recognise_intent(ctx.message.content, Where.IDLE_UNREGISTERED)
    if understood.confidence < ACT_CONFIDENCE:
        return None
    if understood.intent is Intent.EDIT_FIELD and registered and understood.field:
        return profile.propose_edit(ctx, understood.field, understood.value)
    word = INTENT_COMMANDS.get(understood.intent)
    if understood.intent is Intent.EDIT_FIELD and registered:
        word = "修改"  # "修改资料": which item?
    handler = ctx.command_for(word) if word else None
    if handler is None:
        return None
    logger.info("intent %s (%s) acted on", understood.intent, understood.rule)
    return handler(ctx)


def _intent_hint(text: str) -> str | None:
    """Return the pointer to the command the sentence asks for, if it names one."""
    for words, hint in texts.INTENTS:
        if any(word in text for word in words):
            return hint if texts.MENU in hint else hint + texts.MORE
    return None


def register(registry: Registry) -> None:
    """Put the follow events, help and the fallback on ``registry``."""
    registry.event("subscribe")(welcome)
    registry.event("SCAN")(unknown_scene)
    registry.event("unsubscribe")(farewell)
    registry.command(*texts.HELP_WORDS)(show_help)
    registry.click(MENU_HELP)(show_help)
    registry.fallback(fallback)
