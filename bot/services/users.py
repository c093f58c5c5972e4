"""Console users (organisers, administrators, enterprise contacts) and API clients."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from bot.db import utcnow
from bot.models import ApiClient, ConsoleUser, Enterprise, Role
from bot.services import audit
from bot.validators import ValidationError

logger = logging.getLogger(__name__)

# Checked when the user name is unknown, so that path costs one hash check like the others
# and answers as slowly (no user names learnt from timing).
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))
ROLE_LABELS = {Role.ADMIN: "管理员", Role.ORGANISER: "工作人员", Role.ENTERPRISE: "企业用户"}


@dataclass(frozen=True)
class Operator:
    """A signed-in console user or API client, detached from any database session."""

    id: int
    username: str
    role: Role
    enterprise_id: int | None
    session_version: int = 0

    @property
    def actor(self) -> str:
        """Return how this user appears in the audit log."""
        return f"console:{self.username}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        """Return whether this is an organiser or an administrator."""
        return self.role in (Role.ADMIN, Role.ORGANISER)

    @classmethod
    def of(cls, user: ConsoleUser) -> Operator:
        return cls(
            id=user.id,
            username=user.username,
            role=Role(user.role),
            enterprise_id=user.enterprise_id,
            session_version=user.session_version,
        )


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise ValidationError(
            "password", "密码至少8位。", "password must have at least 8 characters"
        )
    if len(password) > 128:
        raise ValidationError("password", "密码最多128位。", "password is longer than 128")


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    enterprise_id: int | None = None,
    is_demo: bool = False,
    actor: str = "system",
) -> ConsoleUser:
    """Create a console user with a hashed password; enterprise users need their enterprise.

    Raises ValidationError (username empty, taken or too long; password shorter than 8; an
    enterprise user without an existing enterprise).
    """
    username = username.strip()
    if not username or len(username) > 64:
        raise ValidationError("username", "用户名不能为空，最多64个字符。", "username 1-64 chars")
    _check_password(password)
    if get_user(session, username) is not None:
        raise ValidationError("username", "用户名已存在。", f"user {username!r} already exists")
    if role == Role.ENTERPRISE:
        if enterprise_id is None or session.get(Enterprise, enterprise_id) is None:
            raise ValidationError(
                "enterprise_id",
                "企业用户要选定所属企业。",
                "an enterprise user needs an enterprise",
            )
    else:
        enterprise_id = None
    user = ConsoleUser(
        username=username,
        password_hash=generate_password_hash(password),
        role=role,
        display_name=(display_name or username)[:64],
        enterprise_id=enterprise_id,
        is_demo=is_demo,
        session_version=0,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "console_user", user.id, role=str(role))
    return user


def get_user(session: Session, username: str) -> ConsoleUser | None:
    """Return the console user called ``username`` or None."""
    return session.scalars(select(ConsoleUser).where(ConsoleUser.username == username)).first()


def get_user_by_id(session: Session, user_id: int) -> ConsoleUser | None:
    """Return the console user with ``user_id`` or None."""
    return session.get(ConsoleUser, user_id)


def list_users(session: Session) -> list[ConsoleUser]:
    """Return every console user, administrators first."""
    return list(session.scalars(select(ConsoleUser).order_by(ConsoleUser.role, ConsoleUser.id)))


def count_active_admins(session: Session) -> int:
    """Return how many active administrators there are."""
    query = select(func.count(ConsoleUser.id)).where(
        ConsoleUser.role == Role.ADMIN, ConsoleUser.is_active.is_(True)
    )
    return int(session.scalar(query) or 0)


def authenticate(
    session: Session, username: str, password: str, *, demo_mode: bool = True
) -> ConsoleUser | None:
    """Return the active user whose password matches, and note the login; otherwise None.

    An unknown user name costs one password hash check too. Outside demo mode a demo account
    (created by ``huaicai demo load``, with a published password) never signs in.
    """
    user = get_user(session, username.strip()) if len(username) <= 64 else None
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    if user.is_demo and not demo_mode:
        logger.warning("refused a demo account's login outside demo mode")
        return None
    user.last_login_at = utcnow()
    return user


def load_operator(session: Session, user_id: int, session_version: int) -> Operator | None:
    """Return the operator of a session cookie, or None when the user or that session ended."""
    user = session.get(ConsoleUser, user_id)
    if user is None or not user.is_active or user.session_version != session_version:
        return None
    if user.role == Role.ENTERPRISE and user.enterprise_id is None:
        return None
    return Operator.of(user)


def end_sessions(session: Session, user_id: int) -> None:
    """End every session of a user (logout, password change, deactivation)."""
    user = session.get(ConsoleUser, user_id)
    if user is not None:
        user.session_version += 1


def update_user(
    session: Session,
    user: ConsoleUser,
    *,
    actor: str,
    role: Role | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    enterprise_id: int | None = None,
) -> list[str]:
    """Change a user's role, activity or password; return what changed (audited).

    Raises ValidationError when the change would leave no active administrator.
    """
    changed: list[str] = []
    losing_admin = (
        user.role == Role.ADMIN
        and user.is_active
        and ((role is not None and role != Role.ADMIN) or is_active is False)
    )
    if losing_admin and count_active_admins(session) <= 1:
        raise ValidationError("role", "至少要保留一位在用的管理员。", "last active admin")
    if role is not None and role != user.role:
        if role == Role.ENTERPRISE and (
            enterprise_id is None or session.get(Enterprise, enterprise_id) is None
        ):
            raise ValidationError("enterprise_id", "企业用户要选定所属企业。", "no enterprise")
        user.role = role
        user.enterprise_id = enterprise_id if role == Role.ENTERPRISE else None
        changed.append("role")
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        changed.append("is_active")
    if password:
        _check_password(password)
        user.password_hash = generate_password_hash(password)
        changed.append("password")
    if changed:
        # Whatever changed, sessions opened under the old rights end now.
        user.session_version += 1
        audit.record(session, actor, "update", "console_user", user.id, fields=changed)
    return changed


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_client(
    session: Session,
    *,
    name: str,
    role: Role,
    enterprise_id: int | None = None,
    actor: str = "system",
) -> tuple[ApiClient, str]:
    """Create an API client; return it and its bearer token (shown once, stored hashed)."""
    name = name.strip()
    if not name or len(name) > 64:
        raise ValidationError("name", "名称不能为空，最多64个字符。", "name 1-64 chars")
    if session.scalars(select(ApiClient).where(ApiClient.name == name)).first() is not None:
        raise ValidationError("name", "这个名称已经用过了。", f"client {name!r} exists")
    if role == Role.ENTERPRISE and (
        enterprise_id is None or session.get(Enterprise, enterprise_id) is None
    ):
        raise ValidationError("enterprise_id", "企业客户端要选定所属企业。", "no enterprise")
    token = "hc_" + secrets.token_urlsafe(32)
    client = ApiClient(
        name=name,
        token_hash=_token_hash(token),
        role=role,
        enterprise_id=enterprise_id if role == Role.ENTERPRISE else None,
        is_active=True,
    )
    session.add(client)
    session.flush()
    audit.record(session, actor, "create", "api_client", client.id, role=str(role))
    return client, token


def authenticate_api_client(session: Session, token: str) -> Operator | None:
    """Return the operator of an active API client holding ``token``, or None."""
    if not token.startswith("hc_") or len(token) > 100:
        return None
    digest = _token_hash(token)
    client = session.scalars(select(ApiClient).where(ApiClient.token_hash == digest)).first()
    if client is None or not client.is_active or not hmac.compare_digest(client.token_hash, digest):
        return None
    client.last_used_at = utcnow()
    return Operator(
        id=-client.id,
        username=f"api-{client.name}",
        role=Role(client.role),
        enterprise_id=client.enterprise_id,
    )


def list_api_clients(session: Session) -> list[ApiClient]:
    """Return every API client, newest first."""
    return list(session.scalars(select(ApiClient).order_by(ApiClient.id.desc())))
