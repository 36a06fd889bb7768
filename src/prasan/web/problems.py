"""The one place errors become HTTP: RFC 9457 ``application/problem+json`` for the API and a
bilingual page for people, carrying the same fields.

A request is answered as an API call when its path is under ``/api/`` or ``/x/`` or it does not
accept HTML; otherwise people get a page (and, for "log in first", a redirect to the login page).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from prasan.core.errors import (
    AuthError,
    Forbidden,
    InputError,
    MalformedBody,
    NotAuthenticated,
    NotFound,
    PrasanError,
    ValidationFailed,
)

log = logging.getLogger("prasan.web")

PROBLEM_TYPE_BASE = "/problems/"  # relative (RFC 9457 §3.1.1): each one is a page on this server


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/x/", "/openapi.json")):
        return True
    accept = request.headers.get("accept", "")
    return "text/html" not in accept and "*/*" not in accept and bool(accept)


def problem_body(exc: PrasanError, request: Request) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + exc.code,
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
        "instance": request.url.path,
        "code": exc.code,
        "title_th": exc.title_th,
        "detail_th": exc.detail_th,
    }
    if exc.errors:
        body["errors"] = exc.errors
    for key, value in exc.extra.items():
        body.setdefault(key, value)
    return body


def render_problem(request: Request, exc: PrasanError) -> Response:
    body = problem_body(exc, request)
    if wants_json(request):
        return JSONResponse(
            body, status_code=exc.status, headers=exc.headers, media_type="application/problem+json"
        )
    if isinstance(exc, NotAuthenticated) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    from prasan.web.templating import render

    resp = render(request, "error.html", {"problem": body}, status_code=exc.status)
    resp.headers.update(exc.headers)
    return resp


def _from_validation(exc: RequestValidationError) -> PrasanError:
    errors: list[dict[str, Any]] = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
        if err.get("type") == "json_invalid":
            ctx = err.get("ctx") or {}
            where = f" at character {err['loc'][-1]}" if len(err.get("loc", ())) > 1 else ""
            return MalformedBody(
                f"The request body is not valid JSON{where} ({ctx.get('error', 'syntax error')}): "
                "send a JSON object with Content-Type: application/json",
                detail_th="เนื้อหาคำขอไม่ใช่ JSON ที่ถูกต้อง: ส่งเป็นออบเจกต์ JSON "
                "พร้อม Content-Type: application/json",
            )
        errors.append(
            {
                "field": ".".join(loc) or "body",
                "message": err.get("msg", ""),
                "type": err.get("type"),
            }
        )
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return ValidationFailed(
        f"Some fields need correcting: {summary}",
        detail_th=f"มีข้อมูลที่ต้องแก้ไข: {summary}",
        errors=errors,
    )


def _from_http(exc: StarletteHTTPException) -> PrasanError:
    if exc.status_code == 404:
        return NotFound(
            "There is no page or endpoint at this address: check the link, or start from the home page",
            detail_th="ไม่มีหน้าหรือบริการที่ที่อยู่นี้: ตรวจสอบลิงก์ หรือเริ่มจากหน้าแรก",
        )
    if exc.status_code == 405:
        err = InputError(
            "This address does not accept that method",
            detail_th="ที่อยู่นี้ไม่รับคำขอแบบนี้",
            headers=dict(exc.headers or {}),
        )
        err.status = 405  # type: ignore[misc]
        return err
    if exc.status_code == 401:
        return NotAuthenticated(str(exc.detail))
    if exc.status_code == 403:
        return Forbidden(str(exc.detail))
    err2 = PrasanError(str(exc.detail))
    err2.status = exc.status_code  # type: ignore[misc]
    return err2


def install(app: FastAPI) -> None:
    async def on_prasan(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PrasanError)
        if exc.status >= 500:
            log.error("server error on %s: %s", request.url.path, exc, exc_info=exc)
        elif isinstance(exc, AuthError):
            log.info("refused %s %s: %s", request.method, request.url.path, exc.code)
        return render_problem(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return render_problem(request, _from_validation(exc))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return render_problem(request, _from_http(exc))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path, exc_info=exc)
        return render_problem(
            request,
            PrasanError(
                "Something went wrong on our side and nothing you sent was lost: try again, and "
                "tell the administrator if it keeps happening",
                detail_th="ระบบขัดข้องและข้อมูลที่ส่งมาไม่สูญหาย: ลองอีกครั้ง และแจ้งผู้ดูแลระบบหากยังเกิดซ้ำ",
            ),
        )

    app.add_exception_handler(PrasanError, on_prasan)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
