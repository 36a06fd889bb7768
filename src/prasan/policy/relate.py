"""Labelling a candidate pair: duplicate, overlap, related or unrelated, with a score and facets.

Labels follow the US GAO's definitions of fragmentation, overlap and duplication:
``duplicate`` = the same activities for the same beneficiaries (the same programme or
announcement); ``overlap`` = different programmes with similar goals, activities or
beneficiaries (possible redundancy); ``related`` = the same domain or a dependency, with
distinct aims. The decision reads several signals, each cheap, none sufficient alone:
content TF-IDF cosine (boilerplate removed), MinHash Jaccard and containment, title cosine,
the corpus-trained dense embedding (LSA), optionally the multilingual sentence encoder, and
the facets the two items share (agency, beneficiary, area, budget).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from prasan.policy.memory import FEATURE as MEMORY

FACETS = ("goal", "activity", "beneficiary", "agency", "area", "budget")
LABELS = ("duplicate", "overlap", "related", "unrelated")
RANK = {"duplicate": 3, "overlap": 2, "related": 1, "unrelated": 0}


@dataclass(frozen=True)
class RelateConfig:
    """Thresholds; the defaults were set by reading corpus pairs (see docs/policy.md)."""

    dup_jaccard: float = 0.5
    dup_containment: float = 0.8
    dup_cosine: float = 0.8
    dup_title_and_cosine: tuple[float, float] = (0.8, 0.55)
    overlap_score: float = 0.36
    related_score: float = 0.17
    min_shingles_for_containment: int = 30
    encoder_upgrade: float = 0.8  # encoder cosine that lifts a related pair to overlap
    encoder_veto: float = 0.35  # encoder cosine under which an overlap falls to related
    # the same named programme and similar content: the same programme (GAO duplicate)
    programme_cosine: float = 0.4
    programme_title: float = 0.2
    # Batch analysis: candidate pairs of a whole corpus are far less often redundant than the
    # hand-picked same-topic pairs of the labelled set, so a corpus run uses its own threshold,
    # set against a labelled sample of a corpus run's pairs (``batch_threshold`` in the model
    # file, see benchmarks/policy_calibrate.py); a number here overrides it.
    batch_redundant: float | None = None


@dataclass
class PairSignals:
    cosine: float  # content TF-IDF
    jaccard: float  # MinHash estimate over word 3-grams
    containment: float  # share of the smaller item's shingles found in the larger
    title: float  # title TF-IDF cosine
    dense: float  # LSA cosine
    encoder: float | None = None  # multilingual sentence encoder, when it was consulted
    shingles_min: int = 0
    shared_agencies: list[str] = field(default_factory=list)
    shared_targets: list[str] = field(default_factory=list)
    shared_areas: list[str] = field(default_factory=list)
    shared_amounts: list[float] = field(default_factory=list)
    shared_programmes: list[str] = field(default_factory=list)
    cross_language: bool = False
    date_gap_days: float | None = None  # between the dates the two items open with
    year_jaccard: float = 0.0  # overlap of the Buddhist-era years they name
    year_differs: bool = False  # their most-named years differ (another round or season)
    # the titles name which instance of a programme each item is about (find_instance_markers)
    head_year_conflict: bool = False  # both name years, none in common
    round_conflict: bool = False  # another meeting, round, batch, phase, month or day
    area_conflict: bool = False  # both name provinces or regions, none in common
    both_appointments: bool = False  # both titles appoint officials
    # the pair in its corpus (``context.pair_features``); None outside a corpus (``compare``)
    context: dict[str, float] | None = None
    # the pair's topic prior in its corpus, by redundancy model (``topic_scores``); None outside
    # a corpus
    topic: dict[str, float] | None = None

    @property
    def instance_conflict(self) -> bool:
        """Another year, round or area of one programme: the guide's ``related``."""
        return self.head_year_conflict or self.round_conflict or self.area_conflict


@dataclass
class Relation:
    label: str
    score: float
    facets: list[str]
    signals: PairSignals


def shared_amounts(a: list[float], b: list[float]) -> list[float]:
    """Amounts (≥ 1 million baht) equal within 1%: the same budget line, probably."""
    out = []
    for x in a:
        if x < 1e6:
            continue
        for y in b:
            if y >= 1e6 and abs(x - y) <= 0.01 * max(x, y):
                out.append(x)
                break
    return out


def score_of(s: PairSignals) -> float:
    """One number in [0, 1]: mostly lexical content, then meaning, then the title and facets."""
    text = max(s.jaccard, s.containment if s.shingles_min >= 30 else 0.0)
    dense = max(0.0, s.dense)
    if s.encoder is not None and s.cross_language:
        # no shared words across languages: meaning is all we have
        return round(min(1.0, max(0.0, (s.encoder - 0.3) / 0.6)), 4)
    base = 0.55 * s.cosine + 0.15 * text + 0.2 * dense + 0.1 * s.title
    bonus = 0.03 * min(3, len(s.shared_targets) + (1 if s.shared_areas else 0)) + (
        0.03 if s.shared_amounts else 0.0
    )
    if s.encoder is not None:
        base = 0.8 * base + 0.2 * max(0.0, s.encoder)
    return round(min(1.0, base + bonus), 4)


FEATURES = (
    "cosine", "jaccard", "containment", "title", "dense", "encoder", "targets", "area", "budget",
    "programme", "agency", "log_gap", "no_gap", "year_jaccard", "year_differs",
)  # fmt: skip


def features(s: PairSignals) -> dict[str, float]:
    """The numbers the calibrated model reads (see benchmarks/policy_calibrate.py)."""
    gap = s.date_gap_days
    return {
        "cosine": s.cosine,
        "jaccard": s.jaccard,
        "containment": s.containment if s.shingles_min >= 30 else 0.0,
        "title": s.title,
        "dense": max(0.0, s.dense),
        "encoder": s.encoder if s.encoder is not None else 0.0,
        "targets": min(len(s.shared_targets), 3) / 3,
        "area": 1.0 if s.shared_areas else 0.0,
        "budget": 1.0 if s.shared_amounts else 0.0,
        "programme": 1.0 if s.shared_programmes else 0.0,
        "agency": 1.0 if s.shared_agencies else 0.0,
        "log_gap": 0.0 if gap is None else math.log1p(gap) / 8,
        "no_gap": 1.0 if gap is None else 0.0,
        "year_jaccard": s.year_jaccard,
        "year_differs": 1.0 if s.year_differs else 0.0,
    }


INSTANCE_FEATURES = ("head_year_conflict", "round_conflict", "area_conflict", "both_appointments")


def instance_features(s: PairSignals) -> dict[str, float]:
    """What the labelling guide's rules read (see ``decide``): another instance of one
    programme (year, round or period, area named in the titles), and personnel appointments."""
    return {k: float(getattr(s, k)) for k in INSTANCE_FEATURES}


# The topic prior (``benchmarks/policy_calibrate.py``, the corpus models only): how prone to
# redundancy a pair's kind of item is (another day's briefing of a series is not; one decision
# retold by two ministries often is), learnt from the labelled set. Its fit reads the first
# ``TOPIC_DIMS`` dimensions of the LSA of the full corpus over its ``TOPIC_TOKENS`` most frequent
# words; the weights of those dimensions fold into one weight per word (``model["topic_tokens"]``,
# each corpus model's ``"topic"`` list), so an item's score is its content TF-IDF row times those
# weights, whatever corpus it is analysed in, and a pair's prior is the sum of its two items'.
TOPIC = "topic"
TOPIC_DIMS = 64
TOPIC_TOKENS = 20000


def topic_weights(model: dict[str, Any]) -> dict[str, list[float]]:
    """Each redundancy model's weight list (aligned with ``model["topic_tokens"]``), for the
    models that have a topic prior."""
    return {
        key: m[TOPIC]
        for key, m in model.items()
        if isinstance(m, dict) and isinstance(m.get(TOPIC), list)
    }


@lru_cache(maxsize=1)
def calibrated_model() -> dict[str, Any] | None:
    """Logistic models fitted on the dev split of the labelled set, if the data file exists."""
    path = resources.files("prasan.policy").joinpath("data/relate_model.json")
    if not path.is_file():
        return None
    model: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return model


def redundancy_threshold(cfg: RelateConfig, red: dict[str, Any], *, batch: bool) -> float:
    """The probability from which a pair is redundant under the redundancy model ``red``: the
    dev-split threshold for single comparisons, the corpus-run threshold for batch analysis."""
    if not batch:
        return float(red["threshold"])
    if cfg.batch_redundant is not None:
        return cfg.batch_redundant
    return float(red.get("batch_threshold", red["threshold"]))


def corpus_model_key(model: dict[str, Any], name: str, *, context: bool) -> str:
    """The corpus model of ``name`` (``name + "_context"``: fitted on the corpus context too)
    when the pair has the context and the model file has that model, else ``name``."""
    key = name + "_context"
    return key if context and key in model else name


def redundancy_model_key(model: dict[str, Any], *, encoder: bool, context: bool) -> str:
    """Which redundancy model reads a pair: with or without the encoder, and with the corpus
    context when the pair has it and the model file has a model for it."""
    name = "redundant_encoder" if encoder else "redundant_plain"
    return corpus_model_key(model, name, context=context)


def reads_memory(model: dict[str, Any]) -> bool:
    """Whether the model file's corpus models read the labelled pairs' memory
    (``prasan.policy.memory``)."""
    return isinstance(model.get(MEMORY), dict)


def _prob(m: dict[str, Any], f: dict[str, float]) -> float:
    z = float(m["intercept"]) + sum(float(w) * f[k] for k, w in m["weights"].items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def is_copy(s: PairSignals) -> bool:
    """A near-verbatim copy: ``duplicate`` whatever the model or the encoder would say."""
    contain = s.containment if s.shingles_min >= 30 else 0.0
    short_copy = s.shingles_min >= 5 and s.containment >= 0.9 and s.jaccard >= 0.5
    return s.jaccard >= 0.8 or contain >= 0.9 or short_copy


def decide(s: PairSignals, cfg: RelateConfig | None = None, *, batch: bool = False) -> Relation:
    """The calibrated model when present (``data/relate_model.json``), else the rules.

    ``batch`` applies the corpus-run thresholds (``RelateConfig.batch_*``) instead of the
    threshold chosen on the labelled set's dev split."""
    cfg = cfg or RelateConfig()
    model = calibrated_model()
    if model is None or s.cross_language:
        return decide_by_rules(s, cfg)
    f = features(s) | (s.context or {})  # each model reads the features it was fitted on
    key = redundancy_model_key(model, encoder=s.encoder is not None, context=s.context is not None)
    red = model[key]
    if MEMORY in red["weights"] and MEMORY not in f:
        # a pair the memory was not read for (its file missing): the memory's base rate
        f[MEMORY] = float(model[MEMORY]["prior"])
    p = _model_prob(model, key, s, f)
    threshold = redundancy_threshold(cfg, red, batch=batch)
    copy = is_copy(s)
    if s.both_appointments:
        # the guide: personnel appointments are never a policy relation
        label, p = "unrelated", min(p, 0.1)
    elif s.instance_conflict and (copy or p >= threshold):
        # the guide: the same programme in another year, round, period or area is related,
        # even when a recurring release repeats its template almost word for word
        label, p = "related", min(p, threshold - 0.001)
    elif copy:
        label, p = "duplicate", max(p, 0.95)  # a copy is a copy, whatever the model says
    elif p >= threshold:
        label = "duplicate" if _cut(model, "duplicate_vs_overlap", s, f) else "overlap"
    else:
        label = "related" if _cut(model, "related_vs_unrelated", s, f) else "unrelated"
    return Relation(label=label, score=round(p, 4), facets=facets_of(s), signals=s)


def _model_prob(model: dict[str, Any], key: str, s: PairSignals, f: dict[str, float]) -> float:
    """The probability model ``key`` gives the pair: its features ``f``, and the pair's topic
    prior under that model when it reads one (each model has its own word weights)."""
    m = model[key]
    if TOPIC in m:
        f = f | {TOPIC: (s.topic or {}).get(key, 0.0)}
    return _prob(m, f)


def _cut(model: dict[str, Any], name: str, s: PairSignals, f: dict[str, float]) -> bool:
    """Whether the label model ``name`` (duplicate vs overlap, related vs unrelated; its
    corpus model in a corpus, ``corpus_model_key``) says the first of its two labels."""
    key = corpus_model_key(model, name, context=s.context is not None)
    return _model_prob(model, key, s, f) >= float(model[key].get("threshold", 0.5))


def decide_by_rules(s: PairSignals, cfg: RelateConfig | None = None) -> Relation:
    cfg = cfg or RelateConfig()
    score = score_of(s)
    contain = s.containment if s.shingles_min >= cfg.min_shingles_for_containment else 0.0
    t_title, t_cos = cfg.dup_title_and_cosine
    if (
        s.jaccard >= cfg.dup_jaccard
        or contain >= cfg.dup_containment
        or s.cosine >= cfg.dup_cosine
        or (s.title >= t_title and s.cosine >= t_cos)
        or (
            s.shared_programmes
            and s.cosine >= cfg.programme_cosine
            and s.title >= cfg.programme_title
        )
    ):
        label = "duplicate"
        score = max(score, 0.8)
    elif score >= cfg.overlap_score:
        label = "overlap"
    elif score >= cfg.related_score:
        label = "related"
    else:
        label = "unrelated"
    if s.encoder is not None and label in ("overlap", "related"):
        if label == "related" and s.encoder >= cfg.encoder_upgrade and s.cosine >= 0.15:
            label = "overlap"
            score = max(score, cfg.overlap_score)
        elif label == "overlap" and s.encoder < cfg.encoder_veto:
            label = "related"
            score = min(score, cfg.overlap_score - 0.01)
    if s.cross_language and s.encoder is not None:
        label = "overlap" if s.encoder >= 0.75 else "related" if s.encoder >= 0.5 else "unrelated"
    return Relation(label=label, score=score, facets=facets_of(s), signals=s)


def facets_of(s: PairSignals) -> list[str]:
    out = []
    if s.title >= 0.3 or s.dense >= 0.6 or (s.encoder or 0.0) >= 0.7:
        out.append("goal")
    if s.cosine >= 0.3 or s.jaccard >= 0.2:
        out.append("activity")
    if s.shared_targets:
        out.append("beneficiary")
    if s.shared_programmes and "activity" not in out:
        out.append("activity")
    if s.shared_agencies:
        out.append("agency")
    if s.shared_areas:
        out.append("area")
    if s.shared_amounts:
        out.append("budget")
    return out
