"""How the search's leg price compares with the legs flown exactly; one line per flight-time bin.

    .venv/bin/python benchmarks/leg_price.py OUT_DIR [OUT_DIR …] [--debris PATH]

Reads ``legs.json`` (every leg flown by ``sweepers gtoc9 solve`` / ``benchmarks/gtoc9.py``,
keyed by departure id, epoch, arrival id, epoch) from the campaign folders given, prices each
distinct flown leg with the fast estimate, and prints per flight-time bin: the number of legs,
the mean estimate, the mean exact ΔV, the least-squares fit exact ≈ a·estimate + b with its
residual, and the mean price of :class:`~spacesweepers.planning.sequence.LegPrice` (the
search's price now) and of 1.1·estimate + 20 m/s (the price before). The fit is what
``LegPrice``'s defaults came from.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

from spacesweepers.planning.campaign import transfer_from_dict
from spacesweepers.planning.estimate import estimate_debris_legs
from spacesweepers.planning.gtoc9 import DebrisSet
from spacesweepers.planning.sequence import LegPrice

BINS_DAY = ((0, 6), (6, 10), (10, 15), (15, 20), (20, 31))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", nargs="+", type=Path, help="campaign folders holding legs.json")
    p.add_argument("--debris", type=Path, default=Path(os.environ.get("SWEEPERS_SHARED_DATA", "../shared/data"))
                   / "gtoc9" / "debris.csv")
    args = p.parse_args()
    deb = DebrisSet.from_csv(args.debris)
    legs = {}
    for folder in args.out:
        legs.update({k: v for k, v in json.loads((folder / "legs.json").read_text()).items() if v["ok"]})
    rows = []
    for key, tr in legs.items():
        dep, t0, arr, t1 = key.split(":")
        tof = float(t1) - float(t0)
        est = float(estimate_debris_legs(deb, int(dep), int(arr), float(t0), tof))
        rows.append((tof, est, transfer_from_dict(tr).dv_total_m_s))
    r = np.array(rows)
    price = LegPrice()
    print(f"{len(r)} distinct legs flown exactly, from {len(args.out)} campaign folder(s)")
    for lo, hi in BINS_DAY:
        m = (r[:, 0] >= lo) & (r[:, 0] < hi)
        if m.sum() < 3:
            continue
        tof, est, exact = r[m].T
        (a, b), *_ = np.linalg.lstsq(np.vstack([est, np.ones_like(est)]).T, exact, rcond=None)
        print(f"flights {lo:2d}-{hi:2d} d: n={m.sum():3d}  estimate {est.mean():5.0f}  exact {exact.mean():5.0f} m/s  "
              f"fit {a:.3f}·est{b:+.1f} (residual {np.std(exact - (a * est + b)):.0f})  "
              f"LegPrice {np.mean(price(est, tof)):5.0f}  1.1·est+20 {np.mean(1.1 * est + 20):5.0f}")


if __name__ == "__main__":
    main()
