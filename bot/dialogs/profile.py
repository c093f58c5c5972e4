"""Profile self-service: view, change any field, privacy and consents, export, erase."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.dialogs import common_texts as common
from bot.dialogs import profile_texts as texts
from bot.dialogs import registration_texts
from bot.dialogs.registration import (
    FIELD_GROUPS,
    FIELD_STEPS,
    QUESTION_STEPS,
    QUESTIONS,
    RegistrationData,
    field_named,
    numbered,
    profile_items,
    profile_lines,
    read_contact,
    talent_values,
)
from bot.dialogs.steps import Advance, Finish, Outcome, Reject, Step, StepFlow, fixed, word_of
from bot.dispatch import Context, Registry
from bot.models import Consent, ConsentPurpose, Talent
from bot.services import audit, consents, erasure, introductions, talents
from bot.understanding import Context as Where
from bot.understanding import Intent, recognise_intent
from bot.validators import ValidationError
from bot.vocabulary import COOPERATION_WISHES, EDUCATION_LEVELS

MENU_VIEW = "PROFILE"
MENU_PRIVACY = "PRIVACY"
# Keep each exported message well inside WeChat's 2048-byte text limit.
EXPORT_CHUNK_CHARS = 600
SEEN_SHOWN = 10
OWN_ACTORS = frozenset({"self", "system"})


class EditData(RegistrationData, total=False):
    """A profile edit: the question answered again (``field``), a value said in a sentence to
    confirm first (``proposed``, for the item ``proposed_field``) and the new answers."""

    field: str
    proposed: str
    proposed_field: str


def _local(ctx: Context, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(ctx.config.app.timezone))


def _registered(handler: Callable[[Context, Talent], str]) -> Callable[[Context], str]:
    """Wrap a handler that needs the person's talent record."""

    def wrapped(ctx: Context) -> str:
        talent = talents.get_talent_by_openid(ctx.session, ctx.openid)
        if talent is None:
            return texts.NOT_REGISTERED
        return handler(ctx, talent)

    wrapped.__doc__ = handler.__doc__
    return wrapped


# --- view and change -------------------------------------------------------------------------


@_registered
def view_profile(ctx: Context, talent: Talent) -> str:
    """Show the person their profile."""
    return texts.VIEW.format(profile=profile_lines(talent_values(talent)))


def _edit_words() -> list[str]:
    words = []
    for prefix in registration_texts.EDIT_PREFIXES:
        for _label, aliases in registration_texts.FIELDS.values():
            for alias in aliases:
                words += [f"{prefix}{alias}", f"{prefix} {alias}"]
    return words


@_registered
def pick_field(ctx: Context, talent: Talent) -> str:
    """Ask which field to change."""
    return _which_field()


def _which_field() -> str:
    fields = "、".join(label for label, _aliases in registration_texts.FIELDS.values())
    return texts.PICK_FIELD.format(fields=fields)


@_registered
def start_edit(ctx: Context, talent: Talent) -> str:
    """Ask for the new value of the field named in "修改 <字段>"."""
    key = field_named(ctx.message.text)
    if key is None:
        return _which_field()
    if word_of(ctx.message.text).endswith(texts.KEYWORDS_WORD):
        return _edit_intro(ctx, talent, key, "keywords")
    return _edit_intro(ctx, talent, key, key)


def _edit_intro(ctx: Context, talent: Talent, group: str, at: str) -> str:
    """Start editing item ``group`` at step ``at``, saying what it is now."""
    if at == "keywords":
        # Only the keywords: show the current ones for 对 or a corrected list.
        current = "、".join(talent.keywords) or texts.EMPTY
        intro = texts.EDIT_INTRO.format(label=texts.KEYWORDS_WORD, current=current)
        data: EditData = {
            "field": group,
            "expertise": talent.expertise,
            "keywords": list(talent.keywords),
        }
        return intro + "\n" + edit_flow.begin(ctx, data, at="keywords")
    label, current = profile_items(talent_values(talent))[group]
    intro = texts.EDIT_INTRO.format(label=label, current=current)
    return intro + "\n" + edit_flow.begin(ctx, EditData(field=group), at=at)


def _apply_edit(ctx: Context, data: EditData) -> Outcome:
    talent = talents.get_talent_by_openid(ctx.session, ctx.openid)
    if talent is None:
        return Finish(texts.NOT_REGISTERED)
    key = data["field"]
    answers: Mapping[str, Any] = data
    changes = {field: answers[field] for field in FIELD_GROUPS[key] if field in answers}
    try:
        changed = talents.update_talent(ctx.session, talent, actor="self", **changes)
    except ValidationError as error:
        return Reject(error.message_zh)
    if not changed:
        return Finish(texts.UNCHANGED)
    label, value = profile_items(talent_values(talent))[key]
    return Finish(texts.EDITED.format(label=label, value=value))


# --- a change said in a sentence ("我搬到杭州了") -------------------------------------------


def propose_edit(ctx: Context, item: str, value: str) -> str:
    """Answer a change of ``item`` said outside any dialog: confirm it, or ask for the value.

    ``item`` is an item of ``bot.understanding`` (employer, city, phone, email, title, ...).
    """
    talent = talents.get_talent_by_openid(ctx.session, ctx.openid)
    if talent is None:
        return texts.NOT_REGISTERED
    key = FIELD_STEPS.get(item, item)
    group = "expertise" if key == "keywords" else key
    if group not in FIELD_GROUPS:
        return _which_field()
    label, current = profile_items(talent_values(talent))[group]
    if key == "keywords" or not value:
        return _edit_intro(ctx, talent, group, key)
    data = EditData(field=group, proposed=value, proposed_field=item)
    intro = texts.EDIT_INTRO.format(label=label, current=current)
    return intro + "\n" + edit_flow.begin(ctx, data, at="proposed")


def _ask_proposed(ctx: Context, data: EditData) -> str:
    item = data.get("proposed_field", "")
    label = texts.ITEM_LABELS.get(item) or registration_texts.FIELDS[data["field"]][0]
    return texts.CONFIRM_PROPOSED.format(label=label, value=data.get("proposed", ""))


def _answer_proposed(ctx: Context, text: str, data: EditData) -> Outcome:
    word = word_of(text)
    if word in common.NO_WORDS or word in texts.KEEP_WORDS:
        return Finish(texts.EDIT_CANCELLED)
    yes = recognise_intent(text, Where.SUMMARY).intent is Intent.CONFIRM
    if not yes and word not in common.YES_WORDS:
        return Reject(texts.PROPOSED_UNCLEAR)
    key, item, value = data["field"], data.get("proposed_field", ""), data.get("proposed", "")
    if item in {"phone", "email"}:
        try:
            phone, email = read_contact(value)
        except ValidationError as error:
            return Advance(goto=key, note=error.message_zh)
        return Advance({"phone": phone} if item == "phone" else {"email": email})
    outcome = QUESTIONS[key].answer(ctx, value, data)
    if isinstance(outcome, Reject):
        return Advance(goto=key, note=outcome.reason)
    return outcome


def _edit_question(key: str) -> Callable[[Context, Any], str]:
    """Return the question that asks for one item again, in the words of an edit."""
    if key == "education":
        return fixed(texts.EDIT_ASK["education"].format(options=numbered(EDUCATION_LEVELS)))
    if key == "wishes":
        return fixed(texts.EDIT_ASK["wishes"].format(options=numbered(COOPERATION_WISHES)))
    return fixed(texts.EDIT_ASK[key])


EDIT_STEPS: tuple[Step, ...] = (
    Step("proposed", texts.EDIT_TITLE, _ask_proposed, _answer_proposed, texts.PROPOSED_HELP,
         counted=False),
    *(
        replace(step, question=_edit_question(step.key)) if step.key in texts.EDIT_ASK else step
        for step in QUESTION_STEPS
    ),
)  # fmt: skip

edit_flow = StepFlow(
    "profile_edit",
    EDIT_STEPS,
    title=texts.EDIT_TITLE,
    on_cancel=lambda ctx, data: texts.EDIT_CANCELLED,
    on_group_done=_apply_edit,
    show_progress=False,
)


# --- privacy and consents --------------------------------------------------------------------


@_registered
def show_privacy(ctx: Context, talent: Talent) -> str:
    """Show what is stored, who has seen it and the consents given."""
    return texts.PRIVACY.format(
        stored=texts.STORED.format(
            fields="、".join(label for label, _aliases in registration_texts.FIELDS.values())
        ),
        seen=_seen_by_others(ctx, talent),
        consents=_consent_lines(ctx, consents.consents_of(ctx.session, talent)),
    )


def _seen_by_others(ctx: Context, talent: Talent) -> str:
    entries = [
        entry
        for entry in audit.entries_for(ctx.session, "talent", talent.id)
        if entry.actor not in OWN_ACTORS and entry.action in texts.ACTIONS
    ]
    if not entries:
        return texts.NOBODY_SAW
    lines = [
        texts.SEEN_LINE.format(
            at=_local(ctx, entry.at).strftime("%Y-%m-%d %H:%M"),
            actor=_actor_name(entry.actor),
            action=texts.ACTIONS[entry.action],
        )
        for entry in entries[-SEEN_SHOWN:]
    ]
    return "\n".join(lines)


def _actor_name(actor: str) -> str:
    kind, _, name = actor.partition(":")
    return texts.STAFF.format(name=name) if kind == "console" else actor


def _consent_lines(ctx: Context, decisions: list[Consent]) -> str:
    if not decisions:
        return texts.NO_CONSENTS
    lines = []
    for consent in decisions:
        if consent.withdrawn_at is not None:
            status = texts.WITHDRAWN
        else:
            status = texts.GRANTED if consent.granted else texts.DECLINED
        lines.append(
            texts.CONSENT_LINE.format(
                purpose=texts.PURPOSES.get(str(consent.purpose), str(consent.purpose)),
                status=status,
                date=_local(ctx, consent.decided_at).strftime("%Y-%m-%d"),
                version=consent.version,
            )
        )
    return "\n".join(lines)


@_registered
def withdraw_invitations(ctx: Context, talent: Talent) -> str:
    """Withdraw the consent to receive event invitations."""
    if consents.withdraw_consent(ctx.session, talent, ConsentPurpose.INVITATIONS):
        return texts.INVITATIONS_WITHDRAWN
    return texts.INVITATIONS_NOT_GIVEN


@_registered
def restore_invitations(ctx: Context, talent: Talent) -> str:
    """Give the consent to receive event invitations again."""
    if consents.has_consent(ctx.session, talent, ConsentPurpose.INVITATIONS):
        return texts.INVITATIONS_ALREADY
    consents.record_consent(
        ctx.session,
        purpose=ConsentPurpose.INVITATIONS,
        version=registration_texts.CONSENT_VERSION,
        granted=True,
        talent=talent,
    )
    return texts.INVITATIONS_RESTORED


@_registered
def withdraw_introductions(ctx: Context, talent: Talent) -> str:
    """Withdraw every consent to be introduced to an enterprise, telling each one concerned."""
    # Yeses already passed on: the enterprise is told and the introduction marked withdrawn;
    # asks still open become a no. Consents left over (none of a live match) are withdrawn below.
    told = introductions.withdraw_all(ctx.session, talent)
    scopes = {
        consent.scope
        for consent in consents.consents_of(ctx.session, talent)
        if consent.purpose == ConsentPurpose.INTRODUCTION
    }
    count = told + sum(
        consents.withdraw_consent(ctx.session, talent, ConsentPurpose.INTRODUCTION, scope)
        for scope in sorted(scopes)
    )
    if not count:
        return texts.INTRODUCTIONS_NONE
    return texts.INTRODUCTIONS_WITHDRAWN.format(count=count)


# --- export ----------------------------------------------------------------------------------


@_registered
def export_data(ctx: Context, talent: Talent) -> str:
    """Send the person everything stored about them; long exports go on in follow-ups."""
    exported = talents.export_talent(ctx.session, talent, actor="self")
    exported["source"] = texts.SOURCES.get(exported["source"], exported["source"])
    registered = datetime.fromisoformat(exported["registered_at"])
    exported["registered_at"] = _local(ctx, registered).strftime("%Y-%m-%d %H:%M")
    lines = [
        texts.EXPORT_LINE.format(label=texts.EXPORT_LABELS.get(key, key), value=_shown(value))
        for key, value in exported.items()
        if key != "consents"
    ]
    lines.append(texts.EXPORT_LABELS["consents"] + "：")
    lines.append(_consent_lines(ctx, consents.consents_of(ctx.session, talent)))
    chunks = split_message("\n".join(lines), EXPORT_CHUNK_CHARS)
    ctx.followups.extend(chunks[1:])
    return texts.EXPORT_HEADER.format(parts=len(chunks)) + "\n" + chunks[0]


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return texts.YES if value else texts.NO
    if isinstance(value, list | tuple):
        return "、".join(str(item) for item in value) or texts.EMPTY
    return str(value) if value not in (None, "") else texts.EMPTY


def split_message(text: str, limit: int) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters, at line ends where possible."""
    parts: list[str] = []
    current = ""
    for line in text.splitlines():
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    if current or not parts:
        parts.append(current)
    return parts


# --- erase -----------------------------------------------------------------------------------


def _answer_erase(ctx: Context, text: str, data: Any) -> Outcome:
    # Only the words the prompt asks for erase; 确定, 是, 好 ... keep the profile, as it says.
    if recognise_intent(text, Where.ERASE_CONFIRM).intent is not Intent.ERASE_CONFIRM_EXACT:
        return Finish(texts.ERASE_KEPT)
    talent = talents.get_talent_by_openid(ctx.session, ctx.openid)
    if talent is not None:
        talents.erase_talent(ctx.session, talent, actor="self")
    return Finish(texts.ERASED)


erase_flow = StepFlow(
    "erase",
    (
        Step(
            "confirm",
            texts.ERASE_TITLE,
            fixed(texts.ERASE_CONFIRM),
            _answer_erase,
            texts.ERASE_HELP,
            counted=False,
        ),
    ),
    title=texts.ERASE_TITLE,
    on_cancel=lambda ctx, data: texts.ERASE_KEPT,
    show_progress=False,
)


def start_erase(ctx: Context) -> str:
    """Ask for confirmation before deleting everything; an unfinished registration goes at once."""
    if talents.get_talent_by_openid(ctx.session, ctx.openid) is not None:
        return erase_flow.begin(ctx)
    if erasure.discard_draft(ctx.session, ctx.openid):
        ctx.state = None  # the draft is gone; no flow to come back to
        return texts.DRAFT_ERASED
    return texts.NOT_REGISTERED


def register(registry: Registry) -> None:
    """Put the profile's flows, command words and menu keys on ``registry``."""
    edit_flow.register(registry)
    erase_flow.register(registry)
    registry.command(*texts.VIEW_WORDS)(view_profile)
    registry.click(MENU_VIEW)(view_profile)
    registry.command(*texts.EDIT_WORDS)(pick_field)
    registry.command(*_edit_words())(start_edit)
    registry.command(*texts.PRIVACY_WORDS)(show_privacy)
    registry.click(MENU_PRIVACY)(show_privacy)
    registry.command(*texts.WITHDRAW_INVITATIONS_WORDS)(withdraw_invitations)
    registry.command(*texts.RESTORE_INVITATIONS_WORDS)(restore_invitations)
    registry.command(*texts.WITHDRAW_INTRODUCTIONS_WORDS)(withdraw_introductions)
    registry.command(*texts.EXPORT_WORDS)(export_data)
    registry.command(*texts.ERASE_WORDS)(start_erase)
