"""The demo register: the well-known citizens, a generated population, idempotent seeding."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prasan.core.errors import ConfigurationError
from prasan.core.ids import validate_citizen_id
from prasan.core.settings import Settings
from prasan.registries.population import service
from prasan.registries.population.demo import (
    DEMO_CITIZEN_ID,
    DEMO_HOUSES,
    DEMO_PEOPLE,
    seed_demo,
    seed_demo_register,
)
from prasan.registries.population.generate import is_valid_house_code
from prasan.registries.population.models import Person


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person)) or 0


def test_demo_data_is_itself_valid() -> None:
    from prasan.demo import DEMO_USERS

    # the demo citizen account is a person the register knows
    somchai = next(u for u in DEMO_USERS if u.username == "somchai")
    assert somchai.citizen_id == DEMO_CITIZEN_ID in {p.citizen_id for p in DEMO_PEOPLE}
    for person in DEMO_PEOPLE:
        validate_citizen_id(person.citizen_id)
    for house in DEMO_HOUSES:
        code = str(house.house["house_code"])
        assert is_valid_house_code(code)
        assert code.startswith(house.district_code)
        assert house.people[0].relation == "head"


def test_seed_demo_registers_the_demo_citizen_then_a_population_once(session: Session) -> None:
    first = list(seed_demo(session, count=300))
    assert any("registered demo household of Somchai Jaidee" in line for line in first)
    assert "generated 300 people" in first[-1]
    assert _count(session) == 300 + len(DEMO_PEOPLE)
    somchai = service.id_card(session=session, citizen_id=DEMO_CITIZEN_ID)
    assert somchai["full_name"]["th"] == "นายสมชาย ใจดี"

    again = list(seed_demo(session, count=300))
    assert any("already registered" in line for line in again)
    assert "already holds" in again[-1]
    assert _count(session) == 300 + len(DEMO_PEOPLE)


def test_demo_register_refuses_production(tmp_path: Path) -> None:
    production = Settings(mode="production", data_dir=tmp_path, secret_key="s" * 40)
    with pytest.raises(ConfigurationError, match="production"):
        list(seed_demo_register(settings=production, count=10))
    assert not (tmp_path / "population.db").exists()


def test_demo_register_uses_its_own_database(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="s" * 40)
    lines = list(seed_demo_register(settings=settings, count=50))
    assert "generated 50 people" in lines[-1]
    assert (tmp_path / "population.db").exists()
    assert not (tmp_path / "prasan.db").exists()
