"""Benchmark the WeChat callback: the full app beside a bare echo and a raw-SQL floor, one run.

Run ``python bench/callback.py`` with PostgreSQL on 127.0.0.1:5432 (user postgres). It creates
fresh databases, migrates them, starts gunicorn (2 workers, ``--threads`` each, the same for all)
serving the full app with the settings of ``huaicai serve``, ``bench/wechat_echo.py`` (signature
check, parse, ``create_reply``) and ``bench/wechat_floor.py`` (the echo plus the full app's two
SQL statements and COMMIT in raw psycopg). All get signed plaintext messages (unique MsgIds, 200
followers) from ``wrk`` (Debian package; a Lua script cycles through pre-signed requests, so the
generator costs little) or, with ``--generator python``, from Python threads; alternating rounds
(echo, floor, full, echo, ...) so other work on a shared machine weighs on all alike.

Prints per target: throughput, p50/p99 (median over rounds), CPU per message of the server's
process tree and of PostgreSQL, the generator's own CPU; then issue 16's lean-callback targets:
full >= 0.8x the floor's throughput, full CPU/message <= 1.3x the floor's, full p99 <= 1.5x the
floor's. ``--profile SECONDS`` also records the full app's workers with py-spy during one more
round and prints where the time went (top functions by own samples).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import re
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
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
class Round:
    """One load run against one target."""

    answered: int
    failures: int
    elapsed: float
    p50: float
    p99: float
    generator_cpu: float

    @property
    def throughput(self) -> float:
        return self.answered / self.elapsed if self.elapsed else 0.0


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


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
    label: str
    port: int
    pid: int
    rounds: list[Round] = field(default_factory=list)
    cpu: float = 0.0
    postgres_cpu: float = 0.0

    @property
    def answered(self) -> int:
        return sum(r.answered for r in self.rounds)

    @property
    def failures(self) -> int:
        return sum(r.failures for r in self.rounds)

    @property
    def median(self) -> float:
        return statistics.median(r.throughput for r in self.rounds)

    @property
    def p50(self) -> float:
        return statistics.median(r.p50 for r in self.rounds)

    @property
    def p99(self) -> float:
        return statistics.median(r.p99 for r in self.rounds)

    @property
    def cpu_per_message(self) -> float:
        return self.cpu / self.answered if self.answered else float("nan")

    @property
    def postgres_per_message(self) -> float:
        return self.postgres_cpu / self.answered if self.answered else float("nan")

    @property
    def generator_per_message(self) -> float:
        used = sum(r.generator_cpu for r in self.rounds)
        return used / self.answered if self.answered else float("nan")

    def line(self) -> str:
        return (
            f"{self.label:<24} {self.answered:>7} ok {self.failures:>4} failed  "
            f"{self.median:8.1f} req/s  p50 {self.p50 * 1000:6.1f} ms  "
            f"p99 {self.p99 * 1000:6.1f} ms"
            f"  CPU/msg {self.cpu_per_message * 1000:.2f} ms"
            + (
                f" + PostgreSQL {self.postgres_per_message * 1000:.2f}"
                if self.key != "echo"
                else ""
            )
            + f"  generator {self.generator_per_message * 1000:.2f} ms"
        )


def free_port() -> int:
    """Return a TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def fresh_database(code_root: Path | None = None) -> Iterator[str]:
    """Create a migrated PostgreSQL database for this run and drop it afterwards.

    ``code_root`` is another checkout whose own migrations build the schema (the baseline).
    """
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
        if code_root is None:
            migrations.upgrade(url)
        else:
            migrate = f"from bot import migrations; migrations.upgrade({url!r})"
            subprocess.run(
                [sys.executable, "-c", migrate],
                cwd=code_root,
                env={**os.environ, "PYTHONPATH": str(code_root)},
                check=True,
            )
        yield url
    finally:
        with connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def gunicorn(
    app_spec: str,
    port: int,
    *,
    pythonpath: str,
    threads: int,
    config: str | None = None,
    cwd: Path = ROOT,
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
    # PYTHONPATH too: the baseline's packages must win over the installed (editable) ones.
    env = {**os.environ, "PYTHONPATH": pythonpath}
    process = subprocess.Popen(argv, cwd=cwd, env=env)
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


def drive(port: int, requests: list[SignedRequest], concurrency: int) -> Round:
    """Post every request once from ``concurrency`` Python threads; return the round."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    position = itertools.count()

    def client() -> None:
        nonlocal failures
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
                    latencies.append(took)
                else:
                    failures += 1

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    cpu_before = time.process_time()
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return Round(
        len(latencies),
        failures,
        elapsed,
        _percentile(latencies, 50),
        _percentile(latencies, 99),
        time.process_time() - cpu_before,
    )


WRK_SCRIPT = """
-- Cycle through pre-signed WeChat messages (one table per wrk thread, disjoint slices) and
-- count answers that are not a 200 with a <Content> reply.
local requests = dofile(os.getenv("HUAICAI_WRK_REQUESTS"))
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter)
  table.insert(threads, thread)
end

function init(args)
  index = offset
  bad = 0
  step = tonumber(os.getenv("HUAICAI_WRK_THREADS"))
end

function request()
  local item = requests[((index - 1) % #requests) + 1]
  index = index + step
  return wrk.format("POST", item[1], {["Content-Type"] = "text/xml"}, item[2])
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, "<Content>", 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("bad")
  end
  io.write(string.format("HUAICAI requests=%d failed=%d p50_us=%d p99_us=%d\\n",
    summary.requests, failed, latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def write_wrk_requests(path: Path, requests: list[SignedRequest]) -> None:
    """Write ``requests`` as a Lua table of {path, body} for WRK_SCRIPT."""
    lines = ["return {"]
    for request in requests:
        lines.append(
            f"{{{_lua_string(request.url('/wechat'))}, {_lua_string(request.body.decode())}}},"
        )
    lines.append("}")
    path.write_text("\n".join(lines), encoding="utf-8")


def drive_wrk(
    port: int,
    requests: list[SignedRequest],
    concurrency: int,
    seconds: float,
    folder: Path,
    *,
    replays_allowed: bool = False,
) -> Round:
    """Load ``port`` with wrk for ``seconds`` cycling through ``requests``; return the round."""
    table = folder / f"requests-{secrets.token_hex(4)}.lua"
    write_wrk_requests(table, requests)
    script = folder / "wechat.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    threads = 2
    env = dict(os.environ, HUAICAI_WRK_REQUESTS=str(table), HUAICAI_WRK_THREADS=str(threads))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{seconds:g}s",
         "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        raise SystemExit(f"wrk failed: {completed.stderr.strip() or completed.stdout.strip()}")
    table.unlink()
    line = next(ln for ln in completed.stdout.splitlines() if ln.startswith("HUAICAI "))
    values = dict(part.split("=") for part in line.split()[1:])
    served, failed = int(values["requests"]), int(values["failed"])
    if served > len(requests) and not replays_allowed:
        raise SystemExit(f"wrk sent {served} > {len(requests)} pre-signed requests: raise --pool")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Round(
        served - failed,
        failed,
        seconds,
        int(values["p50_us"]) / 1e6,
        int(values["p99_us"]) / 1e6,
        cpu,
    )


def stored_deliveries(url: str) -> int:
    """Return how many deliveries the full app stored."""
    database = Database(url)
    try:
        with database.session() as session:
            return int(session.scalar(select(func.count(InboundMessage.id))) or 0)
    finally:
        database.dispose()


def children_of(pid: int) -> list[int]:
    """Return the pids whose parent is ``pid`` (gunicorn's workers)."""
    return [child for child, (parent, _, _) in process_cpu().items() if parent == pid]


def profile_workers(
    pids: list[int], seconds: float, folder: Path, load: Callable[[], object]
) -> list[str]:
    """Record ``pids`` with py-spy while ``load()`` runs; return collapsed stacks (one per line).

    Only threads holding the GIL are sampled (``--gil``): the profile shows where the workers'
    Python CPU goes, not where they wait.
    """
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    outputs = [folder / f"profile-{pid}.txt" for pid in pids]
    recorders = [
        subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(pid),
                "--duration",
                f"{seconds:g}",
                "--rate",
                "200",
                "--format",
                "raw",
                "--output",
                str(output),
                "--nonblocking",
                "--gil",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for pid, output in zip(pids, outputs, strict=True)
    ]
    time.sleep(0.5)
    load()
    for recorder in recorders:
        recorder.wait(timeout=seconds + 60)
    lines: list[str] = []
    for output in outputs:
        if output.exists():
            lines += output.read_text(encoding="utf-8").splitlines()
    return lines


# Which part of the stack a sampled frame belongs to (first match wins).
PARTS = [
    ("waiting (select, locks)", ("accept", "select.py", "selectors.py", "wait (threading")),
    ("psycopg (sending queries, reading results)", ("psycopg/", "psycopg_binary")),
    ("SQLAlchemy (ORM, Core, pool)", ("sqlalchemy/",)),
    ("dialogs and services (bot/)", ("bot/",)),
    ("matching/ (text analysis)", ("matching/", "jieba/")),
    ("callback view and codec (webhooks/, wechat codec)", ("webhooks/", "wechatpy/", "xmltodict")),
    ("Flask / Werkzeug / gunicorn", ("flask/", "werkzeug/", "gunicorn/")),
    ("logging", ("logging/",)),
]


def summarise_profile(lines: list[str], top: int = 15) -> list[str]:
    """Return report lines: time by part of the stack (own frame) and the top own frames."""
    own: dict[str, int] = {}
    ours: dict[str, int] = {}
    parts: dict[str, int] = {}
    total = 0
    for line in lines:
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        leaf = frames[-1]
        total += count
        own[leaf] = own.get(leaf, 0) + count
        # Inclusive time of our own functions (each counted once per stack).
        for frame in dict.fromkeys(
            re.sub(r":\d+\)$", ")", f) for f in frames if "bot/" in f or "webhooks/" in f
        ):
            ours[frame] = ours.get(frame, 0) + count
        # Attribute the sample to the innermost frame that belongs to a known part.
        part = "other (stdlib, C extensions)"
        for frame in reversed(frames):
            match = next((name for name, marks in PARTS if any(m in frame for m in marks)), None)
            if match:
                part = match
                break
        parts[part] = parts.get(part, 0) + count
    if not total:
        return ["profile: no samples (is py-spy installed and allowed to attach?)"]
    report = [f"profile of the full app's workers: {total} samples"]
    for name, count in sorted(parts.items(), key=lambda item: -item[1]):
        report.append(f"  {100 * count / total:5.1f}%  {name}")
    report.append(f"  our functions by inclusive samples (top {top}):")
    for frame, count in sorted(ours.items(), key=lambda item: -item[1])[:top]:
        report.append(f"  {100 * count / total:5.1f}%  {frame[:110]}")
    report.append(f"  top {top} frames by own samples:")
    for leaf, count in sorted(own.items(), key=lambda item: -item[1])[:top]:
        report.append(f"  {100 * count / total:5.1f}%  {leaf[:110]}")
    return report


def export_revision(revision: str, destination: Path) -> None:
    """Write the tree of git ``revision`` of this repository into ``destination``."""
    destination.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(destination)], input=archive, check=True)


def main() -> None:
    """Run the targets in alternating rounds and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per target")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=200)
    # The callback waits on the database most of the time; threads let a worker overlap those
    # waits. Every server gets the same setting.
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument(
        "--generator",
        choices=["wrk", "python"],
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator (default: wrk when installed)",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk: seconds per round")
    parser.add_argument(
        "--pool", type=int, default=8000, help="pre-signed messages per target and round"
    )
    parser.add_argument(
        "--profile", type=float, default=0.0, metavar="SECONDS",
        help="record the full app's workers with py-spy during an extra round",
    )  # fmt: skip
    parser.add_argument(
        "--set", dest="settings", action="append", default=[], metavar="SECTION.KEY=VALUE",
        help="a setting of the full app, e.g. wechat.replay_store=redis (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--baseline", metavar="REV", default="",
        help="also run the full app of this git revision (e.g. the commit before a refactor)",
    )  # fmt: skip
    options = parser.parse_args()

    specs_keys = ["echo", "floor", "full"] + (["baseline"] if options.baseline else [])
    pools = {
        (key, number): build_requests(options.pool)
        for key in specs_keys
        for number in range(options.rounds + (1 if options.profile else 0))
    }
    warmups = {key: build_requests(options.warmup) for key in specs_keys}
    folder = Path(tempfile.mkdtemp(prefix="huaicai-bench-"))
    baseline_root = folder / "baseline"
    if options.baseline:
        export_revision(options.baseline, baseline_root)
    with fresh_database() as url, fresh_database() as floor_url, ExitStack() as servers:
        overrides = {
            "database": {"url": url},
            "app": {"log_level": "WARNING", "instance_dir": str(folder / "instance")},
            "matching": {"index_path": str(folder / "match-index")},
            "wechat": {"token": TOKEN, "appid": APPID, "encoding_aes_key": ""},
        }
        # The baseline gets the plain settings: --set names keys of the current code.
        plain_overrides = {section: dict(values) for section, values in overrides.items()}
        for setting in options.settings:
            name, _, value = setting.partition("=")
            section, _, key = name.partition(".")
            overrides.setdefault(section, {})[key] = value
        floor_dsn = floor_url.replace("postgresql+psycopg://", "postgresql://")
        floor_spec = f"bench.wechat_floor:create_app({TOKEN!r}, {floor_dsn!r})"
        specs = [
            ("echo", "bare wechatpy echo", f"bench.wechat_echo:create_app({TOKEN!r})", None),
            ("floor", "floor: raw psycopg SQL", floor_spec, None),
            ("full", "full HuaiCai callback", f"webhooks:create_app({overrides!r})", FULL_CONFIG),
        ]  # fmt: skip
        code_roots = {key: ROOT for key in specs_keys}
        if options.baseline:
            baseline_url = servers.enter_context(fresh_database(baseline_root))
            baseline_overrides = {
                **plain_overrides,
                "database": {"url": baseline_url},
                "app": {
                    **plain_overrides["app"],
                    "instance_dir": str(folder / "baseline-instance"),
                },
                "matching": {"index_path": str(folder / "baseline-index")},
            }
            specs.append(
                (
                    "baseline",
                    f"full at {options.baseline[:12]}",
                    f"webhooks:create_app({baseline_overrides!r})",
                    FULL_CONFIG,
                )
            )
            code_roots["baseline"] = baseline_root
        targets = []
        for key, label, app_spec, config in specs:
            port = free_port()
            # bench.wechat_echo / bench.wechat_floor from the project root: with bench/ on the
            # path, bench/matching.py would shadow the matching package the floor imports.
            server = gunicorn(
                app_spec,
                port,
                pythonpath=str(code_roots[key]),
                threads=options.threads,
                config=config,
                cwd=code_roots[key],
            )
            pid = servers.enter_context(server)
            targets.append(Target(key, label, port, pid))
        for target in targets:
            drive(target.port, warmups[target.key], 10)

        def run(target: Target, number: int) -> Round:
            requests = pools[(target.key, number)]
            if options.generator == "wrk":
                # The echo keeps no state: a request sent again costs it the same.
                return drive_wrk(
                    target.port,
                    requests,
                    options.concurrency,
                    options.seconds,
                    folder,
                    replays_allowed=target.key == "echo",
                )
            return drive(target.port, requests, options.concurrency)

        # Alternate short rounds so that noise from other work on a shared machine falls on
        # every target alike; ratios are taken of the per-round medians.
        for number in range(options.rounds):
            for target in targets:
                before = CpuUse.read([target.pid])
                result = run(target, number)
                after = CpuUse.read([target.pid])
                target.rounds.append(result)
                target.cpu += after.servers[target.pid] - before.servers[target.pid]
                target.postgres_cpu += after.postgres - before.postgres
        profile: list[str] = []
        if options.profile:
            full = next(t for t in targets if t.key == "full")
            stacks = profile_workers(
                children_of(full.pid),
                options.profile,
                folder,
                lambda: drive_wrk(
                    full.port, pools[("full", options.rounds)], options.concurrency,
                    options.profile, folder,
                ),
            )  # fmt: skip
            profile = summarise_profile(stacks)
        servers.close()
        stored = stored_deliveries(url)
    shutil.rmtree(folder, ignore_errors=True)

    by_key = {t.key: t for t in targets}
    echo, floor, full = by_key["echo"], by_key["floor"], by_key["full"]
    print(
        f"{options.rounds} alternating rounds per target ({options.generator}"
        + (f", {options.seconds:g} s each" if options.generator == "wrk" else "")
        + f"), {options.concurrency} connections, gunicorn 2 workers x {options.threads} threads"
    )
    for target in targets:
        print(target.line())
    print(
        f"per-round req/s ({'/'.join(t.key for t in targets)}): "
        + ", ".join(
            "/".join(f"{t.rounds[i].throughput:.0f}" for t in targets)
            for i in range(options.rounds)
        )
    )
    print(
        f"deliveries stored by the full app: {stored} (answered within the rounds: "
        f"{full.answered + options.warmup}; wrk stops counting at the round's end)"
    )
    print(f"floor/echo throughput: {floor.median / echo.median:.2f}")
    if "baseline" in by_key:
        baseline = by_key["baseline"]
        print(
            f"full/baseline ({options.baseline}): throughput {full.median / baseline.median:.2f}, "
            f"CPU per message {full.cpu_per_message / baseline.cpu_per_message:.2f}, "
            f"p99 {full.p99 / baseline.p99:.2f}"
        )
    checks = [
        ("throughput full/floor", full.median / floor.median, ">=", 0.8),
        ("CPU per message full/floor", full.cpu_per_message / floor.cpu_per_message, "<=", 1.3),
        ("p99 full/floor", full.p99 / floor.p99, "<=", 1.5),
    ]
    for name, value, relation, target_value in checks:
        met = value >= target_value if relation == ">=" else value <= target_value
        print(f"{name}: {value:.2f} (target {relation} {target_value}) {'ok' if met else 'MISSED'}")
    for line in profile:
        print(line)


if __name__ == "__main__":
    main()
