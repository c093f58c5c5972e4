"""H5 pages for talents (on the ``h5`` blueprint): register by form instead of chat, see and
edit one's profile, see one's events. Same consent text and the same validation as the chat
(``talents.clean_fields``, the chat's name and city readers); the person is known through
WeChat web OAuth (``snsapi_base``) like the event pages. The blueprint's request is the
transaction (see ``webhooks.h5``): these views never commit."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from bot.db import utcnow
from bot.dialogs import registration_texts
from bot.models import Talent
from bot.services import consents, event_messages, events, talents
from bot.understanding.cities import normalise_city
from bot.understanding.names import NotAName, clean_name
from bot.validators import ValidationError
from bot.vocabulary import COOPERATION_WISHES, EDUCATION_LEVELS, JIAOZUO_COUNTIES
from webhooks.console.base import choices
from webhooks.extensions import config, db_session
from webhooks.h5 import _authorise, _who, blueprint  # the blueprint's own sign-in

FRIEND = "friend"
FIELDS = ("name", "city", "employer", "title", "education", "expertise", "phone", "email")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    name = StringField("姓名", validators=[Length(max=32, message="姓名最多32个字。")])
    county = SelectField(
        "籍贯（焦作的县区）",
        choices=choices(
            [("", "请选择")]
            + [(code, name) for code, name in JIAOZUO_COUNTIES.items()]
            + [(FRIEND, "不是焦作人，以“焦作之友”登记")]
        ),
    )
    origin_text = StringField("籍贯详细（可不填，如 温县赵堡镇）", validators=[Length(max=100)])
    city = StringField("现工作城市", validators=[Length(max=32, message="城市最多32个字。")])
    employer = StringField("工作单位", validators=[Length(max=100)])
    title = StringField("职务/职称", validators=[Length(max=50)])
    education = SelectField(
        "最高学历", choices=choices([("", "请选择")] + [(e, e) for e in EDUCATION_LEVELS])
    )
    expertise = TextAreaField("专业领域（说说您研究或擅长什么）", validators=[Length(max=2000)])
    cooperation_wishes = MultiCheckboxField(
        "合作意向", choices=choices([(w, w) for w in COOPERATION_WISHES])
    )
    phone = TelField("手机（可不填）", validators=[Length(max=32)])
    email = EmailField("邮箱（可不填）", validators=[Length(max=128)])
    submit = SubmitField("保存")


class RegisterForm(ProfileForm):
    consent = BooleanField("我已阅读并同意上面的说明")
    submit = SubmitField("提交登记")


def _values(form: ProfileForm) -> dict[str, Any]:
    """Return the form's fields cleaned as the chat cleans them; raise ValidationError."""
    try:
        name = clean_name(form.name.data or "")
    except NotAName:
        raise ValidationError("name", "请填写您的真实姓名，例如：张伟。", "not a name") from None
    city_text = (form.city.data or "").strip()
    city = city_text
    if city_text:
        found = normalise_city(city_text)
        if found is None or not found.certain:
            hint = f"您是说“{found.value}”吗？" if found is not None else ""
            raise ValidationError(
                "city", f"没找到“{city_text}”这个城市。{hint}请填写城市名，例如：深圳。", "city"
            )
        city = found.value
    county = form.county.data or ""
    if not county:
        raise ValidationError("county", "请选择籍贯所在的县区，或选择“焦作之友”。", "county")
    values: dict[str, Any] = {
        "name": name,
        "city": city,
        "employer": form.employer.data or "",
        "title": form.title.data or "",
        "education": form.education.data or "",
        "expertise": form.expertise.data or "",
        "phone": form.phone.data or "",
        "email": form.email.data or "",
        "cooperation_wishes": list(form.cooperation_wishes.data or []),
        "origin_text": form.origin_text.data or "",
        "is_from_jiaozuo": county != FRIEND,
        "origin_code": None if county == FRIEND else county,
        "origin_name": "" if county == FRIEND else f"焦作市{JIAOZUO_COUNTIES[county]}",
    }
    return talents.clean_fields(values)


def _form_page(
    template: str, form: ProfileForm, status: int = 200, **extra: object
) -> ResponseReturnValue:
    return render_template(template, form=form, **extra), status


@blueprint.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    """Register by form: the consent first (same text and version as the chat), then fields."""
    openid = _who()
    if openid is None:
        return _authorise()
    session = db_session()
    if talents.get_talent_by_openid(session, openid) is not None:
        return redirect(url_for("h5.my_profile"))
    form = RegisterForm()
    # The chat's consent points, without its "reply 同意" line: here a box is ticked instead.
    consent_text = (
        "登记前请先了解：\n"
        + registration_texts.CONSENT_POINTS
        + f"（同意书版本 {registration_texts.CONSENT_VERSION}）"
    )
    if request.method == "POST":
        if not form.validate_on_submit():
            flash("页面停留太久，请刷新后重新填写。")
            return _form_page("h5/register.html", form, 400, consent=consent_text)
        if not form.consent.data:
            flash("请先阅读说明并勾选同意，我们才能保存您的资料。")
            return _form_page("h5/register.html", form, 400, consent=consent_text)
        try:
            values = _values(form)
        except ValidationError as exc:
            flash(exc.message_zh)
            return _form_page("h5/register.html", form, 400, consent=consent_text)
        consents.grant_registration(session, registration_texts.CONSENT_VERSION, openid=openid)
        name = str(values.pop("name"))
        talent = talents.create_talent(
            session, name=name, openid=openid, source="h5", actor="self", **values
        )
        consents.attach_consents(session, openid, talent)
        events.link_walk_ins(session, openid, talent)
        flash(f"{talent.name}，登记成功，欢迎加入焦作籍在外人才库！")
        return redirect(url_for("h5.my_profile"))
    return _form_page("h5/register.html", form, consent=consent_text)


def _current(openid: str) -> Talent | None:
    return talents.get_talent_by_openid(db_session(), openid)


@blueprint.route("/me", methods=["GET", "POST"])
def my_profile() -> ResponseReturnValue:
    """Show and edit one's own profile (a change is the person's own, audited as 'self')."""
    openid = _who()
    if openid is None:
        return _authorise()
    talent = _current(openid)
    if talent is None:
        return redirect(url_for("h5.register"))
    form = ProfileForm(obj=talent)
    if request.method == "GET":
        form.county.data = talent.origin_code or FRIEND
    else:
        if not form.validate_on_submit():
            flash("页面停留太久，请刷新后重新填写。")
            return _form_page("h5/profile.html", form, 400, talent=talent)
        try:
            values = _values(form)
            changed = talents.update_talent(db_session(), talent, actor="self", **values)
        except ValidationError as exc:
            flash(exc.message_zh)
            return _form_page("h5/profile.html", form, 400, talent=talent)
        flash("已保存。" if changed else "没有改动。")
        return redirect(url_for("h5.my_profile"))
    return _form_page("h5/profile.html", form, talent=talent)


@blueprint.get("/my-events")
def my_events() -> ResponseReturnValue:
    """The person's events not yet over, with their status."""
    openid = _who()
    if openid is None:
        return _authorise()
    settings = config()
    zone = ZoneInfo(settings.app.timezone)
    rows = [
        (event, invitation, event_messages.when(event, zone))
        for event, invitation in events.events_of(db_session(), openid, utcnow())
    ]
    return render_template("h5/my_events.html", rows=rows, names=events.STATUS_NAMES)
