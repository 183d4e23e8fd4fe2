"""CCSDS Orbit Mean-Elements Messages (OMM, CCSDS 502.0-B-2/-3) for SGP4 element sets,
in the four encodings CelesTrak and Space-Track serve: XML (``ndm``/``omm``), KVN,
JSON (a list of flat objects) and CSV (the same keys as a header).

Keys are those of CelesTrak's GP data, in this order::

    OBJECT_NAME, OBJECT_ID, EPOCH, MEAN_MOTION, ECCENTRICITY, INCLINATION, RA_OF_ASC_NODE,
    ARG_OF_PERICENTER, MEAN_ANOMALY, EPHEMERIS_TYPE, CLASSIFICATION_TYPE, NORAD_CAT_ID,
    ELEMENT_SET_NO, REV_AT_EPOCH, BSTAR, MEAN_MOTION_DOT, MEAN_MOTION_DDOT

Mandatory (an SGP4 element set cannot be built without them): ``EPOCH``, the six
``meanElements`` (``MEAN_MOTION`` … ``MEAN_ANOMALY``), ``NORAD_CAT_ID``, ``BSTAR``,
``MEAN_MOTION_DOT`` and ``MEAN_MOTION_DDOT``. The others default to
name ``''``, designator ``''``, ephemeris type 0, classification ``U``, element set 999
and revolution 0. Where present, ``CENTER_NAME`` must be EARTH, ``REF_FRAME`` TEME,
``TIME_SYSTEM`` UTC and ``MEAN_ELEMENT_THEORY`` SGP4; other keys (covariance,
user-defined parameters, Space-Track's derived columns) are ignored. Units in KVN
(``[rev/day]``) and XML (``units="deg"``) are checked when given.

Epochs: ``YYYY-MM-DDThh:mm:ss.ffffff`` or ``YYYY-DDDThh:mm:ss.ffffff`` (optional ``Z``),
UTC, 1957 ≤ year < 2100. An epoch that falls on the TLE grid (a whole number of
1e-8 day = 864 µs, as every CelesTrak/Space-Track epoch does) is stored exactly as the TLE
reader stores it, so the same element set read as TLE or as OMM gives identical records.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import date, datetime, timezone
from typing import Any, Iterable, Mapping
from xml.sax.saxutils import escape as _xml_escape

from ...errors import ParseError
from ..elements import ElementSet, ParseResult
from ._common import (
    WriteError, csv_width_field, empty_file_error, fmt_float, load_text, open_for_writing, split_lines,
)

OMM_KEYS = (
    "OBJECT_NAME", "OBJECT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION",
    "RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY", "EPHEMERIS_TYPE",
    "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR",
    "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT",
)
MANDATORY_KEYS = (
    "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER", "MEAN_ANOMALY", "NORAD_CAT_ID", "BSTAR", "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
)
# the unit each numeric key must carry when a unit is given (normalised: lower case, no blanks, ^ → **)
UNITS = {
    "MEAN_MOTION": "rev/day",
    "INCLINATION": "deg",
    "RA_OF_ASC_NODE": "deg",
    "ARG_OF_PERICENTER": "deg",
    "MEAN_ANOMALY": "deg",
    "BSTAR": "1/er",
    "MEAN_MOTION_DOT": "rev/day**2",
    "MEAN_MOTION_DDOT": "rev/day**3",
    "ECCENTRICITY": "",
}
_UNIT_SPELLING = {
    "MEAN_MOTION": "rev/day", "INCLINATION": "deg", "RA_OF_ASC_NODE": "deg",
    "ARG_OF_PERICENTER": "deg", "MEAN_ANOMALY": "deg", "BSTAR": "1/ER",
    "MEAN_MOTION_DOT": "rev/day**2", "MEAN_MOTION_DDOT": "rev/day**3",
}
_FIXED = {"CENTER_NAME": ("EARTH",), "REF_FRAME": ("TEME",), "TIME_SYSTEM": ("UTC",),
          "MEAN_ELEMENT_THEORY": ("SGP4",)}

_NUMBER = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+)?\s*\Z")
_INT = re.compile(r"\s*[+-]?\d+\s*\Z")
_EPOCH = re.compile(
    r"\s*(\d{4})-(?:(\d{2})-(\d{2})|(\d{3}))T(\d{2}):(\d{2}):(\d{2})(?:\.(\d*))?\s*Z?\s*\Z"
)
_EPOCH_LAYOUT = "YYYY-MM-DDThh:mm:ss.ffffff (UTC), e.g. 2023-10-09T11:27:02.160384"
_KVN_LAYOUT = "KEY = value [unit], e.g. MEAN_MOTION = 15.50103472 [rev/day]"
_UNIT_HINT = (
    "OMM for SGP4 uses rev/day for MEAN_MOTION, deg for angles, 1/ER for BSTAR, rev/day**2 "
    "and rev/day**3 for MEAN_MOTION_DOT/DDOT; convert the value or correct the unit"
)


# --- fields → ElementSet -----------------------------------------------------------------
class _Rec:
    """Where one record is, for messages."""

    __slots__ = ("source", "line", "record", "lines")

    def __init__(self, source: str, line: int, record: bool = False, lines: Mapping[str, int] | None = None):
        self.source = source
        self.line = line
        self.record = record
        self.lines = lines or {}

    def error(self, key: str | None, message: str, expected=None, text=None, hint=None) -> ParseError:
        line = self.lines.get(key, self.line) if key else self.line
        return ParseError(message, source=self.source, line=line, field=key, expected=expected,
                          text=text, hint=hint, record=self.record)


def _present(v) -> bool:
    return v is not None and not (isinstance(v, str) and not v.strip())


def _float(fields, key, rec: _Rec, units) -> float:
    v = fields.get(key)
    if not _present(v):
        raise rec.error(key, f"mandatory field {key} is missing", expected=f"{key} = a number",
                        hint=f"an OMM for SGP4 needs {', '.join(MANDATORY_KEYS)}")
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise rec.error(key, f"{key} must be a number, found {type(v).__name__} {v!r}", text=repr(v))
    if isinstance(v, str):
        if not _NUMBER.match(v):
            raise rec.error(key, f"{key} must be a number, found {v!r}", text=v,
                            hint="write a decimal number such as 15.50103472 or .34716E-3")
        x = float(v.replace("d", "e").replace("D", "e"))
    else:
        x = float(v)
    if not math.isfinite(x):
        raise rec.error(key, f"{key} must be a finite number, found {v!r}", text=str(v))
    if units:
        u = units.get(key)
        if u is not None:
            norm = u.strip().lower().replace(" ", "").replace("^", "**")
            if norm != UNITS.get(key, norm):
                want = _UNIT_SPELLING.get(key, "no unit")
                raise rec.error(key, f"{key} is given in [{u}], expected [{want}]",
                                expected=f"{key} = value [{want}]", text=f"{v} [{u}]", hint=_UNIT_HINT)
    return x


def _int(fields, key, rec: _Rec, default: int | None) -> int:
    v = fields.get(key)
    if not _present(v):
        if default is None:
            raise rec.error(key, f"mandatory field {key} is missing", expected=f"{key} = an integer",
                            hint=f"an OMM for SGP4 needs {', '.join(MANDATORY_KEYS)}")
        return default
    if isinstance(v, bool):
        raise rec.error(key, f"{key} must be an integer, found {v!r}", text=repr(v))
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and _INT.match(v):
        return int(v)
    raise rec.error(key, f"{key} must be an integer, found {v!r}", text=str(v),
                    hint="write a whole number without decimals")


def _text(fields, key, default: str = "") -> str:
    v = fields.get(key)
    if v is None:
        return default
    return str(v).strip()


def parse_epoch(text: str, source: str = "<string>", line: int = 1) -> tuple[float, float]:
    """``(jd1, jd2)`` of an OMM epoch string (UTC); TLE-grid epochs are stored exactly.
    Raises :class:`ParseError` for text that is not a CCSDS date or is out of range."""
    return _parse_epoch(text, _Rec(source, line))


def _parse_epoch(text, rec: _Rec, key: str = "EPOCH") -> tuple[float, float]:
    if not isinstance(text, str):
        raise rec.error(key, f"{key} must be a date string, found {text!r}", expected=_EPOCH_LAYOUT, text=repr(text))
    m = _EPOCH.match(text)
    if m is None:
        raise rec.error(key, f"{key} {text!r} is not a CCSDS date", expected=_EPOCH_LAYOUT, text=text,
                        hint="write the epoch as ISO 8601 in UTC, year first")
    year = int(m.group(1))
    if not 1957 <= year < 2100:
        raise rec.error(key, f"{key} year {year} is out of range (1957 <= year < 2100)", expected=_EPOCH_LAYOUT,
                        text=text, hint="artificial satellites have epochs after 1957; check the year")
    try:
        if m.group(4) is not None:
            doy = int(m.group(4))
            n_days = 366 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365
            if not 1 <= doy <= n_days:
                raise ValueError(f"day of year {doy} is outside 1..{n_days}")
            ordinal = date(year, 1, 1).toordinal() + doy - 1
        else:
            ordinal = date(year, int(m.group(2)), int(m.group(3))).toordinal()
    except ValueError as e:
        raise rec.error(key, f"{key} {text!r} is not a real date: {e}", expected=_EPOCH_LAYOUT, text=text) from None
    hh, mm, ss = int(m.group(5)), int(m.group(6)), int(m.group(7))
    if hh > 23 or mm > 59 or ss > 60:
        raise rec.error(key, f"{key} {text!r} has an impossible time of day", expected=_EPOCH_LAYOUT, text=text)
    digits = m.group(8) or ""
    jd1 = ordinal + 1721424.5
    if len(digits) <= 6 or not digits[6:].strip("0"):
        us = ((hh * 60 + mm) * 60 + ss) * 1_000_000 + int((digits + "000000")[:6])
        if us % 864 == 0:  # on the TLE grid of 1e-8 day: store it exactly as the TLE reader does
            k = us // 864
            if k >= 100_000_000:
                return jd1 + 1.0, (k - 100_000_000) / 1e8
            return jd1, k / 1e8
        jd2 = us / 86_400_000_000
    else:
        jd2 = ((hh * 60 + mm) * 60 + float(f"{ss}.{digits}")) / 86400.0
    if jd2 >= 1.0:
        return jd1 + 1.0, jd2 - 1.0
    return jd1, jd2


def format_epoch(jd1: float, jd2: float) -> str:
    """CCSDS epoch text with microseconds, e.g. ``2023-10-09T11:27:02.160384``."""
    whole = math.floor(jd1 - 0.5) + 0.5
    frac = (jd1 - whole) + jd2
    shift = math.floor(frac)
    whole += shift
    frac -= shift
    us = round(frac * 86_400_000_000)
    if us >= 86_400_000_000:
        whole += 1.0
        us -= 86_400_000_000
    ordinal = int(whole - 1721424.5)
    if not 1 <= ordinal <= 3652059:
        raise WriteError(f"epoch JD {jd1 + jd2!r} is outside the calendar")
    d = date.fromordinal(ordinal)
    s, us = divmod(us, 1_000_000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{h:02d}:{m:02d}:{s:02d}.{us:06d}"


def element_set_from_omm(
    fields: Mapping[str, Any],
    *,
    source: str = "<string>",
    line: int = 1,
    record: bool = False,
    units: Mapping[str, str] | None = None,
    field_lines: Mapping[str, int] | None = None,
) -> ElementSet:
    """One :class:`ElementSet` from OMM keys (values as text or numbers). ``line`` is the
    line (or, with ``record=True``, the record number) for messages; ``units`` the units
    written next to values, checked against the OMM units. Raises :class:`ParseError`."""
    rec = _Rec(source, line, record, field_lines)
    for key, allowed in _FIXED.items():
        v = fields.get(key)
        if _present(v) and str(v).strip().upper() not in allowed:
            hint = ("SGP4-XP elements (ephemeris type 4) need the SGP4-XP propagator; these are not SGP4 elements"
                    if key == "MEAN_ELEMENT_THEORY" else f"SGP4 element sets use {key} = {allowed[0]}")
            raise rec.error(key, f"{key} is {v!r}; an SGP4 element set needs {allowed[0]}",
                            expected=f"{key} = {allowed[0]}", text=str(v), hint=hint)
    if "MEAN_MOTION" not in fields and "SEMI_MAJOR_AXIS" in fields:
        raise rec.error("MEAN_MOTION", "this OMM gives SEMI_MAJOR_AXIS; SGP4 element sets give MEAN_MOTION",
                        hint="request the element set with MEAN_ELEMENT_THEORY = SGP4 (MEAN_MOTION in rev/day)")
    epoch = fields.get("EPOCH")
    if not _present(epoch):
        raise rec.error("EPOCH", "mandatory field EPOCH is missing", expected=f"EPOCH = {_EPOCH_LAYOUT}",
                        hint=f"an OMM for SGP4 needs {', '.join(MANDATORY_KEYS)}")
    jd1, jd2 = _parse_epoch(epoch, rec)
    n = _float(fields, "MEAN_MOTION", rec, units)
    ecc = _float(fields, "ECCENTRICITY", rec, units)
    incl = _float(fields, "INCLINATION", rec, units)
    raan = _float(fields, "RA_OF_ASC_NODE", rec, units)
    argp = _float(fields, "ARG_OF_PERICENTER", rec, units)
    ma = _float(fields, "MEAN_ANOMALY", rec, units)
    norad = _int(fields, "NORAD_CAT_ID", rec, None)
    bstar = _float(fields, "BSTAR", rec, units)
    ndot = _float(fields, "MEAN_MOTION_DOT", rec, units)
    nddot = _float(fields, "MEAN_MOTION_DDOT", rec, units)
    if not n > 0.0:
        raise rec.error("MEAN_MOTION", f"MEAN_MOTION {n!r} rev/day must be positive", text=str(fields["MEAN_MOTION"]))
    if not 0.0 <= ecc < 1.0:
        raise rec.error("ECCENTRICITY", f"ECCENTRICITY {ecc!r} is outside 0 <= e < 1 (SGP4 needs a closed orbit)",
                        text=str(fields["ECCENTRICITY"]))
    if not 0.0 <= incl <= 180.0:
        raise rec.error("INCLINATION", f"INCLINATION {incl!r} deg is outside 0..180 deg", text=str(fields["INCLINATION"]))
    for key, value in (("RA_OF_ASC_NODE", raan), ("ARG_OF_PERICENTER", argp), ("MEAN_ANOMALY", ma)):
        if not -360.0 <= value <= 360.0:
            raise rec.error(key, f"{key} {value!r} deg is outside -360..360 deg", text=str(fields[key]))
    if not 0 <= norad <= 999_999_999:
        raise rec.error("NORAD_CAT_ID", f"NORAD_CAT_ID {norad} is outside 0..999999999", text=str(norad))
    cls = _text(fields, "CLASSIFICATION_TYPE", "U") or "U"
    if len(cls) != 1 or not cls.isalpha() or not cls.isascii():
        raise rec.error("CLASSIFICATION_TYPE", f"CLASSIFICATION_TYPE {cls!r} should be one letter (U, C or S)", text=cls)
    intl = _text(fields, "OBJECT_ID")
    if intl.upper() == "UNKNOWN":
        intl = ""
    return ElementSet(
        norad, jd1, jd2, n, ecc, incl, raan, argp, ma, bstar, ndot, nddot,
        _text(fields, "OBJECT_NAME"), intl, cls,
        _int(fields, "ELEMENT_SET_NO", rec, 999), _int(fields, "REV_AT_EPOCH", rec, 0),
        _int(fields, "EPHEMERIS_TYPE", rec, 0), source, line,
    )


def element_set_to_omm(es: ElementSet) -> dict[str, Any]:
    """CelesTrak's OMM keys (in CelesTrak's order) with Python values: text and numbers
    rounded to 13 significant digits (every digit a TLE or OMM carries)."""

    def r(x: float) -> float:
        if not math.isfinite(x):
            raise WriteError(f"object {es.norad_id}: a non-finite value {x!r} cannot be written as OMM")
        return float(f"{x:.13g}") if x != 0.0 else x

    return {
        "OBJECT_NAME": es.name,
        "OBJECT_ID": es.intl_designator,
        "EPOCH": format_epoch(es.epoch_jd1, es.epoch_jd2),
        "MEAN_MOTION": r(es.mean_motion_rev_day),
        "ECCENTRICITY": r(es.eccentricity),
        "INCLINATION": r(es.inclination_deg),
        "RA_OF_ASC_NODE": r(es.raan_deg),
        "ARG_OF_PERICENTER": r(es.arg_perigee_deg),
        "MEAN_ANOMALY": r(es.mean_anomaly_deg),
        "EPHEMERIS_TYPE": int(es.ephemeris_type),
        "CLASSIFICATION_TYPE": es.classification or "U",
        "NORAD_CAT_ID": int(es.norad_id),
        "ELEMENT_SET_NO": int(es.element_set_no),
        "REV_AT_EPOCH": int(es.rev_at_epoch),
        "BSTAR": r(es.bstar_per_earth_radius),
        "MEAN_MOTION_DOT": r(es.mean_motion_dot_rev_day2),
        "MEAN_MOTION_DDOT": r(es.mean_motion_ddot_rev_day3),
    }


def _value_text(v) -> str:
    if isinstance(v, float):
        return fmt_float(v)
    return str(v)


def _collect(result: ParseResult, fields, **kw) -> None:
    try:
        result.element_sets.append(element_set_from_omm(fields, **kw))
    except ParseError as e:
        result.problems.append(e)


# --- JSON --------------------------------------------------------------------------------
def _json_error_line(e: json.JSONDecodeError) -> int:
    return e.lineno


def read_omm_json(text_or_path, source: str | None = None) -> ParseResult:
    """CelesTrak / Space-Track OMM JSON: a list of flat objects (one object alone is accepted).
    Problems carry the record number (1-based position in the list)."""
    text, source = load_text(text_or_path, source)
    if not text.strip():
        raise empty_file_error(source)
    result = ParseResult(source=source, format="omm-json")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ParseError(f"not valid JSON: {e.msg} (column {e.colno})", source=source, line=e.lineno,
                         expected='[{"OBJECT_NAME": ..., "EPOCH": ..., "MEAN_MOTION": ...}, ...]',
                         hint="the file is not complete JSON; re-download it") from None
    except RecursionError:
        raise ParseError("JSON nested too deeply", source=source, line=1) from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ParseError(f"expected a JSON list of OMM objects, found a {type(data).__name__}", source=source, line=1,
                         expected='[{"OBJECT_NAME": ..., "EPOCH": ..., ...}, ...]')
    for k, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            result.problems.append(ParseError(
                f"record {k} is a {type(obj).__name__}, not an OMM object", source=source, line=k, record=True,
                field="record",
                expected='{"OBJECT_NAME": ..., "EPOCH": ..., "MEAN_MOTION": ..., ...}', text=repr(obj)[:80]))
            continue
        _collect(result, obj, source=source, line=k, record=True)
    return result


def dumps_omm_json(element_sets: Iterable[ElementSet], indent: int | None = None) -> str:
    rows = [element_set_to_omm(es) for es in element_sets]
    if indent is None:
        return "[" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "]\n"
    return json.dumps(rows, indent=indent, ensure_ascii=False) + "\n"


# --- CSV ---------------------------------------------------------------------------------
def read_omm_csv(text_or_path, source: str | None = None) -> ParseResult:
    """CelesTrak ``FORMAT=csv`` (and Space-Track's CSV: extra columns are ignored).
    Problems carry the line number of the row."""
    text, source = load_text(text_or_path, source)
    if not text.strip():
        raise empty_file_error(source)
    result = ParseResult(source=source, format="omm-csv")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as e:
        raise ParseError(f"unreadable CSV header: {e}", source=source, line=1) from None
    header = [h.strip().upper() for h in header]
    missing = [k for k in MANDATORY_KEYS if k not in header]
    if missing:
        raise ParseError(
            f"the CSV header lacks the mandatory column(s) {', '.join(missing)}",
            source=source, line=1, field=missing[0], expected=",".join(OMM_KEYS), text=",".join(header)[:200],
            hint="the first line must name the OMM keys, as CelesTrak's FORMAT=csv writes them",
        )
    ncol = len(header)
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
        _collect(result, dict(zip(header, row)), source=source, line=line)
    return result


def dumps_omm_csv(element_sets: Iterable[ElementSet]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(OMM_KEYS)
    for es in element_sets:
        w.writerow([_value_text(v) for v in element_set_to_omm(es).values()])
    return out.getvalue()


# --- KVN ---------------------------------------------------------------------------------
_KVN_LINE = re.compile(r"\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*\Z")
_KVN_UNIT = re.compile(r"(.*?)\s*\[([^\[\]]*)\]\s*\Z")


def read_omm_kvn(text_or_path, source: str | None = None) -> ParseResult:
    """CCSDS KVN: ``KEY = value [unit]`` lines; each message starts with ``CCSDS_OMM_VERS``.
    Problems carry the line of the offending key (or of the message start)."""
    text, source = load_text(text_or_path, source)
    lines = split_lines(text)
    if not any(ln.strip() for ln in lines):
        raise empty_file_error(source)
    result = ParseResult(source=source, format="omm-kvn")
    fields: dict | None = None
    units: dict = {}
    where: dict = {}
    start = 0
    bad: ParseError | None = None

    def finish():
        if fields is None:
            return
        if bad is not None:
            result.problems.append(bad)
        else:
            _collect(result, fields, source=source, line=start, units=units, field_lines=where)

    for i, raw in enumerate(lines, start=1):
        s = raw.strip()
        if not s or s.startswith("COMMENT"):
            continue
        m = _KVN_LINE.match(s)
        if m is None:
            err = ParseError("not a KVN line", source=source, line=i, field="KEY = value", expected=_KVN_LAYOUT,
                             text=raw[:200],
                             hint="each line is KEY = value (keys in capitals), COMMENT text, or blank")
            if fields is None:
                result.problems.append(err)
            elif bad is None:
                bad = err
            continue
        key, value = m.group(1), m.group(2)
        if key == "CCSDS_OMM_VERS":
            finish()
            fields, units, where, start, bad = {}, {}, {}, i, None
            continue
        if fields is None:
            fields, units, where, start = {}, {}, {}, i
            bad = ParseError(
                f"{key} before the first CCSDS_OMM_VERS line", source=source, line=i, field=key,
                expected="CCSDS_OMM_VERS = 2.0 (first line of every message)", text=raw[:200],
                hint="each OMM message must start with CCSDS_OMM_VERS = 2.0 (or 3.0)")
            continue
        if key in UNITS:
            mu = _KVN_UNIT.match(value)
            if mu:
                value, units[key] = mu.group(1), mu.group(2)
        if key in fields and key in OMM_KEYS and bad is None:
            bad = ParseError(f"{key} appears twice in one message (first on line {where[key]})",
                             source=source, line=i, field=key, text=raw[:200],
                             hint="messages must be separated by a CCSDS_OMM_VERS line")
        fields[key] = value
        where[key] = i
    finish()
    return result


def dumps_omm_kvn(element_sets: Iterable[ElementSet], units: bool = False, originator: str = "SPACE SWEEPERS") -> str:
    """CelesTrak-style KVN, one message per element set separated by a blank line
    (``units=True`` appends the CCSDS units in brackets)."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    parts = []
    for es in element_sets:
        d = element_set_to_omm(es)
        out = [f"CCSDS_OMM_VERS = 2.0", f"CREATION_DATE = {now}", f"ORIGINATOR = {originator}",
               f"OBJECT_NAME = {d['OBJECT_NAME']}", f"OBJECT_ID = {d['OBJECT_ID']}", "CENTER_NAME = EARTH",
               "REF_FRAME = TEME", "TIME_SYSTEM = UTC", "MEAN_ELEMENT_THEORY = SGP4"]
        for k in OMM_KEYS[2:]:
            line = f"{k} = {_value_text(d[k])}"
            if units and k in _UNIT_SPELLING:
                line += f" [{_UNIT_SPELLING[k]}]"
            out.append(line)
        parts.append("\n".join(out) + "\n")
    return "\n".join(parts)


# --- XML ---------------------------------------------------------------------------------
def read_omm_xml(text_or_path, source: str | None = None) -> ParseResult:
    """CCSDS NDM/XML: ``<ndm>`` holding ``<omm>`` messages (or one ``<omm>`` as root).
    Every leaf element of an ``<omm>`` is a key; ``units`` attributes are checked.
    A syntax error ends the reading: it is reported as a problem at its line, and the
    messages before it are kept. DTDs (entity declarations) are refused."""
    from xml.parsers import expat

    text, source = load_text(text_or_path, source)
    if not text.strip():
        raise empty_file_error(source)
    result = ParseResult(source=source, format="omm-xml")
    parser = expat.ParserCreate()
    state = {"fields": None, "units": None, "where": None, "start": 0, "stack": [], "buf": [], "n": 0}

    def start(tag, attrs):
        stack = state["stack"]
        stack.append(tag)
        if tag == "omm":
            state["fields"], state["units"], state["where"] = {}, {}, {}
            state["start"] = parser.CurrentLineNumber
            state["n"] += 1
        elif state["fields"] is not None:
            state["buf"] = []
            state["where"][tag] = parser.CurrentLineNumber
            if "units" in attrs:
                state["units"][tag] = attrs["units"]

    def chars(data):
        state["buf"].append(data)

    def end(tag):
        stack = state["stack"]
        stack.pop()
        f = state["fields"]
        if tag == "omm" and f is not None:
            _collect(result, f, source=source, line=state["start"], units=state["units"], field_lines=state["where"])
            state["fields"] = None
        elif f is not None:
            f[tag] = "".join(state["buf"]).strip() if state["buf"] else ""
            state["buf"] = []

    def doctype(*args):
        raise ParseError("DOCTYPE declarations are not accepted in OMM XML", source=source,
                         line=parser.CurrentLineNumber, field="DOCTYPE", hint="remove the <!DOCTYPE ...> declaration")

    def open_element() -> str:  # the field of a structural problem: the innermost open element
        return state["stack"][-1] if state["stack"] else "ndm"

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        parser.Parse(text, True)
    except expat.ExpatError as e:
        result.problems.append(ParseError(
            f"XML syntax error: {expat.ErrorString(e.code)} (column {e.offset + 1})", source=source, line=e.lineno,
            field=open_element(), expected="<ndm><omm ...><header/><body><segment><metadata>...</metadata><data>...</data></segment></body></omm></ndm>",
            hint="the XML is not well-formed (truncated download?); messages before this line were read"))
    except RecursionError:
        result.problems.append(ParseError("XML nested too deeply", source=source, line=parser.CurrentLineNumber,
                                          field=open_element()))
    except ParseError as e:
        result.problems.append(e)
    if state["n"] == 0 and not result.problems:
        result.problems.append(ParseError(
            "no <omm> element in this XML", source=source, line=1, field="omm",
            expected="<ndm><omm>...</omm></ndm>", hint="this XML is not a CCSDS OMM"))
    return result


def dumps_omm_xml(element_sets: Iterable[ElementSet]) -> str:
    """CelesTrak-style NDM/XML (OMM version 2.0), one ``<omm>`` per element set."""
    e = _xml_escape
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<ndm xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:noNamespaceSchemaLocation="https://sanaregistry.org/r/ndmxml_unqualified/ndmxml-2.0.0-master-2.0.xsd">']
    for es in element_sets:
        d = element_set_to_omm(es)
        v = {k: e(_value_text(x)) for k, x in d.items()}
        out.append(
            '<omm id="CCSDS_OMM_VERS" version="2.0">\n<header><CREATION_DATE/><ORIGINATOR/></header>\n'
            "<body><segment>\n"
            f"<metadata><OBJECT_NAME>{v['OBJECT_NAME']}</OBJECT_NAME><OBJECT_ID>{v['OBJECT_ID']}</OBJECT_ID>"
            "<CENTER_NAME>EARTH</CENTER_NAME><REF_FRAME>TEME</REF_FRAME><TIME_SYSTEM>UTC</TIME_SYSTEM>"
            "<MEAN_ELEMENT_THEORY>SGP4</MEAN_ELEMENT_THEORY></metadata>\n<data>\n<meanElements>"
            + "".join(f"<{k}>{v[k]}</{k}>" for k in OMM_KEYS[2:9])
            + "</meanElements>\n<tleParameters>"
            + "".join(f"<{k}>{v[k]}</{k}>" for k in OMM_KEYS[9:])
            + "</tleParameters>\n</data>\n</segment></body>\n</omm>"
        )
    out.append("</ndm>\n")
    return "\n".join(out)


# --- dispatch ----------------------------------------------------------------------------
ENCODINGS = ("json", "xml", "kvn", "csv")
_READERS = {"json": read_omm_json, "xml": read_omm_xml, "kvn": read_omm_kvn, "csv": read_omm_csv}
_DUMPERS = {"json": dumps_omm_json, "xml": dumps_omm_xml, "kvn": dumps_omm_kvn, "csv": dumps_omm_csv}


def _encoding_of(text: str) -> str:
    s = text.lstrip()
    if s.startswith("[") or s.startswith("{"):
        return "json"
    if s.startswith("<"):
        return "xml"
    if s.startswith("CCSDS_OMM_VERS") or s.startswith("COMMENT") or re.match(r"[A-Z_]+\s*=", s):
        return "kvn"
    return "csv"


def read_omm(text_or_path, source: str | None = None, encoding: str | None = None) -> ParseResult:
    """Read OMM in any of the four encodings (``encoding`` = json/xml/kvn/csv, or detected)."""
    text, source = load_text(text_or_path, source)
    enc = encoding or _encoding_of(text)
    if enc not in _READERS:
        raise ValueError(f"unknown OMM encoding {enc!r}; use one of {', '.join(ENCODINGS)}")
    return _READERS[enc](text, source)


def dumps_omm(element_sets: Iterable[ElementSet], encoding: str = "json") -> str:
    if encoding not in _DUMPERS:
        raise ValueError(f"unknown OMM encoding {encoding!r}; use one of {', '.join(ENCODINGS)}")
    return _DUMPERS[encoding](element_sets)


def write_omm(element_sets: Iterable[ElementSet], path_or_file, encoding: str = "json") -> int:
    """Write element sets as OMM (json, xml, kvn or csv). Returns the number written."""
    items = list(element_sets)
    text = dumps_omm(items, encoding)
    with open_for_writing(path_or_file, newline="") as f:
        f.write(text)
    return len(items)


__all__ = [
    "ENCODINGS",
    "MANDATORY_KEYS",
    "OMM_KEYS",
    "dumps_omm",
    "dumps_omm_csv",
    "dumps_omm_json",
    "dumps_omm_kvn",
    "dumps_omm_xml",
    "element_set_from_omm",
    "element_set_to_omm",
    "format_epoch",
    "parse_epoch",
    "read_omm",
    "read_omm_csv",
    "read_omm_json",
    "read_omm_kvn",
    "read_omm_xml",
    "write_omm",
]
