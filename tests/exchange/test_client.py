"""The client accepts an answer only as the provider's signed answer to this very request."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from prasan.core.errors import PrasanError
from prasan.exchange import protocol, signing
from prasan.exchange.client import ExchangeClient, Prepared

KID = "TH/GOV/DOPA/population#k1"
REQUEST_HASH = "q" * 43 + "="
Setup = tuple[ExchangeClient, Ed25519PrivateKey, Prepared]


def _answer(
    key: Ed25519PrivateKey, components: tuple[str, ...], request_hash: str = REQUEST_HASH
) -> httpx.Response:
    body = b'{"ok": true}'
    headers = {
        "content-type": "application/json",
        "content-digest": signing.content_digest(body),
        protocol.CALL_ID: "call-1",
        protocol.REQUEST_HASH: f"sha-256=:{request_hash}:",
    }
    headers = protocol.sign_response(
        200, headers, key=key, kid=KID, label=protocol.RESPONSE_LABEL,
        tag=protocol.RESPONSE_TAG, components=components,
    )  # fmt: skip
    return httpx.Response(200, content=body, headers=headers)


@pytest.fixture
def setup() -> Setup:
    provider = Ed25519PrivateKey.generate()
    client = ExchangeClient(
        hub_url="http://127.0.0.1:9",
        kid="TH/GOV/TEST/caller#k1",
        key=Ed25519PrivateKey.generate(),
        provider_keys={KID: provider.public_key()},
    )
    prepared = Prepared("GET", "http://127.0.0.1:9/x", {}, b"", REQUEST_HASH)
    return client, provider, prepared


def test_an_answer_signed_over_the_request_hash_is_accepted(setup: Setup) -> None:
    client, provider, prepared = setup
    answer = client.check(_answer(provider, protocol.RESPONSE_COMPONENTS), prepared)
    assert answer.provider_kid == KID and answer.json() == {"ok": True}


def test_a_signature_that_does_not_cover_the_request_hash_is_refused(setup: Setup) -> None:
    client, provider, prepared = setup
    partial = tuple(c for c in protocol.RESPONSE_COMPONENTS if c != protocol.REQUEST_HASH)
    with pytest.raises(PrasanError, match=protocol.REQUEST_HASH):
        client.check(_answer(provider, partial), prepared)


def test_an_answer_bound_to_another_request_is_refused(setup: Setup) -> None:
    client, provider, prepared = setup
    other = _answer(provider, protocol.RESPONSE_COMPONENTS, request_hash="r" * 43 + "=")
    with pytest.raises(PrasanError, match="different request"):
        client.check(other, prepared)
