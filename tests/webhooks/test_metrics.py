"""GET /metrics: Prometheus text, counters by route and callback outcome, database figures."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from bot.config import load_config
from bot.db import utcnow
from bot.logs import configure_logging, request_id
from bot.services import operations
from tests.factories import make_talent
from tests.webhooks.conftest import Phone
from webhooks.metrics import allowed


def _samples(client: FlaskClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_and_timed_by_route(client: FlaskClient) -> None:
    before = _samples(client)
    assert client.get("/healthz").status_code == 200
    after = _samples(client)
    labels = {"route": "/healthz", "method": "GET", "status": "200"}
    assert _value(after, "huaicai_http_requests_total", **labels) == (
        _value(before, "huaicai_http_requests_total", **labels) + 1
    )
    count = "huaicai_http_request_duration_seconds_count"
    assert _value(after, count, route="/healthz") == _value(before, count, route="/healthz") + 1


def test_unmatched_paths_share_one_series(client: FlaskClient) -> None:
    client.get("/no/such/page/12345")
    samples = _samples(client)
    routes = {dict(labels).get("route") for name, labels in samples if "http_requests" in name}
    assert "<unmatched>" in routes
    assert not any(route and "12345" in route for route in routes)


def test_callback_outcomes_are_counted(client: FlaskClient, phone: Phone) -> None:
    before = _samples(client)
    assert phone.say("帮助")
    forged = phone.user.text("你好")
    forged.query["signature"] = "0" * 40
    assert phone.post(forged).status_code == 403
    after = _samples(client)
    name = "huaicai_callback_outcomes_total"
    for outcome in ("replied", "refused"):
        assert _value(after, name, outcome=outcome) == _value(before, name, outcome=outcome) + 1


def test_database_figures_are_read_at_scrape_time(client: FlaskClient, db_session: Session) -> None:
    make_talent(db_session)
    operations.record_job_end(db_session, "deliver-outbox", "test:1", utcnow(), "boom")
    operations.record_job_end(
        db_session, operations.HEARTBEAT_JOB, "test:1", utcnow() - timedelta(seconds=5), None
    )
    db_session.commit()
    samples = _samples(client)
    talents = sum(v for (name, _), v in samples.items() if name == "huaicai_talents")
    assert talents >= 1
    assert _value(samples, "huaicai_scheduler_job_runs_total", job="deliver-outbox") == 1
    assert _value(samples, "huaicai_scheduler_job_failures_total", job="deliver-outbox") == 1
    beat = _value(samples, "huaicai_scheduler_last_run_timestamp_seconds", job="heartbeat")
    assert abs(beat - (utcnow().timestamp() - 5)) < 60


def test_other_addresses_get_404(client: FlaskClient) -> None:
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("address", "authorization", "expected"),
    [
        ("127.0.0.1", "", True),
        ("10.1.2.3", "", True),
        ("10.1.2.3", "Bearer wrong", True),
        ("203.0.113.9", "", False),
        ("203.0.113.9", "Bearer wrong", False),
        ("203.0.113.9", "Bearer s3cret-token", True),
        (None, "", False),
    ],
)
def test_access_by_address_list_or_token(
    address: str | None, authorization: str, expected: bool
) -> None:
    config = load_config(
        overrides={
            "metrics": {"allowed_addresses": "127.0.0.1, 10.0.0.0/8", "token": "s3cret-token"}
        },
        environ={},
    )
    assert allowed(address, authorization, config) is expected


def test_every_response_carries_a_request_id(client: FlaskClient) -> None:
    outside = request_id.get()
    generated = client.get("/healthz").headers["X-Request-Id"]
    assert len(generated) == 32
    given = client.get("/healthz", headers={"X-Request-Id": "nginx-req-0001"})
    assert given.headers["X-Request-Id"] == "nginx-req-0001"
    # Something that is not an id is replaced, not echoed into logs.
    odd = client.get("/healthz", headers={"X-Request-Id": "bad id; with spaces"})
    assert odd.headers["X-Request-Id"] != "bad id; with spaces"
    # The request's id does not leak into the code that made the request.
    assert request_id.get() == outside


def test_json_log_lines_carry_the_request_id(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        configure_logging(
            load_config(overrides={"app": {"log_format": "json"}}, environ={}), force=True
        )
        token = request_id.set("req-42")
        logging.getLogger("huaicai.test").warning("delivered %s", "o-1")
        request_id.reset(token)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["message"] == "delivered o-1"
    assert line["request_id"] == "req-42"
    assert line["level"] == "WARNING"
