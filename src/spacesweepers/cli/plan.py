"""`sweepers plan route|fleet`: salvage routes through real catalog targets."""

from __future__ import annotations

import math
from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from ..errors import SweepersError
from ._common import console, emit_json, err_console, open_store, status

app = typer.Typer(help="Salvage routes through catalog targets: one ship (route) or several (fleet).",
                  no_args_is_help=True)


def _costs(costs_file: Optional[Path], bounty: Optional[List[str]]):
    from ..planning.economics import CostModel

    c = CostModel.from_toml(costs_file) if costs_file else CostModel()
    extra = {}
    for b in bounty or []:
        try:
            k, v = b.split("=", 1)
            extra[int(k)] = float(v)
        except ValueError:
            raise SweepersError(f"cannot read --bounty {b!r}: write ID=MEUR, e.g. --bounty 25730=12.5") from None
    return c.with_bounties(extra) if extra else c


def _options(objective: str, seed: int, margin: float, beam: int):
    from ..planning.route import SearchOptions

    return SearchOptions(objective=objective, seed=seed, dv_margin=margin, beam_width=beam)


def _utc(t: float) -> str:
    from ..time import Time

    return Time.from_mjd2000(t).iso(0)[:16].replace("T", " ")


def print_route(route, title: str | None = None) -> None:
    from ..population.clouds import GENERATED_SUFFIX

    s = route.summary()
    t = Table(title=title or f"{route.ship.name}: {s['targets_removed']} targets, start {_utc(route.start_mjd2000_day)} UTC",
              caption="ΔV in m/s (plan: estimate × margin; flown: J2 transfer); index: criticality; MEUR: bounty; "
                      "GEN: a generated object, not observed")
    for col in ("#", "target", "arrive UTC", "ΔV plan", "ΔV flown", "prop kg", "index", "MEUR"):
        t.add_column(col, justify="left" if col in ("arrive UTC", "target") else "right", no_wrap=True)
    first_free = route.ship.start_orbit != "parking"
    for k, (tg, ta) in enumerate(zip(route.targets, route.arrivals_mjd2000_day)):
        j = k - 1 if first_free else k
        leg = route.legs[j] if 0 <= j < len(route.legs) else None
        gen = " GEN" if (tg.name or "").endswith(GENERATED_SUFFIX) else ""  # generated objects' names say so
        t.add_row(str(k + 1), f"{tg.norad_id}{gen}", _utc(ta)[:10],
                  "—" if leg is None else f"{leg.dv_estimate_m_s * route.options.dv_margin:,.0f}",
                  "—" if leg is None or not math.isfinite(leg.dv_m_s) else f"{leg.dv_m_s:,.1f}",
                  "—" if leg is None else f"{leg.propellant_kg:,.0f}", f"{tg.value_index:.3f}", f"{tg.bounty_meur:.2f}")
    console.print(t)
    console.print(f"removed {s['targets_removed']} objects, risk removed {s['risk_removed_index']:.3f} (Σ criticality index), "
                  f"ΔV {s['dv_m_s']:,.0f} m/s ({'flown' if route.flown else 'estimated'}), propellant {s['propellant_kg']:,.0f} "
                  f"of {route.ship.propellant_kg:,.0f} kg, {s['days']:.0f} days", highlight=False)
    console.print(f"bounty {s['bounty_meur']:.1f} MEUR − cost {s['cost_meur']:.1f} MEUR (launch {route.costs.launch_meur:g}, "
                  f"propellant, operations) = profit {s['profit_meur']:+.1f} MEUR", highlight=False)
    for n in route.notes:
        console.print(f"[yellow]note:[/] {n}", highlight=False)


def print_blocked(blocked: dict, limit: int = 12) -> None:
    if not blocked:
        return
    counts: dict[str, int] = {}
    for c, _ in blocked.values():
        counts[c] = counts.get(c, 0) + 1
    console.print("not taken: " + ", ".join(f"{n} × {c}" for c, n in sorted(counts.items(), key=lambda kv: -kv[1])),
                  highlight=False)
    for k, (nid, (c, r)) in enumerate(blocked.items()):
        if k >= limit:
            console.print(f"  … and {len(blocked) - limit} more (--json lists all)")
            break
        console.print(f"  {nid}: [bold]{c}[/] — {r}", highlight=False)


def _plots(route_or_routes, bodies, plot_dir: Optional[Path]) -> list:
    if plot_dir is None:
        return []
    from ..planning.route_plots import plot_dv_bars, plot_gantt, plot_raan_time

    plot_dir.mkdir(parents=True, exist_ok=True)
    routes = route_or_routes if isinstance(route_or_routes, list) else [route_or_routes]
    out = [plot_gantt(routes, plot_dir / "timeline.png")]
    for r in routes:
        if r.targets:
            stem = r.ship.name.lower().replace(" ", "-")
            out.append(plot_raan_time(r, bodies, plot_dir / f"{stem}-raan.png"))
            out.append(plot_dv_bars(r, plot_dir / f"{stem}-dv.png"))
    return out


def _progress(json: bool):
    if json:
        return None

    def cb(k, n, leg):
        err_console.print(f"  flying leg {k + 1}/{n}: {leg.dep_id} → {leg.arr_id} (J2 transfer)", highlight=False)
    return cb


_TARGETS_HELP = "top:N (the N most critical rocket bodies/debris) or NORAD ids (repeat or comma-separate)."


@app.command("route")
def route_cmd(
    ship: str = typer.Option("victory", "--ship", help="Ship TOML file, or a built-in ship name (victory)."),
    targets: List[str] = typer.Option(["top:50"], "--targets", help=_TARGETS_HELP),
    budget_dv: Optional[float] = typer.Option(None, "--budget-dv", help="Cap on the total ΔV (m/s); default: the propellant decides."),
    days: Optional[float] = typer.Option(None, "--days", help="Maximum mission duration (days); default: the ship's."),
    start: Optional[str] = typer.Option(None, "--start", help="Launch epoch, ISO 8601 UTC; default: the ship's (catalog: newest element set)."),
    objective: str = typer.Option("risk", "--objective", help="risk (Σ criticality removed) or profit."),
    costs: Optional[Path] = typer.Option(None, "--costs", help="Cost model TOML (docs/planning.md)."),
    bounty: Optional[List[str]] = typer.Option(None, "--bounty", help="Bounty for one target, ID=MEUR (repeat)."),
    margin: float = typer.Option(2.0, "--margin", help="Search ΔV = estimate × margin (exact catalog legs cost 1.5–2.5×)."),
    beam: int = typer.Option(24, "--beam", help="Beam width of the search."),
    seed: int = typer.Option(0, "--seed", help="Seed of the search's tie-breaking."),
    fly: bool = typer.Option(True, "--fly/--no-fly", help="Fly each chosen leg with the J2 transfer (default) or stop at the estimates."),
    plot_dir: Optional[Path] = typer.Option(None, "--plots", help="Folder for timeline, RAAN-vs-time and ΔV-per-leg PNGs."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Element sets as of this time."),
    json: bool = typer.Option(False, "--json"),
):
    """Pick, order, schedule and fly one ship's salvage route through catalog targets."""
    from ..planning.route import plan_route, targets_from_store
    from ..planning.ship import Ship

    sh = Ship.load(ship)
    cm = _costs(costs, bounty)
    with open_store() as store, status("ranking targets by criticality", not json):
        els, tg, unknown = targets_from_store(store, targets, cm, as_of=as_of)
    if not els:
        raise SweepersError("none of the targets is in the catalog: " + ", ".join(map(str, unknown))
                            + ". fix: check the NORAD ids (`sweepers catalog show ID`) or load a catalog that has them")
    route = plan_route(els, tg, sh, cm, options=_options(objective, seed, margin, beam), budget_dv_m_s=budget_dv,
                       days=days, start=start, fly=fly, unknown_ids=unknown, progress=_progress(json))
    from ..planning.catalog_legs import CatalogBodies

    files = _plots(route, CatalogBodies(els), plot_dir)
    if json:
        d = route.to_dict()
        d["plots"] = [str(f) for f in files]
        emit_json(d)
        return
    print_route(route)
    print_blocked(route.blocked)
    for f in files:
        console.print(f"wrote {f}")


@app.command("fleet")
def fleet_cmd(
    ships: int = typer.Option(2, "--ships", help="Number of ships (copies of --ship, named NAME-1 … NAME-N)."),
    ship: str = typer.Option("victory", "--ship", help="Ship TOML file, or a built-in ship name (victory)."),
    targets: List[str] = typer.Option(["top:50"], "--targets", help=_TARGETS_HELP),
    launch_gap: float = typer.Option(7.0, "--launch-gap", help="Days between consecutive launches."),
    budget_dv: Optional[float] = typer.Option(None, "--budget-dv", help="Cap on each ship's total ΔV (m/s)."),
    days: Optional[float] = typer.Option(None, "--days", help="Maximum mission duration of each ship (days)."),
    start: Optional[str] = typer.Option(None, "--start", help="First launch, ISO 8601 UTC."),
    objective: str = typer.Option("risk", "--objective", help="risk or profit."),
    costs: Optional[Path] = typer.Option(None, "--costs", help="Cost model TOML."),
    bounty: Optional[List[str]] = typer.Option(None, "--bounty", help="Bounty for one target, ID=MEUR (repeat)."),
    margin: float = typer.Option(2.0, "--margin", help="Search ΔV = estimate × margin."),
    seed: int = typer.Option(0, "--seed"),
    fly: bool = typer.Option(True, "--fly/--no-fly", help="Fly each leg with the J2 transfer."),
    plot_dir: Optional[Path] = typer.Option(None, "--plots", help="Folder for the campaign timeline and per-ship plots."),
    json: bool = typer.Option(False, "--json"),
):
    """Split the targets across N ships: no target twice, launches apart, each ship in its window."""
    from ..planning.fleet import check_fleet, plan_fleet
    from ..planning.route import targets_from_store
    from ..planning.ship import Ship

    if ships < 1:
        raise SweepersError(f"--ships {ships}: a fleet needs at least one ship")
    base = Ship.load(ship)
    fleet_ships = [base.with_(name=f"{base.name}-{k + 1}") for k in range(ships)]
    cm = _costs(costs, bounty)
    with open_store() as store, status("ranking targets by criticality", not json):
        els, tg, unknown = targets_from_store(store, targets, cm)
    if not els:
        raise SweepersError("none of the targets is in the catalog: " + ", ".join(map(str, unknown)))
    fl = plan_fleet(els, tg, fleet_ships, cm, launch_gap_days=launch_gap, start=start,
                    options=_options(objective, seed, margin, 24), budget_dv_m_s=budget_dv, days=days, fly=fly,
                    unknown_ids=unknown, progress=None if json else
                    (lambda k, s: err_console.print(f"planning {s.name}", highlight=False)))
    problems = check_fleet(fl)
    if problems:
        raise SweepersError("fleet plan has conflicts (a bug): " + "; ".join(problems))
    from ..planning.catalog_legs import CatalogBodies

    files = _plots(fl.routes, CatalogBodies(els), plot_dir)
    if json:
        d = fl.to_dict()
        d["plots"] = [str(f) for f in files]
        emit_json(d)
        return
    for r in fl.routes:
        print_route(r)
    s = fl.summary()
    console.print(f"[bold]fleet:[/] {s['ships']} ships, {s['targets_removed']} targets, risk removed "
                  f"{s['risk_removed_index']:.3f}, propellant {s['propellant_kg']:,.0f} kg, profit {s['profit_meur']:+.1f} MEUR; "
                  f"no target twice, launches {launch_gap:g} days apart", highlight=False)
    print_blocked(fl.blocked)
    for f in files:
        console.print(f"wrote {f}")
