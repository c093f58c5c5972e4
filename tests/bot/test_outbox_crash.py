"""A sender killed with SIGKILL mid-batch loses and duplicates nothing once restarted.

A real child process drains the outbox against the fake WeChat API (each send slowed a little,
so sends are in flight when the kill comes); it is killed with SIGKILL after a third of the
invitations went out. The restarted sender finds the rows the dead one left "sending", checks
them against WeChat's message record and sends only what never arrived. The fake's record
must then hold every invitation exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.db import Database, utcnow
from bot.models import OutboxMessage, OutboxStatus, Talent
from bot.services import outbox
from bot.wechat.client import HuaiCaiWeChatClient
from bot.wechat.token_store import DatabaseTokenStore
from devtools.fake_wechat import FakeWeChat
from tests.wechat_fixtures import FAKE_APPID, FAKE_SECRET

ROOT = Path(__file__).resolve().parents[2]
INVITATIONS = 300
LEASE_SECONDS = 1.5

SENDER = textwrap.dedent(
    """
    import sys
    from datetime import timedelta
    from datetime import time as clock_time

    from bot.db import Database
    from bot.services import outbox
    from bot.wechat.client import HuaiCaiWeChatClient
    from bot.wechat.token_store import DatabaseTokenStore

    url, api, appid, secret, lease = sys.argv[1:6]
    database = Database(url)
    client = HuaiCaiWeChatClient(
        appid, secret, store=DatabaseTokenStore(database.engine, appid), api_base_url=api
    )
    settings = outbox.Settings(
        rate_per_second=10000, burst=100, workers=4, lease=timedelta(seconds=float(lease)),
        quiet_start=clock_time(0, 0), quiet_end=clock_time(0, 0),
    )
    print("ready", flush=True)
    while outbox.deliver_due(database.session, client, limit=40, settings=settings).outcomes:
        pass
    """
)


def _settings() -> outbox.Settings:
    return outbox.Settings(
        rate_per_second=10000,
        burst=100,
        workers=4,
        lease=timedelta(seconds=LEASE_SECONDS),
        quiet_start=clock_time(0, 0),
        quiet_end=clock_time(0, 0),
    )


def test_sender_killed_mid_batch_sends_each_invitation_exactly_once_after_restart(
    committed_database: Database,
) -> None:
    fake = FakeWeChat(FAKE_APPID, FAKE_SECRET, seed=3).start()
    try:
        # Every send takes a moment, so some are in flight when the sender dies.
        fake.inject(latency=0.01, times=None, path="message/custom/send")
        with committed_database.transaction() as session:
            for n in range(INVITATIONS):
                openid = f"o-crash-{n:04d}"
                session.add(Talent(openid=openid, name=f"受邀人{n}", last_interaction_at=utcnow()))
                fake.interact(openid)
            session.flush()
            for n in range(INVITATIONS):
                outbox.queue(
                    session,
                    kind="text",
                    openid=f"o-crash-{n:04d}",
                    payload={"content": f"诚邀您参加对接会（{n}）"},
                    dedupe_key=f"invite:1:{n}",
                    proactive=True,
                )
        child = subprocess.Popen(
            [
                sys.executable, "-c", SENDER, committed_database.url, fake.api_base_url,
                FAKE_APPID, FAKE_SECRET, str(LEASE_SECONDS),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while len(fake.sent_texts()) < INVITATIONS // 3:
                assert child.poll() is None, "the sender ended before it was killed"
                assert time.monotonic() < deadline, "the sender sent too little in 30 s"
                time.sleep(0.005)
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait(timeout=10)
            assert child.stdout is not None
            child.stdout.close()
        sent_before_restart = len(fake.sent_texts())
        assert INVITATIONS // 3 <= sent_before_restart < INVITATIONS
        with committed_database.transaction() as session:
            abandoned = session.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.status == OutboxStatus.SENDING
                )
            )
        assert abandoned, "the kill left no claimed rows behind: the test proved nothing"

        # The restart: once the dead sender's leases ran out, drain what is left.
        time.sleep(LEASE_SECONDS + 0.2)
        client = HuaiCaiWeChatClient(
            FAKE_APPID,
            FAKE_SECRET,
            store=DatabaseTokenStore(committed_database.engine, FAKE_APPID),
            api_base_url=fake.api_base_url,
        )
        try:
            record = outbox.CustomerServiceRecord(client)
            while outbox.deliver_due(
                committed_database.session, client, limit=100, settings=_settings(), record=record
            ).outcomes:
                pass
        finally:
            client.close()

        per_person = Counter(openid for openid, _text in fake.sent_texts())
        assert len(per_person) == INVITATIONS, "lost invitations"
        assert max(per_person.values()) == 1, "duplicated invitations"
        with committed_database.transaction() as session:
            statuses = dict(
                session.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                ).all()
            )
        assert statuses == {OutboxStatus.SENT: INVITATIONS}
    finally:
        fake.stop()
