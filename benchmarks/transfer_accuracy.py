"""Fast leg estimate vs exact J2 transfer on random GTOC9 legs, and estimate throughput.

    .venv/bin/python benchmarks/transfer_accuracy.py --n 2000 [--debris PATH] [--seed 0]

Legs: random ordered debris pairs, departure epoch uniform in the GTOC9 window, time of
flight uniform in 0.5–20 days, kept when the node gap at arrival is under 8° (the legs a
search would consider; wider gaps cost km/s either way). For each leg the exact solver
(``exact_transfer``, mode auto) is run; printed: success rate, the estimate's relative error
(estimate − exact)/exact (median, percentiles), misses (exact < 300 m/s but estimate > 450
m/s), and the estimate throughput over all pairs × epochs × flight times.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from spacesweepers.planning.estimate import estimate_debris_legs
from spacesweepers.planning.gtoc9 import DebrisSet
from spacesweepers.planning.transfer import exact_transfer


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=2000, help="number of legs for the accuracy test")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cheap-m-s", type=float, default=300.0, help="a leg under this exact ΔV is cheap")
    p.add_argument("--debris", type=Path, default=Path(os.environ.get("SWEEPERS_SHARED_DATA", "../shared/data"))
                   / "gtoc9" / "debris.csv")
    args = p.parse_args()
    deb = DebrisSet.from_csv(args.debris)

    # --- throughput -----------------------------------------------------------------------
    ids = deb.ids
    t = np.linspace(23467.0, 26400.0, 20)
    tof = np.linspace(0.5, 30.0, 20)
    estimate_debris_legs(deb, ids[:3, None, None, None], ids[None, :3, None, None], t[None, None, :, None],
                         tof[None, None, None, :])  # warm-up
    t0 = time.perf_counter()
    dv = estimate_debris_legs(deb, ids[:, None, None, None], ids[None, :, None, None], t[None, None, :, None],
                              tof[None, None, None, :])
    el = time.perf_counter() - t0
    print(f"throughput: {dv.size:,} leg estimates in {el:.2f} s = {dv.size / el:,.0f} estimates/s "
          f"(all {len(ids)}² pairs × {t.size} epochs × {tof.size} flight times, 1 process)")

    # --- accuracy ----------------------------------------------------------------------------
    rng = np.random.default_rng(args.seed)
    rows = []
    t_start = time.perf_counter()
    while len(rows) < args.n:
        a, b = rng.choice(ids, 2, replace=False)
        td = rng.uniform(23467.0, 26400.0)
        tf = rng.uniform(0.5, 20.0)
        ra = deb.elements_at([a, b], td + tf)[:, 3]
        gap = abs((ra[1] - ra[0] + np.pi) % (2 * np.pi) - np.pi)
        if np.degrees(gap) > 8.0:
            continue
        est = float(estimate_debris_legs(deb, a, b, td, tf))
        c0 = time.perf_counter()
        tr = exact_transfer(deb, int(a), td, int(b), td + tf)
        rows.append((a, b, td, tf, est, tr.dv_total_m_s if tr.ok else np.nan, time.perf_counter() - c0, tr.mode))
        if len(rows) % 25 == 0:
            print(f"  {len(rows)} legs, {time.perf_counter() - t_start:.0f} s", flush=True)
    arr = np.array([r[:7] for r in rows], dtype=float)
    est, exact, secs = arr[:, 4], arr[:, 5], arr[:, 6]
    ok = np.isfinite(exact)
    rel = (est[ok] - exact[ok]) / exact[ok]
    print(f"exact transfers: {ok.sum()}/{len(rows)} found ({100 * ok.mean():.1f} %), median {np.median(secs):.2f} s "
          f"per leg, total {secs.sum():.0f} s")
    print(f"estimate error (est − exact)/exact: median {100 * np.median(rel):+.1f} %, median |error| "
          f"{100 * np.median(np.abs(rel)):.1f} %, 10–90 % [{100 * np.percentile(rel, 10):+.1f}, "
          f"{100 * np.percentile(rel, 90):+.1f}] %")
    cheap = ok & (exact < args.cheap_m_s)
    missed = cheap & (est > 1.5 * args.cheap_m_s)
    print(f"cheap legs (exact < {args.cheap_m_s:g} m/s): {cheap.sum()}; estimated above "
          f"{1.5 * args.cheap_m_s:g} m/s (missed): {missed.sum()}")
    print(f"estimate ≤ exact (a lower bound) on {100 * np.mean(est[ok] <= exact[ok] * 1.0001):.1f} % of legs")


if __name__ == "__main__":
    main()
