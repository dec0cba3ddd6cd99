"""A small, hand-made knowledge base whose right answers are known by construction."""

from __future__ import annotations

from typing import Any

from accord.attribution.knowledge import Knowledge, build_knowledge

_N = [0]


def _id(kind: str) -> str:
    _N[0] += 1
    return f"{kind}--00000000-0000-4000-8000-{_N[0]:012d}"


def attack_object(kind: str, attack_id: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "id": _id(kind),
        "name": name,
        "modified": "2024-01-01T00:00:00.000Z",
        "external_references": [
            {
                "source_name": "mitre-attack",
                "external_id": attack_id,
                "url": f"https://attack.example/{attack_id}",
            }
        ],
        **extra,
    }


def uses(source: dict[str, Any], target: dict[str, Any], *citations: str) -> dict[str, Any]:
    return {
        "type": "relationship",
        "id": _id("relationship"),
        "relationship_type": "uses",
        "source_ref": source["id"],
        "target_ref": target["id"],
        "external_references": [{"source_name": c} for c in citations],
    }


def small_world() -> tuple[Knowledge, list[dict[str, Any]]]:
    """Three actors A, B, C among forty others. Common techniques everyone uses; A and B
    share a tool; each has a tool of its own; A is said to be Russian, B Chinese, C
    nothing. The others only use the common techniques and a tool each."""
    common = [attack_object("attack-pattern", f"T100{n}", f"common {n}") for n in range(3)]
    sub = attack_object("attack-pattern", "T1059.001", "PowerShell")
    parent = attack_object("attack-pattern", "T1059", "Command interpreter")
    shared = attack_object("tool", "S0001", "SharedKit", x_mitre_aliases=["SharedKit", "SK"])
    own = {n: attack_object("malware", f"S000{i + 2}", f"{n}-implant") for i, n in enumerate("ABC")}
    actors = {
        "A": attack_object(
            "intrusion-set",
            "G0001",
            "Actor A",
            aliases=["Actor A", "Bear A"],
            description="Actor A is a threat group that has been attributed to Russia's "
            "intelligence service. It has targeted government and energy organisations "
            "in Ukraine.",
        ),
        "B": attack_object(
            "intrusion-set",
            "G0002",
            "Actor B",
            description="Actor B is a suspected Chinese cyber espionage group targeting "
            "telecommunications companies.",
        ),
        "C": attack_object("intrusion-set", "G0003", "Actor C", description="Actor C is a group."),
    }
    objects: list[dict[str, Any]] = [*common, sub, parent, shared, *own.values(), *actors.values()]
    for name, actor in actors.items():
        objects += [uses(actor, t, f"{name} report 1", "ATT&CK overview") for t in common]
        objects.append(uses(actor, own[name], f"{name} report 1"))
    for n in range(40):
        other = attack_object("intrusion-set", f"G01{n:02d}", f"Other {n}")
        tool = attack_object("tool", f"S01{n:02d}", f"other tool {n}")
        objects += [other, tool, uses(other, tool, f"other report {n}")]
        objects += [uses(other, t, f"other report {n}") for t in common]
    objects.append(uses(actors["A"], shared, "A report 2"))
    objects.append(uses(actors["B"], shared, "B report 2"))
    objects.append(uses(actors["A"], sub, "A report 2", "A report 3"))
    objects.append(uses(own["C"], parent, "C malware analysis"))
    return build_knowledge(objects, "small world"), objects


def as_stix21(obj: dict[str, Any]) -> dict[str, Any]:
    """A small-world object (written as ATT&CK's STIX 2.0 is) made valid STIX 2.1."""
    done = {"spec_version": "2.1", "created": "2024-01-01T00:00:00.000Z",
            "modified": "2024-01-01T00:00:00.000Z", **obj}  # fmt: skip
    if done["type"] == "malware":
        done["is_family"] = True
    done["external_references"] = [
        ref if {"url", "external_id", "description"} & set(ref) else {**ref, "description": "cited"}
        for ref in obj.get("external_references", [])
    ]
    if not done["external_references"]:
        del done["external_references"]
    return done
