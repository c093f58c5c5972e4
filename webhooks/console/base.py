"""What every console page shares: the blueprint, who is signed in, roles, the transaction.

Every view declares who may open it with ``@allow(...)`` (or ``@public``); a view without a
declaration answers 403 to everyone, so a forgotten decorator fails closed. Each request is one
transaction: committed when the response is a success or a redirect, rolled back on an error
status or an exception (as pypi/warehouse's transaction manager does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SubmitField

from bot.models import Role
from bot.services import users
from webhooks.extensions import config, db_session, one_transaction_per_request

blueprint = Blueprint("console", __name__, url_prefix="/console")
login_manager = LoginManager()
PAGE_SIZE = 30
# Free-text filters longer than this are cut (a 1,000-character query is never useful).
MAX_QUERY_LENGTH = 50
STAFF = (Role.ADMIN, Role.ORGANISER)
ADMIN = (Role.ADMIN,)
ENTERPRISE = (Role.ENTERPRISE,)

View = TypeVar("View", bound=Callable[..., Any])


class SignedIn(UserMixin):
    """Flask-Login's user: the operator plus the session version that the cookie carries."""

    def __init__(self, operator: users.Operator) -> None:
        self.operator = operator

    def get_id(self) -> str:
        return f"{self.operator.id}:{self.operator.session_version}"


def allow(*roles: Role) -> Callable[[View], View]:
    """Let signed-in users with one of ``roles`` open the decorated view."""

    def decorate(view: View) -> View:
        view.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return decorate


def public(view: View) -> View:
    """Let anyone open the decorated view (the login page)."""
    view.allowed_roles = None  # type: ignore[attr-defined]
    return view


def operator() -> users.Operator:
    """Return the signed-in operator (only inside views that need a login)."""
    return cast(SignedIn, current_user).operator


@login_manager.user_loader
def _load_user(cookie_id: str) -> SignedIn | None:
    user_id, _, version = cookie_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    found = users.load_operator(db_session(), int(user_id), int(version))
    return SignedIn(found) if found else None


@blueprint.before_request
def _check_access() -> ResponseReturnValue | None:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return None
    if not hasattr(view, "allowed_roles"):
        abort(403)
    roles = getattr(view, "allowed_roles")  # noqa: B009 - set by @allow, unknown to mypy
    if roles is None:
        return None
    if not current_user.is_authenticated:
        return cast(ResponseReturnValue, login_manager.unauthorized())
    if operator().role not in roles:
        abort(403)
    return None


one_transaction_per_request(blueprint)


def home_for(role: Role) -> str:
    """Return the page a user of ``role`` starts on."""
    return url_for("console.enterprise_home" if role == Role.ENTERPRISE else "console.dashboard")


def safe_next(target: str | None, role: Role) -> str:
    """Return ``target`` if it is a same-site path, else the role's home page."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not urlsplit(target).netloc
    ):
        return target
    return home_for(role)


def query_text(name: str = "q") -> str:
    """Return a free-text query parameter, trimmed to ``MAX_QUERY_LENGTH`` characters."""
    return request.args.get(name, "").strip()[:MAX_QUERY_LENGTH]


def page_number(pages: int) -> int:
    """Return the requested page, clamped to 1..pages."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(1, page), max(1, pages))


def form_problems(form: FlaskForm) -> list[str]:
    """Return a form's errors as sentences for a person (the CSRF one in plain Chinese)."""
    problems: list[str] = []
    for field, messages in form.errors.items():
        if field == "csrf_token":
            problems.append("页面停留太久或已在别处打开，请刷新后再提交一次。")
            continue
        label = getattr(getattr(form, field, None), "label", None)
        prefix = f"{label.text}：" if label is not None else ""
        problems.extend(f"{prefix}{_in_chinese(message)}" for message in messages)
    return problems


# WTForms' own messages for the validators that carry no message of ours.
_WTFORMS_MESSAGES = {
    "Not a valid choice.": "请从列表里选择。",
    "Not a valid choice": "请从列表里选择。",
    "This field is required.": "请填写这一项。",
    "Invalid email address.": "邮箱格式不对。",
    "Not a valid integer value.": "请填写数字。",
}


def _in_chinese(message: str) -> str:
    if message.startswith("'") and "is not a valid choice" in message:
        return "请从列表里选择。"
    return _WTFORMS_MESSAGES.get(message, message)


class ConfirmForm(FlaskForm):
    """A form with only a CSRF token and a button (logout, merge, erase ...)."""

    submit = SubmitField("确认")


def choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """Return (value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def local_time(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format an aware datetime in the configured time zone."""
    if value is None:
        return ""
    return str(value.astimezone(ZoneInfo(config().app.timezone)).strftime(fmt))


def redirect_back(endpoint: str, **values: Any) -> ResponseReturnValue:
    """Redirect to ``endpoint`` (after a POST)."""
    return redirect(url_for(endpoint, **values))
