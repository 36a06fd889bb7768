"""The application factory: settings, database, middleware, error mapping and every part's router.

A part joins the platform by adding its router to ``PART_ROUTERS`` below; nothing else here
needs to know about it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from prasan import __version__
from prasan.accounts import oidc
from prasan.accounts import routes as accounts_routes
from prasan.core import db
from prasan.core.i18n import normalise_language
from prasan.core.settings import Settings, get_settings
from prasan.exchange import routes as exchange_routes
from prasan.web import pages, problems
from prasan.web.deps import verify_csrf

STATIC_DIR = Path(__file__).resolve().parent / "static"
LANG_COOKIE = "prasan_lang"
SESSION_COOKIE = "prasan_session"

PART_ROUTERS = [pages.router, accounts_routes.pages, accounts_routes.api, oidc.router]
PART_ROUTERS += [exchange_routes.hub, exchange_routes.api, exchange_routes.pages]


class LanguageMiddleware(BaseHTTPMiddleware):
    """Pick the page language: ``?lang=`` (remembered in a cookie), then the cookie, then Thai."""

    def __init__(self, app: object, default: str) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.default = default

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        asked = request.query_params.get("lang")
        lang = normalise_language(asked or request.cookies.get(LANG_COOKIE), self.default)
        request.state.lang = lang
        response = await call_next(request)
        response.headers.setdefault("Content-Language", lang)
        if asked and asked == lang:
            response.set_cookie(
                LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=False
            )
        return response


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        return response


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if migrate:
        db.upgrade(settings)
    app = FastAPI(
        title="Prasan API",
        version=__version__,
        description="Prasan (ประสาน): policy analysis, data exchange and one-stop services for "
        "Thai government agencies. Errors are RFC 9457 application/problem+json.",
        dependencies=[Depends(verify_csrf)],
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    problems.install(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(LanguageMiddleware, default=settings.default_language)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=bool(settings.cookie_secure),
    )
    for router in PART_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    return app
