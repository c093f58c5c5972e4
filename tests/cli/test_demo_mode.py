"""``huaicai demo load`` outside demo mode: refused, and no demo account appears."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from bot import migrations
from bot.db import Database
from bot.models import ConsoleUser, Talent
from cli import main

PRODUCTION_ENV = {
    "HUAICAI_APP__DEMO": "false",
    "HUAICAI_APP__SECRET_KEY": "a-real-secret-key-from-the-environment",
    "HUAICAI_WECHAT__SECRET": "real-app-secret",
    "HUAICAI_WECHAT__TOKEN": "real-token",
    "HUAICAI_CONSOLE__DEMO_PASSWORD": "not-the-demo-one",
}


def test_demo_load_is_refused_outside_demo_mode(empty_database_url: str) -> None:
    migrations.upgrade(empty_database_url)
    env = {"HUAICAI_DATABASE__URL": empty_database_url, **PRODUCTION_ENV}
    result = CliRunner().invoke(main, ["demo", "load", "--talents", "3"], env=env)
    assert result.exit_code != 0
    assert "[app] demo is false" in result.output
    database = Database(empty_database_url)
    try:
        with database.transaction() as session:
            assert session.scalar(select(func.count(ConsoleUser.id))) == 0
            assert session.scalar(select(func.count(Talent.id))) == 0
    finally:
        database.dispose()
