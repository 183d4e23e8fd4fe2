"""One time type for all of Space Sweepers.

:class:`Time` holds one instant or an array of instants as a *split Julian date in
UTC*: ``jd1`` is the Julian date of the preceding midnight (it ends in .5) and
``jd2`` the fraction of the day, the same ``(jd, fr)`` pair that SGP4 takes.
Keeping the two parts apart keeps microsecond resolution over centuries.

Scales: the stored scale is UTC, the scale of every element-set epoch and CDM.
Constructors accept UTC, TAI and TT; the properties :attr:`Time.tai` and
:attr:`Time.tt` convert back. Leap seconds come from ERFA's built-in table and
skyfield's built-in timescale (``builtin=True``): nothing is downloaded at run time.
Differences between times (:meth:`Time.seconds_since`) and shifts
(:meth:`Time.plus_seconds`) are exact elapsed SI seconds, counted in TAI.

Naive :class:`datetime.datetime` objects are refused: a time without a zone is a
guess, and a wrong guess moves a satellite by thousands of kilometres.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime, timezone
from functools import cached_property
from typing import Iterable

import erfa
import numpy as np

from .errors import TimeError

DAY_S = 86400.0
JD_MJD2000 = 2451544.5  # JD of MJD2000 day 0 (2000-01-01 00:00)
JD_UNIX = 2440587.5  # JD of 1970-01-01 00:00

_ISO = re.compile(
    r"""^\s*(?P<year>[+-]?\d{4,})-
        (?:(?P<month>\d{1,2})-(?P<day>\d{1,2})|(?P<doy>\d{3}))
        (?:[T\ ](?P<hour>\d{1,2})(?::(?P<minute>\d{1,2})(?::(?P<second>\d{1,2}(?:\.\d*)?))?)?)?
        \s*(?P<zone>Z|UTC|[+-]\d{2}:?\d{2})?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)

_ISO_HELP = (
    "write times as ISO 8601, e.g. '2023-10-09T11:37:00Z', '2023-10-09 11:37:00.123456', "
    "'2023-282T11:37:00' (day of year) or '2023-10-09'; a zone other than UTC may be given "
    "as '+02:00'"
)


def _normalize(jd1, jd2):
    """Return (jd1, jd2) with jd1 at a midnight (x.5) and 0 <= jd2 < 1."""
    jd1 = np.asarray(jd1, dtype=float)
    jd2 = np.asarray(jd2, dtype=float)
    whole = np.floor(jd1 - 0.5) + 0.5
    frac = (jd1 - whole) + jd2
    shift = np.floor(frac)
    return whole + shift, frac - shift


class Time:
    """One instant or an array of instants (UTC split Julian date).

    Build one with a named constructor: :meth:`from_iso`, :meth:`from_datetime`,
    :meth:`from_jd`, :meth:`from_mjd2000`, :meth:`now`, or a grid with
    :meth:`linspace` / :meth:`plus_seconds`.
    """

    __array_priority__ = 1000  # so that ndarray + Time is not attempted

    def __init__(self, jd1, jd2=0.0):
        self._jd1, self._jd2 = _normalize(jd1, jd2)
        self._jd1.setflags(write=False)
        self._jd2.setflags(write=False)

    # --- constructors -----------------------------------------------------------
    @classmethod
    def from_jd(cls, jd1, jd2=0.0, scale: str = "utc") -> "Time":
        """Julian date (optionally split in two parts for precision) in ``scale``
        (``'utc'``, ``'tai'`` or ``'tt'``)."""
        scale = scale.lower()
        jd1 = np.asarray(jd1, dtype=float)
        jd2 = np.broadcast_to(np.asarray(jd2, dtype=float), jd1.shape) if jd1.shape else np.asarray(jd2, float)
        if scale == "utc":
            return cls(jd1, jd2)
        with _quiet_erfa_ctx():
            if scale == "tt":
                jd1, jd2 = erfa.tttai(jd1, jd2)
            elif scale != "tai":
                raise TimeError(f"unknown time scale {scale!r}; use 'utc', 'tai' or 'tt'")
            u1, u2 = erfa.taiutc(jd1, jd2)
        return cls(u1, u2)

    @classmethod
    def from_mjd2000(cls, days, scale: str = "utc") -> "Time":
        """Days since 2000-01-01 00:00 (MJD2000, as GTOC9 uses), in ``scale``."""
        days = np.asarray(days, dtype=float)
        whole = np.floor(days)
        return cls.from_jd(JD_MJD2000 + whole, days - whole, scale)

    @classmethod
    def from_calendar(cls, year, month, day, hour=0, minute=0, second=0.0) -> "Time":
        """UTC calendar components (arrays broadcast). ``second`` may be 60 in a leap second."""
        args = np.broadcast_arrays(
            np.asarray(year, dtype=np.int32), np.asarray(month, dtype=np.int32),
            np.asarray(day, dtype=np.int32), np.asarray(hour, dtype=np.int32),
            np.asarray(minute, dtype=np.int32), np.asarray(second, dtype=float),
        )
        try:
            with _quiet_erfa_ctx():
                d1, d2 = erfa.dtf2d("UTC", *args)
        except erfa.ErfaError as e:
            raise TimeError(f"impossible calendar date or time ({e}); {_ISO_HELP}") from None
        return cls(d1, d2)

    @classmethod
    def from_iso(cls, text: str | Iterable[str], scale: str = "utc") -> "Time":
        """ISO 8601 string(s). Calendar (``2023-10-09T11:37:00.5Z``) and day-of-year
        (``2023-282T11:37:00``) forms; a string without a zone is read in ``scale``."""
        scalar = isinstance(text, str)
        items = [text] if scalar else list(text)
        comps = np.empty((len(items), 6), dtype=float)
        offsets = np.zeros(len(items))
        for k, s in enumerate(items):
            m = _ISO.match(s) if isinstance(s, str) else None
            if m is None:
                raise TimeError(f"cannot read {s!r} as a time; {_ISO_HELP}")
            g = m.groupdict()
            year = int(g["year"])
            if g["doy"] is not None:
                doy = int(g["doy"])
                n_days = 366 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365
                if not 1 <= doy <= n_days:
                    raise TimeError(f"day of year {doy} is out of range 1..{n_days} in {s!r}")
                d = date.fromordinal(date(year, 1, 1).toordinal() + doy - 1)
                month, day = d.month, d.day
            else:
                month, day = int(g["month"]), int(g["day"])
            comps[k] = (year, month, day, int(g["hour"] or 0), int(g["minute"] or 0), float(g["second"] or 0.0))
            zone = g["zone"]
            if zone and zone.upper() not in ("Z", "UTC"):
                sign = -1.0 if zone[0] == "-" else 1.0
                digits = zone[1:].replace(":", "")
                offsets[k] = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
        if scale.lower() != "utc" and offsets.any():
            raise TimeError("a zone offset only makes sense for UTC times; drop the offset or the scale")
        try:
            t = cls.from_calendar(*comps.T)
        except TimeError as e:
            raise TimeError(f"{e} (in {items[0]!r}{' …' if len(items) > 1 else ''})") from None
        if offsets.any():
            t = t.plus_seconds(-offsets)
        if scale.lower() != "utc":
            t = cls.from_jd(t.jd1, t.jd2, scale)
        return t[0] if scalar else t

    @classmethod
    def from_datetime(cls, dt: datetime | Iterable[datetime]) -> "Time":
        """Time-zone-aware :class:`datetime` (or a sequence of them). Naive ones are refused."""
        scalar = isinstance(dt, datetime)
        items = [dt] if scalar else list(dt)
        comps = np.empty((len(items), 6), dtype=float)
        for k, d in enumerate(items):
            if not isinstance(d, datetime):
                raise TimeError(f"expected a datetime, got {type(d).__name__}: {d!r}")
            if d.tzinfo is None or d.tzinfo.utcoffset(d) is None:
                raise TimeError(
                    f"the datetime {d.isoformat()} has no time zone, and Space Sweepers will not guess one. "
                    "Make it aware, e.g. datetime(2023, 10, 9, 12, 0, tzinfo=timezone.utc) or "
                    "d.replace(tzinfo=timezone.utc) if it is UTC."
                )
            u = d.astimezone(timezone.utc)
            comps[k] = (u.year, u.month, u.day, u.hour, u.minute, u.second + u.microsecond * 1e-6)
        t = cls.from_calendar(*comps.T)
        return t[0] if scalar else t

    @classmethod
    def now(cls) -> "Time":
        return cls.from_datetime(datetime.now(timezone.utc))

    @classmethod
    def linspace(cls, start: "Time", stop: "Time", num: int) -> "Time":
        """``num`` evenly spaced instants from ``start`` to ``stop`` inclusive."""
        span = stop.seconds_since(start)
        return start.plus_seconds(np.linspace(0.0, float(span), int(num)))

    @classmethod
    def concatenate(cls, times: Iterable["Time"]) -> "Time":
        times = list(times)
        return cls(
            np.concatenate([np.atleast_1d(t.jd1) for t in times]),
            np.concatenate([np.atleast_1d(t.jd2) for t in times]),
        )

    # --- representations ------------------------------------------------------------
    @property
    def jd1(self) -> np.ndarray:
        """UTC Julian date of the preceding midnight (x.5)."""
        return self._jd1

    @property
    def jd2(self) -> np.ndarray:
        """Fraction of the UTC day, 0 <= jd2 < 1."""
        return self._jd2

    @property
    def jd_utc(self) -> np.ndarray:
        """UTC Julian date as one float (about 20 µs resolution; use jd1/jd2 for precision)."""
        return self._jd1 + self._jd2

    @property
    def shape(self) -> tuple:
        return self._jd1.shape

    @cached_property
    def tai(self) -> tuple[np.ndarray, np.ndarray]:
        """(jd1, jd2) in TAI."""
        with _quiet_erfa_ctx():
            return erfa.utctai(self._jd1, self._jd2)

    @cached_property
    def tt(self) -> tuple[np.ndarray, np.ndarray]:
        """(jd1, jd2) in TT."""
        return erfa.taitt(*self.tai)

    @property
    def mjd2000_day(self) -> np.ndarray:
        """Days since 2000-01-01 00:00 UTC."""
        return (self._jd1 - JD_MJD2000) + self._jd2

    @cached_property
    def unix_s(self) -> np.ndarray:
        """POSIX seconds (UTC, leap seconds not counted)."""
        return (self._jd1 - JD_UNIX) * DAY_S + self._jd2 * DAY_S

    def iso(self, digits: int = 6) -> str | list[str]:
        """ISO 8601 string(s) in UTC ending in ``Z``, with ``digits`` decimals of seconds."""
        with _quiet_erfa_ctx():
            iy, im, iday, ihmsf = erfa.d2dtf("UTC", digits, np.atleast_1d(self._jd1), np.atleast_1d(self._jd2))
        out = []
        for y, mo, d, f in zip(iy, im, iday, ihmsf):
            s = f"{y:04d}-{mo:02d}-{d:02d}T{f['h']:02d}:{f['m']:02d}:{f['s']:02d}"
            if digits > 0:
                s += f".{f['f']:0{digits}d}"
            out.append(s + "Z")
        return out[0] if self.shape == () else out

    @property
    def utc_iso(self) -> str | list[str]:
        return self.iso(6)

    def to_datetime(self) -> datetime | list[datetime]:
        """Aware UTC datetime(s), rounded to the microsecond (leap seconds clamp to :59.999999)."""
        with _quiet_erfa_ctx():
            iy, im, iday, ihmsf = erfa.d2dtf("UTC", 6, np.atleast_1d(self._jd1), np.atleast_1d(self._jd2))
        out = [
            datetime(int(y), int(mo), int(d), int(f["h"]), int(f["m"]), min(int(f["s"]), 59),
                     int(f["f"]) if f["s"] < 60 else 999999, tzinfo=timezone.utc)
            for y, mo, d, f in zip(iy, im, iday, ihmsf)
        ]
        return out[0] if self.shape == () else out

    @cached_property
    def skyfield(self):
        """The same instant(s) as a skyfield ``Time`` (built-in timescale, no downloads)."""
        return timescale().tai_jd(*self.tai)

    # --- arithmetic ---------------------------------------------------------------------
    def plus_seconds(self, seconds) -> "Time":
        """This time shifted by ``seconds`` elapsed SI seconds (arrays broadcast)."""
        seconds = np.asarray(seconds, dtype=float)
        t1, t2 = self.tai
        t2 = t2 + seconds / DAY_S
        with _quiet_erfa_ctx():
            u1, u2 = erfa.taiutc(*_normalize(np.broadcast_to(t1, t2.shape), t2))
        return Time(u1, u2)

    def plus_days(self, days) -> "Time":
        return self.plus_seconds(np.asarray(days, dtype=float) * DAY_S)

    def seconds_since(self, other: "Time") -> np.ndarray:
        """Elapsed SI seconds from ``other`` to this time."""
        a1, a2 = self.tai
        b1, b2 = other.tai
        return ((a1 - b1) + (a2 - b2)) * DAY_S

    def __sub__(self, other):
        if isinstance(other, Time):
            return self.seconds_since(other)
        return NotImplemented

    # --- container protocol ----------------------------------------------------------
    def __len__(self) -> int:
        if self.shape == ():
            raise TypeError("a scalar Time has no len()")
        return self.shape[0]

    def __getitem__(self, index) -> "Time":
        return Time(self._jd1[index], self._jd2[index])

    def __iter__(self):
        for k in range(len(self)):
            yield self[k]

    def __eq__(self, other):
        if not isinstance(other, Time):
            return NotImplemented
        return np.all(self._jd1 == other._jd1) and np.all(self._jd2 == other._jd2)

    def __lt__(self, other: "Time"):
        return (self._jd1 - other._jd1) + (self._jd2 - other._jd2) < 0

    def __le__(self, other: "Time"):
        return (self._jd1 - other._jd1) + (self._jd2 - other._jd2) <= 0

    def __gt__(self, other: "Time"):
        return other < self

    def __ge__(self, other: "Time"):
        return other <= self

    __hash__ = None

    def __repr__(self) -> str:
        if self.shape == ():
            return f"Time({self.iso(6)!r})"
        n = self.size
        if n <= 3:
            return f"Time({self.iso(6)!r})"
        first, last = self[0].iso(3), self.reshape_flat()[-1].iso(3)
        return f"Time(<{n} instants {first} … {last}>)"

    @property
    def size(self) -> int:
        return int(np.prod(self.shape)) if self.shape else 1

    def reshape_flat(self) -> "Time":
        return Time(self._jd1.ravel(), self._jd2.ravel())


class _quiet_erfa_ctx:
    def __enter__(self):
        self._c = warnings.catch_warnings()
        self._c.__enter__()
        warnings.simplefilter("ignore", erfa.ErfaWarning)

    def __exit__(self, *exc):
        return self._c.__exit__(*exc)


_TIMESCALE = None


def timescale():
    """skyfield's built-in timescale (bundled leap seconds and ΔT; never downloads)."""
    global _TIMESCALE
    if _TIMESCALE is None:
        from skyfield.api import load

        _TIMESCALE = load.timescale(builtin=True)
    return _TIMESCALE


def as_time(value) -> Time:
    """Accept a :class:`Time`, an ISO string, an aware datetime or ``'now'``."""
    if isinstance(value, Time):
        return value
    if isinstance(value, str):
        if value.strip().lower() == "now":
            return Time.now()
        return Time.from_iso(value)
    if isinstance(value, datetime):
        return Time.from_datetime(value)
    raise TimeError(f"cannot make a time from {type(value).__name__} {value!r}; {_ISO_HELP}")
