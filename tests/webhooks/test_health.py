from __future__ import annotations

from flask.testing import FlaskClient

from bot import __version__
from webhooks import create_app


def test_healthz_reports_version_and_database(client: FlaskClient, database_url: str) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == __version__
    assert body["database"]["ok"] is True
    assert body["database"]["backend"] == database_url.split(":")[0].split("+")[0]
    assert body["database"]["schema_current"] is True


def test_healthz_says_degraded_when_the_database_is_unreachable() -> None:
    app = create_app(
        {
            "database": {"url": "postgresql+psycopg://nobody@127.0.0.1:1/none"},
            "app": {"log_level": "ERROR"},
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"]["ok"] is False


def test_create_app_does_not_touch_the_database() -> None:
    # The factory only wires: an unreachable database must not stop it.
    app = create_app({"database": {"url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}})
    assert "huaicai" in app.extensions
