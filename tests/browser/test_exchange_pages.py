"""The exchange's pages in a real browser: the citizen's "who read my data" with a revocation,
and the auditor's log, each with an accessibility check in Thai and English."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from prasan.core import db
from prasan.core.settings import Settings
from prasan.exchange import consent as consents
from prasan.exchange import demo, hub, keystore, translog
from prasan.exchange.schemas import ConsentCreate
from prasan.web.app import create_app
from tests.browser.conftest import axe_violations, describe
from tests.servers import serve

pytestmark = pytest.mark.browser

SOMCHAI = "1101700203450"  # the demo citizen account "somchai"
PASSWORD = "prasan-demo-2561"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own, seeded with the demo accounts and exchange members, a consent and a
    logged call about Somchai (the call's entry is written as the hub writes it)."""
    from prasan.demo import seed

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("live-exchange"),
        secret_key="browser-test-" + "y" * 40,
        mode="demo",
    )
    db.upgrade(settings)
    with db.session_scope(settings) as session:
        list(seed(session=session, settings=settings))
        list(demo.seed(session=session, settings=settings))
        given = consents.create(
            session=session,
            data=ConsentCreate(citizen_id=SOMCHAI, consumer="TH/GOV/DLT/LICENCE",
                               provider="TH/GOV/DGA/SAMPLE", data_items=["sample.record"],
                               purpose="driving-licence-renewal"),
            active=True, hub=keystore.hub_key(settings),
        )  # fmt: skip
        call = hub.Call(call_id="00000000-0000-4000-8000-000000000001",
                        provider="TH/GOV/DGA/SAMPLE", service="sample.record",
                        purpose="driving-licence-renewal", consent_id=given.id,
                        subject=hub.subject_of(settings, SOMCHAI), consumer="TH/GOV/DLT/LICENCE",
                        items=["sample.record"], legal_basis=given.legal_basis,
                        request_hash="AAAA")  # fmt: skip
        body, columns = call.entry(at=db.utcnow(), outcome="allowed", code="ok", status=200,
                                   response_digest="sha-256=:AAAA:")  # fmt: skip
        translog.append(session, entry=body, columns=columns, sth_key=keystore.hub_key(settings))
    with serve(create_app(settings, migrate=False)) as url:
        yield url


def _log_in(page: Any, live_server: str, username: str) -> None:
    page.goto(live_server + "/login?lang=en")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account")


def test_citizen_sees_the_call_and_revokes_the_consent(page: Any, live_server: str) -> None:
    _log_in(page, live_server, "somchai")
    page.goto(live_server + "/exchange/my-data?lang=th")
    assert page.get_by_role("heading", level=1).inner_text() == "ใครอ่านข้อมูลของฉัน"
    rows = page.get_by_role("table").first.locator("tbody tr")
    assert rows.count() == 1 and "กรมการขนส่งทางบก" in rows.first.inner_text()
    assert "ตรวจสอบแล้ว" in rows.first.inner_text()
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.goto(live_server + "/exchange/my-data?lang=en")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_load_state()
    assert "revoked" in page.get_by_role("table").nth(1).inner_text()


def test_auditor_filters_the_log(page: Any, live_server: str) -> None:
    _log_in(page, live_server, "admin")
    page.goto(live_server + "/exchange/audit?lang=en&check=true")
    assert "the log verifies" in page.locator("main").inner_text()
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_label("Outcome").select_option("refused")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert "No entries match." in page.get_by_role("table").inner_text()
