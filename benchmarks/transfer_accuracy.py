"""Fast leg estimate vs exact J2 transfer on random GTOC9 legs, and estimate throughput.

    .venv/bin/python benchmarks/transfer_accuracy.py --n 1000 [--workers 2] [--debris PATH] [--seed 0]

Throughput: the estimate alone over all 123² pairs × 20 epochs × 20 flight times, CPU time
of this one process. Accuracy: random ordered debris pairs, departure epoch uniform in the
GTOC9 window, time of flight uniform in 0.5–20 days, kept when the node gap at arrival is
under 8° (the legs a search would consider). Each leg is solved by ``exact_transfer`` (mode
auto: optimised impulse epochs and vectors) in ``--workers`` processes; printed: success
rate, time per leg, the estimate's relative error (estimate − exact)/exact (median,
percentiles, also for cheap legs alone), and misses: legs the exact solver flies under
``--cheap-m-s`` that the estimate puts above 1.5× that.
"""

from __future__ import annotations

import argparse
import os
import time
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from spacesweepers.planning.estimate import estimate_debris_legs
from spacesweepers.planning.gtoc9 import DebrisSet
from spacesweepers.planning.transfer import exact_transfer

_DEB = None


def _init(path):
    global _DEB
    _DEB = DebrisSet.from_csv(path)


def _solve(leg):
    a, b, td, tf = leg
    c0 = time.perf_counter()
    tr = exact_transfer(_DEB, int(a), td, int(b), td + tf)
    return (tr.dv_total_m_s if tr.ok else np.nan, time.perf_counter() - c0, tr.message if not tr.ok else "")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=1000, help="number of legs for the accuracy test")
    p.add_argument("--workers", type=int, default=2, help="processes for the exact solver")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cheap-m-s", type=float, default=300.0, help="a leg under this exact ΔV is cheap")
    p.add_argument("--debris", type=Path, default=Path(os.environ.get("SWEEPERS_SHARED_DATA", "../shared/data"))
                   / "gtoc9" / "debris.csv")
    args = p.parse_args()
    deb = DebrisSet.from_csv(args.debris)

    # --- throughput (alone, one process, CPU time) ------------------------------------------
    ids = deb.ids
    t = np.linspace(23467.0, 26400.0, 20)
    tof = np.linspace(0.5, 30.0, 20)
    estimate_debris_legs(deb, ids[:3, None, None, None], ids[None, :3, None, None], t[None, None, :, None],
                         tof[None, None, None, :])  # warm-up
    best = np.inf
    for _ in range(3):
        c0 = time.process_time()
        dv = estimate_debris_legs(deb, ids[:, None, None, None], ids[None, :, None, None], t[None, None, :, None],
                                  tof[None, None, None, :])
        best = min(best, time.process_time() - c0)
    print(f"throughput: {dv.size:,} leg estimates in {best:.3f} s CPU = {dv.size / best:,.0f} estimates/s "
          f"(all {len(ids)}² pairs × {t.size} epochs × {tof.size} flight times, 1 process, best of 3)", flush=True)

    # --- accuracy ----------------------------------------------------------------------------
    rng = np.random.default_rng(args.seed)
    legs = []
    while len(legs) < args.n:
        a, b = rng.choice(ids, 2, replace=False)
        td = float(rng.uniform(23467.0, 26400.0))
        tf = float(rng.uniform(0.5, 20.0))
        ra = deb.elements_at([a, b], td + tf)[:, 3]
        gap = abs((ra[1] - ra[0] + np.pi) % (2 * np.pi) - np.pi)
        if np.degrees(gap) <= 8.0:
            legs.append((int(a), int(b), td, tf))
    est = np.array([float(estimate_debris_legs(deb, a, b, td, tf)) for a, b, td, tf in legs])
    t_start = time.perf_counter()
    out = []
    with get_context("fork").Pool(args.workers, _init, (args.debris,)) as pool:
        for k, r in enumerate(pool.imap(_solve, legs, chunksize=1), 1):
            out.append(r)
            if k % 50 == 0:
                print(f"  {k} legs, {time.perf_counter() - t_start:.0f} s", flush=True)
    exact = np.array([r[0] for r in out])
    secs = np.array([r[1] for r in out])
    ok = np.isfinite(exact)
    rel = (est[ok] - exact[ok]) / exact[ok]
    print(f"exact transfers: {ok.sum()}/{len(legs)} found ({100 * ok.mean():.1f} %), median {np.median(secs):.1f} s "
          f"per leg (90 %: {np.percentile(secs, 90):.1f} s), wall {time.perf_counter() - t_start:.0f} s on "
          f"{args.workers} processes")
    fails: dict[str, int] = {}
    for r in out:
        if r[2]:
            key = r[2].split(";")[0][:70]
            fails[key] = fails.get(key, 0) + 1
    for k, v in sorted(fails.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  failure ×{v}: {k}")
    print(f"estimate error (est − exact)/exact: median {100 * np.median(rel):+.1f} %, median |error| "
          f"{100 * np.median(np.abs(rel)):.1f} %, 10–90 % [{100 * np.percentile(rel, 10):+.1f}, "
          f"{100 * np.percentile(rel, 90):+.1f}] %")
    cheap = ok & (exact < args.cheap_m_s)
    missed = cheap & (est > 1.5 * args.cheap_m_s)
    rc = (est[cheap] - exact[cheap]) / exact[cheap]
    print(f"cheap legs (exact < {args.cheap_m_s:g} m/s): {cheap.sum()}, median error "
          f"{100 * np.median(rc) if rc.size else np.nan:+.1f} %; estimated above {1.5 * args.cheap_m_s:g} m/s "
          f"(missed): {missed.sum()}")
    print(f"estimate ≤ exact (a lower bound) on {100 * np.mean(est[ok] <= exact[ok] * 1.0001):.1f} % of legs")


if __name__ == "__main__":
    main()
