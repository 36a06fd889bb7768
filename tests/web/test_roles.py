"""Every route declares who may call it, and the denials hold."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from prasan.core.roles import Role
from prasan.web.app import create_app
from prasan.web.deps import Allow
from tests.conftest import login


def _allows(dependant: Any) -> list[Allow]:
    found = [d.call for d in dependant.dependencies if isinstance(d.call, Allow)]
    for sub in dependant.dependencies:
        found.extend(_allows(sub))
    return found


def test_every_route_declares_its_roles(settings: Any) -> None:
    app = create_app(settings, migrate=False)
    missing = [
        f"{sorted(r.methods)} {r.path}"
        for r in app.routes
        if isinstance(r, APIRoute) and not _allows(r.dependant)
    ]
    assert not missing, f"routes without Allow(...) or PUBLIC: {missing}"


def test_anonymous_api_call_is_told_to_log_in(client: TestClient) -> None:
    resp = client.get("/api/v1/me")
    assert resp.status_code == 401
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["code"] == "not-authenticated"


def test_anonymous_page_redirects_to_login_and_back(client: TestClient) -> None:
    resp = client.get("/admin/users", headers={"accept": "text/html"})
    assert resp.status_code == 303
    assert resp.headers["location"] == "/login?next=/admin/users"


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.OFFICER, Role.ANALYST, Role.POLICYMAKER])
def test_only_admins_list_accounts(client: TestClient, make_user: Any, role: Role) -> None:
    login(
        client,
        make_user(
            roles=[role], **({"citizen_id": "1101700203450"} if role == Role.CITIZEN else {})
        ),
    )
    resp = client.get("/api/v1/admin/users")
    assert resp.status_code == 403
    body = resp.json()
    assert body["code"] == "forbidden"
    assert "admin" in body["detail"] and body["detail_th"]
    page = client.get("/admin/users", headers={"accept": "text/html"})
    assert page.status_code == 403
    assert "บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้" in page.text  # the Thai page by default


def test_admin_lists_and_creates_accounts(client: TestClient, make_user: Any) -> None:
    token = login(client, make_user(roles=[Role.ADMIN]))
    assert client.get("/api/v1/admin/users").status_code == 200
    resp = client.post(
        "/api/v1/admin/users",
        json={"username": "new.officer", "display_name": "ใหม่", "roles": ["officer"],
              "agency_code": "DLT", "password": "long enough password"},
        headers={"X-CSRF-Token": token},
    )  # fmt: skip
    assert resp.status_code == 201, resp.text
    assert resp.json()["roles"] == ["officer"]


def test_officer_needs_an_agency(client: TestClient, make_user: Any) -> None:
    token = login(client, make_user(roles=[Role.ADMIN]))
    resp = client.post(
        "/api/v1/admin/users",
        json={"username": "lost.officer", "display_name": "x", "roles": ["officer"]},
        headers={"X-CSRF-Token": token},
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "agency_code"
