"""Probability of collision (Pc) of conjunctions, vectorised over many at once.

Units: metres, m², m/s (see :mod:`.encounter`). Methods:

* :func:`pc_foster` — 2D short-encounter Pc (Foster & Estes 1992): the combined Gaussian
  integrated over the hard-body circle in the encounter plane. The inner integral is done
  exactly with error functions along the principal axis of smaller spread, the outer one
  by Clenshaw–Curtis quadrature in ``θ`` (``u = R sin θ``, which removes the square-root
  end points), restricted to ±9σ of the Gaussian. The 33-node rule carries a free 17-node
  error estimate; conjunctions where it is not clearly converged go to Gauss–Legendre 40/80
  and, if those disagree by more than ``rtol``, to adaptive scipy ``quad``, so the answer
  never silently loses accuracy.
* :func:`pc_chan` — Chan's (1997, 2008) series: the ellipse replaced by the circle of equal
  Mahalanobis area, which makes Pc a non-central χ² (2 dof) probability summed as a
  Poisson-weighted series of regularised incomplete gammas (no cancellation for tiny Pc).
* :func:`pc_max_alfano` — the largest Pc any covariance can give for a miss distance and
  a hard-body radius (Alfano 2005: the covariance collapses to a line along the miss
  vector), for when no covariance is known, as for public catalog data.
* :func:`pc_max_scaled` — the largest Pc over scalings of a known covariance shape
  (Alfriend et al. 1999, eq. 21).
* :func:`pc_monte_carlo_2d` — seeded Monte Carlo in the encounter plane (an independent
  check of Foster and Chan under the same assumptions), and
  :func:`~.encounter.pc_monte_carlo_encounter` — Monte Carlo over the whole encounter with
  two-body motion, the method that holds where the 2D assumptions fail.
* :func:`assess` — everything for a batch: plane, Foster, Chan, max Pc, CARA usage
  violations, and the encounter Monte Carlo where the 2D value cannot be trusted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import erfc, gammainc, gammaln

from .encounter import (
    OK,
    STATUS_MESSAGES,
    EncounterPlane,
    MonteCarloResult,
    UsageViolations,
    clopper_pearson,
    encounter_plane,
    pc_monte_carlo_encounter,
    usage_violations,
)

_SQRT2 = math.sqrt(2.0)
_NSIG = 9.0  # outer integration restricted to ±_NSIG sigma


def _principal(ep: EncounterPlane):
    """Centre of the circle and the two standard deviations in the principal axes of the
    plane covariance: ``(a, sa, b, sb)`` with ``sa >= sb`` (``a`` along the wide axis).
    Closed-form 2x2 eigen-decomposition (vectorised)."""
    C = ep.cov_m2
    p, q, r = C[:, 0, 0], C[:, 0, 1], C[:, 1, 1]
    mean, diff = 0.5 * (p + r), 0.5 * (p - r)
    rad = np.hypot(diff, q)
    sa = np.sqrt(np.maximum(mean + rad, 1e-300))
    sb = np.sqrt(np.maximum(mean - rad, 1e-300))
    phi = 0.5 * np.arctan2(2 * q, p - r)  # angle of the wide axis from x
    c, s_ = np.cos(phi), np.sin(phi)
    x, z = ep.x_m, ep.z_m
    return x * c + z * s_, sa, -x * s_ + z * c, sb


def _negligible(a, sa, b, sb, R):
    """True where Pc < 1e-320 for sure: in whitened coordinates the circle lies inside a circle
    of radius R/sb whose centre is sqrt(v) away, so Pc <= exp(-(sqrt(v) - R/sb)^2 / 2)."""
    with np.errstate(over="ignore", invalid="ignore"):
        sv = np.sqrt((a / sa) ** 2 + (b / sb) ** 2)
        gap = sv - R / sb
        return (gap > 0) & (0.5 * gap * gap > 737.0)


def _phi_between(lo, hi):
    """P(lo < X < hi) for a standard normal X (lo <= hi), accurate in both tails, two erfc calls."""
    e1 = erfc(np.abs(lo) / _SQRT2)
    e2 = erfc(np.abs(hi) / _SQRT2)
    return np.where(lo > 0, 0.5 * (e1 - e2), np.where(hi < 0, 0.5 * (e2 - e1), 1.0 - 0.5 * (e1 + e2)))


def _clenshaw_curtis(n):
    """Nodes and weights of the (n+1)-point Clenshaw–Curtis rule on [-1, 1] (n even)."""
    k = np.arange(n + 1)
    x = np.cos(np.pi * k / n)
    w = np.zeros(n + 1)
    for i in range(n + 1):
        s = 0.0
        for j in range(1, n // 2 + 1):
            b = 1.0 if 2 * j == n else 2.0
            s += b * np.cos(2 * j * i * np.pi / n) / (4 * j * j - 1)
        c = 1.0 if i in (0, n) else 2.0
        w[i] = c / n * (1 - s)
    return x, w


_CC32 = _clenshaw_curtis(32)
_CC16 = _clenshaw_curtis(16)  # its nodes are every other node of _CC32: a free error estimate


def _gl(n):
    x, w = np.polynomial.legendre.leggauss(n)
    return x, w


_GL40 = _gl(40)
_GL80 = _gl(80)


def _theta_range(a, sa, R):
    """θ interval where the outer Gaussian is within exp(-_NSIG²/2) of its largest value on the circle."""
    near = np.maximum(np.abs(a) - R, 0.0)
    S = np.sqrt(near * near + (_NSIG * sa) ** 2)
    lo = np.clip((-a - S) / R, -1.0, 1.0)
    hi = np.clip((-a + S) / R, -1.0, 1.0)
    return np.arcsin(lo), np.arcsin(hi)


def _integrand(a, sa, b, sb, R, th):
    u = R[:, None] * np.sin(th)
    hc = R[:, None] * np.cos(th)
    g = np.exp(-0.5 * ((a[:, None] + u) / sa[:, None]) ** 2) / (math.sqrt(2 * math.pi) * sa[:, None])
    inner = _phi_between((b[:, None] - hc) / sb[:, None], (b[:, None] + hc) / sb[:, None])
    return g * inner * hc


def _foster_gl(a, sa, b, sb, R, nodes):
    """Outer Gauss–Legendre integral in θ (u = R sin θ) over the part of the circle within
    ±_NSIG·sa of the Gaussian; ``a``…``R`` are ``(n,)``."""
    x, w = nodes
    th_lo, th_hi = _theta_range(a, sa, R)
    half = 0.5 * (th_hi - th_lo)
    th = (th_lo + half)[:, None] + half[:, None] * x[None, :]
    return half * np.sum(w[None, :] * _integrand(a, sa, b, sb, R, th), axis=1)


_BLOCK = 4096  # conjunctions per block: the (block, 33) temporaries stay in the CPU cache


def _foster_cc(a, sa, b, sb, R):
    """33-point Clenshaw–Curtis value and the 17-point one on the same nodes, in blocks (the
    integrand is a dozen elementwise passes: over the whole set at once they run at memory
    speed, block by block from the cache, about twice as fast)."""
    x, w = _CC32
    w16 = _CC16[1]
    th_lo, th_hi = _theta_range(a, sa, R)
    half = 0.5 * (th_hi - th_lo)
    mid = th_lo + half
    p33, p17 = np.empty(len(a)), np.empty(len(a))
    for s0 in range(0, len(a), _BLOCK):
        k = slice(s0, s0 + _BLOCK)
        th = mid[k, None] + half[k, None] * x[None, :]
        f = _integrand(a[k], sa[k], b[k], sb[k], R[k], th)
        p33[k] = half[k] * (f @ w)
        p17[k] = half[k] * (f[:, ::2] @ w16)
    return p33, p17


def _foster_quad(a, sa, b, sb, R, rtol):
    from scipy.integrate import quad

    def f(th):
        u, hc = R * math.sin(th), R * math.cos(th)
        g = math.exp(-0.5 * ((a + u) / sa) ** 2) / (math.sqrt(2 * math.pi) * sa)
        return g * float(_phi_between(np.array((b - hc) / sb), np.array((b + hc) / sb))) * hc

    S = math.sqrt(max(abs(a) - R, 0.0) ** 2 + (_NSIG * sa) ** 2)
    lo = math.asin(min(1.0, max(-1.0, (-a - S) / R)))
    hi = math.asin(min(1.0, max(-1.0, (-a + S) / R)))
    pts = [th for th in (math.asin(min(1.0, max(-1.0, -a / R))),) if lo < th < hi]
    val, _ = quad(f, lo, hi, epsabs=1e-300, epsrel=rtol, limit=200, points=pts or None)
    return val


def pc_foster(ep: EncounterPlane, *, rtol: float = 1e-8) -> np.ndarray:
    """2D Pc (Foster) of every conjunction of an :class:`EncounterPlane`; NaN where the
    encounter has no plane (status not OK). See the module notes for the method."""
    n = len(ep)
    out = np.full(n, np.nan)
    good = ep.status == OK
    R = ep.hbr_m
    zero_r = good & (R == 0)
    out[zero_r] = 0.0
    inf_r = good & np.isinf(R)
    out[inf_r] = 1.0
    idx = np.nonzero(good & (R > 0) & np.isfinite(R))[0]
    if idx.size == 0:
        return out
    a, sa, b, sb = (q[idx] for q in _principal(ep))
    tiny = _negligible(a, sa, b, sb, R[idx])
    out[idx[tiny]] = 0.0
    idx = idx[~tiny]
    a, sa, b, sb = a[~tiny], sa[~tiny], b[~tiny], sb[~tiny]
    Ri = R[idx]
    p33, p17 = _foster_cc(a, sa, b, sb, Ri)
    p = np.clip(p33, 0.0, 1.0)
    # Clenshaw–Curtis converges geometrically here: when the 17- and 33-point values agree to
    # sqrt(rtol), the 33-point one is good to about rtol. Otherwise: Gauss–Legendre 40 and 80,
    # and where those disagree by more than rtol, adaptive quad.
    check = np.nonzero(np.abs(p33 - p17) > math.sqrt(rtol) * np.abs(p33) + 1e-300)[0]
    if check.size:
        args = (a[check], sa[check], b[check], sb[check], Ri[check])
        p40, p80 = _foster_gl(*args, _GL40), _foster_gl(*args, _GL80)
        p[check] = np.clip(p80, 0.0, 1.0)
        for k in check[np.abs(p80 - p40) > rtol * np.abs(p80) + 1e-300]:
            p[k] = min(1.0, max(0.0, _foster_quad(a[k], sa[k], b[k], sb[k], Ri[k], rtol)))
    out[idx] = p
    return out


def pc_chan(ep: EncounterPlane, *, max_terms: int = 2000) -> np.ndarray:
    """2D Pc by Chan's series (equal-area circle). ``u = R²/(σa σb)``,
    ``v = (a/σa)² + (b/σb)²``; ``Pc = Σ_m e^{-v/2}(v/2)^m/m! · P(m+1, u/2)`` with ``P`` the
    regularised lower incomplete gamma (the Poisson tail ``1 - e^{-u/2}Σ_k≤m (u/2)^k/k!``).
    Terms are added until the Poisson weights beyond them are below 1e-17 of the sum."""
    n = len(ep)
    out = np.full(n, np.nan)
    good = (ep.status == OK) & np.isfinite(ep.hbr_m)
    out[(ep.status == OK) & np.isinf(ep.hbr_m)] = 1.0
    idx = np.nonzero(good)[0]
    if idx.size == 0:
        return out
    a, sa, b, sb = (q[idx] for q in _principal(ep))
    R = ep.hbr_m[idx]
    tiny = _negligible(a, sa, b, sb, R)
    out[idx[tiny]] = 0.0
    idx, a, sa, b, sb, R = idx[~tiny], a[~tiny], sa[~tiny], b[~tiny], sb[~tiny], R[~tiny]
    u = R**2 / (sa * sb)
    half_v = 0.5 * ((a / sa) ** 2 + (b / sb) ** 2)
    # the terms peak near m* = sqrt(v/2 · u/2) when v/2 > u/2 (Poisson weight rising, tail
    # falling), else near v/2, and fall off like a Poisson either side of it
    mstar = np.where(half_v > 0.5 * u, np.sqrt(half_v * 0.5 * u), half_v)
    spread = 10.0 * np.sqrt(mstar + 1.0) + 20.0
    m_lo = np.maximum(0, np.floor(mstar - spread)).astype(int)
    width = np.minimum(np.ceil(mstar + spread).astype(int) - m_lo + 1, max_terms)
    order = np.argsort(width)
    chunk = 16384
    for s0 in range(0, order.size, chunk):
        j = order[s0: s0 + chunk]
        m = m_lo[j, None] + np.arange(int(width[j].max()))[None, :]
        hv = half_v[j, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            logw = np.where(hv > 0, m * np.log(hv), np.where(m == 0, 0.0, -np.inf)) - hv - gammaln(m + 1.0)
        out[idx[j]] = np.clip(np.sum(np.exp(logw) * gammainc(m + 1.0, 0.5 * u[j, None]), axis=1), 0.0, 1.0)
    return out


def pc_max_alfano(miss_m, hbr_m) -> np.ndarray:
    """Largest Pc that any covariance can give for this miss distance and hard-body radius.

    Alfano (2005): the maximum over all covariances is reached as the covariance collapses
    to a line along the miss vector, ``Pc = Φ((d+R)/σ) − Φ((d−R)/σ)``, maximal at
    ``σ² = 2dR / ln((d+R)/(d−R))``. For ``d ≤ R`` the bound is 1. Use it when no
    covariance is known (public catalog data): it is an upper bound, not an estimate.
    """
    d = np.asarray(miss_m, dtype=float)
    R = np.asarray(hbr_m, dtype=float)
    d, R = np.broadcast_arrays(d, R)
    out = np.ones(d.shape)
    far = d > R
    dd, RR = d[far], R[far]
    with np.errstate(divide="ignore", invalid="ignore"):
        sig = np.sqrt(2 * dd * RR / np.log1p(2 * RR / (dd - RR)))
        out[far] = _phi_between((dd - RR) / sig, (dd + RR) / sig)
    out[far & (R == 0)] = 0.0
    return out


def pc_max_scaled(ep: EncounterPlane) -> np.ndarray:
    """Largest Pc over scalings ``k²C`` of the plane covariance (Alfriend et al. 1999,
    eq. 21, small-HBR form): ``R² / (e · √det C · d_m²)``, ``d_m`` the Mahalanobis miss.
    Capped at 1; NaN where the encounter has no plane."""
    C = ep.cov_m2
    det = np.linalg.det(C)
    c = np.stack([ep.x_m, ep.z_m], axis=-1)
    dm2 = np.einsum("ni,nij,nj->n", c, np.linalg.inv(C), c)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = ep.hbr_m**2 / (math.e * np.sqrt(det) * dm2)
    return np.where(ep.status == OK, np.minimum(1.0, p), np.nan)


def pc_monte_carlo_2d(ep: EncounterPlane, *, trials: int = 1_000_000, seed: int | None = 0,
                      confidence: float = 0.95, batch: int = 2_000_000):
    """Monte Carlo of the 2D problem: draws from each plane Gaussian, counts those inside
    the hard-body circle. Returns ``(pc, hits, ci_low, ci_high)`` arrays (Clopper–Pearson)."""
    n = len(ep)
    rng = np.random.default_rng(seed)
    hits = np.zeros(n, dtype=np.int64)
    L = np.linalg.cholesky(ep.cov_m2)
    c = np.stack([ep.x_m, ep.z_m], axis=-1)
    R2 = ep.hbr_m**2
    per = max(1, batch // max(n, 1))
    done = 0
    while done < trials:
        k = min(per, trials - done)
        z = rng.standard_normal((n, k, 2))
        p = np.einsum("nij,nkj->nki", L, z)
        hits += np.sum(np.sum((p - c[:, None, :]) ** 2, axis=-1) <= R2[:, None], axis=1)
        done += k
    lo, hi = clopper_pearson(hits, trials, confidence)
    pc = np.where(ep.status == OK, hits / trials, np.nan)
    return pc, hits, lo, hi


def pc_dblquad(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m, *, epsrel=1e-8) -> float:
    """The straightforward reference: ONE conjunction, plane built with numpy, Gaussian
    integrated over the circle with ``scipy.integrate.dblquad``. Slow; the benchmark baseline."""
    from scipy.integrate import dblquad

    ep = encounter_plane(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m)
    C = ep.cov_m2[0]
    Ci = np.linalg.inv(C)
    norm = 1.0 / (2 * math.pi * math.sqrt(np.linalg.det(C)))
    x0, R = float(ep.x_m[0]), float(ep.hbr_m[0])

    def f(z, x):
        return norm * math.exp(-0.5 * (Ci[0, 0] * x * x + 2 * Ci[0, 1] * x * z + Ci[1, 1] * z * z))

    val, _ = dblquad(f, x0 - R, x0 + R, lambda x: -math.sqrt(max(R * R - (x - x0) ** 2, 0.0)),
                     lambda x: math.sqrt(max(R * R - (x - x0) ** 2, 0.0)), epsabs=1e-300, epsrel=epsrel)
    return val


# --- everything for a batch ----------------------------------------------------------------------
@dataclass(frozen=True)
class PcAssessment:
    """Pc of a batch of conjunctions (arrays of shape ``(n,)``) and how far to trust them.

    ``pc_2d_valid`` is false where CARA's usage-violation checks fail or the encounter has
    no plane; ``pc`` is then the encounter Monte Carlo value (when it was run), else the
    2D Foster value. ``method`` says which, per conjunction.
    """

    plane: EncounterPlane
    violations: UsageViolations
    pc_foster: np.ndarray
    pc_chan: np.ndarray
    pc_max: np.ndarray
    pc: np.ndarray
    method: list[str]
    monte_carlo: list[MonteCarloResult | None] = field(default_factory=list)

    @property
    def pc_2d_valid(self) -> np.ndarray:
        return (self.plane.status == OK) & ~self.violations.violated

    def warnings(self, k: int = 0) -> list[str]:
        out = []
        st = int(self.plane.status[k])
        if st != OK:
            out.append(STATUS_MESSAGES[st])
        if self.plane.remediated[k]:
            out.append("encounter-plane covariance was not positive definite; eigenvalues clipped (nearest PD)")
        if self.violations.violated[k]:
            out.extend(self.violations.reasons(k))
            out.append("2D Pc usage violation: the short-encounter assumptions do not hold; "
                       + ("the Monte Carlo encounter Pc is the one to use" if self.method[k] == "monte-carlo-encounter"
                          else "run the Monte Carlo encounter Pc (--mc) before trusting any Pc"))
        return out


def assess(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m, *, monte_carlo: str = "violations",
           mc_trials: int = 100_000, seed: int = 0, confidence: float = 0.95,
           mc_window: str = "rectilinear") -> PcAssessment:
    """Foster, Chan and maximum Pc for a batch, CARA usage-violation checks, and the Monte
    Carlo encounter Pc: ``monte_carlo='violations'`` (default) runs it only where the 2D
    method fails and 6x6 covariances are given, ``'all'`` for every conjunction, ``'none'``
    never. ``mc_window``: the Monte Carlo's time span, ``'rectilinear'`` (default) or
    ``'segment'`` (see :func:`~.encounter.pc_monte_carlo_encounter`)."""
    ep = encounter_plane(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m)
    uv = usage_violations(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, ep.hbr_m)
    pf = pc_foster(ep)
    pch = pc_chan(ep)
    pmax = pc_max_alfano(ep.miss_m, ep.hbr_m)
    pc = pf.copy()
    n = len(ep)
    method = ["foster-2d"] * n
    mcs: list[MonteCarloResult | None] = [None] * n
    c1 = np.broadcast_to(np.asarray(cov1_m2, float), (n,) + np.asarray(cov1_m2).shape[-2:])
    c2 = np.broadcast_to(np.asarray(cov2_m2, float), (n,) + np.asarray(cov2_m2).shape[-2:])
    six = c1.shape[-1] == 6 and c2.shape[-1] == 6
    r1, v1, r2, v2 = (np.broadcast_to(np.asarray(a, float).reshape(-1, 3), (n, 3)) for a in (r1_m, v1_m_s, r2_m, v2_m_s))
    for k in range(n):
        want = monte_carlo == "all" or (monte_carlo == "violations" and (uv.violated[k] or ep.status[k] != OK))
        if want and six and int(ep.status[k]) in (OK, 1):
            mc = pc_monte_carlo_encounter(r1[k], v1[k], c1[k], r2[k], v2[k], c2[k], float(ep.hbr_m[k]),
                                          trials=mc_trials, seed=seed, confidence=confidence,
                                          window=mc_window)
            mcs[k] = mc
            if uv.violated[k] or ep.status[k] != OK:
                pc[k] = mc.pc
                method[k] = "monte-carlo-encounter"
    return PcAssessment(ep, uv, pf, pch, pmax, pc, method, mcs)
