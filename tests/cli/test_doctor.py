"""huaicai doctor: every check names what is wrong and how to fix it; exit 1 when anything is."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from bot.config import DEFAULT_CONFIG_PATH
from bot.db import Database, utcnow
from bot.services import operations
from cli import main
from devtools.fake_wechat import FakeWeChat
from tests.wechat_fixtures import FAKE_APPID, FAKE_SECRET

VALID_AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"


def _config(tmp_path: Path, database_url: str, api_base_url: str, extra: str = "") -> Path:
    shipped = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    menu = shipped[shipped.index("[[menu.button]]") :]
    path = tmp_path / "config.toml"
    path.write_text(
        f'[app]\ninstance_dir = "{tmp_path}"\n'
        f'[database]\nurl = "{database_url}"\n'
        f'[wechat]\nappid = "{FAKE_APPID}"\nsecret = "{FAKE_SECRET}"\n'
        f'api_base_url = "{api_base_url}"\nencoding_aes_key = "{VALID_AES_KEY}"\n' + extra + menu,
        encoding="utf-8",
    )
    return path


def _doctor(config: Path) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), "doctor"], env={})


def _beat(database: Database, at_seconds_ago: float = 0) -> None:
    with database.transaction() as session:
        when = utcnow() - timedelta(seconds=at_seconds_ago)
        operations.record_job_end(session, operations.HEARTBEAT_JOB, "test:1", when, None)


def test_healthy_deployment_passes_every_check(
    tmp_path: Path, committed_database: Database, fake_wechat: FakeWeChat
) -> None:
    _beat(committed_database)
    config = _config(tmp_path, committed_database.url, fake_wechat.api_base_url)
    result = _doctor(config)
    assert result.exit_code == 0, result.output
    assert "all checks passed" in result.output
    for check in ("database", "wechat api", "aes key", "menu", "scheduler"):
        assert f"ok    {check}" in result.output
    assert [call.path for call in fake_wechat.calls()] == ["stable_token"]


def test_unmigrated_database_is_reported_with_the_fix(
    tmp_path: Path, empty_database_url: str, fake_wechat: FakeWeChat
) -> None:
    result = _doctor(_config(tmp_path, empty_database_url, fake_wechat.api_base_url))
    assert result.exit_code == 1
    assert "FAIL  database    " in result.output
    assert "huaicai db upgrade" in result.output


def test_unreachable_wechat_api_and_missing_heartbeat_fail(
    tmp_path: Path, committed_database: Database
) -> None:
    # Nothing listens on port 9 (discard) on the loopback interface here.
    config = _config(tmp_path, committed_database.url, "http://127.0.0.1:9/cgi-bin/")
    result = _doctor(config)
    assert result.exit_code == 1
    assert "FAIL  wechat api" in result.output
    assert "FAIL  scheduler" in result.output
    assert "huaicai scheduler" in result.output


def test_stale_heartbeat_fails(
    tmp_path: Path, committed_database: Database, fake_wechat: FakeWeChat
) -> None:
    _beat(committed_database, at_seconds_ago=3600)
    result = _doctor(_config(tmp_path, committed_database.url, fake_wechat.api_base_url))
    assert result.exit_code == 1
    assert "FAIL  scheduler   last heartbeat 3600 s ago" in result.output


def test_refused_credentials_point_at_the_secret_and_ip_allow_list(
    tmp_path: Path, committed_database: Database
) -> None:
    _beat(committed_database)
    with FakeWeChat(FAKE_APPID, "another-secret").start() as fake:
        result = _doctor(_config(tmp_path, committed_database.url, fake.api_base_url))
    assert result.exit_code == 1
    assert "FAIL  wechat api" in result.output
    assert "40125" in result.output
    assert "IP白名单" in result.output


def test_aes_key_that_is_not_base64_of_32_bytes_fails(
    tmp_path: Path, committed_database: Database, fake_wechat: FakeWeChat
) -> None:
    _beat(committed_database)
    config = _config(tmp_path, committed_database.url, fake_wechat.api_base_url)
    text = config.read_text(encoding="utf-8").replace(VALID_AES_KEY, "!" * 43)
    config.write_text(text, encoding="utf-8")
    result = _doctor(config)
    assert result.exit_code == 1
    # Start-up validation refuses it already; doctor shows that line with the key's name.
    assert "FAIL  config      wechat.encoding_aes_key: not the base64" in result.output


def test_unreachable_redis_fails_when_tokens_live_there(
    tmp_path: Path, committed_database: Database, fake_wechat: FakeWeChat
) -> None:
    _beat(committed_database)
    extra = 'token_store = "redis"\nredis_url = "redis://127.0.0.1:9/0"\n'
    result = _doctor(_config(tmp_path, committed_database.url, fake_wechat.api_base_url, extra))
    assert result.exit_code == 1
    assert "FAIL  redis" in result.output
    assert "HUAICAI_WECHAT__REDIS_URL" in result.output


def test_config_error_is_reported_not_raised(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[wechat]\nencoding_aes_key = "short"\n', encoding="utf-8")
    result = _doctor(config)
    assert result.exit_code == 1
    assert "FAIL  config" in result.output
    assert "wechat.encoding_aes_key" in result.output
