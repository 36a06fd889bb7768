"""``ExchangeClient``: what a consumer agency runs to call a service through the hub. It signs
each request (RFC 9421, Ed25519, with a fresh nonce), sends it, and accepts the answer only if
the provider signed it and bound it to this very request; it can also check that the call is in
the hub's transparency log.

Example::

    client = ExchangeClient(hub_url="http://127.0.0.1:8000", kid=kid, key=private_key)
    answer = client.call("TH/GOV/DOPA/POPREG", "population.id_card", citizen="1101700203450",
                         purpose="driving-licence-renewal", consent=consent_id)
    answer.json()  # verified
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from prasan.core.errors import PrasanError
from prasan.exchange import protocol, signing, translog
from prasan.exchange.errors import ProviderFailed, SignatureInvalid
from prasan.exchange.keystore import HUB_MEMBER_ID


class ExchangeError(Exception):
    """The hub or the provider refused the call; ``problem`` is the RFC 9457 body.

    ``signed_by`` is the key that signed the refusal (the hub's for its own refusals, the
    provider's for a provider's), empty when it was not signed or its signature did not verify
    (``signature_problem`` says why); ``bound_to_request`` is true when the signed refusal names
    this request's hash (a hub refusal given before the request's signature verified names
    none)."""

    def __init__(
        self,
        status: int,
        problem: dict[str, Any],
        *,
        signed_by: str = "",
        bound_to_request: bool = False,
        signature_problem: str = "",
    ) -> None:
        super().__init__(f"{status} {problem.get('code')}: {problem.get('detail')}")
        self.status = status
        self.problem = problem
        self.code = str(problem.get("code", ""))
        self.signed_by = signed_by
        self.bound_to_request = bound_to_request
        self.signature_problem = signature_problem


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: Mapping[str, str]
    call_id: str
    request_hash: str
    log_index: int | None
    provider_kid: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Prepared:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    request_hash: str


class ExchangeClient:
    def __init__(
        self,
        *,
        hub_url: str,
        kid: str,
        key: Ed25519PrivateKey,
        http: httpx.Client | None = None,
        provider_keys: Mapping[str, Ed25519PublicKey] | None = None,
    ) -> None:
        self.hub_url = hub_url.rstrip("/")
        self.kid = kid
        self.key = key
        self.http = http or httpx.Client(timeout=15.0)
        self._keys: dict[str, Ed25519PublicKey] = dict(provider_keys or {})

    def close(self) -> None:
        self.http.close()

    # ------------------------------------------------------------ signing

    def prepare(
        self,
        provider: str,
        service: str,
        *,
        citizen: str,
        purpose: str,
        consent: str | None = None,
        params: Mapping[str, str] | None = None,
        body: bytes = b"",
        method: str = "GET",
        base_url: str | None = None,
        created: int | None = None,
        nonce: str | None = None,
    ) -> Prepared:
        """A signed request (not sent): the exact headers any HTTP client can send."""
        url = f"{(base_url or self.hub_url).rstrip('/')}{protocol.PATH_PREFIX}{provider}/{service}"
        if params:
            url += "?" + urlencode(sorted(params.items()))
        authority = urlsplit(url).netloc
        headers = {
            "host": authority,
            "content-digest": signing.content_digest(body),
            protocol.CITIZEN: citizen,
            protocol.PURPOSE: purpose,
            protocol.CONSENT: consent or protocol.NO_CONSENT,
        }
        if body:
            headers["content-type"] = "application/json"
        message = signing.HttpMessage.request(method, url, headers.items())
        signed = signing.sign(
            message,
            key=self.key,
            label="sig1",
            components=protocol.REQUEST_COMPONENTS,
            params={
                "created": created if created is not None else int(time.time()),
                "nonce": nonce or secrets.token_urlsafe(18),
                "alg": "ed25519",
                "keyid": self.kid,
                "tag": protocol.REQUEST_TAG,
            },
        )
        headers["signature-input"] = signed.input_member
        headers["signature"] = signed.signature_member
        return Prepared(method, url, headers, body, signing.sha256_b64(signed.base))

    # ------------------------------------------------------------ calling

    def send(self, prepared: Prepared, *, verify: bool = True) -> Answer:
        resp = self.http.request(
            prepared.method, prepared.url, headers=prepared.headers, content=prepared.body
        )
        return self.check(resp, prepared, verify=verify)

    def call(self, provider: str, service: str, **kwargs: Any) -> Answer:
        return self.send(self.prepare(provider, service, **kwargs))

    def check(self, resp: httpx.Response, prepared: Prepared, *, verify: bool = True) -> Answer:
        """Raise ``ExchangeError`` for a refusal from the hub, ``ProviderFailed`` for an answer
        that is not provably the provider's answer to this request."""
        headers = {k.lower(): v for k, v in resp.headers.items()}
        sigs = headers.get("signature-input", "")
        is_hub_refusal = f'tag="{protocol.REFUSAL_TAG}"' in sigs
        is_provider_answer = "signature" in headers and protocol.CALL_ID in headers
        if resp.status_code >= 400 and (is_hub_refusal or not is_provider_answer):
            try:
                problem = resp.json()
            except ValueError:
                problem = {"code": f"http-{resp.status_code}", "detail": resp.text[:500]}
            if not (verify and is_hub_refusal):
                raise ExchangeError(resp.status_code, problem)
            try:
                kid = self._verify_refusal(resp, headers)
            except PrasanError as exc:
                raise ExchangeError(
                    resp.status_code, problem, signature_problem=exc.detail
                ) from None
            bound = headers.get(protocol.REQUEST_HASH) == f"sha-256=:{prepared.request_hash}:"
            raise ExchangeError(resp.status_code, problem, signed_by=kid, bound_to_request=bound)
        kid = ""
        if verify:
            kid = self._verify(resp, headers, prepared)
        log_index = headers.get(protocol.LOG_INDEX)
        answer = Answer(
            status=resp.status_code,
            body=resp.content,
            headers=headers,
            call_id=headers.get(protocol.CALL_ID, ""),
            request_hash=prepared.request_hash,
            log_index=int(log_index) if log_index else None,
            provider_kid=kid,
        )
        if resp.status_code >= 400:
            raise ExchangeError(
                resp.status_code, answer.json(), signed_by=kid, bound_to_request=verify
            )
        return answer

    def _verify_refusal(self, resp: httpx.Response, headers: dict[str, str]) -> str:
        """The hub's key that signed this refusal, or a ``PrasanError`` saying why not."""
        return self._verified_kid(
            resp, headers, protocol.REFUSAL_TAG, protocol.REFUSAL_COMPONENTS, member=HUB_MEMBER_ID
        )

    def _verify(self, resp: httpx.Response, headers: dict[str, str], prepared: Prepared) -> str:
        kid = self._verified_kid(resp, headers, protocol.RESPONSE_TAG, protocol.RESPONSE_COMPONENTS)
        if headers.get(protocol.REQUEST_HASH) != f"sha-256=:{prepared.request_hash}:":
            raise ProviderFailed(
                "The answer is signed by the provider but bound to a different request: do not "
                "use it, and report it to the exchange administrator",
                detail_th="คำตอบลงนามโดยผู้ให้บริการแต่ผูกกับคำขออื่น: ห้ามใช้ และแจ้งผู้ดูแลระบบ",
            )
        return kid

    def _verified_kid(
        self,
        resp: httpx.Response,
        headers: dict[str, str],
        tag: str,
        components: tuple[str, ...],
        *,
        member: str | None = None,
    ) -> str:
        """The key id of a response signature with ``tag`` that covers ``components`` (the
        status and these headers), verifies with a directory key (of ``member``, if given) and
        matches the body's digest; otherwise a ``PrasanError`` saying why not."""
        message = signing.HttpMessage.response(
            resp.status_code, [(k, headers[k]) for k in components[1:] if k in headers]
        )
        sig = protocol.pick(
            signing.parse_signatures(headers.get("signature-input"), headers.get("signature")),
            tag,
        )
        # The signature must cover the request hash and digest, or binding proves nothing.
        protocol.check_params(
            sig, required=components, now=dt.datetime.now(dt.UTC), need_nonce=False
        )
        if member is not None and not sig.keyid.startswith(member + "#"):
            raise SignatureInvalid(
                f"The refusal is signed with {sig.keyid}, not a key of the hub {member}",
                detail_th="คำปฏิเสธไม่ได้ลงนามโดยศูนย์แลกเปลี่ยนข้อมูล",
            )
        signing.verify(message, sig, self.provider_key(sig.keyid))
        signing.check_content_digest(headers.get("content-digest"), resp.content)
        return sig.keyid

    def provider_key(self, kid: str) -> Ed25519PublicKey:
        """A provider's public key from the hub's public directory (cached)."""
        if kid not in self._keys:
            self.refresh_keys()
        if kid not in self._keys:
            raise ProviderFailed(
                f"The answer is signed with {kid}, which the directory does not list",
                detail_th=f"คำตอบลงนามด้วยกุญแจ {kid} ที่ไม่อยู่ในทะเบียน",
            )
        return self._keys[kid]

    def refresh_keys(self) -> None:
        data = self.http.get(f"{self.hub_url}/x/v1/directory").json()
        for m in data["members"]:
            for k in m["keys"]:
                if k["status"] == "active":
                    self._keys[k["kid"]] = signing.public_from_b64(k["public_key"])

    # ------------------------------------------------------------ the log

    def prove(self, answer: Answer) -> dict[str, Any]:
        """Fetch the log entry for a call with its inclusion proof, and check the proof."""
        if answer.log_index is None:
            raise ValueError("the answer carries no log index")
        data: dict[str, Any] = self.http.get(
            f"{self.hub_url}/x/v1/log/entries/{answer.log_index}"
        ).json()
        if not verify_proved_entry(data):
            raise ProviderFailed(
                "The hub's inclusion proof for this call does not verify: report it",
                detail_th="หลักฐานการบันทึกธุรกรรมตรวจสอบไม่ผ่าน: แจ้งผู้ดูแลระบบ",
            )
        if data["entry"].get("request_hash") != answer.request_hash:
            raise ProviderFailed(
                "The log entry records a different request than the one sent",
                detail_th="บันทึกธุรกรรมไม่ตรงกับคำขอที่ส่ง",
            )
        return data


def verify_proved_entry(data: Mapping[str, Any], key: Ed25519PublicKey | None = None) -> bool:
    """Check an entry's inclusion proof against its tree head (and the STH signature if a hub
    key is given)."""
    body = translog.canonical(data["entry"]).encode()
    leaf = translog.leaf_hash(body)
    if leaf.hex() != data["leaf_hash"]:
        return False
    sth = data["tree_head"]
    proof = [bytes.fromhex(p) for p in data["inclusion_proof"]]
    ok = translog.verify_inclusion(
        int(data["index"]), int(sth["size"]), leaf, proof, bytes.fromhex(sth["root"])
    )
    if ok and key is not None:
        ok = translog.verify_sth(sth, key)
    return ok
