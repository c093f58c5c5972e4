"""Spreadsheets: import talents (map columns, dry run, report, duplicates) and export a list."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import asdict, replace
from pathlib import Path
from urllib.parse import urlencode

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from bot.models import DuplicateStatus, ImportBatch, ImportDuplicate
from bot.services import exports, imports, stats, talent_records
from bot.validators import ValidationError
from webhooks.console.base import (
    ADMIN,
    STAFF,
    ConfirmForm,
    allow,
    blueprint,
    choices,
    form_problems,
    operator,
)
from webhooks.console.talents import selection_from_args
from webhooks.extensions import config, db_session, runtime

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Uploaded files wait here between the dry run and the import, at most this long.
UPLOAD_LIFETIME_SECONDS = 6 * 3600
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
TIE_CHOICES = choices([(tie, stats.TIE_LABELS[tie]) for tie in talent_records.TIES])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UploadForm(FlaskForm):
    file = FileField("名单文件（.xlsx 或 .csv，5 MB 以内）")
    source_label = StringField(
        "名单来源", validators=[Length(max=100, message="名单来源最多100字。")]
    )
    ties = MultiCheckboxField("名单上的人都与焦作有这些关系", choices=TIE_CHOICES)
    submit = SubmitField("上传并检查（不会写入）")


def _upload_dir() -> Path:
    folder = config().instance_path / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old_uploads(folder: Path) -> None:
    cutoff = time.time() - UPLOAD_LIFETIME_SECONDS
    for path in folder.glob("*.upload"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _upload_path(token: str) -> Path:
    if not TOKEN_RE.match(token):
        abort(404)
    path = _upload_dir() / f"{token}.upload"
    if not path.exists():
        abort(404)
    return path


@blueprint.get("/import")
@allow(*STAFF)
def import_form() -> ResponseReturnValue:
    """Show the upload form, recent imports and the rows waiting for a duplicate decision."""
    session = db_session()
    return render_template(
        "console/import.html",
        form=UploadForm(),
        batches=imports.recent_batches(session),
        duplicates=imports.pending_duplicates(session),
        decide_form=ConfirmForm(),
    )


@blueprint.post("/import")
@allow(*STAFF)
def import_upload() -> ResponseReturnValue:
    """Keep the uploaded file for a moment and show the dry run with the guessed columns."""
    form = UploadForm()
    if not form.validate_on_submit():
        for problem in form_problems(form):
            flash(problem, "error")
        return redirect(url_for("console.import_form"))
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        flash("请选择要导入的文件。", "error")
        return redirect(url_for("console.import_form"))
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        flash("文件超过 5 MB，请拆分后再导入。", "error")
        return redirect(url_for("console.import_form"))
    filename = Path(upload.filename).name[:200]
    try:
        table = imports.read_table(data, filename)
    except ValidationError as exc:
        flash(exc.message_zh, "error")
        return redirect(url_for("console.import_form"))
    folder = _upload_dir()
    _forget_old_uploads(folder)
    token = secrets.token_urlsafe(18)
    suffix = Path(filename).suffix.lower()
    (folder / f"{token}.upload").write_bytes(data)
    (folder / f"{token}.upload").chmod(0o600)
    meta = {
        "filename": filename,
        "suffix": suffix,
        "source_label": (form.source_label.data or "").strip(),
        "ties": form.ties.data or [],
    }
    mapping = imports.guess_mapping(table.headers)
    return _preview(token, meta, table, mapping)


def _meta_from_form() -> dict[str, object]:
    return {
        "filename": request.form.get("filename", "upload.csv")[:200],
        "source_label": request.form.get("source_label", "")[:100],
        "ties": [t for t in request.form.getlist("ties") if t in talent_records.TIES],
    }


def _preview(
    token: str,
    meta: dict[str, object],
    table: imports.Table,
    mapping: dict[int, str],
    problem: str = "",
) -> ResponseReturnValue:
    report = None
    if not problem:
        try:
            report = imports.run_import(
                db_session(),
                table,
                mapping,
                filename=str(meta["filename"]),
                actor=operator().actor,
                default_ties=list(meta["ties"]),  # type: ignore[call-overload]
                dry_run=True,
            )
        except ValidationError as exc:
            problem = exc.message_zh
    return render_template(
        "console/import_preview.html",
        token=token,
        meta=meta,
        table=table,
        mapping=mapping,
        fields=imports.FIELD_LABELS,
        report=report,
        problem=problem,
        form=ConfirmForm(),
        sample=table.rows[:3],
    )


@blueprint.post("/import/<token>")
@allow(*STAFF)
def import_run(token: str) -> ResponseReturnValue:
    """Check again with the chosen columns, or import for real."""
    path = _upload_path(token)
    if not ConfirmForm().validate_on_submit():
        flash("页面停留太久，请重新上传文件。", "error")
        return redirect(url_for("console.import_form"))
    meta = _meta_from_form()
    table = imports.read_table(path.read_bytes(), str(meta["filename"]))
    mapping = {}
    for index in range(len(table.headers)):
        field = request.form.get(f"column_{index}", "")
        if field in imports.FIELD_LABELS:
            mapping[index] = field
    if request.form.get("action") != "import":
        return _preview(token, meta, table, mapping)
    try:
        report = imports.run_import(
            db_session(),
            table,
            mapping,
            filename=str(meta["filename"]),
            actor=operator().actor,
            source_label=str(meta["source_label"]),
            default_ties=list(meta["ties"]),  # type: ignore[call-overload]
            dry_run=False,
        )
    except ValidationError as exc:
        return _preview(token, meta, table, mapping, exc.message_zh)
    path.unlink(missing_ok=True)
    flash(
        f"已导入 {len(report.ready)} 人（待本人确认），{report.rejected_rows} 行有问题未导入，"
        f"{len(report.duplicates)} 行疑似重复待处理。",
        "ok",
    )
    return redirect(url_for("console.import_batch", batch_id=report.batch_id))


@blueprint.get("/import/batches/<int:batch_id>")
@allow(*STAFF)
def import_batch(batch_id: int) -> ResponseReturnValue:
    """Show what one import did: every rejected row (row, column, problem) and duplicates."""
    session = db_session()
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        abort(404)
    duplicates = [d for d in imports.pending_duplicates(session, 1000) if d.batch_id == batch.id]
    return render_template(
        "console/import_batch.html",
        batch=batch,
        duplicates=duplicates,
        decide_form=ConfirmForm(),
    )


@blueprint.post("/import/duplicates/<int:duplicate_id>")
@allow(*STAFF)
def import_duplicate(duplicate_id: int) -> ResponseReturnValue:
    """Merge an imported row into the talent it resembles, add it as new, or skip it."""
    session = db_session()
    duplicate = session.get(ImportDuplicate, duplicate_id)
    if duplicate is None:
        abort(404)
    back = request.form.get("back") == "batch"
    target = (
        url_for("console.import_batch", batch_id=duplicate.batch_id)
        if back
        else url_for("console.import_form")
    )
    decisions = {
        "merge": DuplicateStatus.MERGED,
        "add": DuplicateStatus.ADDED,
        "skip": DuplicateStatus.SKIPPED,
    }
    decision = decisions.get(request.form.get("decision", ""))
    if not ConfirmForm().validate_on_submit() or decision is None:
        flash("页面停留太久，请刷新后再试。", "error")
        return redirect(target)
    try:
        imports.decide_duplicate(session, duplicate, decision, actor=operator().actor)
    except ValidationError as exc:
        flash(exc.message_zh, "error")
        return redirect(target)
    done = {
        DuplicateStatus.MERGED: "已合并到已有人员。",
        DuplicateStatus.ADDED: "已作为新人员导入。",
        DuplicateStatus.SKIPPED: "已跳过这一行。",
    }
    flash(done[decision], "ok")
    return redirect(target)


class ExportForm(FlaskForm):
    fmt = SelectField("格式", choices=choices([("xlsx", "Excel（.xlsx）"), ("csv", "CSV")]))
    with_contacts = BooleanField("包含手机和邮箱")
    submit = SubmitField("导出")


@blueprint.route("/export", methods=["GET", "POST"])
@allow(*ADMIN)
def export_form() -> ResponseReturnValue:
    """Export the talents a filter selects (only people who consent; the export is audited)."""
    selection = selection_from_args()
    form = ExportForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            for problem in form_problems(form):
                flash(problem, "error")
            return redirect(url_for("console.export_form") + "?" + urlencode(_filters(selection)))
        exported = exports.export_talents(
            db_session(),
            selection,
            actor=operator().actor,
            fmt=form.fmt.data or "xlsx",
            with_contacts=bool(form.with_contacts.data),
            index=runtime().talent_index,
        )
        response = Response(exported.content, mimetype=exported.mimetype)
        response.headers["Content-Disposition"] = f"attachment; filename={exported.filename}"
        return response
    session = db_session()
    index = runtime().talent_index
    count = len(talent_records.select_all(session, selection, index))
    consenting = len(talent_records.select_all(session, replace(selection, consent="yes"), index))
    return render_template(
        "console/export.html",
        form=form,
        filters=_filters(selection),
        count=count,
        consenting=consenting,
    )


def _filters(selection: talent_records.TalentSelection) -> dict[str, str]:
    return {key: value for key, value in asdict(selection).items() if value}
