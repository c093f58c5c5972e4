"""Liaisons (一对一联络): the talents I look after, who is overdue, and logging a contact."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length

from bot.models import ConsoleUser, ContactChannel, Talent
from bot.services import audit, liaisons, talent_records
from bot.validators import ValidationError
from webhooks.console.base import STAFF, allow, blueprint, choices, form_problems, operator
from webhooks.extensions import config, db_session

CHANNEL_LABELS = {
    ContactChannel.MESSAGE: "消息",
    ContactChannel.CALL: "电话",
    ContactChannel.VISIT: "拜访",
    ContactChannel.NOTE: "备注",
}


class ContactForm(FlaskForm):
    channel = SelectField(
        "方式", choices=choices([(c.value, label) for c, label in CHANNEL_LABELS.items()])
    )
    note = StringField("记录", validators=[Length(max=500, message="记录请控制在500字以内。")])
    submit = SubmitField("记一笔")


@blueprint.get("/liaison")
@allow(*STAFF)
def liaison_home() -> ResponseReturnValue:
    """Show my talents with their last contact, the overdue ones first."""
    session = db_session()
    me = session.get(ConsoleUser, operator().id)
    if me is None:
        abort(403)
    days = config().cooperation.liaison_overdue_days
    late = liaisons.overdue(session, days=days, organiser=me)
    mine = talent_records.looked_after_by(session, me.id)
    shown = [t.id for t in mine]
    if shown:
        audit.record_shown(session, operator().actor, "list", shown, view="console liaison")
    return render_template(
        "console/liaison.html",
        late=late,
        mine=mine,
        days=days,
        form=ContactForm(),
        channels=CHANNEL_LABELS,
        last={t.id: liaisons.contact_log(session, t, limit=1) for t in mine},
    )


@blueprint.post("/liaison/<int:talent_id>/contact")
@allow(*STAFF)
def liaison_contact(talent_id: int) -> ResponseReturnValue:
    """Log a contact with a talent (message, call, visit or note)."""
    session = db_session()
    talent = session.get(Talent, talent_id)
    if talent is None:
        abort(404)
    form = ContactForm()
    back = request.form.get("back") or url_for("console.liaison_home")
    if not back.startswith("/console/"):
        back = url_for("console.liaison_home")
    if not form.validate_on_submit():
        for problem in form_problems(form):
            flash(problem, "error")
        return redirect(back)
    try:
        liaisons.log_contact(
            session,
            talent,
            ContactChannel(form.channel.data),
            note=form.note.data or "",
            organiser=session.get(ConsoleUser, operator().id),
            actor=operator().actor,
        )
    except ValidationError as exc:
        flash(exc.message_zh, "error")
        return redirect(back)
    flash(f"已记录与 {talent.name} 的联系。", "ok")
    return redirect(back)
