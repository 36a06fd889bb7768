"""The smallest complete provider: a few synthetic records served through the provider SDK.

It is the reference for agencies writing their own provider, the stand-in provider when the
population register is not installed, and what the tests and the load benchmark run as a
separate process (``prasan exchange serve-provider prasan.exchange.sample_provider``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from prasan.core.errors import NotFound, ValidationFailed

MEMBER = "TH/GOV/DGA/SAMPLE"

RECORDS: dict[str, dict[str, Any]] = {
    "1101700203450": {"name_th": "สมชาย ใจดี", "name_en": "Somchai Jaidee",
                      "province_code": "10", "birth_year_be": 2508},
    "3100600123450": {"name_th": "สมหญิง รักดี", "name_en": "Somying Rakdee",
                      "province_code": "50", "birth_year_be": 2535},
}  # fmt: skip


def _record(session: Session, citizen_id: str, params: Mapping[str, str]) -> dict[str, Any]:
    record = RECORDS.get(citizen_id)
    if record is None:
        raise NotFound(
            f"The sample register has no person {citizen_id}: check the ID",
            detail_th=f"ทะเบียนตัวอย่างไม่มีข้อมูลของ {citizen_id}: ตรวจสอบเลขประจำตัว",
        )
    return {"citizen_id": citizen_id, **record}


def _province(session: Session, citizen_id: str, params: Mapping[str, str]) -> dict[str, Any]:
    """An attribute-level answer: yes or no, without the address itself."""
    code = params.get("province_code", "")
    if not code.isdigit():
        raise ValidationFailed(
            "Give province_code, e.g. ?province_code=10 for Bangkok",
            detail_th="ระบุ province_code เช่น ?province_code=10 สำหรับกรุงเทพมหานคร",
        )
    record = _record(session, citizen_id, params)
    return {"citizen_id": citizen_id, "lives_in_province": record["province_code"] == code}


@dataclass(frozen=True)
class Spec:
    code: str
    title_en: str
    title_th: str
    data_items: list[str]
    personal: bool
    handler: Any = field(repr=False)


SERVICES: list[Spec] = [
    Spec("sample.record", "Sample record", "ข้อมูลตัวอย่าง", ["sample.record"], True, _record),
    Spec("sample.lives_in", "Lives in a province (yes/no)", "อาศัยอยู่ในจังหวัด (ใช่/ไม่ใช่)",
         ["sample.province"], True, _province),
]  # fmt: skip
