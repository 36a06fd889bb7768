"""FastAPI dependencies as ``Annotated`` aliases, and the role check every route declares.

A route either depends on ``Allow(Role..., ...)`` or on ``PUBLIC``; ``tests/web/test_roles.py``
walks every route of the app and fails if one declares neither.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from prasan.accounts.models import User
from prasan.core.db import session_scope
from prasan.core.errors import CsrfFailed, Forbidden, NotAuthenticated
from prasan.core.roles import ALL_ROLES, Role
from prasan.core.settings import Settings


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, committed once after the route returns, before the response."""
    with session_scope(request.app.state.settings) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]

SESSION_USER_KEY = "uid"
CSRF_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# Paths whose callers prove who they are by signing each request instead of a cookie.
CSRF_EXEMPT_PREFIXES = ("/x/",)


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_KEY] = token
    return str(token)


async def verify_csrf(request: Request) -> None:
    """Refuse any state-changing request whose token does not match the one in the session."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    if request.url.path.startswith(CSRF_EXEMPT_PREFIXES):
        return
    expected = request.session.get(CSRF_KEY)
    sent = request.headers.get(CSRF_HEADER)
    ctype = request.headers.get("content-type", "")
    if not sent and ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
        raise CsrfFailed(
            "This form has no valid anti-forgery token (it may have expired): reload the page "
            "and submit it again. API callers send the token from GET /api/v1/session in the "
            "X-CSRF-Token header.",
            detail_th="แบบฟอร์มนี้ไม่มีรหัสป้องกันการปลอมแปลงที่ถูกต้อง (อาจหมดอายุ): โหลดหน้าใหม่แล้วส่งอีกครั้ง",
        )


def current_user_or_none(request: Request, session: SessionDep) -> User | None:
    uid = request.session.get(SESSION_USER_KEY)
    if uid is None:
        return None
    user = session.get(User, uid)
    if user is None or not user.is_active:
        request.session.pop(SESSION_USER_KEY, None)
        return None
    request.state.user = user
    return user


OptionalUser = Annotated[User | None, Depends(current_user_or_none)]


class Allow:
    """The roles a route allows. ``Allow(public=True)`` says, explicitly, that anyone may call it."""

    def __init__(self, *roles: Role, public: bool = False) -> None:
        if not roles and not public:
            raise ValueError("Allow() needs at least one role, or public=True")
        self.roles = frozenset(roles)
        self.public = public

    def __repr__(self) -> str:
        return "Allow(public)" if self.public else f"Allow({', '.join(sorted(self.roles))})"

    def __call__(self, user: OptionalUser) -> User | None:
        if self.public:
            return user
        if user is None:
            raise NotAuthenticated(
                "You need to log in to see this",
                detail_th="ต้องเข้าสู่ระบบก่อนจึงจะดูหน้านี้ได้",
            )
        if not (user.role_names & self.roles):
            needed = ", ".join(sorted(self.roles))
            raise Forbidden(
                f"This needs one of the roles: {needed}. You are signed in as {user.username} "
                f"({', '.join(sorted(user.role_names))}); ask an administrator if you need access.",
                detail_th=f"ต้องมีบทบาทใดบทบาทหนึ่งต่อไปนี้: {needed} "
                f"คุณเข้าสู่ระบบในชื่อ {user.username}: ติดต่อผู้ดูแลระบบหากต้องการสิทธิ์",
            )
        return user


PUBLIC = Allow(public=True)
PublicUser = Annotated[User | None, Depends(PUBLIC)]
AnyUser = Annotated[User, Depends(Allow(*ALL_ROLES))]
CurrentCitizen = Annotated[User, Depends(Allow(Role.CITIZEN))]
CurrentOfficer = Annotated[User, Depends(Allow(Role.OFFICER))]
CurrentAnalyst = Annotated[User, Depends(Allow(Role.ANALYST, Role.ADMIN))]
CurrentPolicymaker = Annotated[User, Depends(Allow(Role.POLICYMAKER, Role.ADMIN))]
CurrentAdmin = Annotated[User, Depends(Allow(Role.ADMIN))]
