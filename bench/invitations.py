"""Benchmark event invitations and check-in: the outbox at its rate limit, then a scan burst.

Run ``python bench/invitations.py`` with PostgreSQL on 127.0.0.1:5432 (user postgres).

1. Invitations: a fresh database with 5,000 consenting talents on one event's list; the
   invitations are queued (``invitations.send_invitations``) and drained by the outbox sender
   (``outbox.deliver_due`` round after round, as the ``deliver-outbox`` job does) at ``--rate``
   sends per second against the fake WeChat API in its own process, which answers ``-1`` to
   ``--error-rate`` of the calls. Every attempt, retries included, goes through the token
   bucket. Prints the wall time beside the floor (invitations / rate), and from the fake's
   message record the duplicates (a person with two invitations) and the lost (a person with
   none). Targets: wall time within 10% of the floor, no duplicates, none lost.
2. Check-in burst: gunicorn (2 workers, the settings of ``huaicai serve``) serving the full app
   on a fresh database where ``--scans`` people registered for one event; each scans the event's
   QR code once (signed ``SCAN`` events), all within ``--burst-seconds``. Prints the reply times
   (p50, p99), and checks in the database that every person is checked in exactly once.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

# Run as a script, this folder comes first on sys.path, where bench/matching.py would shadow
# the matching package: take it off, and load the shared helpers of bench/callback.py by path.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]

from bot.config import load_config  # noqa: E402
from bot.db import Database, utcnow  # noqa: E402
from bot.models import (  # noqa: E402
    Consent,
    ConsentPurpose,
    EventStatus,
    Invitation,
    InvitationStatus,
    OutboxMessage,
    OutboxStatus,
    Talent,
)
from bot.services import events, invitations, outbox  # noqa: E402
from bot.wechat.client import HuaiCaiWeChatClient  # noqa: E402
from bot.wechat.token_store import DatabaseTokenStore  # noqa: E402
from devtools.simulator import WeChatUser  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_callback", BENCH / "callback.py")
assert _spec is not None and _spec.loader is not None  # noqa: S101
callback = importlib.util.module_from_spec(_spec)
sys.modules["bench_callback"] = callback
_spec.loader.exec_module(callback)
FULL_CONFIG, free_port = callback.FULL_CONFIG, callback.free_port
fresh_database, gunicorn = callback.fresh_database, callback.gunicorn

ROOT = Path(__file__).resolve().parent.parent
APPID = "wxbench000000000"
SECRET = "bench-app-secret"  # noqa: S105 - a throwaway secret for a loopback benchmark
TOKEN = "bench-token"  # noqa: S105


def start_fake(port: int, error_rate: float) -> subprocess.Popen[bytes]:
    """Serve the fake WeChat API in its own process (followers known on first sight)."""
    code = (
        "import logging; logging.basicConfig(level=logging.WARNING);"
        "from devtools.fake_wechat import serve;"
        f"serve(port={port}, appid={APPID!r}, secret={SECRET!r}, auto_follow=True,"
        f" transient_error_rate={error_rate})"
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/fake/calls?path=none", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the fake WeChat API did not start")


def fake_record(port: int, since: float) -> list[tuple[str, str]]:
    """Return (openid, text) of every customer-service text in the fake's message record."""
    found: list[tuple[str, str]] = []
    token = json.loads(
        urllib.request.urlopen(
            urllib.request.Request(
                f"http://127.0.0.1:{port}/cgi-bin/stable_token",
                data=json.dumps(
                    {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
                ).encode(),
                headers={"Content-Type": "application/json"},
            ),
            timeout=10,
        ).read()
    )["access_token"]
    msgid = 1
    while True:
        body = {"starttime": int(since) - 1, "endtime": int(time.time()) + 2, "msgid": msgid}
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/customservice/msgrecord/getmsglist?access_token={token}",
            data=json.dumps({**body, "number": 10000}).encode(),
            headers={"Content-Type": "application/json"},
        )
        result = json.loads(urllib.request.urlopen(request, timeout=30).read())  # noqa: S310
        if "recordlist" not in result:  # an injected -1: ask again
            continue
        found += [(r["openid"], r["text"]) for r in result["recordlist"]]
        if result["number"] < 10000:
            return found
        msgid = result["msgid"]


def fake_errors(port: int) -> int:
    """Return how many send calls the fake answered with -1."""
    with urllib.request.urlopen(
        f"http://127.0.0.1:{port}/fake/calls?path=message/custom/send", timeout=30
    ) as response:
        calls = json.loads(response.read())["calls"]
    return sum(1 for call in calls if call["errcode"] == -1)


def prepare_invitations(database: Database, count: int) -> int:
    """Create ``count`` consenting followers on one event's list; return the event id."""
    now = utcnow()
    with database.transaction() as session:
        event = events.create_event(
            session,
            title="院地科技合作洽谈会",
            kind="洽谈会",
            starts_at=now + timedelta(days=14),
            topics=["新材料", "高端装备制造"],
            location="焦作市会展中心",
            capacity=count,
        )
        people = [
            Talent(openid=f"o-invite-{n:05d}", name=f"受邀人{n}", last_interaction_at=now)
            for n in range(count)
        ]
        session.add_all(people)
        session.flush()
        session.add_all(
            Consent(
                talent_id=t.id, purpose=ConsentPurpose.INVITATIONS, version="bench", granted=True
            )
            for t in people
        )
        session.add_all(
            Invitation(event_id=event.id, talent_id=t.id, openid=t.openid, reasons=["主题相符"])
            for t in people
        )
        return event.id


def run_invitations(options: argparse.Namespace) -> None:
    port = free_port()
    fake = start_fake(port, options.error_rate)
    try:
        with fresh_database() as url:
            database = Database(url, pool_size=options.workers + 4)
            config = load_config(
                environ={},
                overrides={"database": {"url": url}, "wechat": {"appid": APPID}},
            )
            event_id = prepare_invitations(database, options.invitations)
            started = time.perf_counter()
            with database.transaction() as session:
                event = events.get_event(session, event_id)
                assert event is not None  # noqa: S101
                summary = invitations.send_invitations(session, config, event)
            queued = time.perf_counter() - started
            print(f"queued: {summary} in {queued:.2f} s")

            client = HuaiCaiWeChatClient(
                APPID,
                SECRET,
                store=DatabaseTokenStore(database.engine, APPID),
                api_base_url=f"http://127.0.0.1:{port}/cgi-bin/",
                max_retries=0,  # retried by the outbox, so every attempt is rate limited
            )
            outbox.remember_token(client)
            settings = outbox.Settings(
                rate_per_second=options.rate,
                burst=options.burst,
                workers=options.workers,
                retry_base=timedelta(seconds=1),
                quiet_start=clock_time(0, 0),
                quiet_end=clock_time(0, 0),
            )
            bucket = outbox.TokenBucket(settings.rate_per_second, settings.burst)
            record = outbox.CustomerServiceRecord(client)
            since = time.time()
            cpu_before = callback.CpuUse.read([os.getpid(), fake.pid])
            started = time.perf_counter()
            try:
                while True:
                    report = outbox.deliver_due(
                        database.session,
                        client,
                        limit=options.batch,
                        settings=settings,
                        bucket=bucket,
                        record=record,
                    )
                    if not report.outcomes:
                        with database.transaction() as session:
                            counts = outbox.status_counts(session)
                        if not counts[OutboxStatus.PENDING] + counts[OutboxStatus.SENDING]:
                            break
                        time.sleep(0.05)
            finally:
                client.close()
            wall = time.perf_counter() - started
            cpu_after = callback.CpuUse.read([os.getpid(), fake.pid])
            sender_cpu = cpu_after.servers[os.getpid()] - cpu_before.servers[os.getpid()]
            fake_cpu = cpu_after.servers[fake.pid] - cpu_before.servers[fake.pid]
            with database.transaction() as session:
                counts = outbox.status_counts(session)
                attempts = session.scalar(select(func.sum(OutboxMessage.attempts)))
            database.dispose()
        sent = fake_record(port, since)
        per_person = Counter(openid for openid, _ in sent)
        duplicates = sum(n - 1 for n in per_person.values() if n > 1)
        lost = options.invitations - len(per_person)
        floor = options.invitations / options.rate
        busy = fake_errors(port)
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    verdict = "ok" if wall <= floor * 1.1 and not duplicates and not lost else "MISSED"
    print(
        f"invitations: {options.invitations} at {options.rate:.0f}/s (burst {options.burst}, "
        f"{options.workers} sending threads), {busy} answered -1 by the fake "
        f"({busy / max(1, attempts or 0):.1%} of {attempts} attempts)"
    )
    per = 1000 / options.invitations
    print(
        f"CPU: sender {sender_cpu:.1f} s ({sender_cpu * per:.2f} ms per invitation, "
        f"{sender_cpu / wall:.0%} of one core), fake WeChat {fake_cpu:.1f} s "
        f"({fake_cpu * per:.2f} ms per invitation); load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    print(
        f"wall time {wall:.1f} s vs floor {floor:.1f} s ({wall / floor:.3f}x, target <= 1.10x); "
        f"duplicates {duplicates}, lost {lost}; outbox "
        + ", ".join(f"{status.value} {n}" for status, n in counts.items() if n)
        + f" -> {verdict}"
    )


def prepare_check_in(database: Database, people: int) -> str:
    """Register ``people`` followers for an event starting now; return its QR scene."""
    now = utcnow()
    with database.transaction() as session:
        event = events.create_event(
            session,
            title="新材料成果发布会",
            kind="成果发布会",
            starts_at=now + timedelta(minutes=10),
            location="焦作市科技馆",
            capacity=people + 100,
            status=EventStatus.OPEN,
        )
        talents = [
            Talent(openid=f"o-scan-{n:04d}", name=f"参会人{n}", last_interaction_at=now)
            for n in range(people)
        ]
        session.add_all(talents)
        session.flush()
        session.add_all(
            Invitation(
                event_id=event.id,
                talent_id=t.id,
                openid=t.openid,
                status=InvitationStatus.REGISTERED,
                responded_at=now,
            )
            for t in talents
        )
        return event.qr_scene or ""


def warm_up(port: int, seconds: float = 180) -> None:
    """Wait until both workers answer quickly (their text models load after they start)."""
    user = WeChatUser(token=TOKEN, appid=APPID, openid="o-warm-up")
    deadline = time.monotonic() + seconds
    fast = 0
    while fast < 10:
        if time.monotonic() > deadline:
            raise SystemExit("gunicorn did not warm up")
        request = user.text("帮助")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        began = time.perf_counter()
        try:
            connection.request(
                "POST",
                request.url("/wechat"),
                body=request.body,
                headers={"Content-Type": "text/xml"},
            )
            connection.getresponse().read()
        finally:
            connection.close()
        fast = fast + 1 if time.perf_counter() - began < 0.2 else 0


def run_check_in(options: argparse.Namespace) -> None:
    with fresh_database() as url:
        database = Database(url)
        scene = prepare_check_in(database, options.scans)
        overrides = {
            "database": {"url": url},
            "app": {"log_level": "WARNING"},
            "wechat": {"token": TOKEN, "appid": APPID, "encoding_aes_key": ""},
        }
        users = [
            WeChatUser(token=TOKEN, appid=APPID, openid=f"o-scan-{n:04d}")
            for n in range(options.scans)
        ]
        scans = [user.scan(scene) for user in users]
        latencies: list[float] = []
        replies: Counter[str] = Counter()
        lock = threading.Lock()
        port = free_port()
        app = f"webhooks:create_app({overrides!r})"
        with gunicorn(app, port, pythonpath=ROOT, threads=4, config=FULL_CONFIG):
            warm_up(port)
            interval = options.burst_seconds / len(scans)
            start = time.perf_counter() + 0.5

            def scan(index: int) -> None:
                # Spread the scans evenly over the burst, as a queue at the door would.
                delay = start + index * interval - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                request = scans[index]
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                began = time.perf_counter()
                try:
                    connection.request(
                        "POST",
                        request.url("/wechat"),
                        body=request.body,
                        headers={"Content-Type": "text/xml"},
                    )
                    body = connection.getresponse().read().decode("utf-8", "replace")
                finally:
                    connection.close()
                took = time.perf_counter() - began
                kind = "签到成功" if "签到成功" in body else body[:80]
                with lock:
                    latencies.append(took)
                    replies[kind] += 1

            threads = [threading.Thread(target=scan, args=(i,)) for i in range(len(scans))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            span = time.perf_counter() - start
        with database.transaction() as session:
            attended = session.execute(
                select(Invitation.talent_id, func.count())
                .where(Invitation.status == InvitationStatus.ATTENDED)
                .group_by(Invitation.talent_id)
            ).all()
        database.dispose()
    once = sum(1 for _, n in attended if n == 1)
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    verdict = "ok" if once == options.scans and replies["签到成功"] == options.scans else "MISSED"
    print(
        f"check-in burst: {options.scans} scans of one code in {span:.1f} s against gunicorn "
        f"(2 workers x 4 threads) + PostgreSQL; replies {dict(replies)}"
    )
    print(
        f"checked in exactly once: {once}/{options.scans}; reply time p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms, max {latencies[-1] * 1000:.1f} ms -> {verdict}"
    )


def main(argv: list[str] | None = None) -> None:
    """Run the invitation benchmark, then the check-in burst."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitations", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=100.0, help="sends per second")
    parser.add_argument("--burst", type=int, default=20, help="token bucket burst (config default)")
    parser.add_argument("--error-rate", type=float, default=0.02, help="share answered -1")
    parser.add_argument("--workers", type=int, default=8, help="sending threads")
    parser.add_argument("--batch", type=int, default=200, help="messages claimed per round")
    parser.add_argument("--scans", type=int, default=500)
    parser.add_argument("--burst-seconds", type=float, default=10.0)
    parser.add_argument("--only", choices=("invitations", "check-in"), default=None)
    options = parser.parse_args(argv)
    if options.only != "check-in":
        run_invitations(options)
    if options.only != "invitations":
        run_check_in(options)


if __name__ == "__main__":
    main()
