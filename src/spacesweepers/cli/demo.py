"""`sweepers demo`: the main job end to end on the embedded defaults.

1. Population: the user's catalog files (``--catalog``), else CelesTrak's GP data when the
   network answers, else a population generated offline by Space Sweepers itself. The demo
   always says which one it used.
2. Database: a SQLite file (``--db``/``SWEEPERS_DB`` or ``<data dir>/demo.db``), loaded in one
   transaction per input.
3. Catalog statistics, the whole catalog propagated to now in one call, where a few notable
   objects are, and a Gabbard diagram plus an altitude histogram as PNG files.
4. Danger: all-vs-all conjunctions over the next day (stored), and the ten pieces of junk most
   worth removing by criticality index.
5. Sweeping: the Victory's salvage route through the most critical targets, legs flown under J2.
"""

from __future__ import annotations

import os
import time as _clock
from pathlib import Path
from typing import List, Optional

import numpy as np
import typer
from rich.rule import Rule

from ..errors import SweepersError
from ..time import Time
from ._common import console, data_dir, err_console, object_types, state

# Well-known objects shown when present (NORAD id → why they are interesting)
NOTABLE = {
    25544: "International Space Station",
    20580: "Hubble Space Telescope",
    48274: "Tiangong space station core",
    27424: "Aqua (A-Train)",
    43013: "Sentinel-3B",
    36508: "CryoSat-2",
    22675: "Cosmos 2251 (collided 2009)",
    24946: "Iridium 33 (collided 2009)",
    25730: "Fengyun-1C (ASAT target 2007)",
    13552: "Cosmos 1408 (ASAT target 2021)",
}


def _load_population(store, catalog: list[Path], offline: bool, seed: int) -> str:
    """Fill the store and return a sentence saying which population was used."""
    if catalog:
        for f in catalog:
            r = store.ingest(f)
            console.print(f"  {r.summary()}")
        return f"your catalog file(s): {', '.join(str(c) for c in catalog)}"
    if not offline:
        from ..catalog import celestrak

        with celestrak.CelesTrakClient(timeout_s=5.0, max_retries=0) as client:
            reports = celestrak.update(store, groups=["active"], fmt="json", client=client)
        if reports and all(r.ok for r in reports) and reports[0].objects:
            for r in reports:
                console.print(f"  {r}", highlight=False, markup=False)
            return f"CelesTrak GP data (group 'active', {reports[0].status})"
        first = (reports[0].error or reports[0].message or "no answer") if reports else "no answer"
        console.print(f"  [yellow]no CelesTrak data[/] ({str(first).splitlines()[0]})", highlight=False)
    try:
        from ..population.presets import demo_population
    except ImportError:
        demo_population = None
    if demo_population is not None:
        # intact objects get today's date as epoch; the historical clouds are aged to it
        today = Time.from_iso(Time.now().iso(0)[:10])
        pop = demo_population(seed=seed, epoch=today)
        r = store.ingest(pop.parse_result(), generated=pop.generated_ids(), parent_events=pop.parent_events())
        console.print(f"  {r.summary()}")
        for note in pop.notes:
            console.print(f"  {note}")
        return (f"the generated offline demo population (preset 'demo', seed {seed}, epoch {today.iso(0)[:10]}; "
                f"{pop.description})")
    import importlib.resources as resources

    from ..catalog.formats.tle import read_tle

    text = (resources.files("sgp4") / "SGP4-VER.TLE").read_text()
    result = read_tle(text, source="sgp4/SGP4-VER.TLE", verify_checksum=False)
    r = store.ingest(result)
    console.print(f"  {r.summary()}")
    return "the 33 Vallado SGP4 verification element sets shipped inside the sgp4 package"


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        catalog: Optional[List[Path]] = typer.Option(None, "--catalog", help="Use these catalog files instead of downloading or generating a population."),
        out: Path = typer.Option(Path("demo-output"), "--out", help="Folder for the PNG files."),
        offline: bool = typer.Option(False, "--offline", help="Do not try CelesTrak; use the generated population."),
        seed: int = typer.Option(1, "--seed", help="Seed of the generated population."),
        fresh: bool = typer.Option(True, "--fresh/--keep", help="Start from an empty demo database (default) or keep what is in it."),
    ):
        """Run the main job end to end: population → database → statistics → propagation → plots."""
        from ..catalog.plots import altitude_histogram, gabbard
        from ..catalog.store import Store
        from ..propagation import Propagator
        from .where import print_locations

        url = state.db_url or os.environ.get("SWEEPERS_DB") or f"sqlite:///{data_dir() / 'demo.db'}"
        if fresh and url.startswith("sqlite:///") and state.db_url is None and not os.environ.get("SWEEPERS_DB"):
            db_file = Path(url[len("sqlite:///"):])
            for suffix in ("", "-wal", "-shm"):
                Path(str(db_file) + suffix).unlink(missing_ok=True)
        console.print(Rule("[bold]Space Sweepers demo"))
        console.print(f"database: {url}")

        with Store(url) as store:
            console.print(Rule("1. population"))
            t0 = _clock.perf_counter()
            used = _load_population(store, list(catalog or []), offline, seed)
            console.print(f"[bold]population used:[/] {used} ({_clock.perf_counter() - t0:.1f} s)")

            console.print(Rule("2. catalog statistics"))
            from .catalog import print_stats

            print_stats(store.stats())

            console.print(Rule("3. propagate every object to now"))
            elements = store.latest()
            types = object_types(store, [e.norad_id for e in elements])
        if not elements:
            raise SweepersError("the population is empty; nothing to propagate")
        now = Time.now()
        t0 = _clock.perf_counter()
        eph = Propagator(elements).at(now)
        geo = eph.geodetic()
        dt = _clock.perf_counter() - t0
        ok = eph.ok[:, 0]
        console.print(f"{len(elements):,} objects propagated to {now.iso(0)} in {dt:.2f} s "
                      f"(one SatrecArray call): {int(ok.sum()):,} ok, {int((~ok).sum()):,} failed")
        problems = eph.problems()
        if problems:
            counts: dict[str, int] = {}
            for p in problems:
                counts[p.message] = counts.get(p.message, 0) + 1
            for msg, n in sorted(counts.items(), key=lambda kv: -kv[1]):
                console.print(f"  {n:,} × {msg}")
        alt = geo.alt_km[:, 0]
        if ok.any():
            console.print(f"altitude now: median {np.nanmedian(alt):,.0f} km, "
                          f"{int(np.sum(alt[ok] < 2000)):,} objects below 2,000 km")

        console.print(Rule("4. where are a few notable objects"))
        from .where import locate

        by_id = {e.norad_id: e for e in elements}
        chosen = [by_id[i] for i in NOTABLE if i in by_id]
        if len(chosen) < 3:  # a population without the famous objects: show the first few intact ones
            chosen += [e for e, t in zip(elements, types) if t in ("PAYLOAD", "ROCKET BODY") and e not in chosen][: 5 - len(chosen)]
        rows = locate(chosen, now)
        for r in rows:
            r["name"] = NOTABLE.get(r["norad_id"], r["name"])
        print_locations(rows, f"positions at {now.iso(0)}")

        console.print(Rule("5. plots"))
        out.mkdir(parents=True, exist_ok=True)
        g = gabbard(elements, out / "gabbard.png", types=types, title="Gabbard diagram (demo)")
        a = altitude_histogram(elements, out / "altitude.png", types=types)
        console.print(f"wrote {g} and {a}")
        screening = _conjunctions(url, elements, now)
        _top_junk(url, screening, out)
        _victory_route(url, out, screening=screening)
        console.print(Rule())
        console.print(f"[bold green]demo finished[/] — population: {used}")


def _conjunctions(url: str, elements, now: Time, days: float = 1.0, threshold_km: float = 5.0):
    """6. All-vs-all conjunction screening of the population over the next day, stored in the
    database, closest events shown. One day instead of the command's default seven keeps the
    demo short; ``sweepers screen`` runs the full week."""
    from ..catalog.store import Store
    from ..danger.screening import save_screening, screen, store_inputs
    from .population import generated_ids
    from .screen import print_events

    console.print(Rule(f"6. conjunctions in the next {days * 24:g} hours"))
    with Store(url) as store:
        sizes, rcs, _ = store_inputs(store, [e.norad_id for e in elements])
        res = screen(elements, now, days=days, threshold_km=threshold_km, sizes=sizes, rcs=rcs)
        run_id = save_screening(store, res)
        gen = generated_ids(store, [*res.table["primary"].tolist(), *res.table["secondary"].tolist()])
    print_events(res, threshold_km, days, limit=10, generated=gen)
    console.print(f"stored as screening run {run_id}; the full week: sweepers screen --days 7")
    return res


def _top_junk(url: str, screening, out: Path, n: int = 10) -> None:
    """7. The ten pieces of junk most worth removing (criticality index, with the collision rates
    the screening just observed)."""
    from ..catalog.store import Store
    from .risk import ranked, print_top

    console.print(Rule(f"7. the top-{n} junk to sweep"))
    with Store(url) as store:
        sel = ranked(store, screening=screening)
    if not len(sel):
        console.print("no rocket bodies or debris in this population: nothing to rank")
        return
    print_top(sel.top(n), f"Top {min(n, len(sel))} of {len(sel)} rocket bodies, debris and unknown objects "
                          "by criticality index", n_why=3)
    sel.plot(out / "risk-top.png", n_label=n)
    console.print(f"wrote {out / 'risk-top.png'}")


def _victory_route(url: str, out: Path, n_targets: int = 30, screening=None) -> None:
    """8. The Victory's salvage route through the most critical objects of the population:
    picked and ordered on the fast estimate, every leg flown with a J2 transfer."""
    from ..catalog.store import Store
    from ..planning.catalog_legs import CatalogBodies
    from ..planning.economics import CostModel
    from ..planning.route import plan_route, targets_from_store
    from ..planning.route_plots import plot_dv_bars, plot_gantt, plot_raan_time
    from ..planning.ship import Ship
    from .plan import print_blocked, print_route

    console.print(Rule("8. the Victory's route"))
    t0 = _clock.perf_counter()
    ship, costs = Ship.builtin("victory"), CostModel()
    with Store(url) as store:
        try:
            els, targets, unknown = targets_from_store(store, [f"top:{n_targets}"], costs, screening=screening)
        except SweepersError as e:  # e.g. a population of active satellites only
            els, targets, unknown = [], {}, []
            console.print(f"  {e}")
    if not els:
        console.print("no rocket bodies or debris in this population: nothing to sweep")
        return
    route = plan_route(els, targets, ship, costs, unknown_ids=unknown,
                       progress=lambda k, n, leg: err_console.print(f"  flying leg {k + 1}/{n} (J2 transfer)"))
    print_route(route, title=f"The Victory through the top {len(targets)} targets by criticality")
    print_blocked(route.blocked, limit=5)
    files = [plot_gantt([route], out / "victory-timeline.png")]
    if route.targets:
        bodies = CatalogBodies(els)
        files += [plot_raan_time(route, bodies, out / "victory-raan.png"), plot_dv_bars(route, out / "victory-dv.png")]
    console.print(f"wrote {', '.join(str(f) for f in files)} ({_clock.perf_counter() - t0:.1f} s)")
