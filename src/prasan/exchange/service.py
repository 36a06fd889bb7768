"""Members, keys, services and access rights: plain functions the admin API, the CLI and the demo
seed share. The hub's hot path reads these through ``lookup_*`` below."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from prasan.core.db import utcnow
from prasan.core.errors import Conflict, NotFound
from prasan.core.settings import Settings
from prasan.exchange import keystore
from prasan.exchange.models import AccessRight, Member, MemberKey, Service
from prasan.exchange.schemas import MemberCreate, RightCreate, RightRead, ServiceCreate, ServiceRead
from prasan.exchange.signing import b64, public_from_b64, public_raw, save_private_key


def _not_found_member(member_id: str) -> NotFound:
    return NotFound(
        f"No member {member_id}: register it first with `prasan exchange member add`",
        detail_th=f"ไม่พบสมาชิก {member_id}: ลงทะเบียนก่อนด้วยคำสั่ง prasan exchange member add",
    )


def get_member(*, session: Session, member_id: str) -> Member:
    member = session.scalar(select(Member).where(Member.member_id == member_id))
    if member is None:
        raise _not_found_member(member_id)
    return member


def list_members(*, session: Session) -> list[Member]:
    return list(session.scalars(select(Member).order_by(Member.member_id)))


def create_member(*, session: Session, data: MemberCreate) -> Member:
    if session.scalar(select(Member.id).where(Member.member_id == data.member_id)) is not None:
        raise Conflict(
            f"Member {data.member_id} is already registered: update it instead",
            detail_th=f"สมาชิก {data.member_id} ลงทะเบียนไว้แล้ว",
        )
    member = Member(
        member_id=data.member_id, name_en=data.name_en, name_th=data.name_th, base_url=data.base_url
    )
    session.add(member)
    session.flush()
    return member


def set_base_url(*, session: Session, member_id: str, base_url: str | None) -> Member:
    member = get_member(session=session, member_id=member_id)
    member.base_url = base_url.rstrip("/") if base_url else None
    return member


def add_key(*, session: Session, member_id: str, public_key: Ed25519PublicKey) -> MemberKey:
    """Register a public key (rotation: older keys stay valid until retired or revoked)."""
    member = get_member(session=session, member_id=member_id)
    kid = keystore.make_kid(member_id, public_key)
    if session.get(MemberKey, kid) is not None:
        raise Conflict(f"Key {kid} is already registered", detail_th=f"กุญแจ {kid} ลงทะเบียนไว้แล้ว")
    key = MemberKey(kid=kid, member_pk=member.id, public_key=b64(public_raw(public_key)))
    session.add(key)
    session.flush()
    return key


def generate_key(*, session: Session, settings: Settings, member_id: str) -> MemberKey:
    """Make a key pair, keep the private key under ``key_dir`` (demo) and register the public."""
    private = Ed25519PrivateKey.generate()
    key = add_key(session=session, member_id=member_id, public_key=private.public_key())
    save_private_key(private, keystore.key_path(settings, key.kid))
    return key


def rotate_key(
    *, session: Session, settings: Settings, member_id: str, grace: dt.timedelta
) -> MemberKey:
    """A new key; the member's current keys retire after ``grace`` (calls in flight still pass)."""
    member = get_member(session=session, member_id=member_id)
    until = utcnow() + grace
    for old in member.keys:
        if old.status == "active" and (old.not_after is None or old.not_after > until):
            old.not_after = until
    return generate_key(session=session, settings=settings, member_id=member_id)


def revoke_key(*, session: Session, kid: str) -> MemberKey:
    """Revoked keys are refused on the very next call: the hub reads key status on every call."""
    key = session.get(MemberKey, kid)
    if key is None:
        raise NotFound(f"No key {kid}", detail_th=f"ไม่พบกุญแจ {kid}")
    key.status = "revoked"
    key.revoked_at = utcnow()
    return key


def issue_certificate(
    *,
    session: Session,
    settings: Settings,
    kid: str,
    dns_names: list[str] | None = None,
    ip_addresses: list[str] | None = None,
) -> MemberKey:
    """An X.509 certificate from the platform CA for a registered key (kept with the key, and
    written beside the private key when it is under ``key_dir``)."""
    from prasan.exchange import pki

    key = session.get(MemberKey, kid)
    if key is None:
        raise NotFound(f"No key {kid}", detail_th=f"ไม่พบกุญแจ {kid}")
    cert = pki.issue(
        settings,
        member_id=key.member.member_id,
        public_key=public_from_b64(key.public_key),
        dns_names=dns_names or [],
        ip_addresses=ip_addresses or [],
    )
    key.certificate = pki.pem(cert)
    path = pki.cert_path(settings, kid)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key.certificate, encoding="utf-8")
    return key


def ensure_hub(*, session: Session, settings: Settings) -> str:
    """Register the hub as a member with its current key (idempotent); returns the hub kid."""
    kid, key = keystore.hub_key(settings)
    member = session.scalar(select(Member).where(Member.member_id == keystore.HUB_MEMBER_ID))
    if member is None:
        member = create_member(
            session=session,
            data=MemberCreate(
                member_id=keystore.HUB_MEMBER_ID,
                name_en="Prasan exchange hub (DGA)",
                name_th="ศูนย์แลกเปลี่ยนข้อมูลประสาน (สพร.)",
            ),
        )
    if session.get(MemberKey, kid) is None:
        add_key(session=session, member_id=keystore.HUB_MEMBER_ID, public_key=key.public_key())
    return kid


def public_keys(*, session: Session) -> dict[str, Ed25519PublicKey]:
    return {k.kid: public_from_b64(k.public_key) for k in session.scalars(select(MemberKey))}


# ---------------------------------------------------------------- services


def _service_read(s: Service) -> ServiceRead:
    return ServiceRead(
        provider=s.provider.member_id,
        code=s.code,
        title_en=s.title_en,
        title_th=s.title_th,
        data_items=list(s.data_items),
        personal=s.personal,
        openapi=s.openapi,
    )


def publish_service(*, session: Session, data: ServiceCreate) -> ServiceRead:
    """Publish (or update) a provider's service."""
    provider = get_member(session=session, member_id=data.provider)
    svc = session.scalar(
        select(Service).where(Service.provider_pk == provider.id, Service.code == data.code)
    )
    if svc is None:
        svc = Service(provider_pk=provider.id, code=data.code, provider=provider)
        session.add(svc)
    svc.title_en, svc.title_th = data.title_en, data.title_th
    svc.data_items, svc.personal, svc.openapi = list(data.data_items), data.personal, data.openapi
    svc.is_active = True
    session.flush()
    return _service_read(svc)


def find_service(*, session: Session, provider_id: str, code: str) -> Service:
    svc = session.scalar(
        select(Service)
        .join(Member, Service.provider_pk == Member.id)
        .where(Member.member_id == provider_id, Service.code == code, Service.is_active.is_(True))
    )
    if svc is None:
        from prasan.exchange.errors import UnknownService

        raise UnknownService(
            f"Provider {provider_id} publishes no service {code!r}: see GET /x/v1/directory "
            "for the published services",
            detail_th=f"หน่วยงาน {provider_id} ไม่มีบริการ {code!r}: ดูรายการบริการที่ GET /x/v1/directory",
        )
    return svc


def list_services(*, session: Session) -> list[ServiceRead]:
    rows = session.scalars(
        select(Service).where(Service.is_active.is_(True)).order_by(Service.code)
    )
    return [_service_read(s) for s in rows]


# ---------------------------------------------------------------- access rights


def _right_read(r: AccessRight) -> RightRead:
    return RightRead(
        id=r.id,
        consumer=r.consumer.member_id,
        provider=r.service.provider.member_id,
        service=r.service.code,
        purposes=list(r.purposes),
        legal_basis=r.legal_basis,
        revoked_at=r.revoked_at,
    )


def grant_right(*, session: Session, data: RightCreate) -> RightRead:
    """Allow a consumer system to call a service for these purposes (replaces earlier ones)."""
    consumer = get_member(session=session, member_id=data.consumer)
    svc = find_service(session=session, provider_id=data.provider, code=data.service)
    right = session.scalar(
        select(AccessRight).where(
            AccessRight.consumer_pk == consumer.id, AccessRight.service_pk == svc.id
        )
    )
    if right is None:
        right = AccessRight(
            consumer_pk=consumer.id, service_pk=svc.id, consumer=consumer, service=svc
        )
        session.add(right)
    right.purposes = sorted(set(data.purposes))
    right.legal_basis = data.legal_basis
    right.revoked_at = None
    session.flush()
    return _right_read(right)


def revoke_right(*, session: Session, right_id: int) -> RightRead:
    right = session.get(AccessRight, right_id)
    if right is None:
        raise NotFound(f"No access right {right_id}", detail_th=f"ไม่พบสิทธิ์การเข้าถึง {right_id}")
    right.revoked_at = utcnow()
    return _right_read(right)


def list_rights(*, session: Session) -> list[RightRead]:
    return [_right_read(r) for r in session.scalars(select(AccessRight).order_by(AccessRight.id))]


def directory(*, session: Session) -> dict[str, Any]:
    """What anyone may read: members, their public keys and base URLs, and services."""
    return {
        "members": [
            {
                "member_id": m.member_id,
                "name_en": m.name_en,
                "name_th": m.name_th,
                "keys": [
                    {
                        "kid": k.kid,
                        "public_key": k.public_key,
                        "status": k.status,
                        "not_after": k.not_after.isoformat() if k.not_after else None,
                        "certificate": k.certificate,
                    }
                    for k in m.keys
                ],
            }
            for m in list_members(session=session)
        ],
        "services": [s.model_dump() for s in list_services(session=session)],
    }


# ---------------------------------------------------------------- hot-path lookups (Core, no ORM)


@dataclass(frozen=True)
class KeyInfo:
    kid: str
    public_key: str
    status: str
    not_after: dt.datetime | None
    revoked_at: dt.datetime | None
    member_pk: int
    member_id: str

    def usable(self, now: dt.datetime) -> bool:
        return self.status == "active" and (self.not_after is None or self.not_after > now)


_KEY_INFO = (
    select(
        MemberKey.kid,
        MemberKey.public_key,
        MemberKey.status,
        MemberKey.not_after,
        MemberKey.revoked_at,
        Member.id,
        Member.member_id,
    )
    .join(Member, Member.id == MemberKey.member_pk)
    .where(MemberKey.kid == bindparam("kid"))
)


def key_info(*, session: Session, kid: str) -> KeyInfo | None:
    row = session.connection().execute(_KEY_INFO, {"kid": kid}).first()
    return KeyInfo(*row) if row is not None else None


@dataclass(frozen=True)
class Route:
    """A service as the hub needs it for one consumer: where it is, what it returns, and the
    consumer's access right to it (``right_id`` None when there is none)."""

    service_pk: int
    data_items: list[str]
    personal: bool
    provider_pk: int
    base_url: str | None
    right_id: int | None
    purposes: list[str]
    legal_basis: str | None


_ROUTE = (
    select(
        Service.id,
        Service.data_items,
        Service.personal,
        Member.id,
        Member.base_url,
        AccessRight.id,
        AccessRight.purposes,
        AccessRight.legal_basis,
    )
    .join(Member, Member.id == Service.provider_pk)
    .outerjoin(
        AccessRight,
        and_(
            AccessRight.service_pk == Service.id,
            AccessRight.consumer_pk == bindparam("consumer_pk"),
            AccessRight.revoked_at.is_(None),
        ),
    )
    .where(
        Member.member_id == bindparam("provider_id"),
        Service.code == bindparam("code"),
        Service.is_active.is_(True),
    )
)


def route(*, session: Session, provider_id: str, code: str, consumer_pk: int) -> Route | None:
    row = (
        session.connection()
        .execute(_ROUTE, {"provider_id": provider_id, "code": code, "consumer_pk": consumer_pk})
        .first()
    )
    if row is None:
        return None
    spk, items, personal, ppk, url, rid, purposes, basis = row
    return Route(spk, list(items), bool(personal), ppk, url, rid, list(purposes or []), basis)


_USABLE_KEYS = select(
    MemberKey.kid, MemberKey.public_key, MemberKey.status, MemberKey.not_after
).where(MemberKey.member_pk == bindparam("member_pk"))


def usable_keys(*, session: Session, member_pk: int, now: dt.datetime) -> dict[str, str]:
    """kid -> base64 public key of a member's usable keys."""
    rows = session.connection().execute(_USABLE_KEYS, {"member_pk": member_pk}).all()
    return {
        kid: pub
        for kid, pub, status, not_after in rows
        if status == "active" and (not_after is None or not_after > now)
    }
