"""Console users: organisers, administrators and enterprise contacts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from bot.db import utcnow
from bot.models import ConsoleUser, Role
from bot.validators import ValidationError


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    is_demo: bool = False,
) -> ConsoleUser:
    """Create a console user with a hashed password."""
    username = username.strip()
    if not username or len(username) > 64:
        raise ValidationError("username", "用户名不能为空。", "username must be 1-64 characters")
    if len(password) < 8:
        raise ValidationError(
            "password", "密码至少8位。", "password must have at least 8 characters"
        )
    if get_user(session, username) is not None:
        raise ValidationError("username", "用户名已存在。", f"user {username!r} already exists")
    user = ConsoleUser(
        username=username,
        password_hash=generate_password_hash(password),
        role=role,
        display_name=display_name or username,
        is_demo=is_demo,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> ConsoleUser | None:
    """Return the console user called ``username`` or None."""
    return session.scalars(select(ConsoleUser).where(ConsoleUser.username == username)).first()


def authenticate(session: Session, username: str, password: str) -> ConsoleUser | None:
    """Return the active user whose password matches, and note the login; otherwise None."""
    user = get_user(session, username)
    if user is None or not user.is_active or not check_password_hash(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    return user
