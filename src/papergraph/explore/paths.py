"""A shortest path between two nodes by bidirectional breadth-first search over ``GraphStore.neighbours``.

Written on the store's neighbour primitive so it runs unchanged on every backend (the CI Bolt server has no
``shortestPath``). Each step expands the smaller frontier one whole level, so the two searches meet in the
middle having read about the square root of the nodes a one-sided search reads. Two limits keep it bounded
on large graphs: at most ``fanout`` neighbours are read per node (the first by id: a hub with more may hide a
path through its other neighbours) and at most ``budget`` nodes are expanded in all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from papergraph.graph.base import GraphStore
from papergraph.models import GraphEdge, GraphNode

FANOUT = 1000
BUDGET = 2000


@dataclass
class PathResult:
    """The nodes of a shortest path in order (empty when none was found) and the relationships joining them."""

    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    explored: int = 0


@dataclass
class _Side:
    """One direction of the search: the parent of each node reached and its distance from the start."""

    start: str
    parent: dict[str, str | None] = field(default_factory=dict)
    depth: dict[str, int] = field(default_factory=dict)
    frontier: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.parent[self.start] = None
        self.depth[self.start] = 0
        self.frontier = [self.start]

    def chain(self, node: str) -> list[str]:
        """``node``, its parent, ... back to this side's start."""
        out = [node]
        while (up := self.parent[out[-1]]) is not None:
            out.append(up)
        return out


class _Search:
    def __init__(self, store: GraphStore, fanout: int, budget: int) -> None:
        self.store = store
        self.fanout = fanout
        self.budget = budget
        self.explored = 0
        self.nodes: dict[str, GraphNode] = {}
        self.edges: dict[frozenset[str], GraphEdge] = {}

    def around(self, node: str) -> list[str]:
        """Neighbours of ``node`` (up to ``fanout``), remembering their nodes and the joining relationships."""
        self.explored += 1
        sub = self.store.neighbours(node, 1, self.fanout + 1)
        if sub is None:
            return []
        for n in sub.nodes:
            self.nodes.setdefault(n.id, n)
        for e in sub.edges:
            if node in (e.source, e.target):
                self.edges.setdefault(frozenset((e.source, e.target)), e)
        return [n.id for n in sub.nodes if n.id != node]

    def level(self, side: _Side, other: _Side) -> str | None:
        """Expand ``side`` by one level; the meeting node on the shortest path found, if the sides met."""
        met: list[tuple[int, str]] = []
        nxt: list[str] = []
        for node in side.frontier:
            if self.explored >= self.budget:
                break
            for m in self.around(node):
                if m in side.parent:
                    continue
                side.parent[m] = node
                side.depth[m] = side.depth[node] + 1
                nxt.append(m)
                if m in other.depth:
                    met.append((side.depth[m] + other.depth[m], m))
        side.frontier = nxt
        return min(met)[1] if met else None

    def run(self, source: str, target: str, max_hops: int) -> list[str]:
        forward, backward = _Side(source), _Side(target)
        if source == target:
            return [source]
        while forward.frontier and backward.frontier and self.explored < self.budget:
            reach = max(forward.depth.values()) + max(backward.depth.values())
            if reach >= max_hops:
                break
            side, other = (
                (forward, backward) if len(forward.frontier) <= len(backward.frontier) else (backward, forward)
            )
            meeting = self.level(side, other)
            if meeting is not None:
                return forward.chain(meeting)[::-1] + backward.chain(meeting)[1:]
        return []


def shortest_path(
    store: GraphStore, source: str, target: str, max_hops: int = 6, fanout: int = FANOUT, budget: int = BUDGET
) -> PathResult:
    """A shortest path of at most ``max_hops`` relationships from ``source`` to ``target`` (either direction).

    Both nodes must exist (check first); an empty result means no path within the limits.
    """
    search = _Search(store, fanout, budget)
    ids = search.run(source, target, max_hops)
    if ids == [source]:
        sub = store.neighbours(source, 0, 1)
        return PathResult(nodes=list(sub.nodes[:1]) if sub else [], explored=0)
    nodes = [search.nodes[n] for n in ids]
    edges = [search.edges[frozenset(pair)] for pair in pairwise(ids)]
    return PathResult(nodes=nodes, edges=edges, explored=search.explored)
