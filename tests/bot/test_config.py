from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_CONFIG_PATH, ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_loads_and_matches_defaults() -> None:
    config = load_config(DEFAULT_CONFIG_PATH, environ={})
    assert config.app.timezone == "Asia/Shanghai"
    assert config.targets.talents_2025 == 5000
    assert config.database.url.startswith("sqlite:///")


def test_every_shipped_key_is_commented() -> None:
    lines = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            previous = lines[number - 1].strip()
            assert previous.startswith("#"), f"key without a comment: {line!r}"


def test_environment_overrides_file_and_overrides_win(tmp_path: Path) -> None:
    path = write(tmp_path, '[wechat]\ntoken = "from-file"\ntimestamp_window_seconds = 100\n')
    environ = {
        "HUAICAI_WECHAT__TOKEN": "from-env",
        "HUAICAI_WECHAT__TIMESTAMP_WINDOW_SECONDS": "60",
    }
    config = load_config(path, environ=environ)
    assert config.wechat.token == "from-env"
    assert config.wechat.timestamp_window_seconds == 60
    config = load_config(path, overrides={"wechat": {"token": "override"}}, environ=environ)
    assert config.wechat.token == "override"


@pytest.mark.parametrize(
    ("text", "environ", "names"),
    [
        ("[database]\nurl = 5\n", {}, "database.url"),
        ('[wechat]\ntimestamp_window_seconds = "soon"\n', {}, "wechat.timestamp_window_seconds"),
        ("[wechat]\ntimestamp_window_seconds = -1\n", {}, "wechat.timestamp_window_seconds"),
        ('[app]\ntimezone = "Mars/Olympus"\n', {}, "app.timezone"),
        ('[wechat]\nencoding_aes_key = "short"\n', {}, "wechat.encoding_aes_key"),
        ("[wechat]\nreply_budget_seconds = 6\n", {}, "wechat.reply_budget_seconds"),
        ('[database]\nurl = "mysql://x"\n', {}, "database.url"),
        ("[database]\npool_size = 0\n", {}, "database.pool_size"),
        ("[app]\ntypo_key = 1\n", {}, "app.typo_key"),
        ("[nonsense]\nkey = 1\n", {}, "[nonsense]"),
        ("", {"HUAICAI_APP__DEMO": "perhaps"}, "app.demo"),
        ("[app]\ndemo = false\n", {}, "app.secret_key"),
        ("[targets]\ntalents_2025 = 0\n", {}, "targets.talents_2025"),
        ("[app\n", {}, "not valid TOML"),
    ],
)
def test_bad_value_names_the_key(
    tmp_path: Path, text: str, environ: dict[str, str], names: str
) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text), environ=environ)
    message = str(error.value)
    assert names in message
    assert "\n" not in message


def test_production_mode_accepts_real_secrets_from_environment(tmp_path: Path) -> None:
    environ = {
        "HUAICAI_APP__DEMO": "false",
        "HUAICAI_APP__SECRET_KEY": "s3cr3t-from-vault",
        "HUAICAI_WECHAT__SECRET": "real-secret",
        "HUAICAI_WECHAT__TOKEN": "real-token",
        "HUAICAI_CONSOLE__DEMO_PASSWORD": "unused-in-production",
    }
    config = load_config(write(tmp_path, ""), environ=environ)
    assert config.app.demo is False
    assert config.wechat.secret == "real-secret"


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml", environ={})


def test_relative_sqlite_url_resolves_under_the_project(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, '[database]\nurl = "sqlite:///instance/x.db"\n'), environ={}
    )
    assert config.database_url.endswith("/instance/x.db")
    assert Path(config.database_url.removeprefix("sqlite:///")).is_absolute()
