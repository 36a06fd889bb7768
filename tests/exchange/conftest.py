"""An exchange world for tests: a real provider app served over HTTP on a loopback port (its own
thread), the hub as the platform app, registered members, keys, a service, and an access right.

Helpers here are plain ``create_x`` functions with good defaults, as in ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from prasan.core import db
from prasan.core.errors import NotFound
from prasan.core.settings import Settings
from prasan.exchange import keystore, provider
from prasan.exchange import service as members
from prasan.exchange.client import ExchangeClient
from prasan.exchange.schemas import MemberCreate, RightCreate, ServiceCreate
from tests.servers import serve

CONSUMER = "TH/GOV/DLT/LICENCE"
PROVIDER = "TH/GOV/TEST/REGISTRY"
SERVICE = "testreg.record"
PURPOSE = "driving-licence-renewal"
CITIZEN = "1101700203450"
OTHER_CITIZEN = "3100600123450"
UNKNOWN_CITIZEN = "1234567890121"
RECORDS = {
    CITIZEN: {"name_th": "สมชาย ใจดี", "province": "กรุงเทพมหานคร", "age": 61},
    OTHER_CITIZEN: {"name_th": "สมหญิง รักดี", "province": "เชียงใหม่", "age": 34},
}


@dataclass
class RecordSpec:
    """A tiny service spec in the shape the population register uses."""

    code: str = SERVICE
    title_en: str = "Test record"
    title_th: str = "ข้อมูลทดสอบ"
    data_items: list[str] = field(default_factory=lambda: ["testreg.record"])
    personal: bool = True

    def handler(
        self, session: Session, citizen_id: str, params: Mapping[str, str]
    ) -> dict[str, Any]:
        record = RECORDS.get(citizen_id)
        if record is None:
            raise NotFound(f"No record for {citizen_id}", detail_th=f"ไม่พบข้อมูลของ {citizen_id}")
        if "attribute" in params:  # attribute-level answer: only what is needed
            return {"citizen_id": citizen_id, "age_over_60": record["age"] >= 60}
        return {"citizen_id": citizen_id, **record}


@dataclass
class Keys:
    consumer: Ed25519PrivateKey
    consumer2: Ed25519PrivateKey
    provider: Ed25519PrivateKey
    known: dict[str, Ed25519PublicKey]  # what the provider's resolver sees


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(
        consumer=Ed25519PrivateKey.generate(),
        consumer2=Ed25519PrivateKey.generate(),
        provider=Ed25519PrivateKey.generate(),
        known={},
    )


@pytest.fixture(scope="session")
def provider_url(settings: Settings, keys: Keys) -> Iterator[str]:
    hub_kid, hub_private = keystore.hub_key(settings)
    keys.known[hub_kid] = hub_private.public_key()
    app = provider.create_provider_app(
        member_id=PROVIDER,
        kid=keystore.make_kid(PROVIDER, keys.provider.public_key()),
        key=keys.provider,
        services=[RecordSpec()],
        session_factory=db.session_factory(settings),
        hub_keys=provider.static_keys(keys.known),
        consumer_keys=provider.static_keys(keys.known),
    )
    with serve(app) as url:
        yield url


@dataclass
class World:
    session: Session
    settings: Settings
    client: ExchangeClient
    http: TestClient
    keys: Keys
    consumer_kid: str
    provider_kid: str
    provider_url: str

    def call(self, service: str = SERVICE, **overrides: Any) -> Any:
        args: dict[str, Any] = {"citizen": CITIZEN, "purpose": PURPOSE, "consent": None}
        args.update(overrides)
        return self.client.call(PROVIDER, service, **args)


def create_world(
    session: Session,
    settings: Settings,
    http: TestClient,
    keys: Keys,
    provider_url: str,
    *,
    legal_basis: str | None = None,
    personal: bool = True,
) -> World:
    members.ensure_hub(session=session, settings=settings)
    members.create_member(
        session=session,
        data=MemberCreate(member_id=CONSUMER, name_en="DLT licensing", name_th="กรมการขนส่งทางบก"),
    )
    members.create_member(
        session=session,
        data=MemberCreate(
            member_id=PROVIDER,
            name_en="Test registry",
            name_th="ทะเบียนทดสอบ",
            base_url=provider_url,
        ),
    )
    ckey = members.add_key(
        session=session, member_id=CONSUMER, public_key=keys.consumer.public_key()
    )
    pkey = members.add_key(
        session=session, member_id=PROVIDER, public_key=keys.provider.public_key()
    )
    keys.known[ckey.kid] = keys.consumer.public_key()
    members.publish_service(
        session=session,
        data=ServiceCreate(
            provider=PROVIDER,
            code=SERVICE,
            title_en="Test record",
            title_th="ข้อมูลทดสอบ",
            data_items=["testreg.record"],
            personal=personal,
        ),
    )
    members.grant_right(
        session=session,
        data=RightCreate(
            consumer=CONSUMER, provider=PROVIDER, service=SERVICE, purposes=[PURPOSE],
            legal_basis=legal_basis,
        ),
    )  # fmt: skip
    session.commit()
    http.app.state.exchange_session = session  # type: ignore[attr-defined]
    client = ExchangeClient(
        hub_url="http://testserver",
        kid=ckey.kid,
        key=keys.consumer,
        http=http,
        provider_keys={pkey.kid: keys.provider.public_key()},
    )
    return World(session, settings, client, http, keys, ckey.kid, pkey.kid, provider_url)


@pytest.fixture
def world(
    session: Session, settings: Settings, client: TestClient, keys: Keys, provider_url: str
) -> World:
    return create_world(session, settings, client, keys, provider_url)
