from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import inspect

from bot import migrations
from bot.db import Database
from cli import main


def run(args: list[str], database_url: str) -> Result:
    runner = CliRunner()
    return runner.invoke(main, args, env={"HUAICAI_DATABASE__URL": database_url})


def test_help_lists_the_operations() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("db", "serve", "scheduler", "up", "user"):
        assert command in result.output


def test_db_upgrade_migrates_an_empty_database(empty_database_url: str) -> None:
    result = run(["db", "upgrade"], empty_database_url)
    assert result.exit_code == 0, result.output
    database = Database(empty_database_url)
    try:
        with database.engine.connect() as connection:
            assert "talents" in inspect(connection).get_table_names()
            assert migrations.current_revision(connection) == migrations.head_revision()
    finally:
        database.dispose()
    result = run(["db", "current"], empty_database_url)
    assert str(migrations.head_revision()) in result.output


def test_user_create_refuses_a_short_password(empty_database_url: str) -> None:
    run(["db", "upgrade"], empty_database_url)
    result = run(["user", "create", "li", "--password", "short"], empty_database_url)
    assert result.exit_code != 0
    assert "at least 8" in result.output
    result = run(["user", "create", "li", "--password", "long enough"], empty_database_url)
    assert result.exit_code == 0, result.output


def test_bad_config_stops_the_command_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[wechat]\ntimestamp_window_seconds = "five"\n', encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "cli", "--config", str(config), "db", "current"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "wechat.timestamp_window_seconds" in lines[0]


def test_scheduler_runs_one_job_on_demand(empty_database_url: str) -> None:
    run(["db", "upgrade"], empty_database_url)
    result = run(["scheduler", "--once", "purge-inbound-messages"], empty_database_url)
    assert result.exit_code == 0, result.output
    assert "purge-inbound-messages: 0" in result.output
    result = run(["scheduler", "--once", "no-such-job"], empty_database_url)
    assert result.exit_code != 0
