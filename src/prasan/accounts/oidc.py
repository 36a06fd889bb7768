"""Sign-in through an external OpenID Connect provider, so a national digital ID can be plugged in.

Authlib does the protocol (discovery, state and nonce in the signed session, code exchange, ID
token signature and claims checks); this module maps the verified claims to a Prasan user.
The routes exist only when ``PRASAN_OIDC_ISSUER`` and ``PRASAN_OIDC_CLIENT_ID`` are set.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from prasan.accounts import service
from prasan.core.errors import NotAuthenticated
from prasan.core.settings import Settings
from prasan.web.deps import PublicUser, SessionDep, SettingsDep

router = APIRouter(prefix="/auth/oidc", include_in_schema=False)
PROVIDER = "national_id"
NEXT_KEY = "oidc_next"


def _client(request: Request, settings: Settings) -> Any:
    oauth: OAuth | None = getattr(request.app.state, "oauth", None)
    if oauth is None:
        if not settings.oidc_enabled:
            raise NotAuthenticated(
                "Sign-in with an external identity provider is not configured here: use your "
                "username and password",
                detail_th="ระบบนี้ยังไม่ได้ตั้งค่าการเข้าสู่ระบบผ่านผู้ให้บริการยืนยันตัวตนภายนอก: ใช้ชื่อผู้ใช้และรหัสผ่าน",
            )
        oauth = OAuth()
        oauth.register(
            name=PROVIDER,
            server_metadata_url=settings.oidc_issuer.rstrip("/")
            + "/.well-known/openid-configuration",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret or None,
            client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256"},
        )
        request.app.state.oauth = oauth
    return oauth.create_client(PROVIDER)


@router.get("/login")
async def oidc_login(
    request: Request, settings: SettingsDep, user: PublicUser, next: str | None = None
) -> Response:
    from prasan.accounts.routes import safe_next

    client = _client(request, settings)
    request.session[NEXT_KEY] = safe_next(next)
    redirect_uri = str(request.url_for("oidc_callback"))
    response: Response = await client.authorize_redirect(request, redirect_uri)
    return response


@router.get("/callback", name="oidc_callback")
async def oidc_callback(
    request: Request, session: SessionDep, settings: SettingsDep, user: PublicUser
) -> Response:
    from prasan.accounts.routes import sign_in

    client = _client(request, settings)
    try:
        token = await client.authorize_access_token(request)
    except OAuthError as exc:
        raise NotAuthenticated(
            f"The identity provider did not confirm your sign-in ({exc.error}): try again",
            detail_th="ผู้ให้บริการยืนยันตัวตนไม่ยืนยันการเข้าสู่ระบบ: ลองอีกครั้ง",
        ) from exc
    claims = token.get("userinfo") or {}
    if not claims:
        raise NotAuthenticated(
            "The identity provider sent no ID token: check that the 'openid' scope is allowed",
            detail_th="ผู้ให้บริการยืนยันตัวตนไม่ได้ส่ง ID token: ตรวจสอบว่าอนุญาตขอบเขต openid",
        )
    next_path = request.session.pop(NEXT_KEY, "/account")
    found = service.user_from_oidc(
        session=session,
        issuer=settings.oidc_issuer,
        claims=claims,
        citizen_id_claim=settings.oidc_citizen_id_claim,
    )
    sign_in(request, found)
    return RedirectResponse(next_path, status_code=303)
