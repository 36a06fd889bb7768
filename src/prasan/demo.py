"""Demo data: an account for every role, and each part's own demo data.

Passwords are fixed and printed in the README because this is a demo; ``seed`` refuses to run
in production mode.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from prasan.accounts import service as accounts
from prasan.accounts.models import User
from prasan.accounts.schemas import UserCreate
from prasan.core.errors import ConfigurationError
from prasan.core.roles import Role
from prasan.core.settings import Settings
from prasan.policy import service as policy_service
from prasan.registries.population.demo import DEMO_CITIZEN_ID

DEMO_PASSWORD = "prasan-demo-2561"  # noqa: S105 (a demo password, published in the README)

DEMO_USERS = [
    UserCreate(
        username="admin", display_name="ผู้ดูแลระบบ (Admin)", roles=[Role.ADMIN],
        password=DEMO_PASSWORD,
    ),
    UserCreate(
        username="somchai", display_name="สมชาย ใจดี", roles=[Role.CITIZEN],
        citizen_id=DEMO_CITIZEN_ID, password=DEMO_PASSWORD,
    ),
    UserCreate(
        username="officer.dlt", display_name="วิภา ขนส่ง (DLT officer)", roles=[Role.OFFICER],
        agency_code="DLT", password=DEMO_PASSWORD,
    ),
    UserCreate(
        username="analyst", display_name="นภา วิเคราะห์ (Policy analyst)", roles=[Role.ANALYST],
        password=DEMO_PASSWORD,
    ),
    UserCreate(
        username="policymaker", display_name="ประเสริฐ นโยบาย (Policymaker)",
        roles=[Role.POLICYMAKER], password=DEMO_PASSWORD,
    ),
]  # fmt: skip


def seed(*, session: Session, settings: Settings) -> Iterator[str]:
    if settings.mode == "production":
        raise ConfigurationError(
            "Refusing to seed demo accounts in production mode: they have published passwords"
        )
    for data in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == data.username)) is None:
            accounts.create_user(session=session, data=data)
            yield f"created demo account {data.username} ({', '.join(data.roles)})"
        else:
            yield f"demo account {data.username} already exists"
    yield from policy_service.seed_demo(session=session, settings=settings)
