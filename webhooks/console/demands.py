"""Technical needs: the review queue (reject with a reason, confirmed, reversible), the
shortlist matching proposes with its reasons, whom to ask, introductions and outcomes."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from bot.models import Demand, DemandStatus, Match, OutcomeKind
from bot.services import enterprises, funnel, introductions, needs, stats
from bot.validators import ValidationError
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

STATUS_LABELS = {
    **stats.DEMAND_STATUS_LABELS,
    DemandStatus.NEEDS_INFO: "待企业补充",
    DemandStatus.WITHDRAWN: "企业已撤回",
}
MATCH_LABELS = {
    "proposed": "待征询",
    "skipped": "不征询",
    "asked": "已征询，待回复",
    "accepted": "已同意",
    "declined": "未同意",
    "introduced": "已引荐",
    "withdrawn": "已撤回同意",
    "cancelled": "已取消",
}


OUTCOME_LABELS = {
    OutcomeKind.CONTACTED: "已联系",
    OutcomeKind.AGREEMENT: "签订合作协议",
    OutcomeKind.LANDED: "项目落地",
}


class OutcomeForm(FlaskForm):
    kind = SelectField(
        "结果", choices=choices([(k.value, label) for k, label in OUTCOME_LABELS.items()])
    )
    match_id = SelectField("对接的人（可不选）", choices=[], validate_choice=False)
    amount_wan = DecimalField(
        "金额（万元，可不填）",
        places=2,
        validators=[Optional(), NumberRange(min=0, message="金额不能是负数。")],
    )
    occurred_on = DateField("日期", validators=[Optional()])
    note = StringField("备注", validators=[Length(max=500, message="备注最多500字。")])
    submit = SubmitField("记录结果")


class ReviewForm(FlaskForm):
    decision = SelectField(
        "审核结果",
        choices=choices(
            [
                (needs.ReviewDecision.APPROVE.value, "通过"),
                (needs.ReviewDecision.ASK_MORE.value, "请企业补充"),
                (needs.ReviewDecision.REJECT.value, "不通过"),
            ]
        ),
    )
    note = TextAreaField(
        "审核意见（企业会看到；退回或请补充时必填）",
        validators=[Length(max=500, message="审核意见请控制在500字以内。")],
    )
    confirm = BooleanField("我确认不通过这条需求（之后仍可撤销）")
    submit = SubmitField("提交审核")


def _demand_or_404(demand_id: int) -> Demand:
    demand = enterprises.get_demand(db_session(), demand_id)
    if demand is None:
        abort(404)
    return demand


@blueprint.get("/demands")
@allow(*STAFF)
def demand_list() -> ResponseReturnValue:
    """List technical needs, those waiting for review first."""
    raw = request.args.get("status", DemandStatus.PENDING_REVIEW.value)
    status = DemandStatus(raw) if raw in set(DemandStatus) else None
    rows = enterprises.list_demands(db_session(), status=status, limit=100)
    return render_template("console/demands.html", rows=rows, status=status, labels=STATUS_LABELS)


@blueprint.get("/demands/<int:demand_id>")
@allow(*STAFF)
def demand_detail(demand_id: int) -> ResponseReturnValue:
    """Show the whole need, its review, its shortlist and what came of it."""
    demand = _demand_or_404(demand_id)
    session = db_session()
    entries = introductions.shortlist(session, demand)
    return render_template(
        "console/demand.html",
        outcomes=funnel.outcomes_of(session, demand),
        outcome_form=OutcomeForm(),
        outcome_labels=OUTCOME_LABELS,
        demand=demand,
        labels=STATUS_LABELS,
        match_labels=MATCH_LABELS,
        form=ReviewForm(),
        confirm_form=ConfirmForm(),
        entries=entries,
    )


@blueprint.post("/demands/<int:demand_id>/review")
@allow(*STAFF)
def review_demand(demand_id: int) -> ResponseReturnValue:
    """Approve a need, ask the enterprise for more, or reject it (reason and confirmation)."""
    demand = _demand_or_404(demand_id)
    form = ReviewForm()
    back = url_for("console.demand_detail", demand_id=demand.id)
    if not form.validate_on_submit():
        for problem in form_problems(form):
            flash(problem, "error")
        return redirect(back)
    decision = needs.ReviewDecision(form.decision.data)
    if decision is needs.ReviewDecision.REJECT and not form.confirm.data:
        flash("不通过需要再确认一次：请勾选“我确认不通过这条需求”。", "error")
        return redirect(back)
    try:
        needs.review_need(
            db_session(),
            demand,
            decision=decision,
            reviewer=operator().actor,
            note=form.note.data or "",
        )
    except ValidationError as exc:
        flash(exc.message_zh, "error")
        return redirect(back)
    done = {"approve": "已通过", "ask_more": "已请企业补充", "reject": "已退回（可撤销）"}
    flash(f"“{demand.title}”{done[decision.value]}。", "ok")
    return redirect(back)


@blueprint.post("/demands/<int:demand_id>/reopen")
@allow(*STAFF)
def reopen_demand(demand_id: int) -> ResponseReturnValue:
    """Undo a rejection: the need waits for review again."""
    demand = _demand_or_404(demand_id)
    if ConfirmForm().validate_on_submit():
        try:
            needs.reopen_need(db_session(), demand, actor=operator().actor)
            flash("已撤销退回，需求重新进入待审核。", "ok")
        except ValidationError as exc:
            flash(exc.message_zh, "error")
    else:
        flash("页面停留太久，请刷新后再试。", "error")
    return redirect(url_for("console.demand_detail", demand_id=demand.id))


@blueprint.post("/demands/<int:demand_id>/shortlist")
@allow(*STAFF)
def propose_shortlist(demand_id: int) -> ResponseReturnValue:
    """Let matching propose people for an approved need."""
    demand = _demand_or_404(demand_id)
    session = db_session()
    if ConfirmForm().validate_on_submit():
        try:
            found = introductions.propose_shortlist(
                session,
                runtime().talent_index,
                demand,
                actor=operator().actor,
            )
            flash(f"匹配到 {len(found)} 位人选。", "ok")
        except ValidationError as exc:
            flash(exc.message_zh, "error")
    return redirect(url_for("console.demand_detail", demand_id=demand.id))


@blueprint.post("/demands/<int:demand_id>/ask")
@allow(*STAFF)
def ask_talents(demand_id: int) -> ResponseReturnValue:
    """Ask the chosen people whether they agree to be introduced (or skip them)."""
    demand = _demand_or_404(demand_id)
    session = db_session()
    if not ConfirmForm().validate_on_submit():
        flash("页面停留太久，请刷新后再试。", "error")
        return redirect(url_for("console.demand_detail", demand_id=demand.id))
    chosen = [int(v) for v in request.form.getlist("talent") if v.isdigit()]
    if not chosen:
        flash("请先勾选要征询的人。", "error")
        return redirect(url_for("console.demand_detail", demand_id=demand.id))
    try:
        if request.form.get("action") == "skip":
            count = introductions.skip(session, demand, chosen, actor=operator().actor)
            flash(f"已把 {count} 人移出候选。", "ok")
        else:
            asked = introductions.ask(
                session,
                demand,
                chosen,
                actor=operator().actor,
                answer_days=config().cooperation.answer_days,
            )
            flash(f"已向 {len(asked)} 人发出征询（没有绑定微信或已征询过的人不会重复发送）。", "ok")
    except ValidationError as exc:
        flash(exc.message_zh, "error")
    return redirect(url_for("console.demand_detail", demand_id=demand.id))


@blueprint.post("/demands/<int:demand_id>/outcomes")
@allow(*STAFF)
def record_outcome(demand_id: int) -> ResponseReturnValue:
    """Record what came of a need: contacted, an agreement (with its amount), a landed project."""
    demand = _demand_or_404(demand_id)
    session = db_session()
    form = OutcomeForm()
    back = url_for("console.demand_detail", demand_id=demand.id)
    if not form.validate_on_submit():
        for problem in form_problems(form):
            flash(problem, "error")
        return redirect(back)
    raw = form.match_id.data or ""
    match = session.get(Match, int(raw)) if raw.isdigit() else None
    try:
        funnel.record_outcome(
            session,
            demand,
            OutcomeKind(form.kind.data),
            recorded_by=operator().actor,
            match=match,
            amount_wan=float(form.amount_wan.data) if form.amount_wan.data is not None else None,
            note=form.note.data or "",
            occurred_on=form.occurred_on.data,
        )
    except ValidationError as exc:
        flash(exc.message_zh, "error")
        return redirect(back)
    flash("已记录。", "ok")
    return redirect(back)
