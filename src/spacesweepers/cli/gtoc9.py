"""`sweepers gtoc9`: validate and score GTOC9 mission files, compute transfers, plot."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import numpy as np
import typer
from rich.table import Table

from ..errors import NotFound, SweepersError
from ._common import console, emit_json

app = typer.Typer(help="GTOC9 'Kessler Run': mission-file validator and scorer, J2 transfers, plots.",
                  no_args_is_help=True)
plot_app = typer.Typer(help="GTOC9 plots (PNG).", no_args_is_help=True)
app.add_typer(plot_app, name="plot")

_DEBRIS_HELP = ("GTOC9 debris.csv (default: $SWEEPERS_GTOC9_DEBRIS, else "
                "$SWEEPERS_SHARED_DATA/gtoc9/debris.csv, else ../shared/data/gtoc9/debris.csv)")


def _debris(path: Optional[Path]):
    from ..planning.gtoc9 import DebrisSet

    if path is None:
        env = os.environ.get("SWEEPERS_GTOC9_DEBRIS")
        shared = os.environ.get("SWEEPERS_SHARED_DATA")
        for cand in (env, shared and str(Path(shared) / "gtoc9" / "debris.csv"), "../shared/data/gtoc9/debris.csv"):
            if cand and Path(cand).is_file():
                path = Path(cand)
                break
        else:
            raise NotFound("no GTOC9 debris file found; pass --debris PATH/TO/debris.csv "
                           "or set SWEEPERS_GTOC9_DEBRIS")
    return DebrisSet.from_csv(path)


@app.command("check")
def check(
    directory: Path = typer.Argument(..., help="folder of mission files (*.txt, one per mission)"),
    debris: Optional[Path] = typer.Option(None, "--debris", help=_DEBRIS_HELP),
    partial: bool = typer.Option(False, "--partial", help="do not require all 123 debris (partial plans)"),
    no_window: bool = typer.Option(False, "--no-window", help="skip the time-window rule"),
    json_out: bool = typer.Option(False, "--json", help="machine-readable output"),
):
    """Check every GTOC9 rule; exit status 1 when any is violated."""
    from ..planning.gtoc9 import check_missions, read_missions

    deb = _debris(debris)
    missions = read_missions(directory)
    rep = check_missions(missions, deb, require_all=not partial, window_mjd2000_day=None if no_window else
                         (23467.0, 26419.0))
    if json_out:
        emit_json(rep.to_dict())
    else:
        if rep.ok:
            console.print(f"[green]valid[/]: {rep.n_missions} mission(s), {rep.n_debris} debris, "
                          f"{rep.n_arcs} arcs re-integrated under J2")
        else:
            t = Table(title=f"{len(rep.violations)} violation(s)")
            for c in ("mission", "line", "rule", "message"):
                t.add_column(c, overflow="fold")
            for v in rep.violations:
                t.add_row(v.mission, "" if v.line is None else str(v.line), v.rule, v.message)
            console.print(t)
    if not rep.ok:
        raise SweepersError(f"{len(rep.violations)} GTOC9 rule violation(s) in {directory} (listed above)")


@app.command("score")
def score(
    directory: Path = typer.Argument(..., help="folder of mission files (*.txt)"),
    base_cost: Optional[List[float]] = typer.Option(
        None, "--base-cost", help="base cost per mission in MEUR: once for all missions, or once per mission "
                                  "in file order (default 55, the reproducible convention)"),
    json_out: bool = typer.Option(False, "--json", help="machine-readable output"),
):
    """J = Σ [c_i + α (m0_i − m_dry)²] with a per-mission breakdown (does not validate: run check)."""
    from ..planning.gtoc9 import read_missions, score_missions

    missions = read_missions(directory)
    costs = None
    if base_cost:
        costs = base_cost[0] if len(base_cost) == 1 else base_cost
    rep = score_missions(missions, costs)
    if json_out:
        emit_json(rep.to_dict())
        return
    t = Table(title=f"J = {rep.j_meur:.6f} MEUR")
    for c in ("mission", "debris", "start MJD2000", "end MJD2000", "ΔV m/s", "m0 kg", "propellant kg",
              "base MEUR", "mass MEUR", "cost MEUR"):
        t.add_column(c, justify="right" if c != "mission" else "left")
    for m in rep.missions:
        t.add_row(m.name, str(m.n_debris), f"{m.start_mjd2000_day:.3f}", f"{m.end_mjd2000_day:.3f}",
                  f"{m.dv_total_m_s:.2f}", f"{m.m0_kg:.3f}", f"{m.propellant_kg:.3f}", f"{m.base_cost_meur:.3f}",
                  f"{m.mass_cost_meur:.6f}", f"{m.cost_meur:.6f}")
    console.print(t)


@app.command("transfer")
def transfer(
    dep: int = typer.Argument(..., help="departure debris id"),
    arr: int = typer.Argument(..., help="arrival debris id"),
    depart: float = typer.Option(..., "--depart", help="departure epoch, MJD2000 days"),
    tof: float = typer.Option(..., "--tof", help="time of flight, days"),
    mode: str = typer.Option("auto", "--mode", help="auto (optimal, falling back to direct/drift), optimal (up to 4 impulses + arrival, epochs and vectors optimised), direct (2 impulses) or drift (3 impulses)"),
    debris: Optional[Path] = typer.Option(None, "--debris", help=_DEBRIS_HELP),
    json_out: bool = typer.Option(False, "--json", help="machine-readable output"),
):
    """Fast ΔV estimate and exact J2 transfer between two debris; exit 1 if no transfer is found."""
    from ..planning.estimate import estimate_debris_legs
    from ..planning.transfer import exact_transfer

    if mode not in ("auto", "optimal", "direct", "drift"):
        raise SweepersError(f"--mode must be auto, optimal, direct or drift, not {mode!r}")
    if not tof > 0:
        raise SweepersError(f"--tof must be positive days, got {tof}")
    deb = _debris(debris)
    est = float(estimate_debris_legs(deb, dep, arr, depart, tof))
    tr = exact_transfer(deb, dep, depart, arr, depart + tof, mode=mode)
    if json_out:
        emit_json({"dep_id": dep, "arr_id": arr, "depart_mjd2000_day": depart, "tof_day": tof,
                   "estimate_dv_m_s": est, "transfer": tr.to_dict()})
    else:
        console.print(f"leg {dep} → {arr}, depart MJD2000 {depart}, {tof} days: estimate {est:.1f} m/s")
        if tr.ok:
            t = Table(title=f"exact J2 transfer ({tr.mode}): {tr.dv_total_m_s:.2f} m/s, miss {tr.miss_r_m:.3f} m, "
                            f"lowest perigee {tr.perigee_min_m / 1e3:.1f} km")
            for c in ("epoch MJD2000", "ΔVx m/s", "ΔVy m/s", "ΔVz m/s", "|ΔV| m/s"):
                t.add_column(c, justify="right")
            for i in tr.impulses:
                t.add_row(f"{i.epoch_mjd2000_day:.6f}", *(f"{x:.3f}" for x in i.dv_m_s), f"{i.dv_norm_m_s:.3f}")
            console.print(t)
        else:
            console.print(f"[red]no transfer found[/]: {tr.message}")
    if not tr.ok:
        raise SweepersError(f"no valid transfer {dep} → {arr}: {tr.message}")


@app.command("example")
def example(
    directory: Path = typer.Argument(..., help="folder to write the example mission into"),
    debris: Optional[Path] = typer.Option(None, "--debris", help=_DEBRIS_HELP),
):
    """Write a small valid mission (debris 60 → 86, direct J2 transfer) to try check and score on."""
    from ..planning.gtoc9 import mission_from_legs, write_mission
    from ..planning.transfer import exact_transfer

    deb = _debris(debris)
    t0 = 23500.0
    leg = exact_transfer(deb, 60, t0, 86, t0 + 1.0, mode="direct")
    if not leg.ok:
        raise SweepersError(f"could not build the example transfer: {leg.message}")
    mis = mission_from_legs("mission01", deb, [(60, t0 - 5.0, t0), (86, t0 + 1.0, t0 + 6.0)], [leg])
    directory.mkdir(parents=True, exist_ok=True)
    path = write_mission(mis, directory / "mission01.txt")
    console.print(f"wrote {path} (2 debris, ΔV {leg.dv_total_m_s:.2f} m/s, m0 {mis.m0_kg:.3f} kg)")


@app.command("solve")
def solve(
    minutes: float = typer.Option(30.0, "--minutes", help="time budget in minutes (search, then exact legs)"),
    out: Path = typer.Option(..., "--out", help="folder for the mission files and the checkpoints (resumable)"),
    seed: int = typer.Option(0, "--seed", help="seed of the randomised search restarts"),
    workers: int = typer.Option(2, "--workers", help="processes that search (each with its own seed) and fly the exact legs"),
    ids: Optional[List[int]] = typer.Option(None, "--id", help="remove only these debris (repeatable; default all)"),
    debris: Optional[Path] = typer.Option(None, "--debris", help=_DEBRIS_HELP),
    plots: bool = typer.Option(False, "--plots", help="also write timeline.png, route-raan.png, leg-dv.png to --out"),
    json_out: bool = typer.Option(False, "--json", help="machine-readable output"),
):
    """Plan, fly and validate a complete GTOC9 campaign; print J (base cost 55), missions and ΔV."""
    from ..planning.campaign import solve_campaign

    if not minutes > 0:
        raise SweepersError(f"--minutes must be positive, got {minutes}")
    if workers < 1:
        raise SweepersError(f"--workers must be at least 1, got {workers}")
    deb = _debris(debris)
    log = (lambda msg: None) if json_out else (lambda msg: console.print(f"[dim]{msg}[/]"))
    res = solve_campaign(deb, minutes, out, workers=workers, seed=seed, pool_ids=ids or None, log=log)
    summary = {"ok": res.ok, "j_meur": res.j_meur, "n_missions": len(res.missions),
               "n_debris": sum(len(m.debris_ids) for m in res.missions), "dv_total_m_s": res.dv_total_m_s,
               "estimated_j_meur": res.estimated_j_meur, "runtime_s": res.runtime_s, "out": str(out),
               "problems": res.problems, "violations": [str(v) for v in res.report.violations]}
    if plots and res.missions:
        from ..planning.campaign_plots import plot_leg_dv, plot_route_raan, plot_timeline

        summary["plots"] = [str(plot_timeline(res.missions, out / "timeline.png")),
                            str(plot_route_raan(res.missions, deb, out / "route-raan.png")),
                            str(plot_leg_dv(res.missions, out / "leg-dv.png"))]
    if json_out:
        emit_json(summary)
    else:
        state = "[green]valid[/]" if res.ok else "[red]NOT valid[/]"
        console.print(f"{state}: J = {res.j_meur:.3f} MEUR (base cost 55), {len(res.missions)} missions, "
                      f"{summary['n_debris']} debris, total ΔV {res.dv_total_m_s:.1f} m/s, "
                      f"{res.runtime_s:.0f} s; files in {out}")
        for p in res.problems + summary["violations"][:10]:
            console.print(f"  {p}")
    if not res.ok:
        raise SweepersError("the campaign is not valid (reasons above); run again with the same --out to resume")


@plot_app.command("raan")
def plot_raan_cmd(
    out: Path = typer.Argument(..., help="PNG file to write"),
    start: float = typer.Option(23467.0, "--start", help="first epoch, MJD2000 days"),
    days: float = typer.Option(2952.0, "--days", help="span in days"),
    debris: Optional[Path] = typer.Option(None, "--debris", help=_DEBRIS_HELP),
):
    """RAAN of all debris against time (the nodal-drift picture)."""
    from ..planning.plots import plot_raan

    deb = _debris(debris)
    path = plot_raan(deb, np.linspace(start, start + days, 400), out)
    console.print(f"wrote {path}")


@plot_app.command("cost-map")
def plot_cost_map_cmd(
    dep: int = typer.Argument(..., help="departure debris id"),
    arr: int = typer.Argument(..., help="arrival debris id"),
    out: Path = typer.Argument(..., help="PNG file to write"),
    start: float = typer.Option(23467.0, "--start", help="first departure epoch, MJD2000 days"),
    days: float = typer.Option(365.0, "--days", help="span of departure epochs, days"),
    tof_max: float = typer.Option(30.0, "--tof-max", help="longest time of flight, days"),
    debris: Optional[Path] = typer.Option(None, "--debris", help=_DEBRIS_HELP),
):
    """Estimated ΔV of one leg over departure epoch × time of flight."""
    from ..planning.plots import plot_cost_map

    deb = _debris(debris)
    path, t, tof, dv = plot_cost_map(deb, dep, arr, np.linspace(start, start + days, 300),
                                     np.linspace(0.5, tof_max, 120), out)
    console.print(f"wrote {path}; cheapest: {dv:.1f} m/s departing MJD2000 {t:.2f} with {tof:.2f} days of flight")
