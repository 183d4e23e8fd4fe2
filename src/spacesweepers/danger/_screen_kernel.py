"""The inner loop of conjunction screening: for every node (time step) of a chunk, cubic
Hermite positions and velocities of every object from its SGP4 samples, a uniform grid of
cells, and the linear-motion lower bound on the closest approach of every pair of objects in
the same or neighbouring cells. Compiled with numba when it is installed; otherwise a slower
numpy + ``scipy.spatial.cKDTree`` path gives the same candidates (same test, same bounds).

Units: km, s. See :mod:`spacesweepers.danger.screening` for the bounds used here.
"""

from __future__ import annotations

import math

import numpy as np

try:  # optional: the compiled grid is ~50x faster than the numpy path
    import numba as _nb

    HAVE_NUMBA = True
except Exception:  # pragma: no cover - depends on the environment
    _nb = None
    HAVE_NUMBA = False

# relative acceleration bound |Δa| <= GRAD * separation + ABS (km/s², see screening.py)
GRAD_S2 = 3.0e-6
ABS_KM_S2 = 5.0e-6
INTERP_FACTOR = 1.5  # position + velocity interpolation error, in units of eps


def hermite_nodes(r, v, H, L):
    """Positions/velocities at L equally spaced nodes inside every sample interval
    (node k of interval m at t = (m + k/L) H), plus the last sample. Shapes (N, M*L+1, 3)."""
    N, M1, _ = r.shape
    M = M1 - 1
    s = np.arange(L) / L
    h00, h10, h01, h11 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s, -2 * s**3 + 3 * s**2, s**3 - s**2
    d00, d10, d01, d11 = 6 * s**2 - 6 * s, 3 * s**2 - 4 * s + 1, -6 * s**2 + 6 * s, 3 * s**2 - 2 * s
    r0, r1, v0, v1 = r[:, :-1, None], r[:, 1:, None], v[:, :-1, None], v[:, 1:, None]
    sh = (1, 1, L, 1)
    P = (h00.reshape(sh) * r0 + h10.reshape(sh) * H * v0 + h01.reshape(sh) * r1 + h11.reshape(sh) * H * v1)
    V = ((d00.reshape(sh) * r0 + d01.reshape(sh) * r1) / H + d10.reshape(sh) * v0 + d11.reshape(sh) * v1)
    P = np.concatenate([P.reshape(N, M * L, 3), r[:, -1:]], axis=1)
    V = np.concatenate([V.reshape(N, M * L, 3), v[:, -1:]], axis=1)
    return P, V


def _pair_test_np(P, V, i, j, eps, W, d):
    dr = P[j] - P[i]
    dv = V[j] - V[i]
    vv = np.einsum("ij,ij->i", dv, dv)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = np.where(vv > 0, -np.einsum("ij,ij->i", dr, dv) / vv, 0.0)
    tau = np.clip(tau, -W / 2, W / 2)
    dmin = np.linalg.norm(dr + dv * tau[:, None], axis=1)
    sep = np.linalg.norm(dr, axis=1) + np.sqrt(vv) * W / 2
    slack = INTERP_FACTOR * (eps[i] + eps[j]) + 0.5 * (GRAD_S2 * sep + ABS_KM_S2) * (W / 2) ** 2
    lb = dmin - slack
    return lb <= d, tau, lb


def candidates_numpy(r, v, ok, H, L, W, d, eps, rp, ra, radial_margin, primary, all_vs_all):
    """Reference path without numba: one KD-tree per node (slow, same bounds)."""
    from scipy.spatial import cKDTree

    P, V = hermite_nodes(r, v, H, L)
    okn = _node_ok(ok, L)
    out = []
    for k in range(P.shape[1] - 1):  # the last node belongs to the next chunk
        idx = np.flatnonzero(okn[:, k])
        if idx.size < 2:
            continue
        Pk, Vk = P[idx, k], V[idx, k]
        speed = np.linalg.norm(Vk, axis=1)
        top = np.sort(speed)[-2:].sum()
        R = d + top * W / 2 + 2 * INTERP_FACTOR * eps[idx].max() + 0.5 * (GRAD_S2 * (d + top * W) + ABS_KM_S2) * (W / 2) ** 2
        pairs = cKDTree(Pk).query_pairs(R, output_type="ndarray")
        if not len(pairs):
            continue
        a, b = idx[pairs[:, 0]], idx[pairs[:, 1]]
        keep = (rp[a] <= ra[b] + radial_margin) & (rp[b] <= ra[a] + radial_margin)
        if not all_vs_all:
            keep &= primary[a] | primary[b]
        a, b = a[keep], b[keep]
        if not a.size:
            continue
        hit, tau, lb = _pair_test_np(P[:, k], V[:, k], a, b, eps, W, d)
        if hit.any():
            out.append(np.stack([np.full(hit.sum(), k), np.minimum(a, b)[hit], np.maximum(a, b)[hit]], 1))
    if not out:
        return np.zeros((0, 3), np.int64)
    return np.concatenate(out).astype(np.int64)


def _node_ok(ok, L):
    """A node is usable when both samples of its interval are valid."""
    both = ok[:, :-1] & ok[:, 1:]
    node = np.repeat(both, L, axis=1)
    return np.concatenate([node, ok[:, -1:]], axis=1)


V_CAP_KM_S = 8.0  # cell size is set for objects up to this speed; faster ones search more cells
EPS_CAP_KM = 1.0  # ... and up to this interpolation error
N_BUCKETS = 1 << 15


if HAVE_NUMBA:

    @_nb.njit(cache=True, nogil=True)
    def _cell_hash(cx, cy, cz, mask):
        h = (cx * 73856093) ^ (cy * 19349663) ^ (cz * 83492791)
        return h & mask

    @_nb.njit(cache=True, nogil=True)
    def _kernel(r, v, ok, H, L, W, d, eps, rp, ra, radial_margin, primary, all_vs_all, out):
        N, M1, _ = r.shape
        M = M1 - 1
        n_nodes = M * L
        half = W / 2.0
        nb = N_BUCKETS
        mask = nb - 1
        P = np.empty((N, 3))
        V = np.empty((N, 3))
        speed = np.empty(N)
        valid = np.zeros(N, np.bool_)
        cell = np.empty((N, 3), np.int64)
        bucket = np.empty(N, np.int64)
        counts = np.zeros(nb + 1, np.int64)
        # sorted (bucket order) copies
        sidx = np.empty(N, np.int64)
        SP = np.empty((N, 3))
        SV = np.empty((N, 3))
        SC = np.empty((N, 3), np.int64)
        SS = np.empty(N)
        SE = np.empty(N)
        SM = np.empty(N, np.int64)
        eps_max = 0.0
        for i in range(N):
            if eps[i] > eps_max:
                eps_max = eps[i]
        n_out = 0
        cap = out.shape[0]
        for k in range(n_nodes):
            m = k // L
            s = (k % L) / L
            h00 = 2 * s**3 - 3 * s**2 + 1
            h10 = s**3 - 2 * s**2 + s
            h01 = -2 * s**3 + 3 * s**2
            h11 = s**3 - s**2
            d00 = 6 * s**2 - 6 * s
            d10 = 3 * s**2 - 4 * s + 1
            d01 = -6 * s**2 + 6 * s
            d11 = 3 * s**2 - 2 * s
            smax = 0.0
            nv = 0
            for i in range(N):
                if ok[i, m] and ok[i, m + 1]:
                    valid[i] = True
                    sp = 0.0
                    for c in range(3):
                        P[i, c] = h00 * r[i, m, c] + h10 * H * v[i, m, c] + h01 * r[i, m + 1, c] + h11 * H * v[i, m + 1, c]
                        V[i, c] = (d00 * r[i, m, c] + d01 * r[i, m + 1, c]) / H + d10 * v[i, m, c] + d11 * v[i, m + 1, c]
                        sp += V[i, c] * V[i, c]
                    sp = math.sqrt(sp)
                    speed[i] = sp
                    if sp > smax:
                        smax = sp
                    nv += 1
                else:
                    valid[i] = False
            if nv < 2:
                continue
            cs = min(V_CAP_KM_S, smax)
            curv = 0.5 * (GRAD_S2 * (d + 2 * smax * W) + ABS_KM_S2) * half * half
            reach_cap = cs * half + INTERP_FACTOR * min(eps_max, EPS_CAP_KM)
            c_km = d + 2 * reach_cap + curv
            for b in range(nb + 1):
                counts[b] = 0
            for i in range(N):
                if valid[i]:
                    cx = int(math.floor(P[i, 0] / c_km))
                    cy = int(math.floor(P[i, 1] / c_km))
                    cz = int(math.floor(P[i, 2] / c_km))
                    cell[i, 0] = cx
                    cell[i, 1] = cy
                    cell[i, 2] = cz
                    bk = _cell_hash(cx, cy, cz, mask)
                    bucket[i] = bk
                    counts[bk + 1] += 1
            for b in range(nb):
                counts[b + 1] += counts[b]
            # counts[b] = start of bucket b; fill
            for i in range(N):
                if valid[i]:
                    bk = bucket[i]
                    p = counts[bk]
                    counts[bk] += 1
                    sidx[p] = i
            # counts[b] now = end of bucket b = start of bucket b+1; shift back
            for b in range(nb, 0, -1):
                counts[b] = counts[b - 1]
            counts[0] = 0
            for p in range(nv):
                i = sidx[p]
                for c in range(3):
                    SP[p, c] = P[i, c]
                    SV[p, c] = V[i, c]
                    SC[p, c] = cell[i, c]
                SS[p] = speed[i]
                SE[p] = eps[i]
                reach = speed[i] * half + INTERP_FACTOR * eps[i]
                if reach < reach_cap:
                    reach = reach_cap
                mm = int(math.ceil((d + 2 * reach + curv) / c_km))
                SM[p] = mm if mm > 1 else 1
            m_all = 1
            if not all_vs_all:
                for p in range(nv):
                    if SM[p] > m_all:
                        m_all = SM[p]
            for p in range(nv):
                i = sidx[p]
                mi = SM[p]
                if not all_vs_all:
                    # primaries mode: only primaries search, with the widest stencil, and own
                    # every pair they see (a pair of two primaries once, from the lower index)
                    if not primary[i]:
                        continue
                    mi = m_all
                cx = SC[p, 0]
                cy = SC[p, 1]
                cz = SC[p, 2]
                # objects with the smallest range (m = 1) search a half stencil (own cell and the
                # 13 "forward" neighbours) and meet each other exactly once; faster objects
                # (m > 1) search their full stencil and own every pair with a slower object
                half_stencil = mi == 1 and all_vs_all
                for ox in range(-mi, mi + 1):
                    for oy in range(-mi, mi + 1):
                        for oz in range(-mi, mi + 1):
                            own = ox == 0 and oy == 0 and oz == 0
                            if half_stencil and not own:
                                if ox < 0 or (ox == 0 and (oy < 0 or (oy == 0 and oz < 0))):
                                    continue
                            tx = cx + ox
                            ty = cy + oy
                            tz = cz + oz
                            bk = _cell_hash(tx, ty, tz, mask)
                            for q in range(counts[bk], counts[bk + 1]):
                                if SC[q, 0] != tx or SC[q, 1] != ty or SC[q, 2] != tz:
                                    continue
                                mj = SM[q]
                                if not all_vs_all:
                                    if primary[sidx[q]] and q <= p:
                                        continue
                                elif mj > mi:
                                    continue
                                elif mj == mi and (q <= p if (own or not half_stencil) else False):
                                    continue
                                j = sidx[q]
                                if not all_vs_all and not (primary[i] or primary[j]):
                                    continue
                                if rp[i] > ra[j] + radial_margin or rp[j] > ra[i] + radial_margin:
                                    continue
                                dx = SP[q, 0] - SP[p, 0]
                                dy = SP[q, 1] - SP[p, 1]
                                dz = SP[q, 2] - SP[p, 2]
                                s2 = dx * dx + dy * dy + dz * dz
                                ssum = SS[p] + SS[q]
                                lim = d + ssum * half + INTERP_FACTOR * (SE[p] + SE[q]) \
                                    + 0.5 * (GRAD_S2 * (d + ssum * W) + ABS_KM_S2) * half * half
                                if s2 > lim * lim:
                                    continue
                                ux = SV[q, 0] - SV[p, 0]
                                uy = SV[q, 1] - SV[p, 1]
                                uz = SV[q, 2] - SV[p, 2]
                                vv = ux * ux + uy * uy + uz * uz
                                tau = 0.0
                                if vv > 0:
                                    tau = -(dx * ux + dy * uy + dz * uz) / vv
                                if tau > half:
                                    tau = half
                                elif tau < -half:
                                    tau = -half
                                ex = dx + ux * tau
                                ey = dy + uy * tau
                                ez = dz + uz * tau
                                dmin = math.sqrt(ex * ex + ey * ey + ez * ez)
                                sep = math.sqrt(s2) + math.sqrt(vv) * half
                                slack = INTERP_FACTOR * (SE[p] + SE[q]) + 0.5 * (GRAD_S2 * sep + ABS_KM_S2) * half * half
                                if dmin - slack <= d:
                                    if n_out < cap:
                                        out[n_out, 0] = k
                                        out[n_out, 1] = min(i, j)
                                        out[n_out, 2] = max(i, j)
                                    n_out += 1
        return n_out


def candidates(r, v, ok, H, L, W, d, eps, rp, ra, radial_margin, primary, all_vs_all, backend="auto"):
    """Candidate (node, i, j) triples of one chunk: every pair whose closest approach within
    ±W/2 of a node may be ≤ d. ``r, v``: SGP4 samples (N, M+1, 3) every H seconds."""
    use_numba = HAVE_NUMBA if backend == "auto" else backend == "numba"
    if use_numba and not HAVE_NUMBA:
        raise RuntimeError("numba is not installed")
    if not use_numba:
        return candidates_numpy(r, v, ok, H, L, W, d, eps, rp, ra, radial_margin, primary, all_vs_all)
    r = np.ascontiguousarray(np.nan_to_num(r))
    v = np.ascontiguousarray(np.nan_to_num(v))
    cap = 1 << 16
    while True:
        out = np.empty((cap, 3), np.int64)
        n = _kernel(r, v, np.ascontiguousarray(ok), float(H), int(L), float(W), float(d), eps, rp, ra,
                    float(radial_margin), primary, bool(all_vs_all), out)
        if n <= cap:
            return out[:n]
        cap = int(n * 1.2) + 16
