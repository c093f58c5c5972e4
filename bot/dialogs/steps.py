"""A small engine for question-by-question dialogs: steps, progress and the control words.

A flow is an ordered list of steps. "Entry" steps are the numbered questions; a step may send
the person on to a follow-up step (a confirmation) with ``Advance(goto=...)``, and the follow-up
belongs to the entry step before it. Every answer is one of ``Advance``, ``Reject`` (say why and
ask again) or ``Finish`` (the flow is over). The engine handles 上一步, 跳过, 取消, 帮助,
重新开始 and 继续, non-text messages, and people coming back after a break.

Transitions are pure: each takes the person's ``FlowState`` (read once when the delivery was
claimed, in ``ctx.state``) and returns a ``Transition`` — the new state (None: no flow) and the
reply. ``StepFlow.handle`` puts the new state back in the context; the inbound service saves it
once per message. Answers may still act through services (create the talent, record a consent).
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
from bot.dispatch import Context, Handler, Registry
from bot.services.dialog_states import FlowState, new_state

logger = logging.getLogger(__name__)

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
    # After ``goto`` is answered, come back here (a correction made from the summary).
    return_to: str | None = None
    # Count these numbered questions as answered (answers taken over from elsewhere).
    history: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Reject:
    """Explain what is expected and ask the same question again."""

    reason: str


@dataclass(frozen=True)
class Finish:
    """End the flow with a last reply."""

    reply: str


Outcome = Advance | Reject | Finish
# ``data`` is the flow's answers so far: each flow reads it as its own TypedDict.
Answer = Callable[[Context, str, Any], Outcome]
Question = Callable[[Context, Any], str]


@dataclass(frozen=True)
class Transition:
    """The result of one message in a flow: the person's new state (None: no flow) and reply."""

    state: FlowState | None
    reply: str


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

        def answer(ctx: Context, text: str, data: Any) -> Outcome:
            if word_of(text) in words:
                return confirm(ctx, text, data)
            field = self.named(text)
            if field is not None:
                return Advance(goto=field, return_to="summary")
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
    """A dialog flow made of ``steps``; ``register`` puts its handler on a registry."""

    def __init__(
        self,
        name: str,
        steps: Iterable[Step],
        *,
        title: str,
        start_words: Iterable[str] = (),
        on_cancel: Callable[[Context, Any], str] | None = None,
        on_group_done: Callable[[Context, Any], Outcome] | None = None,
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

    def register(self, registry: Registry) -> None:
        """Make ``handle`` the handler of this flow on ``registry``."""
        registry.flow(self.name)(self.handle)

    # --- starting -----------------------------------------------------------------------------

    def start(
        self, ctx: Context, data: Mapping[str, Any] | None = None, *, at: str | None = None
    ) -> Transition:
        """Return the transition that puts the person at the first step (or ``at``)."""
        step = at or self.order[0]
        state = new_state(self.name, step, data or {}, ctx.now)
        return Transition(state, self.ask(ctx, step, state.data))

    def begin(
        self, ctx: Context, data: Mapping[str, Any] | None = None, *, at: str | None = None
    ) -> str:
        """Start the flow for the person in ``ctx``; return the first question."""
        return self._enter(ctx, self.start(ctx, data, at=at))

    def resume(self, ctx: Context, state: FlowState) -> Transition:
        """Return the transition that tells the person where they are and asks again."""
        intro = texts.ALREADY_HERE.format(title=self.title, where=self.where(state.step))
        return Transition(
            state.touched(ctx.now), intro + "\n" + self.ask(ctx, state.step, state.data)
        )

    def carry_on(self, ctx: Context, state: FlowState) -> str:
        """Resume the flow for the person in ``ctx``; return the reply."""
        return self._enter(ctx, self.resume(ctx, state))

    @staticmethod
    def _enter(ctx: Context, transition: Transition) -> str:
        ctx.state = transition.state
        return transition.reply

    # --- the registered handler ---------------------------------------------------------------

    def handle(self, ctx: Context) -> str:
        """Read the person's message as the answer to their current step."""
        return self._enter(ctx, self.transition(ctx))

    def transition(self, ctx: Context) -> Transition:
        """Return the new state and reply for the message in ``ctx``."""
        state = ctx.state
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
            return self._again(ctx, state, texts.NOT_TEXT)
        if LINK.match(text):
            return self._again(ctx, state, texts.LINK)
        if word_of(text) in self.start_words:
            return self.resume(ctx, state)
        if word is not None:
            return self.controls[word](self, ctx, state)
        step = self.steps[state.step]
        target = self.jump_to(text) if self.jump_to and not step.takes_commands else None
        if target is not None:
            return self._jump(ctx, state, target)
        other = ctx.command_for(text)
        if other is not None and not step.takes_commands:
            return self._interrupted_by(ctx, other)
        return self.apply(ctx, state, step, state.data, step.answer(ctx, text, dict(state.data)))

    def _again(self, ctx: Context, state: FlowState, intro: str) -> Transition:
        """Say ``intro`` and ask the current question again; the state is only touched."""
        return Transition(
            state.touched(ctx.now), intro + "\n" + self.ask(ctx, state.step, state.data)
        )

    def _jump(self, ctx: Context, state: FlowState, target: str) -> Transition:
        if target not in state.history:
            return self._again(ctx, state, texts.NOT_YET)
        moved = state.moved(target, state.data, ctx.now, return_to=state.step)
        return Transition(moved, self.ask(ctx, target, moved.data))

    def _interrupted_by(self, ctx: Context, command: Handler) -> Transition:
        # A command of another feature (我的资料, 企业需求...) is obeyed, not taken as an answer;
        # it may start a flow of its own (ctx.state), else the person stays where they were.
        reply = command(ctx) or ""
        if ctx.flow == self.name:
            reply += texts.SEPARATOR + texts.PAUSED.format(title=self.title)
        return Transition(ctx.state, reply)

    def _after_break(
        self, ctx: Context, state: FlowState, text: str, word: str | None
    ) -> Transition:
        if word == "resume" or word_of(text) in self.start_words:
            return self._again(ctx, state, texts.WELCOME_BACK.format(title=self.title))
        other = ctx.command_for(text) if text else None
        if other is not None and word is None:
            # A command of another feature (我的资料, 帮助...) still works after a break.
            reply = other(ctx)
            if reply:
                return Transition(ctx.state, reply)
        return Transition(
            state, texts.REMINDER.format(title=self.title, where=self.where(state.step))
        )

    # --- moving between steps -----------------------------------------------------------------

    def apply(
        self,
        ctx: Context,
        state: FlowState,
        step: Step,
        data: Mapping[str, Any],
        outcome: Outcome,
    ) -> Transition:
        """Carry out an answer's outcome: return the new state and the reply."""
        if isinstance(outcome, Finish):
            return Transition(None, outcome.reply)
        if isinstance(outcome, Reject):
            return Transition(
                state.touched(ctx.now), outcome.reason + "\n" + self.ask(ctx, step.key, data)
            )
        data = {**data, **outcome.updates}
        history = outcome.history if outcome.history is not None else state.history
        target = outcome.goto
        return_to = outcome.return_to
        if target is None:
            if self.on_group_done is not None:
                return self.apply(ctx, state, step, data, self.on_group_done(ctx, data))
            target = state.return_to or self.next_entry(step.key)
            if target is None:
                raise LookupError(f"flow {self.name}: step {step.key} has no next step")
            group = self.group_of(step.key)
            if self.steps[group].counted and group not in history:
                history = (*history, group)
        elif return_to is None:
            return_to = state.return_to
        moved = state.moved(target, data, ctx.now, history=history, return_to=return_to)
        question = self.ask(ctx, target, moved.data)
        return Transition(moved, f"{outcome.note}\n{question}" if outcome.note else question)

    def ask(self, ctx: Context, key: str, data: Mapping[str, Any]) -> str:
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

    def _back(self, ctx: Context, state: FlowState) -> Transition:
        step = self.steps[state.step]
        history = list(state.history)
        if not step.entry:
            target = self.group_of(step.key)
        elif history:
            target = history.pop()
        else:
            return self._again(ctx, state, texts.AT_FIRST)
        moved = state.moved(target, state.data, ctx.now, history=tuple(history))
        return Transition(moved, texts.BACK + "\n" + self.ask(ctx, target, moved.data))

    def _skip(self, ctx: Context, state: FlowState) -> Transition:
        step = self.steps[self.group_of(state.step)]
        if not step.optional:
            return self._again(ctx, state, texts.CANNOT_SKIP)
        return self.apply(ctx, state, step, state.data, Advance(step.skip_updates))

    def _cancel(self, ctx: Context, state: FlowState) -> Transition:
        reply = self.on_cancel(ctx, state.data) if self.on_cancel else texts.CANCELLED
        return Transition(None, reply)

    def _help(self, ctx: Context, state: FlowState) -> Transition:
        step = self.steps[state.step]
        group = self.steps[self.group_of(step.key)]
        help_text = texts.HELP.format(help=step.help or group.help)
        if group.optional:
            help_text += texts.SKIP_HELP
        return self._again(ctx, state, help_text + "\n")

    def _restart(self, ctx: Context, state: FlowState) -> Transition:
        data = {key: state.data[key] for key in self.keep_on_restart if key in state.data}
        first = self.restart_at(data) if self.restart_at else self.order[0]
        moved = state.moved(first, data, ctx.now, history=())
        return Transition(moved, texts.RESTARTED + "\n" + self.ask(ctx, first, data))

    def _repeat(self, ctx: Context, state: FlowState) -> Transition:
        return self._again(ctx, state, texts.REPEAT)

    controls: dict[str, Callable[[StepFlow, Context, FlowState], Transition]] = {
        "back": _back,
        "skip": _skip,
        "cancel": _cancel,
        "help": _help,
        "restart": _restart,
        "resume": _repeat,
    }
