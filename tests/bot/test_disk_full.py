"""A full disk under the SQLite file: clear errors, no 5xx, nothing corrupted, usable after."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from bot import migrations
from bot.db import Database
from tests.factories import make_talent


@pytest.fixture(params=["rlimit", "tmpfs"])
def small_disk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """Yield (folder, mode): a folder whose files may not grow much."""
    if request.param == "rlimit":
        yield tmp_path, "rlimit"
        return
    folder = tmp_path / "tmpfs"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the rlimit case covers the behaviour")
    # 4 MiB: room for the migrated schema, not for many conversations.
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder, "none"
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.slow
def test_full_disk_gives_clear_errors_and_corrupts_nothing(
    small_disk: tuple[Path, str], tmp_path: Path
) -> None:
    folder, mode = small_disk
    db_path = folder / "huaicai.sqlite3"
    url = f"sqlite:///{db_path}"
    migrations.upgrade(url)
    spool = tmp_path / "spool"
    worker = subprocess.run(
        [sys.executable, "-m", "tests.bot.disk_full_worker", str(db_path), str(spool), mode],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert worker.returncode == 0, worker.stderr[-3000:]
    report = json.loads(worker.stdout.strip().splitlines()[-1])
    # WeChat never saw a server error, and the writes really did fail.
    assert report["statuses"] == [200]
    assert report["apologies"] >= 3 or spool.exists()
    # The cause is named in the log, not hidden.
    assert any(
        cause in worker.stderr
        for cause in ("database or disk is full", "disk I/O error", "File too large", "No space")
    ), worker.stderr[-3000:]
    if mode == "none":
        # Free some room on the small disk (what an operator does) before checking.
        for leftover in folder.glob("*.tmp"):
            leftover.unlink()
    with closing(sqlite3.connect(db_path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in connection.execute("SELECT openid FROM inbound_messages")}
    # Every conversation that was answered is still there.
    assert set(report["answered"]) <= stored
    assert len(report["answered"]) > 1
    if mode == "rlimit":
        # With room again, the same database takes writes.
        database = Database(url)
        try:
            with database.transaction() as session:
                make_talent(session, name="磁盘恢复后")
        finally:
            database.dispose()
