"""Chat fixtures: a person talking to the dialogs on the test's rolled-back session."""

from __future__ import annotations

import gc
import itertools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

import matching
from bot import dialogs
from bot.config import Config, load_config
from bot.dispatch import Incoming, Registry
from bot.runtime import warm_text_models
from bot.services import dialog_states, inbound

_message_ids = itertools.count(1)
START = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


@dataclass
class Chat:
    """One WeChat user talking to HuaiCai as the inbound service does (``inbound.converse``)."""

    session: Session
    config: Config
    registry: Registry
    openid: str
    now: datetime = START
    followups: list[str] = field(default_factory=list)

    def send(self, content: str = "", *, kind: str = "text", **extra: str) -> str:
        """Send a message (or an event with ``event=``/``event_key=``); return the reply."""
        msg_id = None if kind == "event" else str(next(_message_ids))
        message = Incoming(
            openid=self.openid,
            kind=kind,
            create_time=int(self.now.timestamp()),
            content=content,
            msg_id=msg_id,
            **extra,
        )
        state = dialog_states.load(self.session, self.openid)
        reply, ctx = inbound.converse(
            self.session, self.config, self.registry, message, now=self.now, state=state
        )
        self.session.flush()
        self.followups = ctx.followups
        self.now += timedelta(seconds=20)
        return reply or ""

    def click(self, key: str) -> str:
        """Click a menu button."""
        return self.send(kind="event", event="CLICK", event_key=key)

    def wait(self, **delta: float) -> None:
        """Let time pass (a break in the conversation)."""
        self.now += timedelta(**delta)


def talk(chat: Chat, lines: list[tuple[str, str]]) -> list[str]:
    """Play a transcript: each user line must get a reply containing the expected fragment."""
    replies = []
    for says, expected in lines:
        reply = chat.send(says)
        assert expected in reply, f"\nuser: {says}\nbot:  {reply}\nexpected: {expected}"
        replies.append(reply)
    return replies


@pytest.fixture(scope="session", autouse=True)
def text_models_loaded() -> None:
    """Load jieba and the keyword models once, before any conversation is timed or checked.

    Importing ``jieba.analyse`` leaves its IDF file open (a ResourceWarning, an error under
    ``filterwarnings = error``); that third-party leak is absorbed here, once.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        matching.extract_keywords("锂离子电池正极材料的研发", top_k=3)
        warm_text_models()
        gc.collect()


@pytest.fixture(scope="session")
def chat_config() -> Config:
    """Return the project's configuration (menu included) with no environment layer."""
    return load_config(environ={})


@pytest.fixture
def chat_registry() -> Registry:
    """Return a registry with every dialog on it (a test may add handlers of its own)."""
    return dialogs.build_registry()


@pytest.fixture
def chat(db_session: Session, chat_config: Config, chat_registry: Registry) -> Iterator[Chat]:
    """Return a new person chatting with HuaiCai."""
    yield Chat(db_session, chat_config, chat_registry, openid=f"o-chat-{next(_message_ids)}")
