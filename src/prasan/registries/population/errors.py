"""Errors the population register raises, under the core tree's branches (404 and 422).

A caller asking about an unknown citizen learns only that the register has no such person; a
caller asking an unknown question is told every question the register can answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from prasan.core.errors import NotFound, ValidationFailed


class CitizenNotFound(NotFound):
    code = "citizen-not-found"
    title = "No such person in the population register"
    title_th = "ไม่พบบุคคลนี้ในทะเบียนราษฎร"

    def __init__(self, citizen_id: str) -> None:
        super().__init__(
            f"No person with citizen ID {citizen_id} is in the population register: "
            "check the 13 digits with the citizen",
            detail_th=(
                f"ไม่พบบุคคลที่มีเลขประจำตัวประชาชน {citizen_id} ในทะเบียนราษฎร: "
                "ตรวจสอบเลข 13 หลักกับเจ้าของข้อมูลอีกครั้ง"
            ),
        )


class HouseRegistrationNotFound(NotFound):
    code = "house-registration-not-found"
    title = "No house registration on record"
    title_th = "ไม่พบทะเบียนบ้าน"

    def __init__(self, citizen_id: str) -> None:
        super().__init__(
            f"Citizen {citizen_id} is not listed in any house registration: the citizen "
            "must register an address at their district office",
            detail_th=(
                f"บุคคลเลขประจำตัวประชาชน {citizen_id} ไม่มีชื่อในทะเบียนบ้านใด: "
                "ให้เจ้าของข้อมูลแจ้งย้ายเข้าที่สำนักงานเขตหรือที่ว่าการอำเภอ"
            ),
        )


class UnknownAttribute(ValidationFailed):
    code = "unknown-attribute"
    title = "The register cannot answer this question"
    title_th = "ทะเบียนราษฎรไม่มีคำตอบสำหรับคำถามนี้"

    def __init__(self, attribute: str, valid: Iterable[str]) -> None:
        valid_names = list(valid)
        names = ", ".join(valid_names)
        super().__init__(
            f"{attribute!r} is not an attribute the population register answers: "
            f"ask one of {names}",
            detail_th=f"{attribute!r} ไม่ใช่คุณสมบัติที่ทะเบียนราษฎรตอบได้: ใช้ได้เฉพาะ {names}",
            errors=[
                {
                    "field": "attribute",
                    "message": f"use one of {names}",
                    "message_th": f"ใช้ได้เฉพาะ {names}",
                }
            ],
            valid_attributes=valid_names,
        )


def bad_value(attribute: str, value: str | None, en: str, th: str) -> ValidationFailed:
    """A well-formed question with a value the register cannot use."""
    return ValidationFailed(
        f"{attribute}={value!r}: {en}",
        detail_th=f"{attribute}={value!r}: {th}",
        errors=[{"field": "value", "message": en, "message_th": th}],
    )
