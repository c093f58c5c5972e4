"""Mobile pages opened from WeChat (H5): the event RSVP page, with WeChat web OAuth.

A page learns who is looking through WeChat's web OAuth with ``snsapi_base`` (no consent
screen): the first visit is sent to the authorisation page, which comes back to
``/h5/oauth`` with a code; the code is exchanged for the openid, kept in the signed session.
Forms carry a CSRF token (Flask-WTF). Each request is one transaction, as in the console: views
call services and never commit; the request commits on success or a redirect and rolls back on an
error status or an exception (``extensions.one_transaction_per_request``).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import requests
from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import SubmitField

from bot.config import Config
from bot.db import utcnow
from bot.services import event_messages, events
from webhooks.extensions import config, db_session, one_transaction_per_request

logger = logging.getLogger(__name__)

blueprint = Blueprint("h5", __name__, url_prefix="/h5")
OPENID_KEY = "h5_openid"
OAUTH_KEY = "h5_oauth"
OAUTH_TIMEOUT_SECONDS = 5.0

one_transaction_per_request(blueprint)


class RsvpForm(FlaskForm):
    register = SubmitField("我要报名")
    decline = SubmitField("不参加")
    cancel = SubmitField("取消报名")


def init_app(app: Flask, settings: Config) -> None:
    """Register the H5 blueprint."""
    app.register_blueprint(blueprint)


def oauth_url(settings: Config, redirect_uri: str, state: str) -> str:
    """Return WeChat's web authorisation address for ``snsapi_base``."""
    query = urlencode(
        {
            "appid": settings.wechat.appid,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
        }
    )
    return f"{settings.events.oauth_authorize_url}?{query}#wechat_redirect"


def exchange_code(settings: Config, code: str) -> str | None:
    """Return the openid WeChat gives for an OAuth ``code`` (None when refused or unreachable)."""
    base = settings.wechat.api_base_url.rstrip("/").removesuffix("cgi-bin").rstrip("/")
    try:
        response = requests.get(
            f"{base}/sns/oauth2/access_token",
            params={
                "appid": settings.wechat.appid,
                "secret": settings.wechat.secret,
                "code": code,
                "grant_type": "authorization_code",
            },
            timeout=OAUTH_TIMEOUT_SECONDS,
        )
        result: dict[str, Any] = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("h5: OAuth code exchange failed: %s", exc)
        return None
    openid = result.get("openid")
    if not isinstance(openid, str) or not openid:
        logger.info("h5: OAuth code refused: %s %s", result.get("errcode"), result.get("errmsg"))
        return None
    return openid


def _local_path(target: str | None) -> str:
    # Only paths of this site: an OAuth round trip must not become an open redirect.
    if not target or urlsplit(target).netloc or not target.startswith("/h5/"):
        return url_for("h5.upcoming")
    return target


def _who() -> str | None:
    openid = session.get(OPENID_KEY)
    return openid if isinstance(openid, str) and openid else None


def _authorise() -> ResponseReturnValue:
    state = secrets.token_urlsafe(16)
    session[OAUTH_KEY] = {"state": state, "next": request.full_path.rstrip("?")}
    return redirect(oauth_url(config(), url_for("h5.oauth_return", _external=True), state))


@blueprint.get("/oauth")
def oauth_return() -> ResponseReturnValue:
    """Finish WeChat's web OAuth: check the state, learn the openid, go back to the page."""
    pending = session.pop(OAUTH_KEY, None)
    code, state = request.args.get("code", ""), request.args.get("state", "")
    if not isinstance(pending, dict) or not code or state != pending.get("state"):
        return render_template(
            "h5/message.html", text="链接已过期，请从公众号消息里重新打开。"
        ), 400
    openid = exchange_code(config(), code)
    if openid is None:
        return render_template("h5/message.html", text="微信授权没有成功，请稍后再试。"), 502
    session[OPENID_KEY] = openid
    return redirect(_local_path(pending.get("next")))


@blueprint.route("/events/<int:event_id>", methods=["GET", "POST"])
def event_page(event_id: int) -> ResponseReturnValue:
    """Show an event and the person's status; register, decline or cancel."""
    openid = _who()
    if openid is None:
        if request.method == "POST":
            abort(403)
        return _authorise()
    settings = config()
    form = RsvpForm()
    database = db_session()
    if form.validate_on_submit():
        now = utcnow()
        if form.register.data:
            result = events.register(database, event_id, openid=openid, now=now)
        else:
            result = events.decline(
                database, event_id, openid=openid, now=now, offer_hours=settings.events.offer_hours
            )
        if result.event is None:
            abort(404)
        flash(OUTCOMES.get(result.outcome, OUTCOMES["unchanged"]))
        return redirect(url_for("h5.event_page", event_id=event_id))
    if request.method == "POST":
        abort(400)
    event = events.get_event(database, event_id)
    if event is None or event.status.value == "draft":
        abort(404)
    mine = events.participation_of(database, event_id, openid)
    status = str(mine.status) if mine is not None else ""
    zone = ZoneInfo(settings.app.timezone)
    return render_template(
        "h5/event.html",
        event=event,
        when=event_messages.when(event, zone),
        where=event_messages.where(event),
        deadline=events.deadline(event).astimezone(zone).strftime("%m月%d日 %H:%M"),
        status=status,
        status_name=STATUS_NAMES.get(status, "未报名"),
        can_register=status in {"", "proposed", "invited", "declined", "cancelled", "offered"},
        can_cancel=status in {"registered", "waitlisted", "awaiting_approval", "offered"},
        can_decline=status in {"invited", "proposed"},
        open=events.deadline(event) > utcnow() and event.status.value == "open",
        form=form,
    )


@blueprint.get("/events")
def upcoming() -> ResponseReturnValue:
    """List the events open for registration."""
    settings = config()
    zone = ZoneInfo(settings.app.timezone)
    items = [
        (event, event_messages.when(event, zone))
        for event in events.upcoming_open_events(db_session(), utcnow())
    ]
    return render_template("h5/events.html", items=items)


STATUS_NAMES = {
    "proposed": "未报名",
    "invited": "待您回复",
    "registered": "已报名",
    "declined": "不参加",
    "awaiting_approval": "已报名，待审核",
    "waitlisted": "候补中",
    "offered": "候补转正，请确认",
    "cancelled": "已取消",
    "attended": "已签到",
    "no_show": "未到场",
}
OUTCOMES = {
    "registered": "报名成功！到场后扫活动二维码签到。",
    "awaiting_approval": "已收到报名，主办方审核后通知您。",
    "waitlisted": "名额已满，已为您排上候补。",
    "declined": "已记下您不参加，谢谢告知。",
    "cancelled": "已取消报名，名额会让给候补的朋友。",
    "closed": "报名已截止。",
    "not_invited": "您还没有报名这个活动。",
    "unchanged": "您的报名状态没有变化。",
}
