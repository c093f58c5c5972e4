"""The domain model: every table HuaiCai keeps, typed SQLAlchemy 2, one module per domain."""

from __future__ import annotations

from bot.models.accounts import ConsoleUser, Role
from bot.models.cooperation import Demand, DemandStatus, Enterprise, Match, MatchStatus
from bot.models.events import Event, EventStatus, Invitation, InvitationStatus
from bot.models.messaging import (
    DialogState,
    InboundMessage,
    OutboxMessage,
    OutboxStatus,
    WechatAccessToken,
)
from bot.models.privacy import AuditEntry, Consent, ConsentPurpose
from bot.models.talents import Talent, TalentStatus

__all__ = [
    "AuditEntry",
    "Consent",
    "ConsentPurpose",
    "ConsoleUser",
    "Demand",
    "DemandStatus",
    "DialogState",
    "Enterprise",
    "Event",
    "EventStatus",
    "InboundMessage",
    "Invitation",
    "InvitationStatus",
    "Match",
    "MatchStatus",
    "OutboxMessage",
    "OutboxStatus",
    "Role",
    "Talent",
    "TalentStatus",
    "WechatAccessToken",
]
