"""RFC 9421 and RFC 9530 against the RFCs' own examples, then tampering of every kind."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from prasan.exchange import signing
from prasan.exchange.errors import DigestMismatch, SignatureInvalid

# RFC 9421 appendix B.1.4 (test-key-ed25519), as JWK "d" and "x".
RFC_SEED = base64.urlsafe_b64decode("n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU=")
RFC_PUBLIC = base64.urlsafe_b64decode("JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs=")

B26_INPUT = (
    'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length")'
    ';created=1618884473;keyid="test-key-ed25519"'
)
B26_SIGNATURE = "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:"
B26_BASE = (
    '"date": Tue, 20 Apr 2021 02:07:55 GMT\n'
    '"@method": POST\n'
    '"@path": /foo\n'
    '"@authority": example.com\n'
    '"content-type": application/json\n'
    '"content-length": 18\n'
    '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" '
    '"content-length");created=1618884473;keyid="test-key-ed25519"'
)


def _rfc_request() -> signing.HttpMessage:
    return signing.HttpMessage.request(
        "POST",
        "https://example.com/foo?param=Value&Pet=dog",
        [
            ("Host", "example.com"),
            ("Date", "Tue, 20 Apr 2021 02:07:55 GMT"),
            ("Content-Type", "application/json"),
            (
                "Content-Digest",
                "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
            ),
            ("Content-Length", "18"),
        ],
    )


def test_rfc9421_b26_sign_reproduces_the_rfc_signature_byte_for_byte() -> None:
    key = Ed25519PrivateKey.from_private_bytes(RFC_SEED)
    signed = signing.sign(
        _rfc_request(),
        key=key,
        label="sig-b26",
        components=["date", "@method", "@path", "@authority", "content-type", "content-length"],
        params={"created": 1618884473, "keyid": "test-key-ed25519"},
    )
    assert signed.base.decode() == B26_BASE
    assert signed.input_member == B26_INPUT
    assert signed.signature_member == B26_SIGNATURE


def test_rfc9421_b26_verify_accepts_the_rfc_signature_and_refuses_a_changed_message() -> None:
    public = Ed25519PublicKey.from_public_bytes(RFC_PUBLIC)
    parsed = signing.parse_signatures(B26_INPUT, B26_SIGNATURE)["sig-b26"]
    assert parsed.keyid == "test-key-ed25519"
    assert signing.verify(_rfc_request(), parsed, public).decode() == B26_BASE
    changed = signing.HttpMessage.request(
        "POST",
        "https://example.com/bar",
        [(k, v) for k, v in _rfc_request().headers.items()],
    )
    with pytest.raises(SignatureInvalid):
        signing.verify(changed, parsed, public)


def test_rfc9530_content_digest_examples() -> None:
    body = b'{"hello": "world"}'
    assert signing.content_digest(body) == "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
    signing.check_content_digest(_rfc_request().headers["content-digest"], body)
    signing.check_content_digest(signing.content_digest(body), body)
    with pytest.raises(DigestMismatch):
        signing.check_content_digest(signing.content_digest(body), b'{"hello": "World"}')
    with pytest.raises(DigestMismatch):
        signing.check_content_digest(None, body)
    with pytest.raises(DigestMismatch):
        signing.check_content_digest("md5=:AAAA:", body)


def test_a_header_or_query_change_after_signing_is_refused() -> None:
    key = Ed25519PrivateKey.generate()
    headers = [("Prasan-Purpose", "driving-licence-renewal"), ("Host", "hub")]
    msg = signing.HttpMessage.request("GET", "http://hub/x/v1/a?b=1", headers)
    comps = ["@method", "@authority", "@path", "@query", "prasan-purpose"]
    signed = signing.sign(msg, key=key, label="sig1", components=comps, params={"created": 1})
    parsed = signing.parse_signatures(signed.input_member, signed.signature_member)["sig1"]
    signing.verify(msg, parsed, key.public_key())
    for method, url, hdrs in [
        ("GET", "http://hub/x/v1/a?b=2", headers),
        ("POST", "http://hub/x/v1/a?b=1", headers),
        ("GET", "http://hub/x/v1/a?b=1", [("Prasan-Purpose", "tax"), ("Host", "hub")]),
    ]:
        with pytest.raises(SignatureInvalid):
            signing.verify(signing.HttpMessage.request(method, url, hdrs), parsed, key.public_key())
    with pytest.raises(SignatureInvalid):  # a signed header that is missing
        signing.verify(
            signing.HttpMessage.request("GET", "http://hub/x/v1/a?b=1", []),
            parsed,
            key.public_key(),
        )


def test_other_algorithms_and_unsigned_messages_are_refused() -> None:
    with pytest.raises(SignatureInvalid):
        signing.parse_signatures(None, None)
    parsed = signing.parse_signatures('s=("@method");alg="rsa-v1_5-sha256"', "s=:AAAA:")["s"]
    with pytest.raises(SignatureInvalid, match="ed25519"):
        signing.verify(_rfc_request(), parsed, Ed25519PrivateKey.generate().public_key())


@pytest.mark.parametrize(
    ("signature_input", "signature"),
    [
        (B26_INPUT, B26_SIGNATURE),
        ('a=("@method" "x-y");created=1;nonce="n_-1";tag="t", b=("@path");expires=-3',
         "a=:AAAA:, b=:AQID:"),
        ('a=("@method");created=1,\tb=("@path")', "a=:AAAA:,\tb=:AAAA:"),  # a tab: full parser
        ('a=("x\\"y");created=1', "a=:AAAA:"),  # an escape: full parser
        ('a=("a(b)");keyid="k(1)"', "a=:AAAA:"),
        ('a=();created=1', "a=:AAAA:"),
    ],
)  # fmt: skip
def test_fast_parser_agrees_with_the_structured_field_parser(
    signature_input: str, signature: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = signing.parse_signatures(signature_input, signature)
    monkeypatch.setattr(signing, "_parse_fast", lambda *_: None)
    full = signing.parse_signatures(signature_input, signature)
    assert fast == full
