"""The records every catalog format reads into and writes from.

* :class:`ElementSet` — one SGP4 mean element set (TLE or OMM) of one object at one epoch.
* :class:`ObjectMetadata` — SATCAT-style facts about an object (type, RCS, country, dates).
* :class:`SizeEstimate` — a hard-body radius / mass estimate (NASA CARA table).
* :class:`ParseResult` — what a reader returns: good records plus line-numbered problems.

Field names follow CCSDS OMM (``MEAN_MOTION`` → ``mean_motion_rev_day``) with their units
spelled out. ``mean_motion_dot_rev_day2`` and ``mean_motion_ddot_rev_day3`` hold the values
exactly as TLE and OMM write them (first derivative / 2 and second derivative / 6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property

from ..errors import ParseError
from ..time import Time

# twoline2rv's conversion of rev/day to rad/min
_XPDOTP = 1440.0 / (2.0 * math.pi)
_DEG = math.pi / 180.0
_JD_1949_12_31 = 2433281.5  # sgp4init's epoch origin
_MU_WGS72_KM3_S2 = 398600.8
_RE_WGS72_KM = 6378.135

OBJECT_TYPES = ("PAYLOAD", "ROCKET BODY", "DEBRIS", "UNKNOWN")
RCS_SIZES = ("SMALL", "MEDIUM", "LARGE")


@dataclass(frozen=True, slots=True)
class ElementSet:
    """One SGP4 mean element set (TEME, UTC epoch, WGS-72 constants)."""

    norad_id: int
    epoch_jd1: float  # UTC Julian date of the epoch's preceding midnight
    epoch_jd2: float  # fraction of that day
    mean_motion_rev_day: float
    eccentricity: float
    inclination_deg: float
    raan_deg: float
    arg_perigee_deg: float
    mean_anomaly_deg: float
    bstar_per_earth_radius: float = 0.0
    mean_motion_dot_rev_day2: float = 0.0
    mean_motion_ddot_rev_day3: float = 0.0
    name: str = ""
    intl_designator: str = ""  # COSPAR id as OMM writes it, e.g. "1998-067A"
    classification: str = "U"
    element_set_no: int = 999
    rev_at_epoch: int = 0
    ephemeris_type: int = 0
    # where it came from: file name and 1-based line (or record) number, for messages
    source: str = field(default="", compare=False)
    source_line: int = field(default=0, compare=False)

    # --- derived quantities (lazily computed, values are immutable) -------------
    @property
    def epoch(self) -> Time:
        return Time(self.epoch_jd1, self.epoch_jd2)

    @property
    def period_min(self) -> float:
        return 1440.0 / self.mean_motion_rev_day if self.mean_motion_rev_day > 0 else math.inf

    @property
    def semi_major_axis_km(self) -> float:
        """Keplerian semi-major axis from the mean motion (WGS-72 μ)."""
        n_rad_s = self.mean_motion_rev_day * 2.0 * math.pi / 86400.0
        if n_rad_s <= 0:
            return math.inf
        return (_MU_WGS72_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0)

    @property
    def apogee_km(self) -> float:
        """Apogee altitude above the WGS-72 equatorial radius."""
        return self.semi_major_axis_km * (1.0 + self.eccentricity) - _RE_WGS72_KM

    @property
    def perigee_km(self) -> float:
        """Perigee altitude above the WGS-72 equatorial radius."""
        return self.semi_major_axis_km * (1.0 - self.eccentricity) - _RE_WGS72_KM

    def with_(self, **changes) -> "ElementSet":
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_satrec(self):
        """An ``sgp4.api.Satrec`` initialised from these elements (WGS-72, improved mode),
        the same way ``Satrec.twoline2rv`` initialises one from a TLE."""
        from sgp4.api import WGS72, Satrec

        sat = Satrec()
        sat.sgp4init(
            WGS72,
            "i",
            self.norad_id if self.norad_id < 340000 else 0,
            (self.epoch_jd1 + self.epoch_jd2) - _JD_1949_12_31,
            self.bstar_per_earth_radius,
            self.mean_motion_dot_rev_day2 / (_XPDOTP * 1440.0),
            self.mean_motion_ddot_rev_day3 / (_XPDOTP * 1440.0 * 1440.0),
            self.eccentricity,
            self.arg_perigee_deg * _DEG,
            self.inclination_deg * _DEG,
            self.mean_anomaly_deg * _DEG,
            self.mean_motion_rev_day / _XPDOTP,
            self.raan_deg * _DEG,
        )
        # keep the split epoch exactly as given (sgp4init only sees the sum)
        sat.jdsatepoch = self.epoch_jd1
        sat.jdsatepochF = self.epoch_jd2
        return sat


@dataclass(frozen=True, slots=True)
class ObjectMetadata:
    """SATCAT-style facts about one object. ``None`` means unknown."""

    norad_id: int
    name: str | None = None
    intl_designator: str | None = None
    object_type: str | None = None  # one of OBJECT_TYPES
    rcs_size: str | None = None  # one of RCS_SIZES
    rcs_m2: float | None = None
    country: str | None = None
    launch_date: str | None = None  # ISO date, YYYY-MM-DD
    launch_site: str | None = None
    launch_vehicle: str | None = None
    decay_date: str | None = None  # ISO date, YYYY-MM-DD
    source: str = field(default="", compare=False)
    source_line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class SizeEstimate:
    """Hard-body radius and mass estimate of one object (NASA CARA table columns)."""

    norad_id: int
    hbr_m: float | None = None
    hbr_sigma_m: float | None = None
    hbr_source: str | None = None
    mass_kg: float | None = None
    mass_sigma_kg: float | None = None
    mass_source: str | None = None
    source: str = field(default="", compare=False)
    source_line: int = field(default=0, compare=False)


@dataclass
class ParseResult:
    """Everything read from one input: good records, and one :class:`ParseError` per bad one."""

    source: str
    format: str
    element_sets: list[ElementSet] = field(default_factory=list)
    metadata: list[ObjectMetadata] = field(default_factory=list)
    sizes: list[SizeEstimate] = field(default_factory=list)
    problems: list[ParseError] = field(default_factory=list)

    @property
    def n_good(self) -> int:
        return len(self.element_sets) + len(self.metadata) + len(self.sizes)

    def extend(self, other: "ParseResult") -> None:
        self.element_sets.extend(other.element_sets)
        self.metadata.extend(other.metadata)
        self.sizes.extend(other.sizes)
        self.problems.extend(other.problems)


# --- classification used by statistics -----------------------------------------------
def object_type_from_name(name: str) -> str:
    """Guess the object type from the naming convention of the public catalog, for
    element sets that come without SATCAT metadata (TLE/3LE).

    ``DEB``, ``COOLANT``, ``FRAG`` → DEBRIS; ``R/B``, ``AKM``, ``PKM`` → ROCKET BODY;
    ``TBA``, ``OBJECT x``, ``UNKNOWN`` → UNKNOWN; anything else → PAYLOAD.
    """
    n = (name or "").upper()
    if " DEB" in n or "COOLANT" in n or "FRAG" in n:
        return "DEBRIS"
    if "R/B" in n or " AKM" in n or " PKM" in n:
        return "ROCKET BODY"
    if not n.strip() or n.startswith("TBA") or n.startswith("OBJECT ") or "UNKNOWN" in n:
        return "UNKNOWN"
    return "PAYLOAD"


def orbit_regime(perigee_km: float, apogee_km: float, mean_motion_rev_day: float, eccentricity: float) -> str:
    """Orbital regime: LEO, HEO, GEO, MEO or OTHER (tested in that order).

    LEO: apogee < 2,000 km. HEO: perigee < 2,000 km and apogee ≥ 2,000 km (GTO, Molniya).
    GEO: mean motion 0.99–1.01 rev/day and eccentricity < 0.01 (geosynchronous, incl. inclined).
    MEO: apogee < 35,000 km. OTHER: everything higher (graveyard, HEO above LEO, lunar).
    These are the definitions behind the counts in ../shared/data/catalog/README.md.
    """
    if apogee_km < 2000.0:
        return "LEO"
    if perigee_km < 2000.0:
        return "HEO"
    if 0.99 <= mean_motion_rev_day <= 1.01 and eccentricity < 0.01:
        return "GEO"
    if apogee_km < 35000.0:
        return "MEO"
    return "OTHER"


REGIMES = ("LEO", "MEO", "GEO", "HEO", "OTHER")


__all__ = [
    "ElementSet",
    "ObjectMetadata",
    "SizeEstimate",
    "ParseResult",
    "ParseError",
    "OBJECT_TYPES",
    "RCS_SIZES",
    "object_type_from_name",
    "orbit_regime",
    "REGIMES",
]
