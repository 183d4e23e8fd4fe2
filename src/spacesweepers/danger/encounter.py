"""Encounter geometry for collision probability: frames, the encounter plane, and the
checks that tell whether a short-encounter (2D) Pc may be trusted.

Units of this numeric core: **metres, seconds, m², m/s** (the units of CDM covariances),
not the kilometres of the propagation core; every public name says its unit.
Arrays broadcast over a leading conjunction axis: positions ``(n, 3)``, covariances
``(n, 3, 3)`` or ``(n, 6, 6)``; a single conjunction may be given without the axis.

Conventions (NASA CARA, Foster 1992):

* relative state ``r = r1 - r2``, ``v = v1 - v2`` (primary minus secondary);
* combined covariance = sum of the two position covariances (no cross-correlation);
* encounter frame: ``y`` along ``v``, ``z`` along ``r × v``, ``x = y × z``; the 2D
  problem lives in the ``x–z`` plane and the miss vector is put on ``x`` with its **full
  3D length** ``|r|`` (CARA ``Pc2D_Foster``), so a state a few ms off TCA does not
  shrink the miss distance;
* RTN (radial, transverse, normal) of an object from its *inertial* state;
  CDM covariances are rotated RTN → inertial block-diagonally ``diag(M, M)``, as CARA's
  tools do (the ω × r term of a rotating frame is not applied to covariances).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import erfcinv

MU_EARTH_M3_S2 = 3.986004418e14  # EGM-96, as CARA's Pc tools use
OMEGA_EARTH_RAD_S = 7.292115146706979e-5  # IERS Earth rotation rate (rate of the ERA)

# Usage-violation thresholds recommended by CARA (UsageViolationPc2D.m)
EXTENDED_LIMIT = 0.02  # 2*dtau / shortest period
OFFSET_LIMIT = 0.01  # max(|Ta|, |Tb|) / shortest period
CONJ_DURATION_GAMMA = 1e-16  # tail probability that bounds the encounter in time
FCLIP = 1e-4  # eigenvalues clipped to (FCLIP * HBR)^2, as CARA does

# status codes of an encounter (failure is data, not an exception)
OK = 0
ZERO_RELATIVE_VELOCITY = 1
IDENTICAL_OBJECTS = 2
BAD_COVARIANCE = 3
BAD_INPUT = 4

STATUS_MESSAGES = {
    OK: "ok",
    ZERO_RELATIVE_VELOCITY: "zero relative velocity: no encounter plane exists; the 2D Pc is undefined "
    "(use the Monte Carlo encounter Pc)",
    IDENTICAL_OBJECTS: "identical objects: same position and velocity, the two states describe one object",
    BAD_COVARIANCE: "covariance is not finite or not symmetric and cannot be repaired",
    BAD_INPUT: "position, velocity or hard-body radius is not finite, or the radius is negative",
}


def _v(a, n=3):
    a = np.asarray(a, dtype=float)
    return a[None, :] if a.ndim == 1 else a


def _m(a):
    a = np.asarray(a, dtype=float)
    return a[None, :, :] if a.ndim == 2 else a


def _unit(a):
    n = np.linalg.norm(a, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return a / n


# --- frames ------------------------------------------------------------------------
def rtn_matrix(r_m, v_m_s) -> np.ndarray:
    """Rotation whose rows are the R, T, N axes of each state, shape ``(n, 3, 3)``:
    ``x_rtn = M @ x_inertial``. R = r/|r|, N = r × v/|r × v|, T = N × R."""
    r, v = _v(r_m), _v(v_m_s)
    R = _unit(r)
    N = _unit(np.cross(r, v))
    T = np.cross(N, R)
    return np.stack([R, T, N], axis=-2)


def cov_rtn_to_inertial(cov_rtn, r_m, v_m_s) -> np.ndarray:
    """Rotate 3x3 or 6x6 RTN covariances to the inertial frame of the state (block diagonal)."""
    c = _m(cov_rtn)
    M = rtn_matrix(r_m, v_m_s)
    k = c.shape[-1] // 3
    B = np.zeros((M.shape[0], 3 * k, 3 * k))
    for i in range(k):
        B[..., 3 * i : 3 * i + 3, 3 * i : 3 * i + 3] = M
    Bt = np.swapaxes(B, -1, -2)
    return Bt @ c @ B


def cov_inertial_to_rtn(cov, r_m, v_m_s) -> np.ndarray:
    """Inverse of :func:`cov_rtn_to_inertial`."""
    c = _m(cov)
    M = rtn_matrix(r_m, v_m_s)
    k = c.shape[-1] // 3
    B = np.zeros((M.shape[0], 3 * k, 3 * k))
    for i in range(k):
        B[..., 3 * i : 3 * i + 3, 3 * i : 3 * i + 3] = M
    return B @ c @ np.swapaxes(B, -1, -2)


def itrf_to_gcrs(r_m, v_m_s, time):
    """Earth-fixed (ITRF) states to the inertial GCRS at ``time`` (a :class:`~spacesweepers.time.Time`).

    Uses skyfield's ``itrs`` frame with its built-in timescale (UT1 from the bundled
    ΔT/IERS table, IAU 2000A/2006 precession–nutation). **Polar motion is ignored**
    (≤ 0.5″, i.e. ≤ 17 m of position at LEO and a common rotation of both objects,
    which leaves the Pc unchanged). The velocity gets the Earth's rotation added back:
    ``v_i = Rᵀ (v_f + ω × r_f)``. GCRS and EME2000 differ by the 23 mas frame bias,
    a common rotation that does not change the Pc either.
    """
    from skyfield.framelib import itrs

    r, v = _v(r_m), _v(v_m_s)
    R = np.asarray(itrs.rotation_at(time.skyfield))  # GCRS -> ITRS
    if R.ndim == 3:  # skyfield puts the time axis last
        R = np.moveaxis(R, -1, 0)
    else:
        R = np.broadcast_to(R, (r.shape[0], 3, 3))
    w = np.array([0.0, 0.0, OMEGA_EARTH_RAD_S])
    v_inert_f = v + np.cross(w, r)
    Rt = np.swapaxes(R, -1, -2)
    return np.einsum("nij,nj->ni", Rt, r), np.einsum("nij,nj->ni", Rt, v_inert_f)


def gcrs_to_itrf(r_m, v_m_s, time):
    """Inverse of :func:`itrf_to_gcrs` (same approximations)."""
    from skyfield.framelib import itrs

    r, v = _v(r_m), _v(v_m_s)
    R = np.asarray(itrs.rotation_at(time.skyfield))
    if R.ndim == 3:
        R = np.moveaxis(R, -1, 0)
    else:
        R = np.broadcast_to(R, (r.shape[0], 3, 3))
    rf = np.einsum("nij,nj->ni", R, r)
    vf = np.einsum("nij,nj->ni", R, v) - np.cross(np.array([0.0, 0.0, OMEGA_EARTH_RAD_S]), rf)
    return rf, vf


# --- covariance repair ------------------------------------------------------------------
def repair_psd(cov, floor):
    """Nearest positive-definite matrix by eigenvalue clipping (Hall et al. 2017, as CARA's
    ``CovRemEigValClip``): eigenvalues below ``floor`` (per matrix, broadcast) become ``floor``.
    Returns ``(repaired, was_repaired, was_npd)`` where ``was_npd`` marks a non-positive
    eigenvalue in the input."""
    c = _m(cov)
    c = 0.5 * (c + np.swapaxes(c, -1, -2))
    lam, V = np.linalg.eigh(c)
    floor = np.asarray(floor, dtype=float).reshape(-1, 1)
    npd = np.any(lam <= 0.0, axis=-1)
    rep = np.any(lam < floor, axis=-1)
    lam = np.maximum(lam, floor)
    return (V * lam[..., None, :]) @ np.swapaxes(V, -1, -2), rep, npd


def _npd3(c):
    """Non-positive definite 3x3 (symmetrised) matrices, by Sylvester's criterion; NaN counts as NPD."""
    c = 0.5 * (c + np.swapaxes(c, -1, -2))
    m1 = c[..., 0, 0]
    m2 = c[..., 0, 0] * c[..., 1, 1] - c[..., 0, 1] ** 2
    m3 = (c[..., 0, 0] * (c[..., 1, 1] * c[..., 2, 2] - c[..., 1, 2] ** 2)
          - c[..., 0, 1] * (c[..., 0, 1] * c[..., 2, 2] - c[..., 1, 2] * c[..., 0, 2])
          + c[..., 0, 2] * (c[..., 0, 1] * c[..., 1, 2] - c[..., 1, 1] * c[..., 0, 2]))  # det, closed form
    with np.errstate(invalid="ignore"):
        return ~((m1 > 0) & (m2 > 0) & (m3 > 0))


def _repair_2x2(C, floor):
    """Closed-form eigenvalue clipping of symmetric 2x2 matrices (same result as :func:`repair_psd`)."""
    p, q, r = C[:, 0, 0], 0.5 * (C[:, 0, 1] + C[:, 1, 0]), C[:, 1, 1]
    mean, rad = 0.5 * (p + r), np.hypot(0.5 * (p - r), q)
    l1, l2 = mean + rad, mean - rad
    rep = l2 < floor
    if not np.any(rep):
        return np.stack([np.stack([p, q], -1), np.stack([q, r], -1)], -2), rep
    phi = 0.5 * np.arctan2(2 * q, p - r)
    c, s = np.cos(phi), np.sin(phi)
    l1, l2 = np.maximum(l1, floor), np.maximum(l2, floor)
    out = np.empty_like(C)
    out[:, 0, 0] = l1 * c * c + l2 * s * s
    out[:, 1, 1] = l1 * s * s + l2 * c * c
    out[:, 0, 1] = out[:, 1, 0] = (l1 - l2) * c * s
    return out, rep


# --- the encounter plane ----------------------------------------------------------------------
@dataclass(frozen=True)
class EncounterPlane:
    """Conjunctions projected into their encounter planes (arrays of shape ``(n,)``).

    ``x_m``/``z_m``: centre of the hard-body circle in the plane (``x_m = |r|``, ``z_m = 0``);
    ``cov_m2``: ``(n, 2, 2)`` combined covariance in the plane after repair;
    ``status``: one of the codes in :data:`STATUS_MESSAGES`; ``remediated``: the plane
    covariance was not positive definite (or nearly so) and its eigenvalues were clipped;
    ``npd``: which of primary / secondary / combined 3x3 covariances had a non-positive
    eigenvalue, ``(n, 3)``.
    """

    miss_m: np.ndarray
    rel_speed_m_s: np.ndarray
    x_m: np.ndarray
    z_m: np.ndarray
    cov_m2: np.ndarray
    hbr_m: np.ndarray
    status: np.ndarray
    remediated: np.ndarray
    npd: np.ndarray

    def __len__(self):
        return self.miss_m.shape[0]


def encounter_plane(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m) -> EncounterPlane:
    """Project conjunctions at TCA into their encounter planes (see the module notes).

    Positions/velocities are inertial (m, m/s), covariances inertial 3x3 or 6x6 (m², …);
    only the position block is used.
    """
    r1, v1, r2, v2 = _v(r1_m), _v(v1_m_s), _v(r2_m), _v(v2_m_s)
    hbr = np.asarray(hbr_m, dtype=float).reshape(-1)
    c1, c2 = _m(cov1_m2)[..., :3, :3], _m(cov2_m2)[..., :3, :3]
    n = max(r1.shape[0], r2.shape[0], v1.shape[0], v2.shape[0], c1.shape[0], c2.shape[0], hbr.shape[0])
    r1, v1, r2, v2 = (np.broadcast_to(a, (n, 3)) for a in (r1, v1, r2, v2))
    c1 = np.broadcast_to(c1, (n, 3, 3))
    c2 = np.broadcast_to(c2, (n, 3, 3))
    hbr = np.broadcast_to(hbr, (n,)).copy()

    r = r1 - r2
    v = v1 - v2
    miss = np.linalg.norm(r, axis=-1)
    speed = np.linalg.norm(v, axis=-1)
    scale = np.maximum(np.linalg.norm(v1, axis=-1), np.linalg.norm(v2, axis=-1))
    status = np.zeros(n, dtype=np.int8)

    bad_in = ~(np.all(np.isfinite(r), -1) & np.all(np.isfinite(v), -1) & ~np.isnan(hbr) & (hbr >= 0))
    zero_v = ~bad_in & (speed <= 1e-12 * np.maximum(scale, 1.0))
    same = zero_v & (miss <= 1e-9 * np.maximum(np.linalg.norm(r1, axis=-1), 1.0))
    status[zero_v] = ZERO_RELATIVE_VELOCITY
    status[same] = IDENTICAL_OBJECTS
    status[bad_in] = BAD_INPUT

    # encounter frame
    with np.errstate(invalid="ignore", divide="ignore"):
        y = v / speed[:, None]
    y[status != OK] = (1.0, 0.0, 0.0)
    h = np.cross(r, y)
    hn = np.linalg.norm(h, axis=-1)
    degenerate = hn <= 1e-12 * np.maximum(miss, 1.0)  # zero miss or miss along v
    if np.any(degenerate):
        # any axis perpendicular to y will do: the problem is symmetric about y
        trial = np.where(np.abs(y[:, :1]) < 0.9, np.array([[1.0, 0, 0]]), np.array([[0, 1.0, 0]]))
        h = np.where(degenerate[:, None], np.cross(y, trial), h)
        hn = np.linalg.norm(h, axis=-1)
    z = h / hn[:, None]
    x = np.cross(y, z)
    P = np.stack([x, z], axis=-2)  # (n, 2, 3)

    C = c1 + c2
    cov_ok = np.all(np.isfinite(C), axis=(-1, -2))
    status[(~cov_ok) & (status == OK)] = BAD_COVARIANCE
    Cs = np.where(cov_ok[:, None, None], C, np.eye(3))
    Cp = P @ Cs @ np.swapaxes(P, -1, -2)
    floor = (FCLIP * np.where((hbr > 0) & np.isfinite(hbr), hbr, 1.0)) ** 2
    Cp, remediated = _repair_2x2(Cp, floor)
    npd = np.stack([_npd3(c1), _npd3(c2), _npd3(C)], axis=-1)
    return EncounterPlane(
        miss_m=miss, rel_speed_m_s=speed, x_m=miss.copy(), z_m=np.zeros(n), cov_m2=Cp,
        hbr_m=hbr, status=status, remediated=remediated & cov_ok, npd=npd,
    )


# --- usage violations of the 2D method -------------------------------------------------------
@dataclass(frozen=True)
class UsageViolations:
    """CARA's rectilinear usage-violation indicators of the 2D Pc (arrays of shape ``(n,)``).

    ``extended`` = 2·Δτ / shortest period (> 0.02 is a violation); ``offset`` =
    max(|Ta|, |Tb|) / shortest period (> 0.01 is a violation), where ``[Ta, Tb]`` is the
    time interval, relative to TCA, outside which the encounter contributes less than
    γ = 1e-16 (Coppola 2012 bounds in the small-HBR limit). ``npd`` marks a non-positive
    definite primary, secondary or relative position covariance. ``violated`` is true when
    any of these fail, or when the encounter has no plane (zero relative velocity).
    """

    extended: np.ndarray
    offset: np.ndarray
    t_a_s: np.ndarray
    t_b_s: np.ndarray
    period_min_s: np.ndarray
    npd: np.ndarray
    violated: np.ndarray

    def reasons(self, k: int = 0) -> list[str]:
        out = []
        if not np.isfinite(self.extended[k]) or self.extended[k] > EXTENDED_LIMIT:
            out.append(f"extended encounter: duration {self.t_b_s[k] - self.t_a_s[k]:.4g} s is "
                       f"{self.extended[k]:.3g} of the shortest orbital period (limit {EXTENDED_LIMIT})")
        if np.isfinite(self.extended[k]) and self.offset[k] > OFFSET_LIMIT:
            out.append(f"offset encounter: it reaches {max(abs(self.t_a_s[k]), abs(self.t_b_s[k])):.4g} s from TCA, "
                       f"{self.offset[k]:.3g} of the shortest period (limit {OFFSET_LIMIT})")
        names = ("primary", "secondary", "relative")
        for i in range(3):
            if self.npd[k, i]:
                out.append(f"{names[i]} position covariance is not positive definite (repaired by eigenvalue clipping)")
        return out


def orbit_period_s(r_m, v_m_s, mu=MU_EARTH_M3_S2):
    r, v = _v(r_m), _v(v_m_s)
    rn = np.linalg.norm(r, axis=-1)
    energy = 0.5 * np.sum(v * v, -1) - mu / rn
    with np.errstate(invalid="ignore", divide="ignore"):
        a = -mu / (2 * energy)
        return np.where(a > 0, 2 * np.pi * np.sqrt(np.abs(a) ** 3 / mu), np.inf)


def usage_violations(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m) -> UsageViolations:
    """Detect conjunctions where the short-encounter assumptions of the 2D Pc fail,
    the way NASA CARA's ``UsageViolationPc2D`` does in its rectilinear stage."""
    r1, v1, r2, v2 = _v(r1_m), _v(v1_m_s), _v(r2_m), _v(v2_m_s)
    hbr = np.asarray(hbr_m, dtype=float).reshape(-1)
    c1, c2 = _m(cov1_m2)[..., :3, :3], _m(cov2_m2)[..., :3, :3]
    n = max(r1.shape[0], r2.shape[0], v1.shape[0], v2.shape[0], c1.shape[0], c2.shape[0], hbr.shape[0])
    r1, v1, r2, v2 = (np.broadcast_to(a, (n, 3)) for a in (r1, v1, r2, v2))
    c1 = np.broadcast_to(c1, (n, 3, 3))
    c2 = np.broadcast_to(c2, (n, 3, 3))
    hbr = np.broadcast_to(hbr, (n,)).copy()
    r = r2 - r1
    v = v2 - v1
    A, _, rel_npd = repair_psd(c1 + c2, (FCLIP * np.where((hbr > 0) & np.isfinite(hbr), hbr, 1.0)) ** 2)
    Ainv = np.linalg.inv(A)
    rAv = np.einsum("ni,nij,nj->n", r, Ainv, v)
    vAv = np.einsum("ni,nij,nj->n", v, Ainv, v)
    with np.errstate(invalid="ignore", divide="ignore"):
        T = np.where(rAv == 0, 0.0, -rAv / vAv)
        sigma_t = 1.0 / np.sqrt(vAv)
    dtau = sigma_t * np.sqrt(2.0) * erfcinv(CONJ_DURATION_GAMMA)
    ta, tb = T - dtau, T + dtau
    pmin = np.minimum(orbit_period_s(r1, v1), orbit_period_s(r2, v2))
    with np.errstate(invalid="ignore"):
        extended = np.minimum(1.0, 2 * dtau / pmin)
        offset = np.minimum(1.0, np.maximum(np.abs(ta), np.abs(tb)) / pmin)
    extended = np.where(np.isfinite(dtau), extended, 1.0)
    offset = np.where(np.isfinite(dtau), offset, 1.0)

    def _npd(c):
        return np.any(np.linalg.eigvalsh(0.5 * (c + np.swapaxes(c, -1, -2))) <= 0, axis=-1)

    npd = np.stack([_npd(c1), _npd(c2), rel_npd], axis=-1)
    violated = (extended > EXTENDED_LIMIT) | (offset > OFFSET_LIMIT) | npd.any(-1) | ~np.isfinite(dtau)
    return UsageViolations(extended, offset, ta, tb, pmin, npd, violated)


# --- two-body propagation for Monte Carlo over the encounter ----------------------------------
def _elements(r, v, mu):
    """Vectorised elliptic elements: a, e, P, Q unit vectors, mean anomaly at t=0, mean motion."""
    rn = np.linalg.norm(r, axis=-1)
    h = np.cross(r, v)
    evec = np.cross(v, h) / mu - r / rn[:, None]
    e = np.linalg.norm(evec, axis=-1)
    energy = 0.5 * np.sum(v * v, -1) - mu / rn
    a = -mu / (2 * energy)
    hn = np.linalg.norm(h, axis=-1)
    W = h / hn[:, None]
    # perigee direction; for near-circular orbits any in-plane direction works
    small = e < 1e-11
    Pv = np.where(small[:, None], r / rn[:, None], evec / np.where(small, 1.0, e)[:, None])
    Qv = np.cross(W, Pv)
    x, y = np.sum(r * Pv, -1), np.sum(r * Qv, -1)
    b = a * np.sqrt(np.maximum(1 - e * e, 0.0))
    cosE = x / a + e
    sinE = y / b
    E0 = np.arctan2(sinE, cosE)
    M0 = E0 - e * np.sin(E0)
    n = np.sqrt(mu / np.abs(a) ** 3)
    return a, e, Pv, Qv, M0, n, b


class _Kepler:
    """Many elliptic two-body orbits propagated together (warm-started Newton on Kepler's equation)."""

    def __init__(self, r, v, mu=MU_EARTH_M3_S2):
        self.a, self.e, self.P, self.Q, self.M0, self.n, self.b = _elements(r, v, mu)
        self.ok = (self.e < 0.99) & (self.a > 0) & np.isfinite(self.a)
        self.E = self.M0.copy()

    def at(self, t):
        M = self.M0 + self.n * t
        E, e = self.E, self.e
        for _ in range(30):
            f = E - e * np.sin(E) - M
            dE = f / (1 - e * np.cos(E))
            E = E - dE
            if np.max(np.abs(dE)) < 1e-13:
                break
        self.E = E
        c, s = np.cos(E), np.sin(E)
        rr = (self.a * (c - e))[:, None] * self.P + (self.b * s)[:, None] * self.Q
        edot = self.n / (1 - e * c)
        vv = (-self.a * s * edot)[:, None] * self.P + (self.b * c * edot)[:, None] * self.Q
        return rr, vv


def _sample(mean6, cov6, n, rng):
    cov, _, _ = repair_psd(cov6, 0.0)
    lam, V = np.linalg.eigh(cov[0])
    L = V * np.sqrt(np.maximum(lam, 0.0))
    return mean6 + rng.standard_normal((n, 6)) @ L.T


def min_distance_two_body(r1, v1, r2, v2, t_start_s, t_stop_s, hbr_m, mu=MU_EARTH_M3_S2, steps_per_period=256):
    """For many pairs of inertial states at t=0, whether the two-body trajectories come
    within ``hbr_m`` of each other during ``[t_start_s, t_stop_s]``; returns the boolean hits
    and the minimum distance found (m).

    Nodes every period/``steps_per_period`` seconds; between nodes the relative state is
    interpolated by a cubic Hermite polynomial (position and velocity at both ends) in the
    intervals that can reach the hard body, and its minimum searched on 64 sub-steps.
    """
    o1, o2 = _Kepler(r1, v1, mu), _Kepler(r2, v2, mu)
    pmin = np.nanmin(np.minimum(2 * np.pi / o1.n, 2 * np.pi / o2.n))
    dt = pmin / steps_per_period
    nstep = max(1, int(np.ceil((t_stop_s - t_start_s) / dt)))
    ts = np.linspace(t_start_s, t_stop_s, nstep + 1)
    h = ts[1] - ts[0]
    s = np.linspace(0.0, 1.0, 65)
    h00, h10 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s
    h01, h11 = -2 * s**3 + 3 * s**2, s**3 - s**2
    m = r1.shape[0]
    dmin = np.full(m, np.inf)
    p1, q1 = o1.at(ts[0])
    p2, q2 = o2.at(ts[0])
    rp, vp = p1 - p2, q1 - q2
    dmin = np.minimum(dmin, np.linalg.norm(rp, axis=-1))
    for t in ts[1:]:
        p1, q1 = o1.at(t)
        p2, q2 = o2.at(t)
        rc, vc = p1 - p2, q1 - q2
        dc = np.linalg.norm(rc, axis=-1)
        dmin = np.minimum(dmin, dc)
        dp = np.linalg.norm(rp, axis=-1)
        reach = np.minimum(dp, dc) - 0.5 * h * np.maximum(np.linalg.norm(vp, axis=-1), np.linalg.norm(vc, axis=-1))
        cand = np.nonzero(reach < hbr_m)[0]
        if cand.size:
            a0, a1, b0, b1 = rp[cand], rc[cand], vp[cand] * h, vc[cand] * h
            curve = (h00[None, :, None] * a0[:, None, :] + h10[None, :, None] * b0[:, None, :]
                     + h01[None, :, None] * a1[:, None, :] + h11[None, :, None] * b1[:, None, :])
            dmin[cand] = np.minimum(dmin[cand], np.linalg.norm(curve, axis=-1).min(axis=1))
        rp, vp = rc, vc
    ok = o1.ok & o2.ok
    return (dmin < hbr_m) & ok, np.where(ok, dmin, np.nan)


@dataclass(frozen=True)
class MonteCarloResult:
    pc: float
    hits: int
    trials: int
    ci_low: float
    ci_high: float
    confidence: float
    t_start_s: float
    t_stop_s: float
    seed: int | None


def clopper_pearson(hits, trials, confidence=0.95):
    """Exact (Clopper–Pearson) binomial confidence interval for ``hits/trials``."""
    from scipy.stats import beta

    a = 1.0 - confidence
    hits = np.asarray(hits)
    lo = np.where(hits > 0, beta.ppf(a / 2, hits, trials - hits + 1), 0.0)
    hi = np.where(hits < trials, beta.ppf(1 - a / 2, hits + 1, trials - hits), 1.0)
    return lo, hi


MC_WINDOWS = ("rectilinear", "segment")


def pc_monte_carlo_encounter(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m, *, trials=100_000,
                             seed=0, t_start_s=None, t_stop_s=None, window="rectilinear", confidence=0.95,
                             batch=50_000, mu=MU_EARTH_M3_S2) -> MonteCarloResult:
    """Monte Carlo Pc of ONE conjunction over its whole encounter, with two-body motion.

    Each trial draws both 6D inertial states at TCA from their 6x6 covariances (repaired to
    the nearest positive semi-definite matrix), propagates them on Kepler orbits over
    ``[t_start_s, t_stop_s]`` and counts a hit when they come within ``hbr_m``. This holds
    where the 2D method does not: slow, long or curved encounters. Seeded
    (``numpy.random.default_rng(seed)``), so repeatable.

    Time span when ``t_start_s``/``t_stop_s`` are not given:

    * ``window="rectilinear"`` (default): CARA's encounter interval ``[Ta, Tb]`` from
      :func:`usage_violations`, widened to contain TCA and clamped to half the shortest
      period either side. Right for LEO encounters of minutes (Alfano 2009 cases 6, 7, 8,
      11); too short for slow GEO encounters whose relative motion curves over hours
      (Alfano cases 1, 2 and 4 lose a third, half and all of their Pc).
    * ``window="segment"``: the whole conjunction segment, ±half the shortest period around
      TCA (the bound CARA's 3D-Nc method applies). Reproduces those GEO cases; in LEO it also
      counts approaches up to half an orbit away (Alfano case 6: 3x the published Pc).

    The Pc of a long encounter depends on the span it is counted over; Alfano's and CARA's
    published values use per-case spans that a CDM does not carry (docs/danger.md).
    """
    if window not in MC_WINDOWS:
        raise ValueError(f"window must be one of {MC_WINDOWS}, got {window!r}")
    r1, v1, r2, v2 = (np.asarray(a, float).reshape(3) for a in (r1_m, v1_m_s, r2_m, v2_m_s))
    c1 = np.asarray(cov1_m2, float)
    c2 = np.asarray(cov2_m2, float)
    if c1.shape != (6, 6) or c2.shape != (6, 6):
        raise ValueError("the encounter Monte Carlo needs 6x6 position/velocity covariances for both objects")
    if t_start_s is None or t_stop_s is None:
        uv = usage_violations(r1, v1, c1, r2, v2, c2, hbr_m)
        half = 0.5 * float(uv.period_min_s[0])
        if window == "segment":
            ta, tb = -half, half
        else:  # the rectilinear bounds, always containing TCA
            ta = min(float(uv.t_a_s[0]), 0.0) if np.isfinite(uv.t_a_s[0]) else -half
            tb = max(float(uv.t_b_s[0]), 0.0) if np.isfinite(uv.t_b_s[0]) else half
        t_start_s = max(ta, -half) if t_start_s is None else t_start_s
        t_stop_s = min(tb, half) if t_stop_s is None else t_stop_s
    rng = np.random.default_rng(seed)
    hits = 0
    done = 0
    m1 = np.concatenate([r1, v1])
    m2 = np.concatenate([r2, v2])
    while done < trials:
        k = min(batch, trials - done)
        s1 = _sample(m1, c1, k, rng)
        s2 = _sample(m2, c2, k, rng)
        hit, _ = min_distance_two_body(s1[:, :3], s1[:, 3:], s2[:, :3], s2[:, 3:], t_start_s, t_stop_s, hbr_m, mu)
        hits += int(hit.sum())
        done += k
    lo, hi = clopper_pearson(hits, trials, confidence)
    return MonteCarloResult(hits / trials, hits, trials, float(lo), float(hi), confidence,
                            float(t_start_s), float(t_stop_s), seed)
