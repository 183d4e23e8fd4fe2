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
# Grid: cells of side c_km hold objects in a counting sort by a spatially coherent bucket (a
# 64 x 64 x 64 box of cells, x fastest, wrapping around beyond it), so that the cells of one
# row (fixed y, z) are consecutive in memory and a neighbour row is one contiguous range.
# The exact cell of every object (21 bits per axis) is kept to reject wrapped cells.
GRID_BITS = 6
KEY_BITS = 21
KEY_OFF = 1 << 20
MAX_CELLS = 1 << 19  # the cell is enlarged, if need be, so that |r| / c_km stays below this
DIRECT_PRIMARIES = 64  # up to this many primaries are tested against every object without a grid


if HAVE_NUMBA:

    @_nb.njit(cache=True, nogil=True, inline="always")
    def _row_ranges(counts, cx, cy, cz, oy, oz, xa, xb, q_first, rng, nr):
        """Append the sorted-entry ranges that hold cells (cx+xa .. cx+xb, cy+oy, cz+oz) to rng
        (start, end, row key, x lo, x hi); q_first cuts the range that holds the own bucket."""
        X = 1 << GRID_BITS
        gm = X - 1
        h = X // 2
        row = ((cz + oz + KEY_OFF) << KEY_BITS) | (cy + oy + KEY_OFF)
        base = (((cy + oy + h) & gm) << GRID_BITS) + (((cz + oz + h) & gm) << (2 * GRID_BITS))
        xlo = cx + xa + KEY_OFF
        xhi = cx + xb + KEY_OFF
        if xb - xa + 1 >= X:
            rng[nr, 0] = max(counts[base], q_first)
            rng[nr, 1] = counts[base + X]
            rng[nr, 2] = row
            rng[nr, 3] = xlo
            rng[nr, 4] = xhi
            return nr + 1
        ba = (cx + xa + h) & gm
        bb = (cx + xb + h) & gm
        if ba <= bb:
            rng[nr, 0] = max(counts[base + ba], q_first)
            rng[nr, 1] = counts[base + bb + 1]
            rng[nr, 2] = row
            rng[nr, 3] = xlo
            rng[nr, 4] = xhi
            return nr + 1
        # the row wraps around the bucket box: two ranges; q_first only cuts the first (own bucket)
        rng[nr, 0] = max(counts[base + ba], q_first)
        rng[nr, 1] = counts[base + X]
        rng[nr, 2] = row
        rng[nr, 3] = xlo
        rng[nr, 4] = xhi
        rng[nr + 1, 0] = counts[base]
        rng[nr + 1, 1] = counts[base + bb + 1]
        rng[nr + 1, 2] = row
        rng[nr + 1, 3] = xlo
        rng[nr + 1, 4] = xhi
        return nr + 2


    @_nb.njit(cache=True, nogil=True, inline="always")
    def _pair_lb(P, i, j, eps, d, half):
        """The linear-motion lower bound of objects i, j (rows of P: position, velocity) over
        the window ±half, minus the interpolation and curvature slack (see screening.py)."""
        dx = P[j, 0] - P[i, 0]
        dy = P[j, 1] - P[i, 1]
        dz = P[j, 2] - P[i, 2]
        ux = P[j, 3] - P[i, 3]
        uy = P[j, 4] - P[i, 4]
        uz = P[j, 5] - P[i, 5]
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
        sep = math.sqrt(dx * dx + dy * dy + dz * dz) + math.sqrt(vv) * half
        return dmin - INTERP_FACTOR * (eps[i] + eps[j]) - 0.5 * (GRAD_S2 * sep + ABS_KM_S2) * half * half

    @_nb.njit(cache=True, nogil=True)
    def _kernel(r, v, ok, H, L, W, d, eps, rp, ra, radial_margin, primary, all_vs_all, out):
        N, M1, _ = r.shape
        M = M1 - 1
        n_nodes = M * L
        half = W / 2.0
        X = 1 << GRID_BITS
        gm = X - 1
        hX = X // 2
        NB = X * X * X
        kmask = (1 << KEY_BITS) - 1
        P = np.empty((N, 6))
        speed = np.empty(N)
        valid = np.zeros(N, np.bool_)
        key = np.empty(N, np.int64)
        bucket = np.empty(N, np.int64)
        counts = np.zeros(NB + 1, np.int32)
        sidx = np.empty(N, np.int64)
        SP = np.empty((N, 6))
        SK = np.empty(N, np.int64)
        SE = np.empty(N)
        SM = np.empty(N, np.int64)
        SRP = np.empty(N)
        SX = np.empty(N)
        SY = np.empty(N)
        SZ = np.empty(N)
        SA = np.empty(N)
        SRA = np.empty(N)
        rng = np.empty((2 * X * X + 8, 5), np.int64)
        cap = out.shape[0]
        eps_max = 0.0
        n_prim = 0
        for i in range(N):
            if eps[i] > eps_max:
                eps_max = eps[i]
            if primary[i]:
                n_prim += 1
        n_out = 0
        for k in range(n_nodes):
            m = k // L
            s = (k % L) / L
            h00 = 2 * s**3 - 3 * s**2 + 1
            h10 = (s**3 - 2 * s**2 + s) * H
            h01 = -2 * s**3 + 3 * s**2
            h11 = (s**3 - s**2) * H
            d00 = (6 * s**2 - 6 * s) / H
            d10 = 3 * s**2 - 4 * s + 1
            d01 = (-6 * s**2 + 6 * s) / H
            d11 = 3 * s**2 - 2 * s
            smax = 0.0
            rmax = 0.0
            nv = 0
            for i in range(N):
                if ok[i, m] and ok[i, m + 1]:
                    valid[i] = True
                    sp = 0.0
                    for c in range(3):
                        x = h00 * r[i, m, c] + h10 * v[i, m, c] + h01 * r[i, m + 1, c] + h11 * v[i, m + 1, c]
                        u = d00 * r[i, m, c] + d01 * r[i, m + 1, c] + d10 * v[i, m, c] + d11 * v[i, m + 1, c]
                        P[i, c] = x
                        P[i, 3 + c] = u
                        sp += u * u
                        if abs(x) > rmax:
                            rmax = abs(x)
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
            if not all_vs_all and n_prim <= DIRECT_PRIMARIES:
                # a few primaries: each against every object, no grid (same test, same pairs)
                for i in range(N):
                    if not (valid[i] and primary[i]):
                        continue
                    ai = speed[i] * half + INTERP_FACTOR * eps[i]
                    for j in range(N):
                        if not valid[j] or j == i or (primary[j] and j < i):
                            continue
                        if rp[i] > ra[j] + radial_margin or rp[j] > ra[i] + radial_margin:
                            continue
                        dx = P[j, 0] - P[i, 0]
                        dy = P[j, 1] - P[i, 1]
                        dz = P[j, 2] - P[i, 2]
                        lim = d + curv + ai + speed[j] * half + INTERP_FACTOR * eps[j]
                        if dx * dx + dy * dy + dz * dz > lim * lim:
                            continue
                        if _pair_lb(P, i, j, eps, d, half) <= d:
                            if n_out < cap:
                                out[n_out, 0] = k
                                out[n_out, 1] = min(i, j)
                                out[n_out, 2] = max(i, j)
                            n_out += 1
                continue
            reach_cap = cs * half + INTERP_FACTOR * min(eps_max, EPS_CAP_KM)
            c_km = d + 2 * reach_cap + curv
            dc = d + curv
            if c_km < rmax / MAX_CELLS:
                c_km = rmax / MAX_CELLS
            for b in range(NB + 1):
                counts[b] = 0
            for i in range(N):
                if valid[i]:
                    cx = int(math.floor(P[i, 0] / c_km))
                    cy = int(math.floor(P[i, 1] / c_km))
                    cz = int(math.floor(P[i, 2] / c_km))
                    key[i] = (((cz + KEY_OFF) << KEY_BITS | (cy + KEY_OFF)) << KEY_BITS) | (cx + KEY_OFF)
                    bk = ((cx + hX) & gm) + (((cy + hX) & gm) << GRID_BITS) + (((cz + hX) & gm) << (2 * GRID_BITS))
                    bucket[i] = bk
                    counts[bk + 1] += 1
            for b in range(NB):
                counts[b + 1] += counts[b]
            for i in range(N):
                if valid[i]:
                    bk = bucket[i]
                    p = counts[bk]
                    counts[bk] += 1
                    sidx[p] = i
            for b in range(NB, 0, -1):
                counts[b] = counts[b - 1]
            counts[0] = 0
            m_all = 1
            for p in range(nv):
                i = sidx[p]
                for c in range(6):
                    SP[p, c] = P[i, c]
                SK[p] = key[i]
                SX[p] = P[i, 0]
                SY[p] = P[i, 1]
                SZ[p] = P[i, 2]
                SA[p] = speed[i] * half + INTERP_FACTOR * eps[i]
                SE[p] = eps[i]
                SRP[p] = rp[i]
                SRA[p] = ra[i]
                reach = speed[i] * half + INTERP_FACTOR * eps[i]
                if reach < reach_cap:
                    reach = reach_cap
                mm = int(math.ceil((d + 2 * reach + curv) / c_km))
                SM[p] = mm if mm > 1 else 1
                if SM[p] > m_all:
                    m_all = SM[p]
            for p in range(nv):
                i = sidx[p]
                mi = SM[p]
                if not all_vs_all:
                    if not primary[i]:
                        continue
                    mi = m_all
                kp = SK[p]
                cx = (kp & kmask) - KEY_OFF
                cy = ((kp >> KEY_BITS) & kmask) - KEY_OFF
                cz = (kp >> (2 * KEY_BITS)) - KEY_OFF
                nr = 0
                half_stencil = mi == 1 and all_vs_all
                if half_stencil:
                    # own cell (later entries only) and the 13 forward neighbours: pairs of two
                    # such objects are met exactly once
                    nr = _row_ranges(counts, cx, cy, cz, 0, 0, 0, 1, p + 1, rng, nr)
                    nr = _row_ranges(counts, cx, cy, cz, 1, 0, -1, 1, 0, rng, nr)
                    for oy in range(-1, 2):
                        nr = _row_ranges(counts, cx, cy, cz, oy, 1, -1, 1, 0, rng, nr)
                else:
                    for oz in range(-mi, mi + 1):
                        for oy in range(-mi, mi + 1):
                            nr = _row_ranges(counts, cx, cy, cz, oy, oz, -mi, mi, 0, rng, nr)
                px = SP[p, 0]
                py = SP[p, 1]
                pz = SP[p, 2]
                rpi = SRP[p]
                ap_ = SA[p]
                rai = SRA[p]
                for t in range(nr):
                    row = rng[t, 2]
                    xlo = rng[t, 3]
                    xhi = rng[t, 4]
                    for q in range(rng[t, 0], rng[t, 1]):
                        kq = SK[q]
                        if (kq >> KEY_BITS) != row:
                            continue
                        xq = kq & kmask
                        if xq < xlo or xq > xhi:
                            continue
                        dx = SX[q] - px
                        dy = SY[q] - py
                        dz = SZ[q] - pz
                        s2 = dx * dx + dy * dy + dz * dz
                        lim = dc + ap_ + SA[q]
                        if s2 > lim * lim:
                            continue
                        mj = SM[q]
                        if all_vs_all:
                            if mj > mi:
                                continue
                            if mj == mi and not half_stencil and q <= p:
                                continue
                        elif primary[sidx[q]] and q <= p:
                            continue
                        if rpi > SRA[q] + radial_margin or SRP[q] > rai + radial_margin:
                            continue
                        if _pair_lb(SP, p, q, SE, d, half) <= d:
                            j = sidx[q]
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
