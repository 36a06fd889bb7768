"""First-stage signals that find candidate pairs without comparing all pairs.

- ``Vocabulary``/``tfidf_matrix``: sparse TF-IDF over content words (sublinear tf, smooth idf);
  words in most items (ministry boilerplate) weigh almost nothing.
- ``minhash_signatures``: MinHash over word 3-gram shingles, computed with numpy in one pass per
  item using datasketch's own permutation parameters, so the signatures load straight into
  ``datasketch.MinHashLSH`` (``lsh_candidates``) for near-duplicates and containment.
- ``lsa``/``knn``: a corpus-trained dense embedding (truncated SVD of TF-IDF) and its blockwise
  exact nearest neighbours, for paraphrases that share few exact shingles.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy import sparse

NUM_PERM = 64
SHINGLE = 3
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)


class TokenDocs(Protocol):
    """Anything sized that yields each document's tokens (a list, or a lazy view)."""

    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Sequence[str]]: ...


@dataclass
class Vocabulary:
    """Token ids and document frequencies; grows when new documents are added."""

    ids: dict[str, int] = field(default_factory=dict)
    df: list[int] = field(default_factory=list)
    n_docs: int = 0

    def count(self, docs: Iterable[Sequence[str]]) -> None:
        for tokens in docs:
            self.n_docs += 1
            for tok in set(tokens):
                i = self.ids.get(tok)
                if i is None:
                    self.ids[tok] = len(self.df)
                    self.df.append(1)
                else:
                    self.df[i] += 1

    def idf(self) -> npt.NDArray[np.float32]:
        df = np.asarray(self.df, dtype=np.float32)
        return (np.log((self.n_docs + 1) / (df + 1)) + 1).astype(np.float32)

    def unseen_idf(self) -> float:
        return math.log(self.n_docs + 1) + 1


def tfidf_matrix(
    docs: TokenDocs,
    vocab: Vocabulary,
    idf: npt.NDArray[np.float32],
    *,
    extra: dict[str, int] | None = None,
) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows; tokens unknown to ``vocab`` get columns in ``extra`` (if given)."""
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    n_known = len(vocab.df)
    unseen = vocab.unseen_idf()
    for tokens in docs:
        counts = Counter(tokens)
        row_idx: list[int] = []
        row_val: list[float] = []
        for tok, c in counts.items():
            i = vocab.ids.get(tok)
            if i is not None and i < len(idf):
                row_idx.append(i)
                row_val.append((1 + math.log(c)) * float(idf[i]))
            elif extra is not None:
                j = extra.setdefault(tok, n_known + len(extra))
                row_idx.append(j)
                row_val.append((1 + math.log(c)) * unseen)
        norm = math.sqrt(sum(v * v for v in row_val)) or 1.0
        indices.extend(row_idx)
        values.extend(v / norm for v in row_val)
        indptr.append(len(indices))
    width = n_known + (len(extra) if extra else 0)
    return sparse.csr_matrix(
        (np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int32), indptr),
        shape=(len(docs), max(width, 1)),
    )


def widen(m: sparse.csr_matrix, width: int) -> sparse.csr_matrix:
    if m.shape[1] >= width:
        return m
    return sparse.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], width))


def rowwise_cosine(
    a: sparse.csr_matrix, b: sparse.csr_matrix, ia: npt.NDArray[np.int64], ib: npt.NDArray[np.int64]
) -> npt.NDArray[np.float32]:
    """Cosine of row ``ia[k]`` of ``a`` with row ``ib[k]`` of ``b`` for every k (rows are unit)."""
    width = max(a.shape[1], b.shape[1])
    a, b = widen(a, width), widen(b, width)
    out = np.empty(len(ia), dtype=np.float32)
    step = 20000
    for s in range(0, len(ia), step):
        prod = a[ia[s : s + step]].multiply(b[ib[s : s + step]])
        out[s : s + step] = np.asarray(prod.sum(axis=1)).ravel()
    return np.clip(out, 0.0, 1.0)


# -- MinHash --------------------------------------------------------------------------------


class TokenHasher:
    """Stable 32-bit token hashes (crc32), cached: the same in every process and every run."""

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def __call__(self, tokens: Sequence[str]) -> npt.NDArray[np.uint64]:
        cache = self._cache
        out = np.empty(len(tokens), dtype=np.uint64)
        for k, tok in enumerate(tokens):
            h = cache.get(tok)
            if h is None:
                h = cache[tok] = zlib.crc32(tok.encode("utf-8"))
            out[k] = h
        return out


def _permutations(num_perm: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=1, scheme="legacy").permutations
    return np.asarray(a, dtype=np.uint64), np.asarray(b, dtype=np.uint64)


def shingles(hashes: npt.NDArray[np.uint64], k: int = SHINGLE) -> npt.NDArray[np.uint64]:
    """Distinct hashed word k-grams (unigrams for very short items)."""
    if len(hashes) < k:
        return np.unique(hashes)
    m = np.uint64(0xFFFFFFFF)
    h = hashes[: len(hashes) - k + 1].copy()
    for j in range(1, k):
        h = (h * np.uint64(0x9E3779B1) + hashes[j : len(hashes) - k + 1 + j]) & m
    return np.unique(h)


Permutations = tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]


class MinHasher:
    """MinHash signatures with datasketch's permutation parameters, asked of datasketch only
    when first needed and not given (importing it costs ~0.3 s: it pulls in scipy.integrate)."""

    def __init__(self, num_perm: int = NUM_PERM, params: Permutations | None = None) -> None:
        self.num_perm = num_perm
        self._params = params

    @property
    def params(self) -> Permutations:
        if self._params is None:
            self._params = _permutations(self.num_perm)
        return self._params

    def __setstate__(self, state: dict[str, object]) -> None:
        # analysers pickled by earlier versions kept the parameters as ``a`` and ``b``
        if "a" in state:
            state["_params"] = (state.pop("a"), state.pop("b"))
        self.__dict__.update(state)

    def signature(self, shingle_hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
        """datasketch's ``MinHash.update_batch`` formula, vectorised over all shingles at once."""
        a, b = self.params
        sig = np.full(self.num_perm, _MAX_HASH, dtype=np.uint64)
        step = 4096
        for s in range(0, len(shingle_hashes), step):
            hv = shingle_hashes[s : s + step, None]
            phv = ((hv * a + b) % _MERSENNE) & _MAX_HASH
            sig = np.minimum(sig, phv.min(axis=0))
        return sig


def lsh_index(signatures: npt.NDArray[np.uint64], keys: Sequence[int], threshold: float) -> object:
    from datasketch import LeanMinHash, MinHash, MinHashLSH

    num_perm = signatures.shape[1]
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    with lsh.insertion_session() as session:
        for key, sig in zip(keys, signatures, strict=True):
            m = MinHash(num_perm=num_perm, seed=1, hashvalues=sig, scheme="legacy")
            session.insert(key, LeanMinHash(m), check_duplication=False)
    return lsh


class BandIndex:
    """MinHash LSH answered from the signature matrix: the keys whose signature equals the
    query's in every position of at least one band. ``datasketch.MinHashLSH`` keys each band
    by the exact bytes of those positions, so the set of keys is the same as its ``query``
    gives (returned sorted); nothing is rebuilt or unpickled when the state is loaded. Keys
    are row numbers: the stored items', then the inserted ones' in order."""

    def __init__(self, signatures: npt.NDArray[np.uint64], bands: int, rows: int) -> None:
        self.bands, self.rows = bands, rows
        self._base = signatures
        self._added: list[npt.NDArray[np.uint64]] = []

    def __len__(self) -> int:
        return len(self._base) + len(self._added)

    def query(self, sig: npt.NDArray[np.uint64]) -> list[int]:
        width = self.bands * self.rows
        q = np.asarray(sig[:width]).reshape(self.bands, self.rows)
        hits: list[int] = []
        for offset, block in ((0, self._base), (len(self._base), self._added)):
            if len(block) == 0:
                continue
            m = np.asarray(block)[:, :width].reshape(len(block), self.bands, self.rows)
            found = np.flatnonzero((m == q).all(axis=2).any(axis=1))
            hits.extend(int(k) + offset for k in found)
        return hits

    def insert(self, key: int, sig: npt.NDArray[np.uint64]) -> None:
        if key != len(self):
            raise ValueError(f"BandIndex keys are row numbers: expected {len(self)}, got {key}")
        self._added.append(np.array(sig, dtype=np.uint64))


def lsh_insert(lsh: object, key: int, sig: npt.NDArray[np.uint64]) -> None:
    if isinstance(lsh, BandIndex):
        lsh.insert(key, sig)
        return
    from datasketch import LeanMinHash, MinHash

    m = MinHash(num_perm=len(sig), seed=1, hashvalues=sig, scheme="legacy")
    lsh.insert(key, LeanMinHash(m), check_duplication=False)  # type: ignore[attr-defined]


def lsh_query(lsh: object, sig: npt.NDArray[np.uint64]) -> list[int]:
    if isinstance(lsh, BandIndex):
        return lsh.query(sig)
    from datasketch import LeanMinHash, MinHash

    m = MinHash(num_perm=len(sig), seed=1, hashvalues=sig, scheme="legacy")
    return list(lsh.query(LeanMinHash(m)))  # type: ignore[attr-defined]


# -- dense neighbours -----------------------------------------------------------------------


def top_k(
    sims: npt.NDArray[np.float32], k: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Each row's ``k`` largest entries: ``(columns, values)``, largest first; where a row has
    fewer than ``k`` finite entries, the rest is column -1, value -inf."""
    m = sims.shape[0]
    idx = np.full((m, k), -1, dtype=np.int64)
    vals = np.full((m, k), -np.inf, dtype=np.float32)
    kk = min(k, sims.shape[1])
    if m == 0 or kk <= 0:
        return idx, vals
    rows = np.arange(m)
    top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
    got = sims[rows[:, None], top]
    order = np.argsort(-got, axis=1, kind="stable")
    top, got = np.take_along_axis(top, order, 1), np.take_along_axis(got, order, 1)
    top[~np.isfinite(got)] = -1
    idx[:, :kk], vals[:, :kk] = top, got
    return idx, vals


def knn_top(
    queries: npt.NDArray[np.float32],
    base: npt.NDArray[np.float32],
    k: int,
    *,
    self_offset: int | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Each query's ``k`` nearest base rows by cosine (rows are unit vectors), exactly, in
    blocks to bound memory: ``(indices, cosines)``, both ``(queries, k)``, nearest first.
    ``self_offset``: query row ``r`` is base row ``self_offset + r`` and is never its own
    neighbour. Where a query has fewer than ``k`` others, the rest is index -1, cosine -inf."""
    m = len(queries)
    idx = np.full((m, k), -1, dtype=np.int64)
    vals = np.full((m, k), -np.inf, dtype=np.float32)
    if len(base) == 0 or m == 0 or k <= 0:
        return idx, vals
    block = max(1, 2_000_000 // max(1, len(base)))
    for s in range(0, m, block):
        sims = np.asarray(queries[s : s + block] @ base.T, dtype=np.float32)
        rows = np.arange(sims.shape[0])
        if self_offset is not None:
            sims[rows, self_offset + s + rows] = -np.inf
        idx[s : s + len(rows)], vals[s : s + len(rows)] = top_k(sims, k)
    return idx, vals
