"""Consent records: asked for (pending), given (active, with a signed JWS receipt the citizen can
keep), revoked (effective for the very next call: the hub reads the status on every call),
expired (past ``valid_until``), or used up (single-use, spent by the call that used it).

The receipt is a compact JWS (alg ``Ed25519``, RFC 9864) signed by the hub's key over the
consent's fields, so a citizen can prove what they agreed to without trusting the database.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc import jws
from joserfc.jwk import OKPKey
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from prasan.core.db import utcnow
from prasan.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from prasan.core.ids import validate_citizen_id
from prasan.exchange import service as members
from prasan.exchange.errors import (
    ConsentExpired,
    ConsentInvalid,
    ConsentRequired,
    ConsentRevoked,
)
from prasan.exchange.models import Consent
from prasan.exchange.schemas import ConsentCreate
from prasan.exchange.signing import private_pem

RECEIPT_ALG = "Ed25519"
DEFAULT_VALIDITY = dt.timedelta(days=30)


def create(
    *,
    session: Session,
    data: ConsentCreate,
    active: bool = False,
    hub: tuple[str, Ed25519PrivateKey] | None = None,
) -> Consent:
    """Record a consent request (pending), or a consent given at once when ``active``."""
    cid = validate_citizen_id(data.citizen_id)
    members.get_member(session=session, member_id=data.consumer)
    members.get_member(session=session, member_id=data.provider)
    now = utcnow()
    valid_from = data.valid_from or now
    valid_until = data.valid_until or valid_from + DEFAULT_VALIDITY
    if valid_until <= valid_from:
        raise ValidationFailed(
            "valid_until must be after valid_from: choose a later end date",
            detail_th="วันสิ้นสุดต้องอยู่หลังวันเริ่มต้น",
            errors=[{"field": "valid_until", "message": "must be after valid_from"}],
        )
    consent = Consent(
        id=str(uuid.uuid4()),
        citizen_id=cid,
        consumer_id=data.consumer,
        provider_id=data.provider,
        data_items=sorted(set(data.data_items)),
        purpose=data.purpose,
        legal_basis=data.legal_basis,
        valid_from=valid_from,
        valid_until=valid_until,
        single_use=data.single_use,
        status="pending",
        created_at=now,
    )
    session.add(consent)
    session.flush()
    if active:
        if hub is None:
            raise ValueError("an active consent needs the hub key for its receipt")
        grant(session=session, consent_id=consent.id, citizen_id=cid, hub=hub)
    return consent


def get(*, session: Session, consent_id: str) -> Consent:
    consent = session.get(Consent, consent_id)
    if consent is None:
        raise NotFound(f"No consent {consent_id}", detail_th=f"ไม่พบความยินยอม {consent_id}")
    return consent


def _owned(session: Session, consent_id: str, citizen_id: str) -> Consent:
    consent = get(session=session, consent_id=consent_id)
    if consent.citizen_id != citizen_id:
        raise Forbidden(
            "This consent belongs to someone else: you can manage only your own consents",
            detail_th="ความยินยอมนี้เป็นของผู้อื่น: จัดการได้เฉพาะความยินยอมของตนเอง",
        )
    return consent


def receipt_claims(c: Consent) -> dict[str, Any]:
    return {
        "jti": c.id,
        "sub": c.citizen_id,
        "consumer": c.consumer_id,
        "provider": c.provider_id,
        "data_items": list(c.data_items),
        "purpose": c.purpose,
        "legal_basis": c.legal_basis,
        "nbf": int(c.valid_from.timestamp()),
        "exp": int(c.valid_until.timestamp()),
        "single_use": c.single_use,
        "iat": int((c.granted_at or utcnow()).timestamp()),
    }


def grant(
    *, session: Session, consent_id: str, citizen_id: str, hub: tuple[str, Ed25519PrivateKey]
) -> Consent:
    """The citizen agrees: the consent becomes active and gets its signed receipt."""
    consent = _owned(session, consent_id, citizen_id)
    if consent.status != "pending":
        raise Conflict(
            f"Consent {consent_id} is {consent.status}, not pending: ask the agency for a new one",
            detail_th=f"ความยินยอม {consent_id} อยู่ในสถานะ {consent.status} แล้ว",
        )
    consent.status = "active"
    consent.granted_at = utcnow()
    kid, key = hub
    payload = json.dumps(receipt_claims(consent), sort_keys=True, separators=(",", ":"))
    consent.receipt = jws.serialize_compact(
        {"alg": RECEIPT_ALG, "kid": kid, "typ": "prasan-consent+jws"},
        payload.encode(),
        OKPKey.import_key(private_pem(key)),
        algorithms=[RECEIPT_ALG],
    )
    session.flush()
    return consent


def verify_receipt(receipt: str, public_key: Ed25519PublicKey) -> dict[str, Any]:
    """The receipt's claims if the hub's signature holds (raises ``ValueError`` otherwise)."""
    from prasan.exchange.signing import public_raw

    jwk = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": _b64url(public_raw(public_key))})
    try:
        obj = jws.deserialize_compact(receipt, jwk, algorithms=[RECEIPT_ALG])
    except Exception as exc:  # joserfc raises several types for a bad token
        raise ValueError(f"consent receipt does not verify: {exc}") from exc
    claims: dict[str, Any] = json.loads(obj.payload)
    return claims


def _b64url(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def revoke(*, session: Session, consent_id: str, citizen_id: str) -> Consent:
    consent = _owned(session, consent_id, citizen_id)
    if consent.status in ("pending", "active"):
        consent.status = "revoked"
        consent.revoked_at = utcnow()
    session.flush()
    return consent


def effective_status(c: Consent | ConsentView, now: dt.datetime) -> str:
    if c.status == "active" and (now >= c.valid_until or (c.single_use and c.used_at)):
        return "expired"
    return c.status


def list_for_citizen(*, session: Session, citizen_id: str) -> list[Consent]:
    return list(
        session.scalars(
            select(Consent)
            .where(Consent.citizen_id == citizen_id)
            .order_by(Consent.created_at.desc())
        )
    )


@dataclass(frozen=True)
class ConsentView:
    """The columns of a consent the hub checks on every call (read without the ORM)."""

    id: str
    citizen_id: str
    consumer_id: str
    provider_id: str
    data_items: list[str]
    purpose: str
    legal_basis: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    single_use: bool
    status: str
    used_at: dt.datetime | None


_CONSENT_VIEW = select(
    Consent.id,
    Consent.citizen_id,
    Consent.consumer_id,
    Consent.provider_id,
    Consent.data_items,
    Consent.purpose,
    Consent.legal_basis,
    Consent.valid_from,
    Consent.valid_until,
    Consent.single_use,
    Consent.status,
    Consent.used_at,
).where(Consent.id == bindparam("id"))


def check_for_call(
    *,
    session: Session,
    consent_id: str | None,
    citizen_id: str,
    consumer_id: str,
    provider_id: str,
    purpose: str,
    data_items: Sequence[str],
    now: dt.datetime,
) -> ConsentView:
    """The consent that allows this call, or the refusal that says why it does not."""
    if not consent_id:
        raise ConsentRequired(
            f"{provider_id} holds personal data and your access right has no recorded legal "
            "basis: ask the citizen for consent and send its id in the Prasan-Consent header",
            detail_th="ข้อมูลนี้เป็นข้อมูลส่วนบุคคล: ขอความยินยอมจากประชาชนและส่งรหัสความยินยอม "
            "ในส่วนหัว Prasan-Consent",
        )
    row = session.connection().execute(_CONSENT_VIEW, {"id": consent_id}).first()
    consent = ConsentView(**row._asdict()) if row is not None else None
    if consent is None:
        raise ConsentRequired(
            f"No consent {consent_id}: check the id, or ask the citizen for consent",
            detail_th=f"ไม่พบความยินยอม {consent_id}: ตรวจสอบรหัส หรือขอความยินยอมจากประชาชน",
        )
    if consent.status == "revoked":
        raise ConsentRevoked(
            f"The citizen revoked consent {consent_id}: ask for a new consent if still needed",
            detail_th=f"ประชาชนเพิกถอนความยินยอม {consent_id} แล้ว: ขอความยินยอมใหม่หากยังจำเป็น",
        )
    if consent.status == "pending":
        raise ConsentInvalid(
            f"Consent {consent_id} has not been given yet: wait for the citizen to agree",
            detail_th=f"ประชาชนยังไม่ได้ให้ความยินยอม {consent_id}",
        )
    if effective_status(consent, now) == "expired" or now < consent.valid_from:
        raise ConsentExpired(
            f"Consent {consent_id} is not valid now (valid {consent.valid_from:%Y-%m-%d %H:%M} "
            f"to {consent.valid_until:%Y-%m-%d %H:%M} UTC"
            f"{', single use, already used' if consent.used_at and consent.single_use else ''}): "
            "ask the citizen for a new consent",
            detail_th=f"ความยินยอม {consent_id} หมดอายุหรือถูกใช้ไปแล้ว: ขอความยินยอมใหม่",
        )
    mismatch = []
    if consent.citizen_id != citizen_id:
        mismatch.append("citizen")
    if consent.consumer_id != consumer_id:
        mismatch.append("consumer")
    if consent.provider_id != provider_id:
        mismatch.append("provider")
    if consent.purpose != purpose:
        mismatch.append("purpose")
    missing = sorted(set(data_items) - set(consent.data_items))
    if missing:
        mismatch.append("data items " + ", ".join(missing))
    if mismatch:
        raise ConsentInvalid(
            f"Consent {consent_id} does not cover this call ({'; '.join(mismatch)} differ): "
            "use a consent given for this citizen, agency, purpose and data",
            detail_th=f"ความยินยอม {consent_id} ไม่ครอบคลุมคำขอนี้ ({'; '.join(mismatch)})",
        )
    return consent


def spend(*, session: Session, consent: Consent | ConsentView, now: dt.datetime) -> None:
    """Mark a single-use consent used, atomically: a second concurrent use is refused."""
    if not consent.single_use:
        return
    done = session.execute(
        update(Consent)
        .where(Consent.id == consent.id, Consent.used_at.is_(None), Consent.status == "active")
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 1) != 1:
        raise ConsentExpired(
            f"Single-use consent {consent.id} was used by another call: ask for a new consent",
            detail_th=f"ความยินยอมแบบใช้ครั้งเดียว {consent.id} ถูกใช้ไปแล้ว",
        )
