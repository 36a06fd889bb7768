"""The transparency log: an append-only RFC 6962 / RFC 9162 Merkle tree of every exchange call.

Leaves are ``SHA-256(0x00 || canonical-entry-JSON)``, nodes ``SHA-256(0x01 || left || right)``.
The log's head row keeps the size and the *frontier* (the roots of the perfect subtrees that make
up the tree, left to right), so an append costs O(log n) hashes and one row update inside the
caller's transaction: the entry is durable exactly when the call's transaction commits, and the
call is answered only after that. Signed tree heads (STHs) are signed over the frontier's root
every ``STH_EVERY`` entries, at least every ``STH_MAX_AGE_S`` seconds while calls arrive, and on demand; proofs are computed from the stored leaf hashes.

An STH is the signature (hub key, Ed25519) over the ASCII text
``prasan-log-sth/v1\\n<size>\\n<root hex>\\n<timestamp ms>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from prasan.core.errors import NotFound
from prasan.exchange.models import LogEntry, LogHead, TreeHead
from prasan.exchange.signing import b64

STH_EVERY = 64
# ...and at least this often while calls come in, so a quiet log's tail is not left unsigned.
STH_MAX_AGE_S = 10.0
# Serialises appends within one process; across processes the head row's lock does it.
_append_lock = threading.Lock()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def canonical(obj: dict[str, Any]) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


# ---------------------------------------------------------------- Merkle math (RFC 9162 §2.1)

EMPTY_ROOT = hashlib.sha256(b"").digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) computed bottom-up in O(n)."""
    if not leaves:
        return EMPTY_ROOT
    frontier: list[tuple[int, bytes]] = []
    for leaf in leaves:
        frontier = _push(frontier, leaf)
    return _fold(frontier)


def _push(frontier: list[tuple[int, bytes]], leaf: bytes) -> list[tuple[int, bytes]]:
    out = [*frontier, (1, leaf)]
    while len(out) >= 2 and out[-1][0] == out[-2][0]:
        (size, left), (_, right) = out[-2], out[-1]
        out[-2:] = [(size * 2, node_hash(left, right))]
    return out


def _fold(frontier: Sequence[tuple[int, bytes]]) -> bytes:
    if not frontier:
        return EMPTY_ROOT
    acc = frontier[-1][1]
    for _, h in reversed(frontier[:-1]):
        acc = node_hash(h, acc)
    return acc


def _sizes(n: int) -> list[int]:
    return [1 << b for b in range(n.bit_length() - 1, -1, -1) if n >> b & 1]


def frontier_decode(size: int, text: str) -> list[tuple[int, bytes]]:
    hashes = [bytes.fromhex(h) for h in text.split(",") if h]
    return list(zip(_sizes(size), hashes, strict=True))


def frontier_encode(frontier: Sequence[tuple[int, bytes]]) -> str:
    return ",".join(h.hex() for _, h in frontier)


def inclusion_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 §2.1.1."""
    n = len(leaves)
    if n <= 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_path(index, leaves[:k]), root_of(leaves[k:])]
    return [*inclusion_path(index - k, leaves[k:]), root_of(leaves[:k])]


def consistency_path(m: int, leaves: Sequence[bytes], complete: bool = True) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 6962 §2.1.2."""
    n = len(leaves)
    if m == n:
        return [] if complete else [root_of(leaves)]
    k = _split(n)
    if m <= k:
        return [*consistency_path(m, leaves[:k], complete), root_of(leaves[k:])]
    return [*consistency_path(m - k, leaves[k:], False), root_of(leaves[:k])]


class Tree:
    """The hashes of every complete aligned subtree over a list of leaves, built once in O(n),
    so each root, inclusion proof or consistency proof after that costs O(log^2 n) hashes.
    (``inclusion_path``/``consistency_path`` above are the RFC's definitions, kept as the
    reference the tests compare against.)"""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.size = len(leaves)
        self.levels: list[list[bytes]] = [list(leaves)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append(
                [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )

    def _range(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and lo % n == 0:
            return self.levels[n.bit_length() - 1][lo // n]
        k = _split(n)
        return node_hash(self._range(lo, lo + k), self._range(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        return self._range(0, self.size if size is None else size)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        out: list[bytes] = []
        lo, hi = 0, size
        while hi - lo > 1:
            k = _split(hi - lo)
            if index < lo + k:
                out.append(self._range(lo + k, hi))
                hi = lo + k
            else:
                out.append(self._range(lo, lo + k))
                lo = lo + k
        return out[::-1]

    def consistency(self, m: int, size: int) -> list[bytes]:
        if m == 0 or m == size:
            return []
        out: list[bytes] = []
        lo, hi, complete = 0, size, True
        while True:
            if m == hi - lo:
                if not complete:
                    out.append(self._range(lo, hi))
                break
            k = _split(hi - lo)
            if m <= k:
                out.append(self._range(lo + k, hi))
                hi = lo + k
            else:
                out.append(self._range(lo, lo + k))
                m -= k
                lo, complete = lo + k, False
        return out[::-1]


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2 (a tree of size 0 is consistent with every tree)."""
    if first == 0:
        return not proof
    if first > second:
        return False
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:
        path = [first_root, *path]
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


# ---------------------------------------------------------------- signed tree heads


def sth_message(size: int, root: bytes, timestamp_ms: int) -> bytes:
    return f"prasan-log-sth/v1\n{size}\n{root.hex()}\n{timestamp_ms}".encode()


def verify_sth(sth: TreeHead | dict[str, Any], key: Ed25519PublicKey) -> bool:
    if isinstance(sth, TreeHead):
        size, root, ts, sig = sth.size, sth.root, sth.timestamp_ms, sth.signature
    else:
        size, root, ts, sig = sth["size"], sth["root"], sth["timestamp_ms"], sth["signature"]
    import base64

    try:
        key.verify(base64.b64decode(sig), sth_message(size, bytes.fromhex(root), ts))
    except (InvalidSignature, ValueError):
        return False
    return True


def _head(session: Session, *, lock: bool) -> LogHead:
    if lock:
        # The UPDATE takes the row's write lock first (PostgreSQL row lock; SQLite write lock),
        # so concurrent appenders queue here instead of failing on a stale read.
        session.execute(update(LogHead).where(LogHead.id == 1).values(size=LogHead.size))
    head = session.get(LogHead, 1, populate_existing=True)
    if head is None:
        head = LogHead(id=1, size=0, frontier="")
        session.add(head)
        session.flush()
    return head


def _sign(
    session: Session, size: int, frontier: Sequence[tuple[int, bytes]], kid: str,
    key: Ed25519PrivateKey,
) -> TreeHead:  # fmt: skip
    root = _fold(frontier)
    ts = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    sth = TreeHead(
        size=size,
        root=root.hex(),
        timestamp_ms=ts,
        kid=kid,
        signature=b64(key.sign(sth_message(size, root, ts))),
    )
    session.merge(sth)
    return sth


def _sign_head(session: Session, head: LogHead, kid: str, key: Ed25519PrivateKey) -> TreeHead:
    return _sign(session, head.size, frontier_decode(head.size, head.frontier), kid, key)


@dataclass(frozen=True)
class Appended:
    index: int
    leaf_hash: bytes
    size: int


_LOCK_HEAD = update(LogHead).where(LogHead.id == 1).values(size=LogHead.size)
_READ_HEAD = select(LogHead.size, LogHead.frontier).where(LogHead.id == 1)
_CAS_HEAD = (
    update(LogHead)
    .where(
        LogHead.id == 1,
        LogHead.size == bindparam("old_size"),
        LogHead.frontier == bindparam("old_frontier"),
    )
    .values(size=bindparam("new_size"), frontier=bindparam("new_frontier"))
)
_INSERT_ENTRY = insert(LogEntry)

# When this process last signed a tree head, per database (monotonic seconds).
_last_signed: dict[str, float] = {}
# The head as this process last wrote it, per database: (size, frontier, frontier text).
_head_cache: dict[str, tuple[int, list[tuple[int, bytes]], str]] = {}


def append(
    session: Session,
    *,
    entry: dict[str, Any],
    columns: dict[str, Any],
    sth_key: tuple[str, Ed25519PrivateKey],
) -> Appended:
    """Add one entry in the caller's transaction (the caller commits, then answers).

    Two statements on the usual path: a compare-and-set of the head row (size and frontier as
    this process last saw them), which also takes the row's lock, and the insert. When another
    process appended meanwhile, or a transaction rolled back, the compare fails and the head is
    read again under the lock; the frontier in the condition makes the check exact.
    """
    body = canonical(entry)
    lh = leaf_hash(body.encode())
    conn = session.connection()
    db_key = str(conn.engine.url)
    cached = _head_cache.get(db_key)
    for _ in range(3):
        if cached is None:
            conn.execute(_LOCK_HEAD)
            size, text = conn.execute(_READ_HEAD).one()
            cached = (size, frontier_decode(size, text), text)
        index, frontier, text = cached
        new_frontier = _push(frontier, lh)
        new_text = frontier_encode(new_frontier)
        done = conn.execute(
            _CAS_HEAD, {"old_size": index, "old_frontier": text, "new_size": index + 1,
                        "new_frontier": new_text},
        )  # fmt: skip
        if done.rowcount == 1:
            break
        cached = None
    else:
        raise RuntimeError("the log head kept changing under this append; try again")
    conn.execute(_INSERT_ENTRY, {"idx": index, "body": body, "leaf_hash": lh.hex(), **columns})
    _head_cache[db_key] = (index + 1, new_frontier, new_text)
    now = time.monotonic()
    if (index + 1) % STH_EVERY == 0 or now - _last_signed.get(db_key, 0.0) >= STH_MAX_AGE_S:
        _sign(session, index + 1, new_frontier, *sth_key)
        _last_signed[db_key] = now
    return Appended(index=index, leaf_hash=lh, size=index + 1)


def append_lock() -> threading.Lock:
    return _append_lock


def current_root(session: Session) -> tuple[int, bytes]:
    head = _head(session, lock=False)
    return head.size, _fold(frontier_decode(head.size, head.frontier))


def sign_now(session: Session, *, sth_key: tuple[str, Ed25519PrivateKey]) -> TreeHead:
    """An STH over the log as it is now (reusing the latest one if nothing was added)."""
    head = _head(session, lock=True)
    existing = session.get(TreeHead, head.size)
    if existing is not None:
        return existing
    sth = _sign_head(session, head, *sth_key)
    session.flush()
    return sth


def sth_covering(
    session: Session, *, index: int, sth_key: tuple[str, Ed25519PrivateKey]
) -> TreeHead:
    """The smallest STH that includes entry ``index``, signing one if none does yet."""
    sth = session.scalar(
        select(TreeHead).where(TreeHead.size > index).order_by(TreeHead.size).limit(1)
    )
    return sth if sth is not None else sign_now(session, sth_key=sth_key)


def leaves(session: Session, size: int) -> list[bytes]:
    rows = session.scalars(
        select(LogEntry.leaf_hash).where(LogEntry.idx < size).order_by(LogEntry.idx)
    ).all()
    if len(rows) != size:
        raise NotFound(
            f"The log holds {len(rows)} of the {size} entries this tree head covers: the log "
            "is damaged; run `prasan exchange verify`",
            detail_th="บันทึกธุรกรรมไม่ครบตามที่ลงนามไว้: ตรวจสอบด้วยคำสั่ง prasan exchange verify",
        )
    return [bytes.fromhex(h) for h in rows]


def tree(session: Session, size: int) -> Tree:
    """The tree over the first ``size`` entries (one read of their leaf hashes)."""
    return Tree(leaves(session, size))


def inclusion_proof(session: Session, *, index: int, size: int) -> list[bytes]:
    return tree(session, size).inclusion(index, size)


def consistency_proof(session: Session, *, first: int, second: int) -> list[bytes]:
    if first == 0 or first == second:
        return []
    return tree(session, second).consistency(first, second)


def sth_dict(sth: TreeHead) -> dict[str, Any]:
    return {
        "size": sth.size,
        "root": sth.root,
        "timestamp_ms": sth.timestamp_ms,
        "kid": sth.kid,
        "signature": sth.signature,
    }


# ---------------------------------------------------------------- end-to-end verification


@dataclass
class VerifyReport:
    entries: int = 0
    tree_heads: int = 0
    unsigned_tail: int = 0
    problems: list[str] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_log(session: Session, *, keys: dict[str, Ed25519PublicKey]) -> VerifyReport:
    """Recompute every leaf, the running root and every STH; report what does not hold.

    A changed entry changes its leaf (or, if the stored leaf hash was changed too, every root
    that covers it); a removed entry leaves a gap or shifts every later leaf; a reordered pair
    changes the roots. Entries after the newest STH are listed as not yet signed.
    """
    problems: list[str] = []
    report = VerifyReport(problems=problems)
    heads = {h.size: h for h in session.scalars(select(TreeHead).order_by(TreeHead.size))}
    report.tree_heads = len(heads)
    for size, sth in heads.items():
        key = keys.get(sth.kid)
        if key is None:
            problems.append(f"tree head at size {size} is signed by unknown key {sth.kid}")
        elif not verify_sth(sth, key):
            problems.append(f"tree head at size {size} has an invalid signature")
    frontier: list[tuple[int, bytes]] = []
    expected = 0
    head = session.get(LogHead, 1)
    for row in session.execute(
        select(LogEntry.idx, LogEntry.body, LogEntry.leaf_hash).order_by(LogEntry.idx)
    ).yield_per(2000):
        idx, body, stored = row
        if idx != expected:
            problems.append(f"entry {expected} is missing (next entry found is {idx})")
            expected = idx
        computed = leaf_hash(body.encode())
        if computed.hex() != stored:
            problems.append(f"entry {idx} was changed: its content no longer matches its hash")
        frontier = _push(frontier, computed)
        expected += 1
        covering = heads.get(expected)
        if covering is not None and _fold(frontier).hex() != covering.root:
            problems.append(
                f"the first {expected} entries do not match the signed tree head of that size "
                "(an entry was changed, removed, added or reordered)"
            )
    report.entries = expected
    if head is not None and head.size != expected:
        problems.append(f"the log head says {head.size} entries but {expected} were found")
    for size in heads:
        if size > expected:
            problems.append(f"a signed tree head covers {size} entries but only {expected} exist")
    signed = max(heads, default=0)
    report.unsigned_tail = max(expected - signed, 0)
    return report
