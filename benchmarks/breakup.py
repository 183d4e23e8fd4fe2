"""Breakup model benchmark and validation report.

Prints, in one run:

1. sampling rate of the NASA standard breakup model (fragments per second; target ≥ 1e6/s);
2. agreement of sampled distributions with the published ones (count law, log10 A/M mean and
   spread per Lc, log10 Δv law);
3. fragments ≥ 10 cm predicted by the model for three well-known events next to the numbers
   the US Space Surveillance Network catalogued;
4. time to generate and store a large population (default about 1,000,000 objects) and the
   database insert rate.

Usage: ``python benchmarks/breakup.py [--scale N] [--db URL]`` (``--scale 0`` skips 4;
the default 220 gives about a million objects).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np

from spacesweepers.population import breakup as bm
from spacesweepers.population import presets as pr


def sampling_rate() -> None:
    print("1. sampling rate (NASA SBM: Lc, A/M, area, mass, Δv vector)")
    for label, call in [
        ("explosion, rocket body, Lc ≥ 1 mm", lambda s: bm.explosion(1000.0, lc_min_m=0.001, mass_conservation="none", seed=s)),
        ("collision 560 + 900 kg at 11.7 km/s, Lc ≥ 2 mm",
         lambda s: bm.collision(560.0, 900.0, 11.7, lc_min_m=0.002, mass_conservation="none", seed=s)),
    ]:
        call(0)
        best = math.inf
        n = 0
        for s in range(3):
            t = time.perf_counter()
            f = call(s)
            best = min(best, time.perf_counter() - t)
            n = f.n
        print(f"   {label}: {n:,} fragments in {best:.3f} s = {n / best / 1e6:.2f} M fragments/s "
              f"({'meets' if n / best >= 1e6 else 'BELOW'} the 1 M/s target)")


def validation() -> None:
    print("2. agreement with the published distributions (Johnson et al. 2001)")
    rng = np.random.default_rng(1)
    worst_mean = worst_std = 0.0
    for parent in ("rocket body", "spacecraft"):
        for lc in (0.002, 0.01, 0.05, 0.09, 0.2, 1.0, 3.0):
            chi = bm.sample_log_area_to_mass(np.full(400_000, lc), parent, rng)
            m, s = bm.am_log_mean_std(lc, parent)
            worst_mean = max(worst_mean, abs(chi.mean() - float(m)))
            worst_std = max(worst_std, abs(chi.std() - float(s)))
    print(f"   log10(A/M): largest |mean − published| {worst_mean:.4f}, |std − published| {worst_std:.4f} "
          "(400,000 samples at each of 14 (parent, Lc) points)")
    for kind, (a, b) in (("explosion", bm.DV_EXPLOSION), ("collision", bm.DV_COLLISION)):
        chi = rng.uniform(-2.5, 0.5, 400_000)
        nu = np.log10(np.linalg.norm(bm.sample_delta_v(chi, kind, rng), axis=1))
        slope, off = np.polyfit(chi, nu, 1)
        print(f"   log10(Δv) {kind}: fitted {slope:.3f} χ + {off:.3f}, σ {np.std(nu - slope * chi - off):.3f} "
              f"(published {a} χ + {b}, σ 0.4)")
    f = bm.explosion(5000.0, lc_min_m=0.002, lc_max_m=5.0, mass_conservation="none", seed=2)
    cnt = []
    for lc in (0.01, 0.1, 1.0):
        exp = 6 * lc**-1.6 - 6 * 5.0**-1.6
        cnt.append(f"≥{lc * 100:g} cm {f.count_at_least(lc):,} vs {exp:,.0f}")
    print(f"   explosion count law N = 6 Lc^-1.6: {'; '.join(cnt)}")


def event_counts() -> None:
    print("3. fragments ≥ 10 cm: NASA SBM vs. catalogued by the SSN")
    print(f"   {'event':28s} {'M (kg)':>8s} {'SBM N(10 cm)':>13s} {'sampled':>8s} {'in orbit':>9s} {'catalogued':>11s} {'SBM/obs':>8s}")
    for ev in pr.HISTORICAL_EVENTS:
        masses = list(ev.masses_kg) + ([ev.interceptor_mass_kg] if ev.interceptor_mass_kg else [])
        regime = bm.collision_mass(masses[0], masses[1], ev.impact_speed_km_s)
        n_law = bm.collision_fragment_count(0.1, regime.mass_kg)
        cloud = pr.historical_cloud(ev.key)
        print(f"   {ev.name:28s} {regime.mass_kg:8.0f} {n_law:13.0f} {cloud.fragments.n:8,} {cloud.n:9,} "
              f"{ev.tracked_fragments:11,} {n_law / ev.tracked_fragments:8.2f}")
    print("   (catalogued counts: " + "; ".join(f"{e.name}: {e.tracked_source}" for e in pr.HISTORICAL_EVENTS[:1]) +
          "; see docs/population.md. 'in orbit' leaves out fragments whose perigee is below 100 km at once.)")


def population(scale: float, db_url: str | None) -> None:
    from spacesweepers.catalog.store import Store
    from spacesweepers.cli.population import store_population

    print(f"4. generate and store a large population (demo preset × {scale:g})")
    t = time.perf_counter()
    pop = pr.demo_population(scale)
    t_gen = time.perf_counter() - t
    print(f"   generated {pop.n:,} objects in {t_gen:.1f} s ({pop.n / t_gen:,.0f} objects/s; "
          f"{', '.join(f'{k.lower()} {v:,}' for k, v in pop.counts().items())})")
    tmp = None
    if db_url is None:
        tmp = tempfile.TemporaryDirectory()
        db_url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    with Store(db_url) as store:
        t = time.perf_counter()
        store_population(store, pop)
        t_store = time.perf_counter() - t
    print(f"   stored in {t_store:.1f} s: {pop.n / t_store:,.0f} objects/s inserted ({db_url.split(':')[0]})")
    print(f"   total {t_gen + t_store:.1f} s")
    if tmp:
        tmp.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=220.0,
                    help="demo preset scale for part 4 (220 ≈ 1,000,000 objects; 0 skips it)")
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    args = ap.parse_args()
    sampling_rate()
    validation()
    event_counts()
    if args.scale > 0:
        population(args.scale, args.db)


if __name__ == "__main__":
    main()
