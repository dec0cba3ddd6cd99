"""Readers of the public incident datasets into ``IncidentRecord``s.

* ``eurepoc``: the EuRepoC Global Database 1.1 CSV, with its attribution and receiver
  tables read from beside it when present (one row per attribution, per receiver);
* ``cfr``: the Council on Foreign Relations Cyber Operations Tracker CSV export;
* ``dcid``: the Dyadic Cyber Incident and Campaign Data 2.0 workbook (xlsx);
* ``curated``: Accord's own file of sourced facts (``curated.py``).

Every row becomes a record or a ``Problem`` naming the row, the column and why; a value
that cannot be read is reported and left out while the rest of its row is kept. The
datasets' own codes that the model has no field for are kept in the record's
``details``. Mapping a dataset's categories onto Accord's effects is a reading, noted
where it is made.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.diplomacy.cells import country, day, first, urls, values
from accord.diplomacy.incidents import Claim, IncidentRecord, Provenance, Response
from accord.errors import MalformedInput

FORMATS = ("curated", "eurepoc", "cfr", "dcid")


@dataclass(frozen=True)
class Problem:
    row: str  # "file:line" or "sheet:row"
    column: str
    reason: str
    skipped: bool  # the whole row (True) or only this value (False)


@dataclass
class Reading:
    records: list[IncidentRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0

    def value(self, row: str, column: str, reason: str) -> None:
        self.problems.append(Problem(row, column, reason, skipped=False))

    def skip(self, row: str, column: str, reason: str) -> None:
        self.problems.append(Problem(row, column, reason, skipped=True))


def read_dataset(fmt: str, path: Path | None) -> Reading:
    """The records of a dataset file (for ``curated``, the packaged file by default)."""
    if fmt not in FORMATS:
        raise MalformedInput(str(path), f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "curated":
        from accord.diplomacy.curated import read_curated

        return read_curated(path)
    if path is None or not path.is_file():
        raise MalformedInput(str(path), f"no such file: {fmt} needs the dataset's file")
    return {"eurepoc": _eurepoc, "cfr": _cfr, "dcid": _dcid}[fmt](path)


def _csv_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[str, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise MalformedInput(str(path), f"no column {', '.join(missing)}: not this format")
        for row in reader:
            yield f"{path.name}:{reader.line_num}", row


def _countries(reading: Reading, where: str, column: str, cell: str) -> list[str]:
    found = []
    for name in values(cell):
        if name.endswith("(region)"):
            continue  # a region, not a country: EuRepoC codes both
        code = country(name)
        if code is None:
            if name.lower() not in ("unknown", "not available", "none", ""):
                reading.value(where, column, f"{name!r} is no country we know")
        elif code not in found:
            found.append(code)
    return found


# -- EuRepoC -----------------------------------------------------------------------------

#: EuRepoC's incident types → Accord's effects (hijacking has no counterpart: kept as is)
_EUREPOC_EFFECTS = {
    "disruption": ["disruption"],
    "data theft": ["data-theft"],
    "data theft & doxing": ["data-theft", "influence"],
    "ransomware": ["disruption"],
}
_EUREPOC_FORMS = {
    "technical report": "technical-report",
    "self-attribution": "self-attribution",
    "direct statement in media": "media-report",
    "anonymous statement in media": "media-report",
    "political statement": "statement",
    "domestic legal action": "indictment",
}


def _eurepoc(path: Path) -> Reading:
    reading = Reading()
    attributions = _sibling_rows(path, "Attribution", "incident_ID")
    receivers = _sibling_rows(path, "Receiver", "ID")
    for where, row in _csv_rows(path, ("ID", "name", "start_date", "incident_type")):
        reading.rows += 1
        record_id = row["ID"].strip()
        if not record_id or not row["name"].strip():
            reading.skip(where, "ID" if not record_id else "name", "empty")
            continue
        start = day(row["start_date"])
        if row["start_date"].strip() and start is None:
            reading.value(where, "start_date", f"{row['start_date']!r} is no date")
        record = IncidentRecord(
            name=row["name"].strip(),
            provenance=[Provenance("eurepoc", record_id)],
            description=row.get("description", "").strip() or None,
            start=start,
            end=day(row.get("end_date")),
            sources=urls(row.get("sources_url"), row.get("sources_attribution")),
        )
        receiver_rows = receivers.get(record_id)
        if receiver_rows:
            for receiver in receiver_rows:
                for code in _countries(
                    reading, where, "receiver_country", receiver["receiver_country"]
                ):
                    if code not in record.victim_countries:
                        record.victim_countries.append(code)
                for sector in values(receiver.get("receiver_category")):
                    if sector not in record.victim_sectors:
                        record.victim_sectors.append(sector)
        else:
            record.victim_countries = _countries(
                reading, where, "receiver_country", row.get("receiver_country", "")
            )
            record.victim_sectors = list(dict.fromkeys(values(row.get("receiver_category"))))
        record.critical_infrastructure = any(
            "critical infrastructure" in s.lower() for s in record.victim_sectors
        )
        for kind in values(row["incident_type"]):
            for effect in _EUREPOC_EFFECTS.get(kind.lower(), []):
                if effect not in record.effects:
                    record.effects.append(effect)
        intensity = row.get("weighted_cyber_intensity", "").strip()
        if intensity:
            try:
                record.severity = round(min(float(intensity), 10.0), 2)
            except ValueError:
                reading.value(where, "weighted_cyber_intensity", f"{intensity!r} is no number")
        record.claims = [
            _eurepoc_claim(reading, where, a) for a in attributions.get(record_id, [row])
        ]
        record.claims = [c for c in record.claims if c.actor or c.state or c.by]
        record.responses = _eurepoc_responses(row)
        record.details["eurepoc"] = {
            k: row[k]
            for k in (
                "incident_type",
                "inclusion_criteria",
                "initiator_category",
                "attribution_basis",
            )
            if row.get(k)
        }
        reading.records.append(record)
    return reading


def _sibling_rows(path: Path, kind: str, key: str) -> dict[str, list[dict[str, str]]]:
    """Rows of the EuRepoC table of this kind beside ``path``, by incident id."""
    found: dict[str, list[dict[str, str]]] = defaultdict(list)
    for sibling in sorted(path.parent.glob(f"EuRepoC_{kind}_dataset*.csv")):
        for _, row in _csv_rows(sibling, (key,)):
            found[row[key].strip()].append(row)
    return found


def _eurepoc_claim(reading: Reading, where: str, row: dict[str, str]) -> Claim:
    kind = row.get("attribution_type", "").lower()
    form = next((f for prefix, f in _EUREPOC_FORMS.items() if kind.startswith(prefix)), "other")
    state_names = values(row.get("attributed_initiator_country"))
    state = None
    if state_names:
        state = country(state_names[0])
        if state is None and state_names[0].lower() not in ("unknown", "not available"):
            reading.value(
                where, "attributed_initiator_country", f"{state_names[0]!r} is no country"
            )
    by_country = next((country(n) for n in values(row.get("attributing_country"))), None)
    by = first(values(row.get("attributing_actor")) or values(row.get("attribution_it_company")))
    actors = [
        a
        for a in values(row.get("attributed_initiator"))
        if a.lower() not in ("unknown", "not available")
    ]
    return Claim(
        by=by,
        by_country=by_country,
        date=day(row.get("attribution_date")),
        actor=actors[0] if actors else None,
        state=state,
        form=form,
    )


def _eurepoc_responses(row: dict[str, str]) -> list[Response]:
    found = []
    for prefix in ("political", "legal"):
        kinds = values(row.get(f"{prefix}_response_type"))
        dates = values(row.get(f"{prefix}_response_date"))
        by = values(row.get(f"{prefix}_response_country"))
        for n, kind in enumerate(kinds):
            if len(kind) <= 2 or kind.lower() in ("unknown", "none", "not available"):
                continue  # a placeholder, not a response
            found.append(
                Response(
                    kind=kind,
                    date=day(dates[n]) if n < len(dates) else None,
                    by=(country(by[n]) or by[n]) if n < len(by) else None,
                )
            )
    return found


# -- CFR ---------------------------------------------------------------------------------

#: CFR's operation types → Accord's effects (financial theft has no counterpart)
_CFR_EFFECTS = {
    "espionage": ["espionage"],
    "sabotage": ["disruption"],
    "denial of service": ["disruption"],
    "data destruction": ["destruction"],
    "defacement": ["influence"],
    "doxing": ["data-theft", "influence"],
}
_CFR_TYPES = {*_CFR_EFFECTS, "financial theft", ""}
_CFR_RESPONSES = {
    "denouncement",
    "confirmation",
    "criminal charges",
    "sanctions",
    "denial",
    "hack back",
}


def _cfr(path: Path) -> Reading:
    reading = Reading()
    seen: dict[str, str] = {}  # record key → the row that had it first
    for where, row in _csv_rows(path, ("Title", "Date", "Sponsor", "Type", "Sources_1")):
        reading.rows += 1
        title = row["Title"].strip()
        if not title:
            reading.skip(where, "Title", "empty")
            continue
        kind = row["Type"].strip()
        if kind.lower() not in _CFR_TYPES:
            reading.skip(
                where, "Type", f"{kind[:60]!r} is no operation type: the row's columns are shifted"
            )
            continue
        start = day(row["Date"])
        key = f"{start or ''}|{title}"
        if key in seen:  # the tracker has no ids: title and date are the row's identity
            reading.skip(where, "Title", f"the same title and date as {seen[key]}")
            continue
        seen[key] = where
        if start is None:
            reading.value(where, "Date", f"{row['Date']!r} is no date")
        record = IncidentRecord(
            name=title,
            provenance=[Provenance("cfr", key)],
            description=row.get("Description", "").strip() or None,
            start=start,
            sources=urls(row.get("Sources_1"), row.get("Sources_2"), row.get("Sources_3")),
        )
        record.victim_sectors = [
            s.strip().lower() for s in row.get("Category", "").split(",") if s.strip()
        ]
        record.effects = list(_CFR_EFFECTS.get(kind.lower(), []))
        states = _sponsors(reading, where, row["Sponsor"])
        actor = row.get("Affiliations", "").strip() or None
        claimed: list[str | None] = list(states) or ([None] if actor else [])
        for state in claimed:
            record.claims.append(
                Claim(
                    by="Council on Foreign Relations, Cyber Operations Tracker",
                    actor=actor,
                    state=state,
                    form="dataset-assessment",
                    wording=actor,
                    source=first(record.sources),
                )
            )
        response = row.get("Response", "").strip()
        kind_text = response.split("http")[0].strip()
        if kind_text.lower() in _CFR_RESPONSES:
            record.responses.append(Response(kind=kind_text, source=first(urls(response))))
        elif kind_text and kind_text.lower() != "unknown":
            reading.value(where, "Response", f"{kind_text[:60]!r} is no response type")
        if row.get("Victims"):
            record.details["cfr"] = {"victims": row["Victims"].strip()}
        reading.records.append(record)
    return reading


def _sponsors(reading: Reading, where: str, cell: str) -> list[str]:
    """The sponsoring states: one country, or several joined by commas."""
    text = cell.strip()
    if not text:
        return []
    whole = country(text)
    if whole:
        return [whole]
    parts = [country(part) for part in text.split(", ")]
    if parts and all(parts):
        return [p for p in parts if p]
    reading.value(where, "Sponsor", f"{text!r} is no country, nor a list of them")
    return []


# -- DCID --------------------------------------------------------------------------------

_DCID_COLUMNS = ("Cyberincidentnum", "Dyadpair", "StateA", "StateB", "Name", "initiator")


def _dcid(path: Path) -> Reading:
    import openpyxl

    reading = Reading()
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise MalformedInput(str(path), f"not an xlsx workbook: {exc}") from None
    # the public release sheet (429 incidents); the February 2023 update sheet's rows do
    # not follow its header (names missing, columns shifted), so it is not read
    sheet = book[book.sheetnames[0]]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    missing = [c for c in _DCID_COLUMNS if c not in header]
    if missing:
        raise MalformedInput(str(path), f"no column {', '.join(missing)}: not DCID 2.0")
    for number, cells in enumerate(rows, start=2):
        where = f"{sheet.title}:{number}"
        row = dict(zip(header, cells, strict=False))
        if all(v is None for v in cells):
            continue
        reading.rows += 1
        name, key = row.get("Name"), row.get("Cyberincidentnum")
        if not name or key is None:
            reading.skip(where, "Name" if not name else "Cyberincidentnum", "empty")
            continue
        record = _dcid_record(reading, where, row)
        reading.records.append(record)
    book.close()
    return reading


def _dcid_record(reading: Reading, where: str, row: dict[str, Any]) -> IncidentRecord:
    a, b = (str(row.get(k) or "").strip() for k in ("StateA", "StateB"))
    codes = {side: country(name) for side, name in (("A", a), ("B", b))}
    for side, name in (("A", a), ("B", b)):
        if name and codes[side] is None:
            reading.value(where, f"State{side}", f"{name!r} is no country")
    initiator = _dcid_initiator(str(row.get("Dyadpair") or ""), str(row.get("initiator") or ""))
    if initiator is None:
        reading.value(where, "initiator", "cannot tell which state of the dyad initiated")
    attacker = codes.get(initiator) if initiator else None
    victim = codes.get("B" if initiator == "A" else "A") if initiator else None
    record = IncidentRecord(
        name=str(row["Name"]).strip(),
        provenance=[Provenance("dcid", str(row["Cyberincidentnum"]))],
        start=day(row.get("interactionstartdate")),
        end=day(row.get("interactionenddate")),
        victim_countries=[victim] if victim else [],
        critical_infrastructure=row.get("Crit Inf") == 1,
        sources=urls(*(row.get(f"Sources{n}") for n in range(1, 6))),
    )
    severity = row.get("severity")
    if isinstance(severity, int | float):
        record.severity = float(severity)  # DCID's 1-10 scale
    if attacker:
        record.claims.append(
            Claim(
                by="Dyadic Cyber Incident and Campaign Data 2.0",
                state=attacker,
                form="dataset-assessment",
                wording=str(row.get("Political Objective") or "").strip() or None,
                source=first(record.sources),
            )
        )
    record.details["dcid"] = {
        k: row[k]
        for k in (
            "method",
            "targettype",
            "cyber_objective",
            "damage type",
            "Supply Ch",
            "Ransomware",
        )
        if row.get(k) is not None
    }
    return record


def _dcid_initiator(dyad: str, initiator: str) -> str | None:
    """Which state of the dyad (A or B) the initiator's country code is: the dyad number
    is A's code followed by B's."""
    if not dyad or not initiator or initiator == dyad:
        return None
    first, last = dyad.startswith(initiator), dyad.endswith(initiator)
    if first and not last:
        return "A"
    if last and not first:
        return "B"
    return None
