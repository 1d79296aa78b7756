"""Accounts, passwords (argon2), login sessions with expiry, and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from models.store import Account, LoginSession, utcnow
from pipeline.store import Store

__all__ = ["ROLES", "SESSION_COOKIE", "Viewer", "check_csrf", "end_session", "hash_password", "sign_in", "viewer_of"]

ROLES = {"reviewer": "省级评审人员", "unit": "推荐单位", "admin": "管理员"}
SESSION_COOKIE = "shenhe_session"
IDLE_LIMIT = timedelta(hours=2)  # a session unused this long ends
ABSOLUTE_LIMIT = timedelta(hours=12)  # and none lasts longer than a working day
_hasher = PasswordHasher()
# Checked against when the name is unknown, so a wrong name takes as long as a wrong password.
_UNKNOWN = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Viewer:
    """The signed-in account of a request, and its session's CSRF token."""

    account_id: int
    name: str
    role: str
    unit: str | None
    csrf_token: str

    @property
    def sees_all(self) -> bool:
        return self.role in ("reviewer", "admin")

    @property
    def may_review(self) -> bool:
        return self.role in ("reviewer", "admin")

    @property
    def role_name(self) -> str:
        return ROLES[self.role]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(store: Store, name: str, password: str) -> str | None:
    """A new session's cookie token for a right name and password, else None."""
    with store.sessions() as session:
        account = session.scalar(select(Account).where(Account.name == name, Account.active.is_(True)))
    try:
        _hasher.verify(account.password_hash if account else _UNKNOWN, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None:
        return None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.sessions.begin() as session:
        session.add(LoginSession(token_sha256=_token_hash(token), account_id=account.id,
                                 csrf_token=secrets.token_urlsafe(32), created_at=now, last_seen_at=now,
                                 expires_at=now + ABSOLUTE_LIMIT))
    return token


def viewer_of(store: Store, token: str | None) -> Viewer | None:
    """The account a session cookie stands for, if the session is live (and it is kept alive)."""
    if not token:
        return None
    now = utcnow()
    with store.sessions.begin() as session:
        found = session.execute(select(LoginSession, Account).join(Account, Account.id == LoginSession.account_id)
                                .where(LoginSession.token_sha256 == _token_hash(token))).first()
        if found is None:
            return None
        login, account = found
        if (login.ended_at is not None or not account.active or _aware(login.expires_at) <= now
                or _aware(login.last_seen_at) + IDLE_LIMIT <= now):
            return None
        if now - _aware(login.last_seen_at) > timedelta(minutes=1):  # not a write on every request
            login.last_seen_at = now
        return Viewer(account.id, account.name, account.role, account.unit, login.csrf_token)


def end_session(store: Store, token: str | None) -> None:
    if token:
        with store.sessions.begin() as session:
            session.execute(update(LoginSession).where(LoginSession.token_sha256 == _token_hash(token))
                            .values(ended_at=utcnow()))


def check_csrf(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes for what was stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
