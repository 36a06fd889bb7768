"""Mutual TLS with certificates from the platform CA: the hub reaches an https:// provider
presenting its own certificate; a caller without one is refused at the handshake."""

from __future__ import annotations

import http.client
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from prasan.core import db
from prasan.exchange import pki, provider
from prasan.exchange import service as members
from prasan.exchange.signing import save_private_key
from tests.exchange.conftest import PROVIDER, RecordSpec, World
from tests.exchange.test_hub import give_consent
from tests.servers import free_port


@pytest.fixture
def tls_provider(world: World, tmp_path: Path) -> Iterator[int]:
    settings = world.settings
    hub_kid = members.ensure_hub(session=world.session, settings=settings)
    members.issue_certificate(session=world.session, settings=settings, kid=hub_kid)
    members.issue_certificate(
        session=world.session, settings=settings, kid=world.provider_kid, ip_addresses=["127.0.0.1"]
    )
    key_file = tmp_path / "provider.pem"
    save_private_key(world.keys.provider, key_file)
    port = free_port()
    app = provider.create_provider_app(
        member_id=PROVIDER, kid=world.provider_kid, key=world.keys.provider,
        services=[RecordSpec()], session_factory=db.session_factory(settings),
        hub_keys=provider.static_keys(world.keys.known),
        consumer_keys=provider.static_keys(world.keys.known),
    )  # fmt: skip
    server = uvicorn.Server(uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
        ssl_keyfile=str(key_file), ssl_certfile=str(pki.cert_path(settings, world.provider_kid)),
        ssl_ca_certs=str(pki.ca_paths(settings)[1]), ssl_cert_reqs=ssl.CERT_REQUIRED,
    ))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    members.set_base_url(
        session=world.session, member_id=PROVIDER, base_url=f"https://127.0.0.1:{port}"
    )
    world.session.commit()
    world.http.app.state.exchange_hub = None  # type: ignore[attr-defined]  # re-read TLS set-up
    yield port
    world.http.app.state.exchange_hub = None  # type: ignore[attr-defined]
    pki.cert_path(settings, hub_kid).unlink()
    server.should_exit = True
    thread.join(timeout=5)


def test_the_hub_calls_a_provider_over_mutual_tls(world: World, tls_provider: int) -> None:
    answer = world.call(consent=give_consent(world))
    assert answer.status == 200 and answer.json()["name_th"] == "สมชาย ใจดี"


def test_a_caller_without_a_certificate_is_refused(world: World, tls_provider: int) -> None:
    ctx = ssl.create_default_context(cafile=str(pki.ca_paths(world.settings)[1]))
    conn = http.client.HTTPSConnection("127.0.0.1", tls_provider, context=ctx, timeout=5)
    with pytest.raises((ssl.SSLError, ConnectionError, http.client.RemoteDisconnected)):
        conn.request("GET", "/healthz")
        conn.getresponse().read()
    conn.close()


def test_certificates_name_their_member_and_only_the_platform_ca_vouches(
    world: World, tls_provider: int
) -> None:
    settings = world.settings
    ca = pki.init_ca(settings)
    cert = x509.load_pem_x509_certificate(pki.cert_path(settings, world.provider_kid).read_bytes())
    assert pki.check(cert, ca) == PROVIDER
    other_settings = settings.model_copy(update={"key_dir": settings.key_dir.parent / "other"})
    foreign = pki.issue(other_settings, member_id=PROVIDER,
                        public_key=Ed25519PrivateKey.generate().public_key())  # fmt: skip
    with pytest.raises(ValueError, match="not issued by the platform CA"):
        pki.check(foreign, ca)
    directory = world.http.get("/x/v1/directory").json()
    listed = {k["kid"]: k for m in directory["members"] for k in m["keys"]}
    assert listed[world.provider_kid]["certificate"].startswith("-----BEGIN CERTIFICATE-----")
