"""The roles people hold in Prasan. Every route names the roles it allows (``prasan.web.deps``)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "citizen"
    OFFICER = "officer"  # belongs to an agency
    ANALYST = "analyst"  # policy analysis
    POLICYMAKER = "policymaker"  # dashboards, decisions
    ADMIN = "admin"  # platform administration

    @property
    def label_th(self) -> str:
        return _TH[self]


_TH = {
    Role.CITIZEN: "ประชาชน",
    Role.OFFICER: "เจ้าหน้าที่",
    Role.ANALYST: "นักวิเคราะห์นโยบาย",
    Role.POLICYMAKER: "ผู้กำหนดนโยบาย",
    Role.ADMIN: "ผู้ดูแลระบบ",
}

ALL_ROLES = frozenset(Role)
