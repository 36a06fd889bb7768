"""The population register as a provider on the exchange: its member id, services and OpenAPI.

This module is the whole contract between the register and the exchange hub's provider SDK:
``MEMBER`` names the system on the exchange, ``SERVICES`` lists what it serves (each with a
``handler(session, citizen_id, params) -> dict``), and ``OPENAPI`` describes the answers. A
handler raises the core error tree (``NotFound`` for an unknown citizen, ``InvalidCitizenId``
and ``ValidationFailed`` for bad input), which the SDK turns into problem+json. Nothing here
knows about HTTP, signatures or consent: that is the hub's job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from prasan.registries.population import service

MEMBER = "TH/GOV/DOPA/population"  # DOPA: Department of Provincial Administration, กรมการปกครอง

Handler = Callable[[Session, str, Mapping[str, str]], dict[str, Any]]


@dataclass(frozen=True)
class ServiceSpec:
    """One service a provider publishes on the exchange.

    ``data_items`` are the items a consent or an access right names; ``personal`` says whether
    the answer is personal data (then the hub requires a consent or a recorded legal basis).
    """

    code: str
    title_en: str
    title_th: str
    data_items: list[str]
    personal: bool
    handler: Handler = field(repr=False)


def _id_card(session: Session, citizen_id: str, params: Mapping[str, str]) -> dict[str, Any]:
    return service.id_card(session=session, citizen_id=citizen_id)


def _house_registration(
    session: Session, citizen_id: str, params: Mapping[str, str]
) -> dict[str, Any]:
    return service.house_registration(session=session, citizen_id=citizen_id)


def _attributes(session: Session, citizen_id: str, params: Mapping[str, str]) -> dict[str, Any]:
    return service.check_attribute(
        session=session,
        citizen_id=citizen_id,
        attribute=params.get("attribute", ""),
        value=params.get("value"),
    )


SERVICES: list[ServiceSpec] = [
    ServiceSpec(
        code="population.id_card",
        title_en="ID card: identity, registered address and the current card",
        title_th="ข้อมูลบัตรประจำตัวประชาชน: ตัวบุคคล ที่อยู่ตามทะเบียนบ้าน และบัตรปัจจุบัน",
        data_items=["population.id_card"],
        personal=True,
        handler=_id_card,
    ),
    ServiceSpec(
        code="population.house_registration",
        title_en="House registration: address, house code and household members",
        title_th="ทะเบียนบ้าน: ที่อยู่ รหัสประจำบ้าน และสมาชิกในบ้าน",
        data_items=["population.house_registration"],
        personal=True,
        handler=_house_registration,
    ),
    ServiceSpec(
        code="population.attributes",
        title_en="Yes/no answers about a citizen (age, province, alive, head of household)",
        title_th="คำตอบใช่หรือไม่เกี่ยวกับบุคคล (อายุ จังหวัด การมีชีวิต การเป็นเจ้าบ้าน)",
        data_items=["population.attributes"],
        personal=True,
        handler=_attributes,
    ),
]

SERVICES_BY_CODE: dict[str, ServiceSpec] = {s.code: s for s in SERVICES}


# --- OpenAPI 3.1 description of the answers --------------------------------------------------


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _text(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": ["th", "en"],
        "properties": {"th": {"type": "string"}, "en": {"type": "string"}},
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


_DATE = {"type": "string", "format": "date", "description": "ISO 8601 date (Common Era)"}
_DATE_TH = {"type": "string", "description": "the same date in Thai, Buddhist era: 9 มีนาคม 2528"}
_CODED = {
    "type": "object",
    "required": ["code", "th", "en"],
    "properties": {
        "code": {"type": "string"},
        "th": {"type": "string"},
        "en": {"type": "string"},
    },
}
_IDENTITY_PROPS: dict[str, Any] = {
    "citizen_id": {"type": "string", "pattern": "^[1-8][0-9]{12}$"},
    "citizen_id_formatted": {"type": "string", "examples": ["1-1017-00203-45-0"]},
    "title": _text("title: นาย/Mr., นาง/Mrs., นางสาว/Miss, เด็กชาย/Master, เด็กหญิง/Miss"),
    "first_name": _text("given name"),
    "last_name": _text("surname"),
    "full_name": _text(
        "title, given name and surname as printed: นายสมชาย ใจดี / Mr. Somchai Jaidee"
    ),
    "sex": {**_CODED, "description": "M ชาย male, F หญิง female"},
    "birth_date": _DATE,
    "birth_date_th": _DATE_TH,
}
_PROBLEM_RESPONSES = {
    "404": {
        "description": "no such citizen (code citizen-not-found) or no house registration",
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    },
    "422": {
        "description": "malformed citizen ID, unknown attribute or unusable value",
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    },
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Population register (ทะเบียนราษฎร), Department of Provincial Administration",
        "version": "1.0.0",
        "description": (
            f"Services of exchange member {MEMBER}. Each path is a service code; the exchange "
            "carries the citizen's ID, the purpose and the consent as its protocol specifies "
            "(docs/exchange.md), so only service-specific query parameters appear here. Every "
            "name and label is given in Thai (th) and English (en); dates are ISO 8601 with the "
            "Thai Buddhist-era form beside them under a _th key."
        ),
    },
    "paths": {
        "/population.id_card": {
            "get": {
                "operationId": "population.id_card",
                "summary": SERVICES[0].title_en,
                "x-title-th": SERVICES[0].title_th,
                "x-data-items": SERVICES[0].data_items,
                "x-personal": True,
                "responses": {
                    "200": {
                        "description": "the ID card",
                        "content": {"application/json": {"schema": _ref("IdCard")}},
                    },
                    **_PROBLEM_RESPONSES,
                },
            }
        },
        "/population.house_registration": {
            "get": {
                "operationId": "population.house_registration",
                "summary": SERVICES[1].title_en,
                "x-title-th": SERVICES[1].title_th,
                "x-data-items": SERVICES[1].data_items,
                "x-personal": True,
                "responses": {
                    "200": {
                        "description": "the house registration",
                        "content": {"application/json": {"schema": _ref("HouseRegistration")}},
                    },
                    **_PROBLEM_RESPONSES,
                },
            }
        },
        "/population.attributes": {
            "get": {
                "operationId": "population.attributes",
                "summary": SERVICES[2].title_en,
                "x-title-th": SERVICES[2].title_th,
                "x-data-items": SERVICES[2].data_items,
                "x-personal": True,
                "parameters": [
                    {
                        "name": "attribute",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "enum": list(service.ATTRIBUTES)},
                        "description": "; ".join(
                            f"{a.name}: {a.description_en}" for a in service.ATTRIBUTES.values()
                        ),
                    },
                    {
                        "name": "value",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string"},
                        "description": "; ".join(
                            f"{a.name}: {a.value_en}"
                            for a in service.ATTRIBUTES.values()
                            if a.value_en
                        )
                        + "; the other attributes take no value",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "the yes/no answer",
                        "content": {"application/json": {"schema": _ref("AttributeAnswer")}},
                    },
                    **_PROBLEM_RESPONSES,
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Address": {
                "type": "object",
                "required": [
                    "house_number",
                    "moo",
                    "village",
                    "soi",
                    "road",
                    "subdistrict",
                    "district",
                    "province",
                    "postal_code",
                    "text",
                ],
                "properties": {
                    "house_number": {"type": "string", "examples": ["99/12"]},
                    "moo": {"type": ["integer", "null"], "description": "village number หมู่"},
                    "village": _nullable(_text("village หมู่บ้าน")),
                    "soi": _nullable(_text("lane ซอย, without the word ซอย/Soi")),
                    "road": _nullable(_text("road ถนน, without the word ถนน/Road")),
                    "subdistrict": {**_CODED, "description": "six-digit DOPA code, ตำบล/แขวง"},
                    "district": {**_CODED, "description": "four-digit DOPA code, อำเภอ/เขต"},
                    "province": {**_CODED, "description": "two-digit DOPA code, จังหวัด"},
                    "postal_code": {"type": "string", "pattern": "^[0-9]{5}$"},
                    "text": _text("the whole address on one line, as printed"),
                },
            },
            "IdCard": {
                "type": "object",
                "required": [*_IDENTITY_PROPS, "alive", "death_date", "address", "card", "as_of"],
                "properties": {
                    **_IDENTITY_PROPS,
                    "alive": {"type": "boolean"},
                    "death_date": {"type": ["string", "null"], "format": "date"},
                    "death_date_th": {"type": ["string", "null"]},
                    "address": _nullable(_ref("Address")),
                    "card": _nullable(
                        {
                            "type": "object",
                            "description": "null when no card was issued (under 7)",
                            "required": [
                                "card_number",
                                "issue_date",
                                "expiry_date",
                                "lifelong",
                                "expired",
                                "valid",
                                "issuing_office",
                            ],
                            "properties": {
                                "card_number": {
                                    "type": "string",
                                    "description": "laser code on the back, e.g. ME1-2345678-90",
                                },
                                "issue_date": _DATE,
                                "issue_date_th": _DATE_TH,
                                "expiry_date": {
                                    "type": ["string", "null"],
                                    "format": "date",
                                    "description": "null for a lifelong card",
                                },
                                "expiry_date_th": {"type": ["string", "null"]},
                                "lifelong": {"type": "boolean"},
                                "expired": {"type": "boolean"},
                                "valid": {
                                    "type": "boolean",
                                    "description": "not expired and the holder is alive",
                                },
                                "issuing_office": _CODED,
                            },
                        }
                    ),
                    "as_of": _DATE,
                },
            },
            "Member": {
                "type": "object",
                "required": [*_IDENTITY_PROPS, "alive", "relation"],
                "properties": {
                    **_IDENTITY_PROPS,
                    "alive": {"type": "boolean"},
                    "relation": _nullable(
                        {
                            **_CODED,
                            "description": "relation to the head: head, spouse, child, parent, "
                            "grandchild, sibling, relative, resident",
                        }
                    ),
                },
            },
            "HouseRegistration": {
                "type": "object",
                "required": [
                    "citizen_id",
                    "house_code",
                    "address",
                    "relation",
                    "head_of_household",
                    "members",
                    "member_count",
                    "as_of",
                ],
                "properties": {
                    "citizen_id": {"type": "string"},
                    "house_code": {
                        "type": "string",
                        "pattern": "^[0-9]{11}$",
                        "description": "รหัสประจำบ้าน: office code (4), running number (6), check",
                    },
                    "house_code_formatted": {"type": "string", "examples": ["1017-001234-5"]},
                    "address": _ref("Address"),
                    "relation": _nullable(_CODED),
                    "head_of_household": _nullable(
                        {
                            "type": "object",
                            "properties": {
                                "citizen_id": {"type": "string"},
                                "full_name": _text("as printed"),
                            },
                        }
                    ),
                    "members": {
                        "type": "array",
                        "items": _ref("Member"),
                        "description": "living members, head first; the citizen asked about "
                        "always appears, with alive: false if deceased",
                    },
                    "member_count": {"type": "integer"},
                    "as_of": _DATE,
                },
            },
            "AttributeAnswer": {
                "type": "object",
                "required": ["citizen_id", "attribute", "value", "result", "as_of"],
                "properties": {
                    "citizen_id": {"type": "string"},
                    "attribute": {"type": "string", "enum": list(service.ATTRIBUTES)},
                    "value": {"type": ["string", "null"]},
                    "result": {"type": "boolean"},
                    "as_of": _DATE,
                },
            },
            "Problem": {
                "type": "object",
                "description": "RFC 9457 problem details with Thai title and detail",
                "required": ["type", "title", "status", "detail", "code"],
                "properties": {
                    "type": {"type": "string", "format": "uri"},
                    "title": {"type": "string"},
                    "title_th": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "detail_th": {"type": "string"},
                    "code": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object"}},
                    "valid_attributes": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}
