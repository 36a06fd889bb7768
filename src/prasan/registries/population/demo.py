"""Demo data for the population register: a few well-known citizens plus a generated population.

The fixed citizens are the ones the demo and the docs talk about: สมชาย ใจดี (the demo citizen
account, 1101700203450) and his household in Huai Khwang, Bangkok, including a deceased father
and a mother with a lifelong card; a young woman living alone in Chiang Mai; and a man in Khon
Kaen whose card has expired, living with a grandson too young for a card. Seeding is idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prasan.core.errors import ConfigurationError
from prasan.core.settings import Settings, get_settings
from prasan.registries.population.database import register_session, upgrade
from prasan.registries.population.generate import seed_population
from prasan.registries.population.models import House, IdCard, Person
from prasan.registries.population.places import ensure_places

DEMO_CITIZEN_ID = "1101700203450"
DEFAULT_DEMO_COUNT = 100_000


@dataclass(frozen=True)
class DemoPerson:
    citizen_id: str
    title_th: str
    title_en: str
    first_th: str
    last_th: str
    first_en: str
    last_en: str
    sex: str
    birth: dt.date
    relation: str
    death: dt.date | None = None
    card: tuple[str, dt.date, dt.date | None] | None = None  # number, issued, expires


@dataclass(frozen=True)
class DemoHouse:
    house: dict[str, str | int | None]
    district_code: str
    people: tuple[DemoPerson, ...]


DEMO_HOUSES: tuple[DemoHouse, ...] = (
    DemoHouse(
        house={
            "house_code": "10170001237",
            "house_number": "99/12",
            "soi_th": "ประชาราษฎร์บำเพ็ญ 20",
            "soi_en": "Pracha Rat Bamphen 20",
            "road_th": "ประชาราษฎร์บำเพ็ญ",
            "road_en": "Pracha Rat Bamphen",
            "subdistrict_code": "101701",
            "postal_code": "10310",
        },
        district_code="1017",
        people=(
            DemoPerson(
                DEMO_CITIZEN_ID, "นาย", "Mr.", "สมชาย", "ใจดี", "Somchai", "Jaidee", "M",
                dt.date(1985, 3, 9), "head",
                card=("JT1-0203450-01", dt.date(2023, 3, 10), dt.date(2031, 3, 9)),
            ),
            DemoPerson(
                "1101700203468", "นาง", "Mrs.", "สมหญิง", "ใจดี", "Somying", "Jaidee", "F",
                dt.date(1987, 7, 21), "spouse",
                card=("JT1-0203468-02", dt.date(2022, 8, 1), dt.date(2030, 7, 21)),
            ),
            DemoPerson(
                "1101700203476", "เด็กหญิง", "Miss", "มะลิ", "ใจดี", "Mali", "Jaidee", "F",
                dt.date(2016, 5, 2), "child",
                card=("JT1-0203476-03", dt.date(2023, 5, 10), dt.date(2031, 5, 2)),
            ),
            DemoPerson(
                "3101700123452", "นาย", "Mr.", "ประเสริฐ", "ใจดี", "Prasert", "Jaidee", "M",
                dt.date(1948, 2, 29), "parent", death=dt.date(2024, 1, 15),
                card=("JT1-0123452-04", dt.date(2019, 3, 1), None),
            ),
            DemoPerson(
                "3101700123461", "นาง", "Mrs.", "ลำดวน", "ใจดี", "Lamduan", "Jaidee", "F",
                dt.date(1950, 6, 15), "parent",
                card=("JT1-0123461-05", dt.date(2021, 7, 1), None),
            ),
        ),
    ),
    DemoHouse(
        house={
            "house_code": "50010004564",
            "house_number": "45",
            "soi_th": "มูลเมือง 6",
            "soi_en": "Moon Muang 6",
            "road_th": "มูลเมือง",
            "road_en": "Moon Muang",
            "subdistrict_code": "500101",
            "postal_code": "50200",
        },
        district_code="5001",
        people=(
            DemoPerson(
                "1500100456786", "นางสาว", "Miss", "อรุณี", "แสงทอง", "Arunee", "Saengthong", "F",
                dt.date(1998, 11, 30), "head",
                card=("CM2-0456786-11", dt.date(2022, 12, 1), dt.date(2030, 11, 30)),
            ),
        ),
    ),
    DemoHouse(
        house={
            "house_code": "40010007890",
            "house_number": "123",
            "moo": 4,
            "road_th": "มิตรภาพ",
            "road_en": "Mittraphap",
            "subdistrict_code": "400101",
            "postal_code": "40000",
        },
        district_code="4001",
        people=(
            DemoPerson(
                "3400100765433", "นาย", "Mr.", "วิชัย", "ศรีสุข", "Wichai", "Srisuk", "M",
                dt.date(1960, 1, 1), "head",
                card=("KK3-0765433-21", dt.date(2016, 1, 5), dt.date(2024, 1, 1)),
            ),
            DemoPerson(
                "1400102345672", "เด็กชาย", "Master", "ก้อง", "ศรีสุข", "Kong", "Srisuk", "M",
                dt.date(2021, 8, 8), "grandchild",
            ),
        ),
    ),
)  # fmt: skip

DEMO_PEOPLE = tuple(p for h in DEMO_HOUSES for p in h.people)


def seed_fixed_citizens(*, session: Session) -> Iterator[str]:
    """Add the well-known demo citizens and their houses if they are not there yet."""
    ensure_places(session=session)
    for demo in DEMO_HOUSES:
        head = demo.people[0]
        if session.get(Person, head.citizen_id) is not None:
            yield f"demo household of {head.first_en} {head.last_en} already registered"
            continue
        session.add(House(**demo.house))
        session.flush()
        for p in demo.people:
            session.add(
                Person(
                    citizen_id=p.citizen_id,
                    title_th=p.title_th,
                    title_en=p.title_en,
                    first_name_th=p.first_th,
                    last_name_th=p.last_th,
                    first_name_en=p.first_en,
                    last_name_en=p.last_en,
                    sex=p.sex,
                    birth_date=p.birth,
                    deceased=p.death is not None,
                    death_date=p.death,
                    house_code=demo.house["house_code"],
                    relation=p.relation,
                )
            )
        session.flush()
        for p in demo.people:
            if p.card:
                number, issued, expires = p.card
                session.add(
                    IdCard(
                        citizen_id=p.citizen_id,
                        card_number=number,
                        issue_date=issued,
                        expiry_date=expires,
                        issuing_district_code=demo.district_code,
                        is_current=True,
                    )
                )
        session.flush()
        yield (
            f"registered demo household of {head.first_en} {head.last_en} "
            f"({head.citizen_id}, {len(demo.people)} people)"
        )


def seed_demo(
    session: Session, *, count: int = DEFAULT_DEMO_COUNT, seed: int = 2561
) -> Iterator[str]:
    """The fixed demo citizens, then ``count`` generated people unless a population is there."""
    yield from seed_fixed_citizens(session=session)
    held = session.scalar(select(func.count()).select_from(Person)) or 0
    if held > len(DEMO_PEOPLE):
        yield f"population register already holds {held:,} people"
        return
    report = seed_population(session=session, count=count, seed=seed)
    yield (
        f"generated {report.persons:,} people in {report.households:,} households "
        f"with {report.id_cards:,} ID cards in {report.seconds:.1f} s"
    )


def seed_demo_register(
    *, settings: Settings | None = None, count: int = DEFAULT_DEMO_COUNT
) -> Iterator[str]:
    """What ``prasan demo seed`` calls: migrate the register's own database and seed it."""
    if (settings or get_settings()).mode == "production":
        raise ConfigurationError(
            "Refusing to seed synthetic people into the population register in production mode: "
            "set PRASAN_MODE=demo for a demo register"
        )
    upgrade(settings)
    with register_session(settings) as session:
        yield from seed_demo(session, count=count)
