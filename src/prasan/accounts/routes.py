"""Sign-in pages and the accounts API. Thin: the work is in ``service.py``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from prasan.accounts import service
from prasan.accounts.models import User
from prasan.accounts.schemas import UserCreate, UserRead
from prasan.core.errors import NotAuthenticated, RateLimited
from prasan.core.settings import Settings
from prasan.web.deps import (
    SESSION_USER_KEY,
    AnyUser,
    CurrentAdmin,
    PublicUser,
    SessionDep,
    SettingsDep,
    csrf_token,
)
from prasan.web.templating import render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["accounts"])


def safe_next(target: str | None) -> str:
    """Only same-site paths, so the login form cannot send people elsewhere."""
    if not target:
        return "/account"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/account"
    return target


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def sign_in(request: Request, user: User) -> None:
    # A fresh session (and CSRF token) at sign-in defeats session fixation.
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    csrf_token(request)


def _login(
    *, request: Request, session: Session, settings: Settings, username: str, password: str
) -> User:
    try:
        user = service.authenticate(
            session=session,
            username=username,
            password=password,
            client=_client(request),
            settings=settings,
        )
    except (NotAuthenticated, RateLimited):
        session.commit()  # keep the record of the failed attempt: the rate limit counts it
        raise
    sign_in(request, user)
    return user


@pages.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, user: PublicUser, settings: SettingsDep, next: str | None = None
) -> HTMLResponse:
    return render(
        request,
        "login.html",
        {"next": safe_next(next), "oidc_enabled": settings.oidc_enabled, "settings": settings},
    )


@pages.post("/login", response_model=None)
def login_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PublicUser,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/account",
) -> Response:
    try:
        _login(
            request=request,
            session=session,
            settings=settings,
            username=username,
            password=password,
        )
    except (NotAuthenticated, RateLimited) as exc:
        page = render(
            request,
            "login.html",
            {
                "next": safe_next(next),
                "username": username,
                "error": exc,
                "oidc_enabled": settings.oidc_enabled,
                "settings": settings,
            },
            status_code=exc.status,
        )
        page.headers.update(exc.headers)
        return page
    return RedirectResponse(safe_next(next), status_code=303)


@pages.post("/logout")
def logout(request: Request, user: PublicUser) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@pages.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: AnyUser) -> HTMLResponse:
    return render(request, "account.html", {"account": service.to_read(user)})


@pages.get("/admin/users", response_class=HTMLResponse)
def admin_users_page(request: Request, session: SessionDep, user: CurrentAdmin) -> HTMLResponse:
    users = [service.to_read(u) for u in service.list_users(session=session)]
    return render(request, "admin_users.html", {"users": users})


class SessionInfo(BaseModel):
    csrf_token: str
    user: UserRead | None


class LoginBody(BaseModel):
    username: str
    password: str


@api.get("/session", summary="The current session and its CSRF token")
def get_session_info(request: Request, user: PublicUser) -> SessionInfo:
    return SessionInfo(csrf_token=csrf_token(request), user=service.to_read(user) if user else None)


@api.post("/session", summary="Sign in with a username and password")
def api_login(
    request: Request, body: LoginBody, session: SessionDep, settings: SettingsDep, user: PublicUser
) -> SessionInfo:
    signed_in = _login(
        request=request,
        session=session,
        settings=settings,
        username=body.username,
        password=body.password,
    )
    return SessionInfo(csrf_token=csrf_token(request), user=service.to_read(signed_in))


@api.delete("/session", status_code=204, summary="Sign out")
def api_logout(request: Request, user: PublicUser) -> Response:
    request.session.clear()
    return Response(status_code=204)


@api.get("/me", summary="Who is signed in")
def me(user: AnyUser) -> UserRead:
    return service.to_read(user)


@api.get("/admin/users", summary="Every account (administrators)")
def admin_list_users(session: SessionDep, user: CurrentAdmin) -> list[UserRead]:
    return [service.to_read(u) for u in service.list_users(session=session)]


@api.post("/admin/users", status_code=201, summary="Create an account (administrators)")
def admin_create_user(body: UserCreate, session: SessionDep, user: CurrentAdmin) -> UserRead:
    return service.to_read(service.create_user(session=session, data=body))
