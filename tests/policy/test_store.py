"""The analyser state on disk and the fast ``add`` path: a stored-and-loaded analyser adds
documents exactly as the one in memory does, the pieces that replaced slow ones (LSH from
signatures, lazily read items, the newmm dictionary sets, the prepared encoder, the
union-find clusters) answer as the originals did, and an older single-pickle state converts."""

from __future__ import annotations

import copy
import gzip
import json
import pickle
import random
import zlib
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import pytest

from prasan.policy import candidates as cand
from prasan.policy import pipeline, segment, store
from prasan.policy.analyzer import AnalyzedItem, Analyzer, AnalyzerConfig, Pair, sentence_key
from prasan.policy.demo import demo_corpus_path
from prasan.policy.graph import components
from prasan.policy.ingest import Document, split_items


def demo_rows(n: int) -> list[dict[str, Any]]:
    with gzip.open(demo_corpus_path(), "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh][:n]


def write_corpus(path: Path, rows: list[dict[str, Any]]) -> Path:
    """``rows`` as a JSONL corpus file at ``path``."""
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


class HashEmbedder:
    """A stand-in encoder: a fixed vector per text, so any change in what is encoded (for
    example an empty string for a stored item's text) changes the result."""

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        out = np.empty((len(texts), 16), dtype=np.float32)
        for k, t in enumerate(texts):
            v = np.random.default_rng(zlib.crc32(t.encode("utf-8"))).normal(size=16)
            out[k] = v / np.linalg.norm(v)
        return out


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return demo_rows(101)


@pytest.fixture(scope="module")
def fitted(rows: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """80 demo documents analysed with the encoder consulted for every pair (a band of 1.0),
    so the stored-item texts it reads are exercised."""
    path = tmp_path_factory.mktemp("c") / "c.jsonl"
    write_corpus(path, rows[:80])
    config = AnalyzerConfig(encoder_band_model=1.0, encoder_band=1.0)
    return pipeline.run([path], config=config, embedder=HashEmbedder(), workers=1)


def _new_items(rows: list[dict[str, Any]]) -> list[AnalyzedItem]:
    """A verbatim copy of a stored document under a new id, half of another, half of two
    others mixed (similar to both, a copy of neither), and one not in the corpus."""
    half = rows[7]["text"].split("\n")
    mixed = rows[11]["text"].split("\n")[::2] + rows[12]["text"].split("\n")[1::2]
    docs = [
        Document(id="copy-of-" + rows[3]["id"], text=rows[3]["text"], title=rows[3]["title"]),
        Document(id="half-of-" + rows[7]["id"], text="\n".join(half[::2])),
        Document(id="mixed", text="\n".join(mixed)),
        Document(id=rows[100]["id"], text=rows[100]["text"], title=rows[100]["title"]),
    ]
    return Analyzer.process([it for d in docs for it in split_items(d)], workers=1)


def _as_rows(an: Analyzer, pairs: list[Pair]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            an.items[p.a].id,
            an.items[p.b].id,
            p.relation.label,
            p.relation.score,
            tuple(p.relation.facets),
            tuple((e.a, e.b, e.score) for e in p.evidence),
        )
        for p in pairs
    )


def test_a_loaded_analyzer_adds_exactly_as_the_one_in_memory(
    fitted: pipeline.AnalysisResult, rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    warm = fitted.analyzer
    path = store.state_path(tmp_path)
    store.save_analyzer(warm, path)
    cold = store.load_analyzer(path)
    assert isinstance(cold.items, store.StoredItems) and isinstance(cold.lsh, cand.BandIndex)
    texts = {ai.id: ai.item.text for ai in warm.items}
    cold.text_source = lambda ids: {i: texts[i] for i in ids}
    cold.embedder = warm.embedder
    calls_before = warm.encoder_calls

    in_memory = copy.deepcopy(warm)  # the fitted analyser stays as the fixture made it
    encoded: list[tuple[str, str]] = []
    encode = in_memory.encode_heads

    def spy(items: Any) -> npt.NDArray[np.float32]:
        encoded.extend((ai.id, ai.item.text) for ai in items)
        return encode(items)

    in_memory.encode_heads = spy  # type: ignore[method-assign]
    expected = _as_rows(in_memory, in_memory.add(_new_items(rows)))
    got = _as_rows(cold, cold.add(_new_items(rows)))
    assert got == expected
    # the encoder decided some of these pairs, and read stored items' texts to do so
    assert in_memory.encoder_calls > calls_before
    stored = {i for i, t in encoded if t and i in texts}
    assert any(a in stored or b in stored for a, b, *_ in got)
    labels = {frozenset((a, b)): label for a, b, label, *_ in got}
    assert labels[frozenset(("copy-of-" + rows[3]["id"], rows[3]["id"]))] == "duplicate"


def test_a_repeated_document_is_the_same_pair_in_add_as_in_a_batch(
    rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    copy_row = dict(rows[5], id="again-" + rows[5]["id"])
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, rows[:60])
    with_copy = tmp_path / "c2.jsonl"
    with_copy.write_text(
        corpus.read_text(encoding="utf-8") + json.dumps(copy_row, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    batch = pipeline.run([with_copy], workers=1)
    key = {rows[5]["id"], copy_row["id"]}
    in_batch = [
        p
        for p in batch.pairs
        if {batch.analyzer.items[p.a].id, batch.analyzer.items[p.b].id} == key
    ]
    base = pipeline.run([corpus], workers=1)
    store.save_analyzer(base.analyzer, store.state_path(tmp_path))
    cold = store.load_analyzer(store.state_path(tmp_path))
    doc = Document(id=copy_row["id"], text=copy_row["text"], title=copy_row["title"])
    added = cold.add(Analyzer.process(split_items(doc), workers=1))
    in_add = [p for p in added if {cold.items[p.a].id, cold.items[p.b].id} == key]
    assert len(in_batch) == len(in_add) == 1
    assert in_batch[0].relation.label == in_add[0].relation.label == "duplicate"
    # the same signals; only the corpus context differs a little: both sides now count each
    # other among their neighbours, but the stored features (idf included) were fitted
    # without the copy, the batch's with it
    got, want = in_add[0].relation.signals, in_batch[0].relation.signals
    assert (got.cosine, got.jaccard, got.title) == pytest.approx(
        (want.cosine, want.jaccard, want.title)
    )
    assert in_add[0].relation.score == pytest.approx(in_batch[0].relation.score, abs=0.02)


def _segmented(an: Analyzer, k: int) -> tuple[list[tuple[int, int]], list[str]]:
    """Item ``k``'s sentences and tokens as segmenting its text gives them, with no tokens
    for its boilerplate sentences (which evidence never reads)."""
    ai = an.items[k]
    spans, tokens = segment.segment_text(ai.item.text)
    boiler = [sentence_key(ai.item.text[s:e]) in an.boiler_keys for s, e in spans]
    return spans, ["" if b else t for t, b in zip(tokens, boiler, strict=True)]


def test_stored_segments_spare_add_segmenting_its_neighbours_again(
    fitted: pipeline.AnalysisResult,
    rows: list[dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warm = copy.deepcopy(fitted.analyzer)
    texts = {ai.id: ai.item.text for ai in warm.items}
    path = store.state_path(tmp_path)
    store.save_analyzer(warm, path)
    cold = store.load_analyzer(path)
    assert isinstance(cold.segments, store.StoredSegments)
    assert len(cold.segments) == len(cold.items)
    for k in range(len(cold.items)):  # (segment_text of an item loaded without its text)
        cold.items[k].item.text = texts[cold.items[k].id]
        assert cold.segments.get(k) == _segmented(cold, k), cold.items[k].id
    cold = store.load_analyzer(path)
    cold.text_source = lambda ids: {i: texts[i] for i in ids}

    def no_segmenting(text: str) -> Any:
        raise AssertionError("a stored item was segmented again")

    new = _new_items(rows)
    monkeypatch.setattr("prasan.policy.analyzer.segment_text", no_segmenting)
    pairs = cold.add(new)
    assert any(p.evidence for p in pairs)  # evidence read stored neighbours' sentences
    # the added items' segments go with the delta, then with the whole state when it is
    # written again, and a later add reads them there too
    store.save(cold, path)
    again = store.load_analyzer(path)
    added = range(len(fitted.analyzer.items), len(again.items))
    assert [again.items[k].p.tokens for k in added] == [ai.p.tokens for ai in new]
    store.save_analyzer(again, path)  # stored records and segments copied as blocks
    whole = store.load_analyzer(path)
    assert isinstance(whole.segments, store.StoredSegments) and whole.index == again.index
    assert [store._record(ai) for ai in whole.items] == [store._record(ai) for ai in again.items]
    assert isinstance(again.segments, store.StoredSegments)
    for k in range(len(fitted.analyzer.items)):
        assert whole.segments.get(k) == again.segments.get(k)
    for k in added:
        got = whole.segments.get(k)
        assert got is not None and got[0] == new[k - added.start].p.spans
    texts.update((ai.id, ai.item.text) for ai in new)
    whole.text_source = lambda ids: {i: texts[i] for i in ids}
    copy_again = Document(id="copy-again", text=rows[3]["text"], title=rows[3]["title"])
    monkeypatch.undo()
    newer = Analyzer.process(split_items(copy_again), workers=1)
    monkeypatch.setattr("prasan.policy.analyzer.segment_text", no_segmenting)
    repeated = [p for p in whole.add(newer) if p.relation.label == "duplicate"]
    partners = {whole.items[k].id for p in repeated for k in (p.a, p.b)} - {"copy-again"}
    assert partners >= {rows[3]["id"], "copy-of-" + rows[3]["id"]}
    assert all(p.evidence for p in repeated)


def test_saving_again_switches_versions_and_leaves_one(
    fitted: pipeline.AnalysisResult, tmp_path: Path
) -> None:
    path = store.state_path(tmp_path)
    store.save_analyzer(fitted.analyzer, path)
    store.save_analyzer(fitted.analyzer, path)
    assert [p.name for p in path.glob("v*")] == ["v2"]
    assert (path / "CURRENT").read_text(encoding="utf-8") == "v2"
    again = store.load_analyzer(path)
    assert len(again.items) == len(fitted.analyzer.items)
    assert again.index == fitted.analyzer.index


def test_band_index_finds_what_datasketch_finds() -> None:
    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**32, size=(400, 64), dtype=np.uint64)
    # near-duplicates: rows that share some bands with others
    for k in range(0, 400, 10):
        base[k + 1, : 8 * (k % 7 + 1)] = base[k, : 8 * (k % 7 + 1)]
    lsh = cand.lsh_index(base, list(range(400)), 0.5)
    bands = cand.BandIndex(base[:300], int(lsh.b), int(lsh.r))  # type: ignore[attr-defined]
    for k in range(300, 400):
        bands.insert(k, base[k])
    for k in range(400):
        assert sorted(cand.lsh_query(lsh, base[k])) == cand.lsh_query(bands, base[k])
    with pytest.raises(ValueError):
        bands.insert(7, base[7])


def test_stored_items_are_read_once_and_only_appended(
    fitted: pipeline.AnalysisResult, tmp_path: Path
) -> None:
    path = store.state_path(tmp_path)
    store.save_analyzer(fitted.analyzer, path)
    items = store.load_analyzer(path).items
    original = fitted.analyzer.items
    assert len(items) == len(original)
    assert items[5] is items[5] and items[-1] is items[len(items) - 1]
    assert items[5].id == original[5].id and items[5].p.agencies == original[5].p.agencies
    assert [ai.id for ai in items[2:6]] == [ai.id for ai in original[2:6]]
    assert items[5].item.text == "" and items[5].p.tokens == []  # the texts are in the database
    extra = original[0]
    items.append(extra)
    assert items[-1] is extra and len(items) == len(original) + 1
    with pytest.raises(TypeError):
        items[0] = extra
    with pytest.raises(TypeError):
        del items[0]
    with pytest.raises(IndexError):
        items[len(items)]


def test_a_state_of_the_old_single_pickle_layout_is_converted(
    fitted: pipeline.AnalysisResult, tmp_path: Path
) -> None:
    an = copy.deepcopy(fitted.analyzer)
    an.embedder = None
    an.items = [store._light(ai) for ai in an.items]
    params = an.minhasher.params
    an.minhasher.__dict__.update(zip(("a", "b"), params, strict=True))
    del an.minhasher.__dict__["_params"]  # as earlier versions pickled it
    legacy = tmp_path / "policy" / store.LEGACY_FILE
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(pickle.dumps(an))
    loaded = store.load_analyzer(store.state_path(tmp_path))
    assert not legacy.exists() and store.exists(store.state_path(tmp_path))
    assert loaded.index == fitted.analyzer.index
    assert loaded.features is not None and fitted.analyzer.features is not None
    assert (loaded.features.X != fitted.analyzer.features.X).nnz == 0
    assert np.array_equal(loaded.features.S, fitted.analyzer.features.S)
    assert all(np.array_equal(x, y) for x, y in zip(loaded.minhasher.params, params, strict=True))


def test_no_state_says_what_to_do(tmp_path: Path) -> None:
    from prasan.policy.errors import NoAnalysis

    with pytest.raises(NoAnalysis, match="prasan policy analyze"):
        store.load_analyzer(store.state_path(tmp_path))


def test_the_newmm_dictionary_sets_segment_as_pythainlps_trie(
    rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    from pythainlp.tokenize import word_dict_trie, word_tokenize

    ours = segment.NewmmDictionary.from_pythainlp()
    trie = word_dict_trie()
    assert len(ours) == len(trie)
    text = "\n".join(r["text"] for r in rows[:40])
    assert word_tokenize(text, engine="newmm", custom_dict=ours) == word_tokenize(  # type: ignore[arg-type]
        text, engine="newmm", custom_dict=trie
    )
    for start in range(0, 2000, 7):
        assert ours.prefixes(text, start) == trie.prefixes(text, start)
    plain = segment.tokenize(text)
    segment.use_dictionary(ours)
    try:
        assert segment.tokenize(text) == plain
    finally:
        segment.use_dictionary(None)
    cache = tmp_path / "newmm.txt"
    made = segment.prepare_dictionary(cache)  # missing: built and written
    assert made.words == ours.words and cache.exists()
    loaded = segment.NewmmDictionary.load(cache)
    assert loaded is not None and loaded.words == ours.words and loaded.stems == ours.stems
    cache.write_text("newmm-dictionary v0 1 2\n1\nก", encoding="utf-8")  # another word list
    assert segment.NewmmDictionary.load(cache) is None
    assert segment.NewmmDictionary.load(tmp_path / "missing.txt") is None


@pytest.mark.slow
def test_the_prepared_encoder_gives_the_same_vectors(tmp_path: Path) -> None:
    from prasan.policy.embed import UseEmbedder

    texts = ["กระทรวงแรงงานส่งเสริมการจ้างงานผู้สูงอายุ", "Elderly employment", "ธรรมะ"]
    plain = UseEmbedder().encode(texts)
    first = UseEmbedder(cache_dir=tmp_path / "use")
    assert np.array_equal(first.encode(texts), plain)  # loads the slow way, writes the copy
    assert (tmp_path / "use" / "fingerprint").exists()
    second = UseEmbedder(cache_dir=tmp_path / "use")
    assert np.array_equal(second.encode(texts), plain)
    assert isinstance(second._model._backend.table, np.memmap)  # it was the prepared copy


def test_union_find_components_are_networkxs_in_order() -> None:
    rng = random.Random(5)
    nodes = [f"n{k:02d}" for k in range(40)]
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(25)]
    edges += [(rng.choice(nodes), f"cluster:R{rng.randint(1, 6)}") for _ in range(10)]
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    assert components(nodes, edges) == [set(c) for c in nx.connected_components(g)]


def test_the_batch_builds_its_graph_once(
    rows: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = pipeline.build_graph

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(pipeline, "build_graph", counting)
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, rows[:30])
    result = pipeline.run([corpus], workers=1)
    pipeline.write_outputs(result, tmp_path / "out")
    assert len(calls) == 1
    g = nx.read_graphml(tmp_path / "out" / "graph.graphml")
    assert g.number_of_nodes() == len(result.analyzer.items)


def test_add_consults_the_encoder_only_as_near_the_threshold_as_the_batch_could(
    rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "c.jsonl"
    write_corpus(path, rows[:80])
    # a budget of 4 items: the batch reaches only the pairs nearest the threshold
    config = AnalyzerConfig(encoder_band_model=1.0, encoder_band=1.0, encoder_max_items=4)
    result = pipeline.run([path], config=config, embedder=HashEmbedder(), workers=1)
    band = result.analyzer.encoder_band
    assert band is not None and 0.0 <= band < 1.0
    state = store.state_path(tmp_path)
    store.save_analyzer(result.analyzer, state)
    loaded = store.load_analyzer(state)
    assert loaded.encoder_band == band
    # without the budget (the full band) the batch records the band itself
    wide = pipeline.run(
        [path], config=AnalyzerConfig(encoder_band_model=1.0, encoder_band=1.0),
        embedder=HashEmbedder(), workers=1,
    )  # fmt: skip
    assert wide.analyzer.encoder_band == 1.0


def _exact_knn(z: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.float32]:
    sims = np.asarray(z @ z.T, dtype=np.float32)
    np.fill_diagonal(sims, -np.inf)
    return -np.sort(-sims, axis=1)[:, :k]


def test_add_finds_dense_neighbours_both_ways_as_a_batch_would(
    rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    """A batch pairs each item with its nearest others by LSA; ``add`` pairs a new item with
    its nearest and with every stored item that now has it among its nearest, and keeps each
    item's nearest cosines exact, on disk too."""
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, rows[:60])
    config = AnalyzerConfig(knn_min_cos=0.2, knn_k=3)
    base = pipeline.run([corpus], config=config, workers=1)
    an = base.analyzer
    assert an.features is not None and an.knn_near is not None
    np.testing.assert_allclose(an.knn_near, _exact_knn(np.asarray(an.features.Z), 3), atol=1e-5)
    path = store.state_path(tmp_path)
    store.save_analyzer(an, path)
    cold = store.load_analyzer(path)
    n = len(cold.items)
    new: list[AnalyzedItem] = []
    for r in rows[60:66]:
        new += Analyzer.process(split_items(Document(id=r["id"], text=r["text"])), workers=1)
    pairs = {(int(a), int(b)) for a, b in cold.add_candidates(new)}
    f = cold.features
    assert f is not None and cold.knn_near is not None
    z = np.asarray(f.Z)
    want = _exact_knn(z, 3)
    np.testing.assert_allclose(cold.knn_near, want, atol=1e-5)
    # every pair a batch's nearest-neighbour step would make with a new item is a candidate,
    # from the new item's side and from the stored item's
    sims = z @ z.T
    reverse = 0
    for i in range(len(z)):
        for j in range(n, len(z)):
            if i != j and sims[i, j] >= 0.2 and sims[i, j] >= want[i, -1] - 1e-6:
                assert (min(i, j), max(i, j)) in pairs
                reverse += i < n
    assert reverse > 0  # the test exercises stored items gaining a new nearest
    assert cold.knn_changed and max(cold.knn_changed) < n
    store.save(cold, path)  # a delta
    again = store.load_analyzer(path)
    assert again.knn_near is not None
    np.testing.assert_array_equal(np.asarray(again.knn_near), cold.knn_near)
    assert again.knn_changed == cold.knn_changed


def test_add_finds_lsh_neighbours_both_ways_as_a_batch_would(
    rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    """A batch pairs each item with the nearest of its LSH hits by MinHash Jaccard, from
    every item's side; ``add`` pairs a new item with its nearest hits and with every hit that
    has the new item among its own nearest (with ties, at least as near as its last one)."""
    # stored: a document d, two copies of it with a line more, and its first half; added: d
    # again, whose two nearest are d and a longer copy, while the half has it among its own
    d = rows[3]
    lines = d["text"].split("\n")
    extra = [
        dict(d, id="longer-1", text=d["text"] + "\n" + rows[20]["text"].split("\n")[0]),
        dict(d, id="longer-2", text=d["text"] + "\n" + rows[21]["text"].split("\n")[0]),
        dict(d, id="half", text="\n".join(lines[: len(lines) // 2 + 1])),
    ]
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, rows[:60] + extra)
    config = AnalyzerConfig(lsh_max_per_item=2, knn_min_cos=1.01)  # (no dense pairs)
    an = store.load_analyzer(_saved(pipeline.run([corpus], config=config, workers=1), tmp_path))
    n = len(an.items)
    docs = [Document(id=r["id"], text=r["text"]) for r in rows[60:66]]
    docs.append(Document(id="again", text=d["text"]))
    new = [it for doc in docs for it in Analyzer.process(split_items(doc), workers=1)]
    pairs = {(int(a), int(b)) for a, b in an.add_candidates(new)}
    assert an.features is not None
    sig = np.asarray(an.features.S)

    def hits(x: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        near = sorted(h for h in cand.lsh_query(an.lsh, sig[x]) if h != x)
        keys = np.asarray(near, dtype=np.int64)
        return keys, (sig[keys] == sig[x]).mean(axis=1) if near else np.zeros(0)

    def nearest(x: int) -> set[int]:
        """x's LSH hits among its two nearest by Jaccard (ties count), at >= 0.3."""
        keys, jac = hits(x)
        return {int(h) for h, j in zip(keys, jac, strict=True) if j >= 0.3 and (jac > j).sum() < 2}

    def first_two(x: int) -> set[int]:
        """x's first two hits by Jaccard, ties in key order: what x's own side gives."""
        keys, jac = hits(x)
        return {int(keys[o]) for o in np.argsort(-jac, kind="stable")[:2] if jac[o] >= 0.3}

    reverse = 0
    for x in range(len(sig)):
        for h in nearest(x):
            if h >= n:  # a new item among x's nearest: the batch pairs them
                assert (min(x, h), max(x, h)) in pairs, (x, h)
                reverse += x < n and x not in first_two(h)
    assert reverse > 0  # the test exercises a pair only the stored item's side finds


def _saved(result: pipeline.AnalysisResult, tmp_path: Path) -> Path:
    path = store.state_path(tmp_path)
    store.save_analyzer(result.analyzer, path)
    return path


def test_knn_top_gives_each_querys_nearest_others_and_pads_when_there_are_few() -> None:
    z = np.eye(3, dtype=np.float32)
    z[1] = [0.6, 0.8, 0.0]
    idx, vals = cand.knn_top(z, z, 4, self_offset=0)
    assert idx.shape == vals.shape == (3, 4)
    assert idx[0].tolist() == [1, 2, -1, -1]  # itself left out; two others, then padding
    assert vals[0, 0] == pytest.approx(0.6) and np.isneginf(vals[0, 2:]).all()
    idx, vals = cand.knn_top(z[:1], z, 1)  # not the same rows: itself may be its nearest
    assert idx.tolist() == [[0]] and vals[0, 0] == pytest.approx(1.0)


class NamedHashEmbedder(HashEmbedder):
    """The stand-in encoder with a name, as the real ones have: its vectors may be kept."""

    name = "hash-16"


def test_encoder_vectors_are_kept_with_the_state_and_not_computed_again(
    rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "c.jsonl"
    write_corpus(path, rows[:80])
    config = AnalyzerConfig(encoder_band_model=1.0, encoder_band=1.0)
    batch = pipeline.run([path], config=config, embedder=NamedHashEmbedder(), workers=1).analyzer
    assert batch.heads and batch.heads_encoder == "hash-16"
    assert len(batch.heads) == batch.encoder_calls  # each item encoded once
    state = store.state_path(tmp_path)
    store.save_analyzer(batch, state)
    texts = {ai.id: ai.item.text for ai in batch.items}

    def loaded(embedder: Any) -> Analyzer:
        an = store.load_analyzer(state)
        an.text_source = lambda ids: {i: texts[i] for i in ids}
        an.embedder = embedder
        return an

    kept, fresh = loaded(NamedHashEmbedder()), loaded(HashEmbedder())  # no name: no cache
    other = loaded(NamedHashEmbedder())
    other.heads_encoder = "another"  # vectors made by another encoder: none are used
    assert kept.heads.keys() == batch.heads.keys()
    got, want = kept.add(_new_items(rows)), fresh.add(_new_items(rows))
    assert not fresh.heads_unsaved  # an encoder without a name: nothing kept
    assert _as_rows(kept, got) == _as_rows(fresh, want)  # the same decisions either way
    assert 0 < kept.encoder_calls < fresh.encoder_calls  # stored items were not encoded again
    assert kept.heads_unsaved and all(k in kept.heads for k in kept.heads_unsaved)
    store.save(kept, state)  # a delta carries the vectors computed since
    again = store.load_analyzer(state)
    assert again.heads.keys() == kept.heads.keys() and again.heads_encoder == "hash-16"
    for k in kept.heads_unsaved:
        np.testing.assert_array_equal(again.heads[k], kept.heads[k])
    other.add(_new_items(rows))
    assert other.encoder_calls == fresh.encoder_calls
