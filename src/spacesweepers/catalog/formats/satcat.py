"""Satellite-catalog metadata: CelesTrak SATCAT CSV, Space-Track SATCAT CSV, and the
keeptrack.space ``TLE.json`` catalog (TLEs plus type, RCS class, country, launch site).

CelesTrak SATCAT columns::

    OBJECT_NAME,OBJECT_ID,NORAD_CAT_ID,OBJECT_TYPE,OPS_STATUS_CODE,OWNER,LAUNCH_DATE,
    LAUNCH_SITE,DECAY_DATE,PERIOD,INCLINATION,APOGEE,PERIGEE,RCS,DATA_STATUS_CODE,
    ORBIT_CENTER,ORBIT_TYPE

Space-Track's SATCAT names (``SATNAME``, ``INTLDES``, ``COUNTRY``, ``LAUNCH``, ``SITE``,
``DECAY``, ``RCSVALUE``, ``RCS_SIZE``) are read as well. Object types are normalised to
PAYLOAD / ROCKET BODY / DEBRIS / UNKNOWN (CelesTrak writes PAY, R/B, DEB, UNK). The RCS
class comes from ``RCS_SIZE`` when given, else from the RCS in m²: SMALL < 0.1 m²,
MEDIUM 0.1–1 m², LARGE > 1 m².
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from typing import Iterable

from ...errors import ParseError
from ..elements import ObjectMetadata, ParseResult
from ._common import csv_width_field, empty_file_error, fmt_float, load_text, open_for_writing
from .tle import parse_tle_lines

CELESTRAK_SATCAT_COLUMNS = (
    "OBJECT_NAME", "OBJECT_ID", "NORAD_CAT_ID", "OBJECT_TYPE", "OPS_STATUS_CODE", "OWNER",
    "LAUNCH_DATE", "LAUNCH_SITE", "DECAY_DATE", "PERIOD", "INCLINATION", "APOGEE", "PERIGEE",
    "RCS", "DATA_STATUS_CODE", "ORBIT_CENTER", "ORBIT_TYPE",
)
# our field ← the first of these columns that the header has
_ALIASES = {
    "norad_id": ("NORAD_CAT_ID", "OBJECT_NUMBER", "CATNR"),
    "name": ("OBJECT_NAME", "SATNAME"),
    "intl_designator": ("OBJECT_ID", "INTLDES"),
    "object_type": ("OBJECT_TYPE",),
    "rcs_m2": ("RCS", "RCSVALUE"),
    "rcs_size": ("RCS_SIZE",),
    "country": ("OWNER", "COUNTRY", "COUNTRY_CODE"),
    "launch_date": ("LAUNCH_DATE", "LAUNCH"),
    "launch_site": ("LAUNCH_SITE", "SITE"),
    "decay_date": ("DECAY_DATE", "DECAY"),
}
_TYPE_CODES = {
    "PAY": "PAYLOAD", "PAYLOAD": "PAYLOAD",
    "R/B": "ROCKET BODY", "RB": "ROCKET BODY", "ROCKET BODY": "ROCKET BODY",
    "DEB": "DEBRIS", "DEBRIS": "DEBRIS",
    "UNK": "UNKNOWN", "UNKNOWN": "UNKNOWN", "TBA": "UNKNOWN", "OTHER": "UNKNOWN", "": "UNKNOWN",
}
_CELESTRAK_TYPE = {"PAYLOAD": "PAY", "ROCKET BODY": "R/B", "DEBRIS": "DEB", "UNKNOWN": "UNK"}
_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})\s*\Z")
_NUMBER = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*\Z")


def normalize_object_type(text: str | None) -> str:
    """``'PAY'``/``'PAYLOAD'`` → PAYLOAD, ``'R/B'`` → ROCKET BODY, ``'DEB'`` → DEBRIS, other → UNKNOWN."""
    if text is None:
        return "UNKNOWN"
    return _TYPE_CODES.get(text.strip().upper(), "UNKNOWN")


def rcs_size_from_m2(rcs_m2: float | None) -> str | None:
    """Space-Track's RCS classes: SMALL < 0.1 m², MEDIUM 0.1–1 m², LARGE > 1 m²."""
    if rcs_m2 is None:
        return None
    if rcs_m2 < 0.1:
        return "SMALL"
    if rcs_m2 <= 1.0:
        return "MEDIUM"
    return "LARGE"


def _date(value: str, column: str, source: str, line: int, record: bool = False) -> str | None:
    s = value.strip()
    if not s:
        return None
    m = _DATE.match(s)
    try:
        if m is None:
            raise ValueError("not YYYY-MM-DD")
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as e:
        raise ParseError(f"{column} {s!r} is not a date ({e})", source=source, line=line, field=column,
                         expected="YYYY-MM-DD, e.g. 1998-11-20", text=s, record=record) from None
    if d.year < 1957:
        raise ParseError(f"{column} {s} is before the first launch (1957)", source=source, line=line, field=column,
                         expected="YYYY-MM-DD, 1957 or later", text=s, record=record)
    return d.isoformat()


def read_satcat_csv(text_or_path, source: str | None = None) -> ParseResult:
    """CelesTrak (or Space-Track) SATCAT CSV → ``ParseResult.metadata``."""
    text, source = load_text(text_or_path, source)
    if not text.strip():
        raise empty_file_error(source)
    result = ParseResult(source=source, format="satcat-csv")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().upper() for h in next(reader)]
    col = {}
    for ours, names in _ALIASES.items():
        for n in names:
            if n in header:
                col[ours] = header.index(n)
                break
    if "norad_id" not in col:
        raise ParseError(
            "the SATCAT header has no NORAD_CAT_ID column", source=source, line=1, field="NORAD_CAT_ID",
            expected=",".join(CELESTRAK_SATCAT_COLUMNS), text=",".join(header)[:200],
            hint="the first line must name the columns, as CelesTrak's SATCAT CSV does")
    names = {ours: header[i] for ours, i in col.items()}
    ncol = len(header)
    out = result.metadata
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            result.problems.append(ParseError(f"unreadable CSV row: {e}", source=source, line=reader.line_num,
                                              field="row"))
            continue
        line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != ncol:
            result.problems.append(ParseError(
                f"row has {len(row)} values, the header has {ncol} columns", source=source, line=line,
                field=csv_width_field(header, row), expected=",".join(header)[:200], text=",".join(row)[:200],
                hint="a value containing a comma must be quoted; check for a missing or extra comma"))
            continue
        try:
            out.append(_metadata_from_row(row, col, names, source, line))
        except ParseError as e:
            result.problems.append(e)
    return result


def _metadata_from_row(row, col, names, source, line) -> ObjectMetadata:
    def get(key):
        i = col.get(key)
        return row[i].strip() if i is not None else ""

    nid = get("norad_id")
    if not nid.isdigit():
        raise ParseError(f"NORAD_CAT_ID {nid!r} is not a whole number", source=source, line=line,
                         field=names["norad_id"], expected="a catalog number, e.g. 25544", text=nid)
    rcs_text = get("rcs_m2")
    rcs = None
    if rcs_text:
        if not _NUMBER.match(rcs_text):
            raise ParseError(f"RCS {rcs_text!r} is not a number (m²)", source=source, line=line,
                             field=names["rcs_m2"], expected="a radar cross-section in m², e.g. 0.0842", text=rcs_text)
        rcs = float(rcs_text)
        if rcs < 0:
            raise ParseError(f"RCS {rcs_text} m² is negative", source=source, line=line, field=names["rcs_m2"], text=rcs_text)
    size = get("rcs_size").upper() or None
    if size is not None and size not in ("SMALL", "MEDIUM", "LARGE"):
        raise ParseError(f"RCS_SIZE {size!r} is not SMALL, MEDIUM or LARGE", source=source, line=line,
                         field="RCS_SIZE", text=size)
    if size is None:
        size = rcs_size_from_m2(rcs)
    otype = get("object_type")
    return ObjectMetadata(
        norad_id=int(nid),
        name=get("name") or None,
        intl_designator=get("intl_designator") or None,
        object_type=normalize_object_type(otype) if "object_type" in col else None,
        rcs_size=size,
        rcs_m2=rcs,
        country=get("country") or None,
        launch_date=_date(get("launch_date"), names.get("launch_date", ""), source, line),
        launch_site=get("launch_site") or None,
        decay_date=_date(get("decay_date"), names.get("decay_date", ""), source, line),
        source=source,
        source_line=line,
    )


def dumps_satcat_csv(metadata: Iterable[ObjectMetadata]) -> str:
    """CelesTrak SATCAT CSV (columns this record does not hold are left blank)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CELESTRAK_SATCAT_COLUMNS)
    for m in metadata:
        row = dict.fromkeys(CELESTRAK_SATCAT_COLUMNS, "")
        row.update(
            OBJECT_NAME=m.name or "", OBJECT_ID=m.intl_designator or "", NORAD_CAT_ID=str(m.norad_id),
            OBJECT_TYPE=_CELESTRAK_TYPE.get(m.object_type or "", "") if m.object_type else "",
            OWNER=m.country or "", LAUNCH_DATE=m.launch_date or "", LAUNCH_SITE=m.launch_site or "",
            DECAY_DATE=m.decay_date or "", RCS=fmt_float(m.rcs_m2) if m.rcs_m2 is not None else "",
            ORBIT_CENTER="EA",
        )
        w.writerow(row.values())
    return out.getvalue()


def write_satcat_csv(metadata: Iterable[ObjectMetadata], path_or_file) -> int:
    items = list(metadata)
    with open_for_writing(path_or_file, newline="") as f:
        f.write(dumps_satcat_csv(items))
    return len(items)


# --- keeptrack.space TLE.json ---------------------------------------------------------------
KEEPTRACK_TYPES = {1: "PAYLOAD", 2: "ROCKET BODY", 3: "DEBRIS"}
KEEPTRACK_RCS = {0: "SMALL", 1: "MEDIUM", 2: "LARGE"}


def read_keeptrack_json(text_or_path, source: str | None = None) -> ParseResult:
    """keeptrack.space ``TLE.json``: a list of objects with ``ON`` (name), ``OT`` (1 payload,
    2 rocket body, 3 debris), ``TLE1``/``TLE2``, ``C`` (country), ``LS`` (launch site), ``LV``
    (launch vehicle), ``R`` (RCS class 2 LARGE, 1 MEDIUM, 0 SMALL; absent = unknown) and
    ``LD`` (launch date). Gives both element sets and metadata; problems carry the record
    number."""
    text, source = load_text(text_or_path, source)
    if not text.strip():
        raise empty_file_error(source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ParseError(f"not valid JSON: {e.msg} (column {e.colno})", source=source, line=e.lineno,
                         hint="the file is not complete JSON; re-download it") from None
    except RecursionError:
        raise ParseError("JSON nested too deeply", source=source, line=1) from None
    if not isinstance(data, list):
        raise ParseError("expected a JSON list of keeptrack objects", source=source, line=1,
                         expected='[{"ON": ..., "OT": 1, "TLE1": ..., "TLE2": ...}, ...]')
    result = ParseResult(source=source, format="keeptrack-json")
    layout = '{"ON": name, "OT": 1|2|3, "TLE1": line 1, "TLE2": line 2, "C": country, "LS": site, "LV": vehicle, "R": 0|1|2}'
    for k, obj in enumerate(data, start=1):
        def err(field, message, text=None):
            return ParseError(message, source=source, line=k, field=field, record=True, expected=layout, text=text)

        if not isinstance(obj, dict):
            result.problems.append(err(None, f"record {k} is a {type(obj).__name__}, not an object", repr(obj)[:80]))
            continue
        l1, l2 = obj.get("TLE1"), obj.get("TLE2")
        name = obj.get("ON")
        if not isinstance(l1, str) or not isinstance(l2, str):
            result.problems.append(err("TLE1" if not isinstance(l1, str) else "TLE2", "TLE1 and TLE2 must both be strings"))
            continue
        if name is not None and not isinstance(name, str):
            result.problems.append(err("ON", f"ON (name) must be a string, found {name!r}"))
            continue
        ot = obj.get("OT")
        if ot is not None and (isinstance(ot, bool) or not isinstance(ot, int)):
            result.problems.append(err("OT", f"OT (object type) must be 1, 2 or 3, found {ot!r}"))
            continue
        r = obj.get("R")
        if r is not None and (isinstance(r, bool) or r not in KEEPTRACK_RCS):
            result.problems.append(err("R", f"R (RCS class) must be 0, 1 or 2, found {r!r}"))
            continue
        try:
            es = parse_tle_lines(l1, l2, (name or "").strip(), source=source, line_number=k)
        except ParseError as e:
            which = "TLE1" if e.line == k else "TLE2"
            e.record = True
            e.line = k
            e.field = f"{which} {e.field}" if e.field else which
            result.problems.append(e)
            continue
        try:
            launch = obj.get("LD")
            launch = _date(launch, "LD", source, k, record=True) if isinstance(launch, str) else None
        except ParseError as e:
            result.problems.append(e)
            continue

        def s(key):
            v = obj.get(key)
            return v.strip() or None if isinstance(v, str) else None

        result.element_sets.append(es)
        result.metadata.append(ObjectMetadata(
            norad_id=es.norad_id,
            name=es.name or None,
            intl_designator=es.intl_designator or None,
            object_type=KEEPTRACK_TYPES.get(ot, "UNKNOWN") if ot is not None else None,
            rcs_size=KEEPTRACK_RCS.get(r) if r is not None else None,
            country=s("C"),
            launch_date=launch,
            launch_site=s("LS"),
            launch_vehicle=s("LV"),
            source=source,
            source_line=k,
        ))
    return result


__all__ = [
    "CELESTRAK_SATCAT_COLUMNS",
    "KEEPTRACK_RCS",
    "KEEPTRACK_TYPES",
    "dumps_satcat_csv",
    "normalize_object_type",
    "rcs_size_from_m2",
    "read_keeptrack_json",
    "read_satcat_csv",
    "write_satcat_csv",
]
