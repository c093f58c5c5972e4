"""A separate process that fills the disk under its SQLite file through the WeChat callback.

Run by test_disk_full.py as ``python -m tests.bot.disk_full_worker DB_PATH SPOOL_DIR MODE``
(MODE ``rlimit``: the process may not grow any file by more than 256 KiB past what the warm-up
left, as a full disk would refuse; ``none``: the disk is already small, e.g. a tmpfs). Prints one
JSON line: the HTTP statuses seen, the openids whose every message got a real reply, and how many
answers were the apology.
"""

from __future__ import annotations

import dataclasses
import json
import resource
import signal
import sys
from pathlib import Path

from bot.config import WechatConfig
from devtools.simulator import WeChatUser
from webhooks import create_app
from webhooks.callback import SORRY

WECHAT = {"appid": "wx49f0ab532d5d035a", "secret": "test-app-secret", "token": "123456"}
MARGIN_BYTES = 256 * 1024


def main(argv: list[str]) -> None:
    """Warm up, limit file growth, then register people until writes fail three times."""
    db_path, spool_dir, mode = argv
    wechat: dict[str, str] = dict(WECHAT)
    if "spool_dir" in {f.name for f in dataclasses.fields(WechatConfig)}:
        wechat["spool_dir"] = spool_dir
    app = create_app(
        {
            "app": {"secret_key": "test-secret-key", "log_level": "WARNING"},
            "database": {"url": f"sqlite:///{db_path}"},
            "wechat": wechat,
        }
    )
    client = app.test_client()

    def say(user: WeChatUser, text: str) -> tuple[int, str]:
        signed = user.text(text)
        response = client.post(
            "/wechat", query_string=signed.query, data=signed.body, content_type="text/xml"
        )
        return response.status_code, user.read_reply(response.status_code, response.get_data()).text

    warm = WeChatUser(token=WECHAT["token"], appid=WECHAT["appid"], openid="o-disk-warm")
    say(warm, "帮助")
    if mode == "rlimit":
        # Writing past the limit fails with EFBIG instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        largest = max(
            (p.stat().st_size for p in Path(db_path).parent.glob(Path(db_path).name + "*")),
            default=0,
        )
        resource.setrlimit(resource.RLIMIT_FSIZE, (largest + MARGIN_BYTES, resource.RLIM_INFINITY))
    statuses: set[int] = set()
    answered: list[str] = ["o-disk-warm"]
    apologies = 0
    for number in range(2000):
        user = WeChatUser(
            token=WECHAT["token"], appid=WECHAT["appid"], openid=f"o-disk-{number:05d}"
        )
        replies = [say(user, text) for text in ("注册", "同意", f"测试者{number}")]
        statuses.update(status for status, _ in replies)
        failed = sum(1 for _, text in replies if text == SORRY or not text)
        apologies += failed
        if failed == 0:
            answered.append(user.openid)
        elif apologies >= 3:
            break
    print(json.dumps({"statuses": sorted(statuses), "answered": answered, "apologies": apologies}))


if __name__ == "__main__":
    main(sys.argv[1:])
