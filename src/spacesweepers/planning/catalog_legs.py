"""Legs between real catalog objects: mean elements for search, flyable J2 transfers to fly.

Units: SI (m, m/s, s, rad); epochs are MJD2000 days **in UTC** (``Time.from_mjd2000``); the
elapsed time of a leg is ``Δday × 86,400 s`` (a leap second inside a leg would shift it by 1 s,
1/86,400 of a day — below every tolerance here).

**Frames.** A catalog target's state is its SGP4 state (TEME, :func:`~spacesweepers.propagation.
j2.elementset_state`). The ship flies two-body + J2 in that frame, i.e. TEME is treated as
inertial for the duration of a leg (its true-of-date precession, ~50″/year, is not modelled).
The ship meets the target's SGP4 state at arrival within the GTOC9 tolerances (100 m, 1 m/s).

**Search elements.** :class:`CatalogBodies` gives the SGP4 mean elements of each target (a from
the Kozai mean motion, e, i, Ω, ω, M) advanced with the secular J2 rates — what the fast
estimate (:mod:`.estimate`) needs. Drag is ignored over a mission (the top targets fly above
700 km; ``route`` refuses targets whose perigee is below :data:`MIN_TARGET_PERIGEE_KM`).

**Flying a leg** (:func:`fly_leg`):

* up to :data:`DIRECT_MAX_DAYS`: the two-impulse J2 rendezvous of :mod:`.transfer`
  (:func:`~.transfer.rendezvous_j2`: multi-revolution Lambert + Newton shooting under J2);
* longer legs exploit differential nodal drift, in three impulses: (1) at departure, the
  estimate's split (tangential ``ua`` and out-of-plane ``ui``, ``uΩ``) puts the ship on a drift
  orbit; ``ua`` is then corrected by secant steps on the heyoka-integrated coast so that the
  ship's node equals the target's at ``t_m = t_arr − τ``, and by a tiny amount more so that the
  ship's argument of latitude is where the final arc wants it (the along-track phase moves by
  ``3 n T / v`` rad per m/s, the node about a thousand times less); (2) at ``t_m``,
  :func:`~.transfer.rendezvous_j2` over the last ``τ`` (½–2 days) removes what is left
  (altitude, inclination, phase); (3) the arrival impulse matches the target's velocity.
* every arc is re-integrated from the stated states (miss ≤ 1 m by construction) and its
  lowest osculating perigee checked against 6,600 km.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..propagation.j2 import (
    GTOC9_J2_MODEL,
    PropagationError,
    cartesian_to_kepler,
    elementset_state,
    perigee_radius_min_m,
    propagate_j2,
    secular_rates,
)
from ..time import JD_MJD2000, Time
from ..units import DAY_S, GTOC9_R_PERIGEE_MIN_M
from .transfer import Impulse, Transfer, rendezvous_j2

__all__ = ["CatalogBodies", "ParkingOrbit", "fly_leg", "DIRECT_MAX_DAYS", "MIN_TARGET_PERIGEE_KM"]

DIRECT_MAX_DAYS = 1.5
MIN_TARGET_PERIGEE_KM = 250.0
_FINAL_ARC_DAYS = (1.0, 0.5, 2.0)


def mjd2000_day(t: Time) -> float:
    """UTC MJD2000 day of a scalar :class:`Time`."""
    return float((t.jd1 - JD_MJD2000) + t.jd2)


@dataclass(frozen=True)
class ParkingOrbit:
    """A ship's own start orbit: osculating elements (a m, e, i, Ω, ω, M rad) at ``epoch_mjd2000_day``."""

    elements: tuple
    epoch_mjd2000_day: float

    def state(self, t_mjd2000_day: float):
        from ..propagation.j2 import kepler_to_cartesian

        r, v = kepler_to_cartesian(np.asarray(self.elements, float))
        dt = (t_mjd2000_day - self.epoch_mjd2000_day) * DAY_S
        if dt == 0:
            return r, v
        return propagate_j2(r, v, dt)

    def mean_elements(self, t_mjd2000_day):
        el = np.asarray(self.elements, float)
        return _advance(el, (np.asarray(t_mjd2000_day, float) - self.epoch_mjd2000_day) * DAY_S)


def _advance(el, dt_s):
    """Mean elements (..., 6) advanced by ``dt_s`` (broadcast) with the secular J2 rates."""
    el = np.asarray(el, float)
    dt = np.asarray(dt_s, float)
    n, draan, dargp = secular_rates(el[..., 0], el[..., 1], el[..., 2], GTOC9_J2_MODEL)
    shape = np.broadcast_shapes(el.shape[:-1], dt.shape)
    out = np.empty(shape + (6,))
    out[..., 0] = el[..., 0]
    out[..., 1] = el[..., 1]
    out[..., 2] = el[..., 2]
    out[..., 3] = np.mod(el[..., 3] + draan * dt, 2 * np.pi)
    out[..., 4] = np.mod(el[..., 4] + dargp * dt, 2 * np.pi)
    out[..., 5] = np.mod(el[..., 5] + n * dt, 2 * np.pi)
    return out


class CatalogBodies:
    """Catalog targets by NORAD id: SGP4 states (TEME, m, m/s) and secular mean elements.

    Id ``-1`` is the ship's parking orbit when one is given. Duck-compatible with the GTOC9
    :class:`~.gtoc9.DebrisSet` methods ``state(id, t)`` and ``elements_at(id, t)``.
    """

    def __init__(self, element_sets, parking: ParkingOrbit | None = None):
        self.element_sets = {int(e.norad_id): e for e in element_sets}
        self.parking = parking
        self.ids = np.array(sorted(self.element_sets), np.int64)
        rows, epochs = [], []
        for nid in self.ids.tolist():
            e = self.element_sets[nid]
            rows.append([e.semi_major_axis_km * 1e3, e.eccentricity, math.radians(e.inclination_deg),
                         math.radians(e.raan_deg), math.radians(e.arg_perigee_deg), math.radians(e.mean_anomaly_deg)])
            epochs.append((e.epoch_jd1 - JD_MJD2000) + e.epoch_jd2)
        self._el0 = np.array(rows, float).reshape(-1, 6)
        self._epoch = np.array(epochs, float)
        self._pos = {nid: k for k, nid in enumerate(self.ids.tolist())}

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, ids) -> np.ndarray:
        return np.array([self._pos[int(i)] for i in np.atleast_1d(ids)], np.int64)

    def elements_at(self, ids, t_mjd2000_day) -> np.ndarray:
        """Mean elements (a m, e, i, Ω, ω, M rad) of ``ids`` at ``t`` (broadcast); id −1: the parking orbit."""
        scalar = np.ndim(ids) == 0
        ids_a = np.atleast_1d(np.asarray(ids, np.int64))
        if self.parking is not None and np.any(ids_a == -1):
            if not np.all(ids_a == -1):
                raise ValueError("mix of parking orbit and targets in one call")
            out = self.parking.mean_elements(t_mjd2000_day)
            return out if scalar else np.broadcast_to(out, ids_a.shape + out.shape[-1:])
        k = self.index(ids_a) if not scalar else self.index(ids)[0]
        dt = (np.asarray(t_mjd2000_day, float) - self._epoch[k]) * DAY_S
        return _advance(self._el0[k], dt)

    def all_elements_at(self, t_mjd2000_day) -> np.ndarray:
        """Mean elements of every target: shape ``t.shape + (n, 6)``."""
        t = np.asarray(t_mjd2000_day, float)
        dt = (t[..., None] - self._epoch) * DAY_S
        return _advance(self._el0, dt)

    def state(self, nid, t_mjd2000_day: float):
        """SGP4 state (TEME r m, v m/s) of ``nid`` at ``t``; id −1: the J2-propagated parking orbit."""
        if int(nid) == -1:
            return self.parking.state(float(t_mjd2000_day))
        r, v, _ = elementset_state(self.element_sets[int(nid)], Time.from_mjd2000(float(t_mjd2000_day)))
        return r, v


def _rtn(r, v):
    h = np.cross(r, v)
    nh = h / np.linalg.norm(h)
    node = np.cross([0.0, 0.0, 1.0], nh)
    node /= np.linalg.norm(node)
    u = math.atan2(float(np.dot(np.cross(node, r), nh)), float(np.dot(node, r)))
    return nh, u


def _wrap(x):
    return (x + math.pi) % (2 * math.pi) - math.pi


def _plane(r, v):
    """Osculating (Ω, argument of latitude u, i) of a state (rad)."""
    el = cartesian_to_kepler(r, v)
    nh, u = _rtn(r, v)
    return float(el[3]), u, float(el[2])


def _back_to_plane(r, v, n_target, mu) -> float:
    """Time (s, ≤ 0) back to the last crossing of the plane with normal ``n_target`` (circular motion)."""
    h = np.cross(r, v)
    ns = h / np.linalg.norm(h)
    line = np.cross(ns, n_target / np.linalg.norm(n_target))
    if np.linalg.norm(line) < 1e-9:
        return 0.0
    line /= np.linalg.norm(line)
    rh = r / np.linalg.norm(r)
    u = math.atan2(float(np.dot(np.cross(line, rh), ns)), float(np.dot(line, rh)))
    return -(u % math.pi) / math.sqrt(mu / np.linalg.norm(r) ** 3)


def _direct(r0, v0, r1, v1, tof_s, t_dep, tol_r_m):
    dv1, dv2, info = rendezvous_j2(r0, v0, r1, v1, tof_s, tol_r_m=tol_r_m)
    if dv1 is None:
        return Transfer((), False, f"direct: {info['message']}", mode="direct")
    rf, vf = propagate_j2(r0, v0 + dv1, tof_s)
    imps = (Impulse(t_dep, r0, v0, dv1), Impulse(t_dep + tof_s / DAY_S, rf, vf, v1 - vf))
    return Transfer(imps, True, "ok", float(np.linalg.norm(rf - r1)), float(np.linalg.norm(vf + (v1 - vf) - v1)),
                    info["perigee_min_m"], "direct", {"revs": info["revs"]})


def _drift(bodies, dep_id, r0, v0, t_dep, arr_id, t_arr, tau_day, tol_r_m, max_iter=6):
    from .estimate import estimate_leg

    mu = GTOC9_J2_MODEL.mu_m3_s2
    tof = (t_arr - t_dep) * DAY_S
    tau = tau_day * DAY_S
    t_m = tof - tau
    el_dep = bodies.elements_at(dep_id, t_dep)
    el_arr = bodies.elements_at(arr_id, t_dep)
    est = estimate_leg(el_dep, el_arr, t_m)
    ua, _ue, ui, uo = (float(x) for x in est.u1)
    # one out-of-plane impulse gives the wanted (Δi, ΔΩ) only at the argument of latitude
    # u* = atan2(uΩ, ui) (or u* + π with the opposite sign): coast there first (< ½ revolution)
    _, u0 = _rtn(r0, v0)
    n0 = math.sqrt(mu / np.linalg.norm(r0) ** 3)
    t1 = 0.0
    if math.hypot(ui, uo) > 0.05:
        t1 = ((math.atan2(uo, ui) - u0) % math.pi) / n0
    ra, va = propagate_j2(r0, v0, t1) if t1 > 0 else (r0, v0)
    nh, u = _rtn(ra, va)
    that = va / np.linalg.norm(va)
    t_coast = t_m - t1

    def dv_of(ua_):
        return ua_ * that + (ui * math.cos(u) + uo * math.sin(u)) * nh

    t_m_day = t_dep + t_m / DAY_S
    r_t, v_t = bodies.state(arr_id, t_m_day)
    om_t, u_t, _ = _plane(r_t, v_t)
    a_t = float(el_arr[0])
    n_t = math.sqrt(mu / a_t**3)

    def gaps(ua_):
        rm, vm = propagate_j2(ra, va + dv_of(ua_), t_coast)
        om_s, u_s, _ = _plane(rm, vm)
        a_s = 1.0 / (2.0 / np.linalg.norm(rm) - float(vm @ vm) / mu)
        # the final arc flies at about the mean of the two radii: phase it gains on the target
        n_mid = math.sqrt(mu / (0.5 * (a_s + a_t)) ** 3)
        want = -(n_mid - n_t) * tau
        return _wrap(om_s - om_t), _wrap((u_s - u_t) - want), rm, vm

    v = math.sqrt(mu / el_dep[0])
    si = math.sin(0.5 * (el_dep[2] + el_arr[2]))
    _, draan, _ = secular_rates(0.5 * (el_dep[0] + el_arr[0]), 0.0, 0.5 * (el_dep[2] + el_arr[2]))
    # sensitivities of the node and of the phase at t_m to ua (rad per m/s)
    d_node = -3.5 * draan / el_dep[0] * (2 * el_dep[0] / v) * t_m
    d_phase = -3.0 * math.sqrt(mu / el_dep[0] ** 3) / v * t_m
    try:
        g_node, g_phase, rm, vm = gaps(ua)
        for _ in range(max_iter):  # secant on the node
            if abs(g_node) < 1e-4:
                break
            step = -g_node / d_node if abs(d_node) > 1e-12 else 0.0
            if abs(step) > 200.0:
                step = math.copysign(200.0, step)
            ua2 = ua + step
            g2, gp2, rm2, vm2 = gaps(ua2)
            if ua2 != ua and g2 != g_node:
                d_node = (g2 - g_node) / (ua2 - ua)
            ua, g_node, g_phase, rm, vm = ua2, g2, gp2, rm2, vm2
        for _ in range(max_iter):  # then the phase: a tiny change of the drift orbit
            if abs(g_phase) < 2e-3:
                break
            ua = ua - g_phase / d_phase
            g_node, g_phase, rm, vm = gaps(ua)
        dv0 = dv_of(ua)
        # start the final arc where the ship crosses the target's plane (< ½ rev earlier): the
        # Lambert plane is then the target's and the plane change is made on the line of nodes
        r_t, v_t = bodies.state(arr_id, t_m_day)
        dt_back = _back_to_plane(rm, vm, np.cross(r_t, v_t), mu)
        if dt_back < 0:
            t_coast += dt_back
            t_m += dt_back
            tau -= dt_back
            t_m_day = t_dep + t_m / DAY_S
            rm, vm = propagate_j2(ra, va + dv0, t_coast)
        r1, v1 = bodies.state(arr_id, t_arr)
        dvm, dv2, info = rendezvous_j2(rm, vm, r1, v1, tau, tol_r_m=tol_r_m)
        if dvm is None:
            return Transfer((), False, f"drift (τ {tau_day} d): final arc: {info['message']}", mode="drift")
        rf, vf = propagate_j2(rm, vm + dvm, tau)
        rp = min(perigee_radius_min_m(ra, va + dv0, t_coast)[0], info["perigee_min_m"])
    except PropagationError as e:
        return Transfer((), False, f"drift: integration failed: {e}", mode="drift")
    imps = [Impulse(t_dep, r0, v0, np.zeros(3) if t1 > 0 else dv0)]
    if t1 > 0:
        imps.append(Impulse(t_dep + t1 / DAY_S, ra, va, dv0))
    imps += [Impulse(t_m_day, rm, vm, dvm), Impulse(t_arr, rf, vf, v1 - vf)]
    imps = tuple(imps)
    tr = Transfer(imps, True, "ok", float(np.linalg.norm(rf - r1)), 0.0, rp, "drift",
                  {"estimate_m_s": float(est.dv_m_s), "final_arc_day": tau_day, "node_gap_rad": g_node,
                   "phase_gap_rad": g_phase})
    if rp < GTOC9_R_PERIGEE_MIN_M:
        return Transfer((), False, f"drift: perigee {rp / 1e3:.1f} km < 6600 km", mode="drift")
    return tr


def fly_leg(bodies: CatalogBodies, dep_id: int, t_dep_mjd2000_day: float, arr_id: int, t_arr_mjd2000_day: float,
            tol_r_m: float = 1.0) -> Transfer:
    """A flyable J2 transfer from ``dep_id``'s state (or the parking orbit, id −1) at ``t_dep`` to
    ``arr_id``'s SGP4 state at ``t_arr`` (module notes). Failures are values (``ok`` false, message)."""
    tof_day = t_arr_mjd2000_day - t_dep_mjd2000_day
    if not tof_day > 0:
        return Transfer((), False, f"arrival must follow departure (time of flight {tof_day} days)", mode="")
    r0, v0 = bodies.state(dep_id, t_dep_mjd2000_day)
    tried = []
    if tof_day <= DIRECT_MAX_DAYS:
        r1, v1 = bodies.state(arr_id, t_arr_mjd2000_day)
        tr = _direct(r0, v0, r1, v1, tof_day * DAY_S, t_dep_mjd2000_day, tol_r_m)
        if tr.ok:
            return tr
        tried.append(tr)
    else:
        best = None
        for tau in _FINAL_ARC_DAYS:
            if tau >= 0.5 * tof_day:
                continue
            tr = _drift(bodies, dep_id, r0, v0, t_dep_mjd2000_day, arr_id, t_arr_mjd2000_day, tau, tol_r_m)
            tried.append(tr)
            if tr.ok and (best is None or tr.dv_total_m_s < best.dv_total_m_s):
                best = tr
        if best is not None:
            return best
    return Transfer((), False, "; ".join(t.message for t in tried) or "no transfer tried", mode="failed")
