"""Bad input gets a clear RFC 9457 problem on the API and a helpful page for people."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import csrf


def test_bad_citizen_id_on_the_api(client: TestClient) -> None:
    resp = client.post(
        "/api/v1/tools/citizen-id",
        json={"citizen_id": "1101700203451"},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert resp.status_code == 422
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["code"] == "invalid-citizen-id"
    assert body["detail"] == "ID 1101700203451 fails its check digit: check the 13 digits"
    assert body["type"].endswith("/invalid-citizen-id")
    assert body["status"] == 422 and body["instance"] == "/api/v1/tools/citizen-id"
    assert body["errors"][0]["field"] == "citizen_id"


def test_good_citizen_id_on_the_api(client: TestClient) -> None:
    resp = client.post(
        "/api/v1/tools/citizen-id",
        json={"citizen_id": "1 1017 00203 45 0"},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert resp.status_code == 200
    assert resp.json() == {
        "citizen_id": "1101700203450",
        "formatted": "1-1017-00203-45-0",
        "valid": True,
    }


def test_bad_citizen_id_on_the_page_keeps_what_was_typed(client: TestClient) -> None:
    token = csrf(client)
    resp = client.post(
        "/tools/citizen-id",
        data={"citizen_id": "110170020345", "csrf_token": token},
        headers={"accept": "text/html"},
    )
    assert resp.status_code == 422
    assert 'value="110170020345"' in resp.text
    assert "มี 12 หลัก: เลขประจำตัวประชาชนต้องมี 13 หลัก" in resp.text
    en = client.post(
        "/tools/citizen-id?lang=en",
        data={"citizen_id": "110170020345", "csrf_token": token},
        headers={"accept": "text/html"},
    )
    assert "has 12 digits: a citizen ID has 13" in en.text


def test_malformed_json_body(client: TestClient) -> None:
    resp = client.post(
        "/api/v1/tools/citizen-id",
        content=b'{"citizen_id": "1101700203450",',
        headers={"content-type": "application/json", "X-CSRF-Token": csrf(client)},
    )
    assert resp.status_code == 400
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["code"] == "malformed-body"
    assert "not valid JSON" in body["detail"] and body["detail_th"]


def test_wrong_shape_names_the_field(client: TestClient) -> None:
    resp = client.post(
        "/api/v1/tools/citizen-id", json={"id": "x"}, headers={"X-CSRF-Token": csrf(client)}
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "citizen_id"


def test_unknown_address(client: TestClient) -> None:
    api = client.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.json()["code"] == "not-found"
    page = client.get("/nothing-here", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "ไม่มีหน้าหรือบริการที่ที่อยู่นี้" in page.text
    assert "There is no page or endpoint at this address" in page.text  # the other language too


def test_unexpected_errors_become_a_500_problem(app: Any) -> None:
    from fastapi import Depends

    from prasan.web.deps import PUBLIC

    @app.get("/api/v1/boom", dependencies=[Depends(PUBLIC)])
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        resp = c.get("/api/v1/boom")
    assert resp.status_code == 500
    assert "secret internals" not in resp.text
    assert resp.json()["code"] == "internal-error"


def test_problem_type_uris_lead_to_a_page(client: TestClient) -> None:
    resp = client.post(
        "/api/v1/tools/citizen-id", json={"citizen_id": "1"}, headers={"X-CSRF-Token": csrf(client)}
    )
    page = client.get(resp.json()["type"] + "?lang=en")
    assert page.status_code == 200 and "Invalid citizen ID" in page.text
    listing = client.get("/problems").text
    for code in ("csrf-failed", "rate-limited", "malformed-body", "forbidden"):
        assert f"/problems/{code}" in listing
    assert client.get("/problems/no-such-thing", headers={"accept": "text/html"}).status_code == 404
