"""Talent registration by chat: consent first, then nine questions, a summary and 确认."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, TypedDict

import matching
from bot.dialogs import common_texts as common
from bot.dialogs import registration_texts as texts
from bot.dialogs.steps import (
    Advance,
    FieldNames,
    Finish,
    Outcome,
    Reject,
    Step,
    StepFlow,
    fixed,
    word_of,
)
from bot.dispatch import Context, Registry
from bot.models import ConsentPurpose, Talent
from bot.services import consents, events, talents
from bot.services.analysis import keywords_for, trade_of
from bot.understanding import (
    Context as Where,
)
from bot.understanding import (
    Intent,
    KeywordEdit,
    NotAName,
    clean_name,
    normalise_city,
    normalise_phone,
    only_edits,
    recognise_intent,
)
from bot.understanding.names import INSTRUCTION_WORDS, REFUSED_WORDS
from bot.validators import ValidationError
from bot.vocabulary import COOPERATION_WISHES, EDUCATION_LEVELS

FLOW = "registration"
MENU_KEY = "REGISTER"
# A candidate of this kind names 焦作市 as a whole: worth asking for the county.
CITY_KIND = "city"
# Two candidates closer than this in confidence are both offered to choose from.
CHOICE_MARGIN = 0.2
MAX_CHOICES = 3
KEYWORDS_SHOWN = 8
# Keywords listed in a reply, in UTF-8 bytes (the rest is "等 N 个"): a passive reply must stay
# within WeChat's 2,048 bytes with the rest of the message around the list.
KEYWORDS_LISTED_BYTES = 900
KEYWORDS_IN_PROFILE_BYTES = 360
# The talent service refuses longer keywords; an extracted phrase that long is dropped.
KEYWORD_MAX_LENGTH = 30
MIN_EXPERTISE_LENGTH = 4
EXPERTISE_SHOWN = 120
LIST_SEPARATORS = re.compile(r"[,，、;；/\s]+")
# Separators between a phone number and an email (a phone number may contain spaces itself).
CONTACT_SEPARATORS = re.compile(r"[,，、;；/]+")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}")
# Steps an item of a sentence correction goes to ("手机换了…" is the contact step).
FIELD_STEPS = {"phone": "contact", "email": "contact", "keywords": "keywords"}


class RegistrationData(TypedDict, total=False):
    """The answers of a registration (and of a profile edit) while the dialog runs."""

    consented: bool
    name: str
    origin_text: str
    # Recognised places to confirm or choose from: [code, name, kind, what a typo meant] each.
    choices: list[list[str]]
    # A place outside Jiaozuo the origin was recognised as ("" when none).
    elsewhere: str
    origin_code: str | None
    origin_name: str
    is_from_jiaozuo: bool
    city: str
    # The city a typo probably meant (深证 → 深圳), to confirm.
    city_suggestion: str
    employer: str
    title: str
    education: str
    expertise: str
    keywords: list[str]
    # The person said the extracted keywords are all wrong: ask for their own.
    keywords_rejected: bool
    cooperation_wishes: list[str]
    phone: str
    email: str


# The talent fields each numbered question fills.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "origin": ("origin_text", "origin_code", "origin_name", "is_from_jiaozuo"),
    "city": ("city",),
    "employer": ("employer",),
    "title": ("title",),
    "education": ("education",),
    "expertise": ("expertise", "keywords"),
    "wishes": ("cooperation_wishes",),
    "contact": ("phone", "email"),
}


def _clean(field: str, value: Any) -> Any:
    """Validate one talent field with the talent service's rules."""
    return talents.clean_fields({field: value})[field]


def numbered(options: tuple[str, ...]) -> str:
    """Return the options as a numbered list, one a line ("1. 博士")."""
    return "\n".join(f"{index}. {option}" for index, option in enumerate(options, 1))


# --- consent -------------------------------------------------------------------------------------


def _ask_consent(ctx: Context, data: RegistrationData) -> str:
    return texts.CONSENT.format(version=texts.CONSENT_VERSION)


def _answer_consent(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    word = word_of(text)
    if word in texts.AGREE_WORDS:
        consents.grant_registration(ctx.session, texts.CONSENT_VERSION, openid=ctx.openid)
        return Advance({"consented": True}, note=texts.AGREED)
    if word in texts.DECLINE_WORDS:
        consents.record_consent(
            ctx.session,
            purpose=ConsentPurpose.REGISTRATION,
            version=texts.CONSENT_VERSION,
            granted=False,
            openid=ctx.openid,
        )
        return Finish(texts.DECLINED)
    return Reject(texts.CONSENT_UNCLEAR)


# --- name ------------------------------------------------------------------------------------


def _answer_name(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    limit = talents.TEXT_FIELDS["name"][1]
    try:
        name = clean_name(text)
    except NotAName as refusal:
        if refusal.reason == "too_long":
            return Reject(texts.NAME_TOO_LONG.format(max=limit))
        if refusal.reason == "command":
            if data.get("consented") and word_of(text) in texts.AGREE_WORDS:
                return Reject(texts.NAME_AFTER_CONSENT)
            return Reject(texts.NAME_IS_A_WORD.format(text=text))
        return Reject(texts.NAME_NOT_A_NAME)
    if len(name) > limit:
        return Reject(texts.NAME_TOO_LONG.format(max=limit))
    return Advance({"name": _clean("name", name)})


# --- origin ----------------------------------------------------------------------------------


def _answer_origin(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    if is_instruction(text):
        return Reject(texts.NOT_A_VALUE)
    try:
        origin_text = _clean("origin_text", text)
    except ValidationError:
        return Reject(texts.ORIGIN_TOO_LONG)
    candidates = matching.recognise_origin(origin_text)
    local = [c for c in candidates if c.in_jiaozuo]
    if not local or (candidates and candidates[0].confidence - local[0].confidence > CHOICE_MARGIN):
        elsewhere = candidates[0].name if candidates and candidates[0] not in local else ""
        updates = {"origin_text": origin_text, "choices": [], "elsewhere": elsewhere}
        return Advance(updates, goto="origin_friend")
    close = [c for c in local if local[0].confidence - c.confidence < CHOICE_MARGIN]
    # Modern and historical names (孟县, 孟州) may both point at one division.
    unique = {c.code: c for c in reversed(close)}
    ranked = sorted(unique.values(), key=lambda c: -c.confidence)
    choices = [[c.code, c.name, c.kind, _meant(c)] for c in ranked[:MAX_CHOICES]]
    goto = "origin_confirm" if len(choices) == 1 else "origin_choose"
    return Advance({"origin_text": origin_text, "choices": choices}, goto=goto)


def _meant(candidate: matching.OriginCandidate) -> str:
    """Return the place name a typo meant ("沁杨" → "沁阳"), or "" when nothing was mistyped."""
    return candidate.matched[0] if candidate.typed and candidate.matched else ""


def _ask_origin_confirm(ctx: Context, data: RegistrationData) -> str:
    _code, name, kind, *meant = data["choices"][0]
    if meant and meant[0]:
        return texts.CONFIRM_NEAR_MISS.format(meant=meant[0], name=name)
    if kind == CITY_KIND:
        return texts.CONFIRM_CITY_ONLY.format(name=name)
    return texts.CONFIRM_ORIGIN.format(name=name)


def _ask_origin_choose(ctx: Context, data: RegistrationData) -> str:
    names = tuple(choice[1] for choice in data["choices"])
    return texts.CHOOSE_ORIGIN.format(options=numbered(names))


def _ask_origin_friend(ctx: Context, data: RegistrationData) -> str:
    if data.get("elsewhere"):
        return texts.NOT_JIAOZUO_NAMED.format(name=data["elsewhere"])
    return texts.NOT_JIAOZUO.format(text=data.get("origin_text", ""))


def _chosen_origin(choice: list[str]) -> Advance:
    code, name = choice[0], choice[1]
    return Advance(
        {"origin_code": code, "origin_name": _clean("origin_name", name), "is_from_jiaozuo": True}
    )


def _answer_origin_confirm(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    word = word_of(text)
    if word in common.YES_WORDS:
        return _chosen_origin(data["choices"][0])
    if word in common.NO_WORDS:
        return Advance(goto="origin", note=texts.ORIGIN_RETRY)
    return _answer_origin(ctx, text, data)


def _answer_origin_choose(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    choices = data["choices"]
    if text.isdigit():
        index = int(text)
        if 1 <= index <= len(choices):
            return _chosen_origin(choices[index - 1])
        return Reject(texts.CHOOSE_HINT)
    if word_of(text) in common.NO_WORDS:
        return Advance(goto="origin", note=texts.ORIGIN_RETRY)
    return _answer_origin(ctx, text, data)


def _answer_origin_friend(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    word = word_of(text)
    if word in common.YES_WORDS or word == "焦作之友":
        origin_name = _clean("origin_name", data.get("origin_text", "")[:64])
        return Advance({"origin_code": None, "origin_name": origin_name, "is_from_jiaozuo": False})
    if word in common.NO_WORDS:
        return Advance(goto="origin", note=texts.ORIGIN_RETRY)
    return _answer_origin(ctx, text, data)


# --- city ------------------------------------------------------------------------------------


def _answer_city(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    found = normalise_city(text)
    if found is None:
        # A place the gazetteer does not know (a small town abroad): kept as written.
        return _text_answer("city")(ctx, text, data)
    if found.certain:
        return Advance({"city": _clean("city", found.value)})
    return Advance({"city_suggestion": found.value}, goto="city_confirm")


def _ask_city_confirm(ctx: Context, data: RegistrationData) -> str:
    return texts.CONFIRM_CITY.format(city=data.get("city_suggestion", ""))


def _answer_city_confirm(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    word = word_of(text)
    if word in common.YES_WORDS:
        return Advance({"city": _clean("city", data.get("city_suggestion", ""))})
    if word in common.NO_WORDS:
        return Advance(goto="city", note=texts.CITY_RETRY)
    return _answer_city(ctx, text, data)


# --- plain text answers ----------------------------------------------------------------------


def is_instruction(text: str) -> bool:
    """Tell whether an answer is a command or an instruction rather than a value to keep."""
    return word_of(text) in REFUSED_WORDS or any(word in text for word in INSTRUCTION_WORDS)


def _text_answer(field: str) -> Any:
    def answer(ctx: Context, text: str, data: RegistrationData) -> Outcome:
        if is_instruction(text):
            return Reject(texts.NOT_A_VALUE)
        try:
            return Advance({field: _clean(field, text)})
        except ValidationError as error:
            return Reject(error.message_zh)

    return answer


# --- education -------------------------------------------------------------------------------


def _ask_education(ctx: Context, data: RegistrationData) -> str:
    return texts.ASK_EDUCATION.format(options=numbered(EDUCATION_LEVELS))


def _answer_education(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    word = word_of(text)
    if word.isdigit() and 1 <= int(word) <= len(EDUCATION_LEVELS):
        return Advance({"education": EDUCATION_LEVELS[int(word) - 1]})
    level = texts.EDUCATION_ALIASES.get(word)
    if level is None:
        return Reject(texts.EDUCATION_UNKNOWN)
    return Advance({"education": _clean("education", level)})


# --- expertise and keywords ------------------------------------------------------------------


def _answer_expertise(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    if word_of(text) in REFUSED_WORDS or only_edits(text):
        # "把X去掉" answers the keyword check, not the question about one's field; a
        # description with 还有 in it (做并购，还有劳动争议) is still a description.
        return Reject(texts.NOT_A_VALUE)
    try:
        expertise = _clean("expertise", text)
    except ValidationError as error:
        return Reject(error.message_zh)
    if len(expertise) < MIN_EXPERTISE_LENGTH:
        return Reject(texts.EXPERTISE_TOO_SHORT)
    extracted = keywords_for(
        expertise,
        top_k=KEYWORDS_SHOWN,
        exclude=(data.get("employer") or "", data.get("city") or "", data.get("name") or ""),
    )
    kept = [t for t in extracted if len(t) <= KEYWORD_MAX_LENGTH and not is_instruction(t)]
    if not kept:
        # 我是焊工: the trade is the best start; the person confirms it or adds what they do.
        kept = [t for t in trade_of(expertise) if len(t) <= KEYWORD_MAX_LENGTH][:1]
    keywords = _clean("keywords", kept)
    return Advance({"expertise": expertise, "keywords": keywords}, goto="keywords")


def _ask_keywords(ctx: Context, data: RegistrationData) -> str:
    keywords = data.get("keywords") or []
    if not keywords:
        return texts.OWN_KEYWORDS if data.get("keywords_rejected") else texts.NO_KEYWORDS
    return texts.CONFIRM_KEYWORDS.format(keywords=shown_list(keywords, KEYWORDS_LISTED_BYTES))


def _answer_keywords(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    keywords = list(data.get("keywords") or [])
    understood = recognise_intent(text, Where.KEYWORDS_CHECK)
    if understood.intent is Intent.CONFIRM or word_of(text) in common.YES_WORDS:
        return Advance() if keywords else Reject(texts.KEYWORDS_NEEDED)
    if understood.intent is Intent.KEYWORDS_REJECT:
        return Advance({"keywords": [], "keywords_rejected": True}, goto="keywords")
    if understood.keyword_edits:
        return _edit_keywords(keywords, understood.keyword_edits)
    if any(word in text for word in INSTRUCTION_WORDS):
        # An instruction we could not read is never stored as keywords.
        return Reject(texts.KEYWORDS_EDIT_UNCLEAR)
    terms = [term for term in LIST_SEPARATORS.split(text) if term]
    if any(is_instruction(term) for term in terms):
        # "0 NO": a command word among the terms is no keyword; ask again rather than guess.
        return Reject(texts.KEYWORDS_INVALID)
    try:
        typed = _clean("keywords", terms)
    except ValidationError as error:
        return Reject(error.message_zh)
    if not typed:
        return Reject(texts.KEYWORDS_INVALID)
    if keywords and len(typed) == 1 and not any(typed[0] in k or k in typed[0] for k in keywords):
        # One new term sent under a shown list is most often one the list missed: add it and
        # show the list again, rather than drop the others unseen (氟化工 under 氟化工新材料
        # narrows the list instead, and replaces it).
        return _edit_keywords(keywords, (KeywordEdit("add", new=typed[0]),))
    note = texts.KEYWORDS_TAKEN.format(keywords=shown_list(typed, KEYWORDS_LISTED_BYTES))
    return Advance({"keywords": typed, "keywords_rejected": False}, note=note)


def _edit_keywords(keywords: list[str], edits: tuple[KeywordEdit, ...]) -> Outcome:
    """Apply "去掉 X / 加上 Y / 把 X 改成 Y" to the list and show it again for a yes."""
    edited = list(keywords)
    for edit in edits:
        if edit.operation in {"remove", "replace"}:
            target = _keyword_at(edited, edit)
            if target is None:
                return Reject(texts.KEYWORD_NOT_FOUND.format(keyword=edit.old or edit.position))
            index = edited.index(target)
            if edit.operation == "remove":
                del edited[index]
            else:
                edited[index] = edit.new
        elif edit.new not in edited:
            edited.append(edit.new)
    if any(word in term for term in edited for word in INSTRUCTION_WORDS):
        return Reject(texts.KEYWORDS_EDIT_UNCLEAR)
    try:
        cleaned = _clean("keywords", edited)
    except ValidationError as error:
        return Reject(error.message_zh)
    return Advance(
        {"keywords": cleaned, "keywords_rejected": False},
        goto="keywords",
        note=texts.KEYWORDS_EDITED,
    )


def _keyword_at(keywords: list[str], edit: KeywordEdit) -> str | None:
    """Return the keyword an edit points at, by text (loosely) or by place ("第二个")."""
    if edit.position:
        index = edit.position - 1 if edit.position > 0 else len(keywords) + edit.position
        return keywords[index] if 0 <= index < len(keywords) else None
    old = word_of(edit.old)
    exact = [term for term in keywords if word_of(term) == old]
    loose = [term for term in keywords if old and (old in word_of(term) or word_of(term) in old)]
    found = exact or loose
    return found[0] if found else None


def shown_list(items: list[str], max_bytes: int) -> str:
    """Return the items joined with 、 within ``max_bytes`` of UTF-8, then "等 N 个" if cut."""
    joined = "、".join(items)
    if len(joined.encode("utf-8")) <= max_bytes:
        return joined
    shown: list[str] = []
    for item in items:
        if len("、".join([*shown, item]).encode("utf-8")) > max_bytes:
            break
        shown.append(item)
    return "、".join(shown) + texts.AND_MORE.format(count=len(items))


# --- cooperation wishes ----------------------------------------------------------------------


def _ask_wishes(ctx: Context, data: RegistrationData) -> str:
    return texts.ASK_WISHES.format(options=numbered(COOPERATION_WISHES))


def _answer_wishes(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    wishes = parse_choices(text, COOPERATION_WISHES, texts.WISH_ALIASES)
    if not wishes:
        return Reject(texts.WISHES_UNKNOWN)
    return Advance({"cooperation_wishes": _clean("cooperation_wishes", wishes)})


def parse_choices(
    text: str, options: tuple[str, ...], aliases: Mapping[str, str] | None = None
) -> list[str]:
    """Return the options chosen by numbers ("1 3 5", "135") or by words; [] when unclear."""
    word = word_of(text)
    if word in texts.ALL_WORDS:
        return list(options)
    numbers = re.findall(r"\d+", word)
    if numbers:
        if len(numbers) == 1 and len(numbers[0]) > 1 and len(options) < 10:
            numbers = list(numbers[0])
        indexes = [int(number) for number in numbers]
        if any(not 1 <= index <= len(options) for index in indexes):
            return []
        return list(dict.fromkeys(options[index - 1] for index in indexes))
    named = {part: option for option in options for part in (option, *option.split("/"))}
    named.update(aliases or {})
    return [option for option in options if any(w in word for w, o in named.items() if o == option)]


# --- contact ---------------------------------------------------------------------------------


def _answer_contact(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    if word_of(text) in texts.SKIP_WORDS:
        return Advance({"phone": "", "email": ""})
    try:
        phone, email = read_contact(text)
    except ValidationError as error:
        return Reject(error.message_zh)
    return Advance({"phone": phone, "email": email})


def read_contact(text: str) -> tuple[str, str]:
    """Return (phone, email) in stored form from an answer holding either or both ("" if absent).

    A phone number may be typed with spaces, dashes, full-width digits, 手机/电话 or +86; two
    phones or two emails are refused. Raises ValidationError with the reason in Chinese.
    """
    emails = EMAIL.findall(text)
    if len(emails) > 1:
        raise ValidationError("email", texts.CONTACT_TWO_EMAILS, "two email addresses")
    rest = EMAIL.sub(" ", text)
    email = _clean("email", emails[0]) if emails else ""
    parts = [part.strip() for part in CONTACT_SEPARATORS.split(rest) if part.strip()]
    if not emails and any("@" in part for part in parts):
        _clean("email", parts[0])  # raises the email's own message
    whole = normalise_phone(" ".join(parts)) if parts else None
    phones = [whole] if whole else [normalise_phone(part) for part in parts]
    if len(phones) > 1 and all(phones):
        raise ValidationError("phone", texts.CONTACT_TWO_PHONES, "two phone numbers")
    if phones and not all(phones):
        unreadable = next(part for part, phone in zip(parts, phones, strict=False) if not phone)
        phones = [_clean("phone", unreadable)]  # raises the phone's own message
    return (_clean("phone", phones[0]) if phones and phones[0] else ""), email


# --- summary and confirmation ----------------------------------------------------------------


def profile_items(values: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Return each numbered profile item as step key -> (label, value as shown)."""
    contact = "，".join(part for part in (values.get("phone"), values.get("email")) if part)
    origin = values.get("origin_name") or ""
    if origin and values.get("is_from_jiaozuo") is False:
        origin += texts.FRIEND_MARK
    expertise = values.get("expertise") or ""
    if len(expertise) > EXPERTISE_SHOWN:
        # Keep the profile inside WeChat's 2048-byte text message; 导出 shows it in full.
        expertise = expertise[:EXPERTISE_SHOWN] + "…"
    if values.get("keywords"):
        listed = shown_list(list(values["keywords"]), KEYWORDS_IN_PROFILE_BYTES)
        expertise += f"（关键词：{listed}）"
    shown = {
        "name": values.get("name"),
        "origin": origin,
        "city": values.get("city"),
        "employer": values.get("employer"),
        "title": values.get("title"),
        "education": values.get("education"),
        "expertise": expertise,
        "wishes": "、".join(values.get("cooperation_wishes") or []),
        "contact": contact,
    }
    return {
        key: (label, str(shown[key] or texts.NOT_SET))
        for key, (label, _aliases) in texts.FIELDS.items()
    }


def profile_lines(values: Mapping[str, Any]) -> str:
    """Return the numbered profile of a talent or of registration answers."""
    return "\n".join(
        texts.PROFILE_LINE.format(number=number, label=label, value=value)
        for number, (label, value) in enumerate(profile_items(values).values(), 1)
    )


def talent_values(talent: Talent) -> dict[str, Any]:
    """Return the fields of ``talent`` that a profile shows."""
    return {field: getattr(talent, field) for group in FIELD_GROUPS.values() for field in group}


FIELD_NAMES = FieldNames(texts.FIELDS, texts.EDIT_PREFIXES)
field_named = FIELD_NAMES.named


def _ask_summary(ctx: Context, data: RegistrationData) -> str:
    return texts.SUMMARY.format(profile=profile_lines(data))


def _answer_summary(ctx: Context, text: str, data: RegistrationData) -> Outcome:
    """Read the answer to the summary: a yes, a correction in a sentence, or a field to fix."""
    understood = recognise_intent(text, Where.SUMMARY)
    if understood.intent is Intent.CONFIRM or word_of(text) in SUMMARY_YES:
        return _create(ctx, text, data)
    if understood.intent is Intent.EDIT_FIELD and understood.field:
        return correction(ctx, data, understood.field, understood.value, back_to="summary")
    if understood.keyword_edits:
        edited = _edit_keywords(list(data.get("keywords") or []), understood.keyword_edits)
        if isinstance(edited, Advance):
            return replace(edited, return_to="summary")
        return edited
    field = FIELD_NAMES.named(text)
    if field is not None:
        return Advance(goto=field, return_to="summary")
    if understood.intent is Intent.EDIT_FIELD:
        return Reject(texts.SUMMARY_WHICH)
    return Reject(texts.SUMMARY_UNCLEAR)


def correction(
    ctx: Context, data: RegistrationData, field: str, value: str, *, back_to: str
) -> Outcome:
    """Return the outcome of changing ``field`` to ``value`` said in a sentence.

    The value is read by the field's own question (so it is checked and normalised the same
    way); a follow-up (a city or county to confirm, the keyword list) comes before going back to
    ``back_to``. Without a value, or with one the question refuses, the question is asked.
    """
    step = FIELD_STEPS.get(field, field)
    if step == "keywords" and not value:
        return Advance(goto="keywords", return_to=back_to)
    if not value or step not in QUESTIONS:
        return Advance(goto=step if step in QUESTIONS else back_to, return_to=back_to)
    if field in {"phone", "email"}:
        outcome: Outcome = _contact_item(field, value)
    else:
        outcome = QUESTIONS[step].answer(ctx, value, data)
    if isinstance(outcome, Reject):
        return Advance(goto=step, return_to=back_to, note=outcome.reason)
    if isinstance(outcome, Advance):
        if outcome.goto is None:
            return Advance(outcome.updates, goto=back_to, note=texts.CORRECTED)
        return Advance(outcome.updates, goto=outcome.goto, return_to=back_to, note=outcome.note)
    return outcome


def _contact_item(field: str, value: str) -> Outcome:
    try:
        return Advance({field: _clean(field, value)})
    except ValidationError as error:
        return Reject(error.message_zh)


def _create(ctx: Context, _text: str, data: RegistrationData) -> Outcome:
    existing = talents.get_talent_by_openid(ctx.session, ctx.openid)
    if existing is not None:
        return Finish(show_registered(existing))
    answers: Mapping[str, Any] = data
    fields = {
        field: answers[field]
        for group in FIELD_GROUPS.values()
        for field in group
        if field in answers and field != "name"
    }
    talent = talents.create_talent(
        ctx.session, name=data["name"], openid=ctx.openid, source="chat", actor="self", **fields
    )
    consents.attach_consents(ctx.session, ctx.openid, talent)
    # Events they checked in to before registering (walk-ins) become theirs.
    events.link_walk_ins(ctx.session, ctx.openid, talent)
    return Finish(texts.DONE.format(name=talent.name))


def show_registered(talent: Talent) -> str:
    """Return the reply for someone who is already registered."""
    return texts.ALREADY_REGISTERED.format(profile=profile_lines(talent_values(talent)))


# --- the flow --------------------------------------------------------------------------------


SUMMARY_YES = frozenset({*common.YES_WORDS, "提交", "完成"})

QUESTION_STEPS: tuple[Step, ...] = (
    Step("name", "姓名", fixed(texts.ASK_NAME), _answer_name, texts.HELP_NAME),
    Step("origin", "籍贯", fixed(texts.ASK_ORIGIN), _answer_origin, texts.HELP_ORIGIN),
    Step(
        "origin_confirm",
        "籍贯",
        _ask_origin_confirm,
        _answer_origin_confirm,
        texts.HELP_ORIGIN,
        entry=False,
    ),
    Step(
        "origin_choose", "籍贯", _ask_origin_choose, _answer_origin_choose, texts.HELP_ORIGIN,
        entry=False,
    ),
    Step(
        "origin_friend", "籍贯", _ask_origin_friend, _answer_origin_friend, texts.HELP_ORIGIN,
        entry=False,
    ),
    Step(
        "city", "工作城市", fixed(texts.ASK_CITY), _answer_city, texts.HELP_CITY,
        optional=True, skip_updates={"city": ""},
    ),
    Step(
        "city_confirm", "工作城市", _ask_city_confirm, _answer_city_confirm, texts.HELP_CITY,
        entry=False,
    ),
    Step(
        "employer", "工作单位", fixed(texts.ASK_EMPLOYER), _text_answer("employer"),
        texts.HELP_EMPLOYER, optional=True, skip_updates={"employer": ""},
    ),
    Step(
        "title", "职务/职称", fixed(texts.ASK_TITLE), _text_answer("title"), texts.HELP_TITLE,
        optional=True, skip_updates={"title": ""},
    ),
    Step(
        "education", "最高学历", _ask_education, _answer_education, texts.HELP_EDUCATION,
        optional=True, skip_updates={"education": ""},
    ),
    Step(
        "expertise", "专业领域", fixed(texts.ASK_EXPERTISE), _answer_expertise,
        texts.HELP_EXPERTISE,
    ),
    Step("keywords", "关键词", _ask_keywords, _answer_keywords, texts.HELP_EXPERTISE, entry=False),
    Step("wishes", "合作意向", _ask_wishes, _answer_wishes, texts.HELP_WISHES),
    Step(
        "contact", "联系方式", fixed(texts.ASK_CONTACT), _answer_contact, texts.HELP_CONTACT,
        optional=True, skip_updates={"phone": "", "email": ""},
    ),
)  # fmt: skip

QUESTIONS = {step.key: step for step in QUESTION_STEPS}

flow = StepFlow(
    FLOW,
    (
        Step("consent", "同意书", _ask_consent, _answer_consent, texts.CONSENT_HELP, counted=False),
        *QUESTION_STEPS,
        Step(
            "summary",
            "最后确认",
            _ask_summary,
            _answer_summary,
            texts.SUMMARY_HELP,
            counted=False,
            takes_commands=True,
        ),
    ),
    title=texts.TITLE,
    start_words=texts.START_WORDS,
    on_cancel=lambda ctx, data: texts.CANCELLED,
    keep_on_restart=("consented",),
    restart_at=lambda data: "name" if data.get("consented") else "consent",
    jump_to=FIELD_NAMES.correction_target,
)


def _awaiting_confirmation(ctx: Context, talent: Talent) -> bool:
    """Whether ``talent`` was imported from a spreadsheet and has not given their consent yet."""
    return talent.source == "import" and not consents.has_consent(
        ctx.session, talent, ConsentPurpose.REGISTRATION
    )


def _ask_imported_to_confirm(talent: Talent) -> str:
    return texts.IMPORTED_CONFIRM.format(
        profile=profile_lines(talent_values(talent)), version=texts.CONSENT_VERSION
    )


def start_registration(ctx: Context) -> str:
    """Offer registration: the profile if registered, the unfinished one, or the consent.

    Someone added from a spreadsheet who has not confirmed yet is shown what was imported and
    what the consent covers, and asked to reply 同意入库.
    """
    talent = talents.get_talent_by_openid(ctx.session, ctx.openid)
    if talent is not None:
        if _awaiting_confirmation(ctx, talent):
            return _ask_imported_to_confirm(talent)
        return show_registered(talent)
    if ctx.state is not None and ctx.state.flow == FLOW:
        return flow.carry_on(ctx, ctx.state)
    return flow.begin(ctx)


def confirm_imported(ctx: Context) -> str:
    """Record the consent of an imported person who replied 同意入库 after seeing the notice."""
    talent = talents.get_talent_by_openid(ctx.session, ctx.openid)
    if talent is None:
        return start_registration(ctx)
    if not _awaiting_confirmation(ctx, talent):
        return texts.NOTHING_TO_CONFIRM
    consents.grant_registration(ctx.session, texts.CONSENT_VERSION, talent=talent)
    # They wrote to us: they follow the account and its customer-service window is open.
    talent.is_following = True
    return texts.IMPORTED_CONFIRMED


def nothing_to_continue(ctx: Context) -> str:
    """Answer 继续 when no flow is waiting (an unfinished one is resumed by its flow)."""
    return texts.NOTHING_TO_CONTINUE


def register(registry: Registry) -> None:
    """Put registration's flow, command words and menu key on ``registry``."""
    flow.register(registry)
    registry.command(*texts.START_WORDS)(start_registration)
    registry.command(*texts.IMPORTED_CONFIRM_WORDS)(start_registration)
    registry.command(*texts.IMPORTED_AGREE_WORDS)(confirm_imported)
    registry.click(MENU_KEY)(start_registration)
    registry.command("继续")(nothing_to_continue)
