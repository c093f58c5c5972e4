"""The web console of organisers, administrators and enterprises, one module per area.

``base`` holds the blueprint, roles and the per-request transaction; ``auth`` signs in and out;
``dashboard``, ``talents``, ``demands``, ``spreadsheets``, ``admin`` and ``enterprise`` hold the
pages. Every page is in Simplified Chinese and works on a 390 px wide phone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from flask_login import current_user

from bot.config import Config
from webhooks.console import (  # noqa: F401 - importing a module registers its views
    admin,
    auth,
    dashboard,
    demands,
    enterprise,
    events,
    liaisons,
    spreadsheets,
    talents,
)
from webhooks.console.base import blueprint, local_time, login_manager, operator

__all__ = ["init_app"]


def init_app(app: Flask, settings: Config) -> None:
    """Register login handling, login throttling and the console blueprint."""
    login_manager.init_app(app)
    login_manager.login_view = "console.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "error"
    # Flask-Login's own "remember me" cookie would outlive logout: it is never set.
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(seconds=0)
    app.permanent_session_lifetime = timedelta(hours=settings.console.session_hours)
    app.config["RATELIMIT_STORAGE_URI"] = settings.console.rate_limit_storage_url or "memory://"
    app.config["RATELIMIT_HEADERS_ENABLED"] = False
    auth.limiter.init_app(app)
    app.jinja_env.globals["logout_form"] = auth.LogoutForm
    app.jinja_env.filters["local"] = local_time
    app.context_processor(_template_context)
    app.register_blueprint(blueprint)


def _template_context() -> dict[str, Any]:
    signed_in = current_user.is_authenticated and hasattr(current_user, "operator")
    return {
        "me": operator() if signed_in else None,
        "endpoints": current_app.view_functions.keys(),
    }
