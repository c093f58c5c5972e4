"""Benchmark the WeChat callback: the full app beside a bare wechatpy echo, same load, one run.

Run ``python bench/callback.py`` with PostgreSQL on 127.0.0.1:5432 (user postgres). It creates a
fresh database, migrates it, starts gunicorn (2 workers, ``--threads`` each, the same for both)
serving the full app on it with the settings of ``huaicai serve`` and, beside it,
``bench/wechat_echo.py`` (signature check, parse, ``create_reply``) and, unless ``--no-floor``,
``bench/wechat_floor.py`` (the echo plus the full app's two SQL statements and COMMIT in raw
psycopg, on a database of its own). All get the same signed plaintext messages (unique MsgIds,
200 followers) from 50 concurrent clients on loopback, in alternating rounds (echo, floor, full,
echo, ...) so that other work on a shared machine weighs on all alike. Prints throughput, p50/p99
and CPU per request of each, the ratios of the per-round medians, then stops the servers and drops
the databases. Targets: full handling >= 50% of the echo's throughput, full p99 < 100 ms.

Every full delivery is a durable PostgreSQL transaction (claim, dialog step, reply) of about
eight statements; the echo touches no database.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy import func, make_url, select

from bot import migrations
from bot.db import Database
from bot.models import InboundMessage
from devtools.simulator import SignedRequest, WeChatUser

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TOKEN = "bench-token"  # noqa: S105 - a throwaway token for a loopback benchmark
APPID = "wxbench000000000"
TEXTS = ("帮助", "我的资料", "你好，请问怎么登记？", "今天天气不错")
FULL_CONFIG = "python:webhooks.gunicorn_conf"  # the settings of `huaicai serve`
TARGET_RATIO = 0.5
TARGET_P99_MS = 100.0


@dataclass
class Stats:
    """Latencies and failures of one load run."""

    name: str
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    elapsed: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def merge(self, other: Stats) -> None:
        """Add another run's timings to these."""
        self.latencies += other.latencies
        self.failures += other.failures
        self.elapsed += other.elapsed

    def percentile_ms(self, q: int) -> float:
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[q - 1] * 1000

    def line(self) -> str:
        return (
            f"{self.name:<24} {len(self.latencies):>6} ok {self.failures:>4} failed  "
            f"{self.throughput:8.1f} req/s  p50 {self.percentile_ms(50):6.1f} ms  "
            f"p99 {self.percentile_ms(99):6.1f} ms"
        )


def process_cpu() -> dict[int, tuple[int, str, float]]:
    """Return pid -> (parent pid, command name, CPU seconds so far) for every process (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        # After the name: state, ppid, ..., utime (11th), stime (12th).
        seconds = (int(fields[11]) + int(fields[12])) / tick
        table[int(stat.parent.name)] = (int(fields[1]), name, seconds)
    return table


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds used so far by each server's process tree and by PostgreSQL."""

    servers: dict[int, float]
    postgres: float

    @classmethod
    def read(cls, roots: Sequence[int]) -> CpuUse:
        table = process_cpu()
        children: dict[int, list[int]] = {}
        for pid, (parent, _, _) in table.items():
            children.setdefault(parent, []).append(pid)

        def tree(pid: int) -> float:
            return table.get(pid, (0, "", 0.0))[2] + sum(tree(c) for c in children.get(pid, []))

        postgres = sum(cpu for _, name, cpu in table.values() if name == "postgres")
        return cls({root: tree(root) for root in roots}, postgres)


@dataclass
class Target:
    """One server under load and what it measured."""

    key: str
    stats: Stats
    port: int
    pid: int
    rounds: list[float] = field(default_factory=list)
    cpu: float = 0.0
    postgres_cpu: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.rounds)


def free_port() -> int:
    """Return a TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create a migrated PostgreSQL database for this run and drop it afterwards."""
    admin = make_url(ADMIN_URL)
    name = f"huaicai_bench_{secrets.token_hex(4)}"

    def connect() -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=admin.host, port=admin.port, user=admin.username, dbname=admin.database,
            autocommit=True,
        )  # fmt: skip

    with connect() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        migrations.upgrade(url)
        yield url
    finally:
        with connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def gunicorn(
    app_spec: str, port: int, *, pythonpath: Path, threads: int, config: str | None = None
) -> Iterator[int]:
    """Run gunicorn with 2 workers (``threads`` each) on loopback; yield the master's pid."""
    argv = [
        sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", str(threads),
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
        "--pythonpath", str(pythonpath),
    ]  # fmt: skip
    if config:
        # The full app runs with the settings `huaicai serve` uses (worker warm-up included).
        argv += ["--config", config]
    argv.append(app_spec)
    process = subprocess.Popen(argv, cwd=ROOT)
    try:
        wait_until_listening(port, process)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_listening(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Wait until the server accepts connections (and both workers had time to boot)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn on port {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            time.sleep(1.0)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn on port {port} did not start")


def build_requests(count: int, followers: int = 200) -> list[SignedRequest]:
    """Return ``count`` signed text messages from ``followers`` people, each MsgId unique."""
    base = 10**15 + secrets.randbelow(10**6) * 10**7
    # Each follower's MsgIds start 10**6 apart, so they never collide.
    users = [
        WeChatUser(
            token=TOKEN, appid=APPID, openid=f"o-bench-{n:04d}", first_msg_id=base + n * 10**6
        )
        for n in range(followers)
    ]
    requests = [users[n % followers].text(TEXTS[n % len(TEXTS)]) for n in range(count)]
    return requests


def drive(name: str, port: int, requests: list[SignedRequest], concurrency: int) -> Stats:
    """Post every request once from ``concurrency`` threads; return the timings."""
    stats = Stats(name)
    lock = threading.Lock()
    position = itertools.count()

    def client() -> None:
        while True:
            index = next(position)
            if index >= len(requests):
                return
            request = requests[index]
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            started = time.perf_counter()
            try:
                connection.request(
                    "POST",
                    request.url("/wechat"),
                    body=request.body,
                    headers={"Content-Type": "text/xml"},
                )
                response = connection.getresponse()
                body = response.read()
                ok = response.status == 200 and b"<Content>" in body
            except OSError:
                ok = False
            finally:
                connection.close()
            took = time.perf_counter() - started
            with lock:
                if ok:
                    stats.latencies.append(took)
                else:
                    stats.failures += 1

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats.elapsed = time.perf_counter() - began
    return stats


def stored_deliveries(url: str) -> int:
    """Return how many deliveries the full app stored."""
    database = Database(url)
    try:
        with database.session() as session:
            return int(session.scalar(select(func.count(InboundMessage.id))) or 0)
    finally:
        database.dispose()


def main() -> None:
    """Run both targets in alternating rounds and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="messages per target")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per target")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=200)
    # The callback waits on the database most of the time; threads let a worker overlap those
    # waits. Both servers get the same setting.
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument(
        "--no-floor",
        dest="floor",
        action="store_false",
        help="skip the floor target (bench/wechat_floor.py, the same SQL in raw psycopg)",
    )
    options = parser.parse_args()

    total = options.warmup + options.requests
    messages = build_requests(total)
    warmup, measured = messages[: options.warmup], messages[options.warmup :]
    size = -(-len(measured) // options.rounds)
    chunks = [measured[i : i + size] for i in range(0, len(measured), size)]
    with fresh_database() as url, fresh_database() as floor_url, ExitStack() as servers:
        overrides = {
            "database": {"url": url},
            "app": {"log_level": "WARNING"},
            "wechat": {"token": TOKEN, "appid": APPID, "encoding_aes_key": ""},
        }
        floor_dsn = floor_url.replace("postgresql+psycopg://", "postgresql://")
        specs = [
            ("echo", "bare wechatpy echo", f"wechat_echo:create_app({TOKEN!r})", None),
            ("full", "full HuaiCai callback", f"webhooks:create_app({overrides!r})", FULL_CONFIG),
        ]
        if options.floor:
            app = f"wechat_floor:create_app({TOKEN!r}, {floor_dsn!r})"
            specs.insert(1, ("floor", "floor: raw psycopg SQL", app, None))
        targets = []
        for key, label, app_spec, config in specs:
            port = free_port()
            pythonpath = ROOT if key == "full" else ROOT / "bench"
            server = gunicorn(
                app_spec, port, pythonpath=pythonpath, threads=options.threads, config=config
            )
            pid = servers.enter_context(server)
            targets.append(Target(key, Stats(label), port, pid))
        for target in targets:
            drive("warm-up", target.port, warmup, 10)
        # Alternate short rounds so that noise from other work on a shared machine falls on
        # every target alike; ratios are taken of the per-round medians.
        for chunk in chunks:
            for target in targets:
                before = CpuUse.read([target.pid])
                result = drive(target.key, target.port, chunk, options.concurrency)
                after = CpuUse.read([target.pid])
                target.stats.merge(result)
                target.rounds.append(result.throughput)
                target.cpu += after.servers[target.pid] - before.servers[target.pid]
                target.postgres_cpu += after.postgres - before.postgres
        servers.close()
        stored = stored_deliveries(url)

    by_key = {t.key: t for t in targets}
    echo, full = by_key["echo"], by_key["full"]
    ratio = full.median / echo.median if echo.median else 0.0
    p99 = full.stats.percentile_ms(99)
    served = len(measured)
    print(
        f"{options.requests} signed text messages per target in {len(chunks)} alternating rounds, "
        f"{options.concurrency} concurrent, gunicorn 2 workers x {options.threads} threads"
    )
    for target in targets:
        print(target.stats.line())
    print(
        "per-round req/s ("
        + "/".join(t.key for t in targets)
        + "): "
        + ", ".join("/".join(f"{t.rounds[i]:.0f}" for t in targets) for i in range(len(chunks)))
    )
    print(
        "CPU per request (ms): "
        + ", ".join(
            f"{t.key} {1000 * t.cpu / served:.2f}"
            + (f" + PostgreSQL {1000 * t.postgres_cpu / served:.2f}" if t.key != "echo" else "")
            for t in targets
        )
    )
    print(f"deliveries stored by the full app: {stored} (expected {total})")
    if "floor" in by_key:
        floor = by_key["floor"]
        print(
            f"floor/echo (medians {floor.median:.0f}/{echo.median:.0f} req/s): "
            f"{floor.median / echo.median:.2f}, floor p99 {floor.stats.percentile_ms(99):.1f} ms "
            "(what a durable transaction per message costs with nothing else around it)"
        )
    verdict = "ok" if ratio >= TARGET_RATIO else "MISSED"
    print(
        f"throughput ratio full/echo (medians {full.median:.0f}/{echo.median:.0f} req/s): "
        f"{ratio:.2f} (target >= {TARGET_RATIO:.2f}) {verdict}"
    )
    verdict = "ok" if p99 < TARGET_P99_MS else "MISSED"
    print(f"full p99: {p99:.1f} ms (target < {TARGET_P99_MS:.0f} ms) {verdict}")


if __name__ == "__main__":
    main()
