"""Administration: console users and roles, API clients, the audit log, erasure on request."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length

from bot.models import Enterprise, Role, Talent
from bot.services import audit, audit_search, erasure, users
from bot.services.users import ROLE_LABELS
from bot.validators import ValidationError
from webhooks.console.base import (
    ADMIN,
    PAGE_SIZE,
    allow,
    blueprint,
    choices,
    form_problems,
    operator,
    page_number,
    query_text,
)
from webhooks.extensions import config, db_session

ROLE_CHOICES = choices([(role.value, ROLE_LABELS[role]) for role in Role])


def _enterprise_choices() -> list[SelectChoice]:
    rows = db_session().execute(select(Enterprise.id, Enterprise.name).order_by(Enterprise.name))
    return choices([("", "—")] + [(str(eid), name) for eid, name in rows])


class UserForm(FlaskForm):
    username = StringField(
        "用户名", validators=[DataRequired("请填写用户名。"), Length(max=64, message="最多64字。")]
    )
    display_name = StringField("姓名", validators=[Length(max=64, message="最多64字。")])
    role = SelectField("角色", choices=ROLE_CHOICES, default=Role.ORGANISER.value)
    enterprise_id = SelectField("所属企业（企业用户必选）", choices=[], validate_choice=False)
    password = PasswordField(
        "初始密码（至少8位）",
        validators=[DataRequired("请设置初始密码。"), Length(max=128, message="最多128位。")],
    )
    submit = SubmitField("添加用户")


class UserChangeForm(FlaskForm):
    role = SelectField("角色", choices=ROLE_CHOICES)
    enterprise_id = SelectField("所属企业", choices=[], validate_choice=False)
    is_active = BooleanField("在用")
    password = PasswordField("新密码（不改请留空）", validators=[Length(max=128)])
    submit = SubmitField("保存")


class ApiClientForm(FlaskForm):
    name = StringField(
        "客户端名称",
        validators=[DataRequired("请填写名称。"), Length(max=64, message="最多64字。")],
    )
    role = SelectField("权限", choices=ROLE_CHOICES, default=Role.ORGANISER.value)
    enterprise_id = SelectField("所属企业（企业权限必选）", choices=[], validate_choice=False)
    submit = SubmitField("创建并显示令牌")


def _enterprise_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@blueprint.route("/admin/users", methods=["GET", "POST"])
@allow(*ADMIN)
def user_list() -> ResponseReturnValue:
    """List console users and add one."""
    session = db_session()
    form = UserForm()
    form.enterprise_id.choices = _enterprise_choices()
    client_form = ApiClientForm(prefix="client")
    client_form.enterprise_id.choices = form.enterprise_id.choices
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user = users.create_user(
                    session,
                    username=form.username.data or "",
                    password=form.password.data or "",
                    role=Role(form.role.data),
                    display_name=form.display_name.data or "",
                    enterprise_id=_enterprise_id(form.enterprise_id.data),
                    actor=operator().actor,
                )
                flash(f"已添加用户 {user.username}。", "ok")
                return redirect(url_for("console.user_list"))
            except ValidationError as exc:
                flash(exc.message_zh, "error")
        else:
            for problem in form_problems(form):
                flash(problem, "error")
        status = 400
    return (
        render_template(
            "console/users.html",
            form=form,
            client_form=client_form,
            users=users.list_users(session),
            clients=users.list_api_clients(session),
            labels=ROLE_LABELS,
            change_form=_change_form,
        ),
        status,
    )


def _change_form(user: object) -> UserChangeForm:
    form = UserChangeForm(prefix=f"u{user.id}", obj=user, formdata=None)  # type: ignore[attr-defined]
    form.enterprise_id.choices = _enterprise_choices()
    form.role.data = user.role.value  # type: ignore[attr-defined]
    form.enterprise_id.data = str(user.enterprise_id or "")  # type: ignore[attr-defined]
    return form


@blueprint.post("/admin/users/<int:user_id>")
@allow(*ADMIN)
def user_change(user_id: int) -> ResponseReturnValue:
    """Change a user's role, activity or password (their sessions end)."""
    session = db_session()
    user = users.get_user_by_id(session, user_id)
    if user is None:
        abort(404)
    form = UserChangeForm(prefix=f"u{user.id}")
    form.enterprise_id.choices = _enterprise_choices()
    if not form.validate_on_submit():
        for problem in form_problems(form):
            flash(problem, "error")
        return redirect(url_for("console.user_list"))
    try:
        changed = users.update_user(
            session,
            user,
            actor=operator().actor,
            role=Role(form.role.data),
            is_active=bool(form.is_active.data),
            password=form.password.data or None,
            enterprise_id=_enterprise_id(form.enterprise_id.data),
        )
    except ValidationError as exc:
        flash(exc.message_zh, "error")
        return redirect(url_for("console.user_list"))
    flash(f"{user.username}：{'已保存，原有登录已失效。' if changed else '没有改动。'}", "ok")
    return redirect(url_for("console.user_list"))


@blueprint.post("/admin/api-clients")
@allow(*ADMIN)
def api_client_create() -> ResponseReturnValue:
    """Create an API client and show its token once."""
    session = db_session()
    form = ApiClientForm(prefix="client")
    form.enterprise_id.choices = _enterprise_choices()
    if not form.validate_on_submit():
        for problem in form_problems(form):
            flash(problem, "error")
        return redirect(url_for("console.user_list"))
    try:
        client, token = users.create_api_client(
            session,
            name=form.name.data or "",
            role=Role(form.role.data),
            enterprise_id=_enterprise_id(form.enterprise_id.data),
            actor=operator().actor,
        )
    except ValidationError as exc:
        flash(exc.message_zh, "error")
        return redirect(url_for("console.user_list"))
    return render_template("console/api_token.html", client=client, token=token)


def _day(raw: str) -> datetime | None:
    try:
        day = datetime.strptime(raw, "%Y-%m-%d")  # noqa: DTZ007 - made aware just below
    except ValueError:
        return None
    return day.replace(tzinfo=ZoneInfo(config().app.timezone))


@blueprint.get("/admin/audit")
@allow(*ADMIN)
def audit_log() -> ResponseReturnValue:
    """Search the audit log by who, what, about whom and when."""
    session = db_session()
    subject = request.args.get("subject_id", "").strip()
    since = _day(request.args.get("since", ""))
    until = _day(request.args.get("until", ""))
    wanted = audit_search.AuditQuery(
        actor=query_text("actor"),
        action=query_text("action"),
        subject_type=query_text("subject_type"),
        subject_id=int(subject) if subject.isdigit() and len(subject) < 10 else None,
        since=since,
        until=until + timedelta(days=1) if until else None,
    )
    _, total = audit_search.search(session, wanted, limit=1)
    pages = max(1, -(-total // PAGE_SIZE))
    page = page_number(pages)
    rows, _ = audit_search.search(session, wanted, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "console/audit.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        args=args,
        actions=audit_search.known_actions(session),
    )


class ErasureForm(FlaskForm):
    confirm_name = StringField("请输入此人的姓名以确认", validators=[Length(max=64)])
    reason = StringField(
        "申请依据（如：本人电话申请，工单号）",
        validators=[DataRequired("请写明申请依据。"), Length(min=2, max=200, message="2～200字。")],
    )
    submit = SubmitField("永久删除此人的全部信息")


@blueprint.route("/admin/erasure/<int:talent_id>", methods=["GET", "POST"])
@allow(*ADMIN)
def erasure_form(talent_id: int) -> ResponseReturnValue:
    """Erase a person on their request (PIPL art. 47), after typing their name to confirm."""
    session = db_session()
    talent = session.get(Talent, talent_id)
    if talent is None:
        abort(404)
    form = ErasureForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            for problem in form_problems(form):
                flash(problem, "error")
            return render_template("console/erasure.html", form=form, talent=talent), 400
        if (form.confirm_name.data or "").strip() != talent.name:
            flash("输入的姓名和记录不一致，没有删除。", "error")
            return render_template("console/erasure.html", form=form, talent=talent), 400
        # The reason is the administrator's note about the request; the person's own values
        # are cut out of it, so nothing of them stays after the erasure.
        reason = form.reason.data or ""
        for value in erasure.personal_values(talent, talent.openid):
            reason = reason.replace(value, "…")
        report = erasure.erase_person(session, talent=talent, openid=None, actor=operator().actor)
        audit.record(
            session,
            operator().actor,
            "erasure_request",
            "talent",
            talent_id,
            reason=reason,
            rows=sum(report.counts.values()),
        )
        flash(f"第 {talent_id} 号人员的信息已全部删除。", "ok")
        return redirect(url_for("console.talent_list"))
    return render_template("console/erasure.html", form=form, talent=talent)
