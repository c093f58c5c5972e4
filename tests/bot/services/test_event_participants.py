"""Participants: the status table, seats, approval, the waitlist and its offers, check-in."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.models import EventStatus, Invitation, InvitationStatus, OutboxMessage
from bot.services import events
from bot.validators import ValidationError
from tests.factories import make_event, make_talent

S = InvitationStatus
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def _open_event(session: Session, **overrides: object) -> events.Event:
    fields: dict[str, object] = {
        "starts_at": NOW + timedelta(days=7),
        "status": EventStatus.OPEN,
        "kind": "对接会",
    }
    fields.update(overrides)
    return make_event(session, **fields)


def test_every_status_has_a_row_in_the_transition_table_and_attended_is_final() -> None:
    assert set(events.TRANSITIONS) == set(InvitationStatus)
    assert events.TRANSITIONS[S.ATTENDED] == frozenset()
    for targets in events.TRANSITIONS.values():
        assert S.PROPOSED not in targets


def test_forbidden_transition_raises(db_session: Session) -> None:
    event = _open_event(db_session)
    invitation = events.propose_invitation(db_session, event, make_talent(db_session))
    events.transition(invitation, S.INVITED, NOW)
    with pytest.raises(events.InvalidTransition):
        events.transition(invitation, S.NO_SHOW, NOW)
    assert invitation.status is S.INVITED and invitation.sent_at == NOW


def test_event_fields_are_validated(db_session: Session) -> None:
    with pytest.raises(ValidationError):
        make_event(db_session, kind="茶话会")
    with pytest.raises(ValidationError):
        make_event(
            db_session,
            starts_at=NOW,
            rsvp_deadline=NOW + timedelta(hours=1),
        )
    event = _open_event(db_session, capacity=2)
    events.edit_event(db_session, event, title="新材料对接会（第二场）", capacity=3)
    assert (event.title, event.capacity) == ("新材料对接会（第二场）", 3)


def test_invited_person_registers_then_the_full_event_waitlists_the_next(
    db_session: Session,
) -> None:
    event = _open_event(db_session, capacity=1)
    first, second = make_talent(db_session), make_talent(db_session)
    events.transition(events.propose_invitation(db_session, event, first), S.INVITED, NOW)
    result = events.register(db_session, event.id, talent_id=first.id, now=NOW)
    assert result.outcome == "registered"
    # Someone not invited may register too: the seat is gone, so the waitlist.
    late = events.register(db_session, event.id, openid=second.openid, now=NOW)
    assert late.outcome == "waitlisted"
    assert late.invitation is not None and late.invitation.talent_id == second.id
    assert events.register(db_session, event.id, talent_id=first.id, now=NOW).outcome == (
        "unchanged"
    )


def test_cancelling_offers_the_seat_to_the_longest_waiting_with_a_time_limit(
    db_session: Session,
) -> None:
    event = _open_event(db_session, capacity=1)
    holder, early, later = (make_talent(db_session) for _ in range(3))
    events.register(db_session, event.id, talent_id=holder.id, now=NOW)
    events.register(db_session, event.id, talent_id=early.id, now=NOW + timedelta(minutes=1))
    events.register(db_session, event.id, talent_id=later.id, now=NOW + timedelta(minutes=2))
    result = events.decline(
        db_session, event.id, talent_id=holder.id, now=NOW + timedelta(hours=1), offer_hours=24
    )
    assert result.outcome == "cancelled"
    offered = events.participation(db_session, event.id, talent_id=early.id)
    assert offered is not None and offered.status is S.OFFERED
    assert offered.offer_expires_at == NOW + timedelta(hours=25)
    waiting = events.participation(db_session, event.id, talent_id=later.id)
    assert waiting is not None and waiting.status is S.WAITLISTED
    message = db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.openid == early.openid)
    ).one()
    assert "空出了一个名额" in message.payload["content"] and message.proactive
    # Accepting the offer keeps the held seat.
    accepted = events.register(
        db_session, event.id, talent_id=early.id, now=NOW + timedelta(hours=2)
    )
    assert accepted.outcome == "registered"


def test_expired_offer_goes_to_the_next_in_line_and_running_twice_changes_nothing(
    db_session: Session,
) -> None:
    event = _open_event(db_session, capacity=1)
    holder, early, later = (make_talent(db_session) for _ in range(3))
    events.register(db_session, event.id, talent_id=holder.id, now=NOW)
    events.register(db_session, event.id, talent_id=early.id, now=NOW + timedelta(minutes=1))
    events.register(db_session, event.id, talent_id=later.id, now=NOW + timedelta(minutes=2))
    events.decline(db_session, event.id, talent_id=holder.id, now=NOW, offer_hours=1)
    after = NOW + timedelta(hours=2)
    assert events.expire_offers(db_session, after, offer_hours=1) == 1
    assert events.expire_offers(db_session, after, offer_hours=1) == 0
    statuses = {
        talent.id: events.participation(db_session, event.id, talent_id=talent.id).status  # type: ignore[union-attr]
        for talent in (holder, early, later)
    }
    assert statuses == {holder.id: S.CANCELLED, early.id: S.CANCELLED, later.id: S.OFFERED}
    # An expired offer cannot be accepted any more: asking again joins the waitlist's end.
    late = events.register(db_session, event.id, talent_id=early.id, now=after)
    assert late.outcome == "waitlisted"
    assert events.seats_taken(db_session, event.id) == 1


def test_approval_puts_registrations_in_a_queue(db_session: Session) -> None:
    event = _open_event(db_session, capacity=1, needs_approval=True)
    first, second = make_talent(db_session), make_talent(db_session)
    a = events.register(db_session, event.id, talent_id=first.id, now=NOW)
    b = events.register(db_session, event.id, talent_id=second.id, now=NOW)
    assert (a.outcome, b.outcome) == ("awaiting_approval", "awaiting_approval")
    assert events.seats_taken(db_session, event.id) == 0
    assert a.invitation is not None and b.invitation is not None
    assert events.approve(db_session, a.invitation.id, approved=True, now=NOW).status is (
        S.REGISTERED
    )
    assert events.approve(db_session, b.invitation.id, approved=True, now=NOW).status is (
        S.WAITLISTED
    )
    told = {
        m.openid: m.payload["content"]
        for m in db_session.scalars(select(OutboxMessage))
        if m.dedupe_key.startswith("decision:")
    }
    assert "已通过审核，期待您的到来" in told[first.openid]
    assert "候补" in told[second.openid]
    with pytest.raises(events.InvalidTransition):
        events.approve(db_session, a.invitation.id, approved=False, now=NOW)


def test_registration_closes_at_the_deadline(db_session: Session) -> None:
    event = _open_event(db_session, rsvp_deadline=NOW + timedelta(days=1))
    talent = make_talent(db_session)
    result = events.register(db_session, event.id, talent_id=talent.id, now=NOW + timedelta(days=2))
    assert result.outcome == "closed"
    assert events.participation(db_session, event.id, talent_id=talent.id) is None


def test_check_in_outcomes(db_session: Session) -> None:
    event = _open_event(db_session, starts_at=NOW, ends_at=NOW + timedelta(hours=3))
    registered = make_talent(db_session)
    events.register(db_session, event.id, talent_id=registered.id, now=NOW - timedelta(days=1))
    scene = event.qr_scene or ""
    assert events.check_in(db_session, "event-nope", openid="o-x", now=NOW).outcome == "unknown"
    early = events.check_in(
        db_session, scene, openid=registered.openid or "", now=NOW - timedelta(days=1)
    )
    assert early.outcome == "too_early"
    first = events.check_in(db_session, scene, openid=registered.openid or "", now=NOW)
    assert first.outcome == "checked_in"
    again = events.check_in(db_session, scene, openid=registered.openid or "", now=NOW)
    assert again.outcome == "already"
    walk_in = events.check_in(db_session, scene, openid="o-stranger", now=NOW)
    assert walk_in.outcome == "walk_in"
    assert walk_in.invitation is not None and walk_in.invitation.talent_id is None
    assert walk_in.invitation.source == "walk_in"
    late = events.check_in(db_session, scene, openid="o-late", now=NOW + timedelta(hours=4))
    assert late.outcome == "ended"


def test_no_shows_are_marked_after_the_event_once(db_session: Session) -> None:
    event = _open_event(db_session, starts_at=NOW, ends_at=NOW + timedelta(hours=2))
    came, stayed_home = make_talent(db_session), make_talent(db_session)
    for talent in (came, stayed_home):
        events.register(db_session, event.id, talent_id=talent.id, now=NOW - timedelta(days=1))
    events.check_in(db_session, event.qr_scene or "", openid=came.openid or "", now=NOW)
    assert events.mark_no_shows(db_session, NOW + timedelta(hours=1)) == 0
    assert events.mark_no_shows(db_session, NOW + timedelta(hours=3)) == 1
    assert events.mark_no_shows(db_session, NOW + timedelta(hours=3)) == 0
    row = events.participation(db_session, event.id, talent_id=stayed_home.id)
    assert row is not None and row.status is S.NO_SHOW
    rows = events.attendance_rows(db_session, event, zone=UTC)
    assert sorted(r["状态"] for r in rows) == ["已签到", "未到场"]


def _take_seat(database: Database, event_id: int, openid: str, barrier: threading.Barrier) -> str:
    with database.session() as session, session.begin():
        barrier.wait(timeout=10)
        return events.register(session, event_id, openid=openid, now=NOW).outcome


def test_two_people_taking_the_last_seat_at_once_one_gets_it_one_is_waitlisted(
    committed_database: Database, request: pytest.FixtureRequest
) -> None:
    with committed_database.transaction() as session:
        created = _open_event(session, capacity=2)
        events.register(session, created.id, talent_id=make_talent(session).id, now=NOW)
        openids = [make_talent(session).openid or "" for _ in range(2)]
        event_id = created.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    # Widen the gap between counting the seats and taking one, so that without the event's
    # lock both threads would count the same free seat.
    def slow_insert(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO INVITATIONS"):
            time.sleep(0.2)

    event.listen(committed_database.engine, "before_cursor_execute", slow_insert)
    request.addfinalizer(
        lambda: event.remove(committed_database.engine, "before_cursor_execute", slow_insert)
    )
    threads = [
        threading.Thread(
            target=lambda o=openid: outcomes.append(
                _take_seat(committed_database, event_id, o, barrier)
            )
        )
        for openid in openids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["registered", "waitlisted"]
    with committed_database.transaction() as session:
        held = session.scalars(
            select(Invitation).where(
                Invitation.event_id == event_id, Invitation.status == S.REGISTERED
            )
        ).all()
        assert len(held) == 2


def test_event_ids_are_never_reused(db_session: Session) -> None:
    first = _open_event(db_session)
    old_id = first.id
    db_session.delete(first)
    db_session.flush()
    assert _open_event(db_session).id != old_id
