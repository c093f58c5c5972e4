"""Under gunicorn each worker counts into shared files; a scrape adds every worker's counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import load_config
from webhooks.metrics import _registries

WORKER = """
from webhooks.metrics import CALLBACK_OUTCOMES, REQUESTS
for _ in range({count}):
    REQUESTS.labels("/wechat", "POST", "200").inc()
CALLBACK_OUTCOMES.labels("replied").inc({count})
"""


def test_counts_of_separate_worker_processes_are_added(tmp_path: Path) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    for count in (3, 4):
        subprocess.run(
            [sys.executable, "-c", WORKER.format(count=count)], env=env, check=True, timeout=120
        )
    config = load_config(overrides={"metrics": {"multiprocess_dir": str(shared)}}, environ={})
    registry = next(iter(_registries(config)))
    values = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(generate_latest(registry).decode())
        for sample in family.samples
    }
    labels = (("method", "POST"), ("route", "/wechat"), ("status", "200"))
    assert values[("huaicai_http_requests_total", labels)] == 7
    assert values[("huaicai_callback_outcomes_total", (("outcome", "replied"),))] == 7
