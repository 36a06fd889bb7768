"""The home page, as a person uses it, in both languages, with an accessibility check."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, describe

pytestmark = pytest.mark.browser


def test_home_in_thai_then_english_and_the_choice_is_remembered(
    page: Any, live_server: str
) -> None:
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.get_by_role("heading", level=1).inner_text() == "ประสาน: รัฐบาลที่เชื่อมถึงกัน"
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Prasan: government that joins up"
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.goto(live_server + "/login")  # the choice sticks without ?lang=
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"


def test_thai_font_is_served_locally(page: Any, live_server: str) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_server + "/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.fonts.check('16px Sarabun', 'ประสาน')")
    assert any("sarabun-thai-400" in u for u in requests)
    assert all(u.startswith(live_server) or u.startswith("data:") for u in requests), requests


def test_log_in_as_a_person_would(page: Any, live_server: str) -> None:
    page.goto(live_server + "/login?lang=en")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert "Wrong username or password" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Username").input_value() == "admin"
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_label("Password").fill("prasan-demo-2561")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account")
    assert page.get_by_role("heading", level=1).inner_text() == "Your account"
    page.get_by_role("link", name="Manage accounts").click()
    assert page.get_by_role("table").locator("tbody tr").count() >= 5
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(live_server + "/")


def test_bad_citizen_id_page_helps(page: Any, live_server: str) -> None:
    page.goto(live_server + "/tools/citizen-id?lang=th")
    page.get_by_label("เลขประจำตัวประชาชน").fill("1101700203451")
    page.get_by_role("button", name="ตรวจสอบ").click()
    assert "หลักตรวจสอบไม่ถูกต้อง" in page.get_by_role("alert").inner_text()
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_label("เลขประจำตัวประชาชน").fill("1101700203450")
    page.get_by_role("button", name="ตรวจสอบ").click()
    assert "1-1017-00203-45-0" in page.get_by_role("status").inner_text()


@pytest.mark.parametrize(
    "path",
    ["/", "/login", "/tools/citizen-id", "/problems", "/problems/forbidden", "/no-such-page"],
)
@pytest.mark.parametrize("lang", ["th", "en"])
def test_public_pages_pass_axe(page: Any, live_server: str, path: str, lang: str) -> None:
    page.goto(f"{live_server}{path}?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    violations = axe_violations(page)
    assert not violations, describe(violations)
