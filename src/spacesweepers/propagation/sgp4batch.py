"""SGP4 for the whole catalog over many times in one call.

Units: kilometres and km/s in the TEME frame of each element set, as SGP4 returns
them; times are :class:`spacesweepers.time.Time` (UTC split Julian date, handed to
SGP4 unchanged as its ``(jd, fr)`` pair).

* :class:`Propagator` builds one ``sgp4.api.SatrecArray`` from element sets (or
  ready ``Satrec`` objects) once; :meth:`Propagator.at` propagates every object to
  every time with a single vectorized call.
* :func:`propagate` is the one-shot convenience.
* :class:`Ephemeris` holds the result: arrays shaped ``(n_obj, n_time, 3)`` and an
  error-code array ``(n_obj, n_time)``. Frames are methods: :meth:`Ephemeris.gcrs`,
  :meth:`Ephemeris.itrs`, :meth:`Ephemeris.geodetic`.

Failures are data, never exceptions: an object that decays, or whose elements SGP4
cannot use, gets its error code and NaN positions/velocities at the affected times,
and every other object is unaffected. Codes 1–6 are SGP4's own
(``sgp4.api.SGP4_ERRORS``); code 7 (:data:`INVALID_ELEMENTS`) marks element sets we
refuse before SGP4 sees them (non-finite numbers, mean motion ≤ 0, or an
initialisation that raised); the reason per object is in
:attr:`Propagator.init_problems` and :meth:`Ephemeris.problems`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from ..time import Time

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog.elements import ElementSet
    from .frames import GcrsState, Geodetic, ItrsState

#: Code for element sets rejected before SGP4 (see :attr:`Propagator.init_problems`).
INVALID_ELEMENTS = 7


def _error_messages() -> dict[int, str]:
    from sgp4.api import SGP4_ERRORS

    table = {0: "ok"}
    table.update({int(k): v for k, v in SGP4_ERRORS.items()})
    table[INVALID_ELEMENTS] = "element set rejected before SGP4 (invalid elements; see the per-object message)"
    return table


#: Message for every error code in :attr:`Ephemeris.error` (SGP4's table plus code 7).
ERROR_MESSAGES: dict[int, str] = _error_messages()


@dataclass(frozen=True, slots=True)
class PropagationProblem:
    """One failing object of an :class:`Ephemeris`: which row, which code, how often."""

    row: int  # index along the object axis
    norad_id: int
    code: int
    n_times: int  # number of times with this code
    first_time_utc: str  # ISO 8601 UTC of the first failing time
    message: str

    def __str__(self) -> str:
        return (
            f"object {self.norad_id} (row {self.row}): error {self.code} at {self.n_times} time(s) "
            f"from {self.first_time_utc}: {self.message}"
        )


def _placeholder_satrec():
    """A Satrec that fails at once at every time (eccentricity 1.5 → SGP4 code 1), used
    in place of element sets SGP4 must not be given; its rows are recoded to 7."""
    from sgp4.api import WGS72, Satrec

    sat = Satrec()
    sat.sgp4init(WGS72, "i", 0, 25000.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.05, 0.0)
    return sat


def _check_numbers(norad_id, n_rad_min, values: dict) -> str | None:
    bad = [name for name, x in values.items() if not math.isfinite(x)]
    if bad:
        return f"object {norad_id}: non-finite element(s) {', '.join(bad)}; SGP4 needs finite numbers"
    if not n_rad_min > 0.0:
        return f"object {norad_id}: mean motion must be positive (got {n_rad_min * 1440 / (2 * math.pi):g} rev/day)"
    return None


def _to_satrec(item):
    """(satrec or None, norad_id, problem text or None) for one ElementSet or Satrec."""
    from sgp4.api import Satrec

    if isinstance(item, Satrec):
        sat = item
        norad_id = int(sat.satnum)
        problem = _check_numbers(
            norad_id, sat.no_kozai,
            dict(eccentricity=sat.ecco, inclination=sat.inclo, raan=sat.nodeo, arg_perigee=sat.argpo,
                 mean_anomaly=sat.mo, mean_motion=sat.no_kozai, bstar=sat.bstar,
                 epoch=sat.jdsatepoch + sat.jdsatepochF),
        )
        return (None if problem else sat), norad_id, problem
    norad_id = getattr(item, "norad_id", None)
    if norad_id is None or not hasattr(item, "to_satrec"):
        raise TypeError(
            f"propagation takes ElementSet records or sgp4 Satrec objects, got {type(item).__name__}; "
            "read element sets with spacesweepers.catalog.formats.tle.read_tle(...).element_sets"
        )
    norad_id = int(norad_id)
    where = f" ({item.source}, line {item.source_line})" if getattr(item, "source", "") else ""
    try:
        problem = _check_numbers(
            norad_id, item.mean_motion_rev_day,
            dict(eccentricity=item.eccentricity, inclination_deg=item.inclination_deg, raan_deg=item.raan_deg,
                 arg_perigee_deg=item.arg_perigee_deg, mean_anomaly_deg=item.mean_anomaly_deg,
                 mean_motion_rev_day=item.mean_motion_rev_day, bstar=item.bstar_per_earth_radius,
                 mean_motion_dot=item.mean_motion_dot_rev_day2, mean_motion_ddot=item.mean_motion_ddot_rev_day3,
                 epoch_jd1=item.epoch_jd1, epoch_jd2=item.epoch_jd2),
        )
        if problem:
            return None, norad_id, problem + where
        return item.to_satrec(), norad_id, None
    except Exception as e:  # a field of the wrong type, or sgp4init itself refused: an error row
        return None, norad_id, f"object {norad_id}{where}: cannot initialise SGP4: {type(e).__name__}: {e}"


class Propagator:
    """SGP4 for a fixed set of objects, reusable for any number of time grids.

    ``elements``: a sequence of :class:`~spacesweepers.catalog.elements.ElementSet`
    and/or ``sgp4.api.Satrec`` objects (or a ``ParseResult``, whose element sets are
    used). The ``SatrecArray`` is built once here; :meth:`at` only propagates.
    """

    def __init__(self, elements: Sequence["ElementSet"] | Iterable):
        from sgp4.api import SatrecArray

        if hasattr(elements, "element_sets"):  # a ParseResult
            elements = elements.element_sets
        satrecs, ids, problems = [], [], {}
        placeholder = None
        for row, item in enumerate(elements):
            sat, norad_id, problem = _to_satrec(item)
            if sat is None:
                if placeholder is None:
                    placeholder = _placeholder_satrec()
                sat = placeholder
                problems[row] = problem
            satrecs.append(sat)
            ids.append(norad_id)
        self._satrecs = satrecs  # SatrecArray copies them; kept so that .satrecs can hand them out
        self._array = SatrecArray(satrecs) if satrecs else None
        self.norad_ids = np.array(ids, dtype=np.int64)
        self.norad_ids.setflags(write=False)
        #: row → why that element set was rejected before SGP4 (its rows carry code 7)
        self.init_problems: dict[int, str] = problems
        self._invalid_rows = np.array(sorted(problems), dtype=np.intp)

    def __len__(self) -> int:
        return len(self.norad_ids)

    def __repr__(self) -> str:
        return f"Propagator(<{len(self)} objects, {len(self.init_problems)} rejected>)"

    @property
    def satrecs(self) -> list:
        return list(self._satrecs)

    def at(self, times: Time) -> "Ephemeris":
        """Positions and velocities (TEME, km and km/s) of every object at every time.

        ``times`` is a scalar or 1-D :class:`~spacesweepers.time.Time`; the result always
        has a time axis (length 1 for a scalar time).
        """
        if not isinstance(times, Time):
            raise TypeError(
                f"times must be a spacesweepers.time.Time, got {type(times).__name__}; "
                "build one with Time.from_iso('2023-10-09T12:00:00Z') or Time.linspace(start, stop, n)"
            )
        if len(times.shape) > 1:
            raise ValueError(f"times must be a scalar or 1-D Time, got shape {times.shape}; flatten it first")
        jd = np.atleast_1d(times.jd1)
        fr = np.atleast_1d(times.jd2)
        if times.shape == ():
            times = Time(jd, fr)
        n_time = jd.shape[0]
        if self._array is None:
            error = np.zeros((0, n_time), np.uint8)
            r = np.zeros((0, n_time, 3))
            return Ephemeris(self.norad_ids, times, r, r.copy(), error, dict(self.init_problems))
        error, r, v = self._array.sgp4(jd, fr)
        return self._finish(times, error, r, v)

    def _finish(self, times: Time, error, r, v) -> "Ephemeris":
        """Everything :meth:`at` does after SGP4 (kept apart so the benchmark can time it).
        Works in place on SGP4's fresh arrays: no copies."""
        # SGP4 leaves finite numbers behind for some failures (code 6): blank every failure
        if len(self._invalid_rows):
            error[self._invalid_rows] = INVALID_ELEMENTS
        bad = np.flatnonzero(error)
        if bad.size:
            r.reshape(-1, 3)[bad] = np.nan
            v.reshape(-1, 3)[bad] = np.nan
        return Ephemeris(self.norad_ids, times, r, v, error, dict(self.init_problems))


def _frozen(a) -> np.ndarray:
    """A read-only view (no copy) of ``a``; the caller's own array stays writable."""
    view = np.asarray(a).view()
    view.setflags(write=False)
    return view


def propagate(elements, times: Time) -> "Ephemeris":
    """Propagate ``elements`` (ElementSets or Satrecs) to ``times`` in one call.

    Equivalent to ``Propagator(elements).at(times)``; keep a :class:`Propagator` when
    the same objects are propagated to several time grids.
    """
    return Propagator(elements).at(times)


class Ephemeris:
    """Positions and velocities of ``n_obj`` objects at ``n_time`` times (TEME).

    Attributes (read-only arrays):

    * ``norad_ids`` ``(n_obj,)`` int64
    * ``times`` 1-D :class:`~spacesweepers.time.Time` ``(n_time,)``
    * ``r_teme_km`` ``(n_obj, n_time, 3)``, ``v_teme_km_s`` ``(n_obj, n_time, 3)``
      — NaN wherever ``error`` is non-zero
    * ``error`` ``(n_obj, n_time)`` uint8: 0 ok, 1–6 SGP4 codes, 7 rejected elements
      (:data:`ERROR_MESSAGES`)
    """

    __slots__ = ("norad_ids", "times", "r_teme_km", "v_teme_km_s", "error", "init_problems")

    def __init__(self, norad_ids, times: Time, r_teme_km, v_teme_km_s, error, init_problems=None):
        self.norad_ids = _frozen(norad_ids)
        self.times = times
        self.r_teme_km = _frozen(r_teme_km)
        self.v_teme_km_s = _frozen(v_teme_km_s)
        self.error = _frozen(error)
        self.init_problems = init_problems or {}

    # --- shape --------------------------------------------------------------------
    @property
    def n_obj(self) -> int:
        return self.r_teme_km.shape[0]

    @property
    def n_time(self) -> int:
        return self.r_teme_km.shape[1]

    def __len__(self) -> int:
        return self.n_obj

    def __repr__(self) -> str:
        n_fail = int(np.count_nonzero(self.error.any(axis=1))) if self.error.size else 0
        return f"Ephemeris(<{self.n_obj} objects × {self.n_time} times, {n_fail} object(s) with errors>)"

    @property
    def ok(self) -> np.ndarray:
        """``(n_obj, n_time)`` bool: True where the state is valid."""
        return self.error == 0

    def row(self, norad_id: int) -> int:
        """Index along the object axis of the (first) element set of ``norad_id``."""
        hits = np.flatnonzero(self.norad_ids == norad_id)
        if not hits.size:
            from ..errors import NotFound

            raise NotFound(f"object {norad_id} is not in this ephemeris ({self.n_obj} objects)")
        return int(hits[0])

    # --- failures as data -------------------------------------------------------------
    def problems(self) -> list[PropagationProblem]:
        """One :class:`PropagationProblem` per (object, error code) that occurs."""
        if not self.error.size:
            return []
        rows = np.flatnonzero(self.error.any(axis=1))
        out = []
        if rows.size:
            t_iso = None
            for row in rows:
                codes = self.error[row]
                for code in np.unique(codes[codes != 0]):
                    where = np.flatnonzero(codes == code)
                    if t_iso is None:
                        t_iso = self.times.iso(3)
                        t_iso = [t_iso] if isinstance(t_iso, str) else t_iso
                    code = int(code)
                    msg = self.init_problems.get(int(row)) if code == INVALID_ELEMENTS else None
                    out.append(PropagationProblem(
                        row=int(row), norad_id=int(self.norad_ids[row]), code=code, n_times=int(where.size),
                        first_time_utc=t_iso[where[0]], message=msg or ERROR_MESSAGES.get(code, "unknown error"),
                    ))
        return out

    def error_messages(self) -> dict[int, str]:
        """``{norad_id: message}`` for every object that failed at some time."""
        out: dict[int, str] = {}
        for p in self.problems():
            text = str(p)
            out[p.norad_id] = f"{out[p.norad_id]}; {text}" if p.norad_id in out else text
        return out

    # --- frames (computed on each call: the arrays are large, so nothing is cached) ------
    def gcrs(self) -> "GcrsState":
        """Positions and velocities in the GCRS (skyfield's TEME → GCRS rotation)."""
        from .frames import teme_to_gcrs

        return teme_to_gcrs(self.r_teme_km, self.v_teme_km_s, self.times)

    def itrs(self, xp_arcsec=0.0, yp_arcsec=0.0, dut1_s=None) -> "ItrsState":
        """Earth-fixed positions and velocities (velocity relative to the rotating Earth).

        ``xp_arcsec``, ``yp_arcsec``: polar motion (default 0: the pole of the PEF frame,
        an error of up to ~15 m at the surface); ``dut1_s``: UT1−UTC in seconds (default:
        skyfield's built-in table). See :func:`~spacesweepers.propagation.frames.teme_to_itrs`.
        """
        from .frames import teme_to_itrs

        return teme_to_itrs(self.r_teme_km, self.v_teme_km_s, self.times,
                            xp_arcsec=xp_arcsec, yp_arcsec=yp_arcsec, dut1_s=dut1_s)

    def geodetic(self, xp_arcsec=0.0, yp_arcsec=0.0, dut1_s=None) -> "Geodetic":
        """WGS-84 geodetic latitude, longitude (degrees) and altitude (km), NaN where failed."""
        from .frames import itrs_to_geodetic, teme_to_itrs

        r_itrs = teme_to_itrs(self.r_teme_km, None, self.times,
                              xp_arcsec=xp_arcsec, yp_arcsec=yp_arcsec, dut1_s=dut1_s).r_itrs_km
        return itrs_to_geodetic(r_itrs)


__all__ = ["Propagator", "propagate", "Ephemeris", "PropagationProblem", "ERROR_MESSAGES", "INVALID_ELEMENTS"]
