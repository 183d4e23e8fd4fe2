"""CCSDS Conjunction Data Message (CDM, CCSDS 508.0-B-1): KVN and XML, and the
Space-Track ``cdm`` JSON form.

The model keeps every keyword of a message in file order, with its value text and unit
exactly as read, so KVN → :class:`Cdm` → KVN keeps every field (and every comment).
Typed values are derived on demand: :attr:`Cdm.tca` is a :class:`~spacesweepers.time.Time`,
:meth:`CdmObject.state_m` gives metres and m/s in the object's ``REF_FRAME``,
:attr:`CdmObject.cov_rtn` the 6x6 RTN covariance in m², m²/s, m²/s², and
:meth:`Cdm.inertial_states` converts ITRF states to the inertial GCRS (see
:func:`spacesweepers.danger.encounter.itrf_to_gcrs`).

Hard-body radius is not a CDM 1.0 keyword: :attr:`Cdm.hbr_m` reads it from a
``COMMENT HBR = 10 [m]`` line as NASA CARA writes one (or the Space-Track
``COMMENT_OPERATOR_HARD_BODY_RADIUS`` of each object, summed).

Writers: :func:`write_kvn`, :func:`write_xml`; a screening run makes one message per
event with :meth:`Cdm.from_event` and :func:`write_cdm`.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from ...errors import ParseError
from ...time import Time

# --- the keywords of CDM 1.0, by block (order as the standard writes them) ------------------
HEADER_KEYS = ("CCSDS_CDM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_FOR", "MESSAGE_ID")
RELATIVE_KEYS = (
    "TCA", "MISS_DISTANCE", "RELATIVE_SPEED",
    "RELATIVE_POSITION_R", "RELATIVE_POSITION_T", "RELATIVE_POSITION_N",
    "RELATIVE_VELOCITY_R", "RELATIVE_VELOCITY_T", "RELATIVE_VELOCITY_N",
    "START_SCREEN_PERIOD", "STOP_SCREEN_PERIOD", "SCREEN_VOLUME_FRAME", "SCREEN_VOLUME_SHAPE",
    "SCREEN_VOLUME_X", "SCREEN_VOLUME_Y", "SCREEN_VOLUME_Z", "SCREEN_ENTRY_TIME", "SCREEN_EXIT_TIME",
    "COLLISION_PROBABILITY", "COLLISION_PROBABILITY_METHOD",
)
_REL_STATE = RELATIVE_KEYS[3:9]
METADATA_KEYS = (
    "OBJECT", "OBJECT_DESIGNATOR", "CATALOG_NAME", "OBJECT_NAME", "INTERNATIONAL_DESIGNATOR", "OBJECT_TYPE",
    "OPERATOR_CONTACT_POSITION", "OPERATOR_ORGANIZATION", "OPERATOR_PHONE", "OPERATOR_EMAIL",
    "EPHEMERIS_NAME", "COVARIANCE_METHOD", "MANEUVERABLE", "ORBIT_CENTER", "REF_FRAME", "GRAVITY_MODEL",
    "ATMOSPHERIC_MODEL", "N_BODY_PERTURBATIONS", "SOLAR_RAD_PRESSURE", "EARTH_TIDES", "INTRACK_THRUST",
)
OD_KEYS = (
    "TIME_LASTOB_START", "TIME_LASTOB_END", "RECOMMENDED_OD_SPAN", "ACTUAL_OD_SPAN", "OBS_AVAILABLE",
    "OBS_USED", "TRACKS_AVAILABLE", "TRACKS_USED", "RESIDUALS_ACCEPTED", "WEIGHTED_RMS",
)
ADDITIONAL_KEYS = (
    "AREA_PC", "AREA_DRG", "AREA_SRP", "MASS", "CD_AREA_OVER_MASS", "CR_AREA_OVER_MASS",
    "THRUST_ACCELERATION", "SEDR",
)
STATE_KEYS = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")
_AX = ("R", "T", "N", "RDOT", "TDOT", "NDOT", "DRG", "SRP", "THR")
_COV_PREFIX = ("CR", "CT", "CN", "CRDOT", "CTDOT", "CNDOT", "CDRG", "CSRP", "CTHR")
COV_KEYS = tuple(f"{_COV_PREFIX[i]}_{_AX[j]}" for i in range(9) for j in range(i + 1))
COV6_KEYS = COV_KEYS[:21]
OBJECT_KEYS = METADATA_KEYS + OD_KEYS + ADDITIONAL_KEYS + STATE_KEYS + COV_KEYS

_TIME_KEYS = {"CREATION_DATE", "TCA", "START_SCREEN_PERIOD", "STOP_SCREEN_PERIOD", "SCREEN_ENTRY_TIME",
              "SCREEN_EXIT_TIME", "TIME_LASTOB_START", "TIME_LASTOB_END"}
_NUMERIC_KEYS = (set(RELATIVE_KEYS[1:9]) | {"SCREEN_VOLUME_X", "SCREEN_VOLUME_Y", "SCREEN_VOLUME_Z",
                 "COLLISION_PROBABILITY", "CCSDS_CDM_VERS"} | set(OD_KEYS[2:]) | set(ADDITIONAL_KEYS)
                 | set(STATE_KEYS) | set(COV_KEYS))
_REQUIRED_REL = ("TCA", "MISS_DISTANCE")
_REQUIRED_OBJ = ("OBJECT", "OBJECT_DESIGNATOR", "REF_FRAME") + STATE_KEYS + COV6_KEYS
INERTIAL_FRAMES = {"EME2000", "GCRF", "ICRF", "J2000"}

_HINT = "see CCSDS 508.0-B-1 section 3 for the keywords and their units"


@dataclass(frozen=True, slots=True)
class Entry:
    """One keyword line: ``key = value [unit]``, or a comment (``key == 'COMMENT'``)."""

    key: str
    value: str
    unit: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class CdmSection:
    """An ordered run of entries (header, relative data, or one object)."""

    entries: tuple[Entry, ...]
    source: str = field(default="<string>", compare=False)

    def get(self, key: str, default: str | None = None) -> str | None:
        for e in self.entries:
            if e.key == key:
                return e.value
        return default

    def entry(self, key: str) -> Entry | None:
        for e in self.entries:
            if e.key == key:
                return e
        return None

    def __contains__(self, key: str) -> bool:
        return any(e.key == key for e in self.entries)

    @property
    def comments(self) -> list[str]:
        return [e.value for e in self.entries if e.key == "COMMENT"]

    def float(self, key: str, default: float | None = None) -> float | None:
        e = self.entry(key)
        if e is None:
            if default is not None:
                return default
            raise ParseError(f"required keyword {key} is missing", source=self.source, field=key,
                             hint=_HINT)
        return _to_float(e, self.source)


@dataclass(frozen=True)
class CdmObject(CdmSection):
    """The metadata and data of one object (OBJECT1 or OBJECT2)."""

    @property
    def designator(self) -> str:
        return self.get("OBJECT_DESIGNATOR", "")

    @property
    def name(self) -> str:
        return self.get("OBJECT_NAME", "")

    @property
    def ref_frame(self) -> str:
        return (self.get("REF_FRAME") or "").upper()

    def state_m(self) -> tuple[np.ndarray, np.ndarray]:
        """Position (m) and velocity (m/s) in ``REF_FRAME``."""
        vals = []
        for k in STATE_KEYS:
            e = self.entry(k)
            if e is None:
                raise ParseError(f"state vector keyword {k} is missing", source=self.source, field=k, hint=_HINT)
            x = _to_float(e, self.source)
            unit = (e.unit or ("km/s" if k.endswith("_DOT") else "km")).lower()
            scale = {"km": 1e3, "m": 1.0, "km/s": 1e3, "m/s": 1.0}.get(unit)
            if scale is None:
                raise ParseError(f"unit [{e.unit}] of {k} is not a length or speed", source=self.source,
                                 line=e.line, field=k, expected="[km] or [km/s]", text=e.unit)
            vals.append(x * scale)
        return np.array(vals[:3]), np.array(vals[3:])

    @cached_property
    def cov_rtn(self) -> np.ndarray:
        """6x6 position/velocity covariance in the object's RTN frame (m², m²/s, m²/s²)."""
        C = np.zeros((6, 6))
        k = 0
        for i in range(6):
            for j in range(i + 1):
                key = COV_KEYS[k]
                e = self.entry(key)
                if e is None:
                    raise ParseError(f"covariance keyword {key} is missing", source=self.source, field=key,
                                     expected="the 21 lower-triangle terms CR_R … CNDOT_NDOT", hint=_HINT)
                C[i, j] = C[j, i] = _to_float(e, self.source)
                k += 1
        return C

    @property
    def hbr_m(self) -> float | None:
        return _hbr_from_comments(self.comments)


def _to_float(e: Entry, source: str) -> float:
    try:
        x = float(e.value)
    except ValueError:
        raise ParseError(f"value of {e.key} is not a number", source=source, line=e.line, field=e.key,
                         expected=f"{e.key} = <number>{' [' + e.unit + ']' if e.unit else ''}", text=e.value,
                         hint="write a decimal number such as 715 or 4.835E-05") from None
    if not math.isfinite(x):
        raise ParseError(f"value of {e.key} is not finite", source=source, line=e.line, field=e.key, text=e.value)
    return x


_HBR_RE = re.compile(r"^\s*(?:OPERATOR\s+)?(?:HARD\s+BODY\s+RADIUS|HBR)\s*[=:]\s*([-+0-9.eE]+)\s*(\[\s*(\w+)\s*\])?",
                     re.IGNORECASE)


def _hbr_from_comments(comments) -> float | None:
    for c in comments:
        m = _HBR_RE.match(c)
        if m:
            x = float(m.group(1))
            unit = (m.group(3) or "m").lower()
            return x * (1e3 if unit == "km" else 1.0)
    return None


@dataclass(frozen=True)
class Cdm:
    """One conjunction data message."""

    header: CdmSection
    relative: CdmSection
    object1: CdmObject
    object2: CdmObject
    source: str = field(default="<string>", compare=False)
    extra: dict = field(default_factory=dict, compare=False)  # non-CDM keys of the JSON form

    # --- typed values -----------------------------------------------------------------
    @property
    def tca(self) -> Time:
        e = self.relative.entry("TCA")
        if e is None:
            raise ParseError("required keyword TCA is missing", source=self.source, field="TCA", hint=_HINT)
        return _to_time(e, self.source)

    @property
    def creation_date(self) -> Time | None:
        e = self.header.entry("CREATION_DATE")
        return _to_time(e, self.source) if e else None

    @property
    def message_id(self) -> str:
        return self.header.get("MESSAGE_ID", "")

    @property
    def miss_distance_m(self) -> float:
        return self.relative.float("MISS_DISTANCE")

    @property
    def relative_speed_m_s(self) -> float | None:
        return self.relative.float("RELATIVE_SPEED") if "RELATIVE_SPEED" in self.relative else None

    @property
    def collision_probability(self) -> float | None:
        return self.relative.float("COLLISION_PROBABILITY") if "COLLISION_PROBABILITY" in self.relative else None

    @property
    def collision_probability_method(self) -> str | None:
        return self.relative.get("COLLISION_PROBABILITY_METHOD")

    @property
    def objects(self) -> tuple[CdmObject, CdmObject]:
        return (self.object1, self.object2)

    @property
    def hbr_m(self) -> float | None:
        """Combined hard-body radius stated in the message (``COMMENT HBR = …`` in any block),
        or the sum of the two objects' stated radii; ``None`` when it says nothing."""
        h = _hbr_from_comments(self.header.comments + self.relative.comments)
        if h is not None:
            return h
        h1, h2 = self.object1.hbr_m, self.object2.hbr_m
        if h1 is not None and h2 is not None:
            return h1 + h2
        return None

    def inertial_states(self):
        """``(r1_m, v1_m_s, r2_m, v2_m_s)`` in an inertial frame (GCRS/EME2000): EME2000,
        GCRF and ICRF states are taken as they are (their differences are a common rotation
        of milliarcseconds, which leaves the Pc unchanged); ITRF states are rotated with
        :func:`~spacesweepers.danger.encounter.itrf_to_gcrs` at TCA."""
        from ...danger.encounter import itrf_to_gcrs

        out = []
        for obj in self.objects:
            r, v = obj.state_m()
            frame = obj.ref_frame
            if frame in INERTIAL_FRAMES:
                out += [r, v]
            elif frame.startswith("ITRF"):
                ri, vi = itrf_to_gcrs(r, v, self.tca)
                out += [ri[0], vi[0]]
            else:
                e = obj.entry("REF_FRAME")
                raise ParseError(f"reference frame {frame!r} is not supported for Pc", source=self.source,
                                 line=e.line if e else None, field="REF_FRAME",
                                 expected="EME2000, GCRF, ICRF or ITRF", text=frame)
        return tuple(out)

    def pc_inputs(self):
        """``(r1, v1, C1, r2, v2, C2)`` inertial, m and m/s, 6x6 inertial covariances (m²…),
        each RTN covariance rotated with the RTN axes of its object's inertial state."""
        from ...danger.encounter import cov_rtn_to_inertial

        r1, v1, r2, v2 = self.inertial_states()
        C1 = cov_rtn_to_inertial(self.object1.cov_rtn, r1, v1)[0]
        C2 = cov_rtn_to_inertial(self.object2.cov_rtn, r2, v2)[0]
        return r1, v1, C1, r2, v2, C2

    # --- constructors ----------------------------------------------------------------
    @classmethod
    def from_kvn(cls, text: str, source: str = "<string>") -> "Cdm":
        return read_kvn(text, source)

    @classmethod
    def from_xml(cls, text: str, source: str = "<string>") -> "Cdm":
        return read_xml(text, source)

    @classmethod
    def from_spacetrack_json(cls, obj, source: str = "<string>") -> "Cdm":
        return read_spacetrack_json(obj, source)

    @classmethod
    def from_event(cls, *, tca: Time, r1_m, v1_m_s, r2_m, v2_m_s, cov1_rtn=None, cov2_rtn=None,
                   object1: dict | None = None, object2: dict | None = None, frame: str = "EME2000",
                   hbr_m: float | None = None, pc: float | None = None, pc_method: str | None = None,
                   originator: str = "SPACE SWEEPERS", message_for: str | None = None,
                   message_id: str | None = None, creation_date: Time | None = None,
                   comments: list[str] | None = None) -> "Cdm":
        """A CDM for one screened event. States at TCA in an inertial ``frame`` (m, m/s);
        covariances 6x6 RTN (m², m²/s, m²/s²) or ``None`` (written as zeros with a comment
        that says so); ``object1``/``object2`` give metadata keywords (``OBJECT_DESIGNATOR``,
        ``OBJECT_NAME``, ``INTERNATIONAL_DESIGNATOR``, ``OBJECT_TYPE``, …). Miss distance,
        relative speed and the relative state in object 1's RTN (object 2 minus object 1,
        as the standard defines them) are computed here."""
        from ...danger.encounter import rtn_matrix

        r1, v1, r2, v2 = (np.asarray(a, float).reshape(3) for a in (r1_m, v1_m_s, r2_m, v2_m_s))
        M = rtn_matrix(r1, v1)[0]
        dr, dv = M @ (r2 - r1), M @ (v2 - v1)
        creation_date = Time.now() if creation_date is None else creation_date
        o1, o2 = dict(object1 or {}), dict(object2 or {})
        mid = message_id or f"{o1.get('OBJECT_DESIGNATOR', 'OBJ1')}_conj_{o2.get('OBJECT_DESIGNATOR', 'OBJ2')}_{_fmt_time(tca).replace(':', '').replace('-', '')}"
        head = [Entry("CCSDS_CDM_VERS", "1.0"), Entry("CREATION_DATE", _fmt_time(creation_date)),
                Entry("ORIGINATOR", originator)]
        if message_for or o1.get("OBJECT_NAME"):
            head.append(Entry("MESSAGE_FOR", message_for or o1.get("OBJECT_NAME")))
        head.append(Entry("MESSAGE_ID", mid))
        rel = [Entry("COMMENT", c) for c in (comments or [])]
        rel += [Entry("TCA", _fmt_time(tca)),
                Entry("MISS_DISTANCE", _fmt(np.linalg.norm(r2 - r1)), "m"),
                Entry("RELATIVE_SPEED", _fmt(np.linalg.norm(v2 - v1)), "m/s")]
        rel += [Entry(k, _fmt(x), "m") for k, x in zip(_REL_STATE[:3], dr)]
        rel += [Entry(k, _fmt(x), "m/s") for k, x in zip(_REL_STATE[3:], dv)]
        if pc is not None:
            rel.append(Entry("COLLISION_PROBABILITY", f"{pc:.6e}"))
            rel.append(Entry("COLLISION_PROBABILITY_METHOD", pc_method or "FOSTER-1992"))
        if hbr_m is not None:
            rel.append(Entry("COMMENT", f"HBR = {_fmt(hbr_m)} [m]"))

        def obj(name, meta, r, v, cov):
            es = [Entry("OBJECT", name)]
            meta = {"CATALOG_NAME": "SATCAT", "EPHEMERIS_NAME": "NONE", "COVARIANCE_METHOD": "CALCULATED",
                    "MANEUVERABLE": "N/A", **meta, "REF_FRAME": frame}
            meta.setdefault("OBJECT_DESIGNATOR", "UNKNOWN")
            for k in METADATA_KEYS[1:]:
                if k in meta and meta[k] is not None:
                    es.append(Entry(k, str(meta[k])))
            es += [Entry(k, _fmt(x / 1e3), "km") for k, x in zip(STATE_KEYS[:3], r)]
            es += [Entry(k, _fmt(x / 1e3), "km/s") for k, x in zip(STATE_KEYS[3:], v)]
            if cov is None:
                es.append(Entry("COMMENT", "covariance unknown: written as zeros"))
                cov = np.zeros((6, 6))
            cov = np.asarray(cov, float)
            k = 0
            for i in range(6):
                for j in range(i + 1):
                    unit = "m**2" if i < 3 else ("m**2/s" if j < 3 else "m**2/s**2")
                    es.append(Entry(COV_KEYS[k], f"{cov[i, j]:.16e}", unit))
                    k += 1
            return CdmObject(tuple(es))

        return cls(CdmSection(tuple(head)), CdmSection(tuple(rel)), obj("OBJECT1", o1, r1, v1, cov1_rtn),
                   obj("OBJECT2", o2, r2, v2, cov2_rtn))

    # --- writers ------------------------------------------------------------------------
    def to_kvn(self) -> str:
        return write_kvn(self)

    def to_xml(self) -> str:
        return write_xml(self)


def _fmt(x: float) -> str:
    """Shortest text that reads back as the same double (no precision lost in a CDM we write)."""
    return repr(float(x))


def _fmt_time(t: Time) -> str:
    return t.iso(6)[:-1]


def _to_time(e: Entry, source: str) -> Time:
    from ...errors import TimeError

    try:
        return Time.from_iso(e.value)
    except TimeError as err:
        raise ParseError(f"value of {e.key} is not a time", source=source, line=e.line, field=e.key,
                         expected="YYYY-MM-DDThh:mm:ss.sss or YYYY-DDDThh:mm:ss.sss (UTC)", text=e.value,
                         hint=str(err)) from None


# --- KVN ------------------------------------------------------------------------------------------
_KVN_LINE = re.compile(r"^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$")
_UNIT = re.compile(r"^(.*?)\s*\[([^\]]*)\]\s*$")


def _validate(entries: list[Entry], source: str, where: str, required) -> None:
    keys = {e.key for e in entries}
    for k in required:
        if k not in keys:
            raise ParseError(f"required keyword {k} is missing from {where}", source=source, field=k,
                             hint=_HINT)
    for e in entries:
        if e.key in _NUMERIC_KEYS and e.key != "CCSDS_CDM_VERS":
            _to_float(e, source)
        elif e.key in _TIME_KEYS:
            _to_time(e, source)


def _split(entries: list[Entry], source: str) -> Cdm:
    """Cut a flat list of entries into header / relative / object1 / object2 and validate."""
    starts = [i for i, e in enumerate(entries) if e.key == "OBJECT"]
    if len(starts) != 2:
        raise ParseError(f"a CDM has two OBJECT blocks, found {len(starts)}", source=source, field="OBJECT",
                         expected="OBJECT = OBJECT1 … OBJECT = OBJECT2", hint=_HINT)
    first = entries[: starts[0]]
    # leading comments of an object block belong to it (e.g. "COMMENT Object1 Metadata")
    cut = starts[0]
    while cut > 0 and first[cut - 1].key == "COMMENT" and cut - 1 > 0 and first[cut - 2].key != "COMMENT":
        break
    head, rel = [], []
    in_rel = False
    for e in first:
        if e.key in RELATIVE_KEYS or (e.key != "COMMENT" and e.key not in HEADER_KEYS):
            in_rel = True
        (rel if in_rel else head).append(e)
    # comments right before the first relative keyword belong to the relative block
    while head and head[-1].key == "COMMENT" and rel:
        rel.insert(0, head.pop())
    o1 = entries[starts[0]: starts[1]]
    o2 = entries[starts[1]:]
    for i, e in enumerate(head):
        if e.key not in HEADER_KEYS and e.key != "COMMENT":
            raise ParseError(f"unexpected keyword {e.key} in the header", source=source, line=e.line, field=e.key)
    if not head or head[0].key != "CCSDS_CDM_VERS":
        e = entries[0] if entries else None
        raise ParseError("a CDM starts with CCSDS_CDM_VERS", source=source, line=e.line if e else None,
                         field="CCSDS_CDM_VERS", expected="CCSDS_CDM_VERS = 1.0", text=e.key if e else None)
    _validate(head + rel, source, "the relative metadata/data", _REQUIRED_REL)
    for name, o in (("OBJECT1", o1), ("OBJECT2", o2)):
        if o[0].value.strip().upper() != name:
            raise ParseError(f"object block says OBJECT = {o[0].value}", source=source, line=o[0].line,
                             field="OBJECT", expected=f"OBJECT = {name}", text=o[0].value)
        _validate(o, source, name, _REQUIRED_OBJ)
    return Cdm(CdmSection(tuple(head), source), CdmSection(tuple(rel), source), CdmObject(tuple(o1), source),
               CdmObject(tuple(o2), source), source)


def read_kvn(text: str, source: str = "<string>") -> Cdm:
    """Read a KVN CDM. Raises :class:`ParseError` naming the line and keyword of the first
    problem."""
    entries: list[Entry] = []
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("COMMENT"):
            body = line[7:]
            # Space-Track pads as "COMMENT   =text"; CARA writes "COMMENT HBR   = 10.0"
            entries.append(Entry("COMMENT", body.strip(), None, no))
            continue
        m = _KVN_LINE.match(line)
        if not m:
            raise ParseError("line is not KEYWORD = value [unit]", source=source, line=no, text=raw.rstrip(),
                             expected="KEYWORD = value [unit]  or  COMMENT text", hint=_HINT)
        key, rest = m.group(1), m.group(2)
        unit = None
        mu = _UNIT.match(rest)
        if mu:
            rest, unit = mu.group(1).strip(), mu.group(2).strip()
        if key not in HEADER_KEYS and key not in RELATIVE_KEYS and key not in OBJECT_KEYS:
            raise ParseError(f"unknown keyword {key}", source=source, line=no, field=key, text=raw.rstrip(),
                             hint="check the spelling against CCSDS 508.0-B-1; put free text in a COMMENT line")
        entries.append(Entry(key, rest, unit, no))
    if not entries:
        raise ParseError("empty CDM", source=source, hint=_HINT)
    return _split(entries, source)


def write_kvn(cdm: Cdm) -> str:
    """KVN text of a CDM: every entry, in order, as ``KEY = value [unit]``."""
    out = []
    for sec in (cdm.header, cdm.relative, cdm.object1, cdm.object2):
        for e in sec.entries:
            if e.key == "COMMENT":
                out.append(f"COMMENT {e.value}".rstrip())
            else:
                out.append(f"{e.key:<34} = {e.value}" + (f" [{e.unit}]" if e.unit else ""))
    return "\n".join(out) + "\n"


# --- XML ------------------------------------------------------------------------------------------
def read_xml(text: str, source: str = "<string>") -> Cdm:
    """Read a CDM in the NDM/XML schema (``<cdm><header/><body>…``)."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        line = e.position[0] if hasattr(e, "position") else None
        raise ParseError(f"not well-formed XML: {e}", source=source, line=line,
                         hint="check the tag on that line") from None
    tag = root.tag.split("}")[-1]
    if tag != "cdm":
        raise ParseError(f"root element is <{tag}>", source=source, field=tag, expected="<cdm>")
    entries: list[Entry] = []
    vers = root.get("version")
    if vers is not None:
        entries.append(Entry("CCSDS_CDM_VERS", vers))

    def leaves(el):
        for child in el:
            t = child.tag.split("}")[-1]
            if len(child):
                yield from leaves(child)
            else:
                yield t, (child.text or "").strip(), child.get("units")

    for t, val, unit in leaves(root):
        if t not in HEADER_KEYS and t not in RELATIVE_KEYS and t not in OBJECT_KEYS and t != "COMMENT":
            raise ParseError(f"unknown element <{t}>", source=source, field=t, hint=_HINT)
        entries.append(Entry(t, val, unit))
    return _split(entries, source)


_OBJ_GROUPS = (("odParameters", OD_KEYS), ("additionalParameters", ADDITIONAL_KEYS), ("stateVector", STATE_KEYS),
               ("covarianceMatrix", COV_KEYS))


def write_xml(cdm: Cdm) -> str:
    """XML text of a CDM (NDM/XML 1.0 layout)."""
    root = ET.Element("cdm", {"id": "CCSDS_CDM_VERS", "version": cdm.header.get("CCSDS_CDM_VERS", "1.0"),
                              "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                              "xsi:noNamespaceSchemaLocation": "https://sanaregistry.org/r/ndmxml/ndmxml-1.0-master.xsd"})

    def put(parent, e):
        el = ET.SubElement(parent, e.key, {"units": e.unit} if e.unit else {})
        el.text = e.value

    header = ET.SubElement(root, "header")
    for e in cdm.header.entries:
        if e.key != "CCSDS_CDM_VERS":
            put(header, e)
    body = ET.SubElement(root, "body")
    rel = ET.SubElement(body, "relativeMetadataData")
    rsv = None
    for e in cdm.relative.entries:
        if e.key in _REL_STATE:
            if rsv is None:
                rsv = ET.SubElement(rel, "relativeStateVector")
            put(rsv, e)
        else:
            put(rel, e)
    for obj in cdm.objects:
        seg = ET.SubElement(body, "segment")
        meta = ET.SubElement(seg, "metadata")
        data = ET.SubElement(seg, "data")
        groups: dict[str, ET.Element] = {}
        pending: list[Entry] = []
        target = meta
        for e in obj.entries:
            if e.key == "COMMENT":
                pending.append(e)
                continue
            grp = next((g for g, keys in _OBJ_GROUPS if e.key in keys), None)
            if grp is None:
                target = meta
            else:
                if grp not in groups:
                    groups[grp] = ET.SubElement(data, grp)
                target = groups[grp]
            for c in pending:
                put(target, c)
            pending = []
            put(target, e)
        for c in pending:
            put(data, c)
    ET.indent(root, "  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- Space-Track JSON --------------------------------------------------------------------------------
def read_spacetrack_json(obj, source: str = "<string>") -> Cdm | list[Cdm]:
    """Read the Space-Track ``cdm`` class JSON (flat ``SAT1_*``/``SAT2_*`` keys with
    ``*_UNIT`` companions). A JSON list gives a list of messages. ``COMMENT_*`` keys become
    comments; keys outside CDM 1.0 (``CDM_ID``, ``FILENAME``, ``GID``, …) go to ``Cdm.extra``."""
    if isinstance(obj, list):
        return [read_spacetrack_json(o, f"{source}[{i}]") for i, o in enumerate(obj)]
    if not isinstance(obj, dict):
        raise ParseError("expected a JSON object with CDM keys", source=source, text=type(obj).__name__)
    sections: dict[str, list[Entry]] = {"": [], "SAT1_": [], "SAT2_": []}
    extra = {}
    for key, val in obj.items():
        if key.endswith("_UNIT") or val is None:
            continue
        prefix = key[:5] if key[:5] in ("SAT1_", "SAT2_") else ""
        k = key[len(prefix):]
        unit = obj.get(key + "_UNIT")
        if k.startswith("COMMENT"):
            sections[prefix].append(Entry("COMMENT", str(val)))
        elif (prefix and k in OBJECT_KEYS) or (not prefix and (k in HEADER_KEYS or k in RELATIVE_KEYS)):
            sections[prefix].append(Entry(k, str(val), unit))
        else:
            extra[key] = val
    entries = sections[""] + sections["SAT1_"] + sections["SAT2_"]
    entries.sort(key=lambda e: 0 if e.key == "CCSDS_CDM_VERS" else 1)  # stable: keeps the rest in order
    cdm = _split(entries, source)
    return Cdm(cdm.header, cdm.relative, cdm.object1, cdm.object2, source, extra)


# --- files ------------------------------------------------------------------------------------------
def read_cdm(path: str | Path) -> Cdm | list[Cdm]:
    """Read a CDM file: KVN, XML or Space-Track JSON, told apart by content."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise ParseError(f"not UTF-8 text ({e.reason} at byte {e.start})", source=str(p),
                         hint="a CDM is ASCII text (KVN or XML) or JSON") from None
    s = text.lstrip()
    if s.startswith("<"):
        return read_xml(text, str(p))
    if s.startswith("{") or s.startswith("["):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            raise ParseError(f"not valid JSON: {e.msg}", source=str(p), line=e.lineno) from None
        return read_spacetrack_json(obj, str(p))
    return read_kvn(text, str(p))


def write_cdm(cdm: Cdm, path: str | Path, fmt: str | None = None) -> Path:
    """Write one CDM; ``fmt`` is ``'kvn'`` or ``'xml'`` (default from the suffix, else KVN)."""
    p = Path(path)
    fmt = (fmt or ("xml" if p.suffix.lower() == ".xml" else "kvn")).lower()
    p.write_text(write_xml(cdm) if fmt == "xml" else write_kvn(cdm), encoding="utf-8")
    return p


__all__ = ["Cdm", "CdmObject", "CdmSection", "Entry", "read_cdm", "read_kvn", "read_xml", "read_spacetrack_json",
           "write_kvn", "write_xml", "write_cdm"]
