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

An item's 3 nearest items (by TF-IDF, and by LSA) also make its *neighbourhood vector*, the
normalised mean of theirs, and a pair reads the cosine of its two neighbourhood vectors
(``NEIGHBOURHOOD``, ``neighbourhood_cosines``): two items in different words about one
subject sit among the same kind of items. Measured on the labelled set (session 10): +0.014
redundancy F1 in cross-validation over the same folds (10 of 10 repeats positive).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

NEAR = 0.5
# per item: TF-IDF top-5 mean, top-20 mean, count within NEAR; the same three by LSA
STATS = ("x_top5", "x_top20", "x_near", "z_top5", "z_top20", "z_near")
FEATURES = (
    "x_margin", "z_margin", "x_dens5", "x_dens20", "z_dens5", "z_dens20", "x_near", "z_near",
)  # fmt: skip

# the cosines of the pair's two neighbourhood vectors (``neighbourhood_cosines``)
NEIGHBOURHOOD = ("x_nbhd", "z_nbhd")
NB = 3  # the nearest items whose mean is an item's neighbourhood vector

K = 20  # the nearest items each item keeps (``measure``), enough for the top-5 and top-20 means


def _top(sims: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float32]:
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
) -> tuple[npt.NDArray[np.floating[Any]], npt.NDArray[np.floating[Any]]]:
    """TF-IDF cosines (``x_prod``, the query rows' TF-IDF times the corpus rows') and LSA
    cosines of query rows with corpus rows, -inf where ``same`` (one document), in the
    inputs' precision (float32 for the analyser's matrices: widening 2 x 500 x 29,000 values
    per block to float64 cost more than the partitions, and changes no order or value)."""
    xs = x_prod.toarray()
    xs[same] = -np.inf
    zs = np.asarray(zq @ np.asarray(z_all).T)
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
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """``(STATS, nearest, nbrs)`` for each query row against the corpus rows (only the rows
    ``ref`` when given, see ``reference``), items of the same document left out (``doc_*``:
    each row's document, as any integer key). ``nearest`` is ``(rows, 2, K)``: the ``K``
    largest TF-IDF and LSA cosines, what ``grow`` needs to keep the statistics exact as the
    corpus grows; ``nbrs`` is ``(rows, 2, NB)``: the corpus rows of the ``NB`` nearest by each
    (-1 where there are fewer), the item's neighbourhood (``neighbourhood_cosines``). A block
    of queries costs one sparse product with the corpus TF-IDF and one dense product with its
    LSA vectors."""
    rows_of = np.arange(x_all.shape[0], dtype=np.int64) if ref is None else ref
    if ref is not None:
        x_all, z_all, doc_all = x_all[ref], np.asarray(z_all)[ref], doc_all[ref]
    out = np.zeros((xq.shape[0], len(STATS)), dtype=np.float32)
    nearest = np.full((xq.shape[0], 2, K), -np.inf, dtype=np.float32)
    nbrs = np.full((xq.shape[0], 2, NB), -1, dtype=np.int64)
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
            nearest[s:e, k], cols = _top_with_cols(sims)
            _means(nearest[s:e, k], out[s:e, 3 * k : 3 * k + 2])
            out[s:e, 3 * k + 2] = (sims >= NEAR).sum(axis=1)
            nbrs[s:e, k] = np.where(cols >= 0, rows_of[np.maximum(cols, 0)], -1)
    return out, nearest, nbrs


def _top_with_cols(
    sims: npt.NDArray[np.floating[Any]],
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """``_top(sims)``, and the columns of each row's ``NB`` largest positive entries, largest
    first (-1 where a row has fewer: an item sharing nothing with another is not its
    neighbour), from one partition of each row (the step's costliest operation after the
    products)."""
    n = sims.shape[1]
    top = np.full((sims.shape[0], K), -np.inf, dtype=np.float32)
    cols = np.full((sims.shape[0], NB), -1, dtype=np.int64)
    k = min(K, n)
    if k == 0:
        return top, cols
    part = np.argpartition(sims, n - k, axis=1)[:, n - k :]
    vals = np.take_along_axis(sims, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    part, vals = np.take_along_axis(part, order, 1), np.take_along_axis(vals, order, 1)
    top[:, :k] = vals
    nb = min(NB, k)
    keep = np.isfinite(vals[:, :nb]) & (vals[:, :nb] > 0)
    cols[:, :nb] = np.where(keep, part[:, :nb], -1)
    return top, cols


def grow(
    stats: npt.NDArray[np.float32],
    nearest: npt.NDArray[np.float32],
    nbrs: npt.NDArray[np.int64],
    x_old: sparse.csr_matrix,
    z_old: npt.NDArray[np.float32],
    doc_old: npt.NDArray[np.int64],
    xq: sparse.csr_matrix,
    zq: npt.NDArray[np.float32],
    doc_q: npt.NDArray[np.int64],
    block: int = 500,
) -> npt.NDArray[np.int64]:
    """New corpus rows (``xq``, ``zq``, ``doc_q``) join the neighbourhoods of the rows already
    measured (``stats``, ``nearest`` and ``nbrs`` of ``x_old``, ``z_old``, ``doc_old``), in
    place: the result is what ``measure`` would give over old and new rows together (the new
    rows numbered after the old), without measuring the old rows again (one product of the
    new rows with the old). Returns the old rows whose statistics changed: a new row among
    their ``K`` nearest or within ``NEAR``."""
    base = x_old.shape[0]
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
            # the old NB nearest are the first NB of ``nearest`` (a missing one is -inf there)
            cols = _top_with_cols(np.concatenate([both[:, :NB], sims[rows]], axis=1))[1]
            ids = np.concatenate(
                [nbrs[rows, k], np.broadcast_to(np.arange(base + s, base + e), (len(rows), e - s))],
                axis=1,
            )
            nbrs[rows, k] = np.where(cols >= 0, np.take_along_axis(ids, np.maximum(cols, 0), 1), -1)
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


def centroids(
    nbrs: npt.NDArray[np.int64], x_all: sparse.csr_matrix, z_all: npt.NDArray[np.float32]
) -> tuple[sparse.csr_matrix, npt.NDArray[np.float32]]:
    """The neighbourhood vectors of items whose nearest rows are ``nbrs`` (``(m, 2, NB)``, as
    ``measure`` gives): the normalised mean TF-IDF row of the ``NB`` nearest by TF-IDF, and
    the normalised mean LSA vector of the ``NB`` nearest by LSA (zero without neighbours)."""
    m = nbrs.shape[0]
    xi = nbrs[:, 0]
    valid = xi >= 0
    sel = sparse.csr_matrix(
        (np.ones(int(valid.sum()), dtype=np.float32), (np.nonzero(valid)[0], xi[valid])),
        shape=(m, x_all.shape[0]),
    )
    cx = sparse.csr_matrix(sel @ x_all, dtype=np.float32)
    norm = np.sqrt(np.asarray(cx.multiply(cx).sum(axis=1)).ravel())
    cx = sparse.csr_matrix(sparse.diags(1 / np.maximum(norm, 1e-12)) @ cx, dtype=np.float32)
    zi = nbrs[:, 1]
    zsum = (np.asarray(z_all)[np.maximum(zi, 0)] * (zi >= 0)[..., None]).sum(axis=1)
    zn = np.linalg.norm(zsum, axis=1, keepdims=True)
    return cx, (zsum / np.maximum(zn, 1e-12)).astype(np.float32)


def neighbourhood_cosines(
    nbrs: npt.NDArray[np.int64],
    pairs: npt.NDArray[np.int64],
    x_all: sparse.csr_matrix,
    z_all: npt.NDArray[np.float32],
    block: int = 20000,
) -> npt.NDArray[np.float32]:
    """``(len(pairs), 2)``: for each pair of rows of ``nbrs`` (``pairs``, ``(p, 2)``), the
    cosine of their neighbourhood vectors by TF-IDF and by LSA (``centroids``), the
    ``NEIGHBOURHOOD`` features. Only the rows the pairs name are built."""
    out = np.zeros((len(pairs), 2), dtype=np.float32)
    if len(pairs) == 0:
        return out
    rows, inv = np.unique(pairs, return_inverse=True)
    inv = inv.reshape(pairs.shape)
    cx, cz = centroids(nbrs[rows], x_all, z_all)
    for s in range(0, len(pairs), block):
        a, b = inv[s : s + block, 0], inv[s : s + block, 1]
        out[s : s + block, 0] = np.asarray(cx[a].multiply(cx[b]).sum(axis=1)).ravel()
        out[s : s + block, 1] = (cz[a] * cz[b]).sum(axis=1)
    return out


def neighbourhood_features(cos: npt.NDArray[np.float32]) -> dict[str, float]:
    """One row of ``neighbourhood_cosines`` as the model's features."""
    return {name: float(v) for name, v in zip(NEIGHBOURHOOD, cos, strict=True)}
