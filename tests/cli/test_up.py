"""huaicai up: configured ports, a clear message when one is taken, 'running' only when healthy."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from cli import main
from cli.server import port_in_use, url_port
from devtools.simulator import WeChatUser


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    """A socket listening on a free loopback port (another program holding it)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    try:
        yield server
    finally:
        server.close()


def _config(tmp_path: Path, web_port: int, fake_port: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[app]\ninstance_dir = "{tmp_path}"\nbase_url = "http://127.0.0.1:{web_port}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "huaicai.sqlite3"}"\n'
        f'[wechat]\napi_base_url = "http://127.0.0.1:{fake_port}/cgi-bin/"\n',
        encoding="utf-8",
    )
    return path


def test_port_helpers() -> None:
    assert url_port("http://127.0.0.1:8010", 8000) == 8010
    assert url_port("https://hc.example.cn", 8000) == 8000


def test_port_in_use_sees_a_listener(listening: socket.socket) -> None:
    port = listening.getsockname()[1]
    assert port_in_use("127.0.0.1", port)
    listening.close()
    assert not port_in_use("127.0.0.1", port)


def test_taken_web_port_names_the_port_and_the_config_key(
    tmp_path: Path, listening: socket.socket
) -> None:
    taken = listening.getsockname()[1]
    config = _config(tmp_path, taken, _free_port())
    result = CliRunner().invoke(main, ["--config", str(config), "up"], env={})
    assert result.exit_code == 1
    assert f"port {taken} on 127.0.0.1 is already in use" in result.output
    assert "app.base_url" in result.output
    assert "--port" in result.output


def test_taken_fake_wechat_port_names_its_config_key(
    tmp_path: Path, listening: socket.socket
) -> None:
    taken = listening.getsockname()[1]
    config = _config(tmp_path, _free_port(), taken)
    result = CliRunner().invoke(main, ["--config", str(config), "up"], env={})
    assert result.exit_code == 1
    assert f"port {taken}" in result.output
    assert "wechat.api_base_url" in result.output
    assert "HUAICAI_WECHAT__API_BASE_URL" in result.output


def test_up_port_option_is_checked_too(tmp_path: Path, listening: socket.socket) -> None:
    taken = listening.getsockname()[1]
    config = _config(tmp_path, _free_port(), _free_port())
    result = CliRunner().invoke(main, ["--config", str(config), "up", "--port", str(taken)], env={})
    assert result.exit_code == 1
    assert f"port {taken}" in result.output


@pytest.mark.slow
def test_up_serves_chats_and_stops_cleanly(tmp_path: Path) -> None:
    web_port, fake_port = _free_port(), _free_port()
    config = _config(tmp_path, web_port, fake_port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUAICAI_")}
    cli = [sys.executable, "-m", "cli", "--config", str(config)]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    up = subprocess.Popen(
        [*cli, "up", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert up.stdout is not None
        for line in up.stdout:
            lines.put(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 180
        while not any("HuaiCai is running" in line for line in seen):
            assert up.poll() is None, "".join(seen)
            assert time.monotonic() < deadline, "".join(seen)
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                pass
        # "running" was said only once /healthz answered.
        base = f"http://127.0.0.1:{web_port}"
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
        user = WeChatUser(token="demo-token", appid="wxdemo0000000000000", openid="o-smoke")
        signed = user.text("帮助")
        answer = requests.post(signed.url(f"{base}/wechat"), data=signed.body, timeout=10)
        reply = user.read_reply(answer.status_code, answer.content)
        assert reply.status == 200
        assert reply.text
        # gunicorn's workers count into shared files; /metrics adds them up.
        metrics = requests.get(f"{base}/metrics", timeout=10).text
        assert 'huaicai_callback_outcomes_total{outcome="replied"} 1.0' in metrics
    finally:
        up.send_signal(signal.SIGINT)
        code = up.wait(timeout=60)
        reader.join(timeout=10)
        assert up.stdout is not None
        up.stdout.close()
    assert code == 0, "".join(seen)
    assert not port_in_use("127.0.0.1", web_port)
    assert not port_in_use("127.0.0.1", fake_port)
