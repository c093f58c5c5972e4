"""Many web nodes on one PostgreSQL and Redis: what stays single, measured.

Starts two (``--nodes``) ``huaicai serve`` instances on different ports, each with its own
instance folder, sharing a fresh PostgreSQL database, the local Redis and a fake WeChat API, and
prints:

1. retried deliveries across nodes: every message is delivered to two nodes at once (WeChat's
   retry landing on another node) — stored once, the same reply from both, load spread;
2. one token refresh across nodes: eight processes with the nodes' settings ask for the access
   token at the same moment, then again after the fake expired it — stable_token calls counted;
3. the talent index converging: a talent added (through the services, as any node would) and the
   time until a console search on every node finds them; and a word first seen after the build.

Only 127.0.0.1. Usage: ``.venv/bin/python bench/nodes.py [--messages 300]``.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import redis
import requests
from sqlalchemy import func, make_url, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import migrations  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.models import InboundMessage  # noqa: E402
from bot.services import talents  # noqa: E402
from devtools.fake_wechat import FakeWeChat  # noqa: E402
from devtools.simulator import WeChatUser  # noqa: E402

TOKEN = "bench-nodes-token"  # noqa: S105 - a throwaway bench value
PASSWORD = "bench-nodes-password"  # noqa: S105 - a throwaway bench value
# A process with one node's settings: fetch the token on "go", then send once on "go".
FETCH_SCRIPT = """
import sys
from bot.config import load_config
from bot.db import Database
from bot.wechat.client import make_client
config = load_config()
database = Database(config.database_url, pool_size=1)
client = make_client(config, database)
print("ready", flush=True)
sys.stdin.readline()
print(client.access_token[:12], flush=True)
sys.stdin.readline()
outcome = client.send_customer_service_text(sys.argv[1], "hi")
print(outcome.describe(), flush=True)
client.close()
database.dispose()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"node on {port} stopped with {process.returncode}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"node on {port} not healthy after {timeout} s")


def read_line(worker: subprocess.Popen[str]) -> str:
    if worker.stdout is None:
        raise RuntimeError("worker without stdout")
    return worker.stdout.readline().strip()


def say_go(worker: subprocess.Popen[str]) -> None:
    if worker.stdin is None:
        raise RuntimeError("worker without stdin")
    worker.stdin.write("go\n")
    worker.stdin.flush()


def console_session(port: int) -> requests.Session:
    session = requests.Session()
    page = session.get(f"http://127.0.0.1:{port}/console/login", timeout=10).text
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    token = match.group(1) if match else ""
    answer = session.post(
        f"http://127.0.0.1:{port}/console/login",
        data={"csrf_token": token, "username": "bench", "password": PASSWORD},
        timeout=10,
    )
    if answer.status_code >= 400:
        raise SystemExit(f"console login on {port} failed: {answer.status_code}")
    return session


def found(session: requests.Session, port: int, query: str, city: str, name: str) -> bool:
    page = session.get(
        f"http://127.0.0.1:{port}/console/talents", params={"q": query, "city": city}, timeout=30
    )
    return page.status_code == 200 and name in page.text


EXPERTISE = [
    "锂电池正极材料与固态电解质的研究",
    "怀山药多糖提取与功能食品开发",
    "新能源汽车电驱动系统与电机控制",
    "大数据平台与机器学习推荐算法",
    "氟化工含氟精细化学品合成工艺",
    "光伏农业与智能温室控制",
    "高端装备数控机床故障诊断",
    "中药材质量标准与道地药材鉴定",
    "冷链物流与供应链优化",
    "太极拳文化旅游与康养产业规划",
]


def seed_talents(database: Database, count: int) -> None:
    """Add ``count`` talents with varied expertise (the index's vocabulary comes from them)."""
    with database.transaction() as session:
        for number in range(count):
            talents.create_talent(
                session,
                name=f"节点测试{number}",
                openid=f"o-seed-{number:05d}",
                origin_code="410825",
                origin_name="焦作市温县",
                city="北京",
                employer="某大学",
                title="教授",
                education="博士",
                expertise=EXPERTISE[number % len(EXPERTISE)],
                cooperation_wishes=["技术咨询"],
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--token-processes", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5, help="index convergence rounds")
    parser.add_argument("--talents", type=int, default=300, help="talents in the database")
    args = parser.parse_args()

    admin = make_url(args.admin_url)
    name = f"huaicai_nodes_{os.getpid()}"
    url = admin.set(database=name).render_as_string(hide_password=False)
    conninfo = dict(
        host=admin.host, port=admin.port or 5432, user=admin.username, dbname=admin.database
    )
    with psycopg.connect(**conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    folder = Path(tempfile.mkdtemp(prefix="huaicai-nodes-"))
    appid = "wxnodes" + secrets.token_hex(6)
    fake = FakeWeChat(appid, "bench-nodes-secret", auto_follow=True).start()
    nodes: list[subprocess.Popen[bytes]] = []
    database = Database(url, pool_size=2)
    try:
        migrations.upgrade(url)
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("HUAICAI_")}
        base_env.update(
            {
                "HUAICAI_DATABASE__URL": url,
                "HUAICAI_APP__LOG_LEVEL": "WARNING",
                "HUAICAI_WECHAT__APPID": appid,
                "HUAICAI_WECHAT__SECRET": "bench-nodes-secret",
                "HUAICAI_WECHAT__TOKEN": TOKEN,
                "HUAICAI_WECHAT__API_BASE_URL": fake.api_base_url,
                "HUAICAI_WECHAT__TOKEN_STORE": "redis",
                "HUAICAI_WECHAT__REDIS_URL": args.redis_url,
            }
        )
        if "replay_store" in (ROOT / "bot" / "config.py").read_text(encoding="utf-8"):
            base_env["HUAICAI_WECHAT__REPLAY_STORE"] = "redis"
        cli = [sys.executable, "-m", "cli"]
        seed_talents(database, args.talents)
        subprocess.run(
            [*cli, "user", "create", "bench", "--role", "organiser", "--password", PASSWORD],
            env={**base_env, "HUAICAI_APP__INSTANCE_DIR": str(folder)},
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        ports = [free_port() for _ in range(args.nodes)]
        envs = []
        for number, port in enumerate(ports):
            env = {
                **base_env,
                "HUAICAI_APP__INSTANCE_DIR": str(folder / f"node{number}"),
                "HUAICAI_APP__BASE_URL": f"http://127.0.0.1:{port}",
            }
            envs.append(env)
            nodes.append(
                subprocess.Popen(
                    [*cli, "serve", "--port", str(port), "--workers", str(args.workers)],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port, process in zip(ports, nodes, strict=True):
            wait_healthy(port, process)
        print(
            f"{args.nodes} nodes on ports {ports} ({args.workers} gunicorn workers each), "
            f"database {name}, Redis {args.redis_url}"
        )

        # --- 1. retried deliveries across nodes ----------------------------------------------
        users = [
            WeChatUser(token=TOKEN, appid=appid, openid=f"o-nodes-{i:05d}")
            for i in range(args.messages)
        ]
        signed = [user.text("注册") for user in users]

        def deliver(index_and_port: tuple[int, int]) -> tuple[int, int, str]:
            index, port = index_and_port
            request = signed[index]
            answer = requests.post(
                request.url(f"http://127.0.0.1:{port}/wechat"), data=request.body, timeout=30
            )
            return (
                index,
                answer.status_code,
                users[index].read_reply(answer.status_code, answer.content).text,
            )

        jobs = [(i, ports[(i + k) % len(ports)]) for i in range(args.messages) for k in range(2)]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(deliver, jobs))
        elapsed = time.perf_counter() - started
        replies: dict[int, set[str]] = {}
        statuses = Counter(status for _, status, _ in results)
        for index, _, text in results:
            replies.setdefault(index, set()).add(text)
        different = sum(1 for texts in replies.values() if len(texts) > 1)
        with database.session() as session:
            stored = session.scalar(select(func.count()).select_from(InboundMessage))
            per_key = session.execute(
                select(InboundMessage.dedup_key, func.count())
                .group_by(InboundMessage.dedup_key)
                .having(func.count() > 1)
            ).all()
        per_node = Counter(port for _, port in jobs)
        print(
            f"\n1. retried deliveries: {args.messages} messages x 2 deliveries to different "
            f"nodes at once = {len(jobs)} requests in {elapsed:.1f} s "
            f"({len(jobs) / elapsed:.0f} req/s), per node {dict(per_node)}"
        )
        print(
            f"   statuses {dict(statuses)}; stored deliveries {stored} (expected "
            f"{args.messages}); keys stored twice {len(per_key)}; "
            f"messages whose two replies differ {different}"
        )

        # --- 2. one token refresh across nodes -----------------------------------------------
        before = len(fake.calls("stable_token"))
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", FETCH_SCRIPT, f"o-nodes-token-{i}"],
                env=envs[i % len(envs)],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for i in range(args.token_processes)
        ]
        for worker in workers:
            read_line(worker)
        for worker in workers:
            say_go(worker)
        tokens = {read_line(worker) for worker in workers}
        fetched = len(fake.calls("stable_token")) - before
        for i in range(args.token_processes):
            fake.interact(f"o-nodes-token-{i}")
        fake.expire_tokens()
        for worker in workers:
            say_go(worker)
        outcomes: Counter[str] = Counter()
        for worker in workers:
            outcomes[read_line(worker)] += 1
            worker.wait(timeout=30)
        refetched = len(fake.calls("stable_token")) - before - fetched
        print(
            f"\n2. token: {args.token_processes} processes (settings of {len(envs)} nodes) asked "
            f"at once -> {fetched} stable_token call(s), {len(tokens)} distinct token(s); after "
            f"the fake expired it, {args.token_processes} sends -> {refetched} refresh(es), "
            f"outcomes {dict(outcomes)}"
        )

        # --- 3. the talent index on every node -----------------------------------------------
        sessions = [console_session(port) for port in ports]
        for session, port in zip(sessions, ports, strict=True):
            found(session, port, "锂电池", "", "-")  # the node's index is built/loaded now
        waits: list[list[float]] = [[] for _ in ports]
        polls: list[list[int]] = [[] for _ in ports]
        for round_number in range(args.rounds):
            city = f"测试城{round_number}{secrets.token_hex(2)}"
            person = f"收敛测试{round_number}{secrets.token_hex(2)}"
            with database.transaction() as session:
                talents.create_talent(
                    session,
                    name=person,
                    openid=f"o-conv-{secrets.token_hex(4)}",
                    origin_code="410825",
                    origin_name="焦作市温县",
                    city=city,
                    employer="某大学",
                    title="教授",
                    education="博士",
                    expertise="锂电池正极材料与固态电解质",
                    cooperation_wishes=["技术咨询"],
                )
            committed = time.perf_counter()
            pending = set(range(len(ports)))
            tries = [0 for _ in ports]
            while pending and time.perf_counter() - committed < 120:
                for number in list(pending):
                    tries[number] += 1
                    if found(sessions[number], ports[number], "固态电解质", city, person):
                        waits[number].append(time.perf_counter() - committed)
                        polls[number].append(tries[number])
                        pending.discard(number)
            for number in pending:
                waits[number].append(float("inf"))
        print(
            f"\n3. talent index: a talent added, then searched (expertise words known to the "
            f"index) on every node, {args.rounds} rounds:"
        )
        for port, node_waits, node_polls in zip(ports, waits, polls, strict=True):
            print(
                f"   node {port}: visible after median {statistics.median(node_waits) * 1000:.0f}"
                f" ms, max {max(node_waits) * 1000:.0f} ms; searches needed {node_polls} (nodes "
                "are polled in turn: a later node's time includes the earlier nodes' searches)"
            )
        word = "钙钛矿叠层" + secrets.token_hex(1)
        city = "新词城" + secrets.token_hex(2)
        person = "新词测试" + secrets.token_hex(2)
        with database.transaction() as session:
            talents.create_talent(
                session,
                name=person,
                openid=f"o-word-{secrets.token_hex(4)}",
                origin_code="410825",
                origin_name="焦作市温县",
                city=city,
                employer="某大学",
                title="教授",
                education="博士",
                expertise=f"{word}太阳能电池",
                cooperation_wishes=["技术咨询"],
            )
        visible = [found(s, p, word, city, person) for s, p in zip(sessions, ports, strict=True)]
        print(
            f"   a talent whose expertise has a word first seen after the build ({word}), "
            f"searched by that word: found on nodes {visible}"
        )
    finally:
        for process in nodes:
            process.send_signal(signal.SIGTERM)
        for process in nodes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        database.dispose()
        fake.stop()
        connection = redis.Redis.from_url(args.redis_url)
        keys = [key for key in connection.scan_iter(f"*{appid}*")]
        if keys:
            connection.delete(*keys)
        connection.close()
        with psycopg.connect(**conninfo, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
