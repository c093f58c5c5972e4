"""Talents: search, the whole profile, edits with a reason, duplicates and merging."""

from __future__ import annotations

from dataclasses import asdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from bot.models import Talent
from bot.services import audit, stats, talent_records
from bot.services.talent_records import CONSENT_STATES, TalentSelection
from bot.validators import ValidationError
from bot.vocabulary import EDUCATION_LEVELS, JIAOZUO_COUNTIES, county_name
from webhooks.console.base import (
    PAGE_SIZE,
    STAFF,
    ConfirmForm,
    allow,
    blueprint,
    choices,
    form_problems,
    operator,
    page_number,
    query_text,
)
from webhooks.console.liaisons import CHANNEL_LABELS, ContactForm
from webhooks.extensions import db_session, runtime

TIE_CHOICES = choices([(tie, stats.TIE_LABELS[tie]) for tie in talent_records.TIES])


def selection_from_args() -> TalentSelection:
    """Return the talent filters of the query string; unknown codes are dropped with a note."""
    county = request.args.get("county", "")
    if county and county not in JIAOZUO_COUNTIES:
        flash("没有这个籍贯县区，已显示全部县区。", "error")
        county = ""
    consent = request.args.get("consent", "")
    source = request.args.get("source", "")
    tie = request.args.get("tie", "")
    return TalentSelection(
        text=query_text("q"),
        keyword=query_text("keyword"),
        industry=query_text("industry"),
        county=county,
        city=query_text("city"),
        consent=consent if consent in CONSENT_STATES else "",
        source=source if source in stats.SOURCE_LABELS else "",
        tie=tie if tie in stats.TIE_LABELS else "",
    )


@blueprint.get("/talents")
@allow(*STAFF)
def talent_list() -> ResponseReturnValue:
    """List talents by free text (names, then matching on expertise) and filters."""
    selection = selection_from_args()
    session = db_session()
    index = runtime().talent_index
    first = talent_records.search(session, selection, index=index, limit=PAGE_SIZE)
    pages = max(1, -(-first.total // PAGE_SIZE))
    page = page_number(pages)
    found = (
        first
        if page == 1
        else talent_records.search(
            session, selection, index=index, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    )
    if found.talents:
        # A list of names and employers is personal data too: one entry names who was shown.
        audit.record_shown(
            session, operator().actor, "list", [t.id for t in found.talents], view="console talents"
        )
    return render_template(
        "console/talents.html",
        found=found,
        page=page,
        pages=pages,
        selection=selection,
        filters={k: v for k, v in asdict(selection).items() if v},
        counties=JIAOZUO_COUNTIES,
        consent_states=CONSENT_STATES,
        sources=stats.SOURCE_LABELS,
        ties=stats.TIE_LABELS,
        county_name=county_name,
    )


def _talent_or_404(talent_id: int) -> Talent:
    talent = db_session().get(Talent, talent_id)
    if talent is None:
        abort(404)
    return talent


@blueprint.get("/talents/<int:talent_id>")
@allow(*STAFF)
def talent_detail(talent_id: int) -> ResponseReturnValue:
    """Show one talent's whole profile; the read is written to the audit log."""
    session = db_session()
    talent = _talent_or_404(talent_id)
    record = talent_records.profile(session, talent)
    audit.record(session, operator().actor, "read", "talent", talent.id)
    return render_template(
        "console/talent.html",
        contact_form=ContactForm(),
        channels=CHANNEL_LABELS,
        record=record,
        talent=talent,
        county_name=county_name,
        consent_states=CONSENT_STATES,
        sources=stats.SOURCE_LABELS,
        ties=stats.TIE_LABELS,
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EditForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("姓名不能为空。"), Length(max=32)])
    city = StringField("工作城市", validators=[Length(max=32, message="最多32字。")])
    employer = StringField("工作单位", validators=[Length(max=100, message="最多100字。")])
    title = StringField("职务/职称", validators=[Length(max=50, message="最多50字。")])
    education = SelectField(
        "最高学历", choices=choices([("", "—")] + [(e, e) for e in EDUCATION_LEVELS])
    )
    expertise = TextAreaField("专业领域", validators=[Length(max=2000, message="最多2000字。")])
    phone = StringField("手机", validators=[Length(max=32, message="最多32字。")])
    email = EmailField("邮箱", validators=[Length(max=128, message="最多128字。")])
    ties = MultiCheckboxField("与焦作的关系", choices=TIE_CHOICES)
    reason = StringField(
        "修改原因",
        validators=[DataRequired("请写明修改原因。"), Length(min=2, max=200, message="2～200字。")],
    )
    submit = SubmitField("保存")


@blueprint.route("/talents/<int:talent_id>/edit", methods=["GET", "POST"])
@allow(*STAFF)
def talent_edit(talent_id: int) -> ResponseReturnValue:
    """Change a talent's fields; every change needs a reason, kept in the audit log."""
    session = db_session()
    talent = _talent_or_404(talent_id)
    form = EditForm(obj=talent)
    if request.method == "POST":
        if form.validate_on_submit():
            changes = {
                name: getattr(form, name).data or "" for name in talent_records.EDITABLE_FIELDS
            }
            changes["ties"] = form.ties.data or []
            try:
                changed = talent_records.edit(
                    session,
                    talent,
                    actor=operator().actor,
                    reason=form.reason.data or "",
                    changes=changes,
                )
            except ValidationError as exc:
                flash(exc.message_zh, "error")
                return render_template("console/talent_edit.html", form=form, talent=talent), 400
            flash("已保存。" if changed else "没有改动。", "ok")
            return redirect(url_for("console.talent_detail", talent_id=talent.id))
        for problem in form_problems(form):
            flash(problem, "error")
        return render_template("console/talent_edit.html", form=form, talent=talent), 400
    audit.record(session, operator().actor, "read", "talent", talent.id)
    return render_template("console/talent_edit.html", form=form, talent=talent)


@blueprint.get("/talents/duplicates")
@allow(*STAFF)
def duplicate_list() -> ResponseReturnValue:
    """Show pairs of records that look like the same person."""
    session = db_session()
    pairs = talent_records.likely_duplicates(session)
    if pairs:
        ids = sorted({t.id for pair in pairs for t in (pair.keep, pair.other)})
        audit.record_shown(session, operator().actor, "list", ids, view="console duplicates")
    return render_template("console/duplicates.html", pairs=pairs, form=ConfirmForm())


@blueprint.post("/talents/<int:talent_id>/merge/<int:other_id>")
@allow(*STAFF)
def talent_merge(talent_id: int, other_id: int) -> ResponseReturnValue:
    """Merge record ``other_id`` into ``talent_id`` (after the person confirmed on the page)."""
    session = db_session()
    keep, other = _talent_or_404(talent_id), _talent_or_404(other_id)
    if not ConfirmForm().validate_on_submit():
        flash("页面停留太久，请刷新后再合并。", "error")
        return redirect(url_for("console.duplicate_list"))
    try:
        talent_records.merge(session, keep, other, actor=operator().actor)
    except ValidationError as exc:
        flash(exc.message_zh, "error")
        return redirect(url_for("console.duplicate_list"))
    flash(f"已把第 {other_id} 号记录合并到“{keep.name}”。", "ok")
    return redirect(url_for("console.talent_detail", talent_id=keep.id))
