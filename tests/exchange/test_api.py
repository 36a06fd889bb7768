"""The exchange's HTTP API as people and machines use it: administration, consent for citizens,
"who read my data", the auditor's view and the public log with its proofs."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from prasan.core.roles import Role
from prasan.exchange import consent as consents
from prasan.exchange import keystore, translog
from prasan.exchange.client import verify_proved_entry
from prasan.exchange.models import LogEntry
from prasan.exchange.signing import b64, public_raw
from tests.conftest import login
from tests.exchange.conftest import CITIZEN, CONSUMER, PROVIDER, PURPOSE, World


def _consent_body(**overrides: Any) -> dict[str, Any]:
    body = {"citizen_id": CITIZEN, "consumer": CONSUMER, "provider": PROVIDER,
            "data_items": ["testreg.record"], "purpose": PURPOSE}  # fmt: skip
    body.update(overrides)
    return body


def test_admin_registers_a_member_key_service_and_right(client: TestClient, make_user: Any) -> None:
    token = login(client, make_user(roles=[Role.ADMIN]))
    h = {"X-CSRF-Token": token}
    r = client.post("/api/v1/exchange/members", headers=h,
                    json={"member_id": "TH/GOV/RD/TAX", "name_en": "Revenue", "name_th": "กรมสรรพากร"})  # fmt: skip
    assert r.status_code == 201, r.text
    bad = client.post("/api/v1/exchange/members", headers=h,
                      json={"member_id": "revenue", "name_en": "x", "name_th": "x"})  # fmt: skip
    assert bad.status_code == 422 and "TH/GOV/<agency-code>/<system>" in bad.text
    pub = b64(public_raw(Ed25519PrivateKey.generate().public_key()))
    k = client.post(
        "/api/v1/exchange/members/TH/GOV/RD/TAX/keys", headers=h, json={"public_key": pub}
    )
    assert k.status_code == 201 and k.json()["kid"].startswith("TH/GOV/RD/TAX#")
    s = client.post("/api/v1/exchange/services", headers=h, json={
        "provider": "TH/GOV/RD/TAX", "code": "tax.status", "title_en": "Tax status",
        "title_th": "สถานะภาษี", "data_items": ["tax.status"], "personal": True})  # fmt: skip
    assert s.status_code == 201, s.text
    g = client.post("/api/v1/exchange/rights", headers=h, json={
        "consumer": "TH/GOV/RD/TAX", "provider": "TH/GOV/RD/TAX", "service": "tax.status",
        "purposes": ["Tax Audit"]})  # fmt: skip
    assert g.status_code == 422  # purpose codes are lower-case words joined by '-'
    rv = client.post("/api/v1/exchange/keys/revoke", headers=h, json={"kid": k.json()["kid"]})
    assert rv.json()["status"] == "revoked"
    directory = client.get("/x/v1/directory").json()
    assert any(s["code"] == "tax.status" for s in directory["services"])


def test_only_admins_administer(client: TestClient, make_user: Any) -> None:
    token = login(client, make_user(roles=[Role.CITIZEN], citizen_id=CITIZEN))
    r = client.post("/api/v1/exchange/members", headers={"X-CSRF-Token": token},
                    json={"member_id": "TH/GOV/X/Y", "name_en": "x", "name_th": "x"})  # fmt: skip
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_citizen_gives_and_revokes_consent_and_sees_who_read_their_data(
    world: World, make_user: Any
) -> None:
    http = world.http
    token = login(http, make_user(roles=[Role.CITIZEN], citizen_id=CITIZEN))
    h = {"X-CSRF-Token": token}
    given = http.post("/api/v1/exchange/me/consents", headers=h, json=_consent_body())
    assert given.status_code == 201, given.text
    consent = given.json()
    assert consent["status"] == "active" and consent["receipt"]
    hub_public = keystore.hub_key(world.settings)[1].public_key()
    claims = consents.verify_receipt(consent["receipt"], hub_public)
    assert claims["sub"] == CITIZEN and claims["purpose"] == PURPOSE
    other = http.post("/api/v1/exchange/me/consents", headers=h,
                      json=_consent_body(citizen_id="3100600123450"))  # fmt: skip
    assert other.status_code == 403

    answer = world.call(consent=consent["id"])
    assert answer.status == 200
    revoked = http.post(f"/api/v1/exchange/me/consents/{consent['id']}/revoke", headers=h)
    assert revoked.json()["status"] == "revoked"

    mine = http.get("/api/v1/exchange/me/log").json()
    assert mine and mine[0]["entry"]["consumer"] == CONSUMER
    assert mine[0]["entry"]["consent"] == consent["id"]
    for line in mine:
        assert verify_proved_entry(line, hub_public)
    listed = http.get("/api/v1/exchange/me/consents").json()
    assert [c["status"] for c in listed] == ["revoked"]


def test_officer_asks_and_the_citizen_grants(world: World, make_user: Any) -> None:
    http = world.http
    officer = make_user(roles=[Role.OFFICER])
    citizen = make_user(roles=[Role.CITIZEN], citizen_id=CITIZEN)
    token = login(http, officer)
    asked = http.post("/api/v1/exchange/consents", headers={"X-CSRF-Token": token},
                      json=_consent_body(single_use=True))  # fmt: skip
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    from tests.exchange.test_hub import refused

    refused(world, "consent-invalid", 403, consent=asked.json()["id"])
    token = login(http, citizen)
    granted = http.post(f"/api/v1/exchange/me/consents/{asked.json()['id']}/grant",
                        headers={"X-CSRF-Token": token})  # fmt: skip
    assert granted.json()["status"] == "active"
    assert world.call(consent=asked.json()["id"]).status == 200


def test_auditor_view_filters_and_public_proofs_verify(world: World, make_user: Any) -> None:
    from tests.exchange.test_hub import give_consent, refused

    cid = give_consent(world)
    for _ in range(5):
        world.call(consent=cid)
    refused(world, "purpose-not-allowed", 403, purpose="tax-audit", consent=cid)
    http = world.http
    login(http, make_user(roles=[Role.ADMIN]))
    refusals = http.get("/api/v1/exchange/log", params={"outcome": "refused"}).json()["entries"]
    assert [e["entry"]["code"] for e in refusals] == ["purpose-not-allowed"]
    allowed = http.get("/api/v1/exchange/log", params={"consumer": CONSUMER, "limit": 3}).json()
    assert len(allowed["entries"]) == 3 and allowed["next_after"] == allowed["entries"][-1]["index"]

    first = http.get("/x/v1/log/sth").json()
    world.call(consent=cid)
    second = http.get("/x/v1/log/sth").json()
    assert second["size"] == first["size"] + 1
    proof = http.get("/x/v1/log/consistency",
                     params={"first": first["size"], "second": second["size"]}).json()  # fmt: skip
    assert translog.verify_consistency(
        first["size"], second["size"], bytes.fromhex(first["root"]), bytes.fromhex(second["root"]),
        [bytes.fromhex(p) for p in proof["proof"]],
    )  # fmt: skip
    hub_public = keystore.hub_key(world.settings)[1].public_key()
    assert translog.verify_sth(second, hub_public)
    entry = http.get("/x/v1/log/entries/2").json()
    assert verify_proved_entry(entry, hub_public)
    assert http.get("/x/v1/log/entries/999").status_code == 404


def test_verify_detects_a_reordered_pair(world: World) -> None:
    from tests.exchange.test_hub import give_consent

    cid = give_consent(world)
    for _ in range(4):
        world.call(consent=cid)
    translog.sign_now(world.session, sth_key=keystore.hub_key(world.settings))
    world.session.flush()
    from prasan.exchange import service as members

    keys = members.public_keys(session=world.session)
    assert translog.verify_log(world.session, keys=keys).ok
    a, b = world.session.get(LogEntry, 1), world.session.get(LogEntry, 2)
    assert a is not None and b is not None
    (a.body, a.leaf_hash), (b.body, b.leaf_hash) = (b.body, b.leaf_hash), (a.body, a.leaf_hash)
    world.session.flush()
    report = translog.verify_log(world.session, keys=keys)
    assert not report.ok
    assert any("do not match the signed tree head" in p for p in report.problems or [])
