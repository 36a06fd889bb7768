"""Every state-changing request needs the session's anti-forgery token."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import TEST_PASSWORD, csrf


def test_form_without_token_is_refused_with_a_page(client: TestClient, make_user: Any) -> None:
    user = make_user()
    client.get("/login")
    resp = client.post(
        "/login",
        data={"username": user.username, "password": TEST_PASSWORD},
        headers={"accept": "text/html"},
    )
    assert resp.status_code == 403
    assert "แบบฟอร์มหมดอายุหรือไม่ได้มาจากระบบประสาน" in resp.text
    assert client.get("/api/v1/me").status_code == 401  # not signed in


def test_api_call_without_token_is_refused_with_a_problem(client: TestClient) -> None:
    resp = client.post("/api/v1/tools/citizen-id", json={"citizen_id": "1101700203450"})
    assert resp.status_code == 403
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["code"] == "csrf-failed"
    assert "X-CSRF-Token" in resp.json()["detail"]


def test_token_from_another_session_is_refused(app: Any, client: TestClient) -> None:
    other = TestClient(app)
    stolen = csrf(other)
    csrf(client)
    resp = client.post(
        "/api/v1/tools/citizen-id",
        json={"citizen_id": "1101700203450"},
        headers={"X-CSRF-Token": stolen},
    )
    assert resp.status_code == 403


def test_form_with_token_passes(client: TestClient, make_user: Any) -> None:
    user = make_user()
    resp = client.post(
        "/login",
        data={
            "username": user.username,
            "password": TEST_PASSWORD,
            "csrf_token": csrf(client),
            "next": "/account",
        },
    )
    assert resp.status_code == 303 and resp.headers["location"] == "/account"
    assert client.get("/api/v1/me").json()["username"] == user.username
