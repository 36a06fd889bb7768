"""Storing the analysis in the platform database, and growing it document by document.

``save_analysis`` replaces the stored analysis with a batch result (one transaction: the old
one stays until the new one is complete). ``add_documents`` relates new documents to the
stored corpus without refitting: new items, their pairs and a refreshed cluster view land in
the database, and the analyser state on disk is updated.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from prasan.core.settings import Settings
from prasan.policy import graph
from prasan.policy.analyzer import Analyzer, Embedder, Pair
from prasan.policy.embed import UseEmbedder
from prasan.policy.graph import Cluster, add_counts, components, member_counts, ranked
from prasan.policy.ingest import Document, InputProblem, read_documents, split_items
from prasan.policy.models import PolicyCluster, PolicyDocument, PolicyItem, PolicyPair, PolicyRun
from prasan.policy.pipeline import AnalysisResult, item_record, pair_record
from prasan.policy.segment import prepare_dictionary, use_cached_dictionary
from prasan.policy.store import (
    dictionary_path,
    encoder_cache_path,
    load_analyzer,
    save,
    save_analyzer,
    stamp,
    state_path,
)

CHUNK = 2000


def _chunks(rows: Sequence[dict[str, Any]], n: int = CHUNK) -> Iterable[Sequence[dict[str, Any]]]:
    for s in range(0, len(rows), n):
        yield rows[s : s + n]


def _doc_rows(docs: Iterable[Document]) -> list[dict[str, Any]]:
    return [
        {
            "id": d.id,
            "title": d.title,
            "date": d.date,
            "url": d.url,
            "agency": d.agency,
            "source": d.source[:1000],
        }
        for d in docs
    ]


def _item_rows(analyzer: Analyzer, start: int = 0) -> list[dict[str, Any]]:
    rows = []
    for ai in analyzer.items[start:]:
        r = item_record(ai)
        rows.append(
            {
                "id": r["id"],
                "doc_id": r["doc"],
                "start": r["start"],
                "end": r["end"],
                "title": r["title"],
                "text": r["text"],
                "lang": r["lang"],
                "agencies": r["agencies"],
                "amounts": r["amounts"],
                "targets": r["targets"],
                "areas": r["areas"],
                "programmes": r["programmes"],
            }
        )
    return rows


def _pair_rows(analyzer: Analyzer, pairs: Sequence[Pair]) -> list[dict[str, Any]]:
    rows = []
    for p in pairs:
        r = pair_record(analyzer, p)
        a, b = sorted((r["a"], r["b"]))
        if a != r["a"]:
            r["a_doc"], r["b_doc"] = r["b_doc"], r["a_doc"]
            for e in r["evidence"]:
                e["a"], e["b"] = e["b"], e["a"]
                e["a_start"], e["b_start"] = e["b_start"], e["a_start"]
                e["a_end"], e["b_end"] = e["b_end"], e["a_end"]
        r["a"], r["b"] = a, b
        rows.append(r)
    return rows


def _write_clusters(session: Session, clusters: Sequence[Cluster]) -> None:
    session.execute(delete(PolicyCluster))
    session.execute(update(PolicyItem).values(cluster_id=None, community_id=None))
    rows = [
        {
            "id": c.id,
            "kind": c.kind,
            "size": len(c.items),
            "title": c.title,
            "fragmentation": c.fragmentation,
            "items": c.items,
            "docs": c.docs,
            "agencies": c.agencies,
            "ministries": c.ministries,
            "labels": c.labels,
            "counts": c.counts,
        }
        for c in clusters
    ]
    for chunk in _chunks(rows):
        session.execute(insert(PolicyCluster), list(chunk))
    for c in clusters:
        column = "cluster_id" if c.kind == "redundancy" else "community_id"
        for s in range(0, len(c.items), 500):
            session.execute(
                update(PolicyItem)
                .where(PolicyItem.id.in_(c.items[s : s + 500]))
                .values({column: c.id})
                .execution_options(synchronize_session=False)
            )


def save_analysis(*, session: Session, result: AnalysisResult, settings: Settings) -> None:
    """Replace the stored analysis with ``result`` and save the analyser for ``add``."""
    t0 = time.perf_counter()
    an = result.analyzer
    session.execute(delete(PolicyPair))
    session.execute(delete(PolicyCluster))
    session.execute(delete(PolicyItem))
    session.execute(delete(PolicyDocument))
    for chunk in _chunks(_doc_rows(result.documents)):
        session.execute(insert(PolicyDocument), list(chunk))
    for chunk in _chunks(_item_rows(an)):
        session.execute(insert(PolicyItem), list(chunk))
    for chunk in _chunks(_pair_rows(an, result.pairs)):
        session.execute(insert(PolicyPair), list(chunk))
    _write_clusters(session, result.clusters)
    session.add(
        PolicyRun(
            kind="analyze",
            documents=len(result.documents),
            items=len(an.items),
            pairs=len(result.pairs),
            summary={k: v for k, v in result.summary.items() if k != "problems"},
        )
    )
    session.flush()
    path = state_path(settings.data_dir)
    save_analyzer(an, path)
    _prepare_for_add(path, an.embedder)
    result.summary.setdefault("timings_s", {})["store"] = round(time.perf_counter() - t0, 3)


def _prepare_for_add(path: Path, embedder: Embedder | None) -> None:
    """What a fresh ``add`` process would otherwise build: the segmentation dictionary and,
    when the analysis used the bundled encoder, its prepared copy (see ``store``)."""
    prepare_dictionary(dictionary_path(path))
    if isinstance(embedder, UseEmbedder):
        embedder.prepare(encoder_cache_path(path))


@dataclass
class AddReport:
    documents: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    seconds: float = 0.0
    encoder_items: int = 0  # items the sentence encoder read (0: it was not needed)
    # stored pairs decided again because the addition changed their items' neighbourhoods,
    # and those whose label changed (``label`` new, ``was`` old; ``unrelated``: removed)
    restated: int = 0
    relabelled: list[dict[str, Any]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"added {len(self.documents)} document(s), {len(self.items)} item(s)"]
        for p in sorted(self.pairs, key=lambda r: -r["score"])[:20]:
            out.append(f"  {p['label']:<9} {p['score']:.3f}  {p['a']}  ↔  {p['b']}")
        if len(self.pairs) > 20:
            out.append(f"  … {len(self.pairs) - 20} more pair(s)")
        if self.restated:
            out.append(
                f"decided {self.restated} stored pair(s) again (their items' neighbourhoods "
                f"changed): {len(self.relabelled)} changed label"
            )
            for r in self.relabelled[:10]:
                out.append(f"  {r['was']} → {r['label']}  {r['a']}  ↔  {r['b']}")
        return out


def text_source(session: Session) -> Any:
    def fetch(ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for s in range(0, len(ids), 500):
            rows = session.execute(
                select(PolicyItem.id, PolicyItem.text).where(PolicyItem.id.in_(ids[s : s + 500]))
            )
            out.update({r[0]: r[1] for r in rows})
        return out

    return fetch


_cache: dict[Path, tuple[tuple[float, float], Analyzer]] = {}


def _analyzer_for(settings: Settings) -> Analyzer:
    """The stored analyser, kept in memory between calls while its files are unchanged."""
    path = state_path(settings.data_dir)
    hit = _cache.get(path)
    if hit and hit[0] == stamp(path):
        return hit[1]
    an = load_analyzer(path)
    _cache[path] = (stamp(path), an)
    return an


class _StoredIds(set[str]):
    """Document ids already stored, asked of the database one at a time: loading all ~28,000
    ids for every ``add`` cost more than the analysis of the added document."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self._session = session

    def __contains__(self, doc_id: object) -> bool:
        if super().__contains__(doc_id):
            return True
        found = self._session.scalar(
            select(PolicyDocument.id).where(PolicyDocument.id == doc_id).limit(1)
        )
        return found is not None


def add_documents(
    *,
    session: Session,
    settings: Settings,
    inputs: Iterable[str | Path],
    embedder: Embedder | None = None,
    restate: bool = False,
) -> AddReport:
    """Analyse new documents against the stored corpus and store what they touch. With
    ``restate``, also decide again the stored pairs whose items' neighbourhoods the new
    documents joined (``_restate_stored_pairs``): exact as a batch over the grown corpus, at
    ~0.6-2 s more per document on the full corpus, so it is asked for, not the default."""
    t0 = time.perf_counter()
    an = _analyzer_for(settings)
    path = state_path(settings.data_dir)
    if isinstance(embedder, UseEmbedder) and embedder.cache_dir is None:
        embedder.cache_dir = encoder_cache_path(path)  # loaded only if a pair needs it
    an.embedder = embedder
    an.text_source = text_source(session)
    report = AddReport()
    docs = list(read_documents(inputs, report.problems, seen_ids=_StoredIds(session)))
    items = [it for d in docs for it in split_items(d)]
    if not items:
        report.seconds = time.perf_counter() - t0
        return report
    start = len(an.items)
    encoder_calls = an.encoder_calls
    # the segmentation dictionary from its cache file (building newmm's trie costs ~0.4 s)
    use_cached_dictionary(dictionary_path(path))
    new = Analyzer.process(items, workers=1)
    pairs = an.add(new)
    for chunk in _chunks(_doc_rows(docs)):
        session.execute(insert(PolicyDocument), list(chunk))
    for chunk in _chunks(_item_rows(an, start)):
        session.execute(insert(PolicyItem), list(chunk))
    rows = _pair_rows(an, pairs)
    for chunk in _chunks(rows):
        session.execute(insert(PolicyPair), list(chunk))
    _update_clusters(session, an, rows, report_items=[it.id for it in items])
    if restate:
        report.restated, report.relabelled = _restate_stored_pairs(session, an, start)
    report.encoder_items = an.encoder_calls - encoder_calls
    session.add(
        PolicyRun(
            kind="add",
            documents=len(docs),
            items=len(items),
            pairs=len(rows),
            summary={
                "encoder_items": report.encoder_items,
                "restated_pairs": report.restated,
                "relabelled_pairs": len(report.relabelled),
            },
        )
    )
    session.flush()
    save(an, path)
    _cache[path] = (stamp(path), an)
    report.documents = [d.id for d in docs]
    report.items = [it.id for it in items]
    report.pairs = rows
    report.seconds = time.perf_counter() - t0
    return report


REDUNDANT = ("duplicate", "overlap")


def _restate_stored_pairs(
    session: Session, an: Analyzer, first_new: int
) -> tuple[int, list[dict[str, Any]]]:
    """Decide again the stored pairs of the items whose corpus neighbourhood the addition
    changed (``Analyzer.context_touched``), as a batch over the grown corpus would: their
    context features moved. A new label is stored with its evidence (a pair now redundant
    gets aligned passages, one no longer redundant loses them), a pair now unrelated is
    removed, and the redundancy clusters its change touches are joined or split again.
    (Candidates the batch had found unrelated are not stored, so they cannot rise here.)"""
    ids = sorted(an.items[k].id for k in an.context_touched)
    # (id, label, score) of each stored pair, by its items; columns only, no evidence JSON
    stored: dict[tuple[str, str], tuple[int, str, float]] = {}
    for s in range(0, len(ids), 500):
        chunk = ids[s : s + 500]
        for pid, a, b, label, score in session.execute(
            select(
                PolicyPair.id, PolicyPair.a, PolicyPair.b, PolicyPair.label, PolicyPair.score
            ).where(PolicyPair.a.in_(chunk) | PolicyPair.b.in_(chunk))
        ):
            if an.index[a] < first_new and an.index[b] < first_new:
                stored[(a, b)] = (pid, label, score)  # (the new items' were just decided)
    if not stored:
        return 0, []
    keys = list(stored)
    idx = np.array([[an.index[a], an.index[b]] for a, b in keys], dtype=np.int64)
    decided = an.relate_corpus(idx, keep_unrelated=True)
    moved: list[dict[str, Any]] = []  # only the score moved
    relabel: list[tuple[str, Pair]] = []
    for key, pair in zip(keys, decided, strict=True):
        pid, label, score = stored[key]
        if pair.relation.label != label:
            relabel.append((label, pair))
        elif abs(pair.relation.score - score) >= 5e-5:
            moved.append({"id": pid, "score": pair.relation.score})
    if moved:
        session.execute(update(PolicyPair), moved)
    if not relabel:
        return len(stored), []
    an.add_evidence([p for was, p in relabel if p.relation.label in REDUNDANT])
    relabelled: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    gone: list[int] = []
    gained: list[dict[str, Any]] = []
    recluster: set[str] = set()
    for (was, _), rec in zip(relabel, _pair_rows(an, [p for _, p in relabel]), strict=True):
        pid = stored[(rec["a"], rec["b"])][0]
        relabelled.append({"a": rec["a"], "b": rec["b"], "was": was, "label": rec["label"]})
        if rec["label"] == "unrelated":
            gone.append(pid)
        else:  # (a label that is not redundant has no evidence: it is dropped)
            changes.append(
                {k: rec[k] for k in ("label", "score", "facets", "evidence")} | {"id": pid}
            )
        if rec["label"] in REDUNDANT and was not in REDUNDANT:
            gained.append(rec)
        recluster.update((rec["a"], rec["b"]))  # (also the edge counts of a cluster it is in)
    if changes:
        session.execute(update(PolicyPair), changes)
    if gone:
        session.execute(delete(PolicyPair).where(PolicyPair.id.in_(gone)))
    session.flush()
    if gained:
        _update_clusters(session, an, gained, report_items=[])
    if recluster:
        _recluster(session, an, recluster)
    _relabel_communities(session, relabelled)
    return len(stored), relabelled


def _relabel_communities(session: Session, relabelled: Sequence[dict[str, Any]]) -> None:
    """Move each relabelled pair's count in the edge labels of the community holding both its
    items (a pair now unrelated leaves them)."""
    items = sorted({r[k] for r in relabelled for k in ("a", "b")})
    where: dict[str, str | None] = {}
    for s in range(0, len(items), 500):
        where.update(
            session.execute(
                select(PolicyItem.id, PolicyItem.community_id).where(
                    PolicyItem.id.in_(items[s : s + 500])
                )
            ).all()
        )
    for r in relabelled:
        cid = where.get(r["a"])
        if cid is None or cid != where.get(r["b"]):
            continue
        com = session.get(PolicyCluster, cid)
        if com is None:
            continue
        labels = dict(com.labels or {})
        labels[r["was"]] = labels.get(r["was"], 0) - 1
        if r["label"] != "unrelated":
            labels[r["label"]] = labels.get(r["label"], 0) + 1
        com.labels = {k: v for k, v in labels.items() if v > 0}


def _recluster(session: Session, an: Analyzer, items: set[str]) -> None:
    """Rebuild the redundancy clusters that hold ``items`` from the stored pairs: a cluster
    whose redundant pairs no longer connect it splits, and one over ``graph.MAX_CLUSTER``
    is split by modularity as the batch splits a component that large (``split_large``;
    the largest part keeps its id, a part of one item leaves); each cluster's label counts
    are those of its pairs."""
    ids = {
        cid
        for cid in session.scalars(
            select(PolicyItem.cluster_id).where(PolicyItem.id.in_(sorted(items)))
        )
        if cid is not None
    }
    if not ids:
        return
    next_id = _next_cluster_number(session)
    for cid in sorted(ids):
        c = session.get(PolicyCluster, cid)
        if c is None:
            continue
        members = sorted(c.items)
        member_set = set(members)
        facts = _facts(session, members)
        inside: list[tuple[str, str, str]] = []  # (a, b, label) of the pairs inside it
        scored: list[tuple[str, str, float]] = []  # (a, b, score) of its redundant ones
        for s in range(0, len(members), 500):
            for a, b, label, score in session.execute(
                select(PolicyPair.a, PolicyPair.b, PolicyPair.label, PolicyPair.score).where(
                    PolicyPair.a.in_(members[s : s + 500])
                )
            ):
                if b in member_set:
                    inside.append((a, b, label))
                    if label in REDUNDANT:
                        scored.append((a, b, float(score)))
        parts: list[set[str]] = []
        for comp in components(members, [(a, b) for a, b, _ in scored]):
            edges = [e for e in scored if e[0] in comp]
            parts += map(set, graph.split_large(sorted(comp), edges, graph.MAX_CLUSTER))
        parts.sort(key=lambda m: (-len(m), min(m)))
        for k, part in enumerate(parts):
            if len(part) < 2:
                target: str | None = None
            elif k == 0:
                target, cluster = cid, c
            else:
                target = f"R{next_id}"
                next_id += 1
                cluster = PolicyCluster(id=target, kind="redundancy", title="")
                session.add(cluster)
            if target is not None:
                pairs = [(a, b, label) for a, b, label in inside if a in part and b in part]
                degree: Counter[str] = Counter()
                for a, b, _ in pairs:
                    degree.update((a, b))
                cluster.items = sorted(part)
                cluster.labels = dict(Counter(label for _, _, label in pairs))
                if k > 0:
                    cluster.title = _title_of(an, max(part, key=lambda m: (degree[m], m)))
                _cluster_row(cluster, _counts_of(part, facts), {facts[m][0] for m in part})
            session.execute(
                update(PolicyItem)
                .where(PolicyItem.id.in_(sorted(part)))
                .values(cluster_id=target)
                .execution_options(synchronize_session=False)
            )
        if all(len(part) < 2 for part in parts):
            session.delete(c)
        session.flush()


def _next_cluster_number(session: Session) -> int:
    """The number after the highest ``R<n>`` redundancy cluster id stored."""
    ids = session.scalars(select(PolicyCluster.id).where(PolicyCluster.kind == "redundancy"))
    return 1 + max((int(x[1:]) for x in ids if x[1:].isdigit()), default=0)


def _title_of(an: Analyzer, item_id: str) -> str:
    pos = an.index.get(item_id)
    return an.items[pos].item.title[:200] if pos is not None else ""


Facts = dict[str, tuple[str, list[str]]]  # item id -> (document id, agencies)


def _facts(session: Session, items: Iterable[str], facts: Facts | None = None) -> Facts:
    """Each item's document and agencies, from the stored columns (``facts``: those already
    read, extended in place). SQLite reads each row's text on the way (about 0.4 s for the
    ~6,400 members of the largest cluster of session 5's model), so ``add`` reads only the
    items that join a cluster, not its members."""
    facts = {} if facts is None else facts
    want = sorted(set(items) - facts.keys())
    for s in range(0, len(want), 500):
        for iid, doc, agencies in session.execute(
            select(PolicyItem.id, PolicyItem.doc_id, PolicyItem.agencies).where(
                PolicyItem.id.in_(want[s : s + 500])
            )
        ):
            facts[iid] = (doc, list(agencies or []))
    return facts


def _counts_of(items: Iterable[str], facts: Facts) -> dict[str, dict[str, int]]:
    """How many of ``items`` name each agency and ministry (``graph.member_counts``)."""
    from prasan.policy.gazetteer import default_gazetteer

    gz = default_gazetteer()
    return member_counts(
        (facts[m][1], {gz.ministry_of(a) for a in facts[m][1]}) for m in items if m in facts
    )


def _stored_counts(session: Session, c: PolicyCluster) -> dict[str, dict[str, int]]:
    """A stored cluster's counts; computed from its members for a row stored without them."""
    if c.counts is not None:
        return {k: dict(v) for k, v in c.counts.items()}
    return _counts_of(c.items, _facts(session, c.items))


def _cluster_row(c: PolicyCluster, counts: dict[str, dict[str, int]], docs: set[str]) -> None:
    """A cluster's size, documents, agencies, ministries and fragmentation, from its members'
    ``counts`` and ``docs`` (its ``items`` already set)."""
    c.counts = counts
    c.docs = sorted(docs)
    c.size = len(c.items)
    c.agencies = ranked(counts.get("agencies", {}))
    c.ministries = ranked(counts.get("ministries", {}))
    c.fragmentation = len(c.ministries)


def _attach(
    items: set[str],
    clusters: set[str],
    red: Sequence[dict[str, Any]],
    current: dict[str, str | None],
) -> dict[str, set[str]]:
    """Which of ``clusters`` each of ``items`` joins, when they are not to be merged: the
    items already in one stay; the others join, hop by hop, the cluster of their strongest
    edge to an item placed before them, so each cluster stays connected by its edges."""
    near: dict[str, list[tuple[float, str]]] = {}
    for r in red:
        near.setdefault(r["a"], []).append((float(r["score"]), r["b"]))
        near.setdefault(r["b"], []).append((float(r["score"]), r["a"]))
    where = {i: cl for i in items if (cl := current.get(i)) is not None and cl in clusters}
    pending = items - where.keys()
    while pending:
        step = {}
        for m in sorted(pending):
            placed = [(w, n) for w, n in near.get(m, []) if n in where]
            if placed:
                step[m] = where[max(placed)[1]]
        if not step:  # (every item of a component reaches a cluster; never left here)
            break
        where.update(step)
        pending -= step.keys()
    groups: dict[str, set[str]] = {}
    for m, cl in where.items():
        groups.setdefault(cl, set()).add(m)
    return groups


def _join(
    session: Session,
    keep: PolicyCluster,
    items: set[str],
    merged: Sequence[PolicyCluster],
    rows: Sequence[dict[str, Any]],
    facts: Facts,
    column: str = "cluster_id",
) -> None:
    """``items`` and the clusters ``merged`` join ``keep`` (a redundancy cluster, or with
    ``column="community_id"`` a community): its counts, documents and edge labels grow by
    theirs and by the new pairs (``rows``) now inside it, and only the items whose cluster
    changed get ``column`` updated."""
    counts = _stored_counts(session, keep)
    docs = set(keep.docs or [])
    labels = dict(keep.labels or {})
    inside = set(keep.items or [])  # counted already
    kept = set(inside)  # their cluster_id is right
    for c in merged:
        inside.update(c.items)
        add_counts(counts, _stored_counts(session, c))
        docs.update(c.docs)
        for k, v in (c.labels or {}).items():
            labels[k] = labels.get(k, 0) + v
        session.delete(c)
    joining = items - inside
    _facts(session, joining, facts)
    add_counts(counts, _counts_of(joining, facts))
    docs.update(facts[m][0] for m in joining if m in facts)
    members = inside | joining
    for r in rows:  # the new pairs now inside it
        if r["a"] in members and r["b"] in members:
            labels[r["label"]] = labels.get(r["label"], 0) + 1
    keep.items = sorted(members)
    keep.labels = labels
    _cluster_row(keep, counts, docs)
    session.flush()
    moved = sorted(members - kept)
    for s in range(0, len(moved), 500):
        session.execute(
            update(PolicyItem)
            .where(PolicyItem.id.in_(moved[s : s + 500]))
            .values({column: keep.id})
            .execution_options(synchronize_session=False)
        )


def _update_clusters(
    session: Session, an: Analyzer, rows: Sequence[dict[str, Any]], report_items: list[str]
) -> None:
    """Update only the clusters the new pairs touch: a new duplicate/overlap edge joins the new
    item to its neighbours' redundancy cluster, merging the clusters it bridges unless the
    merged cluster would exceed ``graph.MAX_CLUSTER`` (then each item joins the cluster it
    reaches first along its strongest edges, and the clusters stay apart, as the batch splits
    a large component), and a cluster the joining items take past that size is split as the
    batch splits one (``_recluster``); a new item joins the community of its strongest
    neighbour. Louvain is not rerun over the communities (``analyze`` does that)."""
    facts: Facts = {}
    red = [r for r in rows if r["label"] in ("duplicate", "overlap")]
    if red:
        touched = sorted({r["a"] for r in red} | {r["b"] for r in red})
        current = dict(
            session.execute(
                select(PolicyItem.id, PolicyItem.cluster_id).where(PolicyItem.id.in_(touched))
            ).all()
        )
        edges = [(r["a"], r["b"]) for r in red]
        edges += [(i, "cluster:" + cl) for i, cl in current.items() if cl]
        next_id = _next_cluster_number(session)
        grown: list[str] = []  # a member of each cluster the joins took past the limit
        for comp in components(touched, edges):
            old = sorted(
                (n.split(":", 1)[1] for n in comp if n.startswith("cluster:")),
                key=lambda c: int(c[1:]) if c[1:].isdigit() else 0,
            )
            members = {n for n in comp if not n.startswith("cluster:")}
            clusters = [c for c in (session.get(PolicyCluster, cid) for cid in old) if c]
            size = len(members.union(*(c.items for c in clusters)))
            if len(clusters) > 1 and size > graph.MAX_CLUSTER:
                groups = _attach(members, {c.id for c in clusters}, red, current)
                for c in clusters:
                    _join(session, c, groups.get(c.id, set()), [], rows, facts)
                    if c.size > graph.MAX_CLUSTER:
                        grown.append(c.items[0])
                continue
            if clusters:
                keep = clusters[0]
            else:
                keep = PolicyCluster(
                    id=f"R{next_id}", kind="redundancy", title=_title_of(an, min(members)),
                    items=[], docs=[], labels={}, counts={}, size=0,
                )  # fmt: skip
                next_id += 1
                session.add(keep)
            _join(session, keep, members, clusters[1:], rows, facts)
            if keep.size > graph.MAX_CLUSTER:
                grown.append(keep.items[0])
        if grown:  # past the size limit by joining items: split as the batch would
            _recluster(session, an, set(grown))
    # communities: each new item joins its strongest neighbour's community
    new = set(report_items)
    best: dict[str, tuple[float, str]] = {}
    for r in rows:
        for me, other in ((r["a"], r["b"]), (r["b"], r["a"])):
            if me in new and other not in new and r["score"] > best.get(me, (-1.0, ""))[0]:
                best[me] = (r["score"], other)
    if best:
        comm = dict(
            session.execute(
                select(PolicyItem.id, PolicyItem.community_id).where(
                    PolicyItem.id.in_([o for _, o in best.values()])
                )
            ).all()
        )
        for me, (_, other) in best.items():
            community = comm.get(other)
            com = session.get(PolicyCluster, community) if community else None
            if com is not None:
                mine = [r for r in rows if me in (r["a"], r["b"])]
                _join(session, com, {me}, [], mine, facts, column="community_id")


def counts(*, session: Session) -> dict[str, int]:
    """How much is stored (for dashboards and checks)."""
    return {
        "documents": session.scalar(select(func.count()).select_from(PolicyDocument)) or 0,
        "items": session.scalar(select(func.count()).select_from(PolicyItem)) or 0,
        "pairs": session.scalar(select(func.count()).select_from(PolicyPair)) or 0,
        "clusters": session.scalar(select(func.count()).select_from(PolicyCluster)) or 0,
    }


def seed_demo(*, session: Session, settings: Settings) -> Iterator[str]:
    """Analyse the bundled demo corpus into the database, once (``prasan demo seed``)."""
    from prasan.policy import pipeline
    from prasan.policy.demo import demo_corpus_path
    from prasan.policy.embed import get_embedder

    if session.scalar(select(func.count()).select_from(PolicyItem)):
        yield "policy analysis already stored"
        return
    result = pipeline.run([demo_corpus_path()], embedder=get_embedder("use"))
    save_analysis(session=session, result=result, settings=settings)
    s = result.summary
    yield (
        f"analysed the demo policy corpus: {s['items']} items, "
        f"{sum(s['pairs'].values())} related pairs, {s['redundancy_clusters']} redundancy clusters"
    )
