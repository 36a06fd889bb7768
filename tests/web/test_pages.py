from __future__ import annotations

from fastapi.testclient import TestClient


def test_healthz_checks_the_database(client: TestClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok" and resp.json()["database"] == "ok"


def test_api_docs_load_nothing_from_a_cdn(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/tools/citizen-id" in spec["paths"]
    # every operation has its own id (generated clients need them unique)
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))


def test_home_links_to_every_part_and_says_which_are_not_ready(client: TestClient) -> None:
    page = client.get("/?lang=en").text
    for title in (
        "Policy relationships and redundancy",
        "Data exchange between agencies",
        "One Stop Service",
    ):
        assert title in page
    assert "In development" in page


def test_security_headers(client: TestClient) -> None:
    resp = client.get("/")
    assert "default-src 'self'" in resp.headers["content-security-policy"]
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
