"""Conjunction screening: all-vs-all or primaries-vs-all over a time window.

Units: km, km/s, seconds (the propagation core's); Pc inputs are converted to metres for
:mod:`.pc`. States are SGP4's TEME. Times inside the screener are seconds after ``start``
counted on SGP4's UTC Julian-date axis (the axis every element set and ``Propagator`` use).

Method (every step keeps a proven lower bound, so nothing is lost between samples):

1. **Duplicates out.** Repeated element sets of one object, and different objects with
   identical elements (they would be "in conjunction" all the time), are reported and screened
   once.
2. **Apogee/perigee filter.** A pair whose radial shells ``[r_p, r_a]`` (mean elements)
   do not overlap within ``radial_margin_km`` (default 50 km + threshold: SGP4's short-period
   terms move the osculating radius by ≈10 km) is never tested; in primaries mode only objects
   whose shell overlaps a primary's are propagated at all.
   **Orbit-path filter** (primaries mode, primaries below 8,000 km): a secondary whose mean
   orbit path cannot come within reach of any primary's path at any time of the window
   (Hoots et al. 1984, with SGP4's drifting mean elements; proof and margins in
   :mod:`.orbit_path`) is not propagated either.
3. **Sampling.** The window is streamed in time chunks (default 6 h; memory ∝ chunk). Each
   chunk is propagated with one ``SatrecArray`` call every ``sample_step_s`` (H, default
   300 s). Between samples, positions and velocities come from cubic Hermite interpolation at
   nodes every ``step_s`` (W, default 50 s). Interpolation error bound per object:
   ``eps = 3 (1 + e) r_p (ω_p H)^4 / 384 + 10 m + 1e-8 s⁻¹ H r_a`` (``ω_p = v_p / r_p`` at perigee; the cubic
   Hermite remainder ``H^4/384 max|r''''|``, ×3(1 + e); the last term covers the kinks of SGP4's
   deep-space resonance integrator, whose error grows ∝ H for objects beyond 26,000 km), and
   per chunk, for objects whose samples come more than 50 km below their mean perigee, at
   least the same bound from the samples (``r_min``, ``max|v|/r_min``, ×(1 + 5e)): element
   sets months past their epoch with strong drag have decayed in SGP4 far below it. Checked against SGP4 at the quarter points of
   every interval for the whole snapshot at H = 300 s and 1,200 s by the tests. One-vs-all uses
   H = 1,200 s by default (few objects: SGP4 calls dominate, and the wider margin costs only
   more candidate windows), all-vs-all 300 s.
4. **Spatial index per node.** A uniform grid (cell = query radius) per node; pairs in the
   same or neighbouring cells within ``d + (|v_i| + |v_j|) W/2 + slack`` are tested.
5. **Linear lower bound.** Around node ``t_k``, relative motion is
   ``Δr(τ) = Δr_k + Δv_k τ + ½ Δa τ²`` with ``|Δa| ≤ 3e-6 s⁻² · separation + 5e-6 km/s²``
   (the gravity-gradient bound ``2μ/r³ ≤ 2.9e-6 s⁻²`` above 100 km altitude, plus drag and
   model differences). The pair is a *candidate* for window ``[t_k − W/2, t_k + W/2)`` when
   ``min_τ |Δr_k + Δv_k τ| − ½|Δa|(W/2)² − 1.5 (eps_i + eps_j) ≤ d``.
6. **Exact re-test.** Each candidate is tested again with the same bound on exact SGP4 states
   at its node (no interpolation term left), which drops most of the windows the
   interpolation margin let through at the cost of one SGP4 call per object.
7. **TCA.** For each surviving window the range-rate ``f = Δr·Δv`` is evaluated with SGP4 at
   the window's ends and middle; every sign change − → + is a bracketed minimum, refined by a
   safeguarded Newton iteration (``f' = |Δv|² + Δr·Δa``, two-body Δa; bisection whenever a
   step leaves the bracket) until the step is below 0.1 µs. Windows tile time without gaps
   and each claims only minima inside it, so every local minimum of the range is found once.
   Minima with range ≤ threshold are the events. Minima at the ends of the screening window
   (range still falling at the end) are not events.

Pc: public catalog data has no covariance, so the Pc reported is Alfano's (2005) **maximum**
Pc for the miss distance and hard-body radius (:func:`.pc.pc_max_alfano`), an upper bound.
HBR per object: CARA size table, else RCS class, else the default of :mod:`.hbr`, combined as
CARA does; ``hbr_m`` overrides. Slow/long encounters are flagged with CARA's usage-violation
test (:func:`.encounter.usage_violations`) run with an isotropic notional covariance of
Alfano's worst-case σ (since there is no real covariance). Such events (and those with zero
relative velocity) get **no Pc** (``pc`` NaN/null, ``pc_method`` :data:`PC_NONE_METHOD`): the
2D bound can be wrong there by orders of magnitude, and the methods that hold for slow
encounters (the encounter Monte Carlo of ``cdm pc``) need a real covariance, which a notional
one would only pretend to supply.

Failures are data: objects whose SGP4 fails in the window are listed in
:attr:`ScreeningResult.problems` and screened where they are valid; encounters with (nearly)
zero relative velocity are kept and flagged.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time as _clock
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from ..errors import SweepersError
from ..time import DAY_S, Time, as_time
from . import _screen_kernel as _k
from .orbit_path import MAX_RADIUS_KM

MU_KM3_S2 = 398600.8  # WGS-72, as SGP4
RE_KM = 6378.135
ZERO_VREL_KM_S = 1e-6  # below 1 mm/s a conjunction has no encounter plane
PC_METHOD = "ALFANO-2005-MAX"
#: ``pc_method`` of events whose Pc is left out (``pc`` null): the short-encounter (2D)
#: assumptions fail, and without a covariance no method that holds there can be run.
PC_NONE_METHOD = "NONE-2D-USAGE-VIOLATION"

#: Columns of :attr:`ScreeningResult.table` (arrays of equal length, one row per event).
COLUMNS = (
    "primary", "secondary", "tca_s", "miss_km", "vrel_kms", "miss_r_km", "miss_t_km", "miss_n_km",
    "r1_km", "v1_kms", "r2_km", "v2_kms", "hbr_m", "hbr_source", "pc", "pc_method", "usage_violation", "note",
)


class ScreeningError(SweepersError, ValueError):
    """A screening that cannot be run as asked."""


# --- object preparation ------------------------------------------------------------------
def _orbit_numbers(sats):
    n = np.array([s.no_kozai for s in sats]) / 60.0  # rad/s
    e = np.array([s.ecco for s in sats])
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(n > 0, (MU_KM3_S2 / n**2) ** (1 / 3), np.nan)
    rp, ra = a * (1 - e), a * (1 + e)
    return a, e, rp, ra


def _shells(items):
    """Catalog numbers and perigee/apogee radii (km) from the mean elements of element sets or
    Satrecs, without initialising SGP4 (the same numbers as :func:`_orbit_numbers`)."""
    from ..catalog.elements import _XPDOTP

    k = len(items)
    try:  # element sets (the common case, read straight into arrays)
        ids = np.fromiter((x.norad_id for x in items), np.int64, k)
        n = np.fromiter((x.mean_motion_rev_day for x in items), float, k) / _XPDOTP / 60.0
        e = np.fromiter((x.eccentricity for x in items), float, k)
    except AttributeError:  # Satrecs, or a mix
        ids = np.array([int(getattr(x, "norad_id", getattr(x, "satnum", -1))) for x in items], np.int64)
        n = np.array([x.mean_motion_rev_day / _XPDOTP if hasattr(x, "mean_motion_rev_day") else x.no_kozai
                      for x in items], float) / 60.0
        e = np.array([x.eccentricity if hasattr(x, "eccentricity") else x.ecco for x in items], float)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(n > 0, (MU_KM3_S2 / n**2) ** (1 / 3), np.nan)
    return ids, np.nan_to_num(a * (1 - e), nan=-1e9), np.nan_to_num(a * (1 + e), nan=1e12)


def interpolation_error_km(sats, sample_step_s: float, r=None, v=None) -> np.ndarray:
    """Bound on the cubic-Hermite position error (km) of each object for SGP4 samples every
    ``sample_step_s`` (see module notes). With the samples ``r``, ``v`` (n_obj, n_t, 3) of a
    chunk, the larger of that and the same bound from the samples themselves (see
    :func:`_sample_error_km`)."""
    a, e, rp, ra = _orbit_numbers(sats)
    with np.errstate(divide="ignore", invalid="ignore"):
        vp = np.sqrt(MU_KM3_S2 * (1 + e) / rp)
        wp = vp / rp
        eps = 3.0 * (1 + e) * rp * (wp * sample_step_s) ** 4 / 384.0 + 0.01 + 1e-8 * sample_step_s * ra
    eps = np.where(np.isfinite(eps), eps, 1e3)
    if r is not None:
        eps = np.maximum(eps, _sample_error_km(r, v, e, rp, ra, sample_step_s))
    return eps


def _sample_error_km(r, v, e, rp, ra, H):
    """The Hermite bound from the chunk's own SGP4 samples, for objects whose samples come more
    than 50 km below their mean perigee ``rp`` (0 for the others): smallest radius and largest
    angular rate ``max|v| / min|r|``, ×(1 + 5e). Element sets far past their epoch with strong
    drag (FREGAT and SLS debris two months old) have decayed in SGP4 by hundreds of km below
    the perigee of their mean elements, so the elements alone under-state the rate."""
    with np.errstate(invalid="ignore", divide="ignore"):
        rn = np.linalg.norm(r, axis=-1)
        vn = np.linalg.norm(v, axis=-1)
        rmin = np.nanmin(np.where(np.isfinite(rn), rn, np.inf), axis=1)
        w = np.nanmax(np.where(np.isfinite(vn), vn, 0.0), axis=1) / rmin
        eps = 3.0 * (1 + 5 * e) * rmin * (w * H) ** 4 / 384.0 + 0.01 + 1e-8 * H * ra
    return np.where(np.isfinite(eps) & (rmin < rp - 50.0), eps, 0.0)


def _dedupe(elements):
    """Drop repeated element sets; return (kept items, messages)."""
    kept, notes, seen_id, seen_el = [], [], {}, {}
    for item in elements:
        nid = int(getattr(item, "norad_id", getattr(item, "satnum", -1)))
        sig = None
        if hasattr(item, "mean_motion_rev_day"):
            sig = (item.epoch_jd1, item.epoch_jd2, item.mean_motion_rev_day, item.eccentricity, item.inclination_deg,
                   item.raan_deg, item.arg_perigee_deg, item.mean_anomaly_deg, item.bstar_per_earth_radius)
        if nid in seen_id:
            notes.append(f"object {nid}: more than one element set given; screened with the first one only")
            continue
        if sig is not None and sig in seen_el:
            notes.append(f"object {nid} has the same element set as object {seen_el[sig]} (identical objects, "
                         f"a degenerate pair with zero relative velocity); screened as {seen_el[sig]} only")
            continue
        seen_id[nid] = True
        if sig is not None:
            seen_el[sig] = nid
        kept.append(item)
    return kept, notes


# --- the worker state (one per process) -----------------------------------------------------
_W: dict = {}


def _init_worker(elements, params, prop=None):
    from ..propagation import Propagator

    _W.clear()
    _W["prop"] = Propagator(elements) if prop is None else prop
    _W["sats"] = _W["prop"].satrecs
    _W.update(params)


def plausible(r, v, rp_km=None, ra_km=None) -> np.ndarray:
    """False where SGP4 returned error code 0 but a state no orbit can have (|r| outside
    6,000 … 1,500,000 km, |v| ≥ 12 km/s, or |r| outside the element set's own shell
    ``[0.9 r_p − 50, 1.1 r_a + 50]`` km when ``rp_km``/``ra_km`` (per object, leading axis)
    are given): SGP4 does this for element sets long past decay."""
    rn = np.linalg.norm(r, axis=-1)
    vn = np.linalg.norm(v, axis=-1)
    ok = (rn > 6000.0) & (rn < 1.5e6) & (vn < 12.0)
    if rp_km is not None:
        shape = (-1,) + (1,) * (rn.ndim - 1)
        ok &= (rn >= 0.9 * np.reshape(rp_km, shape) - 50.0) & (rn <= 1.1 * np.reshape(ra_km, shape) + 50.0)
    return ok


def _sgp4_at(sats, obj, jd1, fr, rp=None, ra=None):
    """SGP4 states of objects ``obj`` (row indices) at times ``jd1 + fr``: one SGP4 call per
    distinct object, written straight into its slice of object-sorted arrays (the per-call
    overhead is what costs here, not SGP4), then checked for plausibility in one pass."""
    K = len(obj)
    if K == 0:
        return np.full((0, 3), np.nan), np.full((0, 3), np.nan)
    order = np.argsort(obj, kind="stable")
    so = obj[order]
    cut = np.flatnonzero(np.diff(so)) + 1
    starts = np.concatenate([[0], cut]).tolist()
    ends = np.concatenate([cut, [K]]).tolist()
    jd = np.full(K, float(jd1))
    fs = np.ascontiguousarray(fr[order], dtype=np.float64)
    es = np.zeros(K, np.uint8)
    rs = np.empty((K, 3))
    vs = np.empty((K, 3))
    so_l = so.tolist()
    for s, e in zip(starts, ends):
        sats[so_l[s]]._sgp4(jd[s:e], fs[s:e], es[s:e], rs[s:e], vs[s:e])
    bad = (es != 0) | ~plausible(rs, vs, None if rp is None else rp[so], None if ra is None else ra[so])
    rs[bad] = np.nan
    vs[bad] = np.nan
    r = np.empty((K, 3))
    v = np.empty((K, 3))
    r[order] = rs
    v[order] = vs
    return r, v


def _rel(sats, i, j, t_s, jd1, jd2, rp=None, ra=None):
    """SGP4 states of both objects of each pair at ``t_s`` (NaN where SGP4 fails or the state is
    implausible for the object's shell ``rp``/``ra``); one SGP4 call per distinct object."""
    fr = jd2 + t_s / DAY_S
    n = len(i)
    r, v = _sgp4_at(sats, np.concatenate([i, j]), jd1, np.concatenate([fr, fr]), rp, ra)
    return r[:n], v[:n], r[n:], v[n:]


def _accel(r):
    n = np.linalg.norm(r, axis=1, keepdims=True)
    return -MU_KM3_S2 * r / n**3


def refine_tca(sats, i, j, lo, hi, jd1, jd2, *, tol_s: float = 1e-7, max_iter: int = 80, rp=None, ra=None):
    """Times of closest approach of pairs (i[k], j[k]) bracketed in [lo[k], hi[k]] where the
    range-rate goes from negative to non-negative. Safeguarded Newton on f = Δr·Δv.
    Returns (t_s, converged)."""
    lo = np.asarray(lo, float).copy()
    hi = np.asarray(hi, float).copy()
    n = len(lo)
    t = 0.5 * (lo + hi)
    done = np.zeros(n, bool)
    for _ in range(max_iter):
        act = np.flatnonzero(~done)
        if not act.size:
            break
        r1, v1, r2, v2 = _rel(sats, i[act], j[act], t[act], jd1, jd2, rp, ra)
        dr, dv = r2 - r1, v2 - v1
        f = np.einsum("ij,ij->i", dr, dv)
        fp = np.einsum("ij,ij->i", dv, dv) + np.einsum("ij,ij->i", dr, _accel(r2) - _accel(r1))
        bad = ~np.isfinite(f)
        neg = f < 0
        lo[act] = np.where(neg, t[act], lo[act])
        hi[act] = np.where(neg, hi[act], t[act])
        with np.errstate(divide="ignore", invalid="ignore"):
            tn = t[act] - f / fp
        inside = (fp > 0) & (tn > lo[act]) & (tn < hi[act]) & np.isfinite(tn)
        tn = np.where(inside, tn, 0.5 * (lo[act] + hi[act]))
        conv = (np.abs(tn - t[act]) < tol_s) | (hi[act] - lo[act] < tol_s) | bad | (f == 0)
        t[act] = np.where(f == 0, t[act], tn)
        done[act[conv]] = True
        t[act[bad]] = np.nan
    return t, done


def _screen_chunk(c0: int, c1: int):
    """Screen sample intervals [c0, c1) (in units of H) of the window: raw events
    (i, j, tca_s) in row indices of the worker's objects, plus problem rows."""
    from ..propagation import Ephemeris  # noqa: F401  (import check only)

    p = _W
    H, L = p["H"], p["L"]
    W = H / L
    jd1, jd2 = p["jd1"], p["jd2"]
    ts = np.arange(c0, c1 + 1) * H
    times = Time(np.full(ts.shape, jd1), jd2 + ts / DAY_S)
    eph = p["prop"].at(times)
    r, v = np.array(eph.r_teme_km), np.array(eph.v_teme_km_s)
    ok = (eph.error == 0) & plausible(r, v, p["rp"], p["ra"])
    bad_rows = np.flatnonzero(~ok.all(axis=1))
    eps = np.maximum(p["eps"], _sample_error_km(np.where(ok[..., None], r, np.nan), v, p["ecc"], p["rp"], p["ra"], H))
    cand = _k.candidates(r, v, ok, H, L, W, p["d"], eps, p["rp"], p["ra"], p["radial_margin"], p["primary"],
                         p["all_vs_all"], backend=p["backend"])
    n_cand = len(cand)
    if not n_cand:
        return np.zeros((0, 2), np.int64), np.zeros(0), bad_rows, 0
    tn = ts[0] + cand[:, 0] * W
    i, j = cand[:, 1], cand[:, 2]
    sats = p["sats"]
    # the same linear lower bound again with exact SGP4 states at each candidate's node (no
    # interpolation error left: only the curvature term), which drops most of the windows that
    # the interpolation margin let through
    r1, v1, r2, v2 = _rel(sats, i, j, tn, jd1, jd2, p["rp"], p["ra"])
    n = len(i)
    PP, VV = np.concatenate([r1, r2]), np.concatenate([v1, v2])
    hit, _, _ = _k._pair_test_np(PP, VV, np.arange(n), np.arange(n, 2 * n), np.zeros(2 * n), W, p["d"])
    hit |= ~np.isfinite(PP[:n, 0] + PP[n:, 0])  # a failed state: left to the bracket test below
    i, j, tn = i[hit], j[hit], tn[hit]
    fm = np.einsum("ij,ij->i", (r2 - r1)[hit], (v2 - v1)[hit])
    a, m, b = tn - W / 2, tn, tn + W / 2
    r1, v1, r2, v2 = _rel(sats, np.tile(i, 2), np.tile(j, 2), np.concatenate([a, b]), jd1, jd2, p["rp"], p["ra"])
    fab = np.einsum("ij,ij->i", r2 - r1, v2 - v1).reshape(2, -1)
    f = np.stack([fab[0], fm, fab[1]])
    br1 = (f[0] < 0) & (f[1] >= 0)
    br2 = (f[1] < 0) & (f[2] >= 0)
    lo = np.concatenate([a[br1], m[br2]])
    hi = np.concatenate([m[br1], b[br2]])
    pi = np.concatenate([i[br1], i[br2]])
    pj = np.concatenate([j[br1], j[br2]])
    if not len(lo):
        return np.zeros((0, 2), np.int64), np.zeros(0), bad_rows, n_cand
    t, conv = refine_tca(sats, pi, pj, lo, hi, jd1, jd2, rp=p["rp"], ra=p["ra"])
    keep = np.isfinite(t)
    pi, pj, t = pi[keep], pj[keep], t[keep]
    r1, v1, r2, v2 = _rel(sats, pi, pj, t, jd1, jd2, p["rp"], p["ra"])
    miss = np.linalg.norm(r2 - r1, axis=1)
    inwin = (miss <= p["d"]) & (t >= 0) & (t <= p["duration_s"])
    return np.stack([pi[inwin], pj[inwin]], 1), t[inwin], bad_rows, n_cand


# --- the result --------------------------------------------------------------------------
@dataclass
class ScreeningResult:
    """Events of one screening run (a column table, one row per event, sorted by TCA) and what
    went wrong along the way.

    ``table`` holds the arrays named in :data:`COLUMNS`: ``primary``/``secondary`` catalog
    numbers, ``tca_s`` seconds after ``start``, ``miss_km``, ``vrel_kms``, the miss vector
    (secondary − primary) in the primary's RTN frame ``miss_r_km``/``miss_t_km``/``miss_n_km``,
    TEME states at TCA ``r1_km``… (n, 3), ``hbr_m`` and ``hbr_source``, ``pc`` (Alfano maximum;
    NaN for usage violations) and ``pc_method``, ``usage_violation`` (slow/long encounter: the
    2D Pc assumptions fail) and ``note``.
    """

    start: Time
    duration_s: float
    threshold_km: float
    primaries: tuple[int, ...] | None
    table: dict[str, np.ndarray]
    problems: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.table["primary"])

    @property
    def tca(self) -> Time:
        """TCA of every event (UTC)."""
        ts = self.table["tca_s"]
        return Time(np.full(ts.shape, self.start.jd1), self.start.jd2 + ts / DAY_S)

    def tca_iso(self, digits: int = 6) -> list[str]:
        if not len(self):
            return []
        iso = self.tca.iso(digits)
        return [iso] if isinstance(iso, str) else iso

    def rows(self) -> list[dict]:
        """One dict per event with the documented JSON keys (see ``docs/danger.md``)."""
        t = self.table
        iso = self.tca_iso()
        out = []
        for k in range(len(self)):
            out.append({
                "primary": int(t["primary"][k]), "secondary": int(t["secondary"][k]), "tca_utc": iso[k],
                "miss_km": float(t["miss_km"][k]), "vrel_kms": float(t["vrel_kms"][k]),
                "miss_rtn_km": [float(t["miss_r_km"][k]), float(t["miss_t_km"][k]), float(t["miss_n_km"][k])],
                "pc": _pc_or_none(t["pc"][k]), "pc_method": str(t["pc_method"][k]), "hbr_m": float(t["hbr_m"][k]),
                "hbr_source": str(t["hbr_source"][k]), "usage_violation": bool(t["usage_violation"][k]),
                "note": str(t["note"][k]),
            })
        return out

    def flat_columns(self) -> dict[str, list]:
        """Columns for CSV/Parquet: vectors split into x/y/z, TCA as ISO text."""
        t = self.table
        cols: dict[str, list] = {"primary": t["primary"].tolist(), "secondary": t["secondary"].tolist(),
                                 "tca_utc": self.tca_iso()}
        for k in ("miss_km", "vrel_kms", "miss_r_km", "miss_t_km", "miss_n_km", "pc", "hbr_m"):
            cols[k] = t[k].tolist()
        cols["pc"] = [_pc_or_none(x) for x in t["pc"]]
        cols["pc_method"] = [str(x) for x in t["pc_method"]]
        cols["hbr_source"] = [str(s) for s in t["hbr_source"]]
        cols["usage_violation"] = [bool(x) for x in t["usage_violation"]]
        for name in ("r1_km", "v1_kms", "r2_km", "v2_kms"):
            base, unit = name.split("_")
            for c, ax in enumerate("xyz"):
                cols[f"{base}_{ax}_teme_{unit}"] = t[name][:, c].tolist()
        cols["note"] = [str(s) for s in t["note"]]
        return cols

    def write(self, path: str | Path, fmt: str | None = None) -> Path:
        """Write the events as ``csv``, ``json`` or ``parquet`` (from the suffix by default)."""
        p = Path(path)
        fmt = (fmt or p.suffix.lstrip(".") or "csv").lower()
        if fmt == "json":
            from ..cli._common import _clean

            p.write_text(json.dumps(_clean(self.rows()), indent=1) + "\n", encoding="utf-8")
        elif fmt == "csv":
            import csv

            cols = self.flat_columns()
            with p.open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(list(cols))
                for row in zip(*cols.values()):
                    w.writerow([repr(x) if isinstance(x, float) else x for x in row])
        elif fmt == "parquet":
            try:
                import pyarrow as pa
                import pyarrow.parquet as pq
            except ImportError:  # pragma: no cover
                raise ScreeningError("writing Parquet needs pyarrow: pip install pyarrow") from None
            pq.write_table(pa.table(self.flat_columns()), p)
        else:
            raise ScreeningError(f"unknown output format {fmt!r}; use csv, json or parquet")
        return p

    def cdm(self, k: int, *, names: dict | None = None, creation_date: Time | None = None):
        """The CDM of event ``k`` (states rotated TEME → GCRS, covariance unknown)."""
        from ..catalog.formats.cdm import Cdm
        from ..propagation.frames import teme_to_gcrs

        t = self.table
        tca = self.tca[k]
        g1 = teme_to_gcrs(t["r1_km"][k][None, :], t["v1_kms"][k][None, :], self.tca[k:k + 1])
        g2 = teme_to_gcrs(t["r2_km"][k][None, :], t["v2_kms"][k][None, :], self.tca[k:k + 1])
        names = names or {}

        def meta(nid):
            d = {"OBJECT_DESIGNATOR": f"{int(nid):05d}"}
            if nid in names and names[nid]:
                d["OBJECT_NAME"] = names[nid]
            return d

        comments = [f"screening by Space Sweepers: SGP4 element sets, threshold {self.threshold_km:g} km"]
        pc = _pc_or_none(t["pc"][k])
        if pc is None:
            comments.append("2D Pc usage violation: slow or long encounter, the short-encounter Pc does not apply "
                            "and public catalog data has no covariance for a method that does: no "
                            "COLLISION_PROBABILITY given")
        else:
            comments.append("no covariance in public catalog data: COLLISION_PROBABILITY is Alfano's maximum Pc "
                            "(upper bound)")
        return Cdm.from_event(
            tca=tca, r1_m=np.ravel(g1.r_gcrs_km) * 1e3, v1_m_s=np.ravel(g1.v_gcrs_km_s) * 1e3,
            r2_m=np.ravel(g2.r_gcrs_km) * 1e3, v2_m_s=np.ravel(g2.v_gcrs_km_s) * 1e3,
            object1=meta(int(t["primary"][k])), object2=meta(int(t["secondary"][k])), frame="GCRF",
            hbr_m=float(t["hbr_m"][k]), pc=pc, pc_method=PC_METHOD if pc is not None else None,
            creation_date=creation_date, comments=comments)

    def write_cdms(self, directory: str | Path, *, names: dict | None = None, fmt: str = "kvn") -> list[Path]:
        """One CDM file per event in ``directory`` (created)."""
        from ..catalog.formats.cdm import write_cdm

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        now = Time.now()
        iso = self.tca_iso(3)
        out = []
        for k in range(len(self)):
            stamp = iso[k].replace("-", "").replace(":", "").replace(".", "")
            name = f"{int(self.table['primary'][k])}_{int(self.table['secondary'][k])}_{stamp}.{'xml' if fmt == 'xml' else 'cdm'}"
            out.append(write_cdm(self.cdm(k, names=names, creation_date=now), d / name, fmt))
        return out


# --- the screening run -----------------------------------------------------------------------
def screen(
    elements: Sequence,
    start: Time | str,
    *,
    days: float = 7.0,
    threshold_km: float = 5.0,
    primaries: Iterable[int] | None = None,
    sample_step_s: float | None = None,
    step_s: float = 50.0,
    chunk_s: float = 6 * 3600.0,
    radial_margin_km: float | None = None,
    hbr_m: float | None = None,
    sizes: dict | None = None,
    rcs: dict | None = None,
    workers: int | None = 1,
    backend: str = "auto",
    checkpoint: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScreeningResult:
    """Screen ``elements`` (ElementSets or Satrecs) for conjunctions closer than ``threshold_km``
    in ``[start, start + days]``: all-vs-all, or every object against ``primaries`` (catalog
    numbers). See the module notes for the method and its guarantees.

    ``sizes``: ``{norad_id: SizeEstimate}`` and ``rcs``: ``{norad_id: 'SMALL'|'MEDIUM'|'LARGE'}``
    for the hard-body radius; ``hbr_m`` overrides both (combined HBR of every pair).
    ``sample_step_s``: SGP4 sample step H (default 300 s all-vs-all, 1,200 s with primaries).
    ``workers``: processes (``None`` = all CPUs). ``checkpoint``: a folder where finished chunks
    are kept; a run with the same inputs and folder resumes from them. ``progress(done, total)``
    is called after each chunk.
    """
    t_start = _clock.perf_counter()
    start = as_time(start)
    if not (threshold_km > 0 and math.isfinite(threshold_km)):
        raise ScreeningError(f"threshold must be a positive distance in km, got {threshold_km}")
    if not (days > 0 and math.isfinite(days)):
        raise ScreeningError(f"the window must be a positive number of days, got {days}")
    if sample_step_s is None:
        sample_step_s = 300.0 if primaries is None else 1200.0
    L = int(round(sample_step_s / step_s))
    if L < 1 or abs(L * step_s - sample_step_s) > 1e-9:
        raise ScreeningError(f"sample_step_s ({sample_step_s}) must be a whole multiple of step_s ({step_s})")
    items = elements.element_sets if hasattr(elements, "element_sets") else list(elements)
    n_given = len(items)
    from ..propagation import Propagator

    margin = (50.0 + threshold_km) if radial_margin_km is None else float(radial_margin_km)
    n_path = 0
    all_vs_all = primaries is None
    prim_ids = None
    if not all_vs_all:
        # the cheap filters first, duplicates then among the objects that are left
        prim_ids = tuple(sorted({int(x) for x in primaries}))
        ids, rp, ra = _shells(items)
        missing = [p for p in prim_ids if p not in set(ids.tolist())]
        if missing:
            raise ScreeningError(f"primary object(s) {missing} are not among the {len(ids)} objects screened; "
                                 "check the catalog numbers or load them first")
        is_p = np.isin(ids, prim_ids)
        # apogee/perigee filter: only objects whose shell overlaps a primary's take part (and
        # only they are initialised for SGP4)
        lo_p, hi_p = rp[is_p], ra[is_p]
        overl = ((rp[:, None] <= hi_p[None, :] + margin) & (lo_p[None, :] <= ra[:, None] + margin)).any(1)
        rows = np.flatnonzero(overl | is_p)
        items = [items[r] for r in rows]
    items, problems = _dedupe(items)
    # primaries whose shells no other object reaches: a valid run with no event, not an error
    isolated = not all_vs_all and len(items) < 2 and n_given >= 2
    if len(items) < 2 and not isolated:
        raise ScreeningError("screening needs at least two objects")
    if not all_vs_all and not isolated:
        ids, _, ra = _shells(items)
        if ra[np.isin(ids, prim_ids)].max() < MAX_RADIUS_KM:  # the filter's deviations are checked up to there
            items, n_path = _path_filtered(items, prim_ids, start, float(days) * DAY_S, float(threshold_km))
    prop = Propagator(items)
    ids = prop.norad_ids
    sats = prop.satrecs
    problems += [f"object {int(ids[row])}: {msg}" for row, msg in prop.init_problems.items()]
    a, e, rp, ra = _orbit_numbers(sats)
    rp = np.nan_to_num(rp, nan=-1e9)
    ra = np.nan_to_num(ra, nan=1e12)
    primary = np.isin(ids, prim_ids) if prim_ids else np.zeros(len(ids), bool)
    eps = interpolation_error_km(sats, sample_step_s)
    duration_s = float(days) * DAY_S
    H = float(sample_step_s)
    n_int = int(math.ceil(duration_s / H)) + 1  # one extra interval: the last window is covered
    per = max(1, int(round(chunk_s / H)))
    chunks = [] if isolated else [(c, min(c + per, n_int)) for c in range(0, n_int, per)]
    params = dict(H=H, L=L, jd1=float(start.jd1), jd2=float(start.jd2), d=float(threshold_km), eps=eps, ecc=e, rp=rp, ra=ra,
                  radial_margin=margin, primary=primary, all_vs_all=all_vs_all, duration_s=duration_s,
                  backend=backend)

    ck = None
    if checkpoint is not None:
        ck = Path(checkpoint)
        ck.mkdir(parents=True, exist_ok=True)
        h = hashlib.sha256()
        h.update(np.asarray(ids).tobytes())
        h.update(json.dumps([start.iso(6), duration_s, threshold_km, prim_ids, H, L, chunk_s, margin]).encode())
        for s in sats:
            h.update(np.array([s.jdsatepoch, s.jdsatepochF, s.no_kozai, s.ecco, s.inclo, s.nodeo, s.argpo, s.mo,
                               s.bstar]).tobytes())
        key = h.hexdigest()[:16]
        mf = ck / "screening.json"
        if mf.exists() and json.loads(mf.read_text()).get("key") != key:
            raise ScreeningError(f"checkpoint folder {ck} belongs to a different screening (other inputs); "
                                 "use a new folder or delete it")
        mf.write_text(json.dumps({"key": key, "chunks": len(chunks)}))

    pairs_l, t_l, bad_l = [], [], set()
    n_cand = 0
    todo = []
    for c in chunks:
        f = ck / f"chunk_{c[0]:06d}_{c[1]:06d}.npz" if ck else None
        if f is not None and f.exists():
            z = np.load(f)
            pairs_l.append(z["pairs"])
            t_l.append(z["t"])
            bad_l.update(z["bad"].tolist())
            n_cand += int(z["n_cand"])
        else:
            todo.append((c, f))
    done = len(chunks) - len(todo)
    if progress:
        progress(done, len(chunks))

    def _collect(res, f):
        nonlocal done, n_cand
        pr, t, bad, nc = res
        pairs_l.append(pr)
        t_l.append(t)
        bad_l.update(np.asarray(bad).tolist())
        n_cand += int(nc)
        if f is not None:
            tmp = f.with_suffix(".tmp.npz")
            np.savez(tmp, pairs=pr, t=t, bad=np.asarray(bad, np.int64), n_cand=nc)
            os.replace(tmp, f)
        done += 1
        if progress:
            progress(done, len(chunks))

    n_workers = (os.cpu_count() or 1) if workers is None else max(1, int(workers))
    n_workers = min(n_workers, max(1, len(todo)))
    if n_workers <= 1:
        _init_worker(items, params, prop)
        for c, f in todo:
            _collect(_screen_chunk(*c), f)
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        with ProcessPoolExecutor(n_workers, mp_context=ctx, initializer=_init_worker,
                                 initargs=(items, params)) as ex:
            futs = {ex.submit(_screen_chunk, *c): f for c, f in todo}
            from concurrent.futures import as_completed

            for fu in as_completed(futs):
                _collect(fu.result(), futs[fu])
    t_screen = _clock.perf_counter() - t_start

    pairs = np.concatenate(pairs_l) if pairs_l else np.zeros((0, 2), np.int64)
    t = np.concatenate(t_l) if t_l else np.zeros(0)
    # a root exactly on a window edge can be found from both sides: keep one
    if len(t):
        o = np.lexsort((t, pairs[:, 1], pairs[:, 0]))
        pairs, t = pairs[o], t[o]
        dup = np.zeros(len(t), bool)
        dup[1:] = (pairs[1:, 0] == pairs[:-1, 0]) & (pairs[1:, 1] == pairs[:-1, 1]) & (np.diff(t) < 1e-3)
        pairs, t = pairs[~dup], t[~dup]
    for row in sorted(bad_l):
        problems.append(f"object {int(ids[row])}: SGP4 failed during the window (screened only where it works)")
    _W.clear()  # the in-process worker state is not needed any more
    table = _event_table(sats, ids, pairs, t, float(start.jd1), float(start.jd2), primary, hbr_m, sizes, rcs, rp, ra)
    stats = {"objects": int(len(ids)), "chunks": len(chunks), "candidates": n_cand, "events": int(len(t)),
             "wall_s": _clock.perf_counter() - t_start, "screen_s": t_screen, "workers": n_workers,
             "backend": ("numba" if _k.HAVE_NUMBA else "numpy") if backend == "auto" else backend,
             "sample_step_s": H, "step_s": step_s, "path_filtered": n_path}
    return ScreeningResult(start, duration_s, float(threshold_km), prim_ids, table, problems, stats)


def _path_filtered(items, prim_ids, start: Time, duration_s: float, d_km: float):
    """The items whose orbit path may come within reach of a primary's (:mod:`.orbit_path`),
    and how many were dropped. Only secondaries whose epoch shell reaches outside the primaries'
    shells by more than the largest path deviation are tested (keeping one is always safe: a
    near-circular orbit inside the primary's shell passes the filter anyway)."""
    from .orbit_path import DEEP_SPACE_KM, SHORT_PERIOD_KM, mean_elements, path_deviation_km, path_filter

    ids, rp, ra = _shells(items)
    is_p = np.isin(ids, prim_ids)
    # deviations of both objects and 50 km for drag; SGP4's deep-space branch (periods over
    # 225 min, a ≳ 8,460 km) has the larger deviation
    reach = d_km + 50.0 + np.where(0.5 * (rp + ra) > 8300.0, DEEP_SPACE_KM, SHORT_PERIOD_KM) + SHORT_PERIOD_KM
    test = ~is_p & ((rp < rp[is_p].min() - reach) | (ra > ra[is_p].max() + reach))
    rows = np.flatnonzero(is_p | test)
    sats, ok = [], []
    for r in rows:
        try:
            sats.append(items[r].to_satrec() if hasattr(items[r], "to_satrec") else items[r])
            ok.append(r)
        except Exception:  # left to the screening run, which reports it
            pass
    if not any(is_p[r] for r in ok):
        return items, 0
    rows = np.array(ok, np.int64)
    el = mean_elements(sats, float(start.jd1), float(start.jd2), duration_s)
    dev = path_deviation_km(el)
    local_p = np.flatnonzero(is_p[rows])
    others = np.flatnonzero(~is_p[rows])
    keep = np.ones(len(items), bool)
    keep[rows[others]] = False
    for q in local_p:
        keep[rows[others]] |= path_filter(el, int(q), others, d_km, deviation_km=dev)
    return [it for it, k in zip(items, keep) if k], int((~keep).sum())


def _pc_or_none(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def _event_table(sats, ids, pairs, t, jd1, jd2, primary, hbr_m, sizes, rcs, rp, ra) -> dict:
    from .encounter import rtn_matrix, usage_violations
    from .hbr import object_hbr
    from .pc import pc_max_alfano

    n = len(t)
    i, j = pairs[:, 0], pairs[:, 1]
    # primary first: a given primary, else the lower catalog number
    swap = np.where(primary[i] == primary[j], ids[i] > ids[j], primary[j] & ~primary[i])
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    r1, v1, r2, v2 = _rel(sats, i, j, t, jd1, jd2, rp, ra) if n else (np.zeros((0, 3)),) * 4
    dr, dv = r2 - r1, v2 - v1
    miss = np.linalg.norm(dr, axis=1)
    vrel = np.linalg.norm(dv, axis=1)
    M = rtn_matrix(r1, v1) if n else np.zeros((0, 3, 3))
    rtn = np.einsum("nij,nj->ni", M, dr) if n else np.zeros((0, 3))
    # hard-body radius
    sizes = sizes or {}
    rcs = rcs or {}
    uniq = np.unique(np.concatenate([ids[i], ids[j]])) if n else np.zeros(0, np.int64)
    oh = {int(u): object_hbr(sizes.get(int(u)), rcs.get(int(u))) for u in uniq}
    if hbr_m is not None:
        hbr = np.full(n, float(hbr_m))
        src = np.array(["user"] * n, dtype=object)
    else:
        h1 = np.array([oh[int(x)].hbr_m for x in ids[i]]) if n else np.zeros(0)
        h2 = np.array([oh[int(x)].hbr_m for x in ids[j]]) if n else np.zeros(0)
        s1 = np.array([oh[int(x)].sigma_m for x in ids[i]]) if n else np.zeros(0)
        s2 = np.array([oh[int(x)].sigma_m for x in ids[j]]) if n else np.zeros(0)
        hbr = np.sqrt((h1 + h2) ** 2 + s1**2 + s2**2)
        src = np.array([f"{oh[int(a)].source}+{oh[int(b)].source}" for a, b in zip(ids[i], ids[j])], dtype=object)
    miss_m = miss * 1e3
    pc = pc_max_alfano(miss_m, hbr) if n else np.zeros(0)
    note = np.array([""] * n, dtype=object)
    viol = np.zeros(n, bool)
    if n:
        R = hbr
        d = np.maximum(miss_m, 1.001 * R)
        with np.errstate(divide="ignore", invalid="ignore"):
            sig2 = 2 * d * R / np.log1p(2 * R / (d - R))
        sig2 = np.where(np.isfinite(sig2) & (sig2 > 0), sig2, np.maximum(d, 1.0) ** 2)
        cov = (0.5 * sig2)[:, None, None] * np.eye(3)[None]
        zero = vrel < ZERO_VREL_KM_S
        vv = np.where(zero[:, None], dv + 1e-9, dv)
        uv = usage_violations(r1 * 1e3, v1 * 1e3, cov, r2 * 1e3, (v1 + vv) * 1e3, cov, hbr)
        viol = np.asarray(uv.violated) | zero
        note[viol] = "slow/long encounter: 2D Pc usage violation (CARA rectilinear test, notional covariance)"
        note[zero] = "zero relative velocity (< 1 mm/s): no encounter plane; co-located or identical orbits"
        pc = np.where(viol, np.nan, pc)
    method = np.where(np.isnan(pc), PC_NONE_METHOD, PC_METHOD).astype(object)
    order = np.argsort(t, kind="stable")
    table = {
        "primary": ids[i], "secondary": ids[j], "tca_s": t, "miss_km": miss, "vrel_kms": vrel,
        "miss_r_km": rtn[:, 0], "miss_t_km": rtn[:, 1], "miss_n_km": rtn[:, 2],
        "r1_km": r1, "v1_kms": v1, "r2_km": r2, "v2_kms": v2, "hbr_m": hbr, "hbr_source": src, "pc": pc, "pc_method": method,
        "usage_violation": viol, "note": note,
    }
    return {k: np.asarray(val)[order] for k, val in table.items()}


# --- the database --------------------------------------------------------------------------------
def save_screening(store, result: ScreeningResult) -> int:
    """Store a screening run and its events (tables ``screening_runs`` and ``conjunctions``)
    in one transaction; returns the run id."""
    from datetime import datetime, timezone

    from ..catalog import schema

    t = result.table
    tca = result.tca
    run = {
        "created_at": datetime.now(timezone.utc), "window_start": result.start.to_datetime(),
        "duration_s": float(result.duration_s), "threshold_km": float(result.threshold_km),
        "primaries": None if result.primaries is None else ",".join(str(p) for p in result.primaries),
        "n_objects": int(result.stats.get("objects", 0)), "n_events": len(result),
        "wall_s": float(result.stats.get("wall_s", 0.0)),
    }
    with store._write() as conn:
        run_id = conn.execute(schema.screening_runs.insert().returning(schema.screening_runs.c.id), run).scalar_one()
        if len(result):
            from .pc import pc_max_alfano

            pc_db = np.where(np.isnan(t["pc"]), pc_max_alfano(t["miss_km"] * 1e3, t["hbr_m"]), t["pc"])
            dts = tca.to_datetime()
            dts = [dts] if not isinstance(dts, list) else dts
            rows = [{
                "run_id": run_id, "primary_id": int(t["primary"][k]), "secondary_id": int(t["secondary"][k]),
                "tca": dts[k], "tca_jd1": float(np.atleast_1d(tca.jd1)[k]), "tca_jd2": float(np.atleast_1d(tca.jd2)[k]),
                "miss_km": float(t["miss_km"][k]), "vrel_kms": float(t["vrel_kms"][k]),
                "miss_r_km": float(t["miss_r_km"][k]), "miss_t_km": float(t["miss_t_km"][k]),
                "miss_n_km": float(t["miss_n_km"][k]), "hbr_m": float(t["hbr_m"][k]),
                # the column is NOT NULL: an event without a valid Pc keeps Alfano's 2D bound,
                # and its pc_method (NONE-2D-USAGE-VIOLATION) and usage_violation say not to use it
                "pc": float(pc_db[k]), "pc_method": str(t["pc_method"][k]),
                "usage_violation": bool(t["usage_violation"][k]), "note": str(t["note"][k]) or None,
            } for k in range(len(result))]
            for s0 in range(0, len(rows), 5000):
                conn.execute(schema.conjunctions.insert(), rows[s0:s0 + 5000])
    return int(run_id)


# --- inputs from the catalog database ----------------------------------------------------------
def store_inputs(store, ids: Iterable[int]) -> tuple[dict, dict, dict]:
    """``(sizes, rcs, names)`` for ``ids`` from the catalog database: CARA size estimates,
    RCS size classes and object names."""
    import sqlalchemy as sa

    from ..catalog import schema
    from ..catalog.elements import SizeEstimate

    ids = sorted({int(x) for x in ids})
    sz, ob = schema.size_estimates, schema.objects
    sizes, rcs, names = {}, {}, {}
    with store.engine.connect() as conn:
        for k in range(0, len(ids), 5000):
            chunk = ids[k:k + 5000]
            for row in conn.execute(sa.select(sz).where(sz.c.norad_id.in_(chunk))):
                sizes[int(row.norad_id)] = SizeEstimate(
                    norad_id=int(row.norad_id), hbr_m=row.hbr_m, hbr_sigma_m=row.hbr_sigma_m,
                    hbr_source=row.hbr_source, mass_kg=row.mass_kg, mass_sigma_kg=row.mass_sigma_kg,
                    mass_source=row.mass_source)
            for row in conn.execute(sa.select(ob.c.norad_id, ob.c.rcs_size, ob.c.name).where(ob.c.norad_id.in_(chunk))):
                if row.rcs_size:
                    rcs[int(row.norad_id)] = row.rcs_size
                names[int(row.norad_id)] = row.name
    return sizes, rcs, names


__all__ = ["plausible", "save_screening", "screen", "ScreeningResult", "ScreeningError", "refine_tca", "interpolation_error_km", "store_inputs",
           "COLUMNS", "PC_METHOD", "PC_NONE_METHOD"]
