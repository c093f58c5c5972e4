"""A small engine for question-by-question dialogs: steps, progress and the control words.

A flow is an ordered list of steps. "Entry" steps are the numbered questions; a step may send
the person on to a follow-up step (a confirmation) with ``Advance(goto=...)``, and the follow-up
belongs to the entry step before it. Every answer is one of ``Advance``, ``Reject`` (say why and
ask again) or ``Finish`` (the flow is over). The engine handles 上一步, 跳过, 取消, 帮助,
重新开始 and 继续, non-text messages, and people coming back after a break.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.dialogs import common_texts as texts
from bot.dispatch import Context, registry
from bot.models import DialogState
from bot.services import dialog_states

logger = logging.getLogger(__name__)

HISTORY = "_history"
RETURN_TO = "_return"
# A flow untouched for this long is not continued by whatever the person says next: they are
# reminded where they were and continue with 继续.
RESUME_AFTER = timedelta(hours=1)
TRAILING_PUNCTUATION = "。．.！!，,、~～ \u3000"
# Longer typed answers (descriptions) keep their punctuation.
SHORT_ANSWER = 20
# A message that is nothing but a link answers no question.
LINK = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


@dataclass(frozen=True)
class Advance:
    """Keep ``updates`` and go on (to ``goto``, or to the next question)."""

    updates: Mapping[str, Any] = field(default_factory=dict)
    goto: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Reject:
    """Explain what is expected and ask the same question again."""

    reason: str


@dataclass(frozen=True)
class Finish:
    """End the flow with a last reply."""

    reply: str


Outcome = Advance | Reject | Finish
Answer = Callable[[Context, str, dict[str, Any]], Outcome]
Question = Callable[[Context, dict[str, Any]], str]


@dataclass(frozen=True)
class Step:
    """One question: its text, how an answer is read, and how it may be skipped."""

    key: str
    label: str
    question: Question
    answer: Answer
    help: str = ""
    optional: bool = False
    skip_updates: Mapping[str, Any] = field(default_factory=dict)
    entry: bool = True
    # Counted steps show progress like (3/9); the consent and the summary are not counted.
    counted: bool = True
    # Whether command words of other features ("修改 单位") are answers here (summaries).
    takes_commands: bool = False


def word_of(text: str) -> str:
    """Return ``text`` as a command word: NFKC-normalised, stripped, lower-case."""
    return unicodedata.normalize("NFKC", text).strip().lower()


@dataclass(frozen=True)
class FieldNames:
    """The questions of a flow that a person can name to correct them ("修改 单位", "4")."""

    fields: Mapping[str, tuple[str, Iterable[str]]]  # step key -> (label, aliases)
    edit_prefixes: tuple[str, ...]

    def named(self, text: str) -> str | None:
        """Return the step key a person means by a field name or number, or None."""
        word = word_of(text)
        for prefix in self.edit_prefixes:
            if word.startswith(prefix):
                word = word[len(prefix) :].strip()
                break
        keys = list(self.fields)
        if word.isdigit() and 1 <= int(word) <= len(keys):
            return keys[int(word) - 1]
        return next(
            (key for key, (_label, aliases) in self.fields.items() if word in aliases), None
        )

    def correction_target(self, text: str) -> str | None:
        """Return the question a person wants to correct ("修改 单位"), or None."""
        if not word_of(text).startswith(self.edit_prefixes):
            return None
        return self.named(text)

    def summary_answer(self, confirm_words: Iterable[str], confirm: Answer, unclear: str) -> Answer:
        """Return the answer to a summary: confirm, or name a question to go back and fix."""
        words = frozenset(confirm_words)

        def answer(ctx: Context, text: str, data: dict[str, Any]) -> Outcome:
            if word_of(text) in words:
                return confirm(ctx, text, data)
            field = self.named(text)
            if field is not None:
                return Advance({RETURN_TO: "summary"}, goto=field)
            return Reject(unclear)

        return answer


def trimmed(text: str, *, spoken: bool = False) -> str:
    """Return a short (or spoken) answer without the full stop people and speech add."""
    if not spoken and len(text) > SHORT_ANSWER:
        return text
    return text.rstrip(TRAILING_PUNCTUATION) or text


def fixed(text: str) -> Question:
    """Return a question that always reads ``text``."""
    return lambda ctx, data: text


class StepFlow:
    """A registered dialog flow made of ``steps``."""

    def __init__(
        self,
        name: str,
        steps: Iterable[Step],
        *,
        title: str,
        start_words: Iterable[str] = (),
        on_cancel: Callable[[Context, dict[str, Any]], str] | None = None,
        on_group_done: Callable[[Context, dict[str, Any]], Outcome] | None = None,
        keep_on_restart: tuple[str, ...] = (),
        restart_at: Callable[[Mapping[str, Any]], str] | None = None,
        jump_to: Callable[[str], str | None] | None = None,
        show_progress: bool = True,
    ) -> None:
        self.name = name
        self.steps = {step.key: step for step in steps}
        self.order = list(self.steps)
        self.title = title
        self.start_words = frozenset(word_of(word) for word in start_words)
        self.on_cancel = on_cancel
        # When set, the flow edits one thing: the first finished group calls this.
        self.on_group_done = on_group_done
        self.keep_on_restart = keep_on_restart
        self.restart_at = restart_at
        # Reads "修改 单位" as the step to go back to for a correction, if the flow allows it.
        self.jump_to = jump_to
        self.show_progress = show_progress
        entries = [key for key in self.order if self.steps[key].entry and self.steps[key].counted]
        self.numbers = {key: index + 1 for index, key in enumerate(entries)}
        self.total = len(entries)
        registry.flow(name)(self.handle)

    # --- starting -----------------------------------------------------------------------------

    def start(
        self, ctx: Context, data: Mapping[str, Any] | None = None, *, at: str | None = None
    ) -> str:
        """Put the person at the first step (or ``at``); return the first question."""
        step = at or self.order[0]
        state_data = {HISTORY: [], **(data or {})}
        dialog_states.start_flow(ctx.session, ctx.openid, self.name, step, state_data, now=ctx.now)
        return self.ask(ctx, step, state_data)

    def resume(self, ctx: Context, state: DialogState) -> str:
        """Tell the person where they are and ask the current question again."""
        dialog_states.touch(ctx.session, state, now=ctx.now)
        intro = texts.ALREADY_HERE.format(title=self.title, where=self.where(state.step))
        return intro + "\n" + self.ask(ctx, state.step, dict(state.data))

    # --- the registered handler ---------------------------------------------------------------

    def handle(self, ctx: Context) -> str:
        """Read the person's message as the answer to their current step."""
        state = dialog_states.get_state(ctx.session, ctx.openid)
        if state is None or state.flow != self.name or state.step not in self.steps:
            logger.warning("flow %s lost its state; starting again", self.name)
            return self.start(ctx)
        # Answers keep the person's own characters (Chinese punctuation stays Chinese); command
        # words are compared after NFKC folding (word_of).
        raw = ctx.message.content.strip() if ctx.message.is_text else ""
        text = trimmed(raw, spoken=ctx.message.kind == "voice")
        word = texts.CONTROL_WORDS.get(word_of(text)) if text else None
        if ctx.now - state.updated_at > RESUME_AFTER and word not in {"cancel", "restart"}:
            return self._after_break(ctx, state, text, word)
        if not ctx.message.is_text:
            return texts.NOT_TEXT + "\n" + self.ask(ctx, state.step, dict(state.data))
        if LINK.match(text):
            return texts.LINK + "\n" + self.ask(ctx, state.step, dict(state.data))
        if word_of(text) in self.start_words:
            return self.resume(ctx, state)
        if word is not None:
            return self.controls[word](self, ctx, state)
        step = self.steps[state.step]
        target = self.jump_to(text) if self.jump_to and not step.takes_commands else None
        if target is not None:
            return self._jump(ctx, state, target)
        other = registry.commands.get(word_of(text))
        if other is not None and not step.takes_commands:
            return self._interrupted_by(ctx, other)
        data = dict(state.data)
        return self.apply(ctx, state, step, data, step.answer(ctx, text, data))

    def _jump(self, ctx: Context, state: DialogState, target: str) -> str:
        data = dict(state.data)
        if target not in data.get(HISTORY, []):
            dialog_states.touch(ctx.session, state, now=ctx.now)
            return texts.NOT_YET + "\n" + self.ask(ctx, state.step, data)
        data[RETURN_TO] = state.step
        dialog_states.advance(ctx.session, state, target, data, now=ctx.now)
        return self.ask(ctx, target, data)

    def _interrupted_by(self, ctx: Context, command: Callable[[Context], str | None]) -> str:
        # A command of another feature (我的资料, 企业需求...) is obeyed, not taken as an answer.
        reply = command(ctx) or ""
        if dialog_states.active_flow(ctx.session, ctx.openid) == self.name:
            reply += texts.SEPARATOR + texts.PAUSED.format(title=self.title)
        return reply

    def _after_break(self, ctx: Context, state: DialogState, text: str, word: str | None) -> str:
        if word == "resume" or word_of(text) in self.start_words:
            dialog_states.touch(ctx.session, state, now=ctx.now)
            intro = texts.WELCOME_BACK.format(title=self.title)
            return intro + "\n" + self.ask(ctx, state.step, dict(state.data))
        other = registry.commands.get(word_of(text)) if text else None
        if other is not None and word is None:
            # A command of another feature (我的资料, 帮助...) still works after a break.
            reply = other(ctx)
            if reply:
                return reply
        return texts.REMINDER.format(title=self.title, where=self.where(state.step))

    # --- moving between steps -----------------------------------------------------------------

    def apply(
        self, ctx: Context, state: DialogState, step: Step, data: dict[str, Any], outcome: Outcome
    ) -> str:
        """Carry out an answer's outcome and return the reply."""
        if isinstance(outcome, Finish):
            dialog_states.clear(ctx.session, ctx.openid)
            return outcome.reply
        if isinstance(outcome, Reject):
            dialog_states.touch(ctx.session, state, now=ctx.now)
            return outcome.reason + "\n" + self.ask(ctx, step.key, data)
        data.update(outcome.updates)
        target = outcome.goto
        if target is None:
            if self.on_group_done is not None:
                return self.apply(ctx, state, step, data, self.on_group_done(ctx, data))
            target = data.pop(RETURN_TO, None) or self.next_entry(step.key)
            if target is None:
                raise LookupError(f"flow {self.name}: step {step.key} has no next step")
            group = self.group_of(step.key)
            history = data.get(HISTORY, [])
            if self.steps[group].counted and group not in history:
                data[HISTORY] = [*history, group]
        dialog_states.advance(ctx.session, state, target, data, now=ctx.now)
        question = self.ask(ctx, target, data)
        return f"{outcome.note}\n{question}" if outcome.note else question

    def ask(self, ctx: Context, key: str, data: dict[str, Any]) -> str:
        """Return the question of step ``key`` with its progress and hints."""
        step = self.steps[key]
        question = step.question(ctx, data)
        if step.optional:
            question += ("\n" if "\n" in question else "") + texts.SKIP_HINT
        number = self.numbers.get(self.group_of(key))
        if self.show_progress and number is not None and step.entry:
            question = texts.PROGRESS.format(number=number, total=self.total) + question
        return question

    def where(self, key: str) -> str:
        """Describe step ``key`` for a reminder ("第4步（工作单位）")."""
        group = self.group_of(key)
        number = self.numbers.get(group)
        if number is None or not self.show_progress:
            return texts.WHERE_OTHER.format(label=self.steps[group].label)
        return texts.WHERE_STEP.format(number=number, label=self.steps[group].label)

    def group_of(self, key: str) -> str:
        """Return the entry step that ``key`` follows up (itself when it is an entry step)."""
        index = self.order.index(key)
        while index > 0 and not self.steps[self.order[index]].entry:
            index -= 1
        return self.order[index]

    def next_entry(self, key: str) -> str | None:
        """Return the entry step after the group of ``key``."""
        index = self.order.index(key) + 1
        while index < len(self.order):
            candidate = self.order[index]
            if self.steps[candidate].entry:
                return candidate
            index += 1
        return None

    # --- control words ------------------------------------------------------------------------

    def _back(self, ctx: Context, state: DialogState) -> str:
        data = dict(state.data)
        step = self.steps[state.step]
        history = list(data.get(HISTORY, []))
        if not step.entry:
            target = self.group_of(step.key)
        elif history:
            target = history.pop()
        else:
            dialog_states.touch(ctx.session, state, now=ctx.now)
            return texts.AT_FIRST + "\n" + self.ask(ctx, step.key, data)
        data[HISTORY] = history
        data.pop(RETURN_TO, None)
        dialog_states.advance(ctx.session, state, target, data, now=ctx.now)
        return texts.BACK + "\n" + self.ask(ctx, target, data)

    def _skip(self, ctx: Context, state: DialogState) -> str:
        step = self.steps[self.group_of(state.step)]
        data = dict(state.data)
        if not step.optional:
            dialog_states.touch(ctx.session, state, now=ctx.now)
            return texts.CANNOT_SKIP + "\n" + self.ask(ctx, state.step, data)
        return self.apply(ctx, state, step, data, Advance(step.skip_updates))

    def _cancel(self, ctx: Context, state: DialogState) -> str:
        data = dict(state.data)
        dialog_states.clear(ctx.session, ctx.openid)
        return self.on_cancel(ctx, data) if self.on_cancel else texts.CANCELLED

    def _help(self, ctx: Context, state: DialogState) -> str:
        dialog_states.touch(ctx.session, state, now=ctx.now)
        step = self.steps[state.step]
        help_text = texts.HELP.format(help=step.help or self.steps[self.group_of(step.key)].help)
        return help_text + "\n\n" + self.ask(ctx, state.step, dict(state.data))

    def _restart(self, ctx: Context, state: DialogState) -> str:
        data = {key: state.data[key] for key in self.keep_on_restart if key in state.data}
        first = self.restart_at(data) if self.restart_at else self.order[0]
        data[HISTORY] = []
        dialog_states.advance(ctx.session, state, first, data, now=ctx.now)
        return texts.RESTARTED + "\n" + self.ask(ctx, first, data)

    def _repeat(self, ctx: Context, state: DialogState) -> str:
        dialog_states.touch(ctx.session, state, now=ctx.now)
        return texts.REPEAT + "\n" + self.ask(ctx, state.step, dict(state.data))

    controls: dict[str, Callable[[StepFlow, Context, DialogState], str]] = {
        "back": _back,
        "skip": _skip,
        "cancel": _cancel,
        "help": _help,
        "restart": _restart,
        "resume": _repeat,
    }


def _active_flow(ctx: Context) -> str | None:
    return dialog_states.active_flow(ctx.session, ctx.openid)


registry.active_flow = _active_flow
