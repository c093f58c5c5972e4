"""Sign in and out: throttled by user name and by address, sessions ended on the server."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from bot.models import Role
from bot.services import users
from webhooks.console.base import (
    SignedIn,
    allow,
    blueprint,
    form_problems,
    home_for,
    operator,
    public,
    safe_next,
)
from webhooks.extensions import config, db_session

limiter = Limiter(key_func=get_remote_address, strategy="moving-window")


def _username_key() -> str:
    return "login-user:" + request.form.get("username", "").strip().lower()[:64]


def _failed(response: Response) -> bool:
    # Only failed attempts count: a person who signs in well is never slowed down.
    return response.status_code == 401


class LoginForm(FlaskForm):
    username = StringField(
        "用户名",
        validators=[DataRequired("请填写用户名。"), Length(max=64, message="用户名太长了。")],
    )
    password = PasswordField(
        "密码", validators=[DataRequired("请填写密码。"), Length(max=128, message="密码太长了。")]
    )
    submit = SubmitField("登录")


class LogoutForm(FlaskForm):
    submit = SubmitField("退出")


def _login_page(form: LoginForm, status: int = 200) -> ResponseReturnValue:
    settings = config()
    return (
        render_template(
            "console/login.html", form=form, demo=settings.app.demo, console=settings.console
        ),
        status,
    )


@blueprint.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: config().console.login_limit_per_address,
    methods=["POST"],
    deduct_when=_failed,
    scope="login-address",
)
@limiter.limit(
    lambda: config().console.login_limit_per_user,
    key_func=_username_key,
    methods=["POST"],
    deduct_when=_failed,
    scope="login-user",
)
def login() -> ResponseReturnValue:
    """Show the login form and sign users in."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_for(operator().role))
    form = LoginForm()
    if request.method == "POST" and not form.validate_on_submit():
        for problem in form_problems(form):
            flash(problem, "error")
        return _login_page(form, 400)
    if request.method == "POST":
        found = users.authenticate(
            db_session(),
            form.username.data or "",
            form.password.data or "",
            demo_mode=config().app.demo,
        )
        if found is None:
            flash("用户名或密码不对。", "error")
            return _login_page(form, 401)
        # A new session id for the signed-in user (no session fixation).
        session.clear()
        session.permanent = True
        signed_in = users.Operator.of(found)
        login_user(SignedIn(signed_in), remember=False)
        return redirect(safe_next(request.args.get("next"), signed_in.role))
    return _login_page(form)


@blueprint.post("/logout")
@allow(*Role)
def logout() -> ResponseReturnValue:
    """Sign out: this session, and any copy of its cookie, stops working."""
    if not LogoutForm().validate_on_submit():
        flash("页面停留太久，请再点一次“退出”。", "error")
        return redirect(home_for(operator().role))
    users.end_sessions(db_session(), operator().id)
    logout_user()
    session.clear()
    flash("已退出。", "ok")
    return redirect(url_for("console.login"))
