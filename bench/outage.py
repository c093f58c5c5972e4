"""Measure a database outage under load: messages sent / answered / lost / doubled.

The full app runs on a threaded HTTP server in this process, on a fresh database of the local
PostgreSQL server reached through a TCP proxy (``devtools.tcp_proxy``) that is cut for the
outage, so the shared server itself keeps running. Simulated followers send signed messages at a
steady rate before, during and after the outage; afterwards the spool drains and every message is
checked: answered by its passive reply, or later by a customer-service message in the outbox.

    python -m bench.outage --outage 30 --users 8 --rate 2

Prints one line per phase and a summary; exits 1 when a message was lost or doubled.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg
import requests
from sqlalchemy import URL, make_url, select
from werkzeug.serving import make_server

from bot import migrations
from bot.db import Database
from bot.models import InboundMessage, OutboxMessage
from bot.wechat.codec import parse_message
from devtools.simulator import WeChatUser
from devtools.tcp_proxy import TcpProxy
from webhooks import create_app
from webhooks.callback import EXTENSION_KEY

TOKEN = "bench-token"  # noqa: S105 - the callback token of a throwaway local app
APPID = "wxbench000000000000"
DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    replies: dict[str, str] = field(default_factory=dict)  # MsgId -> passive reply text
    statuses: dict[int, int] = field(default_factory=dict)
    slowest: float = 0.0
    during_outage: int = 0

    def add(self, msg_id: str, status: int, text: str, seconds: float, outage: bool) -> None:
        with self.lock:
            self.replies[msg_id] = text
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.slowest = max(self.slowest, seconds)
            self.during_outage += int(outage)


def _admin(url: str) -> psycopg.Connection:
    parts = make_url(url)
    return psycopg.connect(
        host=parts.host or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname=parts.database,
        autocommit=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--rate", type=float, default=2.0, help="messages per second per user")
    parser.add_argument("--before", type=float, default=10.0, help="seconds before the outage")
    parser.add_argument("--outage", type=float, default=30.0, help="seconds the database is away")
    parser.add_argument("--after", type=float, default=10.0, help="seconds of load after it")
    parser.add_argument("--budget", type=float, default=4.0, help="wechat.reply_budget_seconds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    name = f"huaicai_outage_{secrets.token_hex(4)}"
    with _admin(args.admin_url) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    database_url = make_url(args.admin_url).set(database=name)
    direct = database_url.render_as_string(hide_password=False)
    try:
        migrations.upgrade(direct)
        return _run(args, database_url)
    finally:
        with _admin(args.admin_url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(args: argparse.Namespace, url: URL) -> int:
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    proxied = url.set(host="127.0.0.1", port=proxy.port)
    spool_dir = tempfile.mkdtemp(prefix="huaicai-outage-spool-")
    app = create_app(
        {
            "app": {"demo": True, "log_level": "ERROR"},
            "database": {"url": proxied.render_as_string(hide_password=False)},
            "wechat": {
                "token": TOKEN,
                "appid": APPID,
                "reply_budget_seconds": args.budget,
                "spool_dir": spool_dir,
            },
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_port}/wechat"
    tally = Tally()
    outage = threading.Event()
    total = args.before + args.outage + args.after
    started = time.monotonic()

    def follower(number: int) -> None:
        user = WeChatUser(token=TOKEN, appid=APPID, openid=f"o-bench-{number:04d}")
        session = requests.Session()
        interval = 1.0 / args.rate
        next_at = started + number * interval / args.users
        while next_at < started + total:
            time.sleep(max(0.0, next_at - time.monotonic()))
            request = user.text("帮助")
            msg_id = str(parse_message(request.body).msg_id)
            during = outage.is_set()
            sent_at = time.monotonic()
            try:
                response = session.post(
                    endpoint, params=request.query, data=request.body, timeout=15
                )
                status, text = (
                    response.status_code,
                    user.read_reply(response.status_code, response.content).text,
                )
            except requests.RequestException:
                status, text = 0, ""
            tally.add(msg_id, status, text, time.monotonic() - sent_at, during)
            next_at += interval

    with ThreadPoolExecutor(args.users) as pool:
        futures = [pool.submit(follower, number) for number in range(args.users)]
        time.sleep(args.before)
        proxy.cut()
        outage.set()
        print(f"t={time.monotonic() - started:5.1f} s  database cut")
        time.sleep(args.outage)
        outage.clear()
        proxy.restore()
        print(f"t={time.monotonic() - started:5.1f} s  database back")
        for future in futures:
            future.result()
    callback = app.extensions[EXTENSION_KEY]
    drain_started = time.monotonic()
    while callback.spool.pending() and time.monotonic() - drain_started < 120:
        callback.spool.kick(callback.drain)
        time.sleep(0.2)
    callback.spool.wait(30)
    drained_in = time.monotonic() - drain_started
    server.shutdown()
    app.extensions["huaicai"].close()
    app.extensions["huaicai"].database.dispose()
    proxy.stop()

    database = Database(url.render_as_string(hide_password=False))
    with database.session() as session:
        stored = set(session.scalars(select(InboundMessage.dedup_key)))
        queued = list(session.scalars(select(OutboxMessage.dedupe_key)))
    database.dispose()
    later = {key.removeprefix("reply:msg:") for key in queued if key.startswith("reply:msg:")}
    passive = {msg_id for msg_id, text in tally.replies.items() if text}
    sent = len(tally.replies)
    answered = passive | later
    lost = [msg_id for msg_id in tally.replies if msg_id not in answered]
    doubled = len(passive & later) + len(queued) - len(set(queued))
    unstored = [msg_id for msg_id in tally.replies if f"msg:{msg_id}" not in stored]
    print(
        f"sent {sent} (during the outage {tally.during_outage}), answered {len(answered)} "
        f"(passive {len(passive)}, later by customer-service message {len(later)}), "
        f"lost {len(lost)}, doubled {doubled}; HTTP statuses {tally.statuses}; "
        f"slowest answer {tally.slowest:.2f} s; spool drained {drained_in:.1f} s after the load; "
        f"{len(unstored)} not in inbound_messages"
    )
    return 1 if lost or doubled else 0


if __name__ == "__main__":
    sys.exit(main())
