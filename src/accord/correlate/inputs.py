"""What a correlation run reads: log files (through ``logs``) or STIX observed-data."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path

from accord.correlate.evaluate import Observation, observations_from_stix
from accord.correlate.logs import FORMATS, SkipReport, observation_of, read_records
from accord.correlate.retention import record_of
from accord.correlate.run import Observed
from accord.errors import MalformedInput
from accord.stix.reader import open_source

STIX = "stix"
INPUT_FORMATS = (*FORMATS, STIX)
_BUNDLE_START = re.compile(
    rb'\A\s*[\[{]\s*(?:"[a-z_]+"\s*:\s*"[^"]*"\s*,\s*)*"type"\s*:\s*"bundle"'
)


def parse_mapping(entries: list[str]) -> dict[str, str]:
    """``FIELD=OBJECT-PATH`` entries (the --map option) as a mapping; ValueError names a bad one."""
    mapping = {}
    for entry in entries:
        field, sep, path = entry.partition("=")
        if not sep or not field or not path:
            raise ValueError(f"{entry!r}: write FIELD=OBJECT-PATH, e.g. src_ip=ipv4-addr:value")
        mapping[field] = path
    return mapping


def observed_in(
    path: str | Path,
    fmt: str | None = None,
    mapping: Mapping[str, str] | None = None,
    skipped: SkipReport | None = None,
) -> Iterator[Observed]:
    """The observations in one file, streamed (STIX bundles are read whole)."""
    if fmt is not None and fmt not in INPUT_FORMATS:
        raise MalformedInput(str(path), f"unknown format {fmt!r}: use {', '.join(INPUT_FORMATS)}")
    if fmt == STIX or (fmt is None and _looks_like_bundle(Path(path))):
        yield from _stix(str(path))
        return
    for record in read_records(path, fmt, mapping, skipped):
        yield Observed(record, partial(observation_of, record))


def _looks_like_bundle(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return _BUNDLE_START.match(stream.read(4096)) is not None
    except OSError:
        return False


def _stix(path: str) -> Iterator[Observed]:
    with open_source(path) as reader:
        objects = [obj for obj in reader if isinstance(obj, dict)]
    try:
        observations = observations_from_stix(objects)
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedInput(path, f"an observed-data object lacks or garbles {exc}") from None
    for observation in observations:
        yield Observed(record_of(observation), partial(_given, observation))


def _given(observation: Observation) -> Observation:
    return observation
