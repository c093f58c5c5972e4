"""``GET /metrics`` in Prometheus' text format, and a request id on every request.

Counters kept in the process: HTTP requests and their latency by route, and the callback's
outcomes. Under gunicorn each worker writes them to files in ``metrics.multiprocess_dir``
(``huaicai serve`` sets it, with ``PROMETHEUS_MULTIPROC_DIR`` for prometheus-client) and a scrape
adds up every worker's. Figures that outlive a process and are shared by every node (outbox
depth and sends by channel and outcome, registrations, invitations, scheduler job runs and
failures) are read from the database at scrape time.

Access: clients whose address is in ``metrics.allowed_addresses``, or a request with
``Authorization: Bearer <metrics.token>``; anyone else gets 404, as if there were nothing here.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import secrets
import time
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from flask import Blueprint, Flask, Response, abort, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from bot.config import Config
from bot.logs import request_id
from bot.services import operations
from webhooks.extensions import config as current_config
from webhooks.extensions import runtime

logger = logging.getLogger(__name__)

blueprint = Blueprint("metrics", __name__)

REQUESTS = Counter(
    "huaicai_http_requests_total", "HTTP requests answered", ["route", "method", "status"]
)
LATENCY = Histogram(
    "huaicai_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CALLBACK_OUTCOMES = Counter(
    "huaicai_callback_outcomes_total",
    "WeChat callback deliveries by outcome (replied, success, refused, too_large, error)",
    ["outcome"],
)
CALLBACK_METHOD = "POST"  # the callback's deliveries (GET is WeChat's server check)
# A caller's X-Request-Id is kept when it looks like one (nginx's $request_id, a UUID).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def init_app(app: Flask, config: Config) -> None:
    """Time and count every request, give it a request id and register ``/metrics``.

    The WeChat callback, served in front of the app, does the same through ``observe``.
    """
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_forget_request_id)
    app.register_blueprint(blueprint)


def request_id_of(given: str) -> str:
    """Return the caller's X-Request-Id when it looks like one, else a new random id.

    A new id is 32 hex digits from ``os.urandom`` (uuid4's randomness without building a UUID).
    """
    return given if _REQUEST_ID.match(given) else os.urandom(16).hex()


class Answered(Protocol):
    """What metrics read of an answer: a Werkzeug response or the callback's ``Answer``."""

    @property
    def status_code(self) -> int: ...

    @property
    def mimetype(self) -> str | None: ...


# Labelled series by (metric, label values): ``labels`` validates and locks on every call, and
# the label values (routes, methods, statuses, outcomes) are few. prometheus-client's
# multiprocess values notice a fork by themselves, so the series stay valid in each worker.
_SERIES: dict[tuple[object, ...], Any] = {}


def _series(metric: Counter | Histogram, *values: str) -> Any:
    key = (metric, *values)
    series = _SERIES.get(key)
    if series is None:
        series = _SERIES[key] = metric.labels(*values)
    return series


def _count(route: str, method: str, response: Answered, seconds: float) -> None:
    _series(LATENCY, route).observe(seconds)
    _series(REQUESTS, route, method, str(response.status_code)).inc()


def observe(route: str, method: str, response: Answered, seconds: float) -> None:
    """Count and time one answered request of the WeChat callback (served outside Flask)."""
    _count(route, method, response, seconds)
    if method == CALLBACK_METHOD:
        _series(CALLBACK_OUTCOMES, callback_outcome(response)).inc()


def _start() -> None:
    g.request_id = request_id_of(request.headers.get("X-Request-Id", ""))
    g.request_id_token = request_id.set(g.request_id)
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:
        return response
    # The rule, not the path: /console/talents/<int:talent_id> is one series, not one per id.
    route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    _count(route, request.method, response, time.perf_counter() - started)
    response.headers["X-Request-Id"] = g.request_id
    return response


def _forget_request_id(_exc: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        request_id.reset(token)


def callback_outcome(response: Answered) -> str:
    """Name what the callback did from its answer: replied, success, refused, too_large, error."""
    if response.status_code == 413:
        return "too_large"
    if 400 <= response.status_code < 500:
        return "refused"
    if response.status_code >= 500:
        return "error"
    if response.mimetype == "application/xml":
        return "replied"
    return "success"


def allowed(remote_addr: str | None, authorization: str, config: Config) -> bool:
    """Return whether a client may read the metrics (listed address, or the bearer token)."""
    token = config.metrics.token
    if token and secrets.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    for entry in config.metrics.allowed_addresses.split(","):
        if entry.strip() and address in ipaddress.ip_network(entry.strip(), strict=False):
            return True
    return False


class DatabaseCollector(Collector):
    """Gauges and counters read from the database at scrape time (shared by every node)."""

    def collect(self) -> Iterator[Metric]:
        database = runtime().database
        with database.session() as session:
            counts = operations.counts(session)
            runs = operations.scheduler_runs(session)
        outbox = GaugeMetricFamily(
            "huaicai_outbox_messages",
            "Outbox messages by channel and status (pending and deferred are the depth)",
            labels=["channel", "status"],
        )
        for (channel, status), count in sorted(counts.outbox.items()):
            outbox.add_metric([channel, status], count)
        yield outbox
        talents = GaugeMetricFamily(
            "huaicai_talents", "Registered talents by status", labels=["status"]
        )
        for status, count in sorted(counts.talents.items()):
            talents.add_metric([status], count)
        yield talents
        invitations = GaugeMetricFamily(
            "huaicai_invitations", "Event invitations by status", labels=["status"]
        )
        for status, count in sorted(counts.invitations.items()):
            invitations.add_metric([status], count)
        yield invitations
        job_runs = CounterMetricFamily(
            "huaicai_scheduler_job_runs", "Scheduled job runs", labels=["job"]
        )
        job_failures = CounterMetricFamily(
            "huaicai_scheduler_job_failures", "Scheduled job runs that failed", labels=["job"]
        )
        heartbeat = GaugeMetricFamily(
            "huaicai_scheduler_last_run_timestamp_seconds",
            "Unix time each job last finished",
            labels=["job"],
        )
        for run in runs:
            job_runs.add_metric([run.job_id], run.runs)
            job_failures.add_metric([run.job_id], run.failures)
            if run.last_finished_at is not None:
                heartbeat.add_metric([run.job_id], run.last_finished_at.timestamp())
        yield from (job_runs, job_failures, heartbeat)


def _registries(config: Config) -> Iterable[CollectorRegistry]:
    directory = config.metrics.multiprocess_dir
    if directory:
        # gunicorn: every worker's counters, summed from the shared files.
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)
        yield registry
    else:
        yield REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    yield database


@blueprint.get("/metrics")
def metrics() -> Response:
    """Answer the Prometheus scrape."""
    config = current_config()
    if not allowed(request.remote_addr, request.headers.get("Authorization", ""), config):
        abort(404)
    body = b"".join(generate_latest(registry) for registry in _registries(config))
    return Response(body, 200, content_type=CONTENT_TYPE_LATEST)
