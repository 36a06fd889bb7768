"""Signing in and out, sessions, the login rate limit."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from prasan.accounts.models import LoginAttempt
from prasan.web.app import SESSION_COOKIE
from tests.conftest import TEST_PASSWORD, csrf, login


def _form_login(client: TestClient, username: str, password: str, **extra: str) -> Any:
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf(client), **extra},
        headers={"accept": "text/html"},
    )


def test_login_page_signs_in_and_goes_where_asked(client: TestClient, make_user: Any) -> None:
    user = make_user(display_name="วิไล ทดสอบ")
    resp = _form_login(client, user.username, TEST_PASSWORD, next="/admin/users")
    assert resp.status_code == 303 and resp.headers["location"] == "/admin/users"
    page = client.get("/account", headers={"accept": "text/html"})
    assert "วิไล ทดสอบ" in page.text


def test_login_never_redirects_off_site(client: TestClient, make_user: Any) -> None:
    user = make_user()
    resp = _form_login(client, user.username, TEST_PASSWORD, next="https://evil.example/")
    assert resp.headers["location"] == "/account"


def test_wrong_password_keeps_username_and_explains(client: TestClient, make_user: Any) -> None:
    user = make_user()
    resp = _form_login(client, user.username, "not the password")
    assert resp.status_code == 401
    assert f'value="{user.username}"' in resp.text
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in resp.text


def test_rate_limit_after_repeated_failures(
    client: TestClient, make_user: Any, session: Session
) -> None:
    user = make_user()
    for _ in range(3):  # settings.login_max_failures in the tests
        assert _form_login(client, user.username, "wrong").status_code == 401
    resp = _form_login(client, user.username, TEST_PASSWORD)  # even the right password waits
    assert resp.status_code == 429
    assert int(resp.headers["retry-after"]) > 0
    api = client.post(
        "/api/v1/session",
        json={"username": user.username, "password": TEST_PASSWORD},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert api.status_code == 429 and api.json()["code"] == "rate-limited"
    failures = session.scalars(
        select(LoginAttempt).where(LoginAttempt.username == user.username)
    ).all()
    assert len(failures) == 3 and not any(f.succeeded for f in failures)


def test_session_cookie_is_signed_and_http_only(client: TestClient, make_user: Any) -> None:
    set_cookie = client.get("/api/v1/session").headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    login(client, make_user())
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie and "." in cookie  # itsdangerous signature
    client.cookies.set(SESSION_COOKIE, cookie[:-3] + "AAA")
    assert client.get("/api/v1/me").status_code == 401  # a tampered cookie is no session


def test_logout(client: TestClient, make_user: Any) -> None:
    token = login(client, make_user())
    resp = client.post("/logout", data={"csrf_token": token})
    assert resp.status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_sign_in_rotates_the_session(client: TestClient, make_user: Any) -> None:
    before = csrf(client)
    after = login(client, make_user())
    assert before != after
