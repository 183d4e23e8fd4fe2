"""Orbit-path filter: can two orbits' paths come within reach of each other during a window?

The classic geometric filter of Hoots, Crawford & Roehrich (1984), made safe for a window of
days: the planes and apsidal lines drift (J2, drag, the Moon and Sun), so the paths are taken
from SGP4's own **mean elements** sampled across the window and the test is repeated at
closely spaced times with a margin for the drift in between.

Units: km, s, rad.

Why a pair that fails the test can have no conjunction ≤ d (the proof):

* Let ``X(t)`` be an object's SGP4 position and ``S(f; t)`` the point at true anomaly ``f``
  of its *mean* ellipse at ``t`` (mean a, e, i, Ω, ω of SGP4, interpolated linearly between
  samples every ``sample_days``). The **path deviation** of the object is
  ``δ = max_t |X(t) − S(f_X(t); t)|`` over the times when ``|X|`` is below
  :data:`MAX_RADIUS_KM` (+ 500 km in the tests; only those times matter for a primary below
  it), ``f_X`` the direction of ``X`` in the mean perifocal frame: the distance of ``X`` from
  the mean ellipse along that direction (radial and out-of-plane parts).
  :func:`path_deviation_km` gives a bound of δ per object (:data:`SHORT_PERIOD_KM` for SGP4's
  short-period terms, :data:`DEEP_SPACE_KM` for its deep-space branch, plus drag's change of
  the radius between element samples); ``tests/danger/test_screen.py`` checks it against SGP4
  for every object of the 26,140-object snapshot over 7 days. Objects it cannot bound
  (e ≥ :data:`MAX_ECCENTRICITY`, perigee below :data:`MIN_PERIGEE_RADIUS_KM`, SGP4 failures)
  get δ = ∞ and are never filtered out.
* A conjunction ``|X_s − X_p| ≤ d`` at ``t`` implies (triangle inequality)
  ``|X_s| ∈ [r_min,p − d, r_max,p + d]`` with ``r_min,p``/``r_max,p`` the primary's mean
  perigee/apogee radii over the window widened by δ_p, and ``|n̂_p · X_s| ≤ d + δ_p`` with
  ``n̂_p`` the normal of the primary's mean plane (``X_p`` lies within δ_p of it). Hence the
  secondary's mean ellipse has a point ``S = S(f_X)`` with ``r(f_X) ∈ [r_min,p − d − δ_s,
  r_max,p + d + δ_s] =: [A, B]`` and ``|n̂_p · S| ≤ d + δ_p + δ_s``.
* On the mean ellipse the first condition holds exactly on two arcs ``±[α, β]`` of true anomaly
  (``cos f ∈ [(p/B − 1)/e, (p/A − 1)/e]``), where ``|n̂_p · S(f)| = r(f) ρ |cos(f − φ)| ≥
  A ρ min_arc |cos(f − φ)|`` (``ρ cos φ = n̂_p·P̂``, ``ρ sin φ = n̂_p·Q̂`` with the perifocal
  axes P̂, Q̂): the minimum over an arc of ``|cos|`` is 0 if the arc holds a zero, else at an end.
* The test is made at times ``t_k`` every ``step_s``; for ``|t − t_k| ≤ step_s/2`` the
  secondary's perifocal frame turns by at most ``(|Ω̇_s| + |ω̇_s| + |i̇_s|) step_s/2`` and the
  primary's normal by ``(|Ω̇_p| + |i̇_p|) step_s/2`` (rates from the mean-element samples), and
  the radii change by drag at most ``(|ȧ|(1 + e) + |ė| B²/(a(1 − e)²)) step_s/2``; these are
  added to the out-of-plane and radial reach. A pair whose bound exceeds the reach at every
  ``t_k`` cannot come within d.

The filter removes eccentric secondaries (whose radius matches the primary's only on short
arcs) whose crossing arcs stay out of the primary's plane; near-circular orbits in the same
shell always pass (their whole path is in the radius band), and so do near-coplanar ones.
"""

from __future__ import annotations

import math

import numpy as np

from ..time import DAY_S

#: Bound on SGP4's short-period displacement from the mean ellipse (radial + out of plane) for
#: near-Earth objects, km. The largest seen over the 26,140-object snapshot in 7 days is 14 km
#: (every 10 min, with the drag term of :func:`path_deviation_km`); checked by the tests.
SHORT_PERIOD_KM = 25.0
#: Objects whose perigee radius falls below this during the window are not bounded (they
#: decay within days; SGP4's drag terms then change the orbit faster than a linear model of the
#: mean elements between samples follows).
MIN_PERIGEE_RADIUS_KM = 6378.135 + 150.0
#: The same for SGP4's deep-space branch (periods over 225 min, e < :data:`MAX_ECCENTRICITY`):
#: ≈90 km seen (GTO objects near perigee), so 200 km.
DEEP_SPACE_KM = 200.0
MAX_ECCENTRICITY = 0.8
#: δ bounds the deviation only where the object is below this radius (what the tests check);
#: the filter is used for primaries whose apogee radius is below it.
MAX_RADIUS_KM = 8000.0


def mean_elements(sats, jd1: float, jd2: float, duration_s: float, sample_days: float = 1.0) -> dict:
    """SGP4 mean elements ``a_km, e, i, raan, argp`` (rad) of every Satrec at ``t_s`` = 0,
    ``sample_days``, …, ``duration_s`` after ``(jd1, jd2)``: arrays (n_obj, n_t), NaN where
    SGP4 fails. Also ``deep`` (SGP4's deep-space branch) per object."""
    n_t = max(2, int(math.ceil(duration_s / (sample_days * DAY_S))) + 1)
    t_s = np.linspace(0.0, duration_s, n_t)
    N = len(sats)
    out = {k: np.full((N, n_t), np.nan) for k in ("a_km", "e", "i", "raan", "argp")}
    deep = np.zeros(N, bool)
    for o, s in enumerate(sats):
        deep[o] = s.method == "d"
        re_km = s.radiusearthkm
        for k, t in enumerate(t_s):
            err, _, _ = s.sgp4(jd1, jd2 + t / DAY_S)
            if err == 0:
                out["a_km"][o, k] = s.am * re_km
                out["e"][o, k] = s.em
                out["i"][o, k] = s.im
                out["raan"][o, k] = s.Om
                out["argp"][o, k] = s.om
    for k in ("raan", "argp"):
        v = out[k]
        ok = np.isfinite(v)
        v[ok] = np.unwrap(np.where(ok, v, 0.0), axis=1)[ok]
    out["t_s"] = t_s
    out["deep"] = deep
    return out


def _interp(el: dict, t: np.ndarray) -> dict:
    """Mean elements at times ``t`` (piecewise linear between the samples), (n_obj, n_times)."""
    ts = el["t_s"]
    k = np.clip(np.searchsorted(ts, t, side="right") - 1, 0, len(ts) - 2)
    w = (t - ts[k]) / (ts[k + 1] - ts[k])
    return {n: el[n][:, k] * (1 - w) + el[n][:, k + 1] * w for n in _NAMES}


def _rates(el: dict) -> dict:
    """Largest |rate| of each mean element between samples, per object (unit/s; NaN where a
    sample failed)."""
    dt = np.diff(el["t_s"])
    return {n: np.abs(np.diff(el[n], axis=1) / dt).max(axis=1) for n in _NAMES}


def path_deviation_km(el: dict) -> np.ndarray:
    """Bound δ (km) on the distance of each object's SGP4 position from its (linearly
    interpolated) mean ellipse while it is below :data:`MAX_RADIUS_KM`: the short-period bound
    (:data:`SHORT_PERIOD_KM`, or :data:`DEEP_SPACE_KM` for SGP4's deep-space branch, whose
    lunisolar terms are larger) plus the radius change that a non-linear drag decay can hide
    between two element samples (a quarter of, deep space all of, the perigee and apogee change
    over one sample interval); ∞ for failures, decaying orbits and e ≥ :data:`MAX_ECCENTRICITY`."""
    a, e = el["a_km"], el["e"]
    fin = np.isfinite(a).all(axis=1) & np.isfinite(e).all(axis=1)
    a = np.where(fin[:, None], a, 7000.0)
    e = np.where(fin[:, None], e, 0.0)
    rp = a * (1 - e)
    drift = (np.abs(np.diff(rp, axis=1)) + np.abs(np.diff(a * (1 + e), axis=1))).max(axis=1)
    deep = el["deep"]
    dev = np.where(deep, DEEP_SPACE_KM + drift, SHORT_PERIOD_KM + 0.25 * drift)
    bad = ~fin | (rp.min(axis=1) < MIN_PERIGEE_RADIUS_KM) | (e.max(axis=1) >= MAX_ECCENTRICITY)
    return np.where(bad, np.inf, dev)


def _arc_min_abs_cos(alpha, beta, phi):
    """min over f ∈ [alpha, beta] of |cos(f − phi)| (0 when the arc holds a zero)."""
    k_lo = np.floor((alpha - phi) / np.pi - 0.5)
    k_hi = np.floor((beta - phi) / np.pi - 0.5)
    ends = np.minimum(np.abs(np.cos(alpha - phi)), np.abs(np.cos(beta - phi)))
    return np.where(k_hi > k_lo, 0.0, ends)


def path_filter(el: dict, primary: int, others: np.ndarray, d_km: float, *, step_s: float = 1800.0,
                deviation_km: np.ndarray | None = None) -> np.ndarray:
    """True for each row of ``others`` whose mean orbit path may come within ``d_km`` of the
    path of row ``primary`` during the window (see the module notes); False only where that is
    proven impossible."""
    others = np.asarray(others, np.int64)
    dev = path_deviation_km(el) if deviation_km is None else deviation_km
    keep = np.ones(len(others), bool)
    if not np.isfinite(dev[primary]) or not len(others):
        return keep
    T = el["t_s"][-1]
    tk = np.append(np.arange(0.0, T, step_s), T)
    # the primary's radius band over the whole window, widened by the reach
    ap, ep = el["a_km"][primary], el["e"][primary]
    r_lo = np.min(ap * (1 - ep)) - dev[primary] - d_km
    r_hi = np.max(ap * (1 + ep)) + dev[primary] + d_km
    # secondaries whose whole path stays inside the band (near-circular orbits in the primary's
    # shell) or whose deviation is not bounded always pass: only the others are tested in time
    ao, eo, do = el["a_km"][others], el["e"][others], dev[others]
    inside = (np.min(ao * (1 - eo), axis=1) - do >= r_lo) & (np.max(ao * (1 + eo), axis=1) + do <= r_hi)
    test = np.flatnonzero(~inside & np.isfinite(do))
    if not len(test):
        return keep
    keep[test] = _path_possible(el, primary, others[test], r_lo, r_hi, d_km, tk, dev)
    return keep


def _path_possible(el, primary, others, r_lo, r_hi, d_km, tk, dev):
    """The time-resolved test of :func:`path_filter` for rows ``others``."""
    half = 0.5 * np.diff(tk).max()
    rates = _rates(el)
    s = _interp({**{n: el[n][others] for n in _NAMES}, "t_s": el["t_s"]}, tk)
    pr = _interp({**{n: el[n][primary:primary + 1] for n in _NAMES}, "t_s": el["t_s"]}, tk)
    ds = dev[others][:, None]
    A = r_lo - ds
    B = r_hi + ds
    a, e = s["a_km"], s["e"]
    ro = {n: rates[n][others][:, None] for n in rates}
    with np.errstate(divide="ignore", invalid="ignore"):
        # drag change of the radius within ±half a step (the elements are taken at t_k)
        rad_drift = (ro["a_km"] * (1 + e) + ro["e"] * B**2 / (a * (1 - e) ** 2)) * half
        A = np.maximum(A - rad_drift, 1.0)
        B = B + rad_drift
        p = a * (1 - e**2)
        round_ = e <= 1e-9
        c_lo = np.where(round_, np.where(p <= B, -1.0, 2.0), (p / B - 1) / e)
        c_hi = np.where(round_, np.where(p >= A, 1.0, -2.0), (p / A - 1) / e)
    empty = (c_lo > 1) | (c_hi < -1) | (c_lo > c_hi)
    alpha = np.arccos(np.clip(c_hi, -1, 1))
    beta = np.arccos(np.clip(c_lo, -1, 1))
    # the primary's normal, and the secondary's perifocal axes through the node vector
    # ê = (cos Ω, sin Ω, 0) and ŵ × ê: n̂_p·P̂ = ρ cos φ, n̂_p·Q̂ = ρ sin φ with
    # ρ = |(n̂_p·ê, n̂_p·(ŵ×ê))| and φ = atan2(n̂_p·(ŵ×ê), n̂_p·ê) − ω
    si_p, ci_p = np.sin(pr["i"]), np.cos(pr["i"])
    nx, ny, nz = si_p * np.sin(pr["raan"]), -si_p * np.cos(pr["raan"]), ci_p
    cO, sO, ci, si = np.cos(s["raan"]), np.sin(s["raan"]), np.cos(s["i"]), np.sin(s["i"])
    a1 = nx * cO + ny * sO
    a2 = (ny * cO - nx * sO) * ci + nz * si
    rho = np.hypot(a1, a2)
    phi = np.arctan2(a2, a1) - s["argp"]
    g = np.minimum(_arc_min_abs_cos(alpha, beta, phi), _arc_min_abs_cos(-beta, -alpha, phi))
    zmin = A * rho * g
    rp_ = {n: rates[n][primary] for n in rates}
    turn = (ro["raan"] + ro["argp"] + ro["i"] + rp_["raan"] + rp_["i"]) * half
    reach = d_km + dev[primary] + ds + B * turn
    possible = ~empty & ~(zmin > reach)  # NaN (failed samples) counts as possible
    return possible.any(axis=1)


_NAMES = ("a_km", "e", "i", "raan", "argp")


__all__ = ["mean_elements", "path_deviation_km", "path_filter", "SHORT_PERIOD_KM"]
