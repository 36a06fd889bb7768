"""HTTP routes of the exchange. Thin: the work is in ``hub.py``, ``service.py``, ``consent.py``
and ``translog.py``.

- ``hub``: ``/x/v1/...`` — signed calls (authenticated by their signature, not a cookie), the
  public directory of members, keys and services, and the public log (tree heads, entries with
  inclusion proofs, consistency proofs).
- ``api``: ``/api/v1/exchange/...`` — administration (members, keys, services, rights), consent
  for citizens and officers, the citizen's "who read my data" and the auditor's log view.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from prasan.accounts.models import User
from prasan.core.db import session_factory
from prasan.core.errors import Forbidden, NotFound, PrasanError, ValidationFailed
from prasan.core.roles import Role
from prasan.core.settings import Settings
from prasan.exchange import consent as consents
from prasan.exchange import hub as hub_mod
from prasan.exchange import service as members
from prasan.exchange import translog
from prasan.exchange.models import LogEntry
from prasan.exchange.schemas import (
    ConsentCreate,
    ConsentRead,
    KeyAdd,
    KeyRead,
    MemberCreate,
    MemberRead,
    RightCreate,
    RightRead,
    ServiceCreate,
    ServiceRead,
)
from prasan.exchange.signing import public_from_b64
from prasan.web.deps import Allow, CurrentAdmin, CurrentCitizen, SessionDep, SettingsDep
from prasan.web.problems import problem_body

hub = APIRouter(tags=["exchange (hub)"])
api = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])

Staff = Annotated[User, Depends(Allow(Role.OFFICER, Role.ADMIN))]


class OpenToAll(Allow):
    """``Allow(public=True)`` without looking up a signed-in person: hub routes serve machines
    that prove who they are by signing each request (or public log data), never a cookie."""

    def __init__(self) -> None:
        super().__init__(public=True)

    async def __call__(self) -> None:  # type: ignore[override]
        return None


SIGNED_OR_PUBLIC = OpenToAll()


def get_hub(request: Request) -> hub_mod.Hub:
    """One hub (key, pooled HTTP client) per application, made on first use."""
    state = request.app.state
    current = getattr(state, "exchange_hub", None)
    if current is None:
        current = hub_mod.Hub(settings=state.settings)
        state.exchange_hub = current
    return current


# ---------------------------------------------------------------- public: directory and log


@hub.get("/x/v1/directory", dependencies=[Depends(SIGNED_OR_PUBLIC)])
def directory(session: SessionDep) -> dict[str, Any]:
    """Members, their public keys (with status) and services: what a provider or consumer needs
    to verify signatures."""
    return members.directory(session=session)


@hub.get("/x/v1/log/sth", dependencies=[Depends(SIGNED_OR_PUBLIC)])
def log_sth(session: SessionDep, request: Request) -> dict[str, Any]:
    """The newest signed tree head (signing one over the current log if it grew)."""
    sth = translog.sign_now(session, sth_key=get_hub(request).key)
    return translog.sth_dict(sth)


@hub.get("/x/v1/log/entries/{index}", dependencies=[Depends(SIGNED_OR_PUBLIC)])
def log_entry(index: int, session: SessionDep, request: Request) -> dict[str, Any]:
    """One entry with its inclusion proof in the smallest signed tree head that covers it."""
    return _proved(session, get_hub(request), index)


@hub.get("/x/v1/log/consistency", dependencies=[Depends(SIGNED_OR_PUBLIC)])
def log_consistency(
    session: SessionDep, first: Annotated[int, Query(ge=0)], second: Annotated[int, Query(ge=0)]
) -> dict[str, Any]:
    """Proof that the log of size ``second`` extends the log of size ``first`` unchanged."""
    size, _ = translog.current_root(session)
    if first > second or second > size:
        raise ValidationFailed(
            f"Ask for 0 <= first <= second <= {size} (the log's size)",
            detail_th=f"ระบุ 0 <= first <= second <= {size}",
        )
    proof = translog.consistency_proof(session, first=first, second=second)
    return {"first": first, "second": second, "proof": [p.hex() for p in proof]}


def _proved_many(session: Session, h: hub_mod.Hub, indices: list[int]) -> list[dict[str, Any]]:
    """Several entries with inclusion proofs in one tree head: one read of the leaf hashes and
    one tree, however many lines (the citizen's view)."""
    import json

    if not indices:
        return []
    sth = translog.sth_covering(session, index=max(indices), sth_key=h.key)
    t = translog.tree(session, sth.size)
    head = translog.sth_dict(sth)
    rows = {r.idx: r for r in session.scalars(select(LogEntry).where(LogEntry.idx.in_(indices)))}
    return [
        {
            "index": i,
            "entry": json.loads(rows[i].body),
            "leaf_hash": rows[i].leaf_hash,
            "tree_head": head,
            "inclusion_proof": [p.hex() for p in t.inclusion(i, sth.size)],
        }
        for i in indices
    ]


def _proved(session: Session, h: hub_mod.Hub, index: int) -> dict[str, Any]:
    row = session.get(LogEntry, index)
    if row is None:
        raise NotFound(f"The log has no entry {index}", detail_th=f"ไม่มีรายการที่ {index}")
    sth = translog.sth_covering(session, index=index, sth_key=h.key)
    proof = translog.inclusion_proof(session, index=index, size=sth.size)
    import json

    return {
        "index": index,
        "entry": json.loads(row.body),
        "leaf_hash": row.leaf_hash,
        "tree_head": translog.sth_dict(sth),
        "inclusion_proof": [p.hex() for p in proof],
    }


# ---------------------------------------------------------------- the signed call


async def _call(request: Request) -> Response:
    """One signed call. The hub opens its own session in the worker thread (no per-request
    dependency machinery on this hot path); ``app.state.exchange_session``, when set (tests),
    is used instead so the call joins the test's transaction."""
    body = await request.body()
    h = get_hub(request)
    try:
        answer = await run_in_threadpool(
            _handle, request.app.state, h, request.method, str(request.url),
            list(request.headers.items()), body,
        )  # fmt: skip
    except PrasanError as exc:
        if "Prasan-Log-Index" not in exc.headers:
            raise  # not a logged refusal of the call (e.g. the log could not be written)
        problem = json.dumps(
            problem_body(exc, request), ensure_ascii=False, separators=(",", ":")
        ).encode()
        return Response(
            content=problem,
            status_code=exc.status,
            headers=hub_mod.signed_refusal_headers(h, exc, problem),
        )
    return Response(content=answer.body, status_code=answer.status, headers=answer.headers)


def _handle(
    state: Any, h: hub_mod.Hub, method: str, url: str, headers: list[tuple[str, str]], body: bytes
) -> hub_mod.HubResponse:
    shared: Session | None = getattr(state, "exchange_session", None)
    if shared is not None:
        return hub_mod.handle(
            session=shared, hub=h, method=method, url=url, headers=headers, body=body
        )
    with session_factory(state.settings)() as session:
        return hub_mod.handle(
            session=session, hub=h, method=method, url=url, headers=headers, body=body
        )


# One route per method and path, each with its own OpenAPI operation id (one route serving
# both methods gave both the same id, which breaks generated clients).
for _suffix, _path in (
    ("", "/x/v1/{a}/{b}/{c}/{d}/{service}"),
    ("_rest", "/x/v1/{a}/{b}/{c}/{d}/{service}/{rest:path}"),
):
    for _method in ("GET", "POST"):
        hub.add_api_route(
            _path,
            _call,
            methods=[_method],
            operation_id=f"exchange_call_{_method.lower()}{_suffix}",
            dependencies=[Depends(SIGNED_OR_PUBLIC)],
            summary="A signed call to a provider's service (see docs/exchange.md)",
        )


# ---------------------------------------------------------------- administration


@api.get("/members", response_model=list[MemberRead])
def list_members(session: SessionDep, _: CurrentAdmin) -> list[Any]:
    return members.list_members(session=session)


@api.post("/members", response_model=MemberRead, status_code=201)
def create_member(data: MemberCreate, session: SessionDep, _: CurrentAdmin) -> Any:
    return members.create_member(session=session, data=data)


@api.post("/members/{member_id:path}/keys", response_model=KeyRead, status_code=201)
def add_key(member_id: str, data: KeyAdd, session: SessionDep, _: CurrentAdmin) -> Any:
    try:
        public = public_from_b64(data.public_key)
    except ValueError as exc:
        raise ValidationFailed(
            "public_key must be the base64 of the 32 raw bytes of an Ed25519 public key",
            detail_th="public_key ต้องเป็น base64 ของกุญแจสาธารณะ Ed25519 ขนาด 32 ไบต์",
        ) from exc
    return members.add_key(session=session, member_id=member_id, public_key=public)


class KeyRevoke(BaseModel):
    kid: str


@api.post("/keys/revoke", response_model=KeyRead)
def revoke_key(data: KeyRevoke, session: SessionDep, _: CurrentAdmin) -> Any:
    return members.revoke_key(session=session, kid=data.kid)


@api.get("/services", response_model=list[ServiceRead])
def list_services(session: SessionDep, _: Annotated[User, Depends(Allow(*Role))]) -> Any:
    return members.list_services(session=session)


@api.post("/services", response_model=ServiceRead, status_code=201)
def publish_service(data: ServiceCreate, session: SessionDep, _: CurrentAdmin) -> Any:
    return members.publish_service(session=session, data=data)


@api.get("/rights", response_model=list[RightRead])
def list_rights(session: SessionDep, _: CurrentAdmin) -> Any:
    return members.list_rights(session=session)


@api.post("/rights", response_model=RightRead, status_code=201)
def grant_right(data: RightCreate, session: SessionDep, _: CurrentAdmin) -> Any:
    return members.grant_right(session=session, data=data)


@api.post("/rights/{right_id}/revoke", response_model=RightRead)
def revoke_right(right_id: int, session: SessionDep, _: CurrentAdmin) -> Any:
    return members.revoke_right(session=session, right_id=right_id)


# ---------------------------------------------------------------- consent


@api.post("/consents", response_model=ConsentRead, status_code=201)
def request_consent(data: ConsentCreate, session: SessionDep, _: Staff) -> Any:
    """An agency asks a citizen for consent (pending until the citizen agrees)."""
    return consents.create(session=session, data=data)


@api.get("/me/consents", response_model=list[ConsentRead])
def my_consents(session: SessionDep, user: CurrentCitizen) -> Any:
    return consents.list_for_citizen(session=session, citizen_id=_cid(user))


@api.post("/me/consents", response_model=ConsentRead, status_code=201)
def give_consent(
    data: ConsentCreate, session: SessionDep, user: CurrentCitizen, request: Request
) -> Any:
    """The citizen gives consent at once (e.g. on the portal's consent screen)."""
    if data.citizen_id != _cid(user):
        raise Forbidden(
            "You can give consent only about yourself: use your own citizen ID",
            detail_th="ให้ความยินยอมได้เฉพาะข้อมูลของตนเอง",
        )
    return consents.create(session=session, data=data, active=True, hub=get_hub(request).key)


@api.post("/me/consents/{consent_id}/grant", response_model=ConsentRead)
def grant_consent(
    consent_id: str, session: SessionDep, user: CurrentCitizen, request: Request
) -> Any:
    return consents.grant(
        session=session, consent_id=consent_id, citizen_id=_cid(user), hub=get_hub(request).key
    )


@api.post("/me/consents/{consent_id}/revoke", response_model=ConsentRead)
def revoke_consent(consent_id: str, session: SessionDep, user: CurrentCitizen) -> Any:
    return consents.revoke(session=session, consent_id=consent_id, citizen_id=_cid(user))


def _cid(user: User) -> str:
    if not user.citizen_id:
        raise Forbidden(
            "Your account has no citizen ID: sign in with your national digital ID",
            detail_th="บัญชีของคุณไม่มีเลขประจำตัวประชาชน: เข้าสู่ระบบด้วยบัญชีดิจิทัลของรัฐ",
        )
    return user.citizen_id


# ---------------------------------------------------------------- who read my data / auditor


@api.get("/me/log")
def my_log(
    session: SessionDep,
    user: CurrentCitizen,
    settings: SettingsDep,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    """Every call about me, newest first, each with its inclusion proof."""
    subject = hub_mod.subject_of(settings, _cid(user))
    rows = session.scalars(
        select(LogEntry.idx)
        .where(LogEntry.subject == subject)
        .order_by(LogEntry.idx.desc())
        .limit(limit)
    ).all()
    return _proved_many(session, get_hub(request), list(rows))


@api.get("/log")
def audit_log(
    session: SessionDep,
    _: CurrentAdmin,
    consumer: str | None = None,
    provider: str | None = None,
    service: str | None = None,
    outcome: str | None = None,
    purpose: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    after: Annotated[int, Query(ge=-1)] = -1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The auditor's view: every entry, filterable, oldest first from ``after``."""
    import json

    q = select(LogEntry).where(LogEntry.idx > after)
    for col, value in (
        (LogEntry.consumer, consumer),
        (LogEntry.provider, provider),
        (LogEntry.service, service),
        (LogEntry.outcome, outcome),
        (LogEntry.purpose, purpose),
    ):
        if value:
            q = q.where(col == value)
    if since:
        q = q.where(LogEntry.at >= since)
    if until:
        q = q.where(LogEntry.at < until)
    rows = session.scalars(q.order_by(LogEntry.idx).limit(limit)).all()
    return {
        "entries": [
            {"index": r.idx, "entry": json.loads(r.body), "leaf_hash": r.leaf_hash} for r in rows
        ],
        "next_after": rows[-1].idx if rows else None,
    }


def create_hub_app(settings: Settings | None = None, *, migrate: bool = True) -> Any:
    """The hub alone (``/x/v1/...``: calls, directory, public log) as a lean app for its own
    processes: none of the portal's cookie, language or CSRF middleware, which a signed
    machine-to-machine call does not need. The platform app serves the same routes too."""
    import gc

    from fastapi import FastAPI

    from prasan import __version__
    from prasan.core import db
    from prasan.core.settings import get_settings
    from prasan.web import problems

    settings = settings or get_settings()
    if migrate:
        db.upgrade(settings)
    # A hub process allocates many short-lived objects per call and keeps few: move what start-up
    # created out of the collector's way and collect the young generation less often.
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    app = FastAPI(
        title="Prasan exchange hub",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/x/v1/openapi.json",
    )
    app.state.settings = settings
    problems.install(app)
    app.include_router(hub)
    return app


# ---------------------------------------------------------------- pages

pages = APIRouter(include_in_schema=False)


def _names(session: Session, lang: str) -> dict[str, str]:
    return {
        m.member_id: (m.name_th if lang == "th" else m.name_en)
        for m in members.list_members(session=session)
    }


def _when(value: dt.datetime, lang: str) -> str:
    from prasan.core.thai import format_date

    local = value.astimezone(dt.timezone(dt.timedelta(hours=7)))  # Asia/Bangkok, no DST
    return f"{format_date(local.date(), lang=lang, style='short')} {local:%H:%M}"


@pages.get("/exchange/my-data", response_class=HTMLResponse)
def my_data_page(
    request: Request, session: SessionDep, user: CurrentCitizen, settings: SettingsDep
) -> HTMLResponse:
    from prasan.exchange.client import verify_proved_entry
    from prasan.web.templating import lang_of, render

    lang = lang_of(request)
    names = _names(session, lang)
    hub_public = get_hub(request).key[1].public_key()
    lines = []
    for proved in my_log(session=session, user=user, settings=settings, request=request, limit=100):
        idx = proved["index"]
        entry = proved["entry"]
        at = dt.datetime.fromisoformat(entry["at"].replace("Z", "+00:00"))
        lines.append({
            "index": idx, "entry": entry, "when": _when(at, lang),
            "consumer": names.get(entry["consumer"], entry["consumer"]),
            "provider": names.get(entry["provider"], entry["provider"]),
            "items": ", ".join(entry["items"]),
            "verified": verify_proved_entry(proved, hub_public),
        })  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    listed = [
        {
            "consent": c,
            "consumer": names.get(c.consumer_id, c.consumer_id),
            "items": ", ".join(c.data_items),
            "until": _when(c.valid_until, lang),
            "status": consents.effective_status(c, now),
        }
        for c in consents.list_for_citizen(session=session, citizen_id=_cid(user))
    ]
    return render(request, "exchange/my_data.html", {"lines": lines, "consents": listed})


@pages.post("/exchange/my-data/consents/{consent_id}/revoke")
def revoke_consent_page(consent_id: str, session: SessionDep, user: CurrentCitizen) -> Response:
    from starlette.responses import RedirectResponse

    consents.revoke(session=session, consent_id=consent_id, citizen_id=_cid(user))
    return RedirectResponse("/exchange/my-data", status_code=303)


@pages.get("/exchange/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    admin: CurrentAdmin,
    consumer: str | None = None,
    provider: str | None = None,
    purpose: str | None = None,
    outcome: str | None = None,
    after: Annotated[int, Query(ge=-1)] = -1,
    check: bool = False,
) -> HTMLResponse:
    from urllib.parse import urlencode

    from prasan.web.templating import render

    data = audit_log(session=session, _=admin, consumer=consumer, provider=provider,
                     purpose=purpose, outcome=outcome, after=after, limit=100)  # fmt: skip
    filters = {"consumer": consumer, "provider": provider, "purpose": purpose, "outcome": outcome}
    size, _root = translog.current_root(session)
    report = (
        translog.verify_log(session, keys=members.public_keys(session=session)) if check else None
    )
    next_query = urlencode({**{k: v for k, v in filters.items() if v}, "after": data["next_after"]})
    return render(request, "exchange/audit.html", {
        "entries": data["entries"], "next_after": data["next_after"], "filters": filters,
        "size": size, "report": report, "next_query": next_query,
    })  # fmt: skip
