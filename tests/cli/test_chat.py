"""``huaicai chat`` against a real server, in plain and safe mode."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner

from bot.dialogs import basics_texts
from cli import main
from tests.conftest import TEST_WECHAT
from tests.webhooks.conftest import LiveServer, extra_commands, live_server  # noqa: F401 - fixtures

ENVIRONMENT = {
    "HUAICAI_WECHAT__TOKEN": TEST_WECHAT["token"],
    "HUAICAI_WECHAT__APPID": TEST_WECHAT["appid"],
    "HUAICAI_WECHAT__ENCODING_AES_KEY": TEST_WECHAT["encoding_aes_key"],
}


@pytest.mark.parametrize("safe", [False, True])
def test_chat_posts_each_line_and_shows_the_reply(
    live_server: Callable[..., LiveServer],  # noqa: F811 - the imported fixture
    safe: bool,
) -> None:
    server = live_server()
    lines = ["帮助", "/click HELP", "/image", "/voice 帮助", "/scan nobody", "/bogus", "/quit"]
    args = ["chat", "--url", server.url, "--openid", "o-cli-1"] + (["--safe"] if safe else [])
    result = CliRunner().invoke(main, args, input="\n".join(lines) + "\n", env=ENVIRONMENT)
    assert result.exit_code == 0, result.output
    assert result.output.count(basics_texts.HELP.splitlines()[0]) == 3
    assert basics_texts.NOT_TEXT.splitlines()[0] in result.output
    assert basics_texts.UNKNOWN_SCENE in result.output
    assert "Commands: /click KEY" in result.output  # the unknown command shows the help


def test_chat_reports_an_unreachable_server() -> None:
    result = CliRunner().invoke(
        main,
        ["chat", "--url", "http://127.0.0.1:9/wechat"],
        input="你好\n",
        env=ENVIRONMENT,
    )
    assert result.exit_code == 0
    assert "could not reach" in result.output
