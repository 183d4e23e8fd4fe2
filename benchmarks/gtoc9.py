"""GTOC9 campaign optimiser: solve with a time budget, validate, score; one line per run.

    .venv/bin/python benchmarks/gtoc9.py --minutes 30 [--out DIR] [--seed 0] [--workers 2] [--debris PATH]

Runs ``solve_campaign`` (the code behind ``sweepers gtoc9 solve``), re-reads the mission files
it wrote, validates them with our own validator and scores them with base cost 55 MEUR for
every mission. The baseline is the published 10-mission open-source result, J = 741.26 MEUR
(MTS-DP, zhong-zh15/gtoc9_MTS-DP, same convention): ratio < 1 means cheaper than it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from spacesweepers.planning.campaign import solve_campaign
from spacesweepers.planning.gtoc9 import DebrisSet, check_missions, read_missions, score_missions

BASELINE_J_MEUR = 741.26


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=30.0)
    p.add_argument("--out", type=Path, default=None, help="output folder (default: a fresh temporary one)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--debris", type=Path, default=Path(os.environ.get("SWEEPERS_SHARED_DATA", "../shared/data"))
                   / "gtoc9" / "debris.csv")
    args = p.parse_args()
    deb = DebrisSet.from_csv(args.debris)
    out = args.out or Path(tempfile.mkdtemp(prefix="gtoc9-bench-"))
    t0 = time.perf_counter()
    solve_campaign(deb, args.minutes, out, workers=args.workers, seed=args.seed,
                   log=lambda msg: print(f"  {msg}", flush=True))
    runtime = time.perf_counter() - t0
    missions = read_missions(out)
    rep = check_missions(missions, deb)
    score = score_missions(missions)
    dv = sum(m.dv_total_m_s for m in missions)
    print(f"gtoc9 campaign: valid={rep.ok} J={score.j_meur:.2f} MEUR missions={len(missions)} "
          f"debris={rep.n_debris} dV={dv:.0f} m/s runtime={runtime:.0f} s budget={args.minutes:g} min "
          f"J/741.26={score.j_meur / BASELINE_J_MEUR:.3f} seed={args.seed} out={out}", flush=True)
    if not rep.ok:
        for v in rep.violations[:10]:
            print(f"  violation: {v}")


if __name__ == "__main__":
    main()
