"""Corpus context: each item's neighbourhood, the pair features read from it, the models that
use them (batch and add only), and their life on disk."""

from __future__ import annotations

import gzip
import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import sparse

from prasan.policy import context as ctx
from prasan.policy import relate, store
from prasan.policy.analyzer import AnalyzerConfig, analyzer_from_documents
from prasan.policy.demo import demo_corpus_path
from prasan.policy.ingest import Document, split_items
from tests.benchmark_scripts import load_benchmark
from tests.policy.fake_models import model_file


def test_neighbourhood_leaves_out_the_items_own_document() -> None:
    x = sparse.csr_matrix(
        np.array([[1, 0, 0], [1, 0, 0], [0.6, 0.8, 0], [0, 0, 1]], dtype=np.float32)
    )
    z = x.toarray()
    docs = np.array([7, 7, 8, 9])  # items 0 and 1: one document
    stats = ctx.measure(x, x, z, z, docs, docs)[0]
    # item 0 does not see its twin (same document); its nearest other item is item 2 (0.6)
    assert stats[0, 0] == pytest.approx((0.6 + 0.0) / 2)  # top-5 mean over the 2 it may see
    assert stats[0, 2] == 1  # one item within cosine 0.5
    assert stats[2, 2] == 2  # item 2 sees both 0 and 1 at 0.6
    assert stats[3, 2] == 0
    feats = ctx.pair_features(stats[0], stats[2], cosine=0.6, dense=0.6)
    assert set(feats) == set(ctx.FEATURES)
    assert feats["x_margin"] == pytest.approx(0.6 - (stats[0, 0] + stats[2, 0]) / 2)


def test_growing_a_corpus_keeps_the_old_items_neighbourhoods_exact() -> None:
    rng = np.random.default_rng(0)
    n, m = 120, 30
    x = sparse.random(n + m, 40, density=0.2, random_state=1, format="csr")
    x = sparse.csr_matrix(x.multiply(1 / np.sqrt(x.multiply(x).sum(axis=1) + 1e-9)))
    z = rng.normal(size=(n + m, 8)).astype(np.float32)
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    docs = rng.integers(0, 60, size=n + m)  # some new rows share an old row's document
    whole, near_whole, nbrs_whole = ctx.measure(x, x, z, z, docs, docs)
    # many queries (the corpus transposed once) and few (the queries transposed): one answer
    blocked, near_blocked, nbrs_blocked = ctx.measure(x, x, z, z, docs, docs, block=16)
    np.testing.assert_allclose(blocked, whole, atol=1e-6)
    np.testing.assert_allclose(near_blocked, near_whole, atol=1e-6)
    np.testing.assert_array_equal(nbrs_blocked, nbrs_whole)
    stats, near, nbrs = ctx.measure(x[:n], x[:n], z[:n], z[:n], docs[:n], docs[:n])
    changed = ctx.grow(stats, near, nbrs, x[:n], z[:n], docs[:n], x[n:], z[n:], docs[n:], block=7)
    np.testing.assert_allclose(stats, whole[:n], atol=1e-6)
    np.testing.assert_allclose(near, near_whole[:n], atol=1e-6)
    # the nearest items too, new rows numbered after the old: the neighbourhood vectors agree
    np.testing.assert_array_equal(nbrs, nbrs_whole[:n])
    assert (nbrs >= n).any()  # some new rows joined a stored item's nearest
    before = ctx.measure(x[:n], x[:n], z[:n], z[:n], docs[:n], docs[:n])[0]
    moved = np.flatnonzero(np.abs(before - stats).max(axis=1) > 0)
    assert set(moved) <= set(changed.tolist()) and len(moved) > 0


def test_decide_cuts_labels_with_the_corpus_label_models_in_a_corpus(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    redundant = {"intercept": 5.0, "weights": {}, "threshold": 0.5}
    # the corpus label models read their own topic prior: overlap and unrelated unless it is
    # negative (the single-comparison ones say duplicate and related)
    cut = {"intercept": 0.0, "weights": {relate.TOPIC: -1.0}, "threshold": 0.5, "topic": []}
    model = model_file(
        redundant, duplicate_vs_overlap_context=cut, related_vs_unrelated_context=cut
    )
    monkeypatch.setattr(relate, "calibrated_model", lambda: model)
    s = relate.PairSignals(cosine=0.3, jaccard=0.1, containment=0.1, title=0.1, dense=0.3)
    assert relate.decide(s).label == "related"  # no corpus: the base models throughout
    s.context = dict.fromkeys(ctx.FEATURES, 0.0)
    s.topic = {"duplicate_vs_overlap_context": 2.0, "redundant_plain_context": -9.0}
    assert relate.decide(s).label == "overlap"
    s.topic["duplicate_vs_overlap_context"] = -2.0
    assert relate.decide(s).label == "duplicate"
    redundant["intercept"] = -5.0
    s.topic["related_vs_unrelated_context"] = 2.0
    assert relate.decide(s).label == "unrelated"
    s.topic["related_vs_unrelated_context"] = -2.0
    assert relate.decide(s).label == "related"
    s.topic["related_vs_unrelated_context"] = 2.0
    del model["related_vs_unrelated_context"]  # an older model file: the base model
    assert relate.decide(s).label == "related"


def test_decide_reads_the_context_model_only_for_a_pair_in_a_corpus(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with_context = {"intercept": 5.0, "weights": {"x_margin": 0.0}, "threshold": 0.5}
    model = model_file(with_context)
    monkeypatch.setattr(relate, "calibrated_model", lambda: model)
    s = relate.PairSignals(cosine=0.3, jaccard=0.1, containment=0.1, title=0.1, dense=0.3)
    assert relate.decide(s).label == "related"  # no corpus: the base model
    s.context = dict.fromkeys(ctx.FEATURES, 0.0)
    assert relate.decide(s).label == "duplicate"  # in a corpus: the context model
    del model["redundant_plain_context"]  # an older model file: the base model again
    assert relate.decide(s).label == "related"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    with gzip.open(demo_corpus_path(), "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh][:80]


def test_context_is_measured_in_the_batch_kept_on_disk_and_grown_by_add(
    rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    docs = [Document(id=r["id"], text=r["text"], title=r.get("title") or "") for r in rows[:60]]
    an = analyzer_from_documents(docs, workers=1)
    assert an.context is not None and an.context.shape == (len(an.items), len(ctx.STATS))
    assert an.context_docs is not None and len(an.context_docs) == len(an.items)
    path = store.state_path(tmp_path)
    store.save_analyzer(an, path)
    loaded = store.load_analyzer(path)
    assert loaded.context is not None
    np.testing.assert_array_equal(np.asarray(loaded.context), an.context)
    texts = {ai.id: ai.item.text for ai in an.items}
    loaded.text_source = lambda ids: {i: texts[i] for i in ids if i in texts}
    copy = Document(id="copy-of-" + rows[3]["id"], text=rows[3]["text"], title="")
    loaded.add(loaded.process(split_items(copy), workers=1))
    assert loaded.context is not None and len(loaded.context) == len(loaded.items)
    # the copy is the original's nearest item now: the stored original's neighbourhood grew,
    # exactly as measuring the grown corpus again would find
    original = loaded.index[split_items(docs[3])[0].id]
    assert original in loaded.context_changed
    f, keys = loaded.features, np.asarray(loaded.context_docs)
    assert f is not None
    again_measured, _, again_nbrs = ctx.measure(f.X, f.X, f.Z, f.Z, keys, keys)
    np.testing.assert_allclose(np.asarray(loaded.context), again_measured, atol=1e-5)
    # (the copy and its original tie: in any order)
    np.testing.assert_array_equal(
        np.sort(np.asarray(loaded.context_nbrs), axis=2), np.sort(again_nbrs, axis=2)
    )
    assert loaded.context[original, 0] > an.context[original, 0]
    store.save(loaded, path)  # a delta, not a rewrite
    assert store.delta_path(path).exists()
    again = store.load_analyzer(path)
    assert again.context is not None and again.context_near is not None
    np.testing.assert_array_equal(np.asarray(again.context), np.asarray(loaded.context))
    np.testing.assert_array_equal(np.asarray(again.context_near), loaded.context_near)
    np.testing.assert_array_equal(np.asarray(again.context_nbrs), loaded.context_nbrs)
    assert again.context_changed == loaded.context_changed


def test_neighbourhood_vectors_make_two_items_in_different_words_alike() -> None:
    # items 0 and 1 share no word, but each sits among items about one subject (2, 3)
    x = sparse.csr_matrix(
        np.array(
            [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0.6, 0.6, 0.5, 0, 0], [0.6, 0.6, 0, 0.5, 0],
             [0, 0, 0, 0, 1]],
            dtype=np.float32,
        )
    )  # fmt: skip
    x = sparse.csr_matrix(x.multiply(1 / np.sqrt(x.multiply(x).sum(axis=1))))
    z = x.toarray().astype(np.float32)
    docs = np.arange(5)
    _, _, nbrs = ctx.measure(x, x, z, z, docs, docs)
    assert nbrs.shape == (5, 2, ctx.NB)
    # its nearest others by TF-IDF: 2 and 3 (item 1 shares no word with it: no neighbour)
    assert sorted(nbrs[0, 0].tolist()) == [-1, 2, 3]
    cos = ctx.neighbourhood_cosines(nbrs, np.array([[0, 1], [0, 4]]), x, z)
    assert float((x[0] @ x[1].T).toarray()[0, 0]) == 0.0
    assert cos[0, 0] > 0.8 and cos[0, 1] > 0.8  # alike by their neighbourhoods
    assert cos[1, 0] == 0.0  # item 4 shares nothing with anyone: no neighbourhood
    assert set(ctx.neighbourhood_features(cos[0])) == set(ctx.NEIGHBOURHOOD)
    # an item with no neighbour (a corpus of one document) has a zero vector, not a NaN
    lone = ctx.measure(x[:1], x[:1], z[:1], z[:1], docs[:1], docs[:1])[2]
    assert (lone == -1).all()
    assert np.isfinite(ctx.neighbourhood_cosines(np.concatenate([lone, nbrs[:1]]),
                                                 np.array([[0, 1]]), x, z)).all()  # fmt: skip


def _analysed_with_nearest(rows: list[dict[str, Any]], n: int) -> tuple[Any, np.ndarray]:
    """An analyser fitted on the first ``n`` demo rows, and a copy of its nearest items."""
    docs = [Document(id=r["id"], text=r["text"], title=r.get("title") or "") for r in rows[:n]]
    an = analyzer_from_documents(docs, workers=1)
    return an, np.asarray(an.context_nbrs).copy()


def test_a_state_saved_without_nearest_items_measures_them_once(
    rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    an, expected = _analysed_with_nearest(rows, 40)
    path = store.state_path(tmp_path)
    store.save_analyzer(an, path)
    version = path / (path / "CURRENT").read_text(encoding="utf-8").strip()
    (version / "context_nbrs.npy").unlink()  # as a state saved before session 10
    old = store.load_analyzer(path)
    assert old.context_nbrs is None
    pairs = old.relate_corpus(np.array([[0, 1], [2, 3]]), keep_unrelated=True)
    assert len(pairs) == 2
    np.testing.assert_array_equal(np.asarray(old.context_nbrs), expected)
    # the state on disk lacks them: the next save writes it whole, with them
    store.save(old, path)
    assert not store.delta_path(path).exists()
    np.testing.assert_array_equal(np.asarray(store.load_analyzer(path).context_nbrs), expected)


def test_a_legacy_single_pickle_state_gets_what_later_versions_added(
    rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    an, expected = _analysed_with_nearest(rows, 30)
    del an.__dict__["context_nbrs"]  # as pickled by a version that had no such attribute
    path = store.state_path(tmp_path)
    path.parent.mkdir(parents=True)
    with (path.parent / store.LEGACY_FILE).open("wb") as fh:
        pickle.dump(an, fh)
    converted = store.load_analyzer(path)
    assert not (path.parent / store.LEGACY_FILE).exists()
    # converted without the attribute, then measured on first use
    assert converted.context_nbrs is None
    converted.relate_corpus(np.array([[0, 1]]), keep_unrelated=True)
    np.testing.assert_array_equal(np.asarray(converted.context_nbrs), expected)


@pytest.mark.slow
def test_calibration_fits_the_context_models_from_a_stored_analysis(
    tmp_path: Path, stored_policy_analysis: Path
) -> None:
    cal = load_benchmark("policy_calibrate")
    model_out, report_out = tmp_path / "m.json", tmp_path / "r.json"
    cal.main(
        ["--model-out", str(model_out), "--report-out", str(report_out), "--no-study",
         "--repeats", "2", "--data-dir", str(stored_policy_analysis)]
    )  # fmt: skip
    model = json.loads(model_out.read_text(encoding="utf-8"))
    for key in ("redundant_encoder_context", "redundant_plain_context"):
        assert set(ctx.FEATURES) <= set(model[key]["weights"])
        assert 0 < model[key]["batch_threshold"] < 1
    report = json.loads(report_out.read_text(encoding="utf-8"))
    assert set(report["context"]["test_redundancy_f1"]) == {
        "redundant_encoder_context",
        "redundant_plain_context",
    }


def test_a_corpus_beyond_the_cap_is_measured_against_a_fixed_sample(
    rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    assert ctx.reference(100, 100) is None
    ref = ctx.reference(100, 30)
    assert ref is not None and len(set(ref.tolist())) == 30 and list(ref) == sorted(ref)
    assert np.array_equal(ref, ctx.reference(100, 30))  # the same sample every time
    docs = [Document(id=r["id"], text=r["text"], title=r.get("title") or "") for r in rows[:60]]
    an = analyzer_from_documents(docs, config=AnalyzerConfig(context_reference=20), workers=1)
    assert an.context_ref is not None and len(an.context_ref) == 20
    assert an.context is not None and an.context.shape == (len(an.items), len(ctx.STATS))
    path = store.state_path(tmp_path)
    store.save_analyzer(an, path)
    loaded = store.load_analyzer(path)
    assert loaded.context_ref is not None
    assert np.array_equal(loaded.context_ref, an.context_ref)
    texts = {ai.id: ai.item.text for ai in an.items}
    loaded.text_source = lambda ids: {i: texts[i] for i in ids if i in texts}
    copy = Document(id="copy-of-" + rows[3]["id"], text=rows[3]["text"], title="")
    loaded.add(loaded.process(split_items(copy), workers=1))
    assert loaded.context is not None and len(loaded.context) == len(loaded.items)
