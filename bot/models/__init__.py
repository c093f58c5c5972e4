"""The domain model: every table HuaiCai keeps, typed SQLAlchemy 2, one module per domain."""

from __future__ import annotations

from bot.models.accounts import ApiClient, ConsoleUser, Role
from bot.models.cooperation import (
    ContactStatus,
    Demand,
    DemandStatus,
    Enterprise,
    EnterpriseContact,
    Match,
    MatchStatus,
    Outcome,
    OutcomeKind,
)
from bot.models.events import Event, EventStatus, Invitation, InvitationStatus
from bot.models.imports import DuplicateStatus, ImportBatch, ImportDuplicate
from bot.models.liaison import (
    ContactChannel,
    ContactLogEntry,
    LiaisonAssignment,
    LiaisonRule,
    Referral,
    ReferralCode,
)
from bot.models.messaging import (
    DialogState,
    InboundMessage,
    OutboxMessage,
    OutboxStatus,
    WechatAccessToken,
)
from bot.models.operations import SchedulerRun
from bot.models.privacy import AuditEntry, Consent, ConsentPurpose
from bot.models.security import AuditSubject, CallbackNonce
from bot.models.talents import Talent, TalentStatus

__all__ = [
    "ApiClient",
    "AuditEntry",
    "AuditSubject",
    "CallbackNonce",
    "Consent",
    "ConsentPurpose",
    "ConsoleUser",
    "ContactChannel",
    "ContactLogEntry",
    "ContactStatus",
    "Demand",
    "DemandStatus",
    "DialogState",
    "DuplicateStatus",
    "Enterprise",
    "EnterpriseContact",
    "Event",
    "ImportBatch",
    "ImportDuplicate",
    "EventStatus",
    "InboundMessage",
    "Invitation",
    "InvitationStatus",
    "LiaisonAssignment",
    "LiaisonRule",
    "Match",
    "MatchStatus",
    "OutboxMessage",
    "OutboxStatus",
    "Outcome",
    "OutcomeKind",
    "Referral",
    "ReferralCode",
    "Role",
    "SchedulerRun",
    "Talent",
    "TalentStatus",
    "WechatAccessToken",
]
