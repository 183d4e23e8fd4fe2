"""Osculating state → SGP4 mean elements, vectorized (for generated objects).

Units: km, km/s, radians inside; degrees and rev/day in :class:`ElementSet`. Frame: TEME
(the frame SGP4 works in). Constants: WGS-72, the constants of SGP4 element sets.

**Method (fixed-point inversion of SGP4 at epoch).** SGP4 maps mean elements ``x`` at
epoch to an osculating state ``f(x)``; we want ``x`` with ``f(x) = (r, v)``. In equinoctial
elements ``y = (a, h, k, p, q, λ)`` — ``h = e sin(ω+Ω)``, ``k = e cos(ω+Ω)``,
``p = tan(i/2) sin Ω``, ``q = tan(i/2) cos Ω``, ``λ = M + ω + Ω`` — which have no
singularity at e = 0 or i = 0:

    x₀ = y(r, v)                      (or a better first guess, e.g. the parent's mean
                                       elements plus the fragment-minus-parent difference)
    x_{k+1} = x_k + [y(r, v) − y(f(x_k))]     (λ difference wrapped to ±π)

Because SGP4's short-period terms are O(J2) ≈ 10⁻³ of the elements, for near-Earth
orbits the map is a contraction that gains two to three digits per step. For deep-space
orbits (period ≥ 225 min) SDP4's lunisolar and resonance terms make it contract slowly, so
after ``fixed_point_iterations`` (4) the remaining objects take Newton steps with a
forward-difference Jacobian (six extra SGP4 calls per step). The residual
``|r − r_SGP4(x)|`` at epoch is measured and returned; the default tolerance is 1 m. This is the usual way to make TLE-like elements from a state for
SGP4 when no fit span is wanted (e.g. Vallado & Crawford 2008, "SGP4 orbit determination",
AIAA 2008-6770, use differential correction over a span; a single state needs only this
inversion).

Every object gets a status code (a failure is data): see :data:`STATUS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..catalog.elements import ElementSet
from ..time import Time
from ..units import WGS72_MU_KM3_S2, WGS72_RE_KM

_TWO_PI = 2.0 * math.pi
_DEG = math.pi / 180.0
_XPDOTP = 1440.0 / _TWO_PI
_JD_1949_12_31 = 2433281.5

STATUS = {
    0: "ok",
    1: "escapes: hyperbolic or parabolic orbit (e ≥ 1)",
    2: "re-enters at once: perigee below 100 km",
    3: "SGP4 inversion did not converge to the tolerance",
    4: "SGP4 refused the elements (see the sgp4 error code)",
}
PERIGEE_MIN_KM = 100.0


# --- element conversions (arrays of shape (n,) or (n, 3)) ----------------------------------
def rv_to_equinoctial(r_km, v_km_s, mu: float = WGS72_MU_KM3_S2) -> np.ndarray:
    """Equinoctial elements (n, 6): a (km), h, k, p, q, λ (rad, mean longitude)."""
    r = np.atleast_2d(np.asarray(r_km, float))
    v = np.atleast_2d(np.asarray(v_km_s, float))
    rn = np.linalg.norm(r, axis=1)
    v2 = np.einsum("ij,ij->i", v, v)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = 1.0 / (2.0 / rn - v2 / mu)
        hvec = np.cross(r, v)
        hn = np.linalg.norm(hvec, axis=1)
        w = hvec / hn[:, None]
        p = w[:, 0] / (1.0 + w[:, 2])
        q = -w[:, 1] / (1.0 + w[:, 2])
        # equinoctial frame f, g
        d = 1.0 + p * p + q * q
        f = np.stack([1 - p * p + q * q, 2 * p * q, -2 * p], axis=1) / d[:, None]
        g = np.stack([2 * p * q, 1 + p * p - q * q, 2 * q], axis=1) / d[:, None]
        evec = np.cross(v, hvec) / mu - r / rn[:, None]
        k = np.einsum("ij,ij->i", evec, f)
        h = np.einsum("ij,ij->i", evec, g)
        X = np.einsum("ij,ij->i", r, f)
        Y = np.einsum("ij,ij->i", r, g)
        b = 1.0 / (1.0 + np.sqrt(np.clip(1.0 - h * h - k * k, 0.0, None)))
        sqa = np.sqrt(np.abs(a))
        # eccentric longitude F from X, Y (Broucke & Cefola 1972)
        e2 = 1.0 - h * h - k * k
        den = sqa * np.sqrt(np.clip(e2, 1e-300, None))
        cosF = k + ((1 - k * k * b) * X - h * k * b * Y) / den
        sinF = h + ((1 - h * h * b) * Y - h * k * b * X) / den
        F = np.arctan2(sinF, cosF)
        lam = F + h * np.cos(F) - k * np.sin(F)
    return np.stack([a, h, k, p, q, np.mod(lam, _TWO_PI)], axis=1)


def equinoctial_to_classical(y) -> dict[str, np.ndarray]:
    """a (km), e, i, raan, argp, mean anomaly (rad, in [0, 2π))."""
    y = np.atleast_2d(y)
    a, h, k, p, q, lam = y.T
    e = np.hypot(h, k)
    tan_half_i = np.hypot(p, q)
    i = 2.0 * np.arctan(tan_half_i)
    raan = np.mod(np.arctan2(p, q), _TWO_PI)
    lonper = np.arctan2(h, k)
    argp = np.mod(lonper - raan, _TWO_PI)
    M = np.mod(lam - lonper, _TWO_PI)
    return {"a": a, "e": e, "i": i, "raan": raan, "argp": argp, "M": M}


def classical_to_equinoctial(a, e, i, raan, argp, M) -> np.ndarray:
    a, e, i, raan, argp, M = np.broadcast_arrays(*(np.asarray(x, float) for x in (a, e, i, raan, argp, M)))
    lonper = argp + raan
    t = np.tan(0.5 * i)
    return np.stack([a, e * np.sin(lonper), e * np.cos(lonper), t * np.sin(raan), t * np.cos(raan),
                     np.mod(M + lonper, _TWO_PI)], axis=1)


def mean_motion_rev_day(a_km):
    return np.sqrt(WGS72_MU_KM3_S2 / np.asarray(a_km, float) ** 3) * 86400.0 / _TWO_PI


def semi_major_axis_km(mean_motion_rev_day_):
    n = np.asarray(mean_motion_rev_day_, float) * _TWO_PI / 86400.0
    return (WGS72_MU_KM3_S2 / n**2) ** (1.0 / 3.0)


def element_sets_to_equinoctial(element_sets) -> np.ndarray:
    """Equinoctial mean elements of element sets (a from the mean motion, WGS-72 μ)."""
    arr = np.array([(es.mean_motion_rev_day, es.eccentricity, es.inclination_deg, es.raan_deg,
                     es.arg_perigee_deg, es.mean_anomaly_deg) for es in element_sets], dtype=float)
    return classical_to_equinoctial(semi_major_axis_km(arr[:, 0]), arr[:, 1], arr[:, 2] * _DEG,
                                    arr[:, 3] * _DEG, arr[:, 4] * _DEG, arr[:, 5] * _DEG)


# --- SGP4 at epoch --------------------------------------------------------------------------
def _satrecs(y, epoch: Time, bstar):
    from sgp4.api import WGS72, Satrec

    c = equinoctial_to_classical(y)
    n_rad_min = np.sqrt(WGS72_MU_KM3_S2 / c["a"] ** 3) * 60.0
    ep = float(epoch.jd1 + epoch.jd2) - _JD_1949_12_31
    out = []
    for j in range(y.shape[0]):
        s = Satrec()
        s.sgp4init(WGS72, "i", 0, ep, float(bstar[j]), 0.0, 0.0, float(c["e"][j]), float(c["argp"][j]),
                   float(c["i"][j]), float(c["M"][j]), float(n_rad_min[j]), float(c["raan"][j]))
        out.append(s)
    return out


def sgp4_at_epoch(y, epoch: Time, bstar) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """State (r km, v km/s, TEME) and SGP4 error code of mean elements ``y`` at ``epoch``."""
    from sgp4.api import SatrecArray

    n = y.shape[0]
    if n == 0:
        return np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, np.int8)
    sats = _satrecs(y, epoch, bstar)
    # sgp4init keeps only the sum; propagate at tsince = 0 exactly
    jd = np.array([sats[0].jdsatepoch])
    fr = np.array([sats[0].jdsatepochF])
    err, r, v = SatrecArray(sats).sgp4(jd, fr)
    return r[:, 0, :], v[:, 0, :], err[:, 0].astype(np.int8)


@dataclass(frozen=True, eq=False)
class MeanElements:
    """SGP4 mean elements of n objects at one epoch, with the inversion's residuals."""

    epoch: Time
    equinoctial: np.ndarray  # (n, 6)
    bstar_per_earth_radius: np.ndarray
    status: np.ndarray  # int8, see STATUS
    residual_position_m: np.ndarray
    residual_velocity_mm_s: np.ndarray
    iterations: int

    @property
    def n(self) -> int:
        return int(self.status.size)

    @property
    def ok(self) -> np.ndarray:
        return self.status == 0

    def classical(self) -> dict[str, np.ndarray]:
        return equinoctial_to_classical(self.equinoctial)

    def element_sets(self, norad_ids, names, intl_designators=None, *, only_ok: bool = True,
                     source: str = "generated") -> list[ElementSet]:
        """One :class:`ElementSet` per object (only those with status 0 by default)."""
        c = self.classical()
        with np.errstate(invalid="ignore"):
            nrev = mean_motion_rev_day(c["a"])
        deg = 180.0 / math.pi
        jd1, jd2 = float(self.epoch.jd1), float(self.epoch.jd2)
        ids = np.asarray(norad_ids)
        names = list(names) if not isinstance(names, str) else [names] * self.n
        intl = intl_designators if intl_designators is not None else [""] * self.n
        if isinstance(intl, str):
            intl = [intl] * self.n
        out = []
        for j in range(self.n):
            if only_ok and self.status[j] != 0:
                continue
            out.append(ElementSet(
                int(ids[j]), jd1, jd2, float(nrev[j]), float(c["e"][j]), float(c["i"][j] * deg),
                float(c["raan"][j] * deg), float(c["argp"][j] * deg), float(c["M"][j] * deg),
                float(self.bstar_per_earth_radius[j]), name=names[j], intl_designator=intl[j],
                source=source, source_line=j + 1,
            ))
        return out


def _wrap(d):
    d = np.array(d, dtype=float)
    d[:, 5] = (d[:, 5] + math.pi) % _TWO_PI - math.pi
    return d


def _physical(x, a_target=None):
    if a_target is not None:  # a Newton step must not leave the ellipses
        x[:, 0] = np.clip(x[:, 0], 0.5 * a_target, 2.0 * a_target)
    e = np.hypot(x[:, 1], x[:, 2])
    shrink = np.where(e > 0.999, 0.999 / np.maximum(e, 1e-300), 1.0)
    x[:, 1] *= shrink
    x[:, 2] *= shrink
    return x


def _newton_step(x, yk, d, epoch, bstar):
    """Solve J Δ = d with J = ∂y(SGP4(x))/∂x by forward differences (6 SGP4 calls)."""
    n = x.shape[0]
    J = np.empty((n, 6, 6))
    for j in range(6):
        hj = 1e-7 * (x[:, 0] if j == 0 else np.ones(n))  # relative in a, absolute otherwise
        xp = x.copy()
        xp[:, j] += hj
        rp, vp, _ = sgp4_at_epoch(xp, epoch, bstar)
        J[:, :, j] = _wrap(rv_to_equinoctial(rp, vp) - yk) / hj[:, None]
    try:
        return np.linalg.solve(J, d[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        return d


def mean_elements_from_states(r_km, v_km_s, epoch: Time, bstar_per_earth_radius=0.0, *,
                              first_guess=None, tol_m: float = 1.0, max_iterations: int = 12,
                              fixed_point_iterations: int = 4) -> MeanElements:
    """Invert SGP4 at ``epoch`` for every state (TEME r, v) — see the module notes.

    ``first_guess`` (n, 6) equinoctial mean elements speed up convergence (clouds pass the
    parent's mean elements shifted by the fragment's osculating change).
    """
    r = np.atleast_2d(np.asarray(r_km, float))
    v = np.atleast_2d(np.asarray(v_km_s, float))
    n = r.shape[0]
    bstar = np.broadcast_to(np.asarray(bstar_per_earth_radius, float), (n,)).copy()
    target = rv_to_equinoctial(r, v)
    status = np.zeros(n, np.int8)
    ecc = np.hypot(target[:, 1], target[:, 2])
    bad = ~np.isfinite(target).all(axis=1) | (target[:, 0] <= 0) | (ecc >= 1.0)
    status[bad] = 1
    low = ~bad & (target[:, 0] * (1 - ecc) - WGS72_RE_KM < PERIGEE_MIN_KM)
    status[low] = 2
    x = target.copy() if first_guess is None else np.asarray(first_guess, float).copy()
    res_r = np.full(n, np.nan)
    res_v = np.full(n, np.nan)
    live = np.flatnonzero(status == 0)
    it = 0
    for it in range(1, max_iterations + 1):
        if live.size == 0:
            break
        rk, vk, err = sgp4_at_epoch(x[live], epoch, bstar[live])
        failed = err != 0
        dr = np.linalg.norm(rk - r[live], axis=1) * 1e3
        dv = np.linalg.norm(vk - v[live], axis=1) * 1e6
        res_r[live], res_v[live] = dr, dv
        status[live[failed]] = 4
        todo = (dr > tol_m) & ~failed
        if not todo.any():
            live = live[:0]
            break
        live = live[todo]
        yk = rv_to_equinoctial(rk[todo], vk[todo])
        d = _wrap(target[live] - yk)
        if it <= fixed_point_iterations:
            step = d
        else:
            step = _newton_step(x[live], yk, d, epoch, bstar[live])
        x[live] = _physical(x[live] + step, target[live, 0])
    status[live] = np.where(status[live] == 0, 3, status[live])
    return MeanElements(epoch, x, bstar, status, res_r, res_v, it)


def states_from_element_sets(element_sets, time: Time) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TEME r (km), v (km/s) and SGP4 error code of each element set at one ``time``."""
    from sgp4.api import SatrecArray

    sats = [es.to_satrec() for es in element_sets]
    err, r, v = SatrecArray(sats).sgp4(np.atleast_1d(time.jd1), np.atleast_1d(time.jd2))
    return r[:, 0, :], v[:, 0, :], err[:, 0]


__all__ = [
    "MeanElements", "mean_elements_from_states", "rv_to_equinoctial", "equinoctial_to_classical",
    "classical_to_equinoctial", "element_sets_to_equinoctial", "sgp4_at_epoch",
    "states_from_element_sets", "mean_motion_rev_day", "semi_major_axis_km", "STATUS",
]
