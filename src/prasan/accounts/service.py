"""Accounts as plain functions: create people, check passwords with a rate limit, map OIDC logins.

The rate limit counts failed attempts in the database, not in memory, so it holds when several
web processes serve the same users.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prasan.accounts.models import LoginAttempt, User, UserRole
from prasan.accounts.schemas import UserCreate, UserRead
from prasan.core.db import utcnow
from prasan.core.errors import Conflict, NotAuthenticated, RateLimited, ValidationFailed
from prasan.core.ids import validate_citizen_id
from prasan.core.roles import Role
from prasan.core.settings import Settings

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def to_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=sorted(Role(r) for r in user.role_names),
        citizen_id=user.citizen_id,
        agency_code=user.agency_code,
        is_active=user.is_active,
    )


def create_user(*, session: Session, data: UserCreate) -> User:
    if Role.OFFICER in data.roles and not data.agency_code:
        raise ValidationFailed(
            "An officer belongs to an agency: give agency_code",
            detail_th="เจ้าหน้าที่ต้องสังกัดหน่วยงาน: ระบุ agency_code",
            errors=[{"field": "agency_code", "message": "required for officers"}],
        )
    cid = validate_citizen_id(data.citizen_id) if data.citizen_id else None
    if Role.CITIZEN in data.roles and cid is None:
        raise ValidationFailed(
            "A citizen account needs the person's 13-digit citizen_id",
            detail_th="บัญชีประชาชนต้องมีเลขประจำตัวประชาชน 13 หลัก",
            errors=[{"field": "citizen_id", "message": "required for citizens"}],
        )
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict(
            f"Username {data.username!r} is taken: choose another",
            detail_th=f"ชื่อผู้ใช้ {data.username!r} ถูกใช้แล้ว: เลือกชื่ออื่น",
        )
    if cid and session.scalar(select(User.id).where(User.citizen_id == cid)) is not None:
        raise Conflict(
            f"Citizen ID {cid} already has an account",
            detail_th=f"เลขประจำตัวประชาชน {cid} มีบัญชีอยู่แล้ว",
        )
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password) if data.password else None,
        citizen_id=cid,
        agency_code=data.agency_code,
        roles=[UserRole(role=r.value) for r in dict.fromkeys(data.roles)],
    )
    session.add(user)
    session.flush()
    return user


def list_users(*, session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def _check_rate(*, session: Session, username: str, settings: Settings) -> None:
    since = utcnow() - dt.timedelta(seconds=settings.login_window_s)
    rows = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.username == username,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at >= since,
        )
    ).one()
    failures, oldest = rows
    if failures >= settings.login_max_failures:
        oldest_at = oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.UTC)
        wait = int(
            (oldest_at + dt.timedelta(seconds=settings.login_window_s) - utcnow()).total_seconds()
        )
        wait = max(wait, 1)
        raise RateLimited(
            f"Too many failed sign-ins for {username!r}: wait {wait // 60 + 1} minutes and try again",
            detail_th=f"เข้าสู่ระบบผิดหลายครั้งเกินไปสำหรับ {username!r}: รอ {wait // 60 + 1} นาทีแล้วลองใหม่",
            retry_after=wait,
        )


def authenticate(
    *, session: Session, username: str, password: str, client: str, settings: Settings
) -> User:
    """Check a password; every attempt is recorded and the caller commits even on failure."""
    username = username.strip()
    _check_rate(session=session, username=username, settings=settings)
    user = session.scalar(select(User).where(User.username == username))
    ok = False
    if user is not None and user.is_active and user.password_hash:
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        # Spend the same time as a real check so response time does not reveal usernames.
        _hasher.hash(password)
    session.add(LoginAttempt(username=username, client=client[:64], succeeded=ok))
    session.flush()
    if not ok or user is None:
        raise NotAuthenticated(
            "Wrong username or password: check both and try again",
            detail_th="ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง: ตรวจสอบแล้วลองใหม่",
        )
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    return user


def user_from_oidc(
    *,
    session: Session,
    issuer: str,
    claims: Mapping[str, Any],
    citizen_id_claim: str,
    default_roles: Iterable[Role] = (Role.CITIZEN,),
) -> User:
    """Find or create the person an OpenID Connect provider vouched for."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise NotAuthenticated(
            "The identity provider returned no subject ('sub'): sign in again",
            detail_th="ผู้ให้บริการยืนยันตัวตนไม่ได้ส่งรหัสผู้ใช้กลับมา: เข้าสู่ระบบใหม่",
        )
    user = session.scalar(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
    )
    if user is not None:
        return user
    raw_cid = claims.get(citizen_id_claim)
    cid = validate_citizen_id(str(raw_cid)) if raw_cid else None
    if cid:
        user = session.scalar(select(User).where(User.citizen_id == cid))
        if user is not None:
            user.oidc_issuer, user.oidc_subject = issuer, subject
            return user
    name = str(claims.get("name") or claims.get("preferred_username") or subject)
    user = User(
        username=f"oidc:{subject}"[:120],
        display_name=name[:200],
        citizen_id=cid,
        oidc_issuer=issuer,
        oidc_subject=subject,
        roles=[UserRole(role=r.value) for r in default_roles],
    )
    session.add(user)
    session.flush()
    return user
