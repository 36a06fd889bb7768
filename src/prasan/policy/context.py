"""Where an item sits in its corpus, and what that says about a pair.

A recurring series (daily briefings, weekly enforcement results) has many near items in the
corpus; one programme retold has few. For each item: over the items of *other* documents, the
mean content TF-IDF cosine of its 5 and 20 nearest, how many lie within cosine 0.5, and the
same three by LSA. A pair then reads its margin over the two neighbourhoods (its own cosine
minus theirs) and how crowded they are (``pair_features``). Measured on the labelled set:
+0.029 redundancy F1 in cross-validation over the same folds, each model at its own threshold
(``benchmarks/policy_context_study.py``). Only a corpus has these numbers, so only batch
analysis and ``add`` use them (``add`` keeps the stored items' ones exact, ``grow``);
``compare`` does without.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import sparse

NEAR = 0.5
# per item: TF-IDF top-5 mean, top-20 mean, count within NEAR; the same three by LSA
STATS = ("x_top5", "x_top20", "x_near", "z_top5", "z_top20", "z_near")
FEATURES = (
    "x_margin", "z_margin", "x_dens5", "x_dens20", "z_dens5", "z_dens20", "x_near", "z_near",
)  # fmt: skip


K = 20  # the nearest items each item keeps (``measure``), enough for the top-5 and top-20 means


def _top(sims: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
    """Each row's ``K`` largest entries, in descending order (-inf where a row has fewer)."""
    n = sims.shape[1]
    out = np.full((sims.shape[0], K), -np.inf, dtype=np.float32)
    k = min(K, n)
    if k:
        out[:, :k] = -np.sort(-np.partition(sims, n - k, axis=1)[:, n - k :], axis=1)
    return out


def _means(top: npt.NDArray[np.float32], out: npt.NDArray[np.float32]) -> None:
    """The top-5 and top-20 means of each row of ``top`` into ``out[:, 0:2]`` (over the
    entries that exist: an item with 3 others to compare with averages those 3)."""
    valid = np.isfinite(top)
    top0 = np.where(valid, top, 0.0)
    n5, n20 = valid[:, :5].sum(axis=1), valid.sum(axis=1)
    out[:, 0] = top0[:, :5].sum(axis=1) / np.maximum(n5, 1)
    out[:, 1] = top0.sum(axis=1) / np.maximum(n20, 1)


def reference(n: int, cap: int, seed: int = 2561) -> npt.NDArray[np.int64] | None:
    """The items a corpus of ``n`` measures neighbourhoods against: all of them (None) up to
    ``cap``, else a fixed random sample of ``cap`` (sorted), so the step costs O(n * cap), not
    O(n^2). The thaigov corpus (29,206 items) stays under the default cap of 30,000; beyond
    it the counts and means are estimates from the sample, which the model was not fitted on."""
    if n <= cap:
        return None
    return np.sort(np.random.default_rng(seed).choice(n, cap, replace=False)).astype(np.int64)


def _sims(
    x_prod: sparse.spmatrix,
    zq: npt.NDArray[np.float32],
    z_all: npt.NDArray[np.float32],
    same: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """TF-IDF cosines (``x_prod``, the query rows' TF-IDF times the corpus rows') and LSA
    cosines of query rows with corpus rows, -inf where ``same`` (one document)."""
    xs = np.asarray(x_prod.todense(), dtype=np.float64)
    xs[same] = -np.inf
    zs = np.asarray(zq @ np.asarray(z_all).T, dtype=np.float64)
    zs[same] = -np.inf
    return xs, zs


def _align(xq: sparse.csr_matrix, width: int) -> sparse.csr_matrix:
    """``xq`` with ``width`` columns: words the corpus never saw have no counterpart there."""
    if xq.shape[1] == width:
        return xq
    xq = sparse.csr_matrix(xq)[:, : min(width, xq.shape[1])]
    return sparse.csr_matrix((xq.data, xq.indices, xq.indptr), shape=(xq.shape[0], width))


def measure(
    xq: sparse.csr_matrix,
    x_all: sparse.csr_matrix,
    zq: npt.NDArray[np.float32],
    z_all: npt.NDArray[np.float32],
    doc_q: npt.NDArray[np.int64],
    doc_all: npt.NDArray[np.int64],
    ref: npt.NDArray[np.int64] | None = None,
    block: int = 500,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """``(STATS, nearest)`` for each query row against the corpus rows (only the rows ``ref``
    when given, see ``reference``), items of the same document left out (``doc_*``: each
    row's document, as any integer key). ``nearest`` is ``(rows, 2, K)``: the ``K`` largest
    TF-IDF and LSA cosines, what ``grow`` needs to keep the statistics exact as the corpus
    grows. A block of queries costs one sparse product with the corpus TF-IDF and one dense
    product with its LSA vectors."""
    if ref is not None:
        x_all, z_all, doc_all = x_all[ref], np.asarray(z_all)[ref], doc_all[ref]
    out = np.zeros((xq.shape[0], len(STATS)), dtype=np.float32)
    nearest = np.full((xq.shape[0], 2, K), -np.inf, dtype=np.float32)
    xq = _align(xq, x_all.shape[1])
    # a whole corpus: transpose the corpus once; a few new items (``add``): transpose them
    # instead (transposing ~29,000 rows costs ~0.2 s, more than the rest of the step)
    x_all_t = sparse.csr_matrix(x_all.T) if xq.shape[0] > block else None
    for s in range(0, xq.shape[0], block):
        e = min(s + block, xq.shape[0])
        if x_all_t is not None:
            prod = xq[s:e] @ x_all_t
        else:
            prod = (x_all @ sparse.csr_matrix(xq[s:e].T)).T
        xs, zs = _sims(prod, zq[s:e], z_all, doc_q[s:e, None] == doc_all[None, :])
        for k, sims in enumerate((xs, zs)):
            nearest[s:e, k] = _top(sims)
            _means(nearest[s:e, k], out[s:e, 3 * k : 3 * k + 2])
            out[s:e, 3 * k + 2] = (sims >= NEAR).sum(axis=1)
    return out, nearest


def grow(
    stats: npt.NDArray[np.float32],
    nearest: npt.NDArray[np.float32],
    x_old: sparse.csr_matrix,
    z_old: npt.NDArray[np.float32],
    doc_old: npt.NDArray[np.int64],
    xq: sparse.csr_matrix,
    zq: npt.NDArray[np.float32],
    doc_q: npt.NDArray[np.int64],
    block: int = 500,
) -> npt.NDArray[np.int64]:
    """New corpus rows (``xq``, ``zq``, ``doc_q``) join the neighbourhoods of the rows already
    measured (``stats`` and ``nearest`` of ``x_old``, ``z_old``, ``doc_old``), in place: the
    result is what ``measure`` would give over old and new rows together, without measuring
    the old rows again (one product of the new rows with the old). Returns the old rows whose
    statistics changed: a new row among their ``K`` nearest or within ``NEAR``."""
    changed = np.zeros(stats.shape[0], dtype=bool)
    if xq.shape[0] == 0 or stats.shape[0] == 0:
        return np.flatnonzero(changed)
    x_new = _align(xq, x_old.shape[1])
    for s in range(0, xq.shape[0], block):
        e = min(s + block, xq.shape[0])
        same = doc_old[:, None] == doc_q[None, s:e]
        x_new_t = sparse.csr_matrix(x_new[s:e].T)
        xs, zs = _sims(x_old @ x_new_t, z_old, np.asarray(zq[s:e]), same)
        for k, sims in enumerate((xs, zs)):
            floor = nearest[:, k, -1].astype(np.float64)
            hit = ((sims > floor[:, None]) | (sims >= NEAR)).any(axis=1)
            rows = np.flatnonzero(hit)
            if len(rows) == 0:
                continue
            changed[rows] = True
            both = np.concatenate([nearest[rows, k].astype(np.float64), sims[rows]], axis=1)
            nearest[rows, k] = _top(both)
            sub = stats[rows]
            _means(nearest[rows, k], sub[:, 3 * k : 3 * k + 2])
            sub[:, 3 * k + 2] += (sims[rows] >= NEAR).sum(axis=1)
            stats[rows] = sub
    return np.flatnonzero(changed)


def pair_features(
    ca: npt.NDArray[np.float32], cb: npt.NDArray[np.float32], cosine: float, dense: float
) -> dict[str, float]:
    """The pair's margin over its two neighbourhoods, and how crowded they are."""
    x5, z5 = (float(ca[0]) + float(cb[0])) / 2, (float(ca[3]) + float(cb[3])) / 2
    return {
        "x_margin": cosine - x5,
        "z_margin": dense - z5,
        "x_dens5": x5,
        "x_dens20": (float(ca[1]) + float(cb[1])) / 2,
        "z_dens5": z5,
        "z_dens20": (float(ca[4]) + float(cb[4])) / 2,
        "x_near": math.log1p(min(float(ca[2]), float(cb[2]))) / 5,
        "z_near": math.log1p(min(float(ca[5]), float(cb[5]))) / 5,
    }
