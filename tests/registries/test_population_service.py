"""What the register answers about the demo citizens, and how it refuses bad questions."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from prasan.core.errors import InvalidCitizenId, NotFound, ValidationFailed
from prasan.registries.population import service
from prasan.registries.population.ages import age_on
from prasan.registries.population.errors import CitizenNotFound, UnknownAttribute
from prasan.registries.population.generate import SeedReport
from prasan.registries.population.models import Person
from tests.registries.conftest import AS_OF

SOMCHAI = "1101700203450"
SOMYING = "1101700203468"
MALI = "1101700203476"
PRASERT = "3101700123452"  # deceased father
LAMDUAN = "3101700123461"  # mother, lifelong card
ARUNEE = "1500100456786"  # Chiang Mai
WICHAI = "3400100765433"  # Khon Kaen, expired card
KONG = "1400102345672"  # 5 years old, no card
UNKNOWN = "1101700203492"  # valid check digit, not registered


def card(session: Session, cid: str) -> dict:  # type: ignore[type-arg]
    return service.id_card(session=session, citizen_id=cid, today=AS_OF)


def house(session: Session, cid: str) -> dict:  # type: ignore[type-arg]
    return service.house_registration(session=session, citizen_id=cid, today=AS_OF)


def ask(session: Session, cid: str, attribute: str, value: str | None = None) -> bool:
    answer = service.check_attribute(
        session=session, citizen_id=cid, attribute=attribute, value=value, today=AS_OF
    )
    assert set(answer) == {"citizen_id", "attribute", "value", "result", "as_of"}
    result = answer["result"]
    assert isinstance(result, bool)
    return result


def test_id_card_of_the_demo_citizen(session: Session, register: SeedReport) -> None:
    answer = card(session, SOMCHAI)
    assert answer["citizen_id"] == SOMCHAI
    assert answer["citizen_id_formatted"] == "1-1017-00203-45-0"
    assert answer["full_name"] == {"th": "นายสมชาย ใจดี", "en": "Mr. Somchai Jaidee"}
    assert answer["first_name"] == {"th": "สมชาย", "en": "Somchai"}
    assert answer["sex"] == {"code": "M", "th": "ชาย", "en": "male"}
    assert answer["birth_date"] == "1985-03-09"
    assert answer["birth_date_th"] == "9 มีนาคม 2528"
    assert answer["alive"] is True and answer["death_date"] is None
    c = answer["card"]
    assert c["card_number"] == "JT1-0203450-01"
    assert (c["issue_date"], c["expiry_date"]) == ("2023-03-10", "2031-03-09")
    assert c["expiry_date_th"] == "9 มีนาคม 2574"
    assert c["valid"] is True and c["expired"] is False and c["lifelong"] is False
    assert c["issuing_office"] == {
        "code": "1017",
        "th": "สำนักงานเขตห้วยขวาง",
        "en": "Huai Khwang District Office",
    }
    address = answer["address"]
    assert address["province"] == {"code": "10", "th": "กรุงเทพมหานคร", "en": "Bangkok"}
    assert address["district"]["code"] == "1017"
    assert address["subdistrict"] == {"code": "101701", "th": "ห้วยขวาง", "en": "Huai Khwang"}
    assert address["postal_code"] == "10310"
    assert address["text"]["th"] == (
        "99/12 ซอยประชาราษฎร์บำเพ็ญ 20 ถนนประชาราษฎร์บำเพ็ญ แขวงห้วยขวาง เขตห้วยขวาง กรุงเทพมหานคร 10310"
    )
    assert address["text"]["en"] == (
        "99/12, Soi Pracha Rat Bamphen 20, Pracha Rat Bamphen Road, Huai Khwang Subdistrict, "
        "Huai Khwang District, Bangkok 10310"
    )
    json.dumps(answer)  # the answer travels as JSON


def test_id_card_states_expired_lifelong_missing_and_deceased(
    session: Session, register: SeedReport
) -> None:
    expired = card(session, WICHAI)["card"]
    assert expired["expired"] is True and expired["valid"] is False
    lifelong = card(session, LAMDUAN)["card"]
    assert lifelong["lifelong"] is True and lifelong["expiry_date"] is None
    assert lifelong["valid"] is True
    assert card(session, KONG)["card"] is None
    dead = card(session, PRASERT)
    assert dead["alive"] is False
    assert dead["death_date"] == "2024-01-15" and dead["death_date_th"] == "15 มกราคม 2567"
    assert dead["card"]["valid"] is False
    child = card(session, MALI)
    assert child["full_name"]["th"] == "เด็กหญิงมะลิ ใจดี"


def test_id_card_outside_bangkok_uses_the_amphoe_office(
    session: Session, register: SeedReport
) -> None:
    answer = card(session, WICHAI)
    assert answer["card"]["issuing_office"]["th"] == "ที่ว่าการอำเภอเมืองขอนแก่น"
    assert answer["address"]["text"]["th"] == (
        "123 หมู่ 4 ถนนมิตรภาพ ตำบลในเมือง อำเภอเมืองขอนแก่น จังหวัดขอนแก่น 40000"
    )
    assert answer["address"]["moo"] == 4


def test_house_registration_lists_the_living_household_head_first(
    session: Session, register: SeedReport
) -> None:
    answer = house(session, SOMYING)
    assert answer["house_code"] == "10170001237"
    assert answer["house_code_formatted"] == "1017-000123-7"
    assert answer["relation"] == {"code": "spouse", "th": "คู่สมรส", "en": "spouse"}
    assert answer["head_of_household"] == {
        "citizen_id": SOMCHAI,
        "full_name": {"th": "นายสมชาย ใจดี", "en": "Mr. Somchai Jaidee"},
    }
    ids = [m["citizen_id"] for m in answer["members"]]
    assert ids[0] == SOMCHAI
    assert set(ids) == {SOMCHAI, SOMYING, MALI, LAMDUAN}  # the late father is struck off
    assert answer["member_count"] == 4
    mother = next(m for m in answer["members"] if m["citizen_id"] == LAMDUAN)
    assert mother["relation"] == {"code": "parent", "th": "มารดา", "en": "mother"}
    assert mother["birth_date_th"] == "15 มิถุนายน 2493"
    assert answer["address"]["postal_code"] == "10310"
    json.dumps(answer)


def test_house_registration_of_a_deceased_member_shows_them_as_dead(
    session: Session, register: SeedReport
) -> None:
    answer = house(session, PRASERT)
    me = next(m for m in answer["members"] if m["citizen_id"] == PRASERT)
    assert me["alive"] is False
    assert me["relation"]["en"] == "father"
    assert answer["member_count"] == 5


def test_house_registration_of_a_generated_citizen_matches_the_register(
    session: Session, register: SeedReport
) -> None:
    person = session.scalars(
        select(Person).where(Person.relation == "child", Person.deceased.is_(False)).limit(1)
    ).one()
    answer = house(session, person.citizen_id)
    assert answer["house_code"] == person.house_code
    assert answer["head_of_household"] is not None
    assert answer["members"][0]["relation"]["code"] == "head"
    assert person.citizen_id in {m["citizen_id"] for m in answer["members"]}
    assert answer["address"]["province"]["code"] == answer["house_code"][:2]


@pytest.mark.parametrize(
    ("value", "somchai", "arunee"),
    [
        ("10", True, False),
        ("กรุงเทพมหานคร", True, False),
        ("Bangkok", True, False),
        ("กทม.", True, False),
        ("50", False, True),
        ("จังหวัดเชียงใหม่", False, True),
        ("chiang mai", False, True),
        ("๕๐", False, True),
    ],
)
def test_lives_in_province_by_code_or_name(
    session: Session, register: SeedReport, value: str, somchai: bool, arunee: bool
) -> None:
    assert ask(session, SOMCHAI, "lives_in_province", value) is somchai
    assert ask(session, ARUNEE, "lives_in_province", value) is arunee


def test_age_at_least_counts_completed_years(session: Session, register: SeedReport) -> None:
    assert age_on(dt.date(1985, 3, 9), AS_OF) == 41
    assert ask(session, SOMCHAI, "age_at_least", "41") is True
    assert ask(session, SOMCHAI, "age_at_least", "42") is False
    assert ask(session, SOMCHAI, "age_at_least", "๔๑") is True
    assert ask(session, WICHAI, "age_at_least", "60") is True
    assert ask(session, KONG, "age_at_least", "7") is False
    on_birthday = service.check_attribute(
        session=session,
        citizen_id=SOMCHAI,
        attribute="age_at_least",
        value="42",
        today=dt.date(2027, 3, 9),
    )
    assert on_birthday["result"] is True


def test_alive_head_district_and_card_attributes(session: Session, register: SeedReport) -> None:
    assert ask(session, SOMCHAI, "is_alive") is True
    assert ask(session, PRASERT, "is_alive") is False
    assert ask(session, SOMCHAI, "is_head_of_household") is True
    assert ask(session, SOMYING, "is_head_of_household") is False
    assert ask(session, ARUNEE, "is_head_of_household") is True
    assert ask(session, SOMCHAI, "lives_in_district", "1017") is True
    assert ask(session, ARUNEE, "lives_in_district", "1017") is False
    assert ask(session, PRASERT, "lives_in_province", "10") is False  # the dead live nowhere
    assert ask(session, SOMCHAI, "has_valid_id_card") is True
    assert ask(session, WICHAI, "has_valid_id_card") is False
    assert ask(session, KONG, "has_valid_id_card") is False


def test_unknown_citizen_is_not_found_and_nothing_more(
    session: Session, register: SeedReport
) -> None:
    for call in (
        lambda: card(session, UNKNOWN),
        lambda: house(session, UNKNOWN),
        lambda: ask(session, UNKNOWN, "is_alive"),
    ):
        with pytest.raises(NotFound) as caught:
            call()
        err = caught.value
        assert isinstance(err, CitizenNotFound)
        assert err.status == 404
        assert UNKNOWN in err.detail and UNKNOWN in err.detail_th
        assert "check the 13 digits" in err.detail
        assert err.detail_th != err.detail


def test_malformed_citizen_id_says_what_is_wrong(session: Session, register: SeedReport) -> None:
    with pytest.raises(InvalidCitizenId, match="check digit"):
        card(session, "1101700203451")
    with pytest.raises(InvalidCitizenId, match="has 5 digits"):
        house(session, "12345")
    with pytest.raises(InvalidCitizenId):
        ask(session, "abc", "is_alive")
    assert card(session, "1-1017-00203-45-0")["citizen_id"] == SOMCHAI


def test_unknown_attribute_lists_the_valid_ones(session: Session, register: SeedReport) -> None:
    with pytest.raises(ValidationFailed) as caught:
        ask(session, SOMCHAI, "salary_above", "50000")
    err = caught.value
    assert isinstance(err, UnknownAttribute)
    assert err.status == 422
    for name in ("lives_in_province", "age_at_least", "is_alive", "is_head_of_household"):
        assert name in err.detail and name in err.detail_th
    assert err.extra["valid_attributes"] == list(service.ATTRIBUTES)
    # a bad question is refused before the register is read: no hint whether UNKNOWN exists
    with pytest.raises(UnknownAttribute):
        ask(session, UNKNOWN, "salary_above")


@pytest.mark.parametrize(
    ("attribute", "value", "hint"),
    [
        ("age_at_least", "sixty", "whole years"),
        ("age_at_least", None, "whole years"),
        ("age_at_least", "-3", "whole years"),
        ("lives_in_province", "Atlantis", "two-digit code"),
        ("lives_in_province", "", "two-digit code"),
        ("lives_in_district", "9999", "four-digit DOPA code"),
    ],
)
def test_unusable_values_are_refused_with_a_hint(
    session: Session, register: SeedReport, attribute: str, value: str | None, hint: str
) -> None:
    with pytest.raises(ValidationFailed, match=hint) as caught:
        ask(session, SOMCHAI, attribute, value)
    assert caught.value.errors[0]["field"] == "value"
    assert caught.value.detail_th != caught.value.detail


def test_person_record_combines_card_and_house(session: Session, register: SeedReport) -> None:
    record = service.person_record(session=session, citizen_id=ARUNEE, today=AS_OF)
    assert record["id_card"]["full_name"]["en"] == "Miss Arunee Saengthong"
    assert record["house_registration"]["member_count"] == 1
