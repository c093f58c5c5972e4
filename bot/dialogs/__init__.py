"""Conversations: handlers registered on ``bot.dispatch.registry`` by the modules listed here."""

from __future__ import annotations

import importlib

DIALOG_MODULES: tuple[str, ...] = (
    "bot.dialogs.registration",
    "bot.dialogs.profile",
    "bot.dialogs.enterprise",
    "bot.dialogs.events",
    "bot.dialogs.basics",
)


def load() -> None:
    """Import every dialog module so its handlers are registered (idempotent)."""
    for name in DIALOG_MODULES:
        importlib.import_module(name)
