"""The correlation graph: objects linked through the observables they share.

From one object (an indicator, report, incident, intrusion set …) the graph finds its
observable values: an indicator's come from its pattern (the values it looks up); a
report's or grouping's from the indicators and observables it refers to; any other
object's from the indicators and observables related to it. Every other indicator that
looks up one of those values is linked to it, with the shared values on the edge, and so
are the reports that contain such an indicator and the objects it is related to. Every
read goes through the access gate, so a viewer never learns of an object it may not see.

This version scans the viewer's indicators and relationships for each graph; a
persistent value index is future work for stores of millions of indicators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from accord.correlate.compiler import PatternError, compile_pattern
from accord.correlate.index import NetworkAnchor, ValueAnchor, anchors
from accord.errors import NotFound
from accord.store import AccessGate, ObjectQuery, StoredVersion, iter_versions, search

_CONTAINERS = ("report", "grouping", "note", "opinion")


@dataclass
class Graph:
    root: str
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)

    def node(self, version: StoredVersion) -> None:
        body = version.body
        self.nodes.setdefault(
            version.id, {"id": version.id, "type": version.type, "name": body.get("name")}
        )

    def as_json(self) -> dict[str, Any]:
        return {"root": self.root, "nodes": list(self.nodes.values()), "edges": self.edges}


def indicator_values(body: dict[str, Any]) -> set[str]:
    """What an indicator's pattern looks up: values, and networks as CIDR text."""
    if body.get("pattern_type") != "stix" or not isinstance(body.get("pattern"), str):
        return set()
    try:
        found = anchors(compile_pattern(body["pattern"]))
    except PatternError:
        return set()
    values = set()
    for anchor in found:
        if isinstance(anchor, ValueAnchor):
            values.add(str(anchor.value))
        elif isinstance(anchor, NetworkAnchor):
            values.add(str(anchor.network))
    return values


def _observable_values(body: dict[str, Any]) -> set[str]:
    """The identifying value of a cyber-observable object, if it has one."""
    found = set()
    if isinstance(body.get("value"), str):
        found.add(body["value"])
    hashes = body.get("hashes")
    if isinstance(hashes, dict):
        found |= {h for h in hashes.values() if isinstance(h, str)}
    return found


def build_graph(connection: Connection, gate: AccessGate, root_id: str) -> Graph:
    """The graph around ``root_id`` as ``gate``'s viewer may see it."""
    found = search(connection, gate, ObjectQuery(ids=[root_id]), 1).items
    if not found:
        raise NotFound("object", root_id)  # also when hidden: existence is not disclosed
    root = found[0]
    graph = Graph(root_id)
    graph.node(root)
    relationships = list(iter_versions(connection, gate, ObjectQuery(types=["relationship"])))
    indicators = {
        v.id: (v, indicator_values(v.body))
        for v in iter_versions(connection, gate, ObjectQuery(types=["indicator"]))
    }
    values, members = _values_of(connection, gate, root, indicators, relationships)
    sharing = []
    for indicator_id, (version, looked_up) in indicators.items():
        shared = values & looked_up
        if shared and indicator_id != root_id and indicator_id not in members:
            graph.node(version)
            graph.edges.append(
                {"source": root_id, "target": indicator_id, "kind": "shares",
                 "values": sorted(shared)}
            )  # fmt: skip
            sharing.append(indicator_id)
    _link_relations(connection, gate, graph, set(sharing), relationships)
    return graph


def _values_of(
    connection: Connection,
    gate: AccessGate,
    root: StoredVersion,
    indicators: dict[str, tuple[StoredVersion, set[str]]],
    relationships: list[StoredVersion],
) -> tuple[set[str], set[str]]:
    """The root's observable values, and the objects they were gathered from."""
    if root.type == "indicator":
        return indicators.get(root.id, (root, indicator_values(root.body)))[1], set()
    if root.type in _CONTAINERS:
        members = [r for r in root.body.get("object_refs", []) if isinstance(r, str)]
    else:
        members = [
            other
            for rel in relationships
            for other in _ends(rel.body)
            if root.id in _ends(rel.body) and other != root.id
        ]
    values: set[str] = set()
    for member in members:
        if member in indicators:
            values |= indicators[member][1]
    others = [m for m in members if m not in indicators]
    if others:
        for version in search(connection, gate, ObjectQuery(ids=others), len(others)).items:
            values |= _observable_values(version.body)
    return values, set(members)


def _ends(body: dict[str, Any]) -> tuple[str, str]:
    return str(body.get("source_ref", "")), str(body.get("target_ref", ""))


def _link_relations(
    connection: Connection,
    gate: AccessGate,
    graph: Graph,
    sharing: set[str],
    relationships: list[StoredVersion],
) -> None:
    """Add what the sharing indicators are related to, and the reports containing them."""
    wanted: dict[str, list[dict[str, Any]]] = {}
    for rel in relationships:
        source, target = _ends(rel.body)
        if source in sharing or target in sharing:
            indicator, other = (source, target) if source in sharing else (target, source)
            wanted.setdefault(other, []).append(
                {"source": indicator, "target": other,
                 "kind": rel.body.get("relationship_type", "related-to")}
            )  # fmt: skip
    for container in iter_versions(connection, gate, ObjectQuery(types=list(_CONTAINERS))):
        refs = set(container.body.get("object_refs", []))
        for indicator in sorted(refs & sharing):
            wanted.setdefault(container.id, []).append(
                {"source": container.id, "target": indicator, "kind": "contains"}
            )
    if not wanted:
        return
    visible = search(connection, gate, ObjectQuery(ids=sorted(wanted)), len(wanted)).items
    for version in visible:  # objects the viewer may not see stay out, and so do their edges
        graph.node(version)
        graph.edges.extend(wanted[version.id])
