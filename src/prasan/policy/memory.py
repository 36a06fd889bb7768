"""The readers' decisions on similar pairs: a memory of labelled pairs that corpus pairs read.

Most of the corpus models' remaining errors are kinds of pair the readers decide by a rule the
other features cannot read (two meetings of one committee with other agendas are ``related``;
one minister's visits to two sites of one drive are ``duplicate``), and the labelled set holds
many pairs of the same kinds. The corpus models therefore read one more feature, ``memory``:
for a pair (a, b), a labelled pair (a', b') is as near as the lesser of its two sides' TF-IDF
cosines, the sides matched the better way round (``nearness``); the feature is the mean
redundancy of the ``K`` nearest labelled pairs, each weighted by how far its nearness exceeds
``FLOOR``, and the memory's base rate where none does (``feature``).

The memory is the dev split of the labelled set, shipped as each side's content words
(``data/relate_memory.npz``, written by ``benchmarks/policy_calibrate.py --data-dir``) so
that any corpus featurises it in its own vocabulary (``Memory.matrix``). Measured with each
cross-validation fold's memory holding only its training pairs (``benchmarks/
policy_memory_study.py``, ``policy_calibrate.py``): see docs/policy.md. A pair of the labelled
set itself meets its own reading in the memory (nearness 1): a corpus run returns the readers'
decision on the pairs they read, which is what it should do.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from prasan.policy import candidates as cand

FEATURE = "memory"
FILE = "data/relate_memory.npz"
K = 5  # the nearest labelled pairs read (5 and 20 measured alike; 5 is cheaper)
FLOOR = 0.3  # nearness under which a labelled pair says nothing (0.2 and 0.4 gained less)

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Memory:
    """Labelled pairs: their sides' content words, one CSR-shaped row of (word, count) per side
    (``words``, ``ptr``, ``word``, ``count``), and per pair its two sides' rows and whether the
    readers called it redundant (``a``, ``b``, ``y``)."""

    words: list[str]
    ptr: npt.NDArray[np.int64]
    word: npt.NDArray[np.int32]
    count: npt.NDArray[np.int32]
    a: npt.NDArray[np.int64]
    b: npt.NDArray[np.int64]
    y: Floats
    devset_sha256: str = ""

    @property
    def prior(self) -> float:
        """The memory's base rate: the feature of a pair no labelled pair is near."""
        return float(self.y.mean()) if len(self.y) else 0.0

    @property
    def sides(self) -> list[dict[str, int]]:
        """Each side's words and their counts."""
        return [
            {self.words[w]: int(c) for w, c in zip(self.word[s:e], self.count[s:e], strict=True)}
            for s, e in zip(self.ptr[:-1], self.ptr[1:], strict=True)
        ]

    def matrix(self, vocab: cand.Vocabulary, idf: npt.NDArray[np.float32]) -> sparse.csr_matrix:
        """The sides' unit TF-IDF rows in a corpus's vocabulary, as wide as it is, exactly as
        ``candidates.tfidf_matrix`` would give them: words the corpus never saw weigh in each
        row's norm, as they do in its own items' rows, but match nothing. Vectorised: a
        fresh ``add`` builds it in milliseconds."""
        width = len(vocab.df)
        cols = np.fromiter((vocab.ids.get(w, -1) for w in self.words), np.int64, len(self.words))
        cols = np.where(cols < len(idf), cols, -1)[self.word]
        known = cols >= 0
        weight = np.where(known, np.asarray(idf, np.float64)[np.maximum(cols, 0)], 0.0)
        weight[~known] = vocab.unseen_idf()
        values = (1.0 + np.log(self.count.astype(np.float64))) * weight
        rows = np.repeat(np.arange(len(self.ptr) - 1), np.diff(self.ptr))
        norm = np.sqrt(np.bincount(rows, values * values, minlength=len(self.ptr) - 1))
        values /= np.where(norm > 0, norm, 1.0)[rows]
        return sparse.csr_matrix(
            (values[known].astype(np.float32), (rows[known], cols[known])),
            shape=(len(self.ptr) - 1, max(width, 1)),
        )

    @classmethod
    def of_pairs(
        cls, tokens: Sequence[Sequence[str]], redundant: Sequence[bool], devset_sha256: str = ""
    ) -> Memory:
        """A memory of pairs whose sides' content tokens are ``tokens`` (pair k: 2k, 2k+1);
        sides with the same words are stored once."""
        words: dict[str, int] = {}
        seen: dict[tuple[tuple[int, int], ...], int] = {}
        ptr: list[int] = [0]
        word: list[int] = []
        count: list[int] = []
        idx: list[int] = []
        for toks in tokens:
            counts: dict[int, int] = {}
            for t in toks:
                w = words.setdefault(t, len(words))
                counts[w] = counts.get(w, 0) + 1
            key = tuple(sorted(counts.items()))
            if key not in seen:
                seen[key] = len(ptr) - 1
                word.extend(w for w, _ in key)
                count.extend(c for _, c in key)
                ptr.append(len(word))
            idx.append(seen[key])
        n = len(redundant)
        return cls(
            words=list(words),
            ptr=np.asarray(ptr, dtype=np.int64),
            word=np.asarray(word, dtype=np.int32),
            count=np.asarray(count, dtype=np.int32),
            a=np.asarray(idx[0 : 2 * n : 2], dtype=np.int64),
            b=np.asarray(idx[1 : 2 * n : 2], dtype=np.int64),
            y=np.asarray(redundant, dtype=np.float64),
            devset_sha256=devset_sha256,
        )

    def save(self, path: Path) -> None:
        """As a compressed ``.npz`` of plain arrays (no pickle)."""
        with path.open("wb") as fh:
            np.savez_compressed(
                fh,
                words=np.frombuffer("\n".join(self.words).encode("utf-8"), dtype=np.uint8),
                ptr=self.ptr,
                word=self.word,
                count=self.count,
                pairs=np.column_stack([self.a, self.b, self.y.astype(np.int64)]),
                devset_sha256=np.frombuffer(self.devset_sha256.encode("ascii"), dtype=np.uint8),
            )

    @classmethod
    def load(cls, source: Any) -> Memory:
        """What ``save`` wrote (a path or a binary file)."""
        with np.load(source, allow_pickle=False) as z:
            text = z["words"].tobytes().decode("utf-8")
            pairs = z["pairs"].reshape(-1, 3)
            return cls(
                words=text.split("\n") if text else [],
                ptr=z["ptr"].astype(np.int64),
                word=z["word"].astype(np.int32),
                count=z["count"].astype(np.int32),
                a=pairs[:, 0].astype(np.int64),
                b=pairs[:, 1].astype(np.int64),
                y=pairs[:, 2].astype(np.float64),
                devset_sha256=z["devset_sha256"].tobytes().decode("ascii"),
            )


@lru_cache(maxsize=1)
def shipped() -> Memory | None:
    """The memory the corpus models were fitted with, if the data file exists."""
    path = resources.files("prasan.policy").joinpath(FILE)
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return Memory.load(io.BytesIO(fh.read()))


def side_nearness(
    ca: npt.NDArray[np.floating[Any]],
    cb: npt.NDArray[np.floating[Any]],
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
) -> npt.NDArray[np.float32]:
    """``(q, m)``: how near each query pair is to each memory pair, from its two sides'
    cosines with every memory side (``ca``, ``cb``: ``(q, sides)``) and the memory pairs'
    sides (``a``, ``b``): the lesser of the two sides' cosines, the sides matched the better
    way round. The one definition of nearness."""
    out: npt.NDArray[np.float32] = np.maximum(
        np.minimum(ca[:, a], cb[:, b]), np.minimum(ca[:, b], cb[:, a])
    ).astype(np.float32, copy=False)
    return out


def nearness(
    qa: sparse.csr_matrix, qb: sparse.csr_matrix, ma: sparse.csr_matrix, mb: sparse.csr_matrix
) -> npt.NDArray[np.float32]:
    """``(q, m)``: ``side_nearness`` of each query pair (sides: rows of ``qa``, ``qb``) to each
    memory pair (rows of ``ma``, ``mb``), all unit TF-IDF rows of one width."""
    m_t = sparse.csr_matrix(sparse.vstack([ma, mb]).T)
    ca = np.asarray((qa @ m_t).toarray(), dtype=np.float32)
    cb = np.asarray((qb @ m_t).toarray(), dtype=np.float32)
    n = ma.shape[0]
    return side_nearness(ca, cb, np.arange(n), np.arange(n, 2 * n))


def feature(
    s: npt.NDArray[np.floating[Any]],
    y: Floats,
    k: int = K,
    floor: float = FLOOR,
    prior: float = 0.0,
) -> Floats:
    """For each row of ``s`` (a pair's nearness to each memory pair, whose redundancy is
    ``y``): the mean of ``y`` over its ``k`` nearest, weighted by their nearness above
    ``floor``; ``prior`` where no memory pair is nearer than ``floor``."""
    k = min(k, s.shape[1])
    if k == 0:
        return np.full(s.shape[0], prior)
    top = np.argpartition(-s, k - 1, axis=1)[:, :k]
    w = np.clip(np.take_along_axis(s, top, axis=1).astype(np.float64) - floor, 0.0, None)
    total = w.sum(axis=1)
    mean = (w * y[top]).sum(axis=1) / np.maximum(total, 1e-12)
    out: Floats = np.where(total > 0, mean, prior)
    return out


def pair_features(
    x: sparse.csr_matrix,
    pairs: npt.NDArray[np.int64],
    mem: Memory,
    m: sparse.csr_matrix,
    *,
    k: int = K,
    floor: float = FLOOR,
    block: int = 2000,
) -> Floats:
    """The ``memory`` feature of each pair of rows of ``x`` (``pairs``, ``(p, 2)``), the
    memory's sides being the rows of ``m`` (``Memory.matrix`` in ``x``'s vocabulary).

    Each item the pairs name is compared with the memory's sides once (a block of items at a
    time), keeping only cosines above ``floor``: a labelled pair is no nearer than its farther
    side, so a side at or under the floor can only make it a pair that says nothing, and the
    result is exactly ``feature(nearness(...))``. Then a block of pairs at a time, their
    nearness to every memory pair from those cosines."""
    out = np.full(len(pairs), mem.prior)
    if len(mem.y) == 0 or len(pairs) == 0:
        return out
    width = max(x.shape[1], m.shape[1])
    x, m = cand.widen(x, width), cand.widen(m, width)
    rows, inv = np.unique(pairs, return_inverse=True)
    inv = inv.reshape(pairs.shape)
    m_t = sparse.csr_matrix(m.T)
    parts = []
    for s in range(0, len(rows), block):
        c = np.asarray((x[rows[s : s + block]] @ m_t).toarray(), dtype=np.float32)
        c[c <= floor] = 0.0
        parts.append(sparse.csr_matrix(c))
    cos = sparse.vstack(parts).tocsr()
    for s in range(0, len(pairs), block):
        ca, cb = cos[inv[s : s + block, 0]].toarray(), cos[inv[s : s + block, 1]].toarray()
        near = side_nearness(ca, cb, mem.a, mem.b)
        hit = np.flatnonzero(near.max(axis=1) > floor)  # the rest: the prior
        out[s + hit] = feature(near[hit], mem.y, k, floor, mem.prior)
    return out
