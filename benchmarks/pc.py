"""Conjunctions per second of the vectorised 2D Pc (Foster, Chan) against a straightforward
per-event scipy ``dblquad`` baseline, in one run; prints the ratio.

    .venv/bin/python benchmarks/pc.py [--n 200000] [--n-baseline 200]

The conjunctions are random LEO-like encounters (seeded): miss 0-2 km, position sigmas
5 m - 2 km, HBR 1-30 m, relative speed up to ~15 km/s. Times include building the
encounter planes from 3D states and covariances. The baseline is checked against the
vectorised values (max relative difference printed).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from spacesweepers.danger.encounter import encounter_plane
from spacesweepers.danger.pc import pc_chan, pc_dblquad, pc_foster


def make(n, seed=1):
    rng = np.random.default_rng(seed)
    r1 = rng.normal(size=(n, 3)) * 7e6
    v1 = rng.normal(size=(n, 3)) * 5e3
    r2 = r1 + rng.normal(size=(n, 3)) * rng.uniform(0, 1200, (n, 1))
    v2 = rng.normal(size=(n, 3)) * 5e3
    A = rng.normal(size=(n, 3, 3)) * rng.uniform(5, 2000, (n, 1, 1))
    B = rng.normal(size=(n, 3, 3)) * rng.uniform(5, 500, (n, 1, 1))
    c1 = A @ np.swapaxes(A, 1, 2)
    c2 = B @ np.swapaxes(B, 1, 2)
    hbr = rng.uniform(1, 30, n)
    return r1, v1, c1, r2, v2, c2, hbr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--n-baseline", type=int, default=200)
    args = ap.parse_args()
    data = make(args.n)

    pc_foster(encounter_plane(*(d[:1000] for d in data)))  # warm up
    t0 = time.perf_counter()
    ep = encounter_plane(*data)
    pf = pc_foster(ep)
    t_foster = time.perf_counter() - t0
    t0 = time.perf_counter()
    ep = encounter_plane(*data)
    pcn = pc_chan(ep)
    t_chan = time.perf_counter() - t0

    nb = args.n_baseline
    t0 = time.perf_counter()
    base = np.array([pc_dblquad(*(d[k] for d in data)) for k in range(nb)])
    t_base = time.perf_counter() - t0

    live = pf > 1e-300
    t0 = time.perf_counter()
    pc_foster(encounter_plane(*(d[live] for d in data)))
    t_live = time.perf_counter() - t0
    ok = base > 1e-300
    diff = np.max(np.abs(pf[:nb][ok] / base[ok] - 1))
    rate_f, rate_c, rate_b = args.n / t_foster, args.n / t_chan, nb / t_base
    print(f"conjunctions: {args.n:,} vectorised, {nb} baseline (dblquad); max |Foster/dblquad - 1| = {diff:.1e}")
    print(f"Foster (vectorised):   {rate_f:12,.0f} conjunctions/s")
    print(f"Foster, only the {live.mean():.0%} with Pc > 1e-300: {live.sum() / t_live:,.0f} conjunctions/s")
    print(f"Chan   (vectorised):   {rate_c:12,.0f} conjunctions/s")
    print(f"dblquad (per event):   {rate_b:12,.1f} conjunctions/s")
    print(f"ratio Foster/dblquad:  {rate_f / rate_b:12,.0f}x")
    print(f"ratio Chan/dblquad:    {rate_c / rate_b:12,.0f}x")


if __name__ == "__main__":
    main()
