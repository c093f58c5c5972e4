"""Events: create and edit, the invitee list (matching's proposal, edited by hand), sending
with a preview per channel, registrations, waitlist and check-ins, the QR poster, attendance."""

from __future__ import annotations

import csv
import io
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import requests
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wechatpy.exceptions import WeChatClientException
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from bot.models import Event, EventStatus, InvitationStatus, Talent
from bot.services import events, invitations, posters
from bot.services.talent_records import TalentSelection, search
from bot.validators import ValidationError
from bot.wechat.client import make_client
from webhooks.console.base import (
    STAFF,
    ConfirmForm,
    allow,
    blueprint,
    choices,
    form_problems,
    operator,
)
from webhooks.extensions import config, db_session, runtime

logger = logging.getLogger(__name__)
STATUS_LABELS = {
    EventStatus.DRAFT: "草稿",
    EventStatus.OPEN: "报名中",
    EventStatus.CLOSED: "已结束",
    EventStatus.CANCELLED: "已取消",
}
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class EventForm(FlaskForm):
    title = StringField(
        "活动名称",
        validators=[DataRequired("请填写活动名称。"), Length(max=100, message="最多100字。")],
    )
    kind = SelectField("活动类型", choices=choices([(k, k) for k in events.KINDS]))
    starts_at = DateTimeLocalField(
        "开始时间", format=LOCAL_FORMAT, validators=[DataRequired("请填写开始时间。")]
    )
    ends_at = DateTimeLocalField("结束时间（可不填）", format=LOCAL_FORMAT, validators=[Optional()])
    rsvp_deadline = DateTimeLocalField(
        "报名截止（可不填，默认开始时）", format=LOCAL_FORMAT, validators=[Optional()]
    )
    location = StringField("地点", validators=[Length(max=128, message="最多128字。")])
    online_url = StringField("线上链接（可不填）", validators=[Length(max=500)])
    capacity = IntegerField(
        "人数上限（可不填）",
        validators=[Optional(), NumberRange(min=1, max=100000, message="请填1以上的数字。")],
    )
    needs_approval = BooleanField("报名需要审核")
    topics = StringField(
        "主题词（用顿号或逗号分开，用于匹配邀请对象）", validators=[Length(max=300)]
    )
    description = TextAreaField("活动介绍", validators=[Length(max=4000, message="最多4000字。")])
    submit = SubmitField("保存")


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(config().app.timezone))


def _local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(config().app.timezone)).replace(tzinfo=None)


def _fields(form: EventForm) -> dict[str, object]:
    topics = (form.topics.data or "").replace("，", "、").replace(",", "、").split("、")
    return {
        "title": form.title.data or "",
        "kind": form.kind.data or "",
        "starts_at": _aware(form.starts_at.data),
        "ends_at": _aware(form.ends_at.data),
        "rsvp_deadline": _aware(form.rsvp_deadline.data),
        "location": form.location.data or "",
        "online_url": (form.online_url.data or "").strip(),
        "capacity": form.capacity.data,
        "needs_approval": bool(form.needs_approval.data),
        "topics": [t.strip() for t in topics if t.strip()],
        "description": form.description.data or "",
    }


def _event_or_404(event_id: int) -> Event:
    event = events.get_event(db_session(), event_id)
    if event is None:
        abort(404)
    return event


@blueprint.get("/events")
@allow(*STAFF)
def event_list() -> ResponseReturnValue:
    """List events, soonest first, with their participants by status."""
    session = db_session()
    rows = [(e, events.status_counts(session, e)) for e in events.list_events(session, 200)]
    return render_template(
        "console/events.html", rows=rows, labels=STATUS_LABELS, S=InvitationStatus
    )


@blueprint.route("/events/new", methods=["GET", "POST"])
@allow(*STAFF)
def event_new() -> ResponseReturnValue:
    """Create an event (a draft until invitations go out)."""
    form = EventForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                event = events.create_event(db_session(), actor=operator().actor, **_fields(form))  # type: ignore[arg-type]
            except ValidationError as exc:
                flash(exc.message_zh, "error")
            else:
                flash("活动已创建。下一步：匹配邀请对象。", "ok")
                return redirect(url_for("console.event_detail", event_id=event.id))
        else:
            for problem in form_problems(form):
                flash(problem, "error")
        return render_template("console/event_form.html", form=form, event=None), 400
    return render_template("console/event_form.html", form=form, event=None)


@blueprint.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@allow(*STAFF)
def event_edit(event_id: int) -> ResponseReturnValue:
    """Change an event's details."""
    event = _event_or_404(event_id)
    form = EventForm(obj=event)
    if request.method == "GET":
        form.starts_at.data = _local(event.starts_at)
        form.ends_at.data = _local(event.ends_at)
        form.rsvp_deadline.data = _local(event.rsvp_deadline)
        form.topics.data = "、".join(event.topics)
        return render_template("console/event_form.html", form=form, event=event)
    if form.validate_on_submit():
        try:
            events.edit_event(db_session(), event, actor=operator().actor, **_fields(form))
        except ValidationError as exc:
            flash(exc.message_zh, "error")
        else:
            flash("已保存。", "ok")
            return redirect(url_for("console.event_detail", event_id=event.id))
    else:
        for problem in form_problems(form):
            flash(problem, "error")
    return render_template("console/event_form.html", form=form, event=event), 400


@blueprint.get("/events/<int:event_id>")
@allow(*STAFF)
def event_detail(event_id: int) -> ResponseReturnValue:
    """Show an event: counts, the draft list, participants, the message preview, actions."""
    session = db_session()
    event = _event_or_404(event_id)
    rows = events.participants(session, event)
    counts = events.status_counts(session, event)
    settings = config()
    found: list[Talent] = []
    query = request.args.get("q", "").strip()[:50]
    if query:
        found = search(session, TalentSelection(text=query, consent="yes"), limit=10).talents
    return render_template(
        "console/event.html",
        event=event,
        rows=rows,
        counts=counts,
        labels=STATUS_LABELS,
        names=events.STATUS_NAMES,
        sources=events.SOURCE_NAMES,
        S=InvitationStatus,
        preview=invitations.preview(settings, event),
        form=ConfirmForm(),
        found=found,
        query=query,
        h5_link=invitations.h5_link(settings, event),
    )


def _checked(event: Event) -> bool:
    if ConfirmForm().validate_on_submit():
        return True
    flash("页面停留太久，请刷新后再试。", "error")
    return False


@blueprint.post("/events/<int:event_id>/propose")
@allow(*STAFF)
def event_propose(event_id: int) -> ResponseReturnValue:
    """Let matching propose invitees from the event's topics; they join the draft list."""
    event = _event_or_404(event_id)
    if _checked(event):
        session = db_session()
        county = request.form.get("county", "").strip()
        filters = invitations.InviteeFilters(
            city=request.form.get("city", "").strip()[:20],
            counties=(county,) if county else (),
        )
        proposals = invitations.propose_invitees(
            session, runtime().talent_index, event, k=50, filters=filters
        )
        added = invitations.save_proposals(session, event, proposals)
        flash(f"匹配到 {len(proposals)} 人，新加入名单 {added} 人。", "ok")
    return redirect(url_for("console.event_detail", event_id=event.id))


@blueprint.post("/events/<int:event_id>/invitees")
@allow(*STAFF)
def event_add_invitee(event_id: int) -> ResponseReturnValue:
    """Add a talent to the draft list by hand."""
    event = _event_or_404(event_id)
    raw = request.form.get("talent_id", "")
    if _checked(event) and raw.isdigit():
        talent = db_session().get(Talent, int(raw))
        if talent is None:
            abort(404)
        invitations.add_invitee(db_session(), event, talent)
        flash(f"已把 {talent.name} 加入邀请名单。", "ok")
    return redirect(url_for("console.event_detail", event_id=event.id))


@blueprint.post("/events/<int:event_id>/invitees/<int:talent_id>/remove")
@allow(*STAFF)
def event_remove_invitee(event_id: int, talent_id: int) -> ResponseReturnValue:
    """Take a talent off the draft list (not once invited)."""
    event = _event_or_404(event_id)
    if _checked(event):
        removed = invitations.remove_invitee(db_session(), event, talent_id)
        flash(
            "已移出名单。" if removed else "已发出邀请的人不能移出名单。",
            "ok" if removed else "error",
        )
    return redirect(url_for("console.event_detail", event_id=event.id))


@blueprint.post("/events/<int:event_id>/send")
@allow(*STAFF)
def event_send(event_id: int) -> ResponseReturnValue:
    """Queue the invitations of everyone on the draft list (sent through the outbox)."""
    event = _event_or_404(event_id)
    if _checked(event):
        summary = invitations.send_invitations(db_session(), config(), event)
        flash(
            f"已发出 {summary.queued} 份邀请（之前已发 {summary.already}；"
            f"未绑定微信 {len(summary.no_openid)} 人，已撤回同意 {len(summary.no_consent)} 人）。",
            "ok",
        )
    return redirect(url_for("console.event_detail", event_id=event.id))


@blueprint.post("/events/<int:event_id>/participants/<int:invitation_id>/approve")
@allow(*STAFF)
def event_approve(event_id: int, invitation_id: int) -> ResponseReturnValue:
    """Approve or refuse a registration waiting for approval."""
    event = _event_or_404(event_id)
    if _checked(event):
        try:
            invitation = events.approve(
                db_session(),
                invitation_id,
                approved=request.form.get("decision") != "refuse",
                actor=operator().actor,
            )
        except (LookupError, events.InvalidTransition):
            flash("这条报名已经处理过了。", "error")
        else:
            if invitation.event_id != event.id:
                abort(404)
            flash(f"已处理：{events.STATUS_NAMES[invitation.status]}。", "ok")
    return redirect(url_for("console.event_detail", event_id=event.id))


@blueprint.get("/events/<int:event_id>/attendance.csv")
@allow(*STAFF)
def event_attendance(event_id: int) -> ResponseReturnValue:
    """Download the participants with status and check-in time (audited)."""
    event = _event_or_404(event_id)
    rows = events.attendance_rows(
        db_session(), event, zone=ZoneInfo(config().app.timezone), actor=operator().actor
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(events.ATTENDANCE_COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    response = Response(buffer.getvalue().encode("utf-8-sig"), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=event-{event.id}-attendance.csv"
    )
    return response


def _qr_content(event: Event) -> str:
    client = make_client(config(), runtime().database)
    try:
        return posters.qr_content(event, client)
    except (RuntimeError, requests.RequestException, WeChatClientException) as exc:
        logger.warning("event %s: no QR code from WeChat: %s", event.id, exc)
        abort(502)
    finally:
        client.close()


@blueprint.get("/events/<int:event_id>/poster")
@allow(*STAFF)
def event_poster(event_id: int) -> ResponseReturnValue:
    """Show the printable check-in poster: the event and its WeChat QR code."""
    event = _event_or_404(event_id)
    svg = posters.qr_image(_qr_content(event), "svg").decode()
    return render_template("console/poster.html", event=event, svg=svg)


@blueprint.get("/events/<int:event_id>/poster.<any(png, pdf):kind>")
@allow(*STAFF)
def event_poster_file(event_id: int, kind: str) -> ResponseReturnValue:
    """Download the check-in QR code as PNG (print size) or PDF."""
    event = _event_or_404(event_id)
    data = posters.qr_image(_qr_content(event), kind)
    response = Response(data, mimetype="image/png" if kind == "png" else "application/pdf")
    response.headers["Content-Disposition"] = f"attachment; filename=event-{event.id}-qr.{kind}"
    return response
