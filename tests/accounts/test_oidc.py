"""Sign-in through an external OpenID Connect provider, over real HTTP with real signatures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from prasan.core.settings import Settings
from prasan.web.app import create_app
from prasan.web.deps import get_session
from tests.accounts.oidc_provider import make_provider
from tests.servers import serve

CLAIMS = {"sub": "thaid-0001", "name": "มานี มีนา", "citizen_id": "3100400123456"}


@pytest.fixture
def idp() -> Iterator[str]:
    app, state = make_provider(client_id="prasan-test", claims=CLAIMS)
    with serve(app) as url:
        state["issuer"] = url
        yield url


@pytest.fixture
def oidc_client(idp: str, settings: Settings, session: Session) -> Iterator[TestClient]:
    s = settings.model_copy(
        update={"oidc_issuer": idp, "oidc_client_id": "prasan-test", "oidc_client_secret": "s3cret"}
    )
    app = create_app(s, migrate=False)

    def _session() -> Iterator[Session]:
        yield session
        session.commit()

    app.dependency_overrides[get_session] = _session
    with TestClient(app, follow_redirects=False) as c:
        yield c


def test_sign_in_with_the_national_id(oidc_client: TestClient, idp: str) -> None:
    page = oidc_client.get("/login")
    assert "/auth/oidc/login" in page.text  # the button is offered

    start = oidc_client.get("/auth/oidc/login?next=/account")
    assert start.status_code == 302
    to_idp = start.headers["location"]
    assert to_idp.startswith(idp + "/authorize")
    assert "code_challenge=" in to_idp  # PKCE

    back = httpx.get(to_idp, follow_redirects=False)  # the person confirms at the provider
    assert back.status_code == 302
    callback = urlsplit(back.headers["location"])
    done = oidc_client.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 303 and done.headers["location"] == "/account"

    me = oidc_client.get("/api/v1/me").json()
    assert me["display_name"] == "มานี มีนา"
    assert me["citizen_id"] == "3100400123456"
    assert me["roles"] == ["citizen"]


def test_forged_state_is_refused(oidc_client: TestClient, idp: str) -> None:
    start = oidc_client.get("/auth/oidc/login")
    back = httpx.get(start.headers["location"], follow_redirects=False)
    query = parse_qs(urlsplit(back.headers["location"]).query)
    resp = oidc_client.get(
        f"/auth/oidc/callback?code={query['code'][0]}&state=forged", headers={"accept": "text/html"}
    )
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")
    assert oidc_client.get("/api/v1/me").status_code == 401


def test_not_configured_says_so(client: TestClient) -> None:
    resp = client.get("/auth/oidc/login", headers={"accept": "application/json"})
    assert resp.status_code == 401
    assert "not configured" in resp.json()["detail"]


def test_returning_person_is_the_same_account(oidc_client: TestClient, idp: str) -> None:
    ids: list[Any] = []
    for _ in range(2):
        oidc_client.cookies.clear()
        start = oidc_client.get("/auth/oidc/login")
        back = httpx.get(start.headers["location"], follow_redirects=False)
        cb = urlsplit(back.headers["location"])
        oidc_client.get(f"{cb.path}?{cb.query}")
        ids.append(oidc_client.get("/api/v1/me").json()["id"])
    assert ids[0] == ids[1]
