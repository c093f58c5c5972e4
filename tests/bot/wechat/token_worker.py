"""A separate OS process that asks a shared token store for the access token.

Run by test_token_store.py as ``python -m tests.bot.wechat.token_worker STORE TARGET API APPID
SECRET [KEY_PREFIX]``: prints ``ready``, waits for a line on stdin, then prints the token.
"""

from __future__ import annotations

import sys

from bot.db import Database
from bot.wechat.client import HuaiCaiWeChatClient
from bot.wechat.token_store import DatabaseTokenStore, RedisTokenStore, TokenStore


def main(argv: list[str]) -> None:
    """Build the store and the client, wait for the signal, print the token."""
    kind, target, api_base_url, appid, secret, *rest = argv
    database: Database | None = None
    store: TokenStore
    if kind == "redis":
        store = RedisTokenStore.from_url(target, appid, key_prefix=rest[0])
    else:
        database = Database(target)
        store = DatabaseTokenStore(database.engine, appid)
    client = HuaiCaiWeChatClient(appid, secret, store=store, api_base_url=api_base_url)
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        print(client.access_token, flush=True)
    finally:
        client.close()
        if database is not None:
            database.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
