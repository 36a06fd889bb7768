"""The batch pipeline behind ``prasan policy analyze``: read → split → segment → fit →
candidates → relate → evidence → graph → write, each step timed.

Outputs in the chosen directory: ``items.jsonl``, ``pairs.jsonl``, ``doc_pairs.jsonl``,
``clusters.jsonl``, ``graph.graphml``, ``summary.json`` (counts, timings, peak memory,
input problems) — the formats are part of the interface in issue 3 and docs/policy.md.
"""

from __future__ import annotations

import json
import resource
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prasan.policy.analyzer import AnalyzedItem, Analyzer, AnalyzerConfig, Embedder, Pair
from prasan.policy.graph import (
    Cluster,
    GraphEdge,
    GraphNode,
    build_graph,
    clusters_of,
    fragmentation_by_agency,
    write_graphml,
)
from prasan.policy.ingest import MAX_DOC_CHARS, Document, InputProblem, read_documents, split_items
from prasan.policy.relate import RANK

if TYPE_CHECKING:
    import networkx as nx

# stage name, unit; the CLI draws one progress bar per stage from these
Progress = Callable[[str, int, int], None]  # (stage, advance, total)


@dataclass
class AnalysisResult:
    analyzer: Analyzer
    documents: list[Document]
    pairs: list[Pair]
    clusters: list[Cluster]
    problems: list[InputProblem]
    summary: dict[str, Any] = field(default_factory=dict)
    graph: nx.Graph | None = None  # items and pairs, built once for clusters and graph.graphml


def peak_memory_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its (worker) children, in MB.

    On Linux ``RUSAGE_CHILDREN`` gives the peak of the largest single child, not the sum, so
    ``total_mb`` (self + largest child) understates several workers at once; the true combined
    peak is at most ``self_mb + workers * children_mb``.
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "self_mb": round(own, 1),
        "children_mb": round(kids, 1),
        "total_mb": round(own + kids, 1),
    }


def run(
    inputs: Iterable[str | Path],
    *,
    config: AnalyzerConfig | None = None,
    embedder: Embedder | None = None,
    workers: int | None = None,
    max_chars: int = MAX_DOC_CHARS,
    progress: Progress | None = None,
    limit: int | None = None,
) -> AnalysisResult:
    timings: dict[str, float] = {}
    problems: list[InputProblem] = []

    def tick(stage: str, total: int) -> Callable[[int], None]:
        def advance(n: int) -> None:
            if progress:
                progress(stage, n, total)

        return advance

    t_all = time.perf_counter()
    t0 = time.perf_counter()
    docs: list[Document] = []
    for d in read_documents(inputs, problems, max_chars=max_chars):
        docs.append(d)
        if limit is not None and len(docs) >= limit:
            break
    items = [it for d in docs for it in split_items(d)]
    for d in docs:
        d.text = ""  # items hold their own text; the documents keep only their metadata
    timings["read_split"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    analyzed = Analyzer.process(items, workers=workers, progress=tick("segment", len(items)))
    timings["segment"] = time.perf_counter() - t0

    analyzer = Analyzer(config, embedder)
    if not analyzed:
        return AnalysisResult(analyzer, docs, [], [], problems, _summary(
            docs, [], [], [], problems, timings, t_all, analyzer
        ))  # fmt: skip
    t0 = time.perf_counter()
    analyzer.fit(analyzed)
    timings["fit"] = time.perf_counter() - t0
    if progress:
        progress("fit", 1, 1)

    t0 = time.perf_counter()
    cand_pairs = analyzer.candidate_pairs()
    timings["candidates"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    pairs = analyzer.relate_corpus(cand_pairs, progress=tick("relate", len(cand_pairs)))
    timings["relate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    analyzer.add_evidence(pairs, progress=tick("evidence", len(pairs)))
    timings["evidence"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    nodes, edges = nodes_edges(analyzer, pairs)
    graph = build_graph(nodes, edges)
    clusters = clusters_of(graph, nodes)
    timings["graph"] = time.perf_counter() - t0
    summary = _summary(docs, analyzed, pairs, clusters, problems, timings, t_all, analyzer)
    summary["candidates"] = len(cand_pairs)
    return AnalysisResult(analyzer, docs, pairs, clusters, problems, summary, graph)


def nodes_edges(
    analyzer: Analyzer, pairs: Sequence[Pair]
) -> tuple[list[GraphNode], list[GraphEdge]]:
    from prasan.policy.gazetteer import default_gazetteer

    gz = default_gazetteer()
    nodes = [
        GraphNode(
            ai.id,
            ai.item.doc,
            ai.item.title,
            ai.p.agencies,
            sorted({gz.ministry_of(a) for a in ai.p.agencies}),
        )
        for ai in analyzer.items
    ]
    edges = [
        GraphEdge(
            analyzer.items[p.a].id,
            analyzer.items[p.b].id,
            p.relation.label,
            p.relation.score,
            p.relation.facets,
        )
        for p in pairs
    ]
    return nodes, edges


def _summary(
    docs: Sequence[Document],
    analyzed: Sequence[AnalyzedItem],
    pairs: Sequence[Pair],
    clusters: Sequence[Cluster],
    problems: Sequence[InputProblem],
    timings: dict[str, float],
    t_all: float,
    analyzer: Analyzer,
) -> dict[str, Any]:
    total = time.perf_counter() - t_all
    labels = Counter(p.relation.label for p in pairs)
    red = [c for c in clusters if c.kind == "redundancy"]
    return {
        "documents": len(docs),
        "items": len(analyzed),
        "characters": sum(len(ai.item.text) for ai in analyzed),
        "pairs": {k: labels.get(k, 0) for k in ("duplicate", "overlap", "related")},
        "redundancy_clusters": len(red),
        "fragmented_clusters": sum(1 for c in red if c.fragmentation > 1),
        "communities": sum(1 for c in clusters if c.kind == "community"),
        "problems": [
            {"file": p.file, "doc": p.doc, "problem": p.problem, "skipped": p.fatal}
            for p in problems
        ],
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
        "steps_s": {k: round(v, 3) for k, v in analyzer.timings.items()},
        "encoder_items": analyzer.encoder_calls,
        "embedder": getattr(analyzer.embedder, "name", None) if analyzer.embedder else None,
        "total_s": round(total, 3),
        "items_per_s": round(len(analyzed) / total, 1) if total else 0.0,
        "peak_memory": peak_memory_mb(),
    }


def pair_record(analyzer: Analyzer, p: Pair) -> dict[str, Any]:
    a, b = analyzer.items[p.a].item, analyzer.items[p.b].item
    return {
        "a": a.id,
        "b": b.id,
        "a_doc": a.doc,
        "b_doc": b.doc,
        "label": p.relation.label,
        "score": p.relation.score,
        "facets": p.relation.facets,
        "evidence": [e.as_dict() for e in p.evidence],
    }


def item_record(ai: AnalyzedItem) -> dict[str, Any]:
    it = ai.item
    return {
        "id": it.id,
        "doc": it.doc,
        "start": it.start,
        "end": it.end,
        "title": it.title,
        "text": it.text,
        "agencies": ai.p.agencies,
        "amounts": ai.p.amounts,
        "targets": ai.p.targets,
        "areas": ai.p.areas,
        "programmes": ai.p.programmes,
        "lang": ai.p.lang,
        **it.meta,
    }


def doc_pairs(analyzer: Analyzer, pairs: Sequence[Pair]) -> list[dict[str, Any]]:
    best: dict[tuple[str, str], tuple[int, float, str]] = {}
    for p in pairs:
        da, db = analyzer.items[p.a].item.doc, analyzer.items[p.b].item.doc
        if da == db:
            continue
        key = (min(da, db), max(da, db))
        cur = (RANK[p.relation.label], p.relation.score, p.relation.label)
        if key not in best or cur[:2] > best[key][:2]:
            best[key] = cur
    return [{"a": a, "b": b, "label": v[2], "score": v[1]} for (a, b), v in sorted(best.items())]


def write_outputs(result: AnalysisResult, out: Path) -> None:
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    an = result.analyzer

    def dump(name: str, rows: Iterable[dict[str, Any]]) -> None:
        with (out / name).open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    dump("items.jsonl", (item_record(ai) for ai in an.items))
    dump("pairs.jsonl", (pair_record(an, p) for p in result.pairs))
    dump("doc_pairs.jsonl", doc_pairs(an, result.pairs))
    dump("clusters.jsonl", (c.as_dict() for c in result.clusters))
    graph = result.graph
    if graph is None:
        graph = build_graph(*nodes_edges(an, result.pairs))
    write_graphml(graph, out / "graph.graphml")
    result.summary["fragmentation_by_agency"] = fragmentation_by_agency(result.clusters)[:30]
    result.summary["timings_s"]["write"] = round(time.perf_counter() - t0, 3)
    result.summary["peak_memory"] = peak_memory_mb()
    (out / "summary.json").write_text(
        json.dumps(result.summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
