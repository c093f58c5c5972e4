"""Load: simulated talents holding whole registration conversations against gunicorn.

Each simulated person registers by chat from the first word to 登记完成 (14 messages, safe mode,
signed and encrypted as WeChat does), thinks between messages (exponential pauses, mean
``--think`` seconds), and with probability ``--retry`` a delivery is sent a second time at once,
as WeChat does when an answer is slow: the retry must get the same reply. Stages raise the number
of people talking at once; each stage runs ``--stage-seconds``. After each stage every completed
registration is checked in the database (name, origin, phone, keywords, consent).

Printed per stage: message rate, p50/p99 latency, 5xx and other failures, conversations
completed and checked correct, the generator's own CPU. The sustained rate is the highest stage
with p99 < 500 ms, zero 5xx and every registration complete and correct.

Usage: ``.venv/bin/python bench/load.py --database postgresql`` (or ``sqlite``). Only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import random
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from sqlalchemy import make_url, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import migrations  # noqa: E402
from bot.config import WechatConfig  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.models import Talent  # noqa: E402
from devtools.simulator import WeChatUser  # noqa: E402

TOKEN = "bench-load-token"  # noqa: S105 - a throwaway bench value
APPID = "wx49f0ab532d5d035a"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
P99_LIMIT = 0.5
COUNTIES = [
    ("温县", "焦作市温县", "410825"),
    ("武陟", "焦作市武陟县", "410823"),
    ("孟州", "焦作市孟州市", "410883"),
    ("博爱县", "焦作市博爱县", "410822"),
]


def script(number: int) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Return one person's registration (message, expected reply fragment) and expected row."""
    said, county_name, code = COUNTIES[number % len(COUNTIES)]
    name = "赵钱孙李周吴郑王"[number % 8] + "测" + "一二三四五六七八九十"[number // 8 % 10]
    phone = f"138{number:08d}"
    conversation = [
        ("注册", "同意"),
        ("同意", "（1/9）"),
        (name, "（2/9）"),
        (f"老家{said}", "对吗"),
        ("对", "（3/9）"),
        ("北京", "（4/9）"),
        ("清华大学材料学院", "（5/9）"),
        ("教授", "（6/9）"),
        ("1", "（7/9）"),
        ("锂离子电池正极材料和固态电解质的研发", "关键词"),
        ("锂离子电池，正极材料，固态电解质", "（8/9）"),
        ("1 3 5", "（9/9）"),
        (phone, "请核对"),
        ("确认", "登记完成"),
    ]
    return conversation, {
        "name": name,
        "origin_code": code,
        "phone": phone,
        "origin_name": county_name,
    }


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    wrong_replies: int = 0
    retries: int = 0
    retry_mismatch: int = 0
    errors: int = 0
    example: str = ""
    completed: dict[str, dict[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1


class Person(threading.Thread):
    """One conversation slot: registers people one after another until the stage ends."""

    def __init__(
        self,
        url: str,
        numbers: itertools.count[int],
        stats: Stats,
        stop: threading.Event,
        think: float,
        retry: float,
        seed: int,
    ) -> None:
        super().__init__(daemon=True)
        self.url, self.numbers, self.stats, self.stop_event = url, numbers, stats, stop
        self.think, self.retry = think, retry
        self.random = random.Random(seed)
        self.http = requests.Session()

    def post(self, user: WeChatUser, signed: object) -> tuple[int, str]:
        started = time.perf_counter()
        try:
            # A new connection per delivery, as WeChat's servers make them; a kept-alive one
            # can be closed by gunicorn (keepalive 2 s) just as the next message goes out.
            answer = self.http.post(
                signed.url(self.url),  # type: ignore[attr-defined]
                data=signed.body,  # type: ignore[attr-defined]
                headers={"Connection": "close"},
                timeout=30,
            )
        except requests.RequestException as exc:
            with self.stats.lock:
                self.stats.errors += 1
                if not self.stats.example:
                    self.stats.example = f"{type(exc).__name__}: {str(exc)[:80]}"
            return 0, ""
        self.stats.record(answer.status_code, time.perf_counter() - started)
        return answer.status_code, user.read_reply(answer.status_code, answer.content).text

    def run(self) -> None:
        while not self.stop_event.is_set():
            number = next(self.numbers)
            openid = f"o-load-{number:06d}-{secrets.token_hex(3)}"
            user = WeChatUser(
                token=TOKEN, appid=APPID, encoding_aes_key=AES_KEY, openid=openid, mode="safe"
            )
            conversation, expected = script(number)
            complete = True
            for text, fragment in conversation:
                # Pauses between messages (a person reading and typing), cut short at stage end.
                if self.stop_event.wait(self.random.expovariate(1 / self.think)):
                    complete = False
                    break
                signed = user.text(text)
                status, reply = self.post(user, signed)
                if self.random.random() < self.retry:
                    # WeChat's retry of the same delivery: the same reply, handled once.
                    again_status, again = self.post(user, signed)
                    with self.stats.lock:
                        self.stats.retries += 1
                        if again != reply or again_status != status:
                            self.stats.retry_mismatch += 1
                if status != 200 or fragment not in reply:
                    with self.stats.lock:
                        self.stats.wrong_replies += 1
                        if not self.stats.example:
                            self.stats.example = f"{text!r} -> {status} {reply[:80]!r}"
                    complete = False
                    break
            if complete:
                with self.stats.lock:
                    self.stats.completed[openid] = expected


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def check_rows(database: Database, completed: dict[str, dict[str, str]]) -> int:
    """Return how many completed registrations are stored exactly as said."""
    correct = 0
    with database.session() as session:
        rows = {
            t.openid: t
            for t in session.scalars(select(Talent).where(Talent.openid.in_(list(completed))))
        }
        for openid, expected in completed.items():
            talent = rows.get(openid)
            if talent is None:
                continue
            if (talent.name, talent.origin_code, talent.phone) != (
                expected["name"],
                expected["origin_code"],
                expected["phone"],
            ):
                continue
            if talent.keywords != ["锂离子电池", "正极材料", "固态电解质"]:
                continue
            correct += 1
    return correct


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--stages", default="10,20,40,80,120", help="people talking at once")
    parser.add_argument("--stage-seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between messages, s")
    parser.add_argument("--retry", type=float, default=0.05, help="share of deliveries retried")
    parser.add_argument("--warmup-seconds", type=float, default=20)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="huaicai-load-"))
    pg_name = f"huaicai_load_{os.getpid()}"
    admin = make_url(args.admin_url)
    conninfo = dict(
        host=admin.host, port=admin.port or 5432, user=admin.username, dbname=admin.database
    )
    if args.database == "postgresql":
        with psycopg.connect(**conninfo, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{pg_name}"')
        url = admin.set(database=pg_name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{folder / 'load.sqlite3'}"
    server: subprocess.Popen[bytes] | None = None
    database = Database(url, pool_size=2)
    try:
        migrations.upgrade(url)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUAICAI_")}
        env.update(
            {
                "HUAICAI_DATABASE__URL": url,
                "HUAICAI_APP__INSTANCE_DIR": str(folder),
                "HUAICAI_APP__LOG_LEVEL": "WARNING",
                "HUAICAI_WECHAT__APPID": APPID,
                "HUAICAI_WECHAT__TOKEN": TOKEN,
                "HUAICAI_WECHAT__ENCODING_AES_KEY": AES_KEY,
                # Nothing listens there: a registration needs no API call.
                "HUAICAI_WECHAT__API_BASE_URL": "http://127.0.0.1:9/cgi-bin/",
            }
        )
        if "message_mode" in {f.name for f in dataclasses.fields(WechatConfig)}:
            env["HUAICAI_WECHAT__MESSAGE_MODE"] = "safe"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("server did not come up")
            time.sleep(0.3)
        print(
            f"HuaiCai on {args.database} ({args.workers} gunicorn workers x 4 threads), "
            f"safe mode, think time mean {args.think} s, {args.retry:.0%} of deliveries retried, "
            f"{args.stage_seconds:.0f} s per stage; 2 cores shared with everything else"
        )
        print(
            f"{'talking':>8} {'msg/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'5xx':>4} {'fail':>5} "
            f"{'retries':>7} {'retry≠':>6} {'done':>5} {'correct':>7} {'gen CPU':>8}"
        )
        numbers = itertools.count(1)
        sustained = None
        # Warm-up, not counted: the first messages load dialogs, lexicons and the talent index.
        warm = Stats()
        warm_stop = threading.Event()
        warmers = [
            Person(f"http://127.0.0.1:{port}/wechat", numbers, warm, warm_stop, 0.2, 0.0, seed=i)
            for i in range(4)
        ]
        for person in warmers:
            person.start()
        time.sleep(args.warmup_seconds)
        warm_stop.set()
        for person in warmers:
            person.join(timeout=60)
        print(
            f"warm-up: {len(warm.latencies)} messages, {len(warm.completed)} registrations, "
            f"{warm.wrong_replies} unexpected replies {warm.example}"
        )
        for concurrency in [int(x) for x in args.stages.split(",")]:
            stats = Stats()
            stop = threading.Event()
            people = [
                Person(
                    f"http://127.0.0.1:{port}/wechat",
                    numbers,
                    stats,
                    stop,
                    args.think,
                    args.retry,
                    seed=concurrency * 1000 + i,
                )
                for i in range(concurrency)
            ]
            cpu_before = resource.getrusage(resource.RUSAGE_SELF)
            started = time.perf_counter()
            for person in people:
                person.start()
            time.sleep(args.stage_seconds)
            stop.set()
            for person in people:
                person.join(timeout=60)
            elapsed = time.perf_counter() - started
            cpu_after = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
                cpu_after.ru_stime - cpu_before.ru_stime
            )
            messages = len(stats.latencies)
            server_errors = sum(n for status, n in stats.statuses.items() if status >= 500)
            correct = check_rows(database, stats.completed)
            p99 = percentile(stats.latencies, 0.99)
            print(
                f"{concurrency:>8} {messages / elapsed:>7.1f} "
                f"{statistics.median(stats.latencies) * 1000 if stats.latencies else 0:>7.0f} "
                f"{p99 * 1000:>7.0f} {server_errors:>4} {stats.wrong_replies + stats.errors:>5} "
                f"{stats.retries:>7} {stats.retry_mismatch:>6} {len(stats.completed):>5} "
                f"{correct:>7} {cpu / elapsed:>7.0%}",
                flush=True,
            )
            ok = (
                p99 < P99_LIMIT
                and server_errors == 0
                and stats.errors == 0
                and stats.wrong_replies == 0
                and correct == len(stats.completed)
                and stats.retry_mismatch == 0
            )
            if stats.example:
                print(f"         first unexpected reply: {stats.example}")
            if ok:
                sustained = messages / elapsed
            else:
                break
        if sustained is None:
            print("no stage met p99 < 500 ms with zero 5xx and every registration correct")
        else:
            print(
                f"sustained: {sustained:.1f} messages/s with p99 < 500 ms, zero 5xx, every "
                f"completed registration stored correctly ('gen CPU' = this generator's share "
                f"of one core)"
            )
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        database.dispose()
        if args.database == "postgresql":
            with psycopg.connect(**conninfo, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
