"""Reading STIX objects from files and streams: bundles, JSON arrays, JSON lines.

Bundles and arrays are streamed (ijson), so a source of any size is read in memory
proportional to its largest object. Sources must be seekable files: telling a bundle
from JSON lines needs a second look at the start (the CLI spools standard input).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import ijson
import orjson

from accord.errors import MalformedInput

SUFFIXES = (".json", ".jsonl", ".ndjson", ".stix")
_FIRST_LINE_LIMIT = 16 * 1024 * 1024


class ObjectReader:
    """Iterates the raw objects of one seekable binary source."""

    def __init__(self, stream: IO[bytes], name: str, size: int | None = None) -> None:
        self._stream = stream
        self.name = name
        self.size = size

    @property
    def position(self) -> int:
        """Bytes consumed so far (for progress bars)."""
        try:
            return self._stream.tell()
        except (OSError, ValueError):
            return 0

    def __iter__(self) -> Iterator[Any]:
        first = self._first_significant_byte()
        if first is None:
            return
        if first == b"[":
            yield from self._stream_items("item")
        elif first == b"{":
            yield from self._objects_of_brace_source()
        else:
            raise MalformedInput(
                self.name, f"expected a JSON bundle, array or JSON lines, found {first!r}"
            )

    def _first_significant_byte(self) -> bytes | None:
        self._stream.seek(0)
        while True:
            char = self._stream.read(1)
            if not char:
                return None
            if not char.isspace():
                self._stream.seek(0)
                return char

    def _objects_of_brace_source(self) -> Iterator[Any]:
        first_line = self._stream.readline(_FIRST_LINE_LIMIT)
        try:
            first = orjson.loads(first_line)
        except orjson.JSONDecodeError:
            first = None
        if isinstance(first, dict):
            self._stream.seek(0)
            yield from self._json_lines()
            return
        self._stream.seek(0)
        if self._top_level_type() == "bundle":
            self._stream.seek(0)
            yield from self._stream_items("objects.item")
            return
        self._stream.seek(0)
        yield self._whole_document()

    def _top_level_type(self) -> object:
        try:
            return next(ijson.items(self._stream, "type"), None)
        except ijson.JSONError as exc:
            raise self._malformed(exc) from None

    def _whole_document(self) -> Any:
        try:
            return orjson.loads(self._stream.read())
        except orjson.JSONDecodeError as exc:
            raise MalformedInput(self.name, f"not valid JSON: {exc}") from None

    def _stream_items(self, prefix: str) -> Iterator[Any]:
        try:
            yield from ijson.items(self._stream, prefix, use_float=True)
        except ijson.JSONError as exc:
            raise self._malformed(exc) from None

    def _json_lines(self) -> Iterator[Any]:
        for number, line in enumerate(self._stream, start=1):
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise MalformedInput(self.name, f"line {number}: not valid JSON: {exc}") from None
            if isinstance(value, dict) and value.get("type") == "bundle":
                objects = value.get("objects", [])
                if not isinstance(objects, list):
                    raise MalformedInput(self.name, f"line {number}: bundle 'objects' is no list")
                yield from objects
            else:
                yield value

    def _malformed(self, exc: Exception) -> MalformedInput:
        return MalformedInput(self.name, f"not valid JSON near byte {self.position}: {exc}")


def expand_sources(arguments: list[str]) -> list[str]:
    """Files as given; directories replaced by their STIX files (recursive, sorted)."""
    expanded: list[str] = []
    for argument in arguments:
        path = Path(argument)
        if argument != "-" and path.is_dir():
            expanded.extend(
                str(p) for p in sorted(path.rglob("*")) if p.is_file() and p.suffix in SUFFIXES
            )
        else:
            expanded.append(argument)
    return expanded


@contextmanager
def open_source(path: str) -> Iterator[ObjectReader]:
    """An ObjectReader for the file at ``path``."""
    try:
        stream = Path(path).open("rb")  # noqa: SIM115  (closed by the with below)
    except OSError as exc:
        raise MalformedInput(path, f"cannot open: {exc.strerror}") from None
    with stream:
        yield ObjectReader(stream, path, Path(path).stat().st_size)
