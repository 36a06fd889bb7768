"""The synthetic population: households of plausible Thai people at real addresses, written fast.

Everything is drawn from one ``random.Random(seed)``, so the same seed, reference date and
starting database give the same people. Citizen IDs follow DOPA's layout (first digit 1 for
people born from 1984, 3 for those already registered in 1984; then the registering district's
four-digit code, seven running digits and the check digit); house codes are the district code,
six running digits and a check digit. Rows are written in bulk: plain ``executemany`` on SQLite,
``COPY`` on PostgreSQL, which is what keeps 100,000 people well under a minute.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from prasan.core.ids import check_digit
from prasan.registries.population import names
from prasan.registries.population.ages import add_years, age_on
from prasan.registries.population.models import District, House, IdCard, Person, SubDistrict
from prasan.registries.population.places import BANGKOK, ensure_places

PERSON_COLUMNS = (
    "citizen_id", "title_th", "title_en", "first_name_th", "last_name_th", "first_name_en",
    "last_name_en", "sex", "birth_date", "deceased", "death_date", "house_code", "relation",
)  # fmt: skip
HOUSE_COLUMNS = (
    "house_code", "house_number", "moo", "village_th", "village_en", "soi_th", "soi_en",
    "road_th", "road_en", "subdistrict_code", "postal_code",
)  # fmt: skip
CARD_COLUMNS = (
    "citizen_id", "card_number", "issue_date", "expiry_date", "issuing_district_code",
    "is_current",
)  # fmt: skip

# Share of households by size 1..8, close to the 2010 census shape (mean about 3 people).
HOUSEHOLD_SIZE_WEIGHTS = (18, 24, 22, 17, 10, 5, 2.5, 1.5)
ID_CARD_AGE = 7  # a card is compulsory from age 7
LIFELONG_CARD_AGE = 70  # a card issued at 70 or over never expires
CARD_YEARS = 8
ERA_1984 = dt.date(1984, 1, 1)
_LASER_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def house_check_digit(first10: str) -> str:
    """A mod-11 check digit over the first ten digits of a house code (weights 11..2).

    DOPA does not publish its own rule; this one catches any single mistyped digit, which is
    what a check digit is for.
    """
    total = sum(int(d) * (11 - i) for i, d in enumerate(first10))
    return str((11 - total % 11) % 10)


def is_valid_house_code(code: str) -> bool:
    return len(code) == 11 and code.isdigit() and house_check_digit(code[:10]) == code[10]


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What one generator run added, and how long it took."""

    persons: int
    households: int
    id_cards: int
    deceased: int
    seconds: float


@dataclass(slots=True)
class _Spot:
    subdistrict_code: str
    district_code: str
    postal_code: str
    kind: str  # "bangkok", "town" or "rural"


@dataclass
class _Generator:
    rng: random.Random
    as_of: dt.date
    spots: list[_Spot]
    district_codes: list[str]
    taken_ids: set[str]
    taken_houses: set[str]
    taken_cards: set[str]
    houses: list[tuple[Any, ...]] = field(default_factory=list)
    persons: list[tuple[Any, ...]] = field(default_factory=list)
    cards: list[tuple[Any, ...]] = field(default_factory=list)
    deceased: int = 0

    # --- identifiers -------------------------------------------------------------------------

    def citizen_id(self, first: str, office: str) -> str:
        while True:
            body = f"{first}{office}{self.rng.randrange(10**7):07d}"
            cid = body + check_digit(body)
            if cid not in self.taken_ids:
                self.taken_ids.add(cid)
                return cid

    def house_code(self, office: str) -> str:
        while True:
            body = f"{office}{self.rng.randrange(10**6):06d}"
            code = body + house_check_digit(body)
            if code not in self.taken_houses:
                self.taken_houses.add(code)
                return code

    def card_number(self) -> str:
        """The laser code printed on the back of the card, e.g. ``ME1-2345678-90``."""
        rng = self.rng
        while True:
            number = (
                f"{rng.choice(_LASER_LETTERS)}{rng.choice(_LASER_LETTERS)}{rng.randrange(10)}-"
                f"{rng.randrange(10**7):07d}-{rng.randrange(100):02d}"
            )
            if number not in self.taken_cards:
                self.taken_cards.add(number)
                return number

    # --- dates -------------------------------------------------------------------------------

    def birth_date(self, age: int) -> dt.date:
        """A birth date on which the person is exactly ``age`` on the reference date."""
        latest = add_years(self.as_of, -age)
        earliest = add_years(self.as_of, -(age + 1)) + dt.timedelta(days=1)
        return dt.date.fromordinal(self.rng.randint(earliest.toordinal(), latest.toordinal()))

    def day_between(self, first: dt.date, last: dt.date) -> dt.date:
        return dt.date.fromordinal(self.rng.randint(first.toordinal(), last.toordinal()))

    # --- one household -----------------------------------------------------------------------

    def house(self) -> tuple[str, _Spot]:
        rng = self.rng
        spot = rng.choice(self.spots)
        code = self.house_code(spot.district_code)
        number = str(rng.randint(1, 999 if spot.kind == "bangkok" else 300))
        if rng.random() < (0.4 if spot.kind != "rural" else 0.15):
            number += f"/{rng.randint(1, 60)}"
        moo: int | None = None
        village: tuple[str, str] | None = None
        road: tuple[str, str] | None = None
        soi: tuple[str, str] | None = None
        if spot.kind == "bangkok":
            if rng.random() < 0.85:
                road = rng.choice(names.BANGKOK_ROADS)
                if rng.random() < 0.7:
                    n = rng.randint(1, 120)
                    soi = (f"{road[0]} {n}", f"{road[1]} {n}")
        elif spot.kind == "town":
            if rng.random() < 0.5:
                moo = rng.randint(1, 12)
            if rng.random() < 0.6:
                road = rng.choice(names.TOWN_ROADS)
                if rng.random() < 0.3:
                    n = rng.randint(1, 30)
                    soi = (f"{road[0]} {n}", f"{road[1]} {n}")
        else:
            moo = rng.randint(1, 20)
            if rng.random() < 0.9:
                village = rng.choice(names.VILLAGES)
        self.houses.append(
            (
                code,
                number,
                moo,
                village[0] if village else None,
                village[1] if village else None,
                soi[0] if soi else None,
                soi[1] if soi else None,
                road[0] if road else None,
                road[1] if road else None,
                spot.subdistrict_code,
                spot.postal_code,
            )
        )
        return code, spot

    def household(self, size: int) -> None:
        rng = self.rng
        house_code, spot = self.house()
        surname = rng.choice(names.SURNAMES)
        head_age = int(rng.triangular(18, 95, 45)) if size == 1 else int(rng.triangular(24, 90, 45))
        head_sex = "M" if rng.random() < 0.62 else "F"
        members: list[tuple[str, str, int, tuple[str, str], bool]] = []
        has_spouse = size >= 2 and rng.random() < 0.85
        members.append(("head", head_sex, head_age, surname, has_spouse))
        if has_spouse:
            spouse_age = max(18, min(100, head_age + rng.randint(-6, 6)))
            members.append(("spouse", "F" if head_sex == "M" else "M", spouse_age, surname, True))
        parents = 0
        while len(members) < size:
            choices: list[str] = ["child", "sibling", "relative", "resident"]
            weights: list[float] = [6.0, 0.5, 0.4, 0.3]
            if head_age <= 70 and parents < 2:
                choices.append("parent")
                weights.append(1.2)
            if head_age >= 50:
                choices.append("grandchild")
                weights.append(2.5)
            relation = rng.choices(choices, weights)[0]
            sex = "M" if rng.random() < 0.51 else "F"
            own_surname = surname
            married = False
            if relation == "child":
                age = rng.randint(max(0, head_age - 45), max(0, head_age - 20))
            elif relation == "parent":
                age = min(100, head_age + rng.randint(20, 35))
                sex = ("M", "F")[parents] if rng.random() < 0.5 else ("F", "M")[parents]
                married = True
                parents += 1
            elif relation == "grandchild":
                age = rng.randint(0, min(25, max(0, head_age - 40)))
            elif relation == "sibling":
                age = max(15, min(100, head_age + rng.randint(-10, 10)))
            elif relation == "relative":
                age = rng.randint(0, 80)
                if rng.random() < 0.5:
                    own_surname = rng.choice(names.SURNAMES)
            else:
                age = rng.randint(18, 70)
                own_surname = rng.choice(names.SURNAMES)
            members.append((relation, sex, age, own_surname, married))
        for relation, sex, age, (last_th, last_en), married in members:
            self.person(house_code, spot, relation, sex, age, last_th, last_en, married)

    def person(
        self,
        house_code: str,
        spot: _Spot,
        relation: str,
        sex: str,
        age: int,
        last_th: str,
        last_en: str,
        married: bool,
    ) -> None:
        rng = self.rng
        birth = self.birth_date(age)
        first_th, first_en = rng.choice(names.MALE_GIVEN if sex == "M" else names.FEMALE_GIVEN)
        if age < 15:
            title_th, title_en = ("เด็กชาย", "Master") if sex == "M" else ("เด็กหญิง", "Miss")
        elif sex == "M":
            title_th, title_en = "นาย", "Mr."
        elif married or (age >= 30 and rng.random() < 0.5):
            title_th, title_en = "นาง", "Mrs."
        else:
            title_th, title_en = "นางสาว", "Miss"
        office = spot.district_code if rng.random() < 0.75 else rng.choice(self.district_codes)
        cid = self.citizen_id("1" if birth >= ERA_1984 else "3", office)
        death: dt.date | None = None
        if relation != "head":
            p_death = 0.05 if age >= 75 else 0.01 if age >= 60 else 0.001
            if rng.random() < p_death:
                earliest = max(
                    birth + dt.timedelta(days=1), self.as_of - dt.timedelta(days=5 * 365)
                )
                death = self.day_between(earliest, self.as_of - dt.timedelta(days=1))
                self.deceased += 1
        self.persons.append(
            (
                cid,
                title_th,
                title_en,
                first_th,
                last_th,
                first_en,
                last_en,
                sex,
                birth,
                death is not None,
                death,
                house_code,
                relation,
            )
        )
        self.card(cid, birth, death or self.as_of, spot.district_code)

    def card(self, cid: str, birth: dt.date, end: dt.date, home_district: str) -> None:
        """The person's current card: issued within its eight years, a few already expired."""
        rng = self.rng
        seventh = add_years(birth, ID_CARD_AGE)
        if seventh > end:
            return
        first = max(seventh, add_years(end, -CARD_YEARS) + dt.timedelta(days=1))
        last = end
        if rng.random() < 0.03:  # some people have not renewed an expired card
            old_first = max(seventh, add_years(end, -12))
            old_last = add_years(end, -CARD_YEARS)
            if old_first <= old_last:
                first, last = old_first, old_last
        issue = self.day_between(first, last)
        expiry = None
        if age_on(birth, issue) < LIFELONG_CARD_AGE:
            expiry = add_years(birth, issue.year + CARD_YEARS - birth.year)
        district = home_district if rng.random() < 0.85 else rng.choice(self.district_codes)
        self.cards.append((cid, self.card_number(), issue, expiry, district, True))


def _spots(session: Session) -> tuple[list[_Spot], list[str]]:
    rows = session.execute(
        select(
            SubDistrict.code,
            SubDistrict.district_code,
            SubDistrict.postal_code,
            District.province_code,
            District.name_th,
        )
        .join(District, SubDistrict.district_code == District.code)
        .order_by(SubDistrict.code)
    ).all()
    spots = []
    for code, district, postal, province, district_th in rows:
        kind = (
            "bangkok"
            if province == BANGKOK
            else "town"
            if district_th.startswith("เมือง")
            else "rural"
        )
        spots.append(_Spot(code, district, postal, kind))
    districts = sorted({s.district_code for s in spots})
    return spots, districts


def bulk_insert(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Write many rows at once: ``COPY`` on PostgreSQL (psycopg), ``executemany`` elsewhere."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        raw: Any = conn.connection.driver_connection
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    if dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 (fixed names)
        conn.exec_driver_sql(
            sql,
            [tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row) for row in rows],
        )
        return
    conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


def seed_population(
    *,
    session: Session,
    count: int = 100_000,
    seed: int = 2561,
    as_of: dt.date | None = None,
) -> SeedReport:
    """Add ``count`` synthetic people in households of 1-8 to the register (caller commits).

    People already in the register keep their IDs, house codes and card numbers: new ones are
    drawn around them, so the generator can add to a register holding the demo citizens.
    """
    if count < 0:
        raise ValueError("count must be zero or more")
    started = time.perf_counter()
    ensure_places(session=session)
    spots, districts = _spots(session)
    gen = _Generator(
        rng=random.Random(seed),
        as_of=as_of or dt.date.today(),
        spots=spots,
        district_codes=districts,
        taken_ids=set(session.scalars(select(Person.citizen_id))),
        taken_houses=set(session.scalars(select(House.house_code))),
        taken_cards=set(session.scalars(select(IdCard.card_number))),
    )
    sizes = range(1, len(HOUSEHOLD_SIZE_WEIGHTS) + 1)
    made = 0
    households = 0
    while made < count:
        size = min(gen.rng.choices(sizes, HOUSEHOLD_SIZE_WEIGHTS)[0], count - made)
        gen.household(size)
        made += size
        households += 1
    session.flush()
    bulk_insert(session, cast(Table, House.__table__), HOUSE_COLUMNS, gen.houses)
    bulk_insert(session, cast(Table, Person.__table__), PERSON_COLUMNS, gen.persons)
    bulk_insert(session, cast(Table, IdCard.__table__), CARD_COLUMNS, gen.cards)
    return SeedReport(
        persons=len(gen.persons),
        households=households,
        id_cards=len(gen.cards),
        deceased=gen.deceased,
        seconds=time.perf_counter() - started,
    )
