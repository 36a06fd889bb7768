"""What the population register answers: an ID card, a house registration, or one attribute.

Plain functions with keyword-only arguments and the session passed in; the exchange hub calls
them through ``provider.SERVICES``. Every answer is a JSON-able dict in a stable shape (see
``docs/registries.md``): dates as ISO ``YYYY-MM-DD`` plus the Thai Buddhist-era form under a
``_th`` key, and every name and label in Thai (``th``) and English (``en``). An attribute answer
says yes or no without handing over the record it was read from, so an agency takes only what
it needs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prasan.core.ids import CitizenId, format_citizen_id, validate_citizen_id
from prasan.core.thai import format_date, to_arabic_digits
from prasan.registries.population.ages import age_on
from prasan.registries.population.errors import (
    CitizenNotFound,
    HouseRegistrationNotFound,
    UnknownAttribute,
    bad_value,
)
from prasan.registries.population.models import RELATIONS, District, House, IdCard, Person, Province
from prasan.registries.population.places import Place, address_lines, office_of, place_of

SEX_LABELS = {"M": ("ชาย", "male"), "F": ("หญิง", "female")}
RELATION_LABELS = {
    "head": ("เจ้าบ้าน", "head of household"),
    "spouse": ("คู่สมรส", "spouse"),
    "child": ("บุตร", "child"),
    "parent": ("บิดามารดา", "parent"),
    "grandchild": ("หลาน", "grandchild"),
    "sibling": ("พี่น้อง", "sibling"),
    "relative": ("ญาติ", "relative"),
    "resident": ("ผู้อาศัย", "resident"),
}
PROVINCE_ALIASES = {"กรุงเทพ": "10", "กรุงเทพฯ": "10", "กทม": "10", "กทม.": "10"}


# --- building blocks of every answer ---------------------------------------------------------


def _date(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date_th(day: dt.date | None) -> str | None:
    return format_date(day, lang="th") if day else None


def _pair(th: str | None, en: str | None) -> dict[str, str] | None:
    return {"th": th, "en": en} if th and en else None


def _relation(person: Person) -> dict[str, str] | None:
    if person.relation is None:
        return None
    th, en = RELATION_LABELS[person.relation]
    if person.relation == "parent":
        th = "บิดา" if person.sex == "M" else "มารดา"
        en = "father" if person.sex == "M" else "mother"
    return {"code": person.relation, "th": th, "en": en}


def _identity(person: Person) -> dict[str, Any]:
    """Who the person is: ID, names in both languages, sex and birth date."""
    sex_th, sex_en = SEX_LABELS[person.sex]
    return {
        "citizen_id": person.citizen_id,
        "citizen_id_formatted": format_citizen_id(person.citizen_id),
        "title": {"th": person.title_th, "en": person.title_en},
        "first_name": {"th": person.first_name_th, "en": person.first_name_en},
        "last_name": {"th": person.last_name_th, "en": person.last_name_en},
        "full_name": {
            "th": f"{person.title_th}{person.first_name_th} {person.last_name_th}",
            "en": f"{person.title_en} {person.first_name_en} {person.last_name_en}",
        },
        "sex": {"code": person.sex, "th": sex_th, "en": sex_en},
        "birth_date": _date(person.birth_date),
        "birth_date_th": _date_th(person.birth_date),
    }


def _vital(person: Person) -> dict[str, Any]:
    return {
        "alive": not person.deceased,
        "death_date": _date(person.death_date),
        "death_date_th": _date_th(person.death_date),
    }


def _address(house: House, place: Place) -> dict[str, Any]:
    text_th, text_en = address_lines(
        place=place,
        house_number=house.house_number,
        moo=house.moo,
        village_th=house.village_th,
        village_en=house.village_en,
        soi_th=house.soi_th,
        soi_en=house.soi_en,
        road_th=house.road_th,
        road_en=house.road_en,
        postal_code=house.postal_code,
    )
    return {
        "house_number": house.house_number,
        "moo": house.moo,
        "village": _pair(house.village_th, house.village_en),
        "soi": _pair(house.soi_th, house.soi_en),
        "road": _pair(house.road_th, house.road_en),
        "subdistrict": {
            "code": place.subdistrict_code,
            "th": place.subdistrict_th,
            "en": place.subdistrict_en,
        },
        "district": {"code": place.district_code, "th": place.district_th, "en": place.district_en},
        "province": {"code": place.province_code, "th": place.province_th, "en": place.province_en},
        "postal_code": house.postal_code,
        "text": {"th": text_th, "en": text_en},
    }


def _person(session: Session, citizen_id: str) -> Person:
    cid = validate_citizen_id(citizen_id)
    person = session.get(Person, cid)
    if person is None:
        raise CitizenNotFound(cid)
    return person


def _home(session: Session, person: Person) -> tuple[House, Place] | None:
    if person.house_code is None:
        return None
    house = session.get(House, person.house_code)
    if house is None:  # pragma: no cover - prevented by the foreign key
        return None
    place = place_of(session=session, subdistrict_code=house.subdistrict_code)
    if place is None:  # pragma: no cover - prevented by the foreign key
        return None
    return house, place


def _current_card(session: Session, citizen_id: str) -> IdCard | None:
    return session.scalars(
        select(IdCard)
        .where(IdCard.citizen_id == citizen_id, IdCard.is_current.is_(True))
        .order_by(IdCard.issue_date.desc())
        .limit(1)
    ).first()


def format_house_code(code: str) -> str:
    """The printed form of a house code, ``1017-001234-5``."""
    return f"{code[:4]}-{code[4:10]}-{code[10]}"


# --- the three answers -----------------------------------------------------------------------


def id_card(*, session: Session, citizen_id: str, today: dt.date | None = None) -> dict[str, Any]:
    """What the citizen's ID card shows: identity, registered address, the current card.

    ``card`` is ``null`` when no card was ever issued (children under 7 need none); ``valid``
    is false for an expired card or a deceased holder.
    """
    today = today or dt.date.today()
    person = _person(session, citizen_id)
    home = _home(session, person)
    card = _current_card(session, person.citizen_id)
    card_block: dict[str, Any] | None = None
    if card is not None:
        expired = card.expiry_date is not None and card.expiry_date < today
        card_block = {
            "card_number": card.card_number,
            "issue_date": _date(card.issue_date),
            "issue_date_th": _date_th(card.issue_date),
            "expiry_date": _date(card.expiry_date),
            "expiry_date_th": _date_th(card.expiry_date),
            "lifelong": card.expiry_date is None,
            "expired": expired,
            "valid": not expired and not person.deceased,
            "issuing_office": office_of(session=session, district_code=card.issuing_district_code),
        }
    return {
        **_identity(person),
        **_vital(person),
        "address": _address(*home) if home else None,
        "card": card_block,
        "as_of": today.isoformat(),
    }


def house_registration(
    *, session: Session, citizen_id: str, today: dt.date | None = None
) -> dict[str, Any]:
    """The citizen's house registration (ทะเบียนบ้าน): address, house code and household.

    ``members`` lists the living people registered in the house, head first, plus the citizen
    asked about even if deceased (their entry then says ``alive: false``).
    """
    today = today or dt.date.today()
    person = _person(session, citizen_id)
    home = _home(session, person)
    if home is None:
        raise HouseRegistrationNotFound(person.citizen_id)
    house, place = home
    people = session.scalars(select(Person).where(Person.house_code == house.house_code)).all()
    order = {name: i for i, name in enumerate(RELATIONS)}
    members = sorted(
        (p for p in people if not p.deceased or p.citizen_id == person.citizen_id),
        key=lambda p: (order.get(p.relation or "resident", len(order)), p.birth_date),
    )
    head = next((p for p in members if p.relation == "head" and not p.deceased), None)
    return {
        "citizen_id": person.citizen_id,
        "house_code": house.house_code,
        "house_code_formatted": format_house_code(house.house_code),
        "address": _address(house, place),
        "relation": _relation(person),
        "head_of_household": (
            {
                "citizen_id": head.citizen_id,
                "full_name": _identity(head)["full_name"],
            }
            if head
            else None
        ),
        "members": [
            {**_identity(p), "alive": not p.deceased, "relation": _relation(p)} for p in members
        ],
        "member_count": len(members),
        "as_of": today.isoformat(),
    }


# --- attribute-level answers -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attribute:
    """One yes/no question the register answers, and what its ``value`` means."""

    name: str
    description_en: str
    description_th: str
    value_en: str | None  # what value to give, or None when the question takes none
    answer: Callable[[Session, Person, Any, dt.date], bool]
    parse: Callable[[Session, str, str | None], Any]


def _no_value(_session: Session, _attribute: str, _value: str | None) -> None:
    return None


def _province_code(session: Session, attribute: str, value: str | None) -> str:
    raw = (value or "").strip()
    key = to_arabic_digits(raw).removeprefix("จังหวัด").strip()
    key = re.sub(r"\s+province$", "", key, flags=re.IGNORECASE)
    if key in PROVINCE_ALIASES:
        return PROVINCE_ALIASES[key]
    compact = re.sub(r"[\s\-]", "", key).lower()
    for code, name_th, name_en in session.execute(
        select(Province.code, Province.name_th, Province.name_en)
    ):
        if compact in (code, name_th, re.sub(r"[\s\-]", "", name_en).lower()):
            return str(code)
    raise bad_value(
        attribute,
        value,
        "no province has this code or name: give its two-digit code (10 for Bangkok) or its "
        "name in Thai or English (เชียงใหม่, Chiang Mai)",
        "ไม่มีจังหวัดที่มีรหัสหรือชื่อนี้: ใช้รหัสจังหวัดสองหลัก (10 คือกรุงเทพมหานคร) "
        "หรือชื่อจังหวัดภาษาไทยหรืออังกฤษ (เชียงใหม่, Chiang Mai)",
    )


def _district_code(session: Session, attribute: str, value: str | None) -> str:
    code = to_arabic_digits((value or "").strip())
    if not re.fullmatch(r"\d{4}", code) or session.get(District, code) is None:
        raise bad_value(
            attribute,
            value,
            "give the district's four-digit DOPA code, e.g. 1017 for Huai Khwang, Bangkok",
            "ใช้รหัสอำเภอหรือเขตสี่หลักของกรมการปกครอง เช่น 1017 คือเขตห้วยขวาง",
        )
    return code


def _years(_session: Session, attribute: str, value: str | None) -> int:
    text = to_arabic_digits((value or "").strip())
    if not text.isdigit() or not 0 <= int(text) <= 150:
        raise bad_value(
            attribute,
            value,
            "give the age in whole years, from 0 to 150, e.g. value=60",
            "ระบุอายุเป็นจำนวนปีเต็ม 0 ถึง 150 เช่น value=60",
        )
    return int(text)


def _lives_in_province(session: Session, person: Person, code: str, _today: dt.date) -> bool:
    home = None if person.deceased else _home(session, person)
    return home is not None and home[1].province_code == code


def _lives_in_district(session: Session, person: Person, code: str, _today: dt.date) -> bool:
    home = None if person.deceased else _home(session, person)
    return home is not None and home[1].district_code == code


def _age_at_least(_session: Session, person: Person, years: int, today: dt.date) -> bool:
    return age_on(person.birth_date, today) >= years


def _is_alive(_session: Session, person: Person, _value: None, _today: dt.date) -> bool:
    return not person.deceased


def _is_head(_session: Session, person: Person, _value: None, _today: dt.date) -> bool:
    return not person.deceased and person.house_code is not None and person.relation == "head"


def _has_valid_card(session: Session, person: Person, _value: None, today: dt.date) -> bool:
    card = _current_card(session, person.citizen_id)
    return (
        not person.deceased
        and card is not None
        and (card.expiry_date is None or card.expiry_date >= today)
    )


ATTRIBUTES: dict[str, Attribute] = {
    a.name: a
    for a in (
        Attribute(
            "lives_in_province",
            "the person is alive and registered in a house in this province",
            "มีชีวิตอยู่และมีชื่อในทะเบียนบ้านในจังหวัดนี้",
            "province code (10) or name (กรุงเทพมหานคร, Bangkok)",
            _lives_in_province,
            _province_code,
        ),
        Attribute(
            "lives_in_district",
            "the person is alive and registered in a house in this district",
            "มีชีวิตอยู่และมีชื่อในทะเบียนบ้านในอำเภอหรือเขตนี้",
            "four-digit district code (1017)",
            _lives_in_district,
            _district_code,
        ),
        Attribute(
            "age_at_least",
            "the person's age today in completed years is at least this (from the birth date)",
            "อายุเต็มปี ณ วันนี้ไม่น้อยกว่าจำนวนนี้ (นับจากวันเกิด)",
            "years (60)",
            _age_at_least,
            _years,
        ),
        Attribute(
            "is_alive",
            "the register records no death",
            "ไม่มีการบันทึกการตาย",
            None,
            _is_alive,
            _no_value,
        ),
        Attribute(
            "is_head_of_household",
            "the person is alive and the head (เจ้าบ้าน) of their house registration",
            "มีชีวิตอยู่และเป็นเจ้าบ้านในทะเบียนบ้านของตน",
            None,
            _is_head,
            _no_value,
        ),
        Attribute(
            "has_valid_id_card",
            "the person is alive and holds an ID card that has not expired",
            "มีชีวิตอยู่และถือบัตรประจำตัวประชาชนที่ยังไม่หมดอายุ",
            None,
            _has_valid_card,
            _no_value,
        ),
    )
}


def check_attribute(
    *,
    session: Session,
    citizen_id: str,
    attribute: str,
    value: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Answer one yes/no question about a citizen: ``{"result": true}`` and nothing more.

    The question and its value are checked before the register is read, so a malformed
    question never reveals whether a citizen exists.
    """
    today = today or dt.date.today()
    cid: CitizenId = validate_citizen_id(citizen_id)
    spec = ATTRIBUTES.get((attribute or "").strip())
    if spec is None:
        raise UnknownAttribute(attribute, ATTRIBUTES)
    parsed = spec.parse(session, spec.name, value)
    person = _person(session, cid)
    return {
        "citizen_id": cid,
        "attribute": spec.name,
        "value": value if spec.value_en is not None else None,
        "result": spec.answer(session, person, parsed, today),
        "as_of": today.isoformat(),
    }


def person_record(
    *, session: Session, citizen_id: str, today: dt.date | None = None
) -> dict[str, Any]:
    """Everything the register holds on one person, for an operator at the register itself."""
    card = id_card(session=session, citizen_id=citizen_id, today=today)
    try:
        house = house_registration(session=session, citizen_id=citizen_id, today=today)
    except HouseRegistrationNotFound:
        house = None
    return {"id_card": card, "house_registration": house}
