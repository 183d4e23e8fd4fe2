"""Salvage routes: our beam planner vs a greedy nearest-ΔV planner, same targets, same budgets.

Populations: the generated demo population (offline, epoch 2026-01-01) and, when present, the
real 2023-10-09 catalog snapshot (../shared/data). For each ΔV budget both planners get the same
ship (the Victory), targets (top N by criticality), search grid and ΔV margin; the table prints
targets removed, risk removed (Σ criticality index) and risk removed per tonne of propellant
(search estimates × margin for both). ``--fly`` also flies both routes with the J2 transfers
and prints the flown figures (slow: a few seconds per leg).

    .venv/bin/python benchmarks/route.py [--top 50] [--fly] [--no-real]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _populations(real: bool):
    from spacesweepers.catalog.store import Store
    from spacesweepers.population.presets import demo_population
    from spacesweepers.time import Time

    tmp = Path(tempfile.mkdtemp(prefix="bench-route-"))
    url = f"sqlite:///{tmp / 'demo.db'}"
    pop = demo_population(seed=1, epoch=Time.from_iso("2026-01-01T00:00:00Z"))
    with Store(url) as s:
        s.ingest(pop.parse_result(), generated=pop.generated_ids(), parent_events=pop.parent_events())
    yield "demo population (generated, 2026-01-01)", url
    snap = Path(os.environ.get("SWEEPERS_SHARED_DATA", ROOT.parent / "shared" / "data")) / "catalog"
    if real and (snap / "spacetrack_3le_2023-10-09.tle").exists():
        url = f"sqlite:///{tmp / 'real.db'}"
        with Store(url) as s:
            s.ingest(snap / "spacetrack_3le_2023-10-09.tle")
            cara = snap / "cara_hbr_mass_estimates_2026-06-01.csv"
            if cara.exists():
                s.ingest(cara)
        yield "real catalog 2023-10-09 (+ CARA masses)", url


def _row(name, r):
    rpt = r.risk_per_tonne
    return (f"  {name:<22} {r.n_removed:>3} removed  risk {r.risk_removed:7.3f}  ΔV {r.dv_m_s:7,.0f} m/s  "
            f"propellant {r.propellant_kg:6,.0f} kg  risk/t {rpt if math.isfinite(rpt) else float('nan'):6.3f}  "
            f"profit {r.profit_meur:+6.1f} MEUR")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=50)
    ap.add_argument("--fly", action="store_true")
    ap.add_argument("--no-real", action="store_true")
    args = ap.parse_args(argv)
    from spacesweepers.catalog.store import Store
    from spacesweepers.planning.economics import CostModel
    from spacesweepers.planning.route import _fly, greedy_route, plan_route, targets_from_store
    from spacesweepers.planning.catalog_legs import CatalogBodies
    from spacesweepers.planning.ship import Ship

    ship, costs = Ship.builtin(), CostModel()
    print(f"ship {ship.name}: {ship.launch_mass_kg:,.0f} kg at launch, {ship.propellant_kg:,.0f} kg propellant, "
          f"ΔV capacity {ship.dv_capacity_m_s():,.0f} m/s, {ship.kit_count} kits, {ship.max_mission_days:g} days")
    for label, url in _populations(not args.no_real):
        with Store(url) as store:
            t = time.perf_counter()
            els, tg, _ = targets_from_store(store, [f"top:{args.top}"], costs)
            t_rank = time.perf_counter() - t
        print(f"\n{label}: top {len(tg)} targets by criticality (ranked in {t_rank:.1f} s)")
        for budget in (None, 1500.0, 800.0):
            print(f" ΔV budget {'ship propellant' if budget is None else f'{budget:,.0f} m/s'}:")
            t = time.perf_counter()
            ours = plan_route(els, tg, ship, costs, budget_dv_m_s=budget, fly=False)
            t_ours = time.perf_counter() - t
            t = time.perf_counter()
            greedy = greedy_route(els, tg, ship, costs, budget_dv_m_s=budget)
            t_greedy = time.perf_counter() - t
            print(_row(f"ours (beam, {t_ours:.2f} s)", ours))
            print(_row(f"greedy ({t_greedy:.2f} s)", greedy))
            if greedy.risk_removed > 0:
                print(f"  ratio ours/greedy: risk removed {ours.risk_removed / greedy.risk_removed:.2f}×, "
                      f"risk per tonne {ours.risk_per_tonne / greedy.risk_per_tonne:.2f}×")
            if args.fly and budget is None:
                bodies = CatalogBodies(els)
                for name, r in (("ours flown", ours), ("greedy flown", greedy)):
                    t = time.perf_counter()
                    _fly(r, bodies)
                    print(_row(f"{name} ({time.perf_counter() - t:.0f} s)", r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
