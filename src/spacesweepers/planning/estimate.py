"""Fast ΔV estimate of a debris-to-debris leg that exploits differential nodal drift.

Model (in the spirit of the JPL GTOC9 team's drift transfers and Shen & Casalino's 2021
debris-transfer approximation, with Edelbaum's small-angle plane-change cost): both orbits
near-circular; two impulses, one at departure and one at arrival, each split into

* ``ua`` tangential, changing the semi-major axis (Δa = 2a·ua/v),
* ``ue`` in-plane, changing the eccentricity vector (|Δe| = 2·ue/v),
* ``ui`` and ``uΩ`` out-of-plane, changing inclination (Δi = ui/v) and node (ΔΩ = uΩ/(v sin i)).

Between the impulses the spacecraft drifts on the changed orbit, whose node moves at
Ω̇(a + Δa, i + Δi) ≈ Ω̇ + ∂Ω̇/∂a Δa + ∂Ω̇/∂i Δi. The arrival node must match the target's,
so the RAAN gap G at arrival (what it would be with no manoeuvre) is closed partly by
direct node changes and partly by the drift:

    uΩ1 + uΩ2 + cA·ua1 + cI·ui1 = v sin i · G,   ua1 + ua2 = v Δa/(2a),
    ui1 + ui2 = v Δi,   ue1 + ue2 = v |Δe|/2,

with cA = 2a sin i T ∂Ω̇/∂a and cI = sin i T ∂Ω̇/∂i. The estimate is the minimum of
|u1| + |u2| over the split, a convex problem solved by iteratively re-weighted least
squares (a fixed number of closed-form 3×3 solves, vectorised; no Python loop over legs).

Units: SI (m, m/s, s, rad). Phasing (the along-track position) is free in this model: over
a leg of many revolutions a tiny change of the drift orbit fixes it.

The drift orbit must keep its perigee above ``perigee_min_m`` (GTOC9's 6,600 km by default):
a split whose drift orbit, semi-major axis a₁ + 2a·ua₁/v and eccentricity up to
e₁ + 2|ue₁|/v, would dip below it is not flyable, and the cheapest flyable one of the three
candidates (the optimum, everything at departure, everything at arrival: no drift) is taken.
In 30-minute GTOC9 runs every leg that the exact solver could not fly for its perigee
(23 of 532) had such a drift orbit below 6,600 km, and none of them above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..propagation.j2 import GTOC9_J2_MODEL, J2Model, secular_rates
from ..units import DAY_S, GTOC9_R_PERIGEE_MIN_M

__all__ = ["LegEstimate", "estimate_leg", "estimate_legs_dv_m_s", "estimate_debris_legs", "split_with_fixed_ua"]

_IRLS_ITERATIONS = 8
_CHUNK = 65536


@dataclass(frozen=True)
class LegEstimate:
    """Estimated total ΔV (m/s) and its split (m/s) between the departure (1) and arrival (2) impulses."""

    dv_m_s: np.ndarray
    dv1_m_s: np.ndarray
    dv2_m_s: np.ndarray
    u1: np.ndarray  # (..., 4): ua, ue, ui, uΩ at departure (m/s)
    u2: np.ndarray  # (..., 4) at arrival


def _wrap(x):
    return (x + np.pi) % (2 * np.pi) - np.pi


def _terms(el1, el2, tof_s, model: J2Model):
    """Right-hand sides (ba, be, bi, bo) in m/s and drift couplings (cA, cI) of the model."""
    a1, e1, i1, raan1, argp1 = (el1[..., k] for k in range(5))
    a2, e2, i2, raan2, argp2 = (el2[..., k] for k in range(5))
    mu = model.mu_m3_s2
    a = 0.5 * (a1 + a2)
    i = 0.5 * (i1 + i2)
    si = np.sin(i)
    v = np.sqrt(mu / a)
    _, draan1, dargp1 = secular_rates(a1, e1, i1, model)
    _, draan2, dargp2 = secular_rates(a2, e2, i2, model)
    _, draan, _ = secular_rates(a, 0.5 * (e1 + e2), i, model)
    # RAAN gap at arrival if the spacecraft stayed on the departure orbit
    gap = _wrap((raan2 + draan2 * tof_s) - (raan1 + draan1 * tof_s))
    # eccentricity vectors at arrival (the spacecraft's precesses like the departure orbit's)
    w1 = argp1 + dargp1 * tof_s
    w2 = argp2 + dargp2 * tof_s
    de = np.hypot(e2 * np.cos(w2) - e1 * np.cos(w1), e2 * np.sin(w2) - e1 * np.sin(w1))
    kA = -3.5 * draan / a
    kI = -draan * np.tan(i)
    cA = 2.0 * a * si * tof_s * kA
    cI = si * tof_s * kI
    ba = v * (a2 - a1) / (2.0 * a)
    be = 0.5 * v * de
    bi = v * (i2 - i1)
    bo = v * si * gap
    return ba, be, bi, bo, cA, cI


def _drift_perigee_ok(el1, ua, ue, model: J2Model, perigee_min_m):
    """Whether the drift orbit after a departure impulse with tangential part ``ua`` and
    in-plane eccentricity part ``ue`` (m/s) keeps its perigee at or above ``perigee_min_m``."""
    if perigee_min_m is None:
        return True
    a1, e1 = el1[..., 0], el1[..., 1]
    v = np.sqrt(model.mu_m3_s2 / a1)
    return (a1 + 2.0 * a1 * ua / v) * (1.0 - e1 - 2.0 * np.abs(ue) / v) >= perigee_min_m


def _solve(el1, el2, tof_s, model: J2Model, full: bool, perigee_min_m=GTOC9_R_PERIGEE_MIN_M):
    ba, be, bi, bo, cA, cI = _terms(el1, el2, tof_s, model)
    if not full:
        # the search path: IRLS in float32 (relative error ~1e-6, far below the model's own),
        # half the memory traffic of float64 — the node gap itself was formed in float64
        ba, be, bi, bo, cA, cI = (np.asarray(x, dtype=np.float32) for x in (ba, be, bi, bo, cA, cI))
    # M = I + eΩ cᵀ with c = (cA, cI, 0) on (ua, ui, uΩ); minimise |x| + |b − Mx| by IRLS
    w1_ = np.ones_like(ba)
    w2_ = np.ones_like(ba)
    scale = 1e-6 * (np.abs(ba) + be + np.abs(bi) + np.abs(bo) + 1e-3)
    for _ in range(_IRLS_ITERATIONS):
        # (w1 I + w2 MᵀM) x = w2 Mᵀ b ; MᵀM = [[1+cA², cAcI, cA],[cAcI, 1+cI², cI],[cA, cI, 1]]
        s = w1_ + w2_
        m11 = s + w2_ * cA * cA
        m12 = w2_ * cA * cI
        m13 = w2_ * cA
        m22 = s + w2_ * cI * cI
        m23 = w2_ * cI
        m33 = s
        r1 = w2_ * (ba + cA * bo)
        r2 = w2_ * (bi + cI * bo)
        r3 = w2_ * bo
        c11 = m22 * m33 - m23 * m23
        c12 = m13 * m23 - m12 * m33
        c13 = m12 * m23 - m13 * m22
        det = m11 * c11 + m12 * c12 + m13 * c13
        c22 = m11 * m33 - m13 * m13
        c23 = m12 * m13 - m11 * m23
        c33 = m11 * m22 - m12 * m12
        xa = (c11 * r1 + c12 * r2 + c13 * r3) / det
        xi = (c12 * r1 + c22 * r2 + c23 * r3) / det
        xo = (c13 * r1 + c23 * r2 + c33 * r3) / det
        xe = w2_ * be / s
        ya = ba - xa
        yi = bi - xi
        yo = bo - xo - cA * xa - cI * xi
        ye = be - xe
        n1 = np.sqrt(xa * xa + xe * xe + xi * xi + xo * xo)
        n2 = np.sqrt(ya * ya + ye * ye + yi * yi + yo * yo)
        w1_ = 1.0 / np.maximum(n1, scale)
        w2_ = 1.0 / np.maximum(n2, scale)
    # IRLS converges slowly when the optimum puts everything in one impulse: test both corners
    # (all at departure: x = M⁻¹b, M⁻¹ = I − eΩ cᵀ; all at arrival: x = 0)
    xo_dep = bo - cA * ba - cI * bi
    n_dep = np.sqrt(ba * ba + be * be + bi * bi + xo_dep * xo_dep)
    n_arr = np.sqrt(ba * ba + be * be + bi * bi + bo * bo)
    # a drift orbit below the perigee limit is not flyable (everything at arrival never drifts)
    n_opt = np.where(_drift_perigee_ok(el1, xa, xe, model, perigee_min_m), n1 + n2, np.inf)
    n_dep = np.where(_drift_perigee_ok(el1, ba, be, model, perigee_min_m), n_dep, np.inf)
    if not full:
        return np.minimum(n_opt, np.minimum(n_dep, n_arr))
    use_dep = (n_dep < n_opt) & (n_dep <= n_arr)
    use_arr = (n_arr < n_opt) & ~use_dep
    z = np.zeros_like(ba)
    x = np.stack([xa, xe, xi, xo], -1)
    y = np.stack([ya, ye, yi, yo], -1)
    x = np.where(use_dep[..., None], np.stack([ba, be, bi, xo_dep], -1), np.where(use_arr[..., None], 0.0, x))
    y = np.where(use_dep[..., None], 0.0, np.where(use_arr[..., None], np.stack([ba, be, bi, bo], -1), y))
    del z
    n1 = np.linalg.norm(x, axis=-1)
    n2 = np.linalg.norm(y, axis=-1)
    return LegEstimate(n1 + n2, n1, n2, x, y)


def estimate_leg(el_dep, el_arr, tof_s, model: J2Model = GTOC9_J2_MODEL,
                 perigee_min_m: float | None = GTOC9_R_PERIGEE_MIN_M) -> LegEstimate:
    """Estimate with the impulse split, for elements (a m, e, i, Ω, ω, M rad) (..., 6) of the
    departure and arrival objects **at the departure epoch** and flight times ``tof_s`` (s);
    the drift orbit keeps its perigee at or above ``perigee_min_m`` (None: no limit)."""
    el1 = np.asarray(el_dep, dtype=float)
    el2 = np.asarray(el_arr, dtype=float)
    tof = np.asarray(tof_s, dtype=float)
    shape = np.broadcast_shapes(el1.shape[:-1], el2.shape[:-1], tof.shape)
    el1 = np.broadcast_to(el1, shape + (6,))
    el2 = np.broadcast_to(el2, shape + (6,))
    tof = np.broadcast_to(tof, shape)
    return _solve(el1, el2, tof, model, True, perigee_min_m)


def estimate_legs_dv_m_s(el_dep, el_arr, tof_s, model: J2Model = GTOC9_J2_MODEL,
                         perigee_min_m: float | None = GTOC9_R_PERIGEE_MIN_M) -> np.ndarray:
    """Estimated leg ΔV (m/s) only; inputs broadcast as in :func:`estimate_leg`; done in
    cache-sized chunks (this is the hot path of a search)."""
    el1 = np.asarray(el_dep, dtype=float)
    el2 = np.asarray(el_arr, dtype=float)
    tof = np.asarray(tof_s, dtype=float)
    shape = np.broadcast_shapes(el1.shape[:-1], el2.shape[:-1], tof.shape)
    n = int(np.prod(shape)) if shape else 1
    e1 = np.broadcast_to(el1, shape + (6,)).reshape(n, 6)
    e2 = np.broadcast_to(el2, shape + (6,)).reshape(n, 6)
    t = np.broadcast_to(tof, shape).reshape(n)
    out = np.empty(n)
    for s in range(0, n, _CHUNK):
        sl = slice(s, s + _CHUNK)
        out[sl] = _solve(e1[sl], e2[sl], t[sl], model, False, perigee_min_m)
    return out.reshape(shape)


def estimate_debris_legs(debris, dep_ids, arr_ids, t_dep_mjd2000_day, tof_day) -> np.ndarray:
    """Estimated ΔV (m/s) of GTOC9 legs; ids, departure epochs (MJD2000 days) and flight times
    (days) broadcast, e.g. ``dep_ids[:, None, None, None]``, ``arr_ids[None, :, None, None]``,
    ``t[None, None, :, None]``, ``tof[None, None, None, :]`` for all pairs × times × flight times."""
    el1 = debris.elements_at(dep_ids, t_dep_mjd2000_day)
    el2 = debris.elements_at(arr_ids, t_dep_mjd2000_day)
    return estimate_legs_dv_m_s(el1, el2, np.asarray(tof_day, dtype=float) * DAY_S)


def split_with_fixed_ua(el_dep, el_arr, tof_s, ua_m_s, model: J2Model = GTOC9_J2_MODEL) -> LegEstimate:
    """The model's cheapest split when the departure's tangential component ``ua_m_s`` (m/s) is
    imposed, e.g. by phasing (the drift orbit's period must bring the ship to the target); the
    other components (ue, ui, uΩ) are optimised as in :func:`estimate_leg`. Vectorised."""
    el1 = np.asarray(el_dep, dtype=float)
    el2 = np.asarray(el_arr, dtype=float)
    ba, be, bi, bo, cA, cI = _terms(el1, el2, np.asarray(tof_s, dtype=float), model)
    xa = np.asarray(ua_m_s, dtype=float) + 0.0 * ba
    ya = ba - xa
    bo2 = bo - cA * xa
    w1 = np.ones_like(xa)
    w2 = np.ones_like(xa)
    scale = 1e-6 * (np.abs(ba) + be + np.abs(bi) + np.abs(bo) + 1e-3)
    for _ in range(2 * _IRLS_ITERATIONS):
        s = w1 + w2
        # (w1 I + w2 NᵀN)(xi, xo) = w2 Nᵀ(bi, bo2), N = [[1, 0], [cI, 1]]
        m11, m12, m22 = s + w2 * cI * cI, w2 * cI, s
        r1, r2 = w2 * (bi + cI * bo2), w2 * bo2
        det = m11 * m22 - m12 * m12
        xi = (m22 * r1 - m12 * r2) / det
        xo = (m11 * r2 - m12 * r1) / det
        xe = w2 * be / s
        yi, yo, ye = bi - xi, bo2 - xo - cI * xi, be - xe
        n1 = np.sqrt(xa * xa + xe * xe + xi * xi + xo * xo)
        n2 = np.sqrt(ya * ya + ye * ye + yi * yi + yo * yo)
        w1 = 1.0 / np.maximum(n1, scale)
        w2 = 1.0 / np.maximum(n2, scale)
    # IRLS crawls when the optimum is a corner: test both (the arrival impulse only the imposed
    # tangential remainder ya, or the departure impulse only ua)
    xo_dep = bo2 - cI * bi
    n_dep = np.sqrt(xa * xa + be * be + bi * bi + xo_dep * xo_dep) + np.abs(ya)
    n_arr = np.abs(xa) + np.sqrt(ya * ya + be * be + bi * bi + bo2 * bo2)
    use_dep = (n_dep < n1 + n2) & (n_dep <= n_arr)
    use_arr = (n_arr < n1 + n2) & ~use_dep
    z = np.zeros_like(xa)
    x = np.stack([xa, xe, xi, xo], -1)
    y = np.stack([ya, ye, yi, yo], -1)
    x = np.where(use_dep[..., None], np.stack([xa, be + z, bi + z, xo_dep], -1),
                 np.where(use_arr[..., None], np.stack([xa, z, z, z], -1), x))
    y = np.where(use_dep[..., None], np.stack([ya, z, z, z], -1),
                 np.where(use_arr[..., None], np.stack([ya, be + z, bi + z, bo2], -1), y))
    n1 = np.linalg.norm(x, axis=-1)
    n2 = np.linalg.norm(y, axis=-1)
    return LegEstimate(n1 + n2, n1, n2, x, y)
