"""Exact impulsive transfers under two-body + J2 (what a ship can actually fly).

The building blocks, all in SI (m, m/s, s from the departure epoch):

* :func:`rendezvous_j2` — two impulses: the multi-revolution Lambert solutions (Izzo) give
  Keplerian guesses, sorted by their ΔV; the best few are corrected by Newton shooting on
  the departure velocity with heyoka's state-transition matrix until the J2 trajectory
  meets the target position to ``tol_r_m`` (default 1 m); the arrival impulse then matches
  velocity exactly. When plain Newton fails, J2 is switched on gradually (homotopy).
* :func:`optimise_impulses` — a three-impulse rendezvous (ΔV1 at a free epoch t1, 0 being the
  departure; ΔV2 at a free epoch t2, its vector re-shot at every step so the ship meets the
  target; arrival) whose epochs and vectors minimise Σ|ΔV| (L-BFGS-B on gradients from
  heyoka's state-transition matrices).
* :func:`optimise_four_impulses` — the same with the departure impulse's epoch free too:
  ΔV0 at t0, ΔV1 at t1, ΔV2 at t2, arrival, always 0 ≤ t0 ≤ t1 ≤ t2 ≤ tof (t1 is optimised
  as a fraction of [t0, t2]).
* :func:`exact_transfer` — GTOC9 debris-to-debris legs: ``mode='optimal'`` (what ``'auto'``
  runs first) runs :func:`optimise_four_impulses` from the three cheapest phasing-aware
  plans and once more from the best result. A plan enters a drift orbit by two burns half a
  revolution apart, each with half the tangential change and half the plane change, the
  tangential part fixed so that the coasting ship meets the target, and leaves it by a J2
  Lambert arc from a crossing of the target's plane or from half a revolution before arrival;
  the two-impulse Lambert is a start on legs up to 2 days or when no plan exists. The result
  is re-flown with the accurate integrator and every arc's perigee checked (five events:
  departure, with no impulse when t0 > 0; ΔV0; ΔV1; ΔV2; arrival; an impulse within a second
  of the previous event merges with it).
  ``mode='direct'`` is the two-impulse rendezvous above; ``mode='drift'`` exploits
  differential nodal drift: a departure impulse puts the ship on the estimate's drift orbit,
  it coasts, and a deep-space impulse ``final_days`` (+ up to ¾ revolution) before arrival
  starts a J2 rendezvous. These two are the fallbacks of ``'auto'`` when the optimised
  transfer fails.

Every returned :class:`Transfer` says whether it converged, its final miss (m, m/s), its
lowest osculating perigee (m), and a message; failures are values, not exceptions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

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

__all__ = ["Impulse", "Transfer", "rendezvous_j2", "exact_transfer", "shoot_j2", "optimise_impulses",
           "optimise_four_impulses"]


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
             tol_r_m: float = 1.0, max_iter: int = 20, fast: bool = False):
    """Departure velocity (m/s) whose J2 arc reaches ``r_target_m`` after ``tof_s``.

    Returns ``(v0, r_f, v_f, miss_m, iterations)``; ``miss_m`` > ``tol_r_m`` means failure.
    Damped Newton on the 3×3 block ∂r(t)/∂v(0) of the state-transition matrix. ``fast``: the
    1e-12 variational integrator (4× faster, ~0.1 mm per day of error): for starts that are
    re-shot with the accurate one later.
    """
    r0 = np.asarray(r0_m, float)
    v0 = np.asarray(v0_guess_m_s, float).copy()
    rt = np.asarray(r_target_m, float)
    try:
        rf, vf, stm = propagate_j2_stm(r0, v0, tof_s, model, fast=fast)
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
                rn, vn, sn_ = propagate_j2_stm(r0, v0 + lam * step, tof_s, model, fast=fast)
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


def _shoot_with_homotopy(r0, v_guess, r1, tof, model, tol_r_m, homotopy=True, fast=False):
    v, rf, vf, miss, _ = shoot_j2(r0, v_guess, r1, tof, model, tol_r_m, max_iter=12, fast=fast)
    if miss <= tol_r_m or not homotopy:
        return v, rf, vf, miss
    v = np.asarray(v_guess, float)
    for frac in (0.25, 0.5, 0.75, 1.0):
        m = J2Model(model.mu_m3_s2, model.j2 * frac, model.re_m)
        v, rf, vf, miss, _ = shoot_j2(r0, v, r1, tof, m, tol_r_m if frac == 1.0 else 10.0, fast=fast)
        if not math.isfinite(miss) or (frac < 1.0 and miss > 1e3):
            break
    return v, rf, vf, miss


def rendezvous_j2(r0_m, v0_m_s, r1_m, v1_m_s, tof_s: float, model: J2Model = GTOC9_J2_MODEL,
                  n_candidates: int = 3, tol_r_m: float = 1.0, max_revs: int | None = None,
                  perigee_min_m: float = GTOC9_R_PERIGEE_MIN_M, fast: bool = False):
    """Cheapest two-impulse J2 rendezvous found from state (r0, v0) to state (r1, v1) in ``tof_s``.

    Returns ``(dv1, dv2, info)`` (m/s, None on failure) where ``info`` has ``miss_r_m``,
    ``perigee_min_m``, ``revs``, ``message``. Candidates: every Lambert solution (all
    revolutions), the ``n_candidates`` cheapest by Keplerian ΔV are J2-corrected (``fast``:
    shot with the 1e-12 variational integrator, for starts that are re-flown accurately later).
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
        v, rf, vf, miss = _shoot_with_homotopy(r0, s.v1, r1, tof_s, model, tol_r_m, homotopy=k == 0, fast=fast)
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


# --- impulse optimisation (times and vectors free) ------------------------------------------
_TS = 10.0  # s: unit of the epoch variables seen by the optimiser
_VS = 0.01  # m/s: unit of the ΔV1 variables (1 m/s moves the arrival point by ~3·tof)
_EPS_DV = 1e-3  # m/s: smoothing of |ΔV| at zero (cost error ≤ 1 mm/s per impulse)


class _Abort(Exception):
    pass


def _perigee_and_gradient(r, v, mu):
    """Osculating perigee radius (m) of state (r, v) and its gradient (6,) w.r.t. (r, v):
    rp = p/(1 + e), p = h²/μ (central differences on this closed form, steps 1 m and 1 mm/s)."""
    x = np.concatenate([r, v])
    steps = np.array([1.0, 1.0, 1.0, 1e-3, 1e-3, 1e-3])
    xs = np.concatenate([x[None], x + np.diag(steps), x - np.diag(steps)])
    rp = _rp_rows(xs[:, :3], xs[:, 3:], mu)
    return float(rp[0]), (rp[1:7] - rp[7:13]) / (2 * steps)


def _rp_rows(r, v, mu):
    rn = np.linalg.norm(r, axis=-1)
    h = np.cross(r, v)
    evec = np.cross(v, h) / mu - r / rn[:, None]
    return np.sum(h * h, -1) / mu / (1.0 + np.linalg.norm(evec, axis=-1))


_RP_MARGIN_M = 3_000.0  # the penalty aims this far above the limit (m)
_RP_SCALE_M = 1_000.0  # 1 km under the aim costs _RP_WEIGHT m/s, 10 km 100×
_RP_WEIGHT = 10.0
_RP_SHORT_M = 40_000.0  # osculating perigee varies by less than this along a J2 arc (short-period terms)


def optimise_impulses(r0_m, v0_m_s, r1_m, v1_m_s, tof_s: float, t1_s: float, dv1_m_s, t2_s: float,
                      dv2_m_s, model: J2Model = GTOC9_J2_MODEL, t1_bounds_s=None, t2_bounds_s=None,
                      max_iter: int = 30, perigee_min_m: float | None = GTOC9_R_PERIGEE_MIN_M):
    """Cheapest three-impulse J2 rendezvous near a start: ΔV1 at t1, ΔV2 at t2, arrival at tof.

    The ship starts at (r0, v0) (time 0) and must reach (r1, v1) at ``tof_s``. The optimiser
    (L-BFGS-B, bounded epochs) moves t1, ΔV1 and t2; ΔV2 is not free but solved at every step
    by Newton shooting of the last arc so that the ship meets r1 (the constraint is eliminated:
    the last arc is short and well conditioned, while a free ΔV1 moves the arrival point by
    ~3·tof per m/s). The arrival impulse matches v1. Cost Σ|ΔV| and its gradient come from the
    state-transition matrices (fast variational integrator) and the implicit-function theorem:
    δs = −Φrv⁻¹(Φrr δr2 − v_f δt2) for the post-impulse velocity s at t2, with
    ∂x2/∂t1 = Φ12[:, :3](−ΔV1), ∂x2/∂ΔV1 = Φ12[:, 3:], ∂x2/∂t2 = (v2, a(r2)).

    ``perigee_min_m`` (default GTOC9's 6,600 km; None: no constraint) is a constraint handled by
    a quadratic penalty, 10 m/s per km² under the limit + 3 km: the value is the lowest
    osculating perigee sampled along each manoeuvred arc (36 samples per revolution, only when
    the arc's initial perigee is within 40 km of the limit, more than J2's short-period range),
    its gradient that of the arc's initial osculating perigee (the mean perigee is constant
    under J2). The returned cost excludes the penalty.

    Epochs: t2 within ``t2_bounds_s``; t1 is optimised as its fraction of [t0, t2], so
    t0 ≤ t1 ≤ t2 at every step; ``t1_bounds_s`` becomes bounds of that fraction, taken at the
    start's t0 and t2 (a start outside the bounds is moved onto them).

    Returns ``(t1, dv1, t2, dv2, cost, message)``; the start when nothing better is found.
    :func:`optimise_four_impulses` also frees a departure impulse at time 0.
    """
    _, _, t1, dv1, t2, dv2, cost, msg = _optimise(r0_m, v0_m_s, r1_m, v1_m_s, tof_s, 0.0, None, t1_s, dv1_m_s,
                                                  t2_s, dv2_m_s, model, None, t1_bounds_s, t2_bounds_s, max_iter,
                                                  perigee_min_m)
    return t1, dv1, t2, dv2, cost, msg


def optimise_four_impulses(r0_m, v0_m_s, r1_m, v1_m_s, tof_s: float, t0_s: float, dv0_m_s, t1_s: float, dv1_m_s,
                           t2_s: float, dv2_m_s, model: J2Model = GTOC9_J2_MODEL, t0_bounds_s=None,
                           t1_bounds_s=None, t2_bounds_s=None, max_iter: int = 30,
                           perigee_min_m: float | None = GTOC9_R_PERIGEE_MIN_M):
    """Like :func:`optimise_impulses` with a fourth impulse ΔV0 at a free epoch t0 ≤ t1:
    ΔV0 at t0, ΔV1 at t1, ΔV2 at t2, arrival. Two impulses at each end let the ship enter and
    leave a near-circular drift orbit half a revolution apart (one tangential burn leaves an
    eccentricity that J2 turns away from the target's, and a low perigee), each combined with
    half the plane change. Returns ``(t0, dv0, t1, dv1, t2, dv2, cost, message)``."""
    return _optimise(r0_m, v0_m_s, r1_m, v1_m_s, tof_s, t0_s, dv0_m_s, t1_s, dv1_m_s, t2_s, dv2_m_s, model,
                     t0_bounds_s, t1_bounds_s, t2_bounds_s, max_iter, perigee_min_m)


def _optimise(r0_m, v0_m_s, r1_m, v1_m_s, tof_s, t0_s, dv0_m_s, t1_s, dv1_m_s, t2_s, dv2_m_s, model,
              t0_bounds_s, t1_bounds_s, t2_bounds_s, max_iter, perigee_min_m):
    from scipy.optimize import minimize

    from ..propagation.j2 import j2_acceleration

    r0, v0, r1, v1 = (np.asarray(x, float) for x in (r0_m, v0_m_s, r1_m, v1_m_s))
    free0 = dv0_m_s is not None
    mu = model.mu_m3_s2
    state = {"s": np.asarray(dv2_m_s, float)}  # warm start of the inner shooting (ΔV2)
    best = {}
    rp_aim = None if perigee_min_m is None else perigee_min_m + _RP_MARGIN_M
    acc = lambda r: j2_acceleration(r, model)  # noqa: E731
    eye = np.eye(6)

    def arc_penalty(r, v, dt):
        """Penalty (m/s) and its gradient w.r.t. the arc's initial state (6,)."""
        rp, g = _perigee_and_gradient(r, v, mu)
        if rp - _RP_SHORT_M > rp_aim:
            return 0.0, None
        if dt > 0:
            rp = min(rp, perigee_radius_min_m(r, v, dt, model)[0])
        if rp >= rp_aim:
            return 0.0, None
        d = (rp_aim - rp) / _RP_SCALE_M
        return _RP_WEIGHT * d * d, -2.0 * _RP_WEIGHT * d / _RP_SCALE_M * g

    # variables y: t0, ΔV0 (3), q, ΔV1 (3), t2 (epochs /_TS, ΔV /_VS); t0, ΔV0 fixed at 0 unless
    # free0. t1 = t0 + d1 with d1 = (q/_QS)·(t2 − t0), q ∈ [0, _QS]: t0 ≤ t1 ≤ t2 for every y in the
    # box (a free d1 could reach past t2 and fly an arc backwards). The derivatives below are
    # taken w.r.t. (t0, d1, t2) first, using Φ·f(x_start) = f(x_end) along each arc, then mapped to q.
    qs = tof_s / _TS

    def ev(y):
        t0, dv0, dv1, t2 = y[0] * _TS, y[1:4] * _VS, y[5:8] * _VS, y[8] * _TS
        frac = y[4] / qs
        d1 = frac * (t2 - t0)
        t1 = t0 + d1
        try:
            rp0, vp0 = propagate_j2(r0, v0, t0, model) if t0 > 0 else (r0, v0)
            if free0 and d1 > 0:
                ra, va, phi0a = propagate_j2_stm(rp0, vp0 + dv0, d1, model, fast=True)
            else:
                ra, va = propagate_j2(rp0, vp0 + dv0, d1, model) if d1 > 0 else (rp0, vp0 + dv0)
                phi0a = eye
            r2, v2, phi12 = propagate_j2_stm(ra, va + dv1, t2 - t1, model, fast=True)
            s = v2 + state["s"]
            for _ in range(8):
                rf, vf, phi2 = propagate_j2_stm(r2, s, tof_s - t2, model, fast=True)
                miss = rf - r1
                if np.linalg.norm(miss) < 1e-3:
                    break
                step = np.linalg.solve(phi2[:3, 3:], -miss)
                sn = np.linalg.norm(step)
                s = s + (step if sn < 500 else step * 500 / sn)
            else:
                raise _Abort
        except (PropagationError, np.linalg.LinAlgError):
            raise _Abort from None
        state["s"] = s - v2
        dv2, dva = s - v2, v1 - vf
        n0, n1, n2, na = (math.sqrt(float(d @ d) + _EPS_DV**2) for d in (dv0, dv1, dv2, dva))
        cost = n1 + n2 + na + (n0 if free0 else 0.0)
        # Jacobian of the state before ΔV2 (arc B's end) w.r.t. y
        dB = np.zeros((6, 9))  # arc B's initial state (ra, va + ΔV1)
        dB[:, 0] = (np.concatenate([va, acc(ra)]) - phi0a[:, :3] @ dv0) * _TS
        dB[:, 1:4] = phi0a[:, 3:] * _VS
        dB[:, 4] = np.concatenate([va, acc(ra)]) * _TS
        dB[3:, 5:8] = np.eye(3) * _VS
        jx2 = phi12 @ dB
        jx2[:, 0] -= np.concatenate([va + dv1, acc(ra)]) @ phi12.T * _TS  # arc B is shorter by δt1
        jx2[:, 4] -= np.concatenate([va + dv1, acc(ra)]) @ phi12.T * _TS
        jx2[:3, 8] = v2 * _TS
        jx2[3:, 8] = acc(r2) * _TS
        et2 = np.zeros(9)
        et2[8] = _TS
        rhs = phi2[:3, :3] @ jx2[:3] - np.outer(vf, et2)
        ds = -np.linalg.solve(phi2[:3, 3:], rhs)
        dvf = phi2[3:, :3] @ jx2[:3] + phi2[3:, 3:] @ ds - np.outer(acc(rf), et2)
        grad = (dv2 / n2) @ (ds - jx2[3:]) - (dva / na) @ dvf
        grad[5:8] += dv1 / n1 * _VS
        if free0:
            grad[1:4] += dv0 / n0 * _VS
        pen = 0.0
        if rp_aim is not None:
            try:
                pa = arc_penalty(rp0, vp0 + dv0, d1) if free0 and d1 > 0 else (0.0, None)
                pb = arc_penalty(ra, va + dv1, t2 - t1)
                pc = arc_penalty(r2, s, tof_s - t2)
            except PropagationError:
                raise _Abort from None
            pen = pa[0] + pb[0] + pc[0]
            if pa[1] is not None:  # arc A starts at (rp0, vp0 + ΔV0)
                grad[0] += (pa[1][:3] @ vp0 + pa[1][3:] @ acc(rp0)) * _TS
                grad[1:4] += pa[1][3:] * _VS
            if pb[1] is not None:
                grad += pb[1] @ dB
            if pc[1] is not None:  # arc C starts at (r2, s)
                grad += pc[1][:3] @ jx2[:3] + pc[1][3:] @ ds
        # (t0, d1/_TS, t2) → (t0, q, t2): ∂d1/∂t0 = −frac, ∂d1/∂q = (t2 − t0)/qs, ∂d1/∂t2 = frac
        g_d1 = grad[4]
        grad[0] -= frac * g_d1
        grad[8] += frac * g_d1
        grad[4] = g_d1 * (t2 - t0) / _TS / qs
        total = cost + pen
        if not best or total < best["total"]:
            best.update(cost=cost, total=total, pen=pen, y=y.copy(), dv2=dv2.copy())
        return total, grad

    def f(y):
        try:
            return ev(y)
        except _Abort:  # the last arc cannot be shot from there: a wall the line search backs off from
            return 10.0 * best["total"], np.zeros(9)

    b0 = (t0_bounds_s or (0.0, tof_s)) if free0 else (0.0, 0.0)
    b2 = t2_bounds_s or (0.0, tof_s)
    if b0[1] > b2[0]:
        b0 = (b0[0], max(b0[0], b2[0]))  # t0 ≤ t2 for every point of the box
    t2_s = min(max(float(t2_s), b2[0]), b2[1])
    t0 = min(max(float(t0_s), b0[0]), b0[1]) if free0 else 0.0
    dv0 = np.asarray(dv0_m_s, float) if free0 else np.zeros(3)
    # t1 enters as its fraction of [t0, t2]; t1_bounds_s becomes bounds of that fraction at the start
    span = max(t2_s - t0, 1e-9)
    b1 = t1_bounds_s or (0.0, tof_s)
    f_lo = min(max((b1[0] - t0) / span, 0.0), 1.0)
    f_hi = min(max((b1[1] - t0) / span, f_lo), 1.0)
    f_start = min(max((float(t1_s) - t0) / span, f_lo), f_hi)
    y0 = np.array([t0 / _TS, *(dv0 / _VS), f_start * qs, *(np.asarray(dv1_m_s, float) / _VS), t2_s / _TS])
    fixed = [(None, None)] * 3 if free0 else [(0.0, 0.0)] * 3
    bounds = ([(b0[0] / _TS, b0[1] / _TS)] + fixed + [(f_lo * qs, f_hi * qs)] + [(None, None)] * 3
              + [(b2[0] / _TS, b2[1] / _TS)])
    try:
        ev(y0)
    except _Abort:
        return (t0, dv0, t0 + f_start * span, np.asarray(dv1_m_s, float), t2_s, np.asarray(dv2_m_s, float),
                math.inf, "start does not converge")
    start = best["cost"]
    res = minimize(f, y0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": max_iter, "ftol": 1e-9, "gtol": 1e-6})
    pen = f", perigee penalty {best['pen']:.3g} m/s" if best["pen"] > 0 else ""
    msg = f"L-BFGS-B: {res.message} ({res.nit} it, {start:.2f} → {best['cost']:.2f} m/s{pen})"
    y = best["y"]
    t0, t2 = y[0] * _TS, y[8] * _TS
    return t0, y[1:4] * _VS, t0 + y[4] / qs * (t2 - t0), y[5:8] * _VS, t2, best["dv2"], best["cost"], msg


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


def _arg_lat(r, v):
    """Argument of latitude (rad) of state (r, v), measured from the ascending node."""
    h = np.cross(r, v)
    nhat = h / np.linalg.norm(h)
    node = np.cross([0.0, 0.0, 1.0], nhat)
    node /= np.linalg.norm(node)
    return math.atan2(float(np.dot(np.cross(node, r), nhat)), float(np.dot(node, r)))


def _plane_crossing_dt(r, v, n_target, mu):
    """Times (s, forward ≥ 0 and backward ≤ 0) to the nearest crossings of the plane with normal
    ``n_target``, on the osculating circle through (r, v) (two crossings per revolution)."""
    h = np.cross(r, v)
    ns = h / np.linalg.norm(h)
    line = np.cross(ns, n_target)
    if np.linalg.norm(line) < 1e-9:
        return 0.0, 0.0
    line /= np.linalg.norm(line)
    rh = r / np.linalg.norm(r)
    u = math.atan2(float(np.dot(np.cross(line, rh), ns)), float(np.dot(line, rh)))
    n = math.sqrt(mu / np.linalg.norm(r) ** 3)
    return ((-u) % math.pi) / n, -(u % math.pi) / n


def _phase_gap(r, v, r_target):
    """Angle (rad, −π..π) from the ship at (r, v) forward to the target's position, in the ship's plane."""
    h = np.cross(r, v)
    h /= np.linalg.norm(h)
    return math.atan2(float(np.dot(np.cross(r, r_target), h)), float(np.dot(r, r_target)))


def _unit_normal(r, v):
    h = np.cross(r, v)
    return h / np.linalg.norm(h)


def _guesses(r0, v0, r1, v1, tof, el_dep, el_arr, model, target_state):
    """Flyable starts ``(cost, t0, dv0, t1, dv1, t2, dv2)`` (the arrival impulse follows).

    Drift plan from the estimate's split, with its tangential part ``ua`` fixed by phasing
    (:func:`~.estimate.split_with_fixed_ua`): entry into the drift orbit by two burns half a
    revolution apart (t0, t0 + T/2), each half the tangential part and half the plane change,
    the first at the argument of latitude u* = atan2(uΩ, ui) (mod π) where an out-of-plane
    impulse gives the wanted (Δi, ΔΩ) ratio, so both are at u* or u* + π; ``ua`` is then solved
    so that the coasting ship would meet the target at arrival (Newton on the along-track gap,
    ∂θ/∂ua = 3nT/v, for the nearest and second-nearest whole number of revolutions, and the
    unphased split). Exit: a J2 rendezvous (Lambert of at most one revolution + shooting with
    the fast integrator) from a crossing of the target's plane in the last 1¼ revolutions (the
    last plane change is made on the line of nodes) or from half a revolution before arrival
    (a Hohmann-like exit). ``target_state(t_s)``: the target's
    (r, v) at t_s.
    """
    from .estimate import estimate_leg, split_with_fixed_ua

    mu = model.mu_m3_s2
    n0 = math.sqrt(mu / np.linalg.norm(r0) ** 3)
    vc0 = float(np.linalg.norm(v0))
    period = 2 * math.pi / n0
    u_dep = _arg_lat(r0, v0)
    r_arr = target_state(tof)[0]
    if tof < 1.5 * period:
        return []

    def build(ua):
        _, _ue, ui, uo = (float(x) for x in split_with_fixed_ua(el_dep, el_arr, tof, ua, model).u1)
        t0 = ((math.atan2(uo, ui) - u_dep) % math.pi) / n0 if math.hypot(ui, uo) > 1e-3 else 0.0
        t1 = t0 + 0.5 * period
        burns = []
        r, v, t = r0, v0, 0.0
        for tb in (t0, t1):
            r, v = propagate_j2(r, v, tb - t, model) if tb > t else (r, v)
            u = _arg_lat(r, v)
            dv = 0.5 * (ua * v / np.linalg.norm(v) + (ui * math.cos(u) + uo * math.sin(u)) * _unit_normal(r, v))
            burns.append(dv)
            v, t = v + dv, tb
        rf, vf = propagate_j2(r, v, tof - t1, model)
        return t0, burns[0], t1, burns[1], r, v, _phase_gap(rf, vf, r_arr)

    ua0 = float(estimate_leg(el_dep, el_arr, tof, model).u1[0])
    plan = build(ua0)
    slope = 3.0 * n0 * (tof - plan[2]) / vc0  # rad of along-track gap opened per m/s of ua (a higher orbit lags)
    plans = [plan]
    for k in (0.0, -math.copysign(1.0, plan[6])):
        ua = ua0 - (plan[6] + 2 * math.pi * k) / slope
        for _ in range(2):
            p = build(ua)
            ua -= p[6] / slope
        plans.append(build(ua))
    out = []
    for t0, dv0, t1, dv1, rb, vb, _ in plans:
        t_e = tof - 0.75 * period
        re_, ve_ = propagate_j2(rb, vb, t_e - t1, model)
        # exits: from a crossing of the target's plane, or half a revolution before arrival (Hohmann-like)
        for t2 in [t_e + dt for dt in _plane_crossing_dt(re_, ve_, _unit_normal(*target_state(t_e)), mu)] + [
                tof - 0.5 * period]:
            if not (t1 + 0.1 * period < t2 < tof - 0.2 * period):
                continue
            try:
                r2, v2 = propagate_j2(rb, vb, t2 - t1, model)
            except PropagationError:
                continue
            dv2, dva, info = rendezvous_j2(r2, v2, r1, v1, tof - t2, model, tol_r_m=100.0, fast=True,
                                           perigee_min_m=0.0, max_revs=1)
            if dv2 is None:
                continue
            cost = float(sum(np.linalg.norm(d) for d in (dv0, dv1, dv2, dva)))
            out.append((cost, t0, dv0, t1, dv1, t2, dv2))
    return out


def _optimal(debris, dep_id, t_dep, arr_id, t_arr, model, tol_r_m, n_polish=3, n_restart=1, max_iter=30,
             first_start=0):
    from .estimate import estimate_leg

    r0, v0 = debris.state(dep_id, t_dep)
    r1, v1 = debris.state(arr_id, t_arr)
    tof = (t_arr - t_dep) * DAY_S
    el_dep, el_arr = debris.elements_at(dep_id, t_dep), debris.elements_at(arr_id, t_dep)
    est = estimate_leg(el_dep, el_arr, tof, model)
    period = 2 * math.pi * math.sqrt(np.linalg.norm(r0) ** 3 / model.mu_m3_s2)

    def target_state(t_s):
        return debris.state(arr_id, t_dep + t_s / DAY_S)

    starts = []
    try:
        starts += _guesses(r0, v0, r1, v1, tof, el_dep, el_arr, model, target_state)
    except PropagationError:
        pass
    info = {}
    if tof <= 2.0 * DAY_S or not starts:
        # the plain two-impulse Lambert rendezvous, with idle mid-course impulses the optimiser may use
        dvl, _, info = rendezvous_j2(r0, v0, r1, v1, tof, model, tol_r_m=100.0, fast=True, perigee_min_m=0.0)
        if dvl is not None:
            rf, vf = propagate_j2(r0, v0 + dvl, tof, model)
            starts.append((float(np.linalg.norm(dvl) + np.linalg.norm(v1 - vf)), 0.0, dvl, 0.0, np.zeros(3),
                           0.5 * tof, np.zeros(3)))
    if not starts:
        return _failed(f"optimal: no feasible start ({info.get('message', '')})", "optimal")
    starts.sort(key=lambda s: s[0])
    best, plan = None, None
    why = []
    # the cheapest start is often not the cheapest after polishing: polish several, then restart
    # L-BFGS-B once from the best (fresh curvature memory; on 10–18-day legs the first run
    # usually stops at its iteration limit)
    starts = starts[first_start:]
    if not starts:
        return _failed(f"optimal: no start beyond the first {first_start}", "optimal")
    n_start = min(n_polish, len(starts))
    for k in range(n_start + n_restart):
        if k < n_start:
            t0, dv0, t1, dv1, t2, dv2 = starts[k][1:]
        elif plan is not None:
            t0, dv0, t1, dv1, t2, dv2 = plan
        else:
            break
        out = optimise_four_impulses(
            r0, v0, r1, v1, tof, t0, dv0, t1, dv1, t2, dv2, model, t0_bounds_s=(0.0, 0.5 * tof),
            t1_bounds_s=(0.0, 0.5 * tof), t2_bounds_s=(0.5 * tof, tof - 0.2 * period), max_iter=max_iter)
        cost, msg = out[6], out[7]
        if best is not None and cost > best.dv_total_m_s + 1.0:
            continue
        tr = _finish(r0, v0, r1, v1, tof, t_dep, out[0:6:2], out[1:6:2], model, tol_r_m)
        if not tr.ok:
            why.append(tr.message)
            continue
        tr.details.update(start_m_s=starts[k][0] if k < n_start else best.details["start_m_s"], optimiser=msg,
                          estimate_m_s=float(est.dv_m_s), restarts=max(0, k + 1 - n_start))
        if best is None or tr.dv_total_m_s < best.dv_total_m_s:
            best, plan = tr, out[:6]
    if best is None:
        return _failed("optimal: " + "; ".join(why[:3]), "optimal")
    return best


def _finish(r0, v0, r1, v1, tof, t_dep, times, dvs, model, tol_r_m):
    """The flyable transfer of an optimised plan, with the accurate integrator: impulses ``dvs``
    at ``times`` (s from departure; the last one is re-shot by Newton to meet ``r1`` within
    ``tol_r_m``), arrival impulse matching ``v1`` exactly; the perigee of every arc is checked.
    Impulses less than a second apart are merged; the first event is always the departure.
    Epochs out of order or outside the flight are refused (a failure value, never a backwards arc)."""
    ts = [float(t) for t in times]
    if any(not 0.0 <= a <= b <= tof for a, b in zip([0.0, *ts], [*ts, tof])):
        return _failed(f"impulse epochs {[round(t, 1) for t in ts]} s are not ordered within 0..{tof:.1f} s",
                       "optimal")
    plan = [(0.0, np.zeros(3))]
    for t, dv in zip(times, dvs):
        t, dv = float(t), np.asarray(dv, float)
        if t - plan[-1][0] < 1.0:
            plan[-1] = (plan[-1][0], plan[-1][1] + dv)
        else:
            plan.append((t, dv))
    if len(plan) < 2:
        return _failed("a plan needs a mid-course impulse before arrival", "optimal")
    imps = []
    rp = math.inf
    r, v = r0, v0
    try:
        for k, (t, dv) in enumerate(plan):
            if k:
                r, v = propagate_j2(r, v, t - plan[k - 1][0], model)
            if k == len(plan) - 1:
                v_dep, rf, vf, miss, _ = shoot_j2(r, v + dv, r1, tof - t, model, tol_r_m)
                if not miss <= tol_r_m:
                    return _failed(f"final shooting missed by {miss:.3g} m", "optimal")
                dv = v_dep - v
            imps.append(Impulse(t_dep + t / DAY_S, r, v, dv))
            if k or float(dv @ dv) > 0:
                t_next = plan[k + 1][0] if k + 1 < len(plan) else tof
                rp = min(rp, perigee_radius_min_m(r, v + dv, t_next - t, model)[0])
            v = v + dv
    except PropagationError as e:
        return _failed(f"integration failed: {e}", "optimal")
    imps.append(Impulse(t_dep + tof / DAY_S, rf, vf, v1 - vf))
    tr = Transfer(tuple(imps), True, "ok", float(np.linalg.norm(rf - r1)), 0.0, rp, "optimal",
                  {"t_impulses_s": [t for t, _ in plan]})
    if rp < GTOC9_R_PERIGEE_MIN_M:
        return replace(tr, converged=False, message=f"perigee {rp / 1e3:.1f} km < 6600 km")
    return tr


def exact_transfer(debris, dep_id: int, t_dep_mjd2000_day: float, arr_id: int, t_arr_mjd2000_day: float,
                   mode: str = "auto", model: J2Model = GTOC9_J2_MODEL, tol_r_m: float = 1.0,
                   final_days: float = 1.0, n_starts: int = 3, first_start: int = 0) -> Transfer:
    """Flyable J2 transfer between two GTOC9 debris at fixed departure and arrival epochs.

    ``mode``: ``'optimal'`` (ΔV0 at t0 ≥ departure, ΔV1, ΔV2, arrival: two burns to enter a
    drift orbit, one to leave it, one to match the target; epochs and vectors optimised by
    :func:`optimise_four_impulses` from phasing-aware starts, see the module docstring),
    ``'direct'`` (two impulses), ``'drift'`` (departure impulse onto the drift orbit of the
    fast estimate, a deep-space impulse ``final_days`` (+ up to ¾ revolution) before arrival,
    arrival impulse; ``final_days`` is used by this mode only), or ``'auto'`` (optimal; if that
    fails, direct for legs up to 2 days and drift for legs over 1 day, the cheaper valid one).
    Arrival state matches the debris within ``tol_r_m`` (position) and exactly in velocity;
    the whole arc keeps perigee ≥ 6,600 km. ``n_starts``: how many of the cheapest starts the
    optimal mode polishes (the best is then polished once more when ``n_starts`` > 1);
    ``n_starts=1`` is ~3× faster; on the 200 benchmark legs of docs/gtoc9.md it was 2.4 % dearer
    in total (median leg +0.6 %, 18 % of legs over +5 %, worst +57 %). ``first_start``: the
    cheapest starts skipped (a leg flown before with them, polished again from the next ones).
    """
    tof_day = t_arr_mjd2000_day - t_dep_mjd2000_day
    if not tof_day > 0:
        return _failed(f"arrival epoch must follow departure (time of flight {tof_day} days)", mode)
    if mode not in ("auto", "optimal", "direct", "drift"):
        raise ValueError(f"mode must be 'auto', 'optimal', 'direct' or 'drift', not {mode!r}")
    args = (debris, dep_id, t_dep_mjd2000_day, arr_id, t_arr_mjd2000_day, model, tol_r_m)
    if mode in ("auto", "optimal"):
        tr = _optimal(*args, n_polish=n_starts, n_restart=1 if n_starts > 1 else 0, first_start=first_start)
        if tr.ok or mode == "optimal":
            return tr
        out = [tr]
    else:
        out = []
    if mode == "direct" or (mode == "auto" and tof_day <= 2.0):
        out.append(_direct(*args))
    if mode == "drift" or (mode == "auto" and tof_day > 1.0):
        out.append(_drift(*args, min(final_days, tof_day / 2)))
    good = [t for t in out if t.ok]
    if good:
        return min(good, key=lambda t: t.dv_total_m_s)
    return _failed("; ".join(t.message for t in out), mode)
