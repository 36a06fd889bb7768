"""Fixtures for the registries: a register holding the demo citizens and a small generated
population, on the run's real database, rolled back after each test."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from prasan.registries.population.demo import seed_fixed_citizens
from prasan.registries.population.generate import SeedReport, seed_population

AS_OF = dt.date(2026, 11, 26)
SMALL = 2_000


@pytest.fixture
def register(session: Session) -> SeedReport:
    """The demo citizens plus 2,000 generated people, as of ``AS_OF``."""
    list(seed_fixed_citizens(session=session))
    report = seed_population(session=session, count=SMALL, seed=7, as_of=AS_OF)
    session.flush()
    return report
