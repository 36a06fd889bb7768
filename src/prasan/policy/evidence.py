"""Evidence for a pair: the sentence pairs that make the case, found by sentence matching.

Each sentence becomes a TF-IDF vector with the corpus's idf; the best-matching sentence pairs
are picked greedily (each sentence used once), skipping corpus boilerplate and sentences too
short to mean anything. When the two items share no words (Thai beside English), an optional
sentence encoder matches the sentences instead.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

MIN_TOKENS = 3
MAX_SENTENCES = 400  # per item; the longest cabinet items have ~600 sentences


@dataclass
class Passage:
    a: str
    b: str
    score: float
    a_start: int
    a_end: int
    b_start: int
    b_end: int

    def as_dict(self) -> dict[str, object]:
        return {
            "a": self.a,
            "b": self.b,
            "score": round(self.score, 4),
            "a_start": self.a_start,
            "a_end": self.a_end,
            "b_start": self.b_start,
            "b_end": self.b_end,
        }


@dataclass
class SentenceSide:
    text: str
    spans: Sequence[tuple[int, int]]
    tokens: Sequence[Sequence[str]]
    boiler: Sequence[bool]


def _vectors(
    side: SentenceSide, idf: Callable[[str], float]
) -> tuple[list[int], list[dict[str, float]]]:
    keep: list[int] = []
    vecs: list[dict[str, float]] = []
    for k, toks in enumerate(side.tokens[:MAX_SENTENCES]):
        if side.boiler[k] or len(toks) < MIN_TOKENS:
            continue
        counts = Counter(toks)
        v = {t: (1 + math.log(c)) * idf(t) for t, c in counts.items()}
        n = math.sqrt(sum(x * x for x in v.values())) or 1.0
        keep.append(k)
        vecs.append({t: x / n for t, x in v.items()})
    return keep, vecs


def _scored(
    va: Sequence[dict[str, float]], vb: Sequence[dict[str, float]]
) -> list[tuple[float, int, int]]:
    """Cosine of every sentence pair that shares a word (an inverted index on b's tokens)."""
    index: dict[str, list[tuple[int, float]]] = {}
    for j, v in enumerate(vb):
        for t, x in v.items():
            index.setdefault(t, []).append((j, x))
    scored: list[tuple[float, int, int]] = []
    for i, v in enumerate(va):
        acc: dict[int, float] = {}
        for t, x in v.items():
            for j, y in index.get(t, ()):
                acc[j] = acc.get(j, 0.0) + x * y
        scored.extend((s, i, j) for j, s in acc.items())
    return scored


def _one_to_one(scored: list[tuple[float, int, int]]) -> Iterator[tuple[float, int, int]]:
    """The sentence pairs best first, each sentence used once (greedy matching)."""
    used_a: set[int] = set()
    used_b: set[int] = set()
    for s, i, j in sorted(scored, reverse=True):
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        yield s, i, j


def matched_scores(
    a: SentenceSide, b: SentenceSide, idf: Callable[[str], float]
) -> tuple[list[float], int, int]:
    """Every score of the one-to-one sentence matching ``align`` reads its passages from, best
    first, with how many sentences of ``a`` and ``b`` took part (not boilerplate, not too short)."""
    ka, va = _vectors(a, idf)
    kb, vb = _vectors(b, idf)
    return [min(1.0, s) for s, _, _ in _one_to_one(_scored(va, vb))], len(ka), len(kb)


def align(
    a: SentenceSide,
    b: SentenceSide,
    idf: Callable[[str], float],
    *,
    top: int = 3,
    min_score: float = 0.2,
    encoder: Callable[[list[str]], npt.NDArray[np.float32]] | None = None,
) -> list[Passage]:
    """Up to ``top`` aligned sentence pairs, best first; at least one when anything matches."""
    ka, va = _vectors(a, idf)
    kb, vb = _vectors(b, idf)
    if not ka or not kb:
        return []
    scored = _scored(va, vb)
    if not scored and encoder is not None:
        ta = [a.text[a.spans[k][0] : a.spans[k][1]] for k in ka[:40]]
        tb = [b.text[b.spans[k][0] : b.spans[k][1]] for k in kb[:40]]
        sims = encoder(ta) @ encoder(tb).T
        scored = [
            (float(sims[i, j]), i, j) for i in range(sims.shape[0]) for j in range(sims.shape[1])
        ]
    out: list[Passage] = []
    for s, i, j in _one_to_one(scored):
        if len(out) >= top or (out and s < min_score):
            break
        sa, ea = a.spans[ka[i]]
        sb, eb = b.spans[kb[j]]
        out.append(Passage(a.text[sa:ea], b.text[sb:eb], min(1.0, s), sa, ea, sb, eb))
    return out
