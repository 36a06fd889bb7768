"""The provider SDK: ``create_provider_app`` turns a list of service specs into a FastAPI app that
an agency runs as its own process. It accepts a call only if the hub signed it (tag
``prasan-hub``) *and* the consumer's own signature inside it verifies with the consumer's
registered key, so neither the hub nor anyone else can invent a request; it then calls the
handler and signs the answer, bound to the request by ``Prasan-Request-Hash``.

A service spec is anything shaped like ``ServiceSpec`` below (the population register exposes a
list of them in ``prasan.registries.population.provider.SERVICES``).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import FastAPI, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from prasan.core.errors import NotFound, PrasanError
from prasan.core.ids import validate_citizen_id
from prasan.exchange import protocol, signing
from prasan.exchange.errors import (
    CitizenNotFound,
    ReplayedRequest,
    SignatureInvalid,
    UnknownKey,
    UnknownService,
)
from prasan.web.problems import problem_body

Handler = Callable[[Session, str, Mapping[str, str]], dict[str, Any]]


class ServiceSpec(Protocol):
    """What the SDK needs of a service (a dataclass with a ``handler`` field, or a class with a
    ``handler`` method, both fit)."""

    @property
    def code(self) -> str: ...
    @property
    def title_en(self) -> str: ...
    @property
    def title_th(self) -> str: ...
    @property
    def data_items(self) -> list[str]: ...
    @property
    def personal(self) -> bool: ...
    @property
    def handler(self) -> Handler: ...


KeyResolver = Callable[[str], Ed25519PublicKey | None]


class DirectoryKeys:
    """Public keys from the hub's directory (``GET /x/v1/directory``), refreshed when an unknown
    key id appears (at most once every ``min_refresh_s``) and at least every ``max_age_s``."""

    def __init__(
        self, hub_url: str, *, min_refresh_s: float = 2.0, max_age_s: float = 60.0
    ) -> None:
        self.hub_url = hub_url.rstrip("/")
        self.min_refresh_s = min_refresh_s
        self.max_age_s = max_age_s
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._revoked: set[str] = set()
        self._at = 0.0
        self._lock = threading.Lock()

    def refresh(self) -> None:
        data = httpx.get(f"{self.hub_url}/x/v1/directory", timeout=10.0).json()
        keys, revoked = {}, set()
        for m in data["members"]:
            for k in m["keys"]:
                if k["status"] == "active":
                    keys[k["kid"]] = signing.public_from_b64(k["public_key"])
                else:
                    revoked.add(k["kid"])
        self._keys, self._revoked, self._at = keys, revoked, time.monotonic()

    def __call__(self, kid: str) -> Ed25519PublicKey | None:
        stale = time.monotonic() - self._at > self.max_age_s  # revocations reach us too
        if stale or (kid not in self._keys and kid not in self._revoked):
            with self._lock:
                if time.monotonic() - self._at >= self.min_refresh_s:
                    try:
                        self.refresh()
                    except (httpx.HTTPError, ValueError, KeyError):
                        # Hub unreachable: keep the keys we have; unknown keys stay unknown.
                        self._at = time.monotonic()
        return self._keys.get(kid)


def static_keys(keys: Mapping[str, Ed25519PublicKey]) -> KeyResolver:
    return lambda kid: keys.get(kid)


class _Seen:
    """Recently seen hub call ids (bounded), so a captured forwarded call cannot be replayed to
    the provider directly within the time window."""

    def __init__(self, limit: int = 100_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def add(self, value: str) -> bool:
        with self._lock:
            if value in self._ids:
                return False
            self._ids[value] = None
            if len(self._ids) > self._limit:
                self._ids.popitem(last=False)
            return True


def create_provider_app(
    *,
    member_id: str,
    kid: str,
    key: Ed25519PrivateKey,
    services: Sequence[ServiceSpec],
    session_factory: Callable[[], Session],
    hub_keys: KeyResolver,
    consumer_keys: KeyResolver,
    hub_member_id: str = "TH/GOV/DGA/HUB",
    accept_direct: bool = False,
) -> FastAPI:
    """A provider as its own app. ``accept_direct`` also accepts calls signed by a consumer
    alone (no hub): used only to measure the hub's overhead in ``benchmarks/exchange_load.py``.
    """
    by_code = {s.code: s for s in services}
    seen = _Seen()
    app = FastAPI(title=f"Prasan provider {member_id}", docs_url=None, redoc_url=None)
    app.state.services = by_code

    def sign_answer(
        status: int, payload: dict[str, Any], call_id: str, request_hash: str
    ) -> Response:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "content-type": "application/json" if status < 400 else "application/problem+json",
            "content-digest": signing.content_digest(body),
            protocol.CALL_ID: call_id,
            protocol.REQUEST_HASH: request_hash,
        }
        headers = protocol.sign_response(
            status, headers, key=key, kid=kid, label=protocol.RESPONSE_LABEL,
            tag=protocol.RESPONSE_TAG, components=protocol.RESPONSE_COMPONENTS,
        )  # fmt: skip
        return Response(content=body, status_code=status, headers=headers)

    def refuse(exc: PrasanError, request: Request) -> Response:
        # Unsigned: the request could not be tied to a verified call.
        return Response(
            content=json.dumps(problem_body(exc, request), ensure_ascii=False).encode(),
            status_code=exc.status,
            media_type="application/problem+json",
        )

    def verify_request(request: Request, body: bytes) -> tuple[str, str, str]:
        """(call id, request hash header, service code) of a call that verifies."""
        message = signing.HttpMessage.request(
            request.method, str(request.url), request.headers.items()
        )
        sigs = signing.parse_signatures(
            message.headers.get("signature-input"), message.headers.get("signature")
        )
        now = signing_now()
        consumer_sig = protocol.pick(sigs, protocol.REQUEST_TAG)
        protocol.check_params(consumer_sig, required=protocol.REQUEST_COMPONENTS, now=now)
        ckey = consumer_keys(consumer_sig.keyid)
        if ckey is None:
            raise UnknownKey(
                f"Consumer key {consumer_sig.keyid} is not in the exchange directory (or is "
                "revoked)",
                detail_th=f"ไม่พบกุญแจ {consumer_sig.keyid} ในทะเบียน",
            )
        base = signing.verify(message, consumer_sig, ckey)
        request_hash = f"sha-256=:{signing.sha256_b64(base)}:"
        signing.check_content_digest(message.headers.get("content-digest"), body)
        hub_sigs = [s for s in sigs.values() if s.params.get("tag") == protocol.HUB_TAG]
        if hub_sigs:
            hub_sig = protocol.pick(sigs, protocol.HUB_TAG)
            protocol.check_params(hub_sig, required=protocol.HUB_COMPONENTS, now=now)
            if not hub_sig.keyid.startswith(hub_member_id + "#"):
                raise SignatureInvalid(
                    f"{hub_sig.keyid} is not a key of the hub {hub_member_id}",
                    detail_th="ลายมือชื่อไม่ได้มาจากศูนย์แลกเปลี่ยนข้อมูล",
                )
            hkey = hub_keys(hub_sig.keyid)
            if hkey is None:
                raise UnknownKey(f"Hub key {hub_sig.keyid} is unknown", detail_th="ไม่รู้จักกุญแจของศูนย์")
            signing.verify(message, hub_sig, hkey)
            if message.headers.get(protocol.REQUEST_HASH) != request_hash:
                raise SignatureInvalid(
                    "The hub's request hash does not match the consumer's signed request",
                    detail_th="ค่าแฮชของคำขอไม่ตรงกับคำขอที่ผู้ขอลงนาม",
                )
            call_id = message.headers.get(protocol.CALL_ID, "")
        elif accept_direct:
            call_id = "direct-" + str(consumer_sig.params["nonce"])
        else:
            raise SignatureInvalid(
                "This provider answers only calls forwarded by the exchange hub: call "
                "/x/v1/... on the hub",
                detail_th="ผู้ให้บริการนี้ตอบเฉพาะคำขอที่ส่งผ่านศูนย์แลกเปลี่ยนข้อมูล",
            )
        if not seen.add(f"{consumer_sig.keyid}|{consumer_sig.params['nonce']}"):
            raise ReplayedRequest(
                "This signed request was already answered", detail_th="ได้ตอบคำขอนี้ไปแล้ว"
            )
        provider, code, _rest = protocol.split_path(request.url.path)
        if provider != member_id or code not in by_code:
            raise UnknownService(
                f"{member_id} does not provide {provider}/{code}",
                detail_th=f"{member_id} ไม่มีบริการ {code}",
            )
        return call_id, request_hash, code

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        try:
            call_id, request_hash, code = verify_request(request, body)
        except PrasanError as exc:
            return refuse(exc, request)
        citizen = request.headers.get(protocol.CITIZEN, "")
        params = dict(request.query_params)
        try:
            validate_citizen_id(citizen, field="Prasan-Citizen")
            payload = await _run(by_code[code], session_factory, citizen, params)
            return sign_answer(200, payload, call_id, request_hash)
        except NotFound as exc:
            err: PrasanError = exc
            if type(exc) is NotFound:
                err = CitizenNotFound(exc.detail, detail_th=exc.detail_th)
            return sign_answer(err.status, problem_body(err, request), call_id, request_hash)
        except PrasanError as exc:
            return sign_answer(exc.status, problem_body(exc, request), call_id, request_hash)

    for path in ("/x/v1/{a}/{b}/{c}/{d}/{service}", "/x/v1/{a}/{b}/{c}/{d}/{service}/{rest:path}"):
        app.add_api_route(path, endpoint, methods=["GET", "POST"], include_in_schema=False)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, Any]:
        return {"member": member_id, "services": sorted(by_code)}

    return app


def signing_now() -> Any:
    from prasan.core.db import utcnow

    return utcnow()


async def _run(
    spec: ServiceSpec,
    session_factory: Callable[[], Session],
    citizen: str,
    params: Mapping[str, str],
) -> dict[str, Any]:
    """Handlers are plain synchronous functions on a session: run them off the event loop."""
    from starlette.concurrency import run_in_threadpool

    def work() -> dict[str, Any]:
        with session_factory() as session:
            try:
                return spec.handler(session, citizen, params)
            finally:
                session.rollback()

    return await run_in_threadpool(work)


# ---------------------------------------------------------------- running a provider module


def _module_sessions(module: Any, settings: Any) -> Callable[[], Session]:
    """The provider's own database: ``session_factory(settings)`` in the module or in its
    package's ``database`` module, else the platform database."""
    import importlib

    from prasan.core import db

    factory = getattr(module, "session_factory", None)
    if factory is None:
        package = module.__name__.rsplit(".", 1)[0]
        try:
            factory = importlib.import_module(f"{package}.database").session_factory
        except (ImportError, AttributeError):
            factory = None
    if callable(factory):
        made: Callable[[], Session] = factory(settings)
        return made
    return db.session_factory(settings)


def newest_key_file(settings: Any, member_id: str) -> tuple[str, Ed25519PrivateKey]:
    """The member's newest private key under ``key_dir`` and its key id."""
    from prasan.core.errors import ConfigurationError
    from prasan.exchange import keystore

    prefix = keystore.key_path(settings, member_id + "#").name.removesuffix(".pem")
    files = sorted(
        keystore.key_dir(settings).glob(f"{prefix}*.pem"), key=lambda p: p.stat().st_mtime
    )
    if not files:
        raise ConfigurationError(
            f"No private key for {member_id} under {keystore.key_dir(settings)}: run "
            "`prasan exchange seed-demo` or `prasan exchange key new`",
            detail_th=f"ไม่พบกุญแจส่วนตัวของ {member_id}",
        )
    key = signing.load_private_key(files[-1])
    return keystore.make_kid(member_id, key.public_key()), key


def app_for_module(
    module_name: str, *, settings: Any, hub_url: str, accept_direct: bool = False
) -> FastAPI:
    import importlib

    module = importlib.import_module(module_name)
    member_id = str(module.MEMBER)
    kid, key = newest_key_file(settings, member_id)
    keys = DirectoryKeys(hub_url)
    return create_provider_app(
        member_id=member_id,
        kid=kid,
        key=key,
        services=list(module.SERVICES),
        session_factory=_module_sessions(module, settings),
        hub_keys=keys,
        consumer_keys=keys,
        accept_direct=accept_direct,
    )
