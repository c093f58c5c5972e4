"""The cooperation loop's scheduled work, as ``bot.jobs`` runs it: ``(session, config)`` each.

Every one is safe to run twice: expired asks are counted once (their status moves), messages
are queued under keys that name their period or event, referral codes are issued once and
referrals credited once, and liaisons are only given to talents without one.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.config import Config
from bot.db import utcnow
from bot.services import introductions, keep_in_touch, liaisons, referrals
from bot.wechat.client import make_client


def expire_introduction_asks(session: Session, config: Config) -> int:
    """Count asks unanswered for cooperation.answer_days as a no."""
    return introductions.expire_unanswered(session, now=utcnow())


def ask_how_introductions_went(session: Session, config: Config) -> int:
    """Ask both sides of month-old introductions nobody reported on how it went, once."""
    return introductions.ask_how_it_went(session, now=utcnow())


def send_digests(session: Session, config: Config) -> str:
    """Queue this week's digest of fitting new needs and events for people who opted in."""
    report = keep_in_touch.send_digests(
        session,
        now=utcnow(),
        max_items=config.cooperation.digest_items,
        timezone=config.app.timezone,
    )
    return f"{report.queued} digests for {report.considered} subscribers"


def yearly_profile_check(session: Session, config: Config) -> int:
    """Ask people registered a year or more ago whether their profile is still right."""
    from bot.dialogs.registration_texts import CONSENT_VERSION

    return keep_in_touch.yearly_check(session, consent_version=CONSENT_VERSION, now=utcnow())


def issue_referral_codes(session: Session, config: Config) -> int:
    """Ask WeChat for the referral QR codes people requested, and send them."""
    client = make_client(config, session.get_bind().engine)
    try:
        return referrals.issue_codes(session, client)
    finally:
        client.close()


def credit_referrals(session: Session, config: Config) -> int:
    """Credit people who registered after following a referral code; thank the referrers."""
    return referrals.credit_referrals(session, now=utcnow())


def assign_liaisons(session: Session, config: Config) -> int:
    """Give talents without a liaison the organiser their county or industry rule names."""
    return liaisons.assign_by_rules(session, actor="scheduler")
