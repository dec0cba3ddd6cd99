"""Actor profiles: what each intrusion set is known to use, target and come from.

Built from STIX objects: the ATT&CK bundle (intrusion sets, campaigns attributed to
them, their ``uses`` of techniques and software, aliases) and the node's own store
(intrusion sets and incidents received from peers, ``attributed-to`` relationships,
``targets`` of identities and locations, indicators that ``indicate`` an actor). Every
fact keeps the citations that support it, so that a benchmark can take one report's
facts out (``without``) and an explanation can say where a fact comes from.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from accord.attribution.attack import attack_url, external_id
from accord.attribution.places import countries_in, country_code, country_words

#: the label of the relationships an assessment proposes (``report.HYPOTHESIS_LABEL``):
#: a hypothesis is not a fact
HYPOTHESIS = "accord-hypothesis"
#: ``(Citation: Source Name)`` in ATT&CK descriptions
CITATION = re.compile(r"\(Citation: ([^)]+)\)")
#: ATT&CK software relationships and actor relationships that profile an actor
_FEATURE_TYPES = ("attack-pattern", "malware", "tool")
_ACTOR_TYPES = ("intrusion-set",)
_ATTRIBUTABLE = ("campaign", "incident", "intrusion-set")
#: Words in an actor's description that name a victim sector (STIX industry-sector-ov).
SECTOR_WORDS: Mapping[str, str] = {
    "aerospace": "aerospace", "aviation": "aerospace", "defense": "defense",
    "defence": "defense", "military": "defense", "energy": "energy", "oil": "energy",
    "nuclear": "energy", "financial": "financial-services", "bank": "financial-services",
    "government": "government", "diplomat": "government", "embass": "government",
    "health": "healthcare", "hospital": "healthcare", "pharmaceutical": "pharmaceuticals",
    "telecom": "telecommunications", "education": "education", "universit": "education",
    "academ": "education", "research": "education", "think tank": "non-profit",
    "non-governmental": "non-profit", "ngo": "non-profit", "media": "entertainment",
    "journalist": "entertainment", "manufactur": "manufacturing", "chemical": "chemical",
    "retail": "retail", "hospitality": "hospitality-leisure", "hotel": "hospitality-leisure",
    "transport": "transportation", "shipping": "transportation", "maritime": "transportation",
    "logistic": "transportation", "technology": "technology", "utilit": "utilities",
    "electric": "utilities", "critical infrastructure": "infrastructure",
    "cryptocurrenc": "financial-services", "casino": "hospitality-leisure",
    "gaming": "entertainment", "legal": "commercial", "construction": "construction",
    "agricultur": "agriculture", "mining": "mining", "insurance": "insurance",
}  # fmt: skip
_SECTOR_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in sorted(SECTOR_WORDS, key=len, reverse=True)) + ")",
    re.IGNORECASE,
)


@cache
def _origin_patterns() -> tuple[re.Pattern[str], ...]:
    """Phrasings that say where an actor operates from (not whom it targets)."""
    place = rf"(?P<place>{country_words()})"
    return tuple(
        re.compile(p, re.IGNORECASE)
        for p in (
            rf"(?:attributed to|based in|operating out of|located in|nexus to|on behalf of)"
            rf"\s+(?:actors\s+operating\s+out\s+of\s+)?(?:the\s+)?{place}(?![\w])",
            rf"(?<![\w.]){place}[- ](?:based|sponsored|nexus|speaking|state|government"
            rf"|intelligence|military)",
            rf"(?:suspected|likely|an?|is)\s+{place}\s+(?:state|threat|cyber|group|APT|espionage"
            rf"|actor|hacking|financially)",
        )
    )


@dataclass
class Actor:
    key: str  # the ATT&CK id (G0016), or the STIX id for actors ATT&CK does not know
    stix_id: str
    name: str
    attack_id: str | None = None
    aliases: tuple[str, ...] = ()
    url: str | None = None
    #: where the actor is said to operate from (ISO 3166), and the source saying so
    origin: str | None = None
    origin_source: str | None = None
    #: feature ("T1059.001", "S0154", "infra:…", "sector:…", "country:…") → citations
    uses: dict[str, frozenset[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"attack_id": self.attack_id, "name": self.name, "stix_id": self.stix_id}


@dataclass
class Knowledge:
    actors: dict[str, Actor]
    #: ATT&CK id → name, for techniques and software
    names: dict[str, str]
    #: lower-case software name or alias → ATT&CK id (or STIX id)
    software_names: dict[str, str]
    #: software id → the techniques it is known to implement
    software_techniques: dict[str, frozenset[str]]
    #: where it was built from (for reports)
    origin: str = ""
    #: software id → technique → the citations saying the software implements it
    software_sources: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)

    def without(self, actor_key: str, citation: str) -> Knowledge:
        """The same knowledge less what ``citation`` says of one actor, and of the
        software it describes: facts only it supports go, and it no longer counts for
        the facts others support too (a report held out is not known at all, so what it
        says a tool does goes as well)."""
        actor = self.actors[actor_key]
        kept = {f: c - {citation} for f, c in actor.uses.items() if c != frozenset({citation})}
        sources = {
            software: {t: c - {citation} for t, c in held.items() if c != frozenset({citation})}
            for software, held in self.software_sources.items()
            if any(citation in c for c in held.values())
        }
        techniques = {
            software: self._same(software, frozenset(held)) for software, held in sources.items()
        }
        return replace(
            self,
            actors={**self.actors, actor_key: replace(actor, uses=kept)},
            # unchanged entries stay the same objects, so that a caller can tell what changed
            software_techniques={**self.software_techniques, **techniques},
            software_sources={**self.software_sources, **sources},
        )

    def _same(self, software: str, techniques: frozenset[str]) -> frozenset[str]:
        held = self.software_techniques.get(software)
        return held if held == techniques else techniques

    def resolve_software(self, value: str) -> str | None:
        if value in self.names and value.startswith("S"):
            return value
        return self.software_names.get(value.lower())

    def cases(self, minimum: int = 3) -> dict[tuple[str, str], frozenset[str]]:
        """(actor, citation) → the techniques and software that citation supports, for
        citations that support at least ``minimum`` of one actor's (the benchmark's
        leave-one-report-out cases)."""
        per: dict[tuple[str, str], set[str]] = defaultdict(set)
        for actor in self.actors.values():
            for feature, citations in actor.uses.items():
                if feature[0] in "TS" and feature[1:2].isdigit():
                    for citation in citations:
                        per[(actor.key, citation)].add(feature)
        return {k: frozenset(v) for k, v in per.items() if len(v) >= minimum}


def build_knowledge(objects: Iterable[Mapping[str, Any]], origin: str = "") -> Knowledge:
    """Knowledge from STIX objects (any order; the newest version of an id wins)."""
    latest: dict[str, Mapping[str, Any]] = {}
    for obj in objects:
        key = obj.get("id")
        if isinstance(key, str):
            held = latest.get(key)
            if held is None or str(obj.get("modified", "")) >= str(held.get("modified", "")):
                latest[key] = obj
    live = {
        k: o for k, o in latest.items() if not o.get("revoked") and not o.get("x_mitre_deprecated")
    }
    return _Builder(live).build(origin)


class _Builder:
    def __init__(self, objects: dict[str, Mapping[str, Any]]) -> None:
        self.objects = objects
        self.actors: dict[str, Actor] = {}  # by STIX id
        self.uses: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.names: dict[str, str] = {}
        self.feature_of: dict[str, str] = {}  # STIX id of a technique/software → feature
        self.software_names: dict[str, str] = {}
        self.software_techniques: dict[str, dict[str, set[str]]] = defaultdict(
            lambda: defaultdict(set)
        )
        self.relationships = [o for o in objects.values() if o.get("type") == "relationship"]

    def build(self, origin: str) -> Knowledge:
        self._features()
        self._actors()
        attributed = self._attributed()
        for rel in self.relationships:
            self._relationship(rel, attributed)
        self._victims(attributed)
        actors = {}
        for stix_id, actor in self.actors.items():
            actor.uses = {f: frozenset(c) for f, c in self.uses[stix_id].items()}
            actors[actor.key] = actor
        return Knowledge(
            actors,
            self.names,
            self.software_names,
            {k: frozenset(v) for k, v in self.software_techniques.items()},
            origin,
            {
                k: {t: frozenset(c) for t, c in v.items()}
                for k, v in self.software_techniques.items()
            },
        )

    def _features(self) -> None:
        for stix_id, obj in self.objects.items():
            if obj.get("type") not in _FEATURE_TYPES:
                continue
            key = external_id(obj) or stix_id
            self.feature_of[stix_id] = key
            self.names[key] = str(obj.get("name", key))
            if obj.get("type") != "attack-pattern":
                for name in [obj.get("name"), *(obj.get("x_mitre_aliases") or ())]:
                    if isinstance(name, str):
                        self.software_names.setdefault(name.lower(), key)

    def _actors(self) -> None:
        for stix_id, obj in self.objects.items():
            if obj.get("type") not in _ACTOR_TYPES:
                continue
            attack_id = external_id(obj)
            url = attack_url(obj)
            actor = Actor(
                key=attack_id or stix_id,
                stix_id=stix_id,
                name=str(obj.get("name", stix_id)),
                attack_id=attack_id,
                aliases=tuple(a for a in obj.get("aliases") or () if a != obj.get("name")),
                url=url,
            )
            description = str(obj.get("description", ""))
            actor.origin = _origin(description)
            actor.origin_source = url if actor.origin else None
            citation = url or stix_id
            for sector in _sectors(description):
                self.uses[stix_id][f"sector:{sector}"].add(citation)
            for code in countries_in(description):
                if code != actor.origin:
                    self.uses[stix_id][f"country:{code}"].add(citation)
            self.actors[stix_id] = actor

    def _attributed(self) -> dict[str, str]:
        """Campaigns, incidents and intrusion sets → the actor they are attributed to
        (following chains such as incident → campaign → intrusion set)."""
        direct: dict[str, str] = {}
        for rel in self.relationships:
            if rel.get("relationship_type") == "attributed-to" and HYPOTHESIS not in (
                rel.get("labels") or ()
            ):
                source, target = str(rel.get("source_ref")), str(rel.get("target_ref"))
                if source.split("--")[0] in _ATTRIBUTABLE and source in self.objects:
                    direct.setdefault(source, target)
        resolved: dict[str, str] = {}
        for source in direct:
            target, hops = direct[source], 0
            while target not in self.actors and target in direct and hops < 4:
                target, hops = direct[target], hops + 1
            if target in self.actors:
                resolved[source] = target
        return resolved

    def _victims(self, attributed: dict[str, str]) -> None:
        """Victim countries and sectors of incidents attributed to an actor, as the
        incident's property extensions record them (any extension with those keys)."""
        for source, owner in attributed.items():
            incident = self.objects.get(source)
            if incident is None or incident.get("type") != "incident":
                continue
            for data in (incident.get("extensions") or {}).values():
                if not isinstance(data, dict):
                    continue
                for code in data.get("victim_countries") or ():
                    self.uses[owner][f"country:{code}"].add(source)
                for sector in data.get("victim_sectors") or ():
                    self.uses[owner][f"sector:{str(sector).lower()}"].add(source)

    def _owner(self, ref: str, attributed: dict[str, str]) -> str | None:
        return ref if ref in self.actors else attributed.get(ref)

    def _relationship(self, rel: Mapping[str, Any], attributed: dict[str, str]) -> None:
        kind = rel.get("relationship_type")
        source, target = str(rel.get("source_ref")), str(rel.get("target_ref"))
        citations = _citations(rel)
        if kind == "uses":
            owner = self._owner(source, attributed)
            feature = self.feature_of.get(target)
            if owner and feature:
                self.uses[owner][feature].update(citations)
            elif source in self.feature_of and feature and feature.startswith("T"):
                self.software_techniques[self.feature_of[source]][feature].update(citations)
        elif kind == "targets":
            owner = self._owner(source, attributed)
            victim = self.objects.get(target)
            if owner and victim:
                for feature in _victim_features(victim):
                    self.uses[owner][feature].update(citations)
        elif kind == "indicates":
            owner = self._owner(target, attributed)
            indicator = self.objects.get(source)
            if owner and indicator:
                for value in _indicator_values(indicator):
                    self.uses[owner][f"infra:{value}"].update(citations)


def _citations(rel: Mapping[str, Any]) -> set[str]:
    """The sources a relationship cites (its own id when it cites none)."""
    found = {
        str(ref["source_name"])
        for ref in rel.get("external_references") or ()
        if ref.get("source_name") and ref.get("source_name") != "mitre-attack"
    }
    found.update(CITATION.findall(str(rel.get("description", ""))))
    return found or {str(rel.get("id"))}


def _origin(description: str) -> str | None:
    """The state an actor is said to operate from, read from the first sentence of its
    description when that sentence names a country next to an origin cue."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", description)  # markdown links → text
    first = re.split(r"(?<=\.)[\s(]", CITATION.sub(" ", text), maxsplit=1)[0]
    found = [
        (match.start(), match.group("place"))
        for pattern in _origin_patterns()
        if (match := pattern.search(first))
    ]
    return country_code(min(found)[1]) if found else None


def _sectors(description: str) -> list[str]:
    found: list[str] = []
    for match in _SECTOR_PATTERN.finditer(description):
        sector = SECTOR_WORDS[match.group(1).lower()]
        if sector not in found:
            found.append(sector)
    return found


def _victim_features(victim: Mapping[str, Any]) -> list[str]:
    if victim.get("type") == "identity":
        return [f"sector:{str(s).lower()}" for s in victim.get("sectors") or ()]
    if victim.get("type") == "location" and victim.get("country"):
        code = country_code(str(victim["country"]))
        return [f"country:{code}"] if code else []
    return []


def _indicator_values(indicator: Mapping[str, Any]) -> list[str]:
    from accord.correlate.compiler import PatternError, compile_pattern
    from accord.correlate.index import ValueAnchor, anchors

    if indicator.get("pattern_type") != "stix":
        return []
    try:
        found = anchors(compile_pattern(str(indicator.get("pattern", ""))))
    except PatternError:
        return []
    return [
        str(a.value).lower().rstrip(".")
        for a in found
        if isinstance(a, ValueAnchor) and isinstance(a.value, str)
    ]
