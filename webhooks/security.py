"""Security headers on every response and the session cookie's attributes (Flask-Talisman).

The content security policy allows scripts, styles and images from this app only: no inline
script anywhere (charts read their figures from a JSON block), no framing by other sites.
Outside demo mode the session cookie is Secure and SameSite=Lax; HTTPS itself is the reverse
proxy's job, so Talisman does not redirect.
"""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman

from bot.config import Config

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    # Styles may be inline (the H5 pages keep theirs in the page; ECharts sets element styles
    # from script): a style cannot run code. Scripts stay strict.
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

talisman = Talisman()


def init_app(app: Flask, config: Config) -> None:
    """Add the headers to every response and set the session cookie's attributes."""
    secure = not config.app.demo
    talisman.init_app(
        app,
        force_https=False,
        frame_options="DENY",
        strict_transport_security=secure,
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="same-origin",
        session_cookie_secure=secure,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        x_content_type_options=True,
        permissions_policy={"browsing-topics": "()", "camera": "()", "microphone": "()"},
    )
    # Talisman sets this only on the first request; the app's config says it from the start.
    app.config.update(
        SESSION_COOKIE_NAME="huaicai_session",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
