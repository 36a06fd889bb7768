"""The citizen's "who read my data" page and the auditor's log page, as a browser sees them."""

from __future__ import annotations

import re
from typing import Any

from prasan.core.roles import Role
from tests.conftest import login
from tests.exchange.conftest import CITIZEN, World
from tests.exchange.test_hub import give_consent


def test_citizen_sees_who_read_their_data_and_revokes_a_consent(
    world: World, make_user: Any
) -> None:
    cid = give_consent(world)
    world.call(consent=cid)
    http = world.http
    login(http, make_user(roles=[Role.CITIZEN], citizen_id=CITIZEN))
    page = http.get("/exchange/my-data?lang=th")
    assert page.status_code == 200
    assert "ใครอ่านข้อมูลของฉัน" in page.text
    assert "กรมการขนส่งทางบก" in page.text  # the consumer, by its Thai name
    assert "ตรวจสอบแล้ว รายการที่" in page.text  # the inclusion proof verified
    assert "ใช้งานอยู่" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    done = http.post(f"/exchange/my-data/consents/{cid}/revoke", data={"csrf_token": token[1]})
    assert done.status_code == 303
    assert "เพิกถอนแล้ว" in http.get("/exchange/my-data").text


def test_auditor_page_lists_filters_and_verifies(world: World, make_user: Any) -> None:
    cid = give_consent(world)
    world.call(consent=cid)
    http = world.http
    login(http, make_user(roles=[Role.ADMIN]))
    page = http.get("/exchange/audit?lang=en&check=true")
    assert page.status_code == 200
    assert "the log verifies" in page.text and "TH/GOV/DLT/LICENCE" in page.text
    none = http.get("/exchange/audit?lang=en&outcome=refused")
    assert "No entries match." in none.text


def test_pages_need_the_right_role(world: World, make_user: Any) -> None:
    http = world.http
    assert http.get("/exchange/my-data", headers={"accept": "text/html"}).status_code == 303
    login(http, make_user(roles=[Role.CITIZEN], citizen_id=CITIZEN))
    assert http.get("/exchange/audit", headers={"accept": "text/html"}).status_code == 403
