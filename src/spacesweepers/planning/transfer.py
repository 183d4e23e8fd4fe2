"""Exact impulsive transfers under two-body + J2 (what a ship can actually fly).

Two building blocks, both in SI (m, m/s, s from the departure epoch):

* :func:`rendezvous_j2` — two impulses: the multi-revolution Lambert solutions (Izzo) give
  Keplerian guesses, sorted by their ΔV; the best few are corrected by Newton shooting on
  the departure velocity with heyoka's state-transition matrix until the J2 trajectory
  meets the target position to ``tol_r_m`` (default 1 m); the arrival impulse then matches
  velocity exactly. When plain Newton fails, J2 is switched on gradually (homotopy).
* :func:`exact_transfer` — GTOC9 debris-to-debris legs: ``mode='direct'`` is the two-impulse
  rendezvous above; ``mode='drift'`` exploits differential nodal drift: a departure impulse
  puts the ship on a drift orbit (the split the fast estimate finds), it coasts, and a
  deep-space impulse a few revolutions before arrival starts a J2 rendezvous. ``'auto'``
  tries both where they make sense and keeps the cheapest arc that passes every check.

Every returned :class:`Transfer` says whether it converged, its final miss (m, m/s), its
lowest osculating perigee (m), and a message; failures are values, not exceptions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..propagation.j2 import (
    GTOC9_J2_MODEL,
    J2Model,
    PropagationError,
    perigee_radius_min_m,
    propagate_j2,
    propagate_j2_stm,
)
from ..units import DAY_S, GTOC9_EPS_R_M, GTOC9_EPS_V_M_S, GTOC9_R_PERIGEE_MIN_M
from .lambert import LambertError, lambert_izzo

__all__ = ["Impulse", "Transfer", "rendezvous_j2", "exact_transfer", "shoot_j2"]


@dataclass(frozen=True)
class Impulse:
    """An impulse at ``epoch_mjd2000_day``; ``r_m`` and ``v_m_s`` are the state just before it."""

    epoch_mjd2000_day: float
    r_m: np.ndarray
    v_m_s: np.ndarray
    dv_m_s: np.ndarray

    @property
    def dv_norm_m_s(self) -> float:
        return float(np.linalg.norm(self.dv_m_s))

    def to_dict(self) -> dict:
        return {"epoch_mjd2000_day": self.epoch_mjd2000_day, "r_m": self.r_m.tolist(), "v_m_s": self.v_m_s.tolist(),
                "dv_m_s": self.dv_m_s.tolist(), "dv_norm_m_s": self.dv_norm_m_s}


@dataclass(frozen=True)
class Transfer:
    """Result of a transfer computation (impulses in time order; the last one is the arrival)."""

    impulses: tuple[Impulse, ...]
    converged: bool
    message: str
    miss_r_m: float = math.nan
    miss_v_m_s: float = math.nan
    perigee_min_m: float = math.nan
    mode: str = ""
    details: dict = field(default_factory=dict, compare=False)

    @property
    def dv_total_m_s(self) -> float:
        return float(sum(i.dv_norm_m_s for i in self.impulses)) if self.impulses else math.nan

    @property
    def ok(self) -> bool:
        """Converged, within GTOC9 tolerances, and perigee above 6,600 km."""
        return (self.converged and self.miss_r_m <= GTOC9_EPS_R_M and self.miss_v_m_s <= GTOC9_EPS_V_M_S
                and self.perigee_min_m >= GTOC9_R_PERIGEE_MIN_M)

    def to_dict(self) -> dict:
        return {"ok": self.ok, "converged": self.converged, "message": self.message, "mode": self.mode,
                "dv_total_m_s": self.dv_total_m_s, "miss_r_m": self.miss_r_m, "miss_v_m_s": self.miss_v_m_s,
                "perigee_min_m": self.perigee_min_m, "impulses": [i.to_dict() for i in self.impulses]}


def _failed(msg: str, mode: str) -> Transfer:
    return Transfer((), False, msg, mode=mode)


# --- Newton shooting ---------------------------------------------------------------------
def shoot_j2(r0_m, v0_guess_m_s, r_target_m, tof_s: float, model: J2Model = GTOC9_J2_MODEL,
             tol_r_m: float = 1.0, max_iter: int = 20):
    """Departure velocity (m/s) whose J2 arc reaches ``r_target_m`` after ``tof_s``.

    Returns ``(v0, r_f, v_f, miss_m, iterations)``; ``miss_m`` > ``tol_r_m`` means failure.
    Damped Newton on the 3×3 block ∂r(t)/∂v(0) of the state-transition matrix.
    """
    r0 = np.asarray(r0_m, float)
    v0 = np.asarray(v0_guess_m_s, float).copy()
    rt = np.asarray(r_target_m, float)
    try:
        rf, vf, stm = propagate_j2_stm(r0, v0, tof_s, model)
    except PropagationError:
        return v0, None, None, math.inf, 0
    miss = float(np.linalg.norm(rf - rt))
    for it in range(1, max_iter + 1):
        if miss <= tol_r_m:
            return v0, rf, vf, miss, it - 1
        try:
            step = np.linalg.solve(stm[:3, 3:], rt - rf)
        except np.linalg.LinAlgError:
            return v0, rf, vf, miss, it
        # keep steps physical: at most 1 km/s at a time
        sn = np.linalg.norm(step)
        if sn > 1000.0:
            step *= 1000.0 / sn
        lam = 1.0
        for _ in range(6):
            try:
                rn, vn, sn_ = propagate_j2_stm(r0, v0 + lam * step, tof_s, model)
                mn = float(np.linalg.norm(rn - rt))
            except PropagationError:
                mn = math.inf
            if mn < miss:
                break
            lam *= 0.5
        else:
            return v0, rf, vf, miss, it
        v0, rf, vf, stm, miss = v0 + lam * step, rn, vn, sn_, mn
    return v0, rf, vf, miss, max_iter


def _shoot_with_homotopy(r0, v_guess, r1, tof, model, tol_r_m, homotopy=True):
    v, rf, vf, miss, _ = shoot_j2(r0, v_guess, r1, tof, model, tol_r_m, max_iter=12)
    if miss <= tol_r_m or not homotopy:
        return v, rf, vf, miss
    v = np.asarray(v_guess, float)
    for frac in (0.25, 0.5, 0.75, 1.0):
        m = J2Model(model.mu_m3_s2, model.j2 * frac, model.re_m)
        v, rf, vf, miss, _ = shoot_j2(r0, v, r1, tof, m, tol_r_m if frac == 1.0 else 10.0)
        if not math.isfinite(miss) or (frac < 1.0 and miss > 1e3):
            break
    return v, rf, vf, miss


def rendezvous_j2(r0_m, v0_m_s, r1_m, v1_m_s, tof_s: float, model: J2Model = GTOC9_J2_MODEL,
                  n_candidates: int = 3, tol_r_m: float = 1.0, max_revs: int | None = None,
                  perigee_min_m: float = GTOC9_R_PERIGEE_MIN_M):
    """Cheapest two-impulse J2 rendezvous found from state (r0, v0) to state (r1, v1) in ``tof_s``.

    Returns ``(dv1, dv2, info)`` (m/s, None on failure) where ``info`` has ``miss_r_m``,
    ``perigee_min_m``, ``revs``, ``message``. Candidates: every Lambert solution (all
    revolutions), the ``n_candidates`` cheapest by Keplerian ΔV are J2-corrected.
    """
    r0, v0, r1, v1 = (np.asarray(x, float) for x in (r0_m, v0_m_s, r1_m, v1_m_s))
    try:
        sols = lambert_izzo(r0, r1, tof_s, model.mu_m3_s2, h_ref=np.cross(r0, v0), max_revs=max_revs)
    except LambertError as e:
        return None, None, {"message": f"Lambert: {e}"}
    if not sols:
        return None, None, {"message": "no Lambert solution"}
    sols.sort(key=lambda s: np.linalg.norm(s.v1 - v0) + np.linalg.norm(v1 - s.v2))
    best = None
    reasons = []
    for k, s in enumerate(sols[:n_candidates]):
        v, rf, vf, miss = _shoot_with_homotopy(r0, s.v1, r1, tof_s, model, tol_r_m, homotopy=k == 0)
        if not miss <= tol_r_m:
            reasons.append(f"{s.revs}-rev {s.branch}: J2 shooting missed by {miss:.3g} m")
            continue
        dv1 = v - v0
        dv2 = v1 - vf
        cost = float(np.linalg.norm(dv1) + np.linalg.norm(dv2))
        if best is not None and cost >= best[0]:
            continue
        rp, _ = perigee_radius_min_m(r0, v, tof_s, model)
        if rp < perigee_min_m:
            reasons.append(f"{s.revs}-rev {s.branch}: perigee {rp / 1e3:.1f} km")
            continue
        best = (cost, dv1, dv2, {"miss_r_m": miss, "perigee_min_m": rp, "revs": s.revs, "branch": s.branch})
    if best is None:
        return None, None, {"message": "; ".join(reasons) or "no candidate converged"}
    best[3]["message"] = "ok"
    return best[1], best[2], best[3]


# --- GTOC9 legs ------------------------------------------------------------------------------
def _direct(debris, dep_id, t_dep, arr_id, t_arr, model, tol_r_m):
    r0, v0 = debris.state(dep_id, t_dep)
    r1, v1 = debris.state(arr_id, t_arr)
    tof = (t_arr - t_dep) * DAY_S
    dv1, dv2, info = rendezvous_j2(r0, v0, r1, v1, tof, model, tol_r_m=tol_r_m)
    if dv1 is None:
        return _failed(f"direct: {info['message']}", "direct")
    # the state before the arrival impulse is the integrated one (within tol_r_m of the debris)
    rf, vf = propagate_j2(r0, v0 + dv1, tof, model)
    imps = (Impulse(t_dep, r0, v0, dv1), Impulse(t_arr, rf, vf, v1 - vf))
    return Transfer(imps, True, "ok", float(np.linalg.norm(rf - r1)), 0.0, info["perigee_min_m"], "direct",
                    {"revs": info["revs"]})


def _drift_impulse(r, v, u1):
    """Departure impulse (m/s) realising the estimate's split u1 = (ua, ue, ui, uΩ) at state (r, v)."""
    h = np.cross(r, v)
    nhat = h / np.linalg.norm(h)
    that = v / np.linalg.norm(v)
    node = np.cross([0.0, 0.0, 1.0], nhat)
    node /= np.linalg.norm(node)
    rhat = r / np.linalg.norm(r)
    u = math.atan2(np.dot(np.cross(node, rhat), nhat), np.dot(node, rhat))
    ua, _ue, ui, uo = u1
    return ua * that + (ui * math.cos(u) + uo * math.sin(u)) * nhat


def _drift(debris, dep_id, t_dep, arr_id, t_arr, model, tol_r_m, final_days, scales=(1.0,)):
    from .estimate import estimate_leg

    r0, v0 = debris.state(dep_id, t_dep)
    r1, v1 = debris.state(arr_id, t_arr)
    tof = (t_arr - t_dep) * DAY_S
    est = estimate_leg(debris.elements_at(dep_id, t_dep), debris.elements_at(arr_id, t_dep), tof, model)
    period = 2 * math.pi * math.sqrt(debris.elements_at(arr_id, t_dep)[0] ** 3 / model.mu_m3_s2)
    best = None
    why = []
    for scale in scales:
        dv0 = scale * _drift_impulse(r0, v0, np.asarray(est.u1))
        for q in range(4):
            tau = min(final_days * DAY_S + q * period / 4.0, 0.5 * tof)
            t_m = tof - tau
            try:
                rm, vm = propagate_j2(r0, v0 + dv0, t_m, model)
                rp0, _ = perigee_radius_min_m(r0, v0 + dv0, t_m, model)
            except PropagationError as e:
                why.append(str(e))
                continue
            if rp0 < GTOC9_R_PERIGEE_MIN_M:
                why.append(f"drift orbit perigee {rp0 / 1e3:.1f} km")
                continue
            dvm, dv2, info = rendezvous_j2(rm, vm, r1, v1, tau, model, tol_r_m=tol_r_m)
            if dvm is None:
                why.append(info["message"])
                continue
            cost = float(np.linalg.norm(dv0) + np.linalg.norm(dvm) + np.linalg.norm(dv2))
            if best is None or cost < best[0]:
                best = (cost, dv0, t_m, rm, vm, dvm, info)
            if tau >= 0.5 * tof:
                break
    if best is None:
        return _failed("drift: " + ("; ".join(why[:3]) or "no candidate"), "drift")
    _, dv0, t_m, rm, vm, dvm, info = best
    tau = tof - t_m
    rf, vf = propagate_j2(rm, vm + dvm, tau, model)
    t_m_day = t_dep + t_m / DAY_S
    imps = (Impulse(t_dep, r0, v0, dv0), Impulse(t_m_day, rm, vm, dvm), Impulse(t_arr, rf, vf, v1 - vf))
    rp = min(info["perigee_min_m"], perigee_radius_min_m(r0, v0 + dv0, t_m, model)[0])
    return Transfer(imps, True, "ok", float(np.linalg.norm(rf - r1)), 0.0, rp, "drift",
                    {"estimate_m_s": float(est.dv_m_s), "final_revs": info["revs"]})


def exact_transfer(debris, dep_id: int, t_dep_mjd2000_day: float, arr_id: int, t_arr_mjd2000_day: float,
                   mode: str = "auto", model: J2Model = GTOC9_J2_MODEL, tol_r_m: float = 1.0,
                   final_days: float = 1.0) -> Transfer:
    """Flyable J2 transfer between two GTOC9 debris at fixed departure and arrival epochs.

    ``mode``: ``'direct'`` (two impulses), ``'drift'`` (departure impulse onto the drift orbit
    of the fast estimate, a deep-space impulse ``final_days`` (+ up to ¾ revolution) before
    arrival, arrival impulse), or ``'auto'`` (direct for legs up to 2 days, drift for legs
    over 1 day; the cheaper valid one). Arrival state matches the debris within ``tol_r_m``
    (position) and exactly in velocity; the whole arc keeps perigee ≥ 6,600 km.
    """
    tof_day = t_arr_mjd2000_day - t_dep_mjd2000_day
    if not tof_day > 0:
        return _failed(f"arrival epoch must follow departure (time of flight {tof_day} days)", mode)
    if mode not in ("auto", "direct", "drift"):
        raise ValueError(f"mode must be 'auto', 'direct' or 'drift', not {mode!r}")
    out = []
    if mode == "direct" or (mode == "auto" and tof_day <= 2.0):
        out.append(_direct(debris, dep_id, t_dep_mjd2000_day, arr_id, t_arr_mjd2000_day, model, tol_r_m))
    if mode == "drift" or (mode == "auto" and tof_day > 1.0):
        out.append(_drift(debris, dep_id, t_dep_mjd2000_day, arr_id, t_arr_mjd2000_day, model, tol_r_m,
                          min(final_days, tof_day / 2)))
    good = [t for t in out if t.ok]
    if good:
        return min(good, key=lambda t: t.dv_total_m_s)
    return _failed("; ".join(t.message for t in out), mode)
