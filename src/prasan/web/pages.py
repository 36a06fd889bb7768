"""Platform pages that belong to no one part: home, health, API docs served without a CDN."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.openapi.docs import get_swagger_ui_html
from pydantic import BaseModel, Field
from sqlalchemy import text
from starlette.responses import HTMLResponse, JSONResponse

from prasan import __version__
from prasan.core.errors import InvalidCitizenId, NotFound, PrasanError, error_types
from prasan.core.ids import format_citizen_id, validate_citizen_id
from prasan.web.deps import PublicUser, SessionDep
from prasan.web.templating import render

router = APIRouter()


class Part:
    def __init__(self, key: str, title: str, summary: str, href: str | None, roles: str) -> None:
        self.key, self.title, self.summary, self.href, self.roles = key, title, summary, href, roles


# What the home page lists. ``href`` is None until the part's pages exist: the page says so
# rather than linking to nothing.
PARTS = [
    Part(
        "policy",
        "Policy relationships and redundancy",
        "Finds which government policies duplicate, overlap or relate to each other, with the "
        "passages that show it, so ministries stop running the same programme twice.",
        None,
        "Policy analysts and policymakers",
    ),
    Part(
        "exchange",
        "Data exchange between agencies",
        "Agencies fetch a citizen's record from the agency that owns it, with the citizen's "
        "consent, over signed calls written to a log anyone can verify: no more copies of ID "
        "cards and house registrations.",
        "/exchange/my-data",
        "Agencies; citizens see who read their data",
    ),
    Part(
        "services",
        "One Stop Service",
        "One portal for every agency's services: apply once, and the records you would have "
        "copied are fetched for you.",
        None,
        "Citizens and officers",
    ),
    Part(
        "resources",
        "Resources register",
        "Agencies' projects and budgets linked to the policies they serve.",
        None,
        "Officers and policymakers",
    ),
    Part(
        "insight",
        "Data for decisions",
        "Dashboards and open data that follow services, exchange and policy at every level.",
        None,
        "Policymakers and the public",
    ),
]


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, user: PublicUser) -> HTMLResponse:
    return render(request, "home.html", {"parts": PARTS})


@router.get("/healthz", tags=["platform"], summary="Liveness and database check")
def healthz(session: SessionDep, user: PublicUser) -> JSONResponse:
    try:
        session.execute(text("SELECT 1"))
    except Exception as exc:  # the check exists to report exactly this
        raise PrasanError(
            f"The database does not answer: {exc.__class__.__name__}",
            detail_th="ฐานข้อมูลไม่ตอบสนอง",
        ) from exc
    return JSONResponse({"status": "ok", "version": __version__, "database": "ok"})


@router.get("/api/docs", include_in_schema=False)
def api_docs(user: PublicUser) -> HTMLResponse:
    page = get_swagger_ui_html(
        openapi_url="/api/openapi.json",
        title="Prasan API",
        swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
    # Swagger UI starts itself with an inline script; allow that on this page only.
    page.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    )
    return page


class CitizenIdCheck(BaseModel):
    citizen_id: str = Field(description="13 digits; dashes, spaces and Thai digits are accepted")


class CitizenIdResult(BaseModel):
    citizen_id: str
    formatted: str
    valid: bool


@router.post(
    "/api/v1/tools/citizen-id",
    tags=["platform"],
    summary="Check a 13-digit Thai citizen ID",
    responses={422: {"description": "The ID is wrong; the problem says what to fix"}},
)
def check_citizen_id_api(body: CitizenIdCheck, user: PublicUser) -> CitizenIdResult:
    cid = validate_citizen_id(body.citizen_id)
    return CitizenIdResult(citizen_id=cid, formatted=format_citizen_id(cid), valid=True)


@router.get("/tools/citizen-id", response_class=HTMLResponse, include_in_schema=False)
def citizen_id_page(request: Request, user: PublicUser) -> HTMLResponse:
    return render(request, "citizen_id.html", {})


@router.post("/tools/citizen-id", response_class=HTMLResponse, include_in_schema=False)
def citizen_id_submit(
    request: Request, user: PublicUser, citizen_id: Annotated[str, Form()] = ""
) -> HTMLResponse:
    try:
        cid = validate_citizen_id(citizen_id)
    except InvalidCitizenId as exc:
        return render(
            request, "citizen_id.html", {"value": citizen_id, "error": exc}, status_code=422
        )
    return render(request, "citizen_id.html", {"value": citizen_id, "ok": format_citizen_id(cid)})


@router.get("/problems/{code}", response_class=HTMLResponse, include_in_schema=False)
def problem_type(request: Request, code: str, user: PublicUser) -> HTMLResponse:
    """The page each problem's ``type`` URI points to: what the error means and what to do."""
    cls = error_types().get(code)
    if cls is None:
        raise NotFound(
            f"There is no error type {code!r}: see /problems for the list",
            detail_th=f"ไม่มีประเภทข้อผิดพลาด {code!r}: ดูรายการที่ /problems",
        )
    return render(request, "problem_type.html", {"types": [cls], "single": True})


@router.get("/problems", response_class=HTMLResponse, include_in_schema=False)
def problem_types(request: Request, user: PublicUser) -> HTMLResponse:
    types = sorted(error_types().values(), key=lambda c: (c.status, c.code))
    return render(request, "problem_type.html", {"types": types, "single": False})
