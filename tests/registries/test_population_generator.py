"""The synthetic population: valid and unique IDs, real places, sensible households and cards."""

from __future__ import annotations

import csv
import datetime as dt
import re
import time
from collections import Counter, defaultdict

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from prasan.core.ids import validate_citizen_id
from prasan.registries.population.ages import add_years, age_on
from prasan.registries.population.demo import DEMO_PEOPLE
from prasan.registries.population.generate import (
    SeedReport,
    is_valid_house_code,
    seed_population,
)
from prasan.registries.population.models import House, IdCard, Person, Province
from prasan.registries.population.places import DATA_DIR
from tests.registries.conftest import AS_OF, SMALL

THAI = re.compile(r"^[\u0E00-\u0E7F ]+$")
LATIN = re.compile(r"^[A-Za-z .\-]+$")


def _people(session: Session) -> list[Person]:
    return list(session.scalars(select(Person)))


def test_generator_adds_exactly_count_people_with_valid_unique_ids(
    session: Session, register: SeedReport
) -> None:
    people = _people(session)
    assert register.persons == SMALL
    assert len(people) == SMALL + len(DEMO_PEOPLE)
    ids = [p.citizen_id for p in people]
    assert len(set(ids)) == len(ids)
    for cid in ids:
        assert validate_citizen_id(cid) == cid


def test_first_digit_and_office_follow_dopa_layout(session: Session, register: SeedReport) -> None:
    district_codes = {
        row["id"] for row in csv.DictReader((DATA_DIR / "districts.csv").open(encoding="utf-8"))
    }
    for p in _people(session):
        expected = "1" if p.birth_date >= dt.date(1984, 1, 1) else "3"
        assert p.citizen_id[0] == expected, p
        assert p.citizen_id[1:5] in district_codes


def test_households_hold_1_to_8_people_under_one_living_head(
    session: Session, register: SeedReport
) -> None:
    by_house: dict[str | None, list[Person]] = defaultdict(list)
    for p in _people(session):
        by_house[p.house_code].append(p)
    assert None not in by_house
    sizes = Counter(len(members) for members in by_house.values())
    assert set(sizes) <= set(range(1, 9))
    assert sizes[1] > 0 and sizes[4] > 0 and max(sizes) >= 7  # a spread, not one size
    for members in by_house.values():
        heads = [m for m in members if m.relation == "head"]
        assert len(heads) == 1
        assert not heads[0].deceased
        # family members share the head's surname; only residents may not
        family = [m for m in members if m.relation in ("spouse", "child", "grandchild")]
        assert all(m.last_name_th == heads[0].last_name_th for m in family)
    assert register.households == len(by_house) - 3  # three fixed demo houses


def test_houses_are_at_real_places_with_their_postal_codes(
    session: Session, register: SeedReport
) -> None:
    real = {
        row["id"]: (row["district_id"], row["zip_code"])
        for row in csv.DictReader((DATA_DIR / "sub_districts.csv").open(encoding="utf-8"))
    }
    houses = list(session.scalars(select(House)))
    assert len(houses) == register.households + 3
    provinces_seen = set()
    for h in houses:
        district, postal = real[h.subdistrict_code]
        assert h.postal_code == postal
        assert h.house_code.startswith(district)
        assert is_valid_house_code(h.house_code), h.house_code
        provinces_seen.add(district[:2])
    # 2,000 people in ~650 houses land in most of Thailand's 77 provinces
    assert len(provinces_seen) > 60
    assert session.query(Province).count() == 77


def test_ages_spread_from_0_to_100(session: Session, register: SeedReport) -> None:
    ages = [age_on(p.birth_date, AS_OF) for p in _people(session)]
    assert min(ages) == 0
    assert 90 <= max(ages) <= 100
    decades = Counter(a // 10 for a in ages)
    assert all(decades[d] > 0 for d in range(10))


def test_names_are_plausible_in_thai_and_english(session: Session, register: SeedReport) -> None:
    people = _people(session)
    for p in people:
        assert THAI.match(p.first_name_th) and THAI.match(p.last_name_th), p.citizen_id
        assert LATIN.match(p.first_name_en) and LATIN.match(p.last_name_en), p.citizen_id
        age = age_on(p.birth_date, AS_OF)
        if age < 15:
            assert p.title_th in ("เด็กชาย", "เด็กหญิง")
        elif p.sex == "M":
            assert (p.title_th, p.title_en) == ("นาย", "Mr.")
        else:
            assert p.title_th in ("นาง", "นางสาว")
    assert len({p.last_name_th for p in people}) > 300
    assert {p.sex for p in people} == {"M", "F"}


def test_id_cards_follow_the_rules(session: Session, register: SeedReport) -> None:
    people = {p.citizen_id: p for p in _people(session)}
    cards = list(session.scalars(select(IdCard)))
    assert len({c.card_number for c in cards}) == len(cards)
    holders = {c.citizen_id for c in cards}
    for cid, p in people.items():
        end = p.death_date or AS_OF
        if age_on(p.birth_date, end) < 7:
            assert cid not in holders
    lifelong = expired = 0
    for c in cards:
        p = people[c.citizen_id]
        assert c.issue_date >= add_years(p.birth_date, 7)
        assert c.issue_date <= (p.death_date or AS_OF)
        if age_on(p.birth_date, c.issue_date) >= 70:
            assert c.expiry_date is None
            lifelong += 1
        else:
            assert c.expiry_date == add_years(
                p.birth_date, c.issue_date.year + 8 - p.birth_date.year
            )
            expired += c.expiry_date < AS_OF
    assert lifelong > 0 and expired > 0
    assert register.id_cards == len(cards) - sum(1 for p in DEMO_PEOPLE if p.card)


def test_some_people_have_died_and_their_death_follows_birth(
    session: Session, register: SeedReport
) -> None:
    dead = [p for p in _people(session) if p.deceased]
    assert register.deceased == len(dead) - 1  # the demo father
    assert dead
    for p in dead:
        assert p.death_date is not None and p.birth_date < p.death_date < AS_OF
        assert p.relation != "head"


def test_same_seed_same_people(session: Session) -> None:
    runs = []
    for _ in range(2):
        nested = session.begin_nested()
        seed_population(session=session, count=300, seed=42, as_of=AS_OF)
        runs.append(
            [
                (p.citizen_id, p.first_name_en, p.birth_date, p.house_code)
                for p in session.scalars(select(Person).order_by(Person.citizen_id))
            ]
        )
        nested.rollback()
    assert runs[0] == runs[1]
    assert len(runs[0]) == 300


def test_a_second_run_adds_people_around_those_already_there(
    session: Session, register: SeedReport
) -> None:
    again = seed_population(session=session, count=500, seed=7, as_of=AS_OF)
    assert again.persons == 500
    assert len(_people(session)) == SMALL + 500 + len(DEMO_PEOPLE)


def test_seeding_2000_people_is_quick(session: Session) -> None:
    started = time.perf_counter()
    report = seed_population(session=session, count=SMALL, seed=3, as_of=AS_OF)
    session.flush()
    elapsed = time.perf_counter() - started
    assert report.persons == SMALL
    # 100,000 take about 5 s on SQLite here; 2,000 (plus loading 8,457 places) must not take 5.
    assert elapsed < 5, f"seeding {SMALL} people took {elapsed:.1f} s"


@pytest.mark.parametrize(
    "overrides",
    [
        {"sex": "X"},
        {"relation": "landlord"},
        {"deceased": False, "death_date": dt.date(2020, 1, 1)},
    ],
)
def test_the_database_refuses_impossible_people(session: Session, overrides: dict) -> None:  # type: ignore[type-arg]
    fields = {
        "citizen_id": "1101700203492",
        "title_th": "นาย",
        "title_en": "Mr.",
        "first_name_th": "ทดสอบ",
        "last_name_th": "ระบบ",
        "first_name_en": "Test",
        "last_name_en": "System",
        "sex": "M",
        "birth_date": dt.date(1990, 1, 1),
        "deceased": False,
        **overrides,
    }
    nested = session.begin_nested()
    session.add(Person(**fields))
    with pytest.raises(IntegrityError):
        session.flush()
    nested.rollback()
