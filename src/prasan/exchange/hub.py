"""The hub's call path: verify the consumer's signed request, check the access right and consent
(or recorded legal basis), forward over HTTP to the provider with the hub's own signature added,
verify the provider's signed answer, write the log entry, commit, and only then answer.

The order is what makes the log trustworthy: the entry and any single-use consent being spent
are committed in one transaction before a byte of the answer leaves the hub, so an answered
call is always in the log; a refusal is logged the same way before the problem is returned.
The read phase is committed (ended) before the provider is called, so no database transaction
is held open across the network.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from prasan.core.db import utcnow
from prasan.core.errors import InvalidCitizenId, PrasanError
from prasan.core.ids import validate_citizen_id
from prasan.core.settings import Settings
from prasan.exchange import consent as consents
from prasan.exchange import keystore, protocol, signing, translog
from prasan.exchange import service as members
from prasan.exchange.errors import (
    KeyRevoked,
    NoAccessRight,
    ProviderFailed,
    PurposeNotAllowed,
    ReplayedRequest,
    SignatureInvalid,
    UnknownKey,
    UnknownService,
)
from prasan.exchange.models import LogEntry

_SEEN = select(LogEntry.idx).where(LogEntry.replay_key == bindparam("rk"))


@lru_cache(maxsize=4)
def _pseudonym_key(secret: str) -> bytes:
    return hashlib.sha256(b"prasan-log-subject/v1\x00" + secret.encode()).digest()


def pseudonym(key: bytes, citizen_id: str) -> str:
    """A keyed pseudonym of a citizen ID: the log never holds the ID itself, and without the
    hub's secret nobody can test IDs against it (13 digits are easy to enumerate)."""
    return hmac.new(key, citizen_id.encode(), hashlib.sha256).hexdigest()[:40]


def subject_of(settings: Settings, citizen_id: str) -> str:
    return pseudonym(_pseudonym_key(settings.resolved_secret()), citizen_id)


@dataclass
class Call:
    """What the log records about one call, filled in as the checks pass."""

    call_id: str
    provider: str
    service: str
    purpose: str
    consent_id: str | None
    subject: str | None = None
    consumer: str = ""
    kid: str | None = None
    items: list[str] = field(default_factory=list)
    legal_basis: str | None = None
    request_hash: str | None = None
    replay_key: str | None = None

    def entry(
        self, *, at: dt.datetime, outcome: str, code: str, status: int, response_digest: str | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        body = {
            "v": 1,
            "call_id": self.call_id,
            "at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "consumer": self.consumer,
            "kid": self.kid,
            "provider": self.provider,
            "service": self.service,
            "items": self.items,
            "purpose": self.purpose,
            "consent": self.consent_id,
            "legal_basis": self.legal_basis,
            "subject": self.subject,
            "outcome": outcome,
            "code": code,
            "status": status,
            "request_hash": self.request_hash,
            "response_digest": response_digest,
        }
        columns = {
            "at": at,
            "call_id": self.call_id,
            "subject": self.subject,
            "consumer": self.consumer[:200],
            "provider": self.provider[:200],
            "service": self.service[:120],
            "purpose": self.purpose[:120],
            "consent_id": self.consent_id,
            "outcome": outcome,
            "code": code,
            "status": status,
            "replay_key": self.replay_key,
        }
        return body, columns


@dataclass(frozen=True)
class HubResponse:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Upstream:
    status: int
    headers: dict[str, str]
    body: bytes


class ProviderPool:
    """Keep-alive HTTP/1.1 connections to providers, one set per thread (``http.client``: a
    fraction of a general-purpose client's per-request cost, which matters on the hot path).

    A request is retried once on a fresh connection only when a reused keep-alive connection
    turned out to be closed before any answer came back; providers also refuse a second
    delivery of the same signed request (nonce), so a retry can never be answered twice.
    """

    def __init__(self, timeout_s: float, ssl_context: ssl.SSLContext | None = None) -> None:
        self.timeout_s = timeout_s
        self.ssl_context = ssl_context
        self._local = threading.local()

    def _conns(self) -> dict[tuple[str, str], http.client.HTTPConnection]:
        conns: dict[tuple[str, str], http.client.HTTPConnection] | None = getattr(
            self._local, "conns", None
        )
        if conns is None:
            conns = self._local.conns = {}
        return conns

    def request(self, method: str, url: str, headers: dict[str, str], body: bytes) -> Upstream:
        u = urlsplit(url)
        key = (u.scheme, u.netloc)
        target = (u.path or "/") + (f"?{u.query}" if u.query else "")
        conns = self._conns()
        for attempt in (0, 1):
            conn = conns.get(key)
            fresh = conn is None
            if conn is None:
                if u.scheme == "https":
                    conn = http.client.HTTPSConnection(
                        u.hostname or "", u.port, timeout=self.timeout_s, context=self.ssl_context
                    )
                else:
                    conn = http.client.HTTPConnection(
                        u.hostname or "", u.port, timeout=self.timeout_s
                    )
                conn.connect()
                if conn.sock is not None:
                    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conns[key] = conn
            try:
                conn.request(method, target, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                out = Upstream(
                    status=resp.status,
                    headers={k.lower(): v for k, v in resp.getheaders()},
                    body=data,
                )
                if resp.will_close:
                    conn.close()
                    conns.pop(key, None)
                return out
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                conns.pop(key, None)
                if fresh or attempt:
                    raise
            except BaseException:
                conn.close()
                conns.pop(key, None)
                raise
        raise http.client.HTTPException("unreachable")

    def close(self) -> None:
        for conn in self._conns().values():
            conn.close()


@dataclass
class Hub:
    """Per-process state: settings, the hub key and pooled connections to providers."""

    settings: Settings
    timeout_s: float = 10.0
    http: ProviderPool = field(init=False)
    key: tuple[str, Ed25519PrivateKey] = field(init=False)
    subject_key: bytes = field(init=False)

    def __post_init__(self) -> None:
        self.key = keystore.hub_key(self.settings)
        # Derived once: resolved_secret() may read a file, and this is on every call's path.
        self.subject_key = _pseudonym_key(self.settings.resolved_secret())
        self.http = ProviderPool(self.timeout_s, self._tls())

    def _tls(self) -> ssl.SSLContext | None:
        """Mutual TLS to https:// providers when the hub has a certificate from the platform CA
        (``prasan exchange ca issue <hub kid>``); otherwise the system's default trust."""
        from prasan.exchange import pki

        cert = pki.cert_path(self.settings, self.key[0])
        if not cert.exists():
            return None
        return pki.client_context(
            self.settings, cert_file=cert, key_file=keystore.key_dir(self.settings) / "hub.pem"
        )

    def close(self) -> None:
        self.http.close()


def _log(
    session: Session,
    hub: Hub,
    call: Call,
    *,
    outcome: str,
    code: str,
    status: int,
    response_digest: str | None = None,
    consent: consents.ConsentView | None = None,
) -> int:
    """Append and commit; returns the entry's index. Raises if it cannot be made durable."""
    now = utcnow()
    body, columns = call.entry(
        at=now, outcome=outcome, code=code, status=status, response_digest=response_digest
    )
    with translog.append_lock():
        if consent is not None:
            consents.spend(session=session, consent=consent, now=now)
        added = translog.append(session, entry=body, columns=columns, sth_key=hub.key)
        session.commit()
    return added.index


def _refuse(session: Session, hub: Hub, call: Call, exc: PrasanError) -> PrasanError:
    """Log a refusal (committed) and return the error to raise, tagged with the log index."""
    session.rollback()
    try:
        index = _log(session, hub, call, outcome="refused", code=exc.code, status=exc.status)
    except IntegrityError:
        # This keyid+nonce was logged meanwhile: record the refusal without claiming the nonce.
        session.rollback()
        call.replay_key = None
        index = _log(session, hub, call, outcome="refused", code=exc.code, status=exc.status)
    exc.headers.update(
        {
            "Prasan-Call-Id": call.call_id,
            "Prasan-Log-Index": str(index),
            "Prasan-Request-Hash": f"sha-256=:{call.request_hash}:"
            if call.request_hash
            else protocol.UNVERIFIED_REQUEST,
        }
    )
    return exc


def signed_refusal_headers(hub: Hub, exc: PrasanError, body: bytes) -> dict[str, str]:
    """The headers of the hub's own refusal ``exc`` with problem+json ``body``, signed by the
    hub (tag ``prasan-hub-refusal``) over the status, the body's digest, the call id, the log
    index and the request hash ``_refuse`` set: a consumer can show which call the hub refused,
    and nobody can forge or alter a refusal in the hub's name."""
    headers = {k.lower(): v for k, v in exc.headers.items()}
    headers["content-type"] = "application/problem+json"
    headers["content-digest"] = signing.content_digest(body)
    kid, key = hub.key
    return protocol.sign_response(
        exc.status, headers, key=key, kid=kid, label=protocol.HUB_LABEL,
        tag=protocol.REFUSAL_TAG, components=protocol.REFUSAL_COMPONENTS,
    )  # fmt: skip


def handle(
    *,
    session: Session,
    hub: Hub,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes,
) -> HubResponse:
    """One call through the hub, from signed request to logged, signed answer."""
    message = signing.HttpMessage.request(method, url, headers)
    h = message.headers
    call = Call(
        call_id=str(uuid.uuid4()),
        provider="",
        service="",
        purpose=h.get(protocol.PURPOSE, "")[:120],
        consent_id=None,
    )
    raw_consent = h.get(protocol.CONSENT, "")
    if raw_consent and raw_consent != protocol.NO_CONSENT:
        call.consent_id = raw_consent[:36]
    now = utcnow()
    try:
        provider_id, service_code, _rest = protocol.split_path(message.component("@path"))
        call.provider, call.service = provider_id, service_code
        try:
            citizen = validate_citizen_id(h.get(protocol.CITIZEN, ""), field="Prasan-Citizen")
        except InvalidCitizenId:
            citizen = None

        # 1. who signed, and is the signature good?
        sig = protocol.pick(
            signing.parse_signatures(h.get("signature-input"), h.get("signature")),
            protocol.REQUEST_TAG,
        )
        call.kid = sig.keyid[:260] or None
        if sig.label == protocol.HUB_LABEL:
            raise SignatureInvalid(
                f"The label {protocol.HUB_LABEL!r} is reserved for the hub: sign with another "
                "label, e.g. sig1",
                detail_th=f"ป้ายชื่อ {protocol.HUB_LABEL!r} สงวนไว้สำหรับศูนย์: ใช้ป้ายชื่ออื่น",
            )
        protocol.check_params(sig, required=protocol.REQUEST_COMPONENTS, now=now)
        key = members.key_info(session=session, kid=sig.keyid)
        if key is None:
            raise UnknownKey(
                f"Key {sig.keyid} is not registered: register its public key with the exchange "
                "administrator before calling",
                detail_th=f"กุญแจ {sig.keyid} ยังไม่ได้ลงทะเบียน",
            )
        base = signing.verify(message, sig, signing.public_from_b64(key.public_key))
        # Only a verified signature names a consumer and a citizen in the log: a forged request
        # must not appear in anyone's "who read my data".
        call.consumer = key.member_id
        call.subject = pseudonym(hub.subject_key, citizen) if citizen else None
        call.request_hash = signing.sha256_b64(base)
        if not key.usable(now):
            when = key.revoked_at or key.not_after
            raise KeyRevoked(
                f"Key {key.kid} was {'revoked' if key.status == 'revoked' else 'retired'} at "
                f"{when:%Y-%m-%d %H:%M} UTC: sign with a current key (see `prasan exchange key`)",
                detail_th=f"กุญแจ {key.kid} ถูกเพิกถอนหรือเลิกใช้แล้ว: ลงนามด้วยกุญแจที่ใช้งานได้",
            )
        signing.check_content_digest(h.get("content-digest"), body)

        # 2. seen before?
        call.replay_key = f"{sig.keyid}|{sig.params['nonce']}"
        if session.connection().execute(_SEEN, {"rk": call.replay_key}).first() is not None:
            seen = call.replay_key
            call.replay_key = None
            raise ReplayedRequest(
                f"Nonce {seen.split('|', 1)[1]} of key {sig.keyid} was already used: sign every "
                "request with a new random nonce",
                detail_th="คำขอนี้เคยส่งมาแล้ว (nonce ซ้ำ): ลงนามทุกคำขอด้วย nonce ใหม่",
            )

        # 3. may this consumer call this service, for this purpose, about this person?
        svc = members.route(
            session=session, provider_id=provider_id, code=service_code, consumer_pk=key.member_pk
        )
        if svc is None:
            raise UnknownService(
                f"Provider {provider_id} publishes no service {service_code!r}: see "
                "GET /x/v1/directory for the published services",
                detail_th=f"หน่วยงาน {provider_id} ไม่มีบริการ {service_code!r}: "
                "ดูรายการบริการที่ GET /x/v1/directory",
            )
        call.items = list(svc.data_items)
        if citizen is None:
            validate_citizen_id(h.get(protocol.CITIZEN, ""), field="Prasan-Citizen")
        if svc.right_id is None:
            raise NoAccessRight(
                f"{call.consumer} has no access right to {provider_id} {service_code}: ask the "
                "exchange administrator to grant one (consumer, service, purposes)",
                detail_th=f"{call.consumer} ไม่มีสิทธิ์เข้าถึงบริการ {service_code}: "
                "ขอสิทธิ์จากผู้ดูแลระบบแลกเปลี่ยนข้อมูล",
            )
        if call.purpose not in svc.purposes:
            raise PurposeNotAllowed(
                f"Purpose {call.purpose!r} is not among those granted to {call.consumer} for "
                f"{service_code} ({', '.join(svc.purposes)}): use a granted purpose or ask "
                "for it to be added",
                detail_th=f"วัตถุประสงค์ {call.purpose!r} ไม่อยู่ในสิทธิ์ที่ได้รับ: "
                f"ใช้วัตถุประสงค์ที่ได้รับอนุญาต ({', '.join(svc.purposes)})",
            )
        consent: consents.ConsentView | None = None
        if svc.personal and svc.legal_basis:
            call.legal_basis = svc.legal_basis
        elif svc.personal:
            consent = consents.check_for_call(
                session=session,
                consent_id=call.consent_id,
                citizen_id=str(citizen),
                consumer_id=call.consumer,
                provider_id=provider_id,
                purpose=call.purpose,
                data_items=svc.data_items,
                now=now,
            )
            call.legal_basis = consent.legal_basis
        if not svc.base_url:
            raise UnknownService(
                f"Provider {provider_id} has no address registered: the administrator sets it "
                "with `prasan exchange member set-url`",
                detail_th=f"หน่วยงาน {provider_id} ยังไม่ได้ลงทะเบียนที่อยู่ของระบบ",
            )
        provider_keys = members.usable_keys(session=session, member_pk=svc.provider_pk, now=now)
        base_url = svc.base_url
        session.commit()  # end the read transaction before going to the network
    except PrasanError as exc:
        raise _refuse(session, hub, call, exc) from None

    # 4. forward, with the hub's signature added over the consumer's request
    hash_header = f"sha-256=:{call.request_hash}:"
    # Only what the provider needs travels on: the signed headers and the body's type; cookies,
    # credentials or anything else the consumer's client added stay at the hub.
    fwd_headers = {k: h[k] for k in protocol.FORWARDED if k in h}
    fwd_headers.update({protocol.CONSUMER: call.consumer, protocol.CALL_ID: call.call_id,
                        protocol.REQUEST_HASH: hash_header})  # fmt: skip
    fwd_message = signing.HttpMessage.request(method, url, fwd_headers.items())
    kid, hub_private = hub.key
    hub_sig = signing.sign(
        fwd_message,
        key=hub_private,
        label=protocol.HUB_LABEL,
        components=protocol.HUB_COMPONENTS,
        params={
            "created": int(now.timestamp()),
            "nonce": call.call_id.replace("-", ""),
            "alg": "ed25519",
            "keyid": kid,
            "tag": protocol.HUB_TAG,
        },
    )
    fwd_headers["signature-input"] = f"{sig.label}={sig.params_value}, {hub_sig.input_member}"
    consumer_member = f"{sig.label}=:{signing.b64(sig.signature)}:"
    fwd_headers["signature"] = f"{consumer_member}, {hub_sig.signature_member}"
    fwd_headers["host"] = message.component("@authority")
    target = base_url + message.component("@request-target")
    try:
        resp = hub.http.request(method, target, fwd_headers, body)
        answer = _check_answer(resp, call=call, provider_keys=provider_keys)
    except (OSError, http.client.HTTPException, ProviderFailed) as exc:
        err = (
            exc
            if isinstance(exc, ProviderFailed)
            else ProviderFailed(
                f"Provider {call.provider} could not be reached ({type(exc).__name__}): try again "
                "later; the exchange administrator has been told",
                detail_th=f"ติดต่อหน่วยงาน {call.provider} ไม่ได้: ลองใหม่ภายหลัง",
            )
        )
        raise _refuse(session, hub, call, err) from None

    # 5. log (durably), then answer
    outcome, code = ("allowed", "ok") if answer.status < 400 else ("refused", _problem_code(answer))
    try:
        index = _log(
            session,
            hub,
            call,
            outcome=outcome,
            code=code,
            status=answer.status,
            response_digest=answer.headers.get("content-digest"),
            consent=consent if answer.status < 400 else None,
        )
    except IntegrityError:
        session.rollback()
        call.replay_key = None
        raise _refuse(
            session,
            hub,
            call,
            ReplayedRequest(
                "The same signed request arrived twice at once: only one is answered; sign every "
                "request with a new random nonce",
                detail_th="ได้รับคำขอเดียวกันซ้ำพร้อมกัน: ตอบเพียงครั้งเดียว",
            ),
        ) from None
    except PrasanError as exc:  # the single-use consent was spent by a concurrent call
        raise _refuse(session, hub, call, exc) from None
    out = dict(answer.headers)
    out[protocol.LOG_INDEX] = str(index)
    return HubResponse(status=answer.status, headers=out, body=answer.body)


def _problem_code(answer: HubResponse) -> str:
    try:
        code = json.loads(answer.body).get("code")
    except (ValueError, AttributeError):
        code = None
    return str(code or f"http-{answer.status}")[:60]


def _check_answer(resp: Upstream, *, call: Call, provider_keys: Mapping[str, str]) -> HubResponse:
    """The provider's answer, only if it is signed by the provider and bound to this request."""
    keep = ("content-type", "content-digest", "signature-input", "signature",
            protocol.CALL_ID, protocol.REQUEST_HASH)  # fmt: skip
    headers = {k: resp.headers[k] for k in keep if k in resp.headers}
    message = signing.HttpMessage.response(resp.status, headers.items())

    def fail(why: str) -> ProviderFailed:
        return ProviderFailed(
            f"The answer from {call.provider} was refused: {why}. Nothing was passed on; the "
            "provider must sign its answers as described in docs/exchange.md",
            detail_th=f"คำตอบจาก {call.provider} ไม่ผ่านการตรวจสอบ: {why}",
        )

    try:
        sig = protocol.pick(
            signing.parse_signatures(headers.get("signature-input"), headers.get("signature")),
            protocol.RESPONSE_TAG,
        )
        protocol.check_params(
            sig, required=protocol.RESPONSE_COMPONENTS, now=utcnow(), need_nonce=False
        )
        key = provider_keys.get(sig.keyid)
        if key is None:
            raise fail(f"it is signed with {sig.keyid}, not a current key of the provider")
        signing.verify(message, sig, signing.public_from_b64(key))
        signing.check_content_digest(headers.get("content-digest"), resp.body)
    except ProviderFailed:
        raise
    except PrasanError as exc:  # a bad signature, digest or parameters
        raise fail(exc.detail) from None
    if headers.get(protocol.CALL_ID) != call.call_id:
        raise fail("it answers a different call id")
    if headers.get(protocol.REQUEST_HASH) != f"sha-256=:{call.request_hash}:":
        raise fail("it is bound to a different request")
    return HubResponse(status=resp.status, headers=headers, body=resp.body)
