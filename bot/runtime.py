"""The long-lived things of one process, owned in one place instead of module globals.

A ``Runtime`` holds the configuration, the database, the dispatch registry (every dialog's
``register`` called once, explicitly), the talent index and the reply executor (the thread pool
that answers WeChat within its budget). ``webhooks.create_app`` builds one per app; the CLI builds
one where it needs the registry or the index. Nothing here starts a thread or touches the
database until asked: ``warm_up`` (gunicorn's ``post_worker_init``, outside any request) loads the
text models and the talent index, and ``close`` stops the executor.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

import matching
from bot import dialogs
from bot.config import Config
from bot.db import Database
from bot.deadlines import Deadlines
from bot.dispatch import Registry
from bot.services.inbound import Responder
from bot.services.talent_search import TalentIndexCache
from bot.understanding import Context as Where
from bot.understanding import normalise_city, recognise_intent

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Configuration, database, registry, talent index and reply executor of one process."""

    config: Config
    database: Database
    registry: Registry
    talent_index: TalentIndexCache
    responder: Responder

    @classmethod
    def build(cls, config: Config, database: Database) -> Runtime:
        """Wire the parts; nothing connects or starts a thread yet."""
        registry = dialogs.build_registry()
        talent_index = TalentIndexCache.from_config(config)
        # Threads keep their connection between deliveries (``held_transaction``); on
        # PostgreSQL deliveries run in the request thread (``Responder.respond_here``).
        here = config.wechat.deliveries_in_request(database.engine.dialect.name)
        responder = Responder(
            database.session,
            config,
            registry,
            talent_index=talent_index,
            transaction=database.held_transaction,
            deadlines=Deadlines(database.cancel_held, database.stop_held) if here else None,
        )
        return cls(config, database, registry, talent_index, responder)

    def warm_up(self) -> None:
        """Load jieba, lexicons and models, and the talent index, before the first message."""
        started = time.perf_counter()
        warm_text_models()
        try:
            with self.database.transaction() as session:
                self.talent_index.warm(session)
        except SQLAlchemyError:
            # The worker still starts (it keeps deliveries while the database is away); the
            # index is then built by the first search instead.
            logger.exception("talent index not warmed: the database did not answer")
        logger.info("runtime warmed up in %.1f s", time.perf_counter() - started)

    def close(self) -> None:
        """Wait for running deliveries, stop the executor's threads and return their connections."""
        self.responder.close()
        self.database.release_held()


def warm_text_models() -> None:
    """Load what reading a message may need (jieba, lexicons, models, gazetteers, pinyin)."""
    matching.warm_up()
    # Typos are looked up by sound: pypinyin's tables load on the first near miss.
    matching.recognise_origin("沁杨")
    normalise_city("深证")
    recognise_intent("注侧", Where.IDLE_UNREGISTERED)
