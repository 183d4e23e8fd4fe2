"""Multi-revolution Lambert solver (Izzo 2015, "Revisiting Lambert's problem", CMDA 121).

Written from the paper's Algorithms 1–2: Householder iterations on the x variable of the
non-dimensional time-of-flight equation, the Lancaster–Blanchard hypergeometric series near
x = 1, Halley iterations for the minimum time of each multi-revolution family, and the
corrected M = 0 initial guess (poliastro issue 1362).

Units are whatever the caller uses consistently (SI in Space Sweepers: m, s, m³/s²).

Direction of motion: Izzo's "prograde" means h_z ≥ 0, which is ambiguous for the polar and
Sun-synchronous orbits of debris removal. Here the caller passes ``h_ref``, an angular
momentum direction (usually the departure orbit's); the transfer moves the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import SweepersError

__all__ = ["LambertSolution", "lambert_izzo", "LambertError"]


class LambertError(SweepersError):
    """The Lambert problem has no solution for the requested revolutions or is degenerate."""


@dataclass(frozen=True)
class LambertSolution:
    """One solution: ``revs`` complete revolutions, ``branch`` 'single', 'left' or 'right'."""

    v1: np.ndarray
    v2: np.ndarray
    revs: int
    branch: str


def _y(x, ll):
    return math.sqrt(1.0 - ll * ll * (1.0 - x * x))


def _psi(x, y, ll):
    if -1.0 <= x < 1.0:
        return math.acos(max(-1.0, min(1.0, x * y + ll * (1.0 - x * x))))
    if x > 1.0:
        return math.asinh((y - x * ll) * math.sqrt(x * x - 1.0))
    return 0.0


def _hyp2f1b(x):
    """₂F₁(3, 1; 5/2; x) by its series (converges for x < 1)."""
    if x >= 1.0:
        return math.inf
    res, term, k = 1.0, 1.0, 0
    while True:
        term *= (3.0 + k) * (1.0 + k) / (2.5 + k) * x / (k + 1.0)
        old = res
        res += term
        if res == old or k > 1000:
            return res
        k += 1


def _tof(x, y, ll, m):
    """Non-dimensional time of flight T(x)."""
    if m == 0 and math.sqrt(0.6) < x < math.sqrt(1.4):
        eta = y - ll * x
        s1 = (1.0 - ll - x * eta) * 0.5
        q = 4.0 / 3.0 * _hyp2f1b(s1)
        return (eta**3 * q + 4.0 * ll * eta) * 0.5
    psi = _psi(x, y, ll)
    return ((psi + m * math.pi) / math.sqrt(abs(1.0 - x * x)) - x + ll * y) / (1.0 - x * x)


def _d1(x, y, t, ll):
    return (3.0 * t * x - 2.0 + 2.0 * ll**3 * x / y) / (1.0 - x * x)


def _d2(x, y, t, d1, ll):
    return (3.0 * t + 5.0 * x * d1 + 2.0 * (1.0 - ll * ll) * ll**3 / y**3) / (1.0 - x * x)


def _d3(x, y, d1, d2, ll):
    return (7.0 * x * d2 + 8.0 * d1 - 6.0 * (1.0 - ll * ll) * ll**5 * x / y**5) / (1.0 - x * x)


def _householder(x0, t_target, ll, m, tol=1e-13, maxiter=60):
    x = x0
    for _ in range(maxiter):
        y = _y(x, ll)
        t = _tof(x, y, ll, m)
        f = t - t_target
        f1 = _d1(x, y, t, ll)
        f2 = _d2(x, y, t, f1, ll)
        f3 = _d3(x, y, f1, f2, ll)
        den = f1 * (f1 * f1 - f * f2) + f3 * f * f / 6.0
        if den == 0.0:
            break
        xn = x - f * (f1 * f1 - f * f2 / 2.0) / den
        if not math.isfinite(xn):
            return math.nan
        if abs(xn - x) < tol * max(1.0, abs(x)):
            return xn
        x = xn
    return x if abs(_tof(x, _y(x, ll), ll, m) - t_target) < 1e-9 * t_target else math.nan


def _t_min(ll, m, tol=1e-13, maxiter=60):
    """x and T at the minimum time of flight of the m-revolution family (Halley)."""
    if ll == 1.0:
        return 0.0, _tof(0.0, 1.0, ll, m)
    if m == 0:
        return math.inf, 0.0
    x = 0.1
    for _ in range(maxiter):
        y = _y(x, ll)
        t = _tof(x, y, ll, m)
        f1 = _d1(x, y, t, ll)
        f2 = _d2(x, y, t, f1, ll)
        f3 = _d3(x, y, f1, f2, ll)
        xn = x - 2.0 * f1 * f2 / (2.0 * f2 * f2 - f1 * f3)
        if abs(xn - x) < tol:
            x = xn
            break
        x = xn
    return x, _tof(x, _y(x, ll), ll, m)


def lambert_izzo(r1, r2, tof: float, mu: float, h_ref=None, max_revs: int | None = None) -> list[LambertSolution]:
    """Every Lambert solution from ``r1`` to ``r2`` in ``tof`` (all revolution counts).

    ``h_ref``: direction of motion (angular momentum vector); default +z (Izzo's prograde).
    ``max_revs`` caps the number of complete revolutions. Returns the zero-revolution
    solution first, then for each M ≥ 1 the two solutions ('left', 'right'). Raises
    :class:`LambertError` for a degenerate geometry (r1 ∥ r2 with unknown plane) or tof ≤ 0.
    """
    r1 = np.asarray(r1, dtype=float)
    r2 = np.asarray(r2, dtype=float)
    if not tof > 0:
        raise LambertError(f"time of flight must be positive, got {tof} s")
    r1n, r2n = float(np.linalg.norm(r1)), float(np.linalg.norm(r2))
    c = r2 - r1
    cn = float(np.linalg.norm(c))
    s = 0.5 * (r1n + r2n + cn)
    ir1, ir2 = r1 / r1n, r2 / r2n
    ih = np.cross(ir1, ir2)
    ihn = float(np.linalg.norm(ih))
    href = np.array([0.0, 0.0, 1.0]) if h_ref is None else np.asarray(h_ref, dtype=float)
    if ihn < 1e-12:
        # collinear: the plane is the reference one
        ih = href / np.linalg.norm(href)
        ih = ih - np.dot(ih, ir1) * ir1
        if np.linalg.norm(ih) < 1e-12:
            raise LambertError("r1 and r2 are collinear and h_ref lies along them: the transfer plane is undefined")
        ih /= np.linalg.norm(ih)
    else:
        ih = ih / ihn
    ll = math.sqrt(max(0.0, 1.0 - min(1.0, cn / s)))
    if np.dot(ih, href) < 0:
        ll = -ll
        ih = -ih
    it1, it2 = np.cross(ih, ir1), np.cross(ih, ir2)
    t_nd = math.sqrt(2.0 * mu / s**3) * tof

    # --- find all x (Algorithm 2) ---
    m_max = int(math.floor(t_nd / math.pi))
    t00 = math.acos(ll) + ll * math.sqrt(1.0 - ll * ll)
    if m_max > 0 and t_nd < t00 + m_max * math.pi:
        _, tmin = _t_min(ll, m_max)
        if t_nd < tmin:
            m_max -= 1
    if max_revs is not None:
        m_max = min(m_max, max_revs)
    xs: list[tuple[float, int, str]] = []
    t1 = 2.0 / 3.0 * (1.0 - ll**3)
    if t_nd >= t00:
        x0 = (t00 / t_nd) ** (2.0 / 3.0) - 1.0
    elif t_nd < t1:
        x0 = 2.5 * t1 / t_nd * (t1 - t_nd) / (1.0 - ll**5) + 1.0
    else:
        x0 = math.exp(math.log(2.0) * math.log(t_nd / t00) / math.log(t1 / t00)) - 1.0
    xs.append((_householder(x0, t_nd, ll, 0), 0, "single"))
    for m in range(1, m_max + 1):
        k = ((m * math.pi + math.pi) / (8.0 * t_nd)) ** (2.0 / 3.0)
        x0l = (k - 1.0) / (k + 1.0)
        k = ((8.0 * t_nd) / (m * math.pi)) ** (2.0 / 3.0)
        x0r = (k - 1.0) / (k + 1.0)
        xs.append((_householder(x0l, t_nd, ll, m), m, "left"))
        xs.append((_householder(x0r, t_nd, ll, m), m, "right"))

    gamma = math.sqrt(mu * s / 2.0)
    rho = (r1n - r2n) / cn if cn > 0 else 0.0
    sigma = math.sqrt(max(0.0, 1.0 - rho * rho))
    out = []
    seen = []
    for x, m, branch in xs:
        if not math.isfinite(x) or x <= -1.0:
            continue
        if any(mm == m and abs(x - xx) < 1e-9 for xx, mm in seen):
            continue  # both branches converged to the same root
        seen.append((x, m))
        y = _y(x, ll)
        vr1 = gamma * ((ll * y - x) - rho * (ll * y + x)) / r1n
        vr2 = -gamma * ((ll * y - x) + rho * (ll * y + x)) / r2n
        vt1 = gamma * sigma * (y + ll * x) / r1n
        vt2 = gamma * sigma * (y + ll * x) / r2n
        out.append(LambertSolution(vr1 * ir1 + vt1 * it1, vr2 * ir2 + vt2 * it2, m, branch))
    return out
