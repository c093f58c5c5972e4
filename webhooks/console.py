"""The organisers' web console: login, dashboard, talents and technical-need review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from bot.config import Config
from bot.db import utcnow
from bot.models import ConsoleUser, DemandStatus, Role
from bot.services import audit, enterprises, stats, talents, users
from bot.validators import ValidationError
from bot.vocabulary import JIAOZUO_COUNTIES, county_name
from webhooks.extensions import config, db_session

blueprint = Blueprint("console", __name__, url_prefix="/console")
login_manager = LoginManager()
PAGE_SIZE = 30


@dataclass
class Operator(UserMixin):
    """The logged-in console user, detached from any database session."""

    id: int
    username: str
    role: str

    @property
    def actor(self) -> str:
        """Return how this user appears in the audit log."""
        return f"console:{self.username}"

    @classmethod
    def of(cls, user: ConsoleUser) -> Operator:
        return cls(id=user.id, username=user.username, role=str(user.role))


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(), Length(max=128)])
    submit = SubmitField("登录")


class LogoutForm(FlaskForm):
    submit = SubmitField("退出")


class ReviewForm(FlaskForm):
    note = StringField("审核意见", validators=[Length(max=500)])
    approve = SubmitField("通过")
    reject = SubmitField("不通过")


def init_app(app: Flask, settings: Config) -> None:
    """Register login handling and the console blueprint."""
    login_manager.init_app(app)
    login_manager.login_view = "console.login"
    login_manager.login_message = "请先登录。"
    app.permanent_session_lifetime = timedelta(hours=settings.console.session_hours)
    # Every console page carries the logout form in its header.
    app.jinja_env.globals["logout_form"] = LogoutForm
    app.register_blueprint(blueprint)


@login_manager.user_loader
def load_operator(user_id: str) -> Operator | None:
    """Return the operator for a session's user id, if still active."""
    if not user_id.isdigit():
        return None
    user = db_session().get(ConsoleUser, int(user_id))
    if user is None or not user.is_active or user.role == Role.ENTERPRISE:
        return None
    return Operator.of(user)


def _operator() -> Operator:
    return current_user


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: never redirect a login to another host.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("console.dashboard")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form and sign operators in."""
    form = LoginForm()
    if form.validate_on_submit():
        session = db_session()
        user = users.authenticate(session, form.username.data or "", form.password.data or "")
        if user is None or user.role == Role.ENTERPRISE:
            session.rollback()
            flash("用户名或密码不对。", "error")
            return render_template("console/login.html", form=form), 401
        session.commit()
        login_user(Operator.of(user), remember=False)
        return redirect(_safe_next(request.args.get("next")))
    demo = config().app.demo
    return render_template("console/login.html", form=form, demo=demo, console=config().console)


@blueprint.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    """Sign the operator out (a POST with a valid CSRF token, so no page can do it for them)."""
    if LogoutForm().validate_on_submit():
        logout_user()
        return redirect(url_for("console.login"))
    flash("The form expired; please try again.", "error")
    return redirect(url_for("console.dashboard"))


@blueprint.get("/")
@login_required
def dashboard() -> ResponseReturnValue:
    """Show progress against the policy targets."""
    figures = stats.dashboard(db_session(), config().targets, utcnow())
    return render_template(
        "console/dashboard.html", figures=figures, labels=stats.DEMAND_STATUS_LABELS
    )


@blueprint.get("/talents")
@login_required
def talent_list() -> ResponseReturnValue:
    """List talents, filtered by county and free text."""
    county = request.args.get("county", "")
    text = request.args.get("q", "").strip()[:50]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    if county and county not in JIAOZUO_COUNTIES:
        flash("Unknown county code; showing all counties.", "error")
        county = ""
    filters = talents.TalentFilter(county=county or None, text=text or None)
    session = db_session()
    rows = talents.find_talents(session, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    total = talents.count_talents(session, filters)
    return render_template(
        "console/talents.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        county=county,
        q=text,
        counties=JIAOZUO_COUNTIES,
        county_name=county_name,
    )


@blueprint.get("/talents/<int:talent_id>")
@login_required
def talent_detail(talent_id: int) -> ResponseReturnValue:
    """Show one talent's profile; the read is written to the audit log."""
    session = db_session()
    talent = talents.get_talent(session, talent_id)
    if talent is None:
        abort(404)
    audit.record(session, _operator().actor, "read", "talent", talent.id)
    session.commit()
    return render_template("console/talent.html", talent=talent, county_name=county_name)


@blueprint.get("/demands")
@login_required
def demand_list() -> ResponseReturnValue:
    """List technical needs, pending review first."""
    raw_status = request.args.get("status", DemandStatus.PENDING_REVIEW.value)
    status = DemandStatus(raw_status) if raw_status in set(DemandStatus) else None
    rows = enterprises.list_demands(db_session(), status=status, limit=100)
    return render_template(
        "console/demands.html",
        rows=rows,
        status=status,
        labels=stats.DEMAND_STATUS_LABELS,
        form=ReviewForm(),
    )


@blueprint.post("/demands/<int:demand_id>/review")
@login_required
def review_demand(demand_id: int) -> ResponseReturnValue:
    """Approve or reject a need waiting for review."""
    form = ReviewForm()
    session = db_session()
    demand = enterprises.get_demand(session, demand_id)
    if demand is None:
        abort(404)
    if not form.validate_on_submit() or not (form.approve.data or form.reject.data):
        flash("The form expired or was incomplete; please try again.", "error")
        return redirect(url_for("console.demand_list"))
    try:
        enterprises.review_demand(
            session,
            demand,
            approve=bool(form.approve.data),
            reviewer=_operator().actor,
            note=(form.note.data or "").strip(),
        )
    except ValidationError as exc:
        session.rollback()
        flash(exc.message_zh, "error")
        return redirect(url_for("console.demand_list"))
    session.commit()
    flash(f"“{demand.title}”已{'通过' if form.approve.data else '退回'}。", "ok")
    return redirect(url_for("console.demand_list"))


@blueprint.app_template_filter("local")
def local_time(value: Any) -> str:
    """Format an aware datetime in the configured time zone."""
    from zoneinfo import ZoneInfo

    if value is None:
        return ""
    return str(value.astimezone(ZoneInfo(config().app.timezone)).strftime("%Y-%m-%d %H:%M"))
