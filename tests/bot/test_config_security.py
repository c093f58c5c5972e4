"""The security settings of [wechat] and [scheduler] are validated at start-up."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_config

KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"


@pytest.mark.parametrize(
    ("settings", "mode"),
    [
        ({}, "plaintext"),
        ({"encoding_aes_key": KEY}, "safe"),
        ({"encoding_aes_key": KEY, "message_mode": "compatible"}, "compatible"),
        ({"encoding_aes_key": KEY, "message_mode": "plaintext"}, "plaintext"),
    ],
)
def test_message_mode_in_force(settings: dict[str, str], mode: str) -> None:
    config = load_config(path=None, environ={}, overrides={"wechat": settings})
    assert config.wechat.mode == mode


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"message_mode": "secure"}, "wechat.message_mode"),
        ({"message_mode": "safe"}, "wechat.message_mode"),  # safe mode needs a key
        ({"replay_store": "memcached"}, "wechat.replay_store"),
    ],
)
def test_bad_security_settings_name_their_key(settings: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_config(path=None, environ={}, overrides={"wechat": settings})


def test_abandoned_draft_days_must_be_positive() -> None:
    with pytest.raises(ConfigError, match=r"scheduler\.abandoned_draft_days"):
        load_config(path=None, environ={}, overrides={"scheduler": {"abandoned_draft_days": 0}})
