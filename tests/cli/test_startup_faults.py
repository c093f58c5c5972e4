"""Start-up faults stop the server with one line naming the key, before anything listens."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REAL_SECRETS = {
    "HUAICAI_APP__SECRET_KEY": "a-real-secret-key-for-this-test",
    "HUAICAI_WECHAT__SECRET": "a-real-app-secret",
    "HUAICAI_WECHAT__TOKEN": "a-real-token",
    "HUAICAI_CONSOLE__DEMO_PASSWORD": "a-real-password",
}


def _start(tmp_path: Path, command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[app]\ndemo = false\ninstance_dir = "{tmp_path}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "db.sqlite3"}"\n',
        encoding="utf-8",
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUAICAI_")}
    return subprocess.run(
        [sys.executable, "-m", "cli", "--config", str(config), command, "--port", "1"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("command", ["serve", "up"])
def test_missing_secret_names_the_environment_variable(tmp_path: Path, command: str) -> None:
    env = dict(REAL_SECRETS)
    del env["HUAICAI_WECHAT__SECRET"]
    result = _start(tmp_path, command, env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "huaicai: config error: wechat.secret: still the demo placeholder; "
        "set HUAICAI_WECHAT__SECRET"
    )


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1a", "expected 43 characters, got 42"),
        ("!" * 43, "not the base64 of a 32-byte key"),
    ],
)
def test_wrong_encoding_aes_key_is_named(tmp_path: Path, key: str, message: str) -> None:
    result = _start(tmp_path, "serve", {**REAL_SECRETS, "HUAICAI_WECHAT__ENCODING_AES_KEY": key})
    assert result.returncode == 2
    assert result.stderr.startswith("huaicai: config error: wechat.encoding_aes_key: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
