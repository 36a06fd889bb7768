"""Grouping: clusters of redundant items, communities by domain, per-agency fragmentation.

A *cluster* is a connected component of duplicate/overlap edges (possible redundancy); its
*fragmentation* is how many distinct ministries act in it (GAO's fragmentation: more than one
agency involved in the same area of need). *Communities* come from Louvain modularity over all
edges (duplicate, overlap and related, weighted by score) and approximate policy domains.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # networkx is imported where a graph is built (~0.1 s; ``add`` needs none)
    import networkx as nx


@dataclass
class GraphEdge:
    a: str
    b: str
    label: str
    score: float
    facets: list[str]


@dataclass
class GraphNode:
    id: str
    doc: str
    title: str
    agencies: list[str]
    ministries: list[str]


@dataclass
class Cluster:
    id: str
    kind: str  # "redundancy" or "community"
    items: list[str]
    docs: list[str]
    agencies: list[str]
    ministries: list[str]
    fragmentation: int
    labels: dict[str, int] = field(default_factory=dict)
    title: str = ""
    # how many members name each agency and ministry (``member_counts``); stored, not written
    # to clusters.jsonl
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "size": len(self.items),
            "items": self.items,
            "docs": self.docs,
            "agencies": self.agencies,
            "ministries": self.ministries,
            "fragmentation": self.fragmentation,
            "labels": self.labels,
            "title": self.title,
        }


def build_graph(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge]) -> nx.Graph:
    import networkx as nx

    g = nx.Graph()
    for n in nodes:
        g.add_node(
            n.id, doc=n.doc, title=n.title[:200], agencies="; ".join(n.agencies),
            ministries="; ".join(n.ministries),
        )  # fmt: skip
    for e in edges:
        g.add_edge(e.a, e.b, label=e.label, score=float(e.score), facets=",".join(e.facets))
    return g


def _cluster(
    cid: str, kind: str, members: Sequence[str], g: nx.Graph, nodes: dict[str, GraphNode]
) -> Cluster:
    counts = member_counts((nodes[m].agencies, nodes[m].ministries) for m in members)
    labels = Counter(d["label"] for _, _, d in g.subgraph(members).edges(data=True))
    # the member with most edges inside the cluster names it
    sub = g.subgraph(members)
    central = max(members, key=lambda m: (sub.degree(m), m))
    return Cluster(
        id=cid,
        kind=kind,
        items=sorted(members),
        docs=sorted({nodes[m].doc for m in members}),
        agencies=ranked(counts["agencies"]),
        ministries=ranked(counts["ministries"]),
        fragmentation=len(counts["ministries"]),
        labels=dict(labels),
        title=nodes[central].title[:200],
        counts=counts,
    )


def member_counts(
    members: Iterable[tuple[Iterable[str], Iterable[str]]],
) -> dict[str, dict[str, int]]:
    """How many members (each its agencies and ministries) name each agency and ministry."""
    agencies: Counter[str] = Counter()
    ministries: Counter[str] = Counter()
    for ags, mins in members:
        agencies.update(set(ags))
        ministries.update(set(mins))
    return {"agencies": dict(agencies), "ministries": dict(ministries)}


def add_counts(total: dict[str, dict[str, int]], more: dict[str, dict[str, int]]) -> None:
    """Add ``more`` to ``total`` in place (the counts of two clusters that merge)."""
    for kind, cs in more.items():
        into = total.setdefault(kind, {})
        for k, n in cs.items():
            into[k] = into.get(k, 0) + n


def ranked(counts: dict[str, int]) -> list[str]:
    """Names by how many members name them, then by name."""
    return sorted(counts, key=lambda k: (-counts[k], k))


def components(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[set[str]]:
    """Connected components, in the order of their first node in ``nodes`` and then of the
    edges (as networkx's ``connected_components`` gives them when ``nodes`` were added first),
    by union-find: the batch's redundancy clusters and ``add``'s cluster update both use it;
    importing networkx for it cost ``add`` more than the rest of its cluster update."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for n in nodes:
        find(n)
    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
    comps: dict[str, set[str]] = {}
    for n in [*nodes, *parent]:
        comps.setdefault(find(n), set()).add(n)
    return list(comps.values())


# A redundancy cluster larger than this is split (``split_large``). Connected components
# chain: in the full corpus one component of duplicate/overlap edges held 6,406 of the 18,689
# clustered items (68 ministries), linked through recurring series and a few wrong edges; the
# next largest held 142. Split by modularity, it falls into 82 parts of 10-181 items.
MAX_CLUSTER = 200


def split_large(
    comp: Sequence[str], edges: Sequence[tuple[str, str, float]], max_size: int = MAX_CLUSTER
) -> list[list[str]]:
    """A connected set of items (``edges``: its redundant edges, with their scores) as
    clusters of at most about ``max_size``: Louvain communities over the edges (weighted by
    score, seed 0), again within any still too large, each part kept connected (a community
    that is not is cut into its components; a lone item joins the part of its strongest
    edge). At or under ``max_size`` the set is one cluster."""
    if len(comp) <= max_size:
        return [sorted(comp)]
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(comp)
    g.add_weighted_edges_from(edges)
    comms = nx.community.louvain_communities(g, weight="weight", seed=0)
    if len(comms) < 2:
        return [sorted(comp)]
    parts: list[set[str]] = []
    for c in comms:
        parts.extend(set(x) for x in nx.connected_components(g.subgraph(c)))
    lone = [next(iter(p)) for p in parts if len(p) == 1]
    parts = [p for p in parts if len(p) > 1]
    where = {m: k for k, p in enumerate(parts) for m in p}
    while lone:  # an item alone in its part has edges out of it (its component is wider)
        left = []
        for m in lone:
            near = [(d["weight"], n) for n, d in g[m].items() if n in where]
            if near:
                where[m] = where[max(near)[1]]
                parts[where[m]].add(m)
            else:
                left.append(m)
        if len(left) == len(lone):  # linked only to each other: parts of their own
            for c in nx.connected_components(g.subgraph(left)):
                parts.append(set(c))
                where.update((m, len(parts) - 1) for m in c)
            break
        lone = left
    inside: list[list[tuple[str, str, float]]] = [[] for _ in parts]
    for a, b, w in edges:
        if where[a] == where[b]:
            inside[where[a]].append((a, b, w))
    out: list[list[str]] = []
    for p, sub in zip(parts, inside, strict=True):  # (each part smaller than ``comp``)
        out.extend(split_large(sorted(p), sub, max_size))
    return out


def clusters_of(
    g: nx.Graph,
    nodes: Sequence[GraphNode],
    *,
    min_community: int = 3,
    max_cluster: int | None = None,
) -> list[Cluster]:
    """Redundancy clusters (connected components of duplicate/overlap edges, those larger
    than ``max_cluster`` (default ``MAX_CLUSTER``) split by ``split_large``) and domain communities (Louvain over all
    edges, at least ``min_community`` items)."""
    import networkx as nx

    max_cluster = MAX_CLUSTER if max_cluster is None else max_cluster
    by_id = {n.id: n for n in nodes}
    red = [
        (a, b, float(d["score"]))
        for a, b, d in g.edges(data=True)
        if d["label"] in ("duplicate", "overlap")
    ]
    out: list[Cluster] = []
    parts: list[list[str]] = []
    for comp in components([], [(a, b) for a, b, _ in red]):
        if len(comp) <= max_cluster:
            parts.append(sorted(comp))
        else:
            inside = [(a, b, w) for a, b, w in red if a in comp]
            parts.extend(split_large(sorted(comp), inside, max_cluster))
    parts.sort(key=lambda c: (-len(c), c))
    for k, part in enumerate(parts, 1):
        out.append(_cluster(f"R{k}", "redundancy", part, g, by_id))
    linked = g.subgraph([n for n in g.nodes if g.degree(n) > 0])
    if linked.number_of_edges():
        comms = nx.community.louvain_communities(linked, weight="score", seed=0)
        comms = sorted(
            (sorted(c) for c in comms if len(c) >= min_community), key=lambda c: (-len(c), c)
        )
        for k, comp in enumerate(comms, 1):
            out.append(_cluster(f"C{k}", "community", comp, g, by_id))
    return out


def fragmentation_by_agency(clusters: Sequence[Cluster]) -> list[dict[str, Any]]:
    """Per ministry: redundancy clusters it acts in, and how many of those are shared."""
    stats: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"clusters": 0, "shared_clusters": 0, "partners": Counter()}
    )
    for c in clusters:
        if c.kind != "redundancy":
            continue
        for m in c.ministries:
            s = stats[m]
            s["clusters"] += 1
            if c.fragmentation > 1:
                s["shared_clusters"] += 1
                s["partners"].update(x for x in c.ministries if x != m)
    return sorted(
        (
            {
                "agency": m,
                "clusters": s["clusters"],
                "shared_clusters": s["shared_clusters"],
                "top_partners": [p for p, _ in s["partners"].most_common(5)],
            }
            for m, s in stats.items()
        ),
        key=lambda r: (-r["shared_clusters"], -r["clusters"], r["agency"]),
    )


def write_graphml(g: nx.Graph, path: Path) -> None:
    import networkx as nx

    nx.write_graphml(g, str(path))
