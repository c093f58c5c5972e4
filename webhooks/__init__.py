"""Everything that speaks HTTP: the app factory, the WeChat callback, the API and the console."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from bot.config import Config, load_config
from bot.logs import configure_logging
from webhooks import (
    api,
    callback,
    console,
    extensions,
    h5,
    h5_talents,  # noqa: F401 - adds the talents' own pages to the h5 blueprint
    health,
    metrics,
    pages,
    security,
    simulator,
)

__all__ = ["create_app"]


def create_app(overrides: Mapping[str, Any] | None = None, config: Config | None = None) -> Flask:
    """Build the Flask application; ``overrides`` is nested like config.toml."""
    config = config or load_config(overrides=overrides)
    app = Flask(__name__, instance_path=str(config.instance_path))
    app.config.update(
        SECRET_KEY=config.app.secret_key,
        # Flask answers 413 itself past this; the WeChat view applies its own tighter cap.
        MAX_CONTENT_LENGTH=max(config.wechat.max_body_bytes, 10 * 1024 * 1024),
        JSON_AS_ASCII=False,
    )
    configure_logging(config)
    extensions.init_app(app, config)
    metrics.init_app(app, config)
    security.init_app(app, config)
    pages.init_app(app)
    api.init_app(app)
    app.register_blueprint(health.blueprint)
    console.init_app(app, config)
    h5.init_app(app, config)
    callback.init_app(app, config)
    simulator.init_app(app, config)
    return app
