"""Whole-catalog SGP4: our Propagator.at against raw sgp4 SatrecArray.sgp4, side by side.

    .venv/bin/python benchmarks/propagate.py            # 26,140 objects × 1,440 times (1 day, 1 min)
    .venv/bin/python benchmarks/propagate.py --minutes 60 --repeat 5   # quick look

Both sides get the same SatrecArray contents and the same UTC (jd, fr) arrays, chunk by
chunk back to back with the order alternating, so that a noisy neighbour on the machine
hits both. The time grid is fed in chunks of ``--chunk`` times to bound memory
(one chunk of 360 times is 2 × 226 MB of float64 per side); both sides use the same chunks.
Printed: wall-clock and CPU time of each side, the overhead ratio ours/raw (target
≤ 1.10; median of paired chunk ratios and ratio of totals), the cost of the work
``Propagator.at`` adds after SGP4 timed on its own, then the frame conversions. Needs the shared snapshot (``SWEEPERS_SHARED_DATA`` or
../shared/data).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np


def _snapshot() -> Path:
    root = Path(os.environ.get("SWEEPERS_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))
    path = root / "catalog" / "spacetrack_3le_2023-10-09.tle"
    if not path.exists():
        sys.exit(f"snapshot not found at {path}; set SWEEPERS_SHARED_DATA to the shared data folder")
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=int, default=1440, help="length of the time grid in minutes (default 1440)")
    ap.add_argument("--step-s", type=float, default=60.0, help="grid step in seconds (default 60)")
    ap.add_argument("--repeat", type=int, default=3, help="alternating repetitions per side (default 3)")
    ap.add_argument("--chunk", type=int, default=360, help="times per call (default 360)")
    args = ap.parse_args(argv)

    from sgp4.api import SatrecArray

    from spacesweepers.catalog.formats.tle import read_tle
    from spacesweepers.propagation import Propagator
    from spacesweepers.time import Time

    path = _snapshot()
    t0 = time.perf_counter()
    parsed = read_tle(path)
    t1 = time.perf_counter()
    prop = Propagator(parsed.element_sets)
    t2 = time.perf_counter()
    raw = SatrecArray(prop.satrecs)
    n_obj = len(prop)
    print(f"snapshot: {path.name}: {n_obj:,} objects, {len(parsed.problems)} problems; "
          f"read {t1 - t0:.2f} s, Propagator() {t2 - t1:.2f} s (one-off: builds the SatrecArray)")

    n_time = int(round(args.minutes * 60.0 / args.step_s))
    start = Time.from_iso("2023-10-09T00:00:00Z")
    times = start.plus_seconds(np.arange(n_time) * args.step_s)
    chunks = [times[i:i + args.chunk] for i in range(0, n_time, args.chunk)]
    raw_chunks = [(np.ascontiguousarray(c.jd1), np.ascontiguousarray(c.jd2)) for c in chunks]
    print(f"grid: {n_time:,} times ({args.minutes} min every {args.step_s:g} s) in {len(chunks)} chunk(s); "
          f"{n_obj * n_time:,} states per run; {args.repeat} alternating repetitions")

    # Paired, alternating measurements: for every chunk, raw and ours run back to back,
    # the order flipping from one pair to the next, so drift and a noisy neighbour on the
    # machine hit both sides alike. Wall-clock and this process's CPU time are both kept:
    # SGP4 is single-threaded, so on a busy shared machine CPU time is the steadier one.
    t_raw, t_ours, c_raw, c_ours = ([0.0] * args.repeat for _ in range(4))
    pair_ratios, pair_cpu_ratios = [], []
    err_raw = err_ours = 0

    def timed(fn):
        a, ca = time.perf_counter(), time.process_time()
        n_err = fn()
        return n_err, time.perf_counter() - a, time.process_time() - ca

    def one_raw(k):
        e, r, v = raw.sgp4(*raw_chunks[k])
        return int(np.count_nonzero(e))

    def one_ours(k):
        return int(np.count_nonzero(prop.at(chunks[k]).error))

    pair = 0
    for rep in range(args.repeat):
        for k in range(len(chunks)):
            order = (("raw", one_raw), ("ours", one_ours))
            if pair % 2:
                order = order[::-1]
            res = {}
            for name, fn in order:
                res[name] = timed(lambda: fn(k))
            pair += 1
            if rep == args.repeat - 1:
                err_raw += res["raw"][0]
                err_ours += res["ours"][0]
            t_raw[rep] += res["raw"][1]
            c_raw[rep] += res["raw"][2]
            t_ours[rep] += res["ours"][1]
            c_ours[rep] += res["ours"][2]
            pair_ratios.append(res["ours"][1] / res["raw"][1])
            pair_cpu_ratios.append(res["ours"][2] / res["raw"][2])
        print(f"  rep {rep + 1}: raw {t_raw[rep]:7.2f} s (cpu {c_raw[rep]:7.2f} s)   "
              f"ours {t_ours[rep]:7.2f} s (cpu {c_ours[rep]:7.2f} s)   "
              f"ratio {t_ours[rep] / t_raw[rep]:.3f} (cpu {c_ours[rep] / c_raw[rep]:.3f})")
    assert err_raw == err_ours, (err_raw, err_ours)

    # the work Propagator.at adds after SGP4, timed on its own on a real chunk's output
    e, r, v = raw.sgp4(*raw_chunks[0])
    a = time.process_time()
    for _ in range(20):
        prop._finish(chunks[0], e, r, v)
    post_s = (time.process_time() - a) / 20
    del e, r, v

    n_states = n_obj * n_time
    for label, wall, cpu in (("raw SatrecArray.sgp4", t_raw, c_raw), ("Propagator.at", t_ours, c_ours)):
        print(f"{label:<21}: wall best {min(wall):7.2f} s median {statistics.median(wall):7.2f} s | "
              f"cpu best {min(cpu):7.2f} s median {statistics.median(cpu):7.2f} s "
              f"({min(cpu) / n_states * 1e9:.0f} ns/state)")
    print(f"overhead ratio ours/raw (target ≤ 1.10): median of {len(pair_ratios)} paired chunks: "
          f"wall {statistics.median(pair_ratios):.3f}, cpu {statistics.median(pair_cpu_ratios):.3f}; "
          f"totals: wall {sum(t_ours) / sum(t_raw):.3f}, cpu {sum(c_ours) / sum(c_raw):.3f}")
    sgp4_chunk_s = min(c_raw) / len(chunks)
    print(f"work Propagator.at adds after SGP4 (error scan, NaN fill, read-only views): "
          f"{post_s * 1e3:.2f} ms per chunk of {len(chunks[0])} times = {post_s / sgp4_chunk_s:.2%} of its SGP4 time; "
          f"{err_ours:,} failed states (code≠0) per run on both sides")

    # --- frames, on one chunk ---------------------------------------------------------
    eph = prop.at(chunks[0])
    n_chunk = eph.r_teme_km.shape[0] * eph.r_teme_km.shape[1]
    print(f"frames on one chunk ({eph.r_teme_km.shape[0]:,} × {eph.r_teme_km.shape[1]} = {n_chunk:,} states):")
    for name, fn in (("gcrs()", eph.gcrs), ("itrs()", eph.itrs), ("geodetic()", eph.geodetic)):
        best = float("inf")
        for _ in range(2):
            a = time.process_time()
            out = fn()
            best = min(best, time.process_time() - a)
            del out
        print(f"  {name:<11} cpu {best:6.2f} s  ({best / n_chunk * 1e9:5.0f} ns/state, "
              f"{best / (min(c_ours) / n_states * n_chunk):.2f}× the SGP4 time of the same states)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
