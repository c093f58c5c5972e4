"""Gunicorn settings used by ``huaicai serve`` (``-c python:webhooks.gunicorn_conf``)."""

from __future__ import annotations

import logging
import time
from typing import Any

logger = logging.getLogger(__name__)

# The WeChat callback answers within its reply budget from a thread pool of its own; gthread
# workers keep slow clients from holding a whole process.
worker_class = "gthread"
threads = 4
# WeChat gives up after 5 s; a request still running after 30 s is stuck.
timeout = 30
graceful_timeout = 20
# The request line without its query string: WeChat's signature, timestamp, nonce and the
# sender's openid travel there, and a signed query string must not be reusable from a log.
# No referrer either (it may carry the same). %(U)s is the path only.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'


def post_worker_init(worker: Any) -> None:
    """Load jieba, lexicons, models and the talent index before the first WeChat message."""
    started = time.perf_counter()
    # The worker has loaded the app (``webhooks:create_app()``) by now; its runtime warms up
    # here, outside any request.
    worker.wsgi.extensions["huaicai"].warm_up()
    # Deliveries kept on disk during a database outage are handled once the worker is up.
    from webhooks.callback import drain_spool_in_background

    drain_spool_in_background(worker.wsgi)
    logger.info("worker %s warmed up in %.1f s", worker.pid, time.perf_counter() - started)


def child_exit(_server: Any, worker: Any) -> None:
    """Drop an exited worker's live series from the shared metrics files (prometheus-client)."""
    from prometheus_client import multiprocess

    from bot.config import load_config

    # `huaicai serve` sets it (with PROMETHEUS_MULTIPROC_DIR) before starting gunicorn.
    directory = load_config().metrics.multiprocess_dir
    if directory:
        multiprocess.mark_process_dead(worker.pid, directory)
