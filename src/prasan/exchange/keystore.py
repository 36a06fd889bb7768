"""Private keys on disk (under ``settings.key_dir / "exchange"``) and key ids.

A key id is ``<member-id>#<fingerprint>``, the fingerprint being the first 16 characters of the
base64url SHA-256 of the raw public key, so anyone holding the public key can recompute it.
The hub's own key signs forwarded requests, tree heads and consent receipts; it is created on
first use in demo mode and must be provided by the operator in production.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from prasan.core.errors import ConfigurationError
from prasan.core.settings import Settings
from prasan.exchange.signing import load_private_key, public_raw, save_private_key

HUB_MEMBER_ID = "TH/GOV/DGA/HUB"


def fingerprint(key: Ed25519PublicKey) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(public_raw(key)).digest()).decode()[:16]


def make_kid(member_id: str, key: Ed25519PublicKey) -> str:
    return f"{member_id}#{fingerprint(key)}"


def key_dir(settings: Settings) -> Path:
    return settings.key_dir / "exchange"


def key_path(settings: Settings, kid: str) -> Path:
    """Where a member's private key lives in the demo (one file per key id)."""
    safe = kid.replace("/", "_").replace("#", "__")
    return key_dir(settings) / f"{safe}.pem"


_hub_lock = threading.Lock()
_hub_cache: dict[Path, tuple[str, Ed25519PrivateKey]] = {}


def hub_key(settings: Settings) -> tuple[str, Ed25519PrivateKey]:
    """The hub's (kid, private key), created in demo mode on first use."""
    path = key_dir(settings) / "hub.pem"
    with _hub_lock:
        if path in _hub_cache:
            return _hub_cache[path]
        if not path.exists():
            if settings.mode == "production":
                raise ConfigurationError(
                    f"The exchange hub has no signing key at {path}: create one with "
                    "`prasan exchange hub-key` and keep it readable by the hub only",
                    detail_th=f"ศูนย์แลกเปลี่ยนข้อมูลไม่มีกุญแจลงนามที่ {path}",
                )
            save_private_key(Ed25519PrivateKey.generate(), path)
        key = load_private_key(path)
        entry = (make_kid(HUB_MEMBER_ID, key.public_key()), key)
        _hub_cache[path] = entry
        return entry
