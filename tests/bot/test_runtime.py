"""The runtime: one registry, talent index and reply executor per app, warmed outside requests."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_config
from bot.db import Database
from bot.runtime import Runtime
from bot.services.talent_search import TalentIndexCache
from tests.factories import make_talent


def test_each_runtime_has_its_own_registry_and_index(tmp_path: Path) -> None:
    config = load_config(environ={})
    database = Database(f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    first, second = Runtime.build(config, database), Runtime.build(config, database)
    try:
        assert first.registry is not second.registry
        assert first.registry.commands.keys() == second.registry.commands.keys()
        assert first.talent_index is not second.talent_index
        assert first.responder.registry is first.registry
        assert first.responder.talent_index is first.talent_index
    finally:
        first.close()
        second.close()
        database.dispose()


def test_warm_up_builds_the_index_before_any_request(committed_database: Database) -> None:
    with committed_database.transaction() as session:
        talent_id = make_talent(session).id
    config = load_config(environ={})
    runtime = Runtime.build(config, committed_database)
    # No saved file: the index comes from the database, not from a developer's instance/.
    runtime.talent_index = TalentIndexCache(config.matching)
    runtime.warm_up()
    runtime.close()
    assert runtime.talent_index.index is not None and runtime.talent_index.ids == {talent_id}


def test_a_worker_starts_while_the_database_is_away(tmp_path: Path) -> None:
    config = load_config(environ={})
    missing = tmp_path / "no-such-dir" / "db.sqlite3"
    database = Database(f"sqlite:///{missing}")
    runtime = Runtime.build(config, database)
    runtime.talent_index = TalentIndexCache(config.matching)
    runtime.warm_up()  # logs, does not raise
    runtime.close()
    database.dispose()
    assert runtime.talent_index.index is None
