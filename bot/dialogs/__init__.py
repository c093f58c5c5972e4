"""Conversations: each module here has ``register(registry)``; ``build_registry`` calls them all.

Nothing registers on import. The app (``bot.runtime``) and the CLI build their registry with
``build_registry()``; a new dialog module is added to ``DIALOG_MODULES``, in the order its
command words should win (the first module to claim a word keeps it; a second claim is an error).
"""

from __future__ import annotations

import importlib

from bot.dispatch import Registry

DIALOG_MODULES: tuple[str, ...] = (
    "bot.dialogs.registration",
    "bot.dialogs.profile",
    "bot.dialogs.enterprise",
    "bot.dialogs.needs",
    "bot.dialogs.events",
    "bot.dialogs.basics",
    # After basics: it reads 1 / 2 (answers to an introduction ask) before basics' fallback.
    "bot.dialogs.introductions",
)


def register_all(registry: Registry) -> Registry:
    """Call ``register(registry)`` of every module in ``DIALOG_MODULES``; return ``registry``."""
    for name in DIALOG_MODULES:
        importlib.import_module(name).register(registry)
    return registry


def build_registry() -> Registry:
    """Return a new registry with every dialog's handlers on it."""
    return register_all(Registry())
