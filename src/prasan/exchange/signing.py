"""RFC 9421 HTTP Message Signatures (Ed25519) and RFC 9530 ``Content-Digest``, written out in
full so the exact bytes signed are visible and another agency can reimplement them.

Only what the exchange needs is supported, and everything else is refused rather than guessed:
derived components ``@method``, ``@target-uri``, ``@authority``, ``@scheme``, ``@path``,
``@query``, ``@request-target`` and ``@status``; header fields by lower-case name (several
values joined by ``", "``); signature parameters ``created``, ``expires``, ``nonce``, ``alg``,
``keyid`` and ``tag``; algorithm ``ed25519`` only. ``tests/exchange/test_signing.py`` checks this
against the RFC's own example (appendix B.2.6) byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_sfv.dictionary import Dictionary
from http_sfv.item import InnerList

from prasan.exchange.errors import DigestMismatch, SignatureInvalid

DERIVED = frozenset(
    {
        "@method",
        "@target-uri",
        "@authority",
        "@scheme",
        "@path",
        "@query",
        "@request-target",
        "@status",
    }
)
PARAM_ORDER = ("created", "expires", "nonce", "alg", "keyid", "tag")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class HttpMessage:
    """What a signature can cover: a request (method + URL) or a response (status), and headers.

    ``headers`` keys are lower-case; a header sent several times is one comma-joined value.
    """

    headers: Mapping[str, str]
    method: str = ""
    url: str = ""
    status: int | None = None
    _parts: tuple[str, str, str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        u = urlsplit(self.url) if self.url else None
        parts = (
            (u.scheme.lower(), u.netloc.lower(), u.path or "/", u.query) if u else ("", "", "", "")
        )
        object.__setattr__(self, "_parts", parts)

    @classmethod
    def request(cls, method: str, url: str, headers: Iterable[tuple[str, str]]) -> HttpMessage:
        return cls(headers=fold_headers(headers), method=method.upper(), url=url)

    @classmethod
    def response(cls, status: int, headers: Iterable[tuple[str, str]]) -> HttpMessage:
        return cls(headers=fold_headers(headers), status=status)

    def component(self, name: str) -> str:
        scheme, authority, path, query = self._parts
        if name in DERIVED:
            if name == "@status":
                if self.status is None:
                    raise SignatureInvalid(
                        "@status is signed on a request: only responses have a status",
                        detail_th="ลงนาม @status ในคำขอไม่ได้: มีเฉพาะในคำตอบ",
                    )
                return str(self.status)
            if not self.method:
                raise SignatureInvalid(
                    f"{name} is signed on a response: request components need ;req, which this "
                    "exchange does not use",
                    detail_th=f"ลงนาม {name} ในคำตอบไม่ได้",
                )
            if name == "@method":
                return self.method
            if name == "@target-uri":
                return self.url
            if name == "@authority":
                return authority
            if name == "@scheme":
                return scheme
            if name == "@path":
                return path
            if name == "@query":
                return f"?{query}"
            return path + (f"?{query}" if query else "")  # @request-target
        if name.startswith("@"):
            raise SignatureInvalid(
                f"Unsupported derived component {name}: sign only {', '.join(sorted(DERIVED))}",
                detail_th=f"ไม่รองรับองค์ประกอบ {name}",
            )
        value = self.headers.get(name)
        if value is None:
            raise SignatureInvalid(
                f"The signed header {name!r} is missing from the message: send it, or do not "
                "list it in Signature-Input",
                detail_th=f"ไม่พบส่วนหัว {name!r} ที่ระบุว่าลงนามไว้: ส่งส่วนหัวนี้มาด้วย",
            )
        return value


def fold_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-case names; repeated fields joined by ", " with surrounding spaces removed (RFC 9421
    section 2.1)."""
    out: dict[str, list[str]] = {}
    for name, value in headers:
        out.setdefault(name.lower(), []).append(value.strip())
    return {k: ", ".join(v) for k, v in out.items()}


# ---------------------------------------------------------------- RFC 9530 Content-Digest


def content_digest(body: bytes) -> str:
    """``sha-256=:<base64>:`` for a body (the empty body has a digest too)."""
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


_DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


def check_content_digest(header: str | None, body: bytes) -> None:
    """Raise ``DigestMismatch`` unless a supported digest in ``header`` matches ``body``."""
    if not header:
        raise DigestMismatch(
            "The request has no Content-Digest header: send Content-Digest: sha-256=:<base64>: "
            "of the exact body (RFC 9530), and sign it",
            detail_th="คำขอไม่มีส่วนหัว Content-Digest: ส่งค่า sha-256 ของเนื้อหาคำขอและลงนามด้วย",
        )
    try:
        parsed = Dictionary()
        parsed.parse(header.encode())
    except ValueError as exc:
        raise DigestMismatch(
            f"Content-Digest {header!r} is not a structured dictionary: write sha-256=:<base64>:",
            detail_th="รูปแบบ Content-Digest ไม่ถูกต้อง: เขียนเป็น sha-256=:<base64>:",
        ) from exc
    usable = [(alg, item.value) for alg, item in parsed.items() if alg in _DIGESTS]
    if not usable:
        raise DigestMismatch(
            f"Content-Digest uses {', '.join(parsed.keys())}: use sha-256 or sha-512",
            detail_th="Content-Digest ใช้อัลกอริทึมที่ไม่รองรับ: ใช้ sha-256 หรือ sha-512",
        )
    for alg, value in usable:
        if not isinstance(value, bytes) or not hmac.compare_digest(
            value, _DIGESTS[alg](body).digest()
        ):
            raise DigestMismatch(
                "The body does not match its Content-Digest: it was altered on the way or the "
                "digest was computed over different bytes; compute it over the exact body sent",
                detail_th="เนื้อหาคำขอไม่ตรงกับ Content-Digest: ถูกแก้ไขระหว่างทาง หรือคำนวณจากข้อมูลคนละชุด",
            )


# ---------------------------------------------------------------- RFC 9421 signatures


def _sf_string(value: str) -> str:
    if not value.isascii() or _CONTROL.search(value):
        raise ValueError(f"{value!r} cannot be a structured-field string (ASCII only)")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def serialize_params(components: Sequence[str], params: Mapping[str, str | int]) -> str:
    """The ``@signature-params`` value, e.g. ``("@method" "@path");created=1;keyid="k"``."""
    if len(set(components)) != len(components):
        raise ValueError("a component may be covered only once")
    inner = "(" + " ".join(_sf_string(c) for c in components) + ")"
    out = [inner]
    for name in sorted(params, key=lambda n: PARAM_ORDER.index(n) if n in PARAM_ORDER else 99):
        value = params[name]
        out.append(f"{name}={value}" if isinstance(value, int) else f"{name}={_sf_string(value)}")
    return ";".join(out)


def signature_base(message: HttpMessage, components: Sequence[str], params_value: str) -> bytes:
    """The exact bytes that are signed (RFC 9421 section 2.5)."""
    lines = [f'"{name}": {message.component(name)}' for name in components]
    lines.append(f'"@signature-params": {params_value}')
    text = "\n".join(lines)
    if not text.isascii() or _CONTROL.search(text):
        raise SignatureInvalid(
            "A signed component holds non-ASCII or control characters: send such values "
            "percent-encoded",
            detail_th="ส่วนที่ลงนามมีอักขระที่ไม่ใช่ ASCII: เข้ารหัสแบบ percent-encoding ก่อนส่ง",
        )
    return text.encode("ascii")


@dataclass(frozen=True)
class Signed:
    """One signature as it goes on the wire: ``Signature-Input`` and ``Signature`` members."""

    label: str
    params_value: str
    signature: bytes
    base: bytes

    @property
    def input_member(self) -> str:
        return f"{self.label}={self.params_value}"

    @property
    def signature_member(self) -> str:
        return f"{self.label}=:{base64.b64encode(self.signature).decode()}:"


def sign(
    message: HttpMessage,
    *,
    key: Ed25519PrivateKey,
    label: str,
    components: Sequence[str],
    params: Mapping[str, str | int],
) -> Signed:
    value = serialize_params(components, params)
    base = signature_base(message, components, value)
    return Signed(label=label, params_value=value, signature=key.sign(base), base=base)


@dataclass(frozen=True)
class ParsedSignature:
    label: str
    components: tuple[str, ...]
    params: dict[str, str | int]
    params_value: str
    signature: bytes

    @property
    def keyid(self) -> str:
        return str(self.params.get("keyid", ""))


_KEY = r"[a-z*][a-z0-9_\-.*]*"
_INPUT_MEMBER = re.compile(
    rf'({_KEY})=(\((?:"[\x20-\x21\x23-\x27\x2a-\x5b\x5d-\x7e]*"'
    rf'(?: "[\x20-\x21\x23-\x27\x2a-\x5b\x5d-\x7e]*")*)?\)'
    rf'(?:;{_KEY}=(?:"[\x20-\x21\x23-\x5b\x5d-\x7e]*"|-?[0-9]{{1,15}}))*)(?:, *|$)'
)
_SIG_MEMBER = re.compile(rf"({_KEY})=:([A-Za-z0-9+/]*={{0,2}}):(?:, *|$)")
_QUOTED = re.compile(r'"([^"]*)"')
_PARAM = re.compile(rf';({_KEY})=(?:"([^"]*)"|(-?[0-9]+))')


def _parse_fast(signature_input: str, signature: str) -> dict[str, ParsedSignature] | None:
    """The canonical serialisation every conforming signer emits, read with three regular
    expressions; anything else (escapes, extra spaces, other types) goes to the full parser."""
    inputs: dict[str, tuple[str, str]] = {}
    pos = 0
    text = signature_input.strip()
    while pos < len(text):
        m = _INPUT_MEMBER.match(text, pos)
        if m is None:
            return None
        inputs[m.group(1)] = (m.group(2), m.group(2))
        pos = m.end()
    sigs: dict[str, bytes] = {}
    pos = 0
    text = signature.strip()
    while pos < len(text):
        m = _SIG_MEMBER.match(text, pos)
        if m is None:
            return None
        try:
            sigs[m.group(1)] = base64.b64decode(m.group(2), validate=True)
        except ValueError:
            return None
        pos = m.end()
    out: dict[str, ParsedSignature] = {}
    for label, (value, _) in inputs.items():
        if label not in sigs:
            continue
        inner, _, rest = value.partition(")")
        params: dict[str, str | int] = {}
        for name, quoted, number in _PARAM.findall(rest):
            params[name] = int(number) if number else quoted
        out[label] = ParsedSignature(
            label=label,
            components=tuple(_QUOTED.findall(inner + ")")),
            params=params,
            params_value=value,
            signature=sigs[label],
        )
    return out or None


def parse_signatures(
    signature_input: str | None, signature: str | None
) -> dict[str, ParsedSignature]:
    """Every labelled signature on a message, keyed by label."""
    if not signature_input or not signature:
        raise SignatureInvalid(
            "The message is not signed: send Signature-Input and Signature headers (RFC 9421)",
            detail_th="ข้อความไม่ได้ลงนาม: ส่งส่วนหัว Signature-Input และ Signature (RFC 9421)",
        )
    fast = _parse_fast(signature_input, signature)
    if fast is not None:
        return fast
    inputs, sigs = Dictionary(), Dictionary()
    try:
        inputs.parse(signature_input.encode())
        sigs.parse(signature.encode())
    except ValueError as exc:
        raise SignatureInvalid(
            "Signature-Input or Signature is not a valid structured-field dictionary: "
            "see RFC 9421 section 4",
            detail_th="รูปแบบ Signature-Input หรือ Signature ไม่ถูกต้อง: ดู RFC 9421 หัวข้อ 4",
        ) from exc
    out: dict[str, ParsedSignature] = {}
    for label, inner in inputs.items():
        item = sigs.get(label)
        if not isinstance(inner, InnerList) or item is None:
            continue
        if not isinstance(item.value, bytes):
            continue
        comps = []
        for c in inner:
            if not isinstance(c.value, str) or len(c.params):
                raise SignatureInvalid(
                    f"Signature {label} covers {c!s}: component parameters (;sf, ;key, ;req, "
                    ";bs) are not used by this exchange",
                    detail_th=f"ลายมือชื่อ {label} ใช้พารามิเตอร์ขององค์ประกอบที่ไม่รองรับ",
                )
            comps.append(c.value)
        params: dict[str, str | int] = {}
        for name, val in inner.params.items():
            if isinstance(val, bool) or not isinstance(val, int | str):
                raise SignatureInvalid(
                    f"Signature parameter {name} has an unsupported type",
                    detail_th=f"พารามิเตอร์ {name} ของลายมือชื่อมีชนิดข้อมูลที่ไม่รองรับ",
                )
            params[name] = val
        out[label] = ParsedSignature(
            label=label,
            components=tuple(comps),
            params=params,
            params_value=str(inner),
            signature=item.value,
        )
    if not out:
        raise SignatureInvalid(
            "No label appears in both Signature-Input and Signature: use the same label in both",
            detail_th="ไม่มีป้ายชื่อที่ตรงกันใน Signature-Input และ Signature",
        )
    return out


def verify(message: HttpMessage, parsed: ParsedSignature, key: Ed25519PublicKey) -> bytes:
    """Check one signature; returns the signature base that was verified."""
    alg = parsed.params.get("alg", "ed25519")
    if alg != "ed25519":
        raise SignatureInvalid(
            f"Signature {parsed.label} uses alg={alg}: this exchange accepts ed25519 only",
            detail_th=f"ลายมือชื่อ {parsed.label} ใช้อัลกอริทึม {alg}: รองรับเฉพาะ ed25519",
        )
    base = signature_base(message, parsed.components, parsed.params_value)
    try:
        key.verify(parsed.signature, base)
    except InvalidSignature as exc:
        raise SignatureInvalid(
            f"Signature {parsed.label} (key {parsed.keyid}) does not match the message: sign "
            "the exact method, path, query and headers sent, with the registered key",
            detail_th=f"ลายมือชื่อ {parsed.label} ไม่ตรงกับข้อความ: ลงนามด้วยกุญแจที่ลงทะเบียนไว้ "
            "และส่งข้อความตามที่ลงนามทุกประการ",
        ) from exc
    return base


# ---------------------------------------------------------------- keys


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@lru_cache(maxsize=4096)
def public_from_b64(value: str) -> Ed25519PublicKey:
    """Parsed once per key: the hot path verifies with the same few keys over and over."""
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(value))


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def save_private_key(key: Ed25519PrivateKey, path: Path) -> None:
    """Write a PKCS#8 PEM readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(private_pem(key))
    path.chmod(0o600)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()
