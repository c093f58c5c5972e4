"""Exactly one scheduler works: a second one, started on purpose, waits and does nothing."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.db import Database
from bot.jobs import JOBS, Job, run_job
from bot.models import SchedulerRun
from bot.scheduler_lock import held_elsewhere, scheduler_lock
from bot.services import operations


class Process:
    """A child process whose output lines (stdout and stderr merged) are read in the background."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.popen = subprocess.Popen(
            argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.seen):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {text!r} within {timeout} s; output: {self.seen}")
            try:
                self.seen.append(self.lines.get(timeout=remaining))
            except queue.Empty:
                continue

    def stop(self) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout=30)

    def close(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait()
        self.reader.join(timeout=10)
        assert self.popen.stdout is not None
        self.popen.stdout.close()


@pytest.fixture
def start_scheduler(
    committed_database: Database, tmp_path: Path
) -> Iterator[Callable[[], Process]]:
    env = dict(os.environ)
    env.update(
        {
            "HUAICAI_DATABASE__URL": committed_database.url,
            "HUAICAI_APP__INSTANCE_DIR": str(tmp_path),
            "HUAICAI_SCHEDULER__LOCK_POLL_SECONDS": "1",
            "HUAICAI_SCHEDULER__HEARTBEAT_SECONDS": "1",
            # Nothing listens here: no job may reach a real API.
            "HUAICAI_WECHAT__API_BASE_URL": "http://127.0.0.1:9/cgi-bin/",
        }
    )
    yield from scheduler_starter(env)


def scheduler_starter(env: dict[str, str]) -> Iterator[Callable[[], Process]]:
    """Yield a starter of ``huaicai scheduler`` processes with ``env``; close them all after."""
    started: list[Process] = []

    def start() -> Process:
        process = Process([sys.executable, "-m", "cli", "scheduler"], env)
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()


def _runners(database: Database) -> set[str]:
    with database.session() as session:
        return set(session.scalars(select(SchedulerRun.runner)))


def _wait_for_heartbeat_by(database: Database, pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with database.session() as session:
            row = session.get(SchedulerRun, operations.HEARTBEAT_JOB)
            if row is not None and row.runner.endswith(f":{pid}"):
                return
        time.sleep(0.2)
    raise AssertionError(f"process {pid} never beat; runners: {_runners(database)}")


@pytest.mark.slow
def test_second_scheduler_waits_and_takes_over_when_the_first_stops(
    start_scheduler: Callable[[], Process], committed_database: Database
) -> None:
    first = start_scheduler()
    first.wait_for("scheduler: took the")
    second = start_scheduler()
    second.wait_for("another scheduler holds the")
    # The first runs its jobs (the first run is 5 s after start); the second does nothing.
    _wait_for_heartbeat_by(committed_database, first.popen.pid)
    time.sleep(1.5)
    assert _runners(committed_database) == {f"{_host()}:{first.popen.pid}"}
    assert second.popen.poll() is None
    assert not any("took the" in line for line in second.seen)
    assert first.stop() == 0
    second.wait_for("scheduler: took the", timeout=30)
    _wait_for_heartbeat_by(committed_database, second.popen.pid)
    assert second.stop() == 0


def _host() -> str:
    import socket

    return socket.gethostname()


def test_the_lock_is_exclusive_and_released(committed_database: Database) -> None:
    first = scheduler_lock(committed_database.engine)
    second = scheduler_lock(committed_database.engine)
    try:
        assert first.try_acquire()
        assert first.still_held()
        assert not second.try_acquire()
        assert held_elsewhere(committed_database.engine)
        first.release()
        assert second.try_acquire()
    finally:
        first.release()
        second.release()
    assert not held_elsewhere(committed_database.engine)


def test_job_runs_and_failures_are_recorded(committed_database: Database) -> None:
    config = load_config(environ={})

    def fail(_session: object, _config: object) -> None:
        raise RuntimeError("boom")

    failing = Job(id="test-failing", run=fail, every_seconds=lambda c: 60, description="fails")
    heartbeat = next(job for job in JOBS if job.id == operations.HEARTBEAT_JOB)
    assert run_job(committed_database, config, heartbeat) == "alive"
    with pytest.raises(RuntimeError):
        run_job(committed_database, config, failing)
    with committed_database.session() as session:
        runs = {run.job_id: run for run in operations.scheduler_runs(session)}
        assert operations.last_heartbeat(session) is not None
    assert (runs["heartbeat"].runs, runs["heartbeat"].failures) == (1, 0)
    assert (runs["test-failing"].runs, runs["test-failing"].failures) == (1, 1)
    assert runs["test-failing"].last_error == "RuntimeError: boom"
