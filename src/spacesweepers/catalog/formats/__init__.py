"""Catalog file formats: read any of them into a :class:`~spacesweepers.catalog.elements.ParseResult`,
write element sets to any of them.

=================  ===========================================  ======  =====
format             what                                         read    write
=================  ===========================================  ======  =====
``tle``            TLE / 3LE / CelesTrak name + TLE             yes     yes
``omm-json``       CCSDS OMM as CelesTrak/Space-Track JSON      yes     yes
``omm-xml``        CCSDS OMM NDM/XML                            yes     yes
``omm-kvn``        CCSDS OMM key = value                        yes     yes
``omm-csv``        CCSDS OMM keys as CSV columns                yes     yes
``csv``            OMM keys + perigee/apogee/period (export)    (omm)   yes
``satcat-csv``     CelesTrak / Space-Track SATCAT → metadata    yes     satcat.write_satcat_csv
``cara-csv``       NASA CARA HBR / mass table → sizes           yes     cara.write_cara_csv
``keeptrack-json`` keeptrack.space TLE.json → elements+metadata yes     no
=================  ===========================================  ======  =====

:func:`detect_format` looks at the content (the extension only breaks ties), so a CelesTrak
download saved as ``gp.php`` still reads. Bad records never stop a read: they are collected
in ``ParseResult.problems``. :func:`read` raises :class:`~spacesweepers.errors.ParseError`
only for whole-file problems: an empty file, binary data, or content in no known format.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from ...errors import ParseError
from ..elements import ElementSet, ParseResult
from ._common import WriteError, empty_file_error, load_text
from .cara import read_cara_csv
from .csvexport import write_csv
from .omm import read_omm_csv, read_omm_json, read_omm_kvn, read_omm_xml, write_omm
from .satcat import read_keeptrack_json, read_satcat_csv
from .tle import format_tle, read_tle, write_tle

READ_FORMATS = ("tle", "omm-xml", "omm-kvn", "omm-json", "omm-csv", "satcat-csv", "cara-csv", "keeptrack-json")
WRITE_FORMATS = ("tle", "omm-json", "omm-xml", "omm-kvn", "omm-csv", "csv")

_READERS = {
    "tle": read_tle,
    "omm-xml": read_omm_xml,
    "omm-kvn": read_omm_kvn,
    "omm-json": read_omm_json,
    "omm-csv": read_omm_csv,
    "satcat-csv": read_satcat_csv,
    "cara-csv": read_cara_csv,
    "keeptrack-json": read_keeptrack_json,
}
_BY_EXTENSION = {
    ".tle": "tle", ".3le": "tle", ".2le": "tle", ".txt": "tle",
    ".xml": "omm-xml", ".kvn": "omm-kvn", ".omm": "omm-kvn", ".json": "omm-json",
}
_KVN_START = re.compile(r"(?:CCSDS_OMM_VERS|COMMENT\b|[A-Z_]+\s*=)")


def _detect_text(text: str) -> str | None:
    s = text.lstrip()
    if not s:
        return None
    head = s[:4000]
    if s[0] == "<":
        return "omm-xml"
    if s[0] in "[{":
        probe = head
        if re.search(r'"TLE1"\s*:', probe) and re.search(r'"(ON|OT)"\s*:', probe):
            return "keeptrack-json"
        return "omm-json"
    first = s.split("\n", 1)[0].strip().lstrip("\ufeff")
    if _KVN_START.match(first) and "," not in first:
        return "omm-kvn"
    if "," in first:
        cols = {c.strip().strip('"').upper() for c in first.split(",")}
        if {"OBJECTID", "HBR"} <= cols:
            return "cara-csv"
        if {"EPOCH", "MEAN_MOTION"} <= cols:
            return "omm-csv"
        if cols & {"NORAD_CAT_ID", "OBJECT_NUMBER"} and cols & {
            "OBJECT_TYPE", "RCS", "RCSVALUE", "RCS_SIZE", "SATNAME", "OPS_STATUS_CODE", "LAUNCH_DATE", "LAUNCH"
        }:
            return "satcat-csv"
    lines = head.replace("\r", "\n").split("\n")[:60]
    for a, b in zip(lines, lines[1:]):
        if a.startswith("1 ") and b.startswith("2 "):
            return "tle"
    return None


def detect_format(path_or_text) -> str:
    """The format of a file (path) or of text, by its content: one of :data:`READ_FORMATS`.

    Raises :class:`ParseError` (line 1) for an empty file, binary data, or content in no
    known format."""
    text, source = load_text(path_or_text)
    return detect_format_text(text, source)


def read(path, format: str | None = None, source: str | None = None) -> ParseResult:
    """Read a catalog file (or text, bytes, an open file) in any supported format.

    ``format`` is one of :data:`READ_FORMATS` or None to detect it from the content."""
    text, src = load_text(path, source)
    if not text.strip():
        raise empty_file_error(src)
    fmt = format or detect_format_text(text, src)
    if fmt not in _READERS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(READ_FORMATS)}")
    return _READERS[fmt](text, src)


def detect_format_text(text: str, source: str = "<string>") -> str:
    """:func:`detect_format` for text already loaded, with ``source`` for messages and the
    extension tie-break."""
    fmt = _detect_text(text)
    if fmt is not None:
        return fmt
    if not text.strip():
        raise empty_file_error(source)
    ext = Path(source).suffix.lower() if source and not source.startswith("<") else ""
    if ext in _BY_EXTENSION:
        return _BY_EXTENSION[ext]
    first = text.lstrip().split("\n", 1)[0][:80]
    raise ParseError(
        "cannot tell the format of this file: it is not TLE/3LE, OMM (XML, KVN, JSON, CSV), "
        "SATCAT CSV, CARA CSV or keeptrack JSON",
        source=source, line=1, text=first,
        expected="1 NNNNNC NNNNNAAA ... (TLE), <ndm>/<omm> (XML), CCSDS_OMM_VERS = 2.0 (KVN), "
                 "[{...}] (JSON), or a CSV header naming the columns",
        hint="pass format=... explicitly if the file is one of these formats",
    )


def write(element_sets: Iterable[ElementSet], path, format: str) -> int:
    """Write element sets to ``path`` (or an open text file) as one of :data:`WRITE_FORMATS`.
    Returns the number written; raises :class:`WriteError` for a set the format cannot hold."""
    if format == "tle":
        return write_tle(element_sets, path, names=True)
    if format in ("omm-json", "omm-xml", "omm-kvn", "omm-csv"):
        return write_omm(element_sets, path, format[4:])
    if format == "csv":
        return write_csv(element_sets, path)
    raise ValueError(f"cannot write format {format!r}; use one of {', '.join(WRITE_FORMATS)}")


__all__ = [
    "READ_FORMATS",
    "WRITE_FORMATS",
    "WriteError",
    "detect_format",
    "detect_format_text",
    "format_tle",
    "read",
    "read_tle",
    "write",
    "write_tle",
]
