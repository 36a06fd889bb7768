"""The wire protocol in one place: header names, what each signature must cover, time windows.
``docs/exchange.md`` describes the same rules for implementers in other languages."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Mapping, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from prasan.exchange import signing
from prasan.exchange.errors import SignatureExpired, SignatureInvalid, UnknownService
from prasan.exchange.signing import ParsedSignature

CITIZEN = "prasan-citizen"
PURPOSE = "prasan-purpose"
CONSENT = "prasan-consent"
CONSUMER = "prasan-consumer"
CALL_ID = "prasan-call-id"
REQUEST_HASH = "prasan-request-hash"
LOG_INDEX = "prasan-log-index"
NO_CONSENT = "none"

REQUEST_TAG = "prasan-request"
HUB_TAG = "prasan-hub"
RESPONSE_TAG = "prasan-response"
HUB_LABEL = "hub"
RESPONSE_LABEL = "provider"

REQUEST_COMPONENTS = (
    "@method",
    "@authority",
    "@path",
    "@query",
    "content-digest",
    CITIZEN,
    PURPOSE,
    CONSENT,
)
HUB_COMPONENTS = (*REQUEST_COMPONENTS, CONSUMER, CALL_ID, REQUEST_HASH)
FORWARDED = ("content-type", "accept", "content-digest", CITIZEN, PURPOSE, CONSENT)
RESPONSE_COMPONENTS = ("@status", "content-type", "content-digest", CALL_ID, REQUEST_HASH)
# The hub's own refusals are signed by the hub (label ``hub``): bound to the log entry that
# records the refusal and, once the consumer's signature has verified, to that request.
REFUSAL_TAG = "prasan-hub-refusal"
REFUSAL_COMPONENTS = (*RESPONSE_COMPONENTS, LOG_INDEX)
UNVERIFIED_REQUEST = "none"  # Prasan-Request-Hash of a refusal before the request verified

# A signature is accepted this long after (and, for clock skew, before) its ``created`` time.
WINDOW = dt.timedelta(seconds=300)
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")

# /x/v1/<TH>/<class>/<agency>/<system>/<service>[/<rest>]
PATH_PREFIX = "/x/v1/"


def pick(
    sigs: Mapping[str, ParsedSignature], tag: str, label: str | None = None
) -> ParsedSignature:
    """The one signature with this tag (and label, when given)."""
    found = [s for s in sigs.values() if s.params.get("tag") == tag and (label in (None, s.label))]
    if len(found) != 1:
        raise SignatureInvalid(
            f'Expected exactly one signature with tag="{tag}", found {len(found)}: sign the '
            f'request once with tag="{tag}" (see docs/exchange.md)',
            detail_th=f'ต้องมีลายมือชื่อที่มี tag="{tag}" หนึ่งรายการพอดี',
        )
    return found[0]


def check_params(
    sig: ParsedSignature, *, required: tuple[str, ...], now: dt.datetime, need_nonce: bool = True
) -> None:
    """Covered components, ``created`` inside the window, ``expires`` not passed, a nonce."""
    missing = [c for c in required if c not in sig.components]
    if missing:
        raise SignatureInvalid(
            f"Signature {sig.label} does not cover {', '.join(missing)}: cover "
            f"{' '.join(required)}",
            detail_th=f"ลายมือชื่อ {sig.label} ไม่ครอบคลุม {', '.join(missing)}",
        )
    created = sig.params.get("created")
    if not isinstance(created, int):
        raise SignatureInvalid(
            f"Signature {sig.label} has no created= time: add created=<unix seconds>",
            detail_th=f"ลายมือชื่อ {sig.label} ไม่มีเวลา created",
        )
    ts = now.timestamp()
    if abs(ts - created) > WINDOW.total_seconds():
        raise SignatureExpired(
            f"Signature {sig.label} was created {int(ts - created)} s from now; the window is "
            f"±{int(WINDOW.total_seconds())} s: sign each request when sending it, with a "
            "synchronised clock",
            detail_th="ลายมือชื่ออยู่นอกช่วงเวลาที่ยอมรับ: ลงนามทุกครั้งที่ส่ง และตั้งนาฬิกาให้ตรง",
        )
    expires = sig.params.get("expires")
    if isinstance(expires, int) and ts > expires:
        raise SignatureExpired(
            f"Signature {sig.label} expired at {expires}: sign the request again",
            detail_th="ลายมือชื่อหมดอายุแล้ว: ลงนามใหม่",
        )
    if need_nonce and not NONCE_RE.match(str(sig.params.get("nonce", ""))):
        raise SignatureInvalid(
            f"Signature {sig.label} needs a nonce= of 16-128 random URL-safe characters, "
            "new for every request",
            detail_th="ลายมือชื่อต้องมี nonce แบบสุ่มที่ไม่ซ้ำในทุกคำขอ",
        )
    if not sig.keyid:
        raise SignatureInvalid(
            f"Signature {sig.label} has no keyid=: name the registered key that signed it",
            detail_th="ลายมือชื่อไม่มี keyid",
        )


def split_path(path: str) -> tuple[str, str, str]:
    """``/x/v1/TH/GOV/DOPA/POPREG/population.id_card/x`` -> (provider, service, "/x")."""
    parts = path[len(PATH_PREFIX) :].split("/")
    if not path.startswith(PATH_PREFIX) or len(parts) < 5 or not all(parts[:5]):
        raise UnknownService(
            f"{path} is not an exchange address: call /x/v1/<member id>/<service>, e.g. "
            "/x/v1/TH/GOV/DOPA/POPREG/population.id_card",
            detail_th="ที่อยู่ของบริการไม่ถูกต้อง: ใช้ /x/v1/<รหัสสมาชิก>/<บริการ>",
        )
    rest = "/".join(parts[5:])
    return "/".join(parts[:4]), parts[4], (f"/{rest}" if rest else "")


def sign_response(
    status: int,
    headers: Mapping[str, str],
    *,
    key: Ed25519PrivateKey,
    kid: str,
    label: str,
    tag: str,
    components: Sequence[str],
) -> dict[str, str]:
    """``headers`` (lower-case names) with a signature of the response over ``components``
    added: how a provider signs its answers and the hub its own refusals."""
    out = dict(headers)
    signed = signing.sign(
        signing.HttpMessage.response(status, out.items()),
        key=key,
        label=label,
        components=components,
        params={"created": int(time.time()), "alg": "ed25519", "keyid": kid, "tag": tag},
    )
    out["signature-input"] = signed.input_member
    out["signature"] = signed.signature_member
    return out
