"""The analyser: corpus statistics plus the steps that turn items into labelled pairs.

``Analyzer`` holds what is learned from a corpus (vocabulary and idf, boilerplate sentences,
the LSA projection, MinHash signatures and the LSH index) and the analysed items themselves.
``fit`` learns all of it in one pass; ``candidate_pairs`` finds pairs worth relating (MinHash
LSH + dense nearest neighbours, never all pairs); ``relate`` labels them (``relate.decide``),
consulting the multilingual sentence encoder only for pairs near a decision boundary;
``evidence`` aligns sentences. ``compare`` does all of this for two texts, and ``add`` for new
items against the fitted corpus without refitting (incremental analysis).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Iterator, MutableSequence, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from scipy import sparse

from prasan.policy import candidates as cand
from prasan.policy import context as ctx
from prasan.policy import memory as mem
from prasan.policy.evidence import Passage, SentenceSide, align
from prasan.policy.ingest import Document, Item, split_items
from prasan.policy.relate import (
    PairSignals,
    RelateConfig,
    Relation,
    decide,
    instance_features,
    is_copy,
    shared_amounts,
)
from prasan.policy.segment import (
    SEP,
    Processed,
    guess_title,
    instance_conflicts,
    normalize,
    process_text,
    segment_many,
    segment_text,
    sentence_spans,
)

_DIGITS = re.compile(r"[0-9๐-๙]+")
_SPACES = re.compile(r"\s+")


class SegmentSource(Protocol):
    """Stored items' sentence spans and tokens by item index, or None for an item it lacks."""

    def get(self, k: int) -> tuple[list[tuple[int, int]], list[str]] | None: ...


class Embedder(Protocol):
    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True)
class AnalyzerConfig:
    num_perm: int = cand.NUM_PERM
    lsh_threshold: float = 0.5
    lsh_max_per_item: int = 20
    lsh_min_jaccard: float = 0.3
    knn_k: int = 9  # each item's nearest others by LSA (the measured runs took 9)
    knn_min_cos: float = 0.5
    lsa_dim: int = 128
    lsa_max_terms: int = 60000
    boiler_min_docs: int = 5
    boiler_doc_fraction: float = 0.001
    encoder_band: float = 0.06  # consult the encoder for pairs this close to a threshold
    encoder_band_model: float = 0.15  # ... in probability, with the calibrated model
    encoder_max_items: int = 800  # ... on at most this many items per batch
    encoder_head_chars: int = 2000  # the calibration used the first 2,000 characters
    context: bool = True  # each item's neighbourhood in the corpus (``context``), ~40 s a corpus
    # ... measured against at most this many items (a fixed random sample beyond it), so the
    # step stays linear in the corpus size; the thaigov corpus (29,206 items) is all measured
    context_reference: int = 30000
    evidence_top: int = 3
    relate: RelateConfig = field(default_factory=RelateConfig)


@dataclass
class AnalyzedItem:
    item: Item
    p: Processed
    boiler: list[bool] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.item.id

    def content_tokens(self) -> list[str]:
        out: list[str] = []
        for k, joined in enumerate(self.p.tokens):
            if joined and not (self.boiler and self.boiler[k]):
                out.extend(joined.split(SEP))
        return out

    def title_tokens(self) -> list[str]:
        return self.p.title_tokens.split(SEP) if self.p.title_tokens else []

    def side(self) -> SentenceSide:
        toks = [t.split(SEP) if t else [] for t in self.p.tokens]
        boiler = self.boiler or [False] * len(toks)
        return SentenceSide(self.item.text, self.p.spans, toks, boiler)


@dataclass
class Features:
    X: sparse.csr_matrix  # content TF-IDF
    T: sparse.csr_matrix  # title TF-IDF
    Z: npt.NDArray[np.float32]  # LSA, unit rows
    S: npt.NDArray[np.uint64]  # MinHash signatures
    n_sh: npt.NDArray[np.int32]  # shingle counts


@dataclass
class Pair:
    a: int
    b: int
    relation: Relation
    evidence: list[Passage] = field(default_factory=list)


@dataclass
class Comparison:
    """What ``compare_texts`` returns (a stable API; see docs/policy.md)."""

    label: str
    score: float
    facets: list[str]
    evidence: list[dict[str, Any]]
    signals: dict[str, Any]
    agencies: tuple[list[str], list[str]] = field(default_factory=lambda: ([], []))


class _ContentTokens:
    """A re-iterable, sized view of items' content tokens, built on the fly."""

    def __init__(self, items: Sequence[AnalyzedItem]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[list[str]]:
        return (ai.content_tokens() for ai in self.items)


def _gap(a: str, b: str) -> float | None:
    if not a or not b:
        return None
    import datetime as dt

    return float(abs((dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days))


def _jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 0.0


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def sentence_key(sentence: str) -> int:
    return _hash64(_DIGITS.sub("0", _SPACES.sub("", sentence)))


def doc_keys(docs: Iterable[str]) -> npt.NDArray[np.int64]:
    """Document ids as 63-bit integers (for masking an item's own document)."""
    return np.array([_hash64(d) >> 1 for d in docs], dtype=np.int64)


class Analyzer:
    def __init__(self, config: AnalyzerConfig | None = None, embedder: Embedder | None = None):
        self.config = config or AnalyzerConfig()
        self.embedder = embedder
        self.vocab = cand.Vocabulary()
        self.idf: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)
        self.boiler_keys: set[int] = set()
        self.lsa_cols: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.lsa_components: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self.hasher = cand.TokenHasher()
        self.minhasher = cand.MinHasher(self.config.num_perm)
        # a list after ``fit``; loaded from disk, items are read when first touched (``store``)
        self.items: MutableSequence[AnalyzedItem] = []
        self.index: dict[str, int] = {}
        self.features: Features | None = None
        self.lsh: object | None = None
        self.timings: dict[str, float] = {}
        self.encoder_calls = 0
        # how close to the threshold a pair had to be for the batch to consult the encoder
        # within its item budget; ``add`` consults it exactly as close (set by the first batch)
        self.encoder_band: float | None = None
        # how many items / words the state file on disk holds (``store.save`` writes the rest)
        self.saved_items = 0
        self.saved_vocab = 0
        # each item's neighbourhood in the corpus (``context.STATS``) and its document's key:
        # what corpus pairs read beyond their own signals (None: not computed)
        self.context: npt.NDArray[np.float32] | None = None
        self.context_docs: npt.NDArray[np.int64] | None = None
        # the items neighbourhoods are measured against, when not all (``context.reference``)
        self.context_ref: npt.NDArray[np.int64] | None = None
        # each item's nearest cosines (``context.measure``), so that ``add`` keeps the stored
        # items' neighbourhoods exact, and the stored items whose ones ``add`` changed since the
        # state was last written whole (``store.save`` puts them in the delta)
        self.context_near: npt.NDArray[np.float32] | None = None
        # each item's nearest items (``context.measure``'s ``nbrs``): its neighbourhood vector,
        # which pairs read (``context.NEIGHBOURHOOD``); ``add`` keeps them exact with the rest
        self.context_nbrs: npt.NDArray[np.int64] | None = None
        self.context_changed: set[int] = set()
        # the stored items whose neighbourhoods the last ``add`` changed: their stored pairs'
        # context features changed with them (``service`` decides those pairs again)
        self.context_touched: set[int] = set()
        # each item's ``knn_k`` nearest cosines (others, by LSA), so that ``add`` finds the
        # stored items that have a new one among their nearest, and the stored items whose
        # ones ``add`` changed since the state was last written whole (None: not kept)
        self.knn_near: npt.NDArray[np.float32] | None = None
        self.knn_changed: set[int] = set()
        # the sentence encoder's vector of each item's content head it was asked for, and
        # which encoder (its ``name``) made them, kept with the state so that ``add`` does not
        # encode a stored item again; the items encoded since the state was written whole
        self.heads: dict[int, npt.NDArray[np.float32]] = {}
        self.heads_encoder: str | None = None
        self.heads_unsaved: list[int] = []
        # each redundancy model's topic weights over this vocabulary's columns, and for which
        # model file and how many words they were aligned (``_topic_columns``)
        self._topic: tuple[int, object, dict[str, npt.NDArray[np.float32]]] | None = None
        # the labelled pairs' memory (``memory``) in this vocabulary, and for which memory and
        # how many words it was built (``_memory``)
        self._memory_rows: tuple[int, object, sparse.csr_matrix] | None = None
        # where stored items' texts come from when evidence needs them (see ``store``)
        self.text_source: Callable[[list[str]], dict[str, str]] | None = None
        # stored items' sentence spans and tokens, as segmenting their texts would give
        # them (``store.StoredSegments``; None or a miss: segment the text again)
        self.segments: SegmentSource | None = None

    # -- processing ------------------------------------------------------------------------

    @staticmethod
    def process(
        items: Sequence[Item],
        *,
        workers: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[AnalyzedItem]:
        jobs = [(it.text, it.title) for it in items]
        return [
            AnalyzedItem(it, p)
            for it, p in zip(
                items, segment_many(jobs, workers=workers, progress=progress), strict=True
            )
        ]

    def _mark_boiler(self, ai: AnalyzedItem) -> None:
        text = ai.item.text
        ai.boiler = [sentence_key(text[s:e]) in self.boiler_keys for s, e in ai.p.spans]

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, items: list[AnalyzedItem]) -> Analyzer:
        """Learn corpus statistics from ``items`` and index them."""
        t0 = time.perf_counter()
        cfg = self.config
        # boilerplate: sentences repeated verbatim (digits aside) across many documents
        per_doc: dict[str, set[int]] = {}
        for ai in items:
            keys = per_doc.setdefault(ai.item.doc, set())
            text = ai.item.text
            keys.update(sentence_key(text[s:e]) for s, e in ai.p.spans)
        counts: dict[int, int] = {}
        for keys in per_doc.values():
            for k in keys:
                counts[k] = counts.get(k, 0) + 1
        need = max(cfg.boiler_min_docs, int(cfg.boiler_doc_fraction * len(per_doc)))
        self.boiler_keys = {k for k, c in counts.items() if c >= need}
        for ai in items:
            self._mark_boiler(ai)
        self.timings["boilerplate"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        # a lazy view: each item's tokens are split when needed and dropped straight after,
        # instead of holding ~20 M token strings for the whole corpus at once
        docs = _ContentTokens(items)
        self.vocab = cand.Vocabulary()
        self._topic = None
        self.vocab.count(docs)
        self.idf = self.vocab.idf()
        xm = cand.tfidf_matrix(docs, self.vocab, self.idf)
        tm = cand.tfidf_matrix([ai.title_tokens() for ai in items], self.vocab, self.idf)
        self.timings["tfidf"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        self._fit_lsa(xm)
        zm = self._project(xm)
        self.timings["lsa"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        sm, n_sh = self._signatures(docs)
        self.timings["minhash"] = time.perf_counter() - t0

        self.items = list(items)
        self.index = {ai.id: k for k, ai in enumerate(self.items)}
        self.features = Features(xm, tm, zm, sm, n_sh)
        t0 = time.perf_counter()
        self.lsh = cand.lsh_index(sm, list(range(len(items))), cfg.lsh_threshold)
        self.timings["lsh_index"] = time.perf_counter() - t0
        if cfg.context:
            t0 = time.perf_counter()
            docs_key = doc_keys(ai.item.doc for ai in items)
            ref = ctx.reference(len(items), cfg.context_reference)
            self.context_docs, self.context_ref = docs_key, ref
            self.context, self.context_near, self.context_nbrs = ctx.measure(
                xm, xm, zm, zm, docs_key, docs_key, ref
            )
            self.context_changed = set()
            self.timings["context"] = time.perf_counter() - t0
        return self

    def _fit_lsa(self, xm: sparse.csr_matrix) -> None:
        from sklearn.decomposition import TruncatedSVD

        df = np.asarray(self.vocab.df)
        cols = np.argsort(-df, kind="stable")[: self.config.lsa_max_terms]
        cols = np.sort(cols[df[cols] >= 2]) if len(df) > 1000 else np.sort(cols)
        dim = min(self.config.lsa_dim, xm.shape[0] - 1, len(cols) - 1)
        self.lsa_cols = cols.astype(np.int64)
        if dim < 2:
            self.lsa_components = np.zeros((0, len(cols)), dtype=np.float32)
            return
        svd = TruncatedSVD(n_components=dim, algorithm="randomized", n_iter=4, random_state=0)
        svd.fit(xm[:, self.lsa_cols])
        self.lsa_components = svd.components_.astype(np.float32)

    def _project(self, xm: sparse.csr_matrix) -> npt.NDArray[np.float32]:
        if self.lsa_components.shape[0] == 0:
            return np.zeros((xm.shape[0], 1), dtype=np.float32)
        xm = cand.widen(xm, int(self.lsa_cols.max()) + 1 if len(self.lsa_cols) else xm.shape[1])
        zm = np.asarray(xm[:, self.lsa_cols] @ self.lsa_components.T, dtype=np.float32)
        norms = np.linalg.norm(zm, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        out: npt.NDArray[np.float32] = (zm / norms).astype(np.float32)
        return out

    def _signatures(
        self, docs: cand.TokenDocs
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]:
        sm = np.empty((len(docs), self.config.num_perm), dtype=np.uint64)
        n_sh = np.empty(len(docs), dtype=np.int32)
        for k, tokens in enumerate(docs):
            sh = cand.shingles(self.hasher(tokens))
            n_sh[k] = len(sh)
            sm[k] = self.minhasher.signature(sh)
        return sm, n_sh

    def featurize(
        self,
        items: Sequence[AnalyzedItem],
        extra: dict[str, int] | None = None,
        docs: list[list[str]] | None = None,
    ) -> Features:
        """Features of items not in the fitted corpus, in the corpus's space (``docs``: their
        content tokens when the caller has them already, boilerplate marked)."""
        if docs is None:
            for ai in items:
                self._mark_boiler(ai)
            docs = [ai.content_tokens() for ai in items]
        xm = cand.tfidf_matrix(docs, self.vocab, self.idf, extra=extra)
        tm = cand.tfidf_matrix(
            [ai.title_tokens() for ai in items], self.vocab, self.idf, extra=extra
        )
        sm, n_sh = self._signatures(docs)
        return Features(xm, tm, self._project(xm), sm, n_sh)

    # -- candidates ------------------------------------------------------------------------

    def candidate_pairs(self) -> npt.NDArray[np.int64]:
        """Pairs (i < j) from MinHash-LSH and dense nearest neighbours; never all pairs."""
        assert self.features is not None
        f, cfg = self.features, self.config
        t0 = time.perf_counter()
        found: set[tuple[int, int]] = set()
        for i in range(len(self.items)):
            hits = [j for j in cand.lsh_query(self.lsh, f.S[i]) if j != i]
            if not hits:
                continue
            hv = np.asarray(hits)
            jac = (f.S[hv] == f.S[i]).mean(axis=1)
            order = np.argsort(-jac)[: cfg.lsh_max_per_item]
            for o in order:
                if jac[o] >= cfg.lsh_min_jaccard:
                    j = int(hv[o])
                    found.add((min(i, j), max(i, j)))
        self.timings["candidates_lsh"] = time.perf_counter() - t0
        n_lsh = len(found)
        t0 = time.perf_counter()
        idx, self.knn_near = cand.knn_top(f.Z, f.Z, cfg.knn_k, self_offset=0)
        for i, c in zip(*np.nonzero(self.knn_near >= cfg.knn_min_cos), strict=True):
            j = int(idx[i, c])
            found.add((min(int(i), j), max(int(i), j)))
        self.knn_changed = set()
        self.timings["candidates_knn"] = time.perf_counter() - t0
        self.timings["n_candidates_lsh"] = float(n_lsh)
        pairs = np.asarray(sorted(found), dtype=np.int64).reshape(-1, 2)
        return pairs

    # -- relate ----------------------------------------------------------------------------

    def signals(
        self,
        fa: Features,
        items_a: Sequence[AnalyzedItem],
        ia: npt.NDArray[np.int64],
        fb: Features,
        items_b: Sequence[AnalyzedItem],
        ib: npt.NDArray[np.int64],
    ) -> list[PairSignals]:
        cos = cand.rowwise_cosine(fa.X, fb.X, ia, ib)
        tcos = cand.rowwise_cosine(fa.T, fb.T, ia, ib)
        dense = np.einsum("ij,ij->i", fa.Z[ia], fb.Z[ib]) if len(ia) else np.zeros(0)
        jac = (fa.S[ia] == fb.S[ib]).mean(axis=1) if len(ia) else np.zeros(0)
        na = fa.n_sh[ia].astype(np.float64)
        nb = fb.n_sh[ib].astype(np.float64)
        small = np.maximum(np.minimum(na, nb), 1)
        contain = np.clip(jac * (na + nb) / ((1 + jac) * small), 0, 1)
        out: list[PairSignals] = []
        for k in range(len(ia)):
            a, b = items_a[ia[k]].p, items_b[ib[k]].p
            la, lb = a.lang, b.lang
            conflict = instance_conflicts(a, b)
            out.append(
                PairSignals(
                    cosine=float(cos[k]),
                    jaccard=float(jac[k]),
                    containment=float(contain[k]),
                    title=float(tcos[k]),
                    dense=float(dense[k]),
                    shingles_min=int(small[k]),
                    shared_agencies=[x for x in a.agencies if x in b.agencies],
                    shared_targets=[x for x in a.targets if x in b.targets],
                    shared_areas=[x for x in a.areas if x in b.areas],
                    shared_amounts=shared_amounts(a.amounts, b.amounts),
                    shared_programmes=[x for x in a.programmes if x in b.programmes],
                    date_gap_days=_gap(a.date, b.date),
                    year_jaccard=_jaccard(a.years, b.years),
                    year_differs=bool(a.years and b.years and a.years[0] != b.years[0]),
                    cross_language=(la == "en") != (lb == "en"),
                    both_appointments=a.appointment and b.appointment,
                    head_year_conflict=conflict["head_year_conflict"],
                    round_conflict=conflict["round_conflict"],
                    area_conflict=conflict["area_conflict"],
                )
            )
        return out

    def encode_heads(self, items: Sequence[AnalyzedItem]) -> npt.NDArray[np.float32]:
        assert self.embedder is not None
        self.encoder_calls += len(items)
        texts = [self.content_head(ai, self.config.encoder_head_chars) for ai in items]
        return np.asarray(self.embedder.encode(texts), dtype=np.float32)

    def content_head(self, ai: AnalyzedItem, n: int) -> str:
        """The first ``n`` characters of an item's own content, for the sentence encoder.

        Corpus boilerplate (a ministry's footer, a press-centre template) is left out, as it is
        from every other content signal: two short items with the same footer read alike to the
        encoder otherwise. Items loaded from a saved analysis carry no sentence offsets; they
        are found again from the text, so a loaded analyser encodes exactly as the one that
        saved it."""
        text = ai.item.text
        spans = ai.p.spans or sentence_spans(normalize(text))
        parts: list[str] = []
        total = 0
        for start, end in spans:
            if sentence_key(text[start:end]) in self.boiler_keys:
                continue
            parts.append(text[start:end])
            total += end - start + 1
            if total >= n:
                break
        return ("\n".join(parts) or text)[:n]

    def relate_corpus(
        self,
        pairs: npt.NDArray[np.int64],
        progress: Callable[[int], None] | None = None,
        *,
        keep_unrelated: bool = False,
    ) -> list[Pair]:
        """Label corpus pairs; the encoder is consulted only near the overlap threshold.
        Pairs found unrelated are left out unless ``keep_unrelated``."""
        assert self.features is not None
        t0 = time.perf_counter()
        f = self.features
        sig = self.signals(f, self.items, pairs[:, 0], f, self.items, pairs[:, 1])
        if self.context is not None:
            c = self.context
            nbhd = ctx.neighbourhood_cosines(self._nbrs(), pairs, f.X, np.asarray(f.Z))
            for k, s in enumerate(sig):
                a, b = int(pairs[k, 0]), int(pairs[k, 1])
                s.context = ctx.pair_features(c[a], c[b], s.cosine, s.dense)
                s.context.update(ctx.neighbourhood_features(nbhd[k]))
            self._attach_memory(f.X, pairs, sig)
        # every model with a prior reads it, with or without the corpus context (a state saved
        # before the context, or ``AnalyzerConfig(context=False)``, decides by the base models)
        self._attach_topic(pairs, sig)
        rels = [decide(s, self.config.relate, batch=True) for s in sig]
        self.timings["relate"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        if self.embedder is not None:
            self._consult_encoder(pairs, sig, rels)
        self.timings["encoder"] = time.perf_counter() - t0
        out = [
            Pair(int(pairs[k, 0]), int(pairs[k, 1]), rels[k])
            for k in range(len(rels))
            if keep_unrelated or rels[k].label != "unrelated"
        ]
        if progress:
            progress(len(pairs))
        return out

    def _topic_columns(self) -> dict[str, npt.NDArray[np.float32]]:
        """Each model's topic weights (``relate.topic_weights``) over the vocabulary's columns
        (0 for the words the model has none for), realigned when the vocabulary grew or the
        model was loaded again (a refit in the same process)."""
        from prasan.policy.relate import calibrated_model, topic_weights

        model = calibrated_model()
        n = len(self.vocab.ids)
        if self._topic is not None and self._topic[0] == n and self._topic[1] is model:
            return self._topic[2]
        out: dict[str, npt.NDArray[np.float32]] = {}
        lists = topic_weights(model) if model is not None else {}
        if model is not None and lists:
            # one vocabulary lookup per word, shared by every model's list
            tokens = model["topic_tokens"]
            cols = np.fromiter((self.vocab.ids.get(t, -1) for t in tokens), np.int64, len(tokens))
            known = cols >= 0
            for key, weights in lists.items():
                v = np.zeros(n, dtype=np.float32)
                v[cols[known]] = np.asarray(weights, dtype=np.float32)[known]
                out[key] = v
        self._topic = (n, model, out)
        return out

    def _topic_of(self, x: sparse.csr_matrix) -> dict[str, npt.NDArray[np.float64]]:
        """Each model's topic score of each TF-IDF row: the row times its word weights."""
        out = {}
        for key, v in self._topic_columns().items():
            width = min(x.shape[1], len(v))
            out[key] = np.asarray(x[:, :width] @ v[:width], dtype=np.float64).ravel()
        return out

    def _attach_topic(self, pairs: npt.NDArray[np.int64], sig: list[PairSignals]) -> None:
        """Each corpus pair's topic prior by model (``relate.TOPIC``): the sum of its two
        items' scores."""
        assert self.features is not None
        if len(pairs) == 0:
            return
        rows = np.unique(pairs[:, :2])
        at = np.searchsorted(rows, pairs[:, :2])
        scores = self._topic_of(self.features.X[rows])
        for k, s in enumerate(sig):
            s.topic = {key: float(sc[at[k, 0]] + sc[at[k, 1]]) for key, sc in scores.items()}

    def _memory(self) -> tuple[mem.Memory, sparse.csr_matrix, dict[str, Any]] | None:
        """The shipped memory of labelled pairs, its sides' rows in this vocabulary and the
        model file's settings for it (``k``, ``floor``), when the corpus models read it
        (``memory.FEATURE``); the rows are rebuilt when the vocabulary grew."""
        from prasan.policy.relate import calibrated_model, reads_memory

        model = calibrated_model()
        memory = mem.shipped() if model is not None and reads_memory(model) else None
        if memory is None or model is None:
            return None
        n = len(self.vocab.df)
        cached = self._memory_rows
        if cached is None or cached[0] != n or cached[1] is not memory:
            cached = self._memory_rows = (n, memory, memory.matrix(self.vocab, self.idf))
        return memory, cached[2], model[mem.FEATURE]

    def _attach_memory(
        self, x: sparse.csr_matrix, pairs: npt.NDArray[np.int64], sig: list[PairSignals]
    ) -> None:
        """Each pair's ``memory`` feature (pairs of rows of ``x``) into its context."""
        found = self._memory() if len(pairs) else None
        if found is None:
            return
        t0 = time.perf_counter()
        memory, rows, settings = found
        k, floor = int(settings.get("k", mem.K)), float(settings.get("floor", mem.FLOOR))
        values = mem.pair_features(x, pairs, memory, rows, k=k, floor=floor)
        for s, v in zip(sig, values, strict=True):
            assert s.context is not None
            s.context[mem.FEATURE] = float(v)
        self.timings["memory"] = time.perf_counter() - t0

    def _consult_encoder(
        self, pairs: npt.NDArray[np.int64], sig: list[PairSignals], rels: list[Relation]
    ) -> None:
        from prasan.policy.relate import (
            calibrated_model,
            redundancy_model_key,
            redundancy_threshold,
        )

        cfg = self.config
        model = calibrated_model()
        if model is not None:
            key = redundancy_model_key(model, encoder=True, context=self.context is not None)
            th = redundancy_threshold(cfg.relate, model[key], batch=True)
            width = cfg.encoder_band_model
        else:
            th, width = cfg.relate.overlap_score, cfg.encoder_band
        if self.encoder_band is not None:
            width = min(width, self.encoder_band)
        # copies, another instance of a programme and appointments are decided whatever the
        # encoder says (the guide's rules): never pay for it there
        band = [
            k
            for k, r in enumerate(rels)
            if abs(r.score - th) <= width
            and not (
                model is not None
                and (is_copy(sig[k]) or sig[k].instance_conflict or sig[k].both_appointments)
            )
        ]
        band.sort(key=lambda k: abs(rels[k].score - th))
        chosen: dict[int, int] = {}
        use: list[int] = []
        reach = width
        for k in band:
            need = [x for x in (int(pairs[k, 0]), int(pairs[k, 1])) if x not in chosen]
            if len(chosen) + len(need) > cfg.encoder_max_items:
                reach = abs(rels[use[-1]].score - th) if use else 0.0
                break
            for x in need:
                chosen[x] = len(chosen)
            use.append(k)
        if self.encoder_band is None:
            self.encoder_band = reach
        if not use:
            return
        order = sorted(chosen, key=chosen.__getitem__)
        emb = self._heads(order)
        for k in use:
            a, b = chosen[int(pairs[k, 0])], chosen[int(pairs[k, 1])]
            sig[k].encoder = float(emb[a] @ emb[b])
            rels[k] = decide(sig[k], cfg.relate, batch=True)

    def _heads(self, order: list[int]) -> npt.NDArray[np.float32]:
        """The encoder's vectors of these items' content heads, in order: from ``heads`` for
        items encoded before by the same encoder (the batch, an earlier ``add``), else
        encoded now (stored items from their text) and kept there."""
        assert self.embedder is not None
        name = getattr(self.embedder, "name", None)
        if name is not None and not self.heads:
            self.heads_encoder = name
        cached = self.heads if name is not None and name == self.heads_encoder else {}
        need = [x for x in order if x not in cached]
        if need:
            self._texts(need)  # stored items (``add``) are encoded from their text too
            fresh = self.encode_heads([self.items[x] for x in need])
            if cached is self.heads:
                for x, v in zip(need, fresh, strict=True):
                    self.heads[x] = v
                self.heads_unsaved.extend(need)
            else:
                cached = dict(zip(need, fresh, strict=True))
        return np.stack([cached[x] for x in order]).astype(np.float32, copy=False)

    # -- evidence --------------------------------------------------------------------------

    def idf_of(self, token: str) -> float:
        i = self.vocab.ids.get(token)
        if i is None or i >= len(self.idf):
            return self.vocab.unseen_idf()
        return float(self.idf[i])

    def evidence(self, a: AnalyzedItem, b: AnalyzedItem) -> list[Passage]:
        encoder = None
        if self.embedder is not None:
            emb = self.embedder

            def encoder(texts: list[str]) -> npt.NDArray[np.float32]:
                return np.asarray(emb.encode(texts), dtype=np.float32)

        return align(a.side(), b.side(), self.idf_of, top=self.config.evidence_top, encoder=encoder)

    def add_evidence(
        self, pairs: list[Pair], progress: Callable[[int], None] | None = None
    ) -> None:
        t0 = time.perf_counter()
        sides: dict[int, SentenceSide] = {}
        self._hydrate(
            sorted(
                {
                    k
                    for p in pairs
                    if p.relation.label in ("duplicate", "overlap")
                    for k in (p.a, p.b)
                }
            )
        )

        def side(k: int) -> SentenceSide:
            s = sides.get(k)
            if s is None:
                s = sides[k] = self.items[k].side()
            return s

        for p in pairs:
            if p.relation.label in ("duplicate", "overlap"):
                p.evidence = align(side(p.a), side(p.b), self.idf_of, top=self.config.evidence_top)
            if progress:
                progress(1)
        self.timings["evidence"] = time.perf_counter() - t0

    def _texts(self, ks: Sequence[int]) -> None:
        """Fetch the texts of stored items, which the saved state leaves out."""
        missing = [k for k in ks if not self.items[k].item.text]
        if not missing or self.text_source is None:
            return
        texts = self.text_source([self.items[k].id for k in missing])
        for k in missing:
            self.items[k].item.text = texts.get(self.items[k].id, "")

    def _hydrate(self, ks: list[int]) -> None:
        """Give stored items their texts, sentences and tokens (what evidence reads): the
        sentences and tokens from the state's segments when it has them, else by segmenting
        the text again (~0.04 s per 1,000 characters)."""
        missing = [k for k in ks if not self.items[k].p.spans]
        self._texts(missing)
        for k in missing:
            ai = self.items[k]
            if not ai.item.text:
                continue
            stored = self.segments.get(k) if self.segments is not None else None
            ai.p.spans, ai.p.tokens = stored if stored is not None else segment_text(ai.item.text)
            self._mark_boiler(ai)

    # -- comparing two texts ---------------------------------------------------------------

    def _pair(
        self,
        text_a: str,
        text_b: str,
        title_a: str = "",
        title_b: str = "",
        in_corpus: tuple[str, str] | None = None,
    ) -> tuple[PairSignals, AnalyzedItem, AnalyzedItem]:
        ai = self.analyze_text(text_a, title_a, "a")
        bi = self.analyze_text(text_b, title_b, "b")
        extra: dict[str, int] = {}
        fa = self.featurize([ai], extra)
        fb = self.featurize([bi], extra)
        zero = np.zeros(1, dtype=np.int64)
        s = self.signals(fa, [ai], zero, fb, [bi], zero)[0]
        if self.embedder is not None:
            emb = self.encode_heads([ai, bi])
            s.encoder = float(emb[0] @ emb[1])
        width = max(fa.X.shape[1], fb.X.shape[1])
        xq = sparse.vstack([cand.widen(fa.X, width), cand.widen(fb.X, width)]).tocsr()
        if in_corpus is not None:
            self._place_in_corpus(s, xq, fa, fb, in_corpus)
        # the topic prior: both sides' scores, for every model that has one (the corpus models
        # and, when fitted with a corpus basis, the single-comparison ones)
        scores = self._topic_of(xq)
        s.topic = {key: float(sc[0] + sc[1]) for key, sc in scores.items()}
        return s, ai, bi

    def _place_in_corpus(
        self,
        s: PairSignals,
        xq: sparse.csr_matrix,
        fa: Features,
        fb: Features,
        docs: tuple[str, str],
    ) -> None:
        """What a corpus run reads of a pair beyond its own signals and topic: its
        neighbourhoods in this corpus (the items of its documents ``docs`` left out, as a run
        leaves out an item's own document; ``xq``: the pair's TF-IDF rows)."""
        assert self.features is not None
        f = self.features
        if self.context is not None:
            docs_all = (
                np.asarray(self.context_docs)
                if self.context_docs is not None
                else doc_keys(ai.item.doc for ai in self.items)
            )
            zq = np.vstack([fa.Z, fb.Z]).astype(np.float32)
            stats, _, nbrs = ctx.measure(
                xq, f.X, zq, np.asarray(f.Z), doc_keys(docs), docs_all, self.context_ref
            )
            s.context = ctx.pair_features(stats[0], stats[1], s.cosine, s.dense)
            nbhd = ctx.neighbourhood_cosines(nbrs, np.array([[0, 1]]), f.X, np.asarray(f.Z))
            s.context.update(ctx.neighbourhood_features(nbhd[0]))
            self._attach_memory(xq, np.array([[0, 1]]), [s])

    def pair_signals(
        self, text_a: str, text_b: str, in_corpus: tuple[str, str] | None = None
    ) -> PairSignals:
        """Every signal for two texts, before any decision (what calibration reads); with
        ``in_corpus`` (their document ids), also what a corpus run reads (``_place_in_corpus``)."""
        return self._pair(text_a, text_b, in_corpus=in_corpus)[0]

    def compare(
        self,
        text_a: str,
        text_b: str,
        title_a: str = "",
        title_b: str = "",
        *,
        in_corpus: tuple[str, str] | None = None,
    ) -> Comparison:
        """Relate two texts. By default with this analyser's statistics alone, by the models
        fitted for single comparisons; with ``in_corpus`` (the two texts' document ids, any
        ids when they are not in the corpus) as a corpus run would relate them: with their
        neighbourhoods in this fitted corpus and their topic prior, by the corpus models (at
        the single-comparison threshold)."""
        s, ai, bi = self._pair(text_a, text_b, title_a, title_b, in_corpus)
        rel = decide(s, self.config.relate)
        ev = self.evidence(ai, bi) if rel.label != "unrelated" or s.cosine > 0.1 else []
        return Comparison(
            label=rel.label,
            score=rel.score,
            facets=rel.facets,
            evidence=[e.as_dict() for e in ev],
            signals={
                "cosine": round(s.cosine, 4),
                "jaccard": round(s.jaccard, 4),
                "containment": round(s.containment, 4),
                "title": round(s.title, 4),
                "dense": round(s.dense, 4),
                "encoder": None if s.encoder is None else round(s.encoder, 4),
                "shared_agencies": s.shared_agencies,
                "shared_targets": s.shared_targets,
                "shared_areas": s.shared_areas,
                "shared_amounts": s.shared_amounts,
                "shared_programmes": s.shared_programmes,
                # another year, round, phase or province of one programme (explanation only;
                # the model does not read these, see docs/policy.md)
                "instance": {k: v for k, v in instance_features(s).items() if v},
                # in a corpus: how far the nearest labelled pairs were redundant by the
                # readers (``memory``; None outside a corpus or without a memory)
                "memory": (
                    None
                    if s.context is None or mem.FEATURE not in s.context
                    else round(s.context[mem.FEATURE], 4)
                ),
            },
            agencies=(ai.p.agencies, bi.p.agencies),
        )

    def analyze_text(self, text: str, title: str = "", doc_id: str = "text") -> AnalyzedItem:
        """One bare text as a policy item (its title guessed when not given), not indexed."""
        text = text.strip()
        if not title:
            title = guess_title(text)
        item = Item(id=doc_id, doc=doc_id, start=0, end=len(text), text=text, title=title)
        return AnalyzedItem(item, process_text(text, title))

    # -- incremental -----------------------------------------------------------------------

    def add(self, new: list[AnalyzedItem]) -> list[Pair]:
        """Relate new items to the corpus and to each other; index them. No refit."""
        pairs = self.add_candidates(new)
        if len(pairs) == 0:
            return []
        out = self.relate_corpus(pairs)
        self.add_evidence(out)
        return out

    def _lsh_nearest(self, h: int, jac: float, signatures: npt.NDArray[np.uint64]) -> bool:
        """Whether an item at MinHash Jaccard ``jac`` from item ``h`` is among ``h``'s
        ``lsh_max_per_item`` nearest LSH hits (fewer of them nearer; a tie counts)."""
        others = np.asarray([x for x in cand.lsh_query(self.lsh, signatures[h]) if x != h])
        if len(others) < self.config.lsh_max_per_item:
            return True
        nearer = (signatures[others] == signatures[h]).mean(axis=1) > jac
        return int(nearer.sum()) < self.config.lsh_max_per_item

    def add_candidates(self, new: list[AnalyzedItem]) -> npt.NDArray[np.int64]:
        """Index new items (no refit) and return their candidate pairs ``(i < j)`` with the
        corpus and with each other: what a batch over all would pair them with, by LSH and by
        dense neighbours, each from both sides (a tie at a stored item's last nearest counts)."""
        assert self.features is not None and self.lsh is not None
        cfg = self.config
        self.context_touched = set()
        # new words join the vocabulary (df counted, idf of old words unchanged)
        docs = []
        for ai in new:
            self._mark_boiler(ai)
            docs.append(ai.content_tokens())
        self.vocab.count(docs)
        new_idf = self.vocab.idf()
        self.idf = np.concatenate([self.idf, new_idf[len(self.idf) :]])
        fn = self.featurize(new, docs=docs)
        base = len(self.items)
        f = self.features
        width = max(f.X.shape[1], fn.X.shape[1])
        merged = Features(
            sparse.vstack([cand.widen(f.X, width), cand.widen(fn.X, width)]).tocsr(),
            sparse.vstack([cand.widen(f.T, width), cand.widen(fn.T, width)]).tocsr(),
            np.vstack([f.Z, fn.Z]),
            np.vstack([f.S, fn.S]),
            np.concatenate([f.n_sh, fn.n_sh]),
        )
        found: set[tuple[int, int]] = set()
        for k in range(len(new)):
            cand.lsh_insert(self.lsh, base + k, fn.S[k])
        for k in range(len(new)):
            i = base + k
            hits = [h for h in cand.lsh_query(self.lsh, fn.S[k]) if h != i]
            if not hits:
                continue
            # in key order, ties kept in it: the same neighbours whichever LSH index
            # answered (datasketch's returns its keys in set order)
            hv = np.asarray(sorted(hits))
            jac = (merged.S[hv] == fn.S[k]).mean(axis=1)
            order = np.argsort(-jac, kind="stable")
            for rank, o in enumerate(order):
                if jac[o] < cfg.lsh_min_jaccard:
                    break
                h = int(hv[o])
                # its own nearest, or a hit that has the new item among its nearest (a batch
                # takes each item's nearest from its side too)
                if rank < cfg.lsh_max_per_item or self._lsh_nearest(h, float(jac[o]), merged.S):
                    found.add((min(h, i), max(h, i)))
        found.update(self._grow_knn(f, fn, merged))
        if self.context is not None and self.context_docs is not None:
            self._grow_context(f, fn, merged, new)
        self.items.extend(new)
        for k, ai in enumerate(new):
            self.index[ai.id] = base + k
        self.features = merged
        return np.asarray(sorted(found), dtype=np.int64).reshape(-1, 2)

    def _grow_knn(self, old: Features, fn: Features, merged: Features) -> set[tuple[int, int]]:
        """Dense-neighbour candidates of new items, both ways, as a batch over all would find
        them: each new item's ``knn_k`` nearest others, and the stored items that now have a
        new item among theirs (their nearest cosines are kept, ``knn_near``, so this costs one
        product of the new items with the stored ones)."""
        cfg = self.config
        base = old.Z.shape[0]
        # the new items against all items, once: their own nearest, and (columns before
        # ``base``) the stored items' side
        sims = np.asarray(np.asarray(fn.Z) @ np.asarray(merged.Z).T, dtype=np.float32)
        rows_new = np.arange(sims.shape[0])
        sims[rows_new, base + rows_new] = -np.inf
        idx, vals = cand.top_k(sims, cfg.knn_k)
        found = {
            (min(base + int(k), int(idx[k, c])), max(base + int(k), int(idx[k, c])))
            for k, c in zip(*np.nonzero(vals >= cfg.knn_min_cos), strict=True)
        }
        if self.knn_near is None or len(self.knn_near) != base:
            self.knn_near = None  # a state saved without them: new items' own neighbours only
            return found
        stored = sims[:, :base].T  # (stored, new)
        floor = np.asarray(self.knn_near[:, -1])
        gain = stored > floor[:, None]  # a new item among a stored item's nearest
        rows = np.flatnonzero(gain.any(axis=1))
        for i, k in zip(*np.nonzero(gain[rows] & (stored[rows] >= cfg.knn_min_cos)), strict=True):
            found.add((int(rows[i]), base + int(k)))
        near = np.concatenate([np.asarray(self.knn_near), vals])  # a writable copy
        if len(rows):
            both = np.concatenate([near[rows], stored[rows]], axis=1)
            near[rows] = -np.sort(-both, axis=1)[:, : cfg.knn_k]
            self.knn_changed.update(int(r) for r in rows if r < self.saved_items)
        self.knn_near = near
        return found

    def _grow_context(
        self, old: Features, fn: Features, merged: Features, new: list[AnalyzedItem]
    ) -> None:
        """Measure the new items' neighbourhoods against the whole grown corpus, and let them
        join the stored items' ones, so that both are what a batch over all would measure
        (the stored items' own features, idf included, stay the batch's). Beyond the reference
        cap the stored items are measured against a fixed sample, which new items do not
        join; and a state saved without the nearest cosines cannot be grown exactly, so its
        stored items keep what the batch measured."""
        assert self.context is not None and self.context_docs is not None
        base = old.X.shape[0]
        new_docs = doc_keys(ai.item.doc for ai in new)
        docs_all = np.concatenate([self.context_docs, new_docs])
        old_nbrs = self._nbrs(old)  # before the new rows join the corpus
        stats, near, nbrs = ctx.measure(
            fn.X, merged.X, fn.Z, merged.Z, new_docs, docs_all, self.context_ref
        )
        old_docs = np.asarray(self.context_docs)
        self.context = np.vstack([self.context, stats])  # a writable copy of the stored rows
        self.context_docs = docs_all
        self.context_nbrs = np.concatenate([old_nbrs, nbrs])  # a writable copy
        if self.context_near is None or len(self.context_near) != base:
            self.context_near = None
            return
        self.context_near = np.concatenate([self.context_near, near])
        if self.context_ref is None:
            changed = ctx.grow(
                self.context[:base], self.context_near[:base], self.context_nbrs[:base], old.X,
                np.asarray(old.Z), old_docs, fn.X, fn.Z, new_docs,
            )  # fmt: skip
            self.context_touched = {int(k) for k in changed}
            self.context_changed.update(k for k in self.context_touched if k < self.saved_items)

    def _nbrs(self, f: Features | None = None) -> npt.NDArray[np.int64]:
        """Each item's nearest items (``context_nbrs``); a state saved before session 10 has
        none, and they are measured once over its corpus ``f`` (about a minute for 29,000
        items), so that its pairs read the neighbourhood features its model was fitted on; the
        state on disk then lacks them, so the next ``store.save`` rewrites it whole."""
        if self.context_nbrs is None:
            f = f or self.features
            assert f is not None and self.context_docs is not None
            docs = np.asarray(self.context_docs)[: f.X.shape[0]]
            _, _, self.context_nbrs = ctx.measure(
                f.X, f.X, np.asarray(f.Z), np.asarray(f.Z), docs, docs, self.context_ref
            )
            self.saved_items = 0
        return self.context_nbrs


def analyzer_from_documents(
    docs: Sequence[Document],
    *,
    config: AnalyzerConfig | None = None,
    embedder: Embedder | None = None,
    workers: int | None = None,
) -> Analyzer:
    """An analyser fitted on ``docs`` (its corpus statistics come from them)."""
    items = [it for d in docs for it in split_items(d)]
    analyzed = Analyzer.process(items, workers=workers)
    return Analyzer(config, embedder).fit(analyzed)
