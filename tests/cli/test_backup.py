"""huaicai backup / restore on both databases: the data is back after a restore."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select

from bot import migrations
from bot.db import Database
from bot.models import Talent
from cli import main
from cli.backup import BackupError, backup_database, restore_database
from tests.factories import make_talent


def _talent_names(database: Database) -> list[str]:
    with database.session() as session:
        return sorted(session.scalars(select(Talent.name)))


def test_backup_then_restore_brings_the_data_back(empty_database_url: str, tmp_path: Path) -> None:
    migrations.upgrade(empty_database_url)
    database = Database(empty_database_url)
    try:
        with database.transaction() as session:
            make_talent(session, name="备份前的人")
        env = {
            "HUAICAI_DATABASE__URL": empty_database_url,
            "HUAICAI_APP__INSTANCE_DIR": str(tmp_path),
        }
        output = tmp_path / "copy.backup"
        result = CliRunner().invoke(main, ["backup", "--output", str(output)], env=env)
        assert result.exit_code == 0, result.output
        assert output.stat().st_size > 0
        # Damage after the backup: one row gone, one row that must not survive the restore.
        with database.transaction() as session:
            session.execute(delete(Talent))
            make_talent(session, name="备份后的人")
        database.dispose()
        result = CliRunner().invoke(main, ["restore", str(output), "--yes"], env=env)
        assert result.exit_code == 0, result.output
        assert _talent_names(database) == ["备份前的人"]
        with database.engine.connect() as connection:
            assert migrations.current_revision(connection) == migrations.head_revision()
    finally:
        database.dispose()


def test_default_backup_goes_under_the_instance_folder(
    empty_database_url: str, tmp_path: Path
) -> None:
    migrations.upgrade(empty_database_url)
    env = {"HUAICAI_DATABASE__URL": empty_database_url, "HUAICAI_APP__INSTANCE_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, ["backup"], env=env)
    assert result.exit_code == 0, result.output
    (written,) = (tmp_path / "backups").iterdir()
    assert written.name.startswith("huaicai-")


def test_restore_refuses_a_file_that_is_not_a_backup(
    empty_database_url: str, tmp_path: Path
) -> None:
    migrations.upgrade(empty_database_url)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError):
        restore_database(empty_database_url, junk)
    # The database is untouched and still usable.
    database = Database(empty_database_url)
    try:
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(Talent)) == 0
    finally:
        database.dispose()


def test_backup_of_a_missing_sqlite_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        backup_database(f"sqlite:///{tmp_path / 'absent.sqlite3'}", tmp_path / "out")
