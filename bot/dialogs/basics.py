"""The account's basics: follow and unfollow, QR scenes nobody handles, help and the fallback."""

from __future__ import annotations

import logging

from bot.dialogs import basics_texts as texts
from bot.dispatch import Context, Registry
from bot.services import inbound

logger = logging.getLogger(__name__)

MENU_HELP = "HELP"


def welcome(ctx: Context) -> str:
    """Welcome a new follower and offer registration (a scene nobody handles gets a note)."""
    if ctx.message.event_key:
        logger.info("subscribe with unhandled scene %r", ctx.message.event_key)
        return texts.WELCOME + "\n\n" + texts.UNKNOWN_SCENE
    return texts.WELCOME


def unknown_scene(ctx: Context) -> str:
    """Answer a scan of a QR code whose scene no feature handles."""
    logger.info("scan of unhandled scene %r", ctx.message.event_key)
    return texts.UNKNOWN_SCENE


def farewell(ctx: Context) -> None:
    """Stop writing to someone who unfollowed (WeChat shows them no reply)."""
    inbound.record_unsubscribe(ctx.session, ctx.openid)


def show_help(ctx: Context) -> str:
    """List what one can do here."""
    return texts.HELP


def fallback(ctx: Context) -> str | None:
    """Answer anything no feature claimed with what one can do here."""
    message = ctx.message
    if message.kind == "event":
        # Menu clicks deserve an answer; location reports, link opens and the like do not.
        return texts.UNKNOWN_BUTTON if message.event == "CLICK" else None
    if message.is_text:
        return _intent_hint(message.text.lower()) or texts.NOT_UNDERSTOOD
    return texts.NOT_TEXT


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
