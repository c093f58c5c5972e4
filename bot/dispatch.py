"""Route a parsed WeChat message to the handler registered for it.

The transport (``webhooks.callback``) verifies, decrypts, de-duplicates and parses; it then builds
an ``Incoming`` and ``bot.services.inbound`` calls ``Registry.dispatch`` inside one database
transaction, with the person's dialog state (read when the delivery was claimed) in the context.
Handlers are registered by event, menu key, QR scene, active dialog flow and command word
(STYLE.md 3). Nothing registers on import: each dialog module has ``register(registry)``, and
``bot.dialogs.build_registry()`` calls them all for the app and the CLI.

Resolution order, first match wins:
1. events: ``CLICK`` by menu key; ``subscribe``/``SCAN`` with a scene by scene prefix; then by
   event name (``subscribe``, ``unsubscribe``, ...);
2. the flow of the person's active dialog, if any;
3. a command word (the whole normalised text, e.g. 注册);
4. the fallback.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from bot.config import Config
from bot.services.dialog_states import FlowState

if TYPE_CHECKING:
    from bot.services.talent_search import TalentIndexCache

logger = logging.getLogger(__name__)

TEXT_KINDS = frozenset({"text", "voice"})


@dataclass(frozen=True)
class Incoming:
    """One message or event from a WeChat user, already verified and parsed."""

    openid: str
    kind: str  # text, voice, image, location, link, video, shortvideo, event, unknown
    create_time: int
    content: str = ""  # text, or the speech recognition of a voice message
    event: str = ""  # subscribe, unsubscribe, SCAN, CLICK, VIEW, ... (events only)
    event_key: str = ""  # menu key, or QR scene without the qrscene_ prefix
    msg_id: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_text(self) -> bool:
        """Return whether the message carries text we can read (typed or recognised speech)."""
        return self.kind in TEXT_KINDS and bool(self.content.strip())

    @property
    def text(self) -> str:
        """Return the text NFKC-normalised and stripped ('' for non-text messages)."""
        return unicodedata.normalize("NFKC", self.content).strip() if self.is_text else ""

    @property
    def dedup_key(self) -> str:
        """Return WeChat's delivery identity: MsgId, or sender + time (+ event) for events."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"evt:{self.openid}:{self.create_time}:{self.event}:{self.event_key}"


@dataclass
class Context:
    """What a handler gets: the message, an open session, the person's dialog state, follow-ups.

    ``state`` is the dialog state read when the delivery was claimed; a handler that moves the
    person in a dialog sets the new state here, and the inbound service saves it once.
    """

    session: Session
    message: Incoming
    config: Config
    now: datetime
    state: FlowState | None = None
    # Extra messages to send after the passive reply (customer-service messages via outbox).
    followups: list[str] = field(default_factory=list)
    # The process's talent index (None where no search is expected, e.g. in dialog tests).
    talent_index: TalentIndexCache | None = None
    # Set by ``Registry.dispatch``: lets a dialog obey another feature's command word.
    registry: Registry | None = None

    @property
    def openid(self) -> str:
        return self.message.openid

    @property
    def flow(self) -> str | None:
        """Return the name of the person's active flow, if any."""
        return self.state.flow if self.state is not None else None

    def command_for(self, text: str) -> Handler | None:
        """Return the handler of the command word ``text`` (None when it is none)."""
        return self.registry.commands.get(_command_key(text)) if self.registry else None


Handler = Callable[[Context], str | None]


class Registry:
    """Handlers keyed by event, menu key, scene prefix, dialog flow and command word."""

    def __init__(self) -> None:
        self.events: dict[str, Handler] = {}
        self.clicks: dict[str, Handler] = {}
        self.scenes: dict[str, Handler] = {}
        self.flows: dict[str, Handler] = {}
        self.commands: dict[str, Handler] = {}
        self.fallback_handler: Handler | None = None

    def _add(
        self, table: dict[str, Handler], keys: tuple[str, ...]
    ) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            for key in keys:
                if key in table and table[key] is not handler:
                    raise ValueError(f"handler for {key!r} registered twice")
                table[key] = handler
            return handler

        return decorator

    def event(self, *names: str) -> Callable[[Handler], Handler]:
        """Register a handler for WeChat events (``subscribe``, ``unsubscribe``, ...)."""
        return self._add(self.events, names)

    def click(self, *keys: str) -> Callable[[Handler], Handler]:
        """Register a handler for menu CLICK keys."""
        return self._add(self.clicks, keys)

    def scene(self, *prefixes: str) -> Callable[[Handler], Handler]:
        """Register a handler for parametric QR scenes starting with a prefix (``event-``)."""
        return self._add(self.scenes, prefixes)

    def flow(self, name: str) -> Callable[[Handler], Handler]:
        """Register the handler of a multi-step dialog while it is a person's active flow."""
        return self._add(self.flows, (name,))

    def command(self, *words: str) -> Callable[[Handler], Handler]:
        """Register a handler for messages whose whole normalised text is one of ``words``."""
        return self._add(self.commands, tuple(_command_key(word) for word in words))

    def fallback(self, handler: Handler) -> Handler:
        """Register the handler for everything else."""
        self.fallback_handler = handler
        return handler

    def resolve(self, ctx: Context) -> Handler | None:
        """Return the handler for the message in ``ctx`` (see the module docstring)."""
        message = ctx.message
        if message.kind == "event":
            handler = self._event_handler(message)
            if handler is not None:
                return handler
        else:
            flow = ctx.flow
            if flow is not None and flow in self.flows:
                return self.flows[flow]
            if message.is_text:
                handler = self.commands.get(_command_key(message.text))
                if handler is not None:
                    return handler
        return self.fallback_handler

    def _event_handler(self, message: Incoming) -> Handler | None:
        if message.event == "CLICK" and message.event_key in self.clicks:
            return self.clicks[message.event_key]
        if message.event in {"subscribe", "SCAN"} and message.event_key:
            for prefix in sorted(self.scenes, key=len, reverse=True):
                if message.event_key.startswith(prefix):
                    return self.scenes[prefix]
        return self.events.get(message.event)

    def dispatch(self, ctx: Context) -> str | None:
        """Run the resolved handler; return the passive reply text (None: nothing to say)."""
        ctx.registry = self
        handler = self.resolve(ctx)
        if handler is None:
            logger.info("no handler for %s/%s", ctx.message.kind, ctx.message.event)
            return None
        return handler(ctx)


def _command_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()
