"""`sweepers catalog generate` and `sweepers whatif explode|collide`.

Command functions for the integrator to wire (see :func:`register`):

* ``sweepers catalog generate --preset demo [--scale N] [--seed S] [--epoch ISO|today|events]`` —
  store a generated population (:func:`generate_cmd`), its historical clouds aged to the
  population's epoch (2023-10-09 unless given; ``events`` keeps their event dates);
* ``sweepers whatif explode ID [--at TIME] [--mass KG] [--store] [--plot PNG] [--f107 SFU]``;
* ``sweepers whatif collide ID1 ID2 [--at TCA] [--search-days D] [--speed KM_S] [--store] [--plot PNG]``:
  without ``--at`` the collision happens at the pair's closest approach in the next D days
  (:func:`closest_approach`, found by the screener), and a miss above
  :data:`HYPOTHETICAL_MISS_KM` is reported as a hypothetical collision.

Storage goes through :func:`store_population` / :func:`store_cloud`: one
:meth:`Store.ingest` transaction of the element sets, metadata and size estimates (mass from
the breakup model, hard-body radius Lc/2), with every object flagged generated and its parent
event recorded.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import numpy as np
import typer

from ..errors import NotFound, SweepersError
from ._common import console, emit_json, err_console, open_store, progress, status
from ._common import norad_id as parse_norad_id

whatif_app = typer.Typer(help="What if an object explodes or two objects collide? (generated clouds)",
                         no_args_is_help=True)


# --- storage helpers ------------------------------------------------------------------------
def store_generated(store, element_sets, metadata, generated, *, source: str, masses_kg=None):
    """Ingest generated objects flagged generated, each with its parent event, in one
    transaction (``Store.ingest(..., generated=, parent_events=)``). Returns the report."""
    from ..population.presets import parse_result_of

    result = parse_result_of(source, element_sets, metadata, generated, masses_kg)
    return store.ingest(result, source_url=source, parent_events={g.norad_id: g.event_id for g in generated},
                        generated=[g.norad_id for g in generated])


def store_population(store, pop):
    return store_generated(store, pop.element_sets, pop.metadata, pop.generated,
                           source=f"generated:{pop.name}", masses_kg=pop.masses_kg)


def store_cloud(store, cloud):
    return store_generated(store, cloud.element_sets, cloud.metadata, cloud.generated,
                           source=f"generated:{cloud.event_id}")


def generated_ids(store, norad_ids) -> set[int]:
    """Those of ``norad_ids`` that the catalog flags generated (``objects.generated``), for the
    GEN markers of commands that list objects by number (screen, plan)."""
    import sqlalchemy as sa

    from ..catalog import schema

    ids = sorted({int(i) for i in norad_ids})
    ob = schema.objects
    out: set[int] = set()
    with store.engine.connect() as conn:
        for k in range(0, len(ids), 5000):
            q = sa.select(ob.c.norad_id).where(ob.c.norad_id.in_(ids[k:k + 5000]), ob.c.generated.is_(True))
            out.update(int(r[0]) for r in conn.execute(q))
    return out


def _next_generated_id(store) -> int:
    import sqlalchemy as sa

    from ..catalog import schema
    from ..population.clouds import GENERATED_ID_BASE

    with store.engine.connect() as conn:
        top = conn.execute(sa.select(sa.func.max(schema.objects.c.norad_id))).scalar()
    return max(GENERATED_ID_BASE, (top or 0) + 1)


# --- catalog generate ---------------------------------------------------------------------------
def generate_cmd(
    preset: str = typer.Option("demo", "--preset", help="Population preset (demo)."),
    scale: float = typer.Option(1.0, "--scale", help="Multiply the population (1 ≈ 5,300 objects; 220 ≈ 1,000,000)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Random seed (default: the preset's fixed seed)."),
    epoch: Optional[str] = typer.Option(None, "--epoch", help="Epoch of the population (ISO 8601 or 'today'; default 2023-10-09, the shared snapshot's day); the historical clouds are aged to it with SGP4. 'events' keeps the clouds at their event dates (2007, 2009, 2021), which SGP4 cannot carry to today for many fragments."),
    json: bool = typer.Option(False, "--json", help="Print a JSON summary."),
):
    """Generate a deterministic population (every object labelled generated) and store it."""
    import time

    from ..population.presets import DEMO_EPOCH_ISO, generate
    from ..time import Time, as_time

    # clouds aged to the population's epoch by default, as `sweepers demo` does: left at their
    # event dates, screening or propagating the population today fails for many fragments
    word = (epoch or "").strip().lower()
    if word == "events":
        t_epoch = None
    elif word == "today":
        t_epoch = Time.from_iso(Time.now().iso(0)[:10])
    else:
        t_epoch = as_time(epoch or DEMO_EPOCH_ISO)
    t0 = time.perf_counter()
    with progress(not json) as bar:
        task = bar.add_task(f"generating {preset}", total=None)
        pop = generate(preset, scale=scale, seed=seed, epoch=t_epoch,
                       progress=lambda k, n: bar.update(task, description=f"{k}: {n:,}"))
    t_gen = time.perf_counter() - t0
    with open_store() as store:
        report = store_population(store, pop)
    t_all = time.perf_counter() - t0
    summary = {
        "preset": preset, "scale": scale, "epoch": t_epoch.utc_iso if t_epoch is not None else None,
        "objects": pop.n, "by_type": pop.counts(),
        "clouds": [c.summary() for c in pop.clouds], "generate_s": t_gen, "store_s": t_all - t_gen,
        "insert_rate_per_s": pop.n / max(t_all - t_gen, 1e-9), "notes": pop.notes,
        "ingest": report.to_dict() if hasattr(report, "to_dict") else None,
    }
    if t_epoch is None:
        err_console.print("[yellow]warning:[/] the clouds keep their event-date element sets (--epoch events); SGP4 "
                          "fails for many of their fragments at later dates. Fix: omit --epoch, or give the date you "
                          "will screen at (--epoch today), to age them to it.")
    if json:
        summary["clouds"] = [{k: v for k, v in c.items() if k != "notes"} for c in summary["clouds"]]
        emit_json(summary)
        return
    console.print(f"[green]✓[/] generated {pop.n:,} objects ({', '.join(f'{k.lower()} {v:,}' for k, v in pop.counts().items())}) "
                  f"in {t_gen:.1f} s; stored in {t_all - t_gen:.1f} s ({summary['insert_rate_per_s']:,.0f} objects/s)")
    console.print("[yellow]every object of this population is generated (names end in '(GEN)'), not observed[/]")
    for c in pop.clouds:
        s = c.summary()
        console.print(f"  {s['event_id']}: {s['fragments_catalogued']:,} fragments ≥ {s['lc_min_m'] * 100:.2g} cm "
                      f"from {s['epoch'][:10]}")
    for n in pop.notes:
        console.print(f"  note: {n}")


# --- what-if ----------------------------------------------------------------------------------
def _body(store, norad_id: int, mass_kg: float | None):
    from ..population.clouds import Body

    obj = store.object(norad_id)  # raises NotFound with a clear message
    if obj.latest is None:
        raise NotFound(f"object {norad_id} has no element set in the catalog; load one first (sweepers catalog load)")
    mass = mass_kg
    if mass is None and obj.size is not None and obj.size.mass_kg:
        mass = obj.size.mass_kg
    return Body(obj.latest, mass_kg=mass, object_type=obj.metadata.object_type, name=obj.metadata.name,
                rcs_m2=obj.metadata.rcs_m2)


def spreading_report(cloud, store=None, *, days=(0.0, 7.0, 30.0, 90.0), operational_altitudes_km=None,
                     f107: float = 150.0) -> dict:
    """How the cloud spreads: Gabbard extents and plane spread over time, and the encounter
    rate it adds for satellites at the given altitudes (kinetic-gas estimate; the screening
    command gives exact conjunctions).

    A fragment counts as re-entered at ``d`` days when SGP4 fails for it, its osculating
    perigee is below 100 km, or its drag lifetime (:func:`~..population.lifetime.
    element_sets_lifetime_days` from its A/M, at solar flux ``f107``) is shorter than ``d``:
    SGP4 alone keeps many low, light fragments "in orbit" long after the drag estimate has
    brought them down. ``in_orbit`` counts the survivors; the perigee/apogee extremes are theirs.
    """
    from ..population.clouds import encounter_rate_per_year, gabbard, plane_spread_deg
    from ..population.lifetime import REENTRY_ALTITUDE_KM, element_sets_lifetime_days

    times = [cloud.epoch.plus_days(d) for d in days]
    g = gabbard(cloud.element_sets, times)
    spread = plane_spread_deg(cloud.element_sets, days)
    am = np.array([x.area_to_mass_m2_kg for x in cloud.generated], float)
    life_d = element_sets_lifetime_days(cloud.element_sets, am, f107=f107) if cloud.n else np.zeros(0)
    rows = []
    for d, gi, s in zip(days, g, spread):
        with np.errstate(invalid="ignore"):
            up = np.isfinite(gi["apogee_km"]) & (gi["perigee_km"] >= REENTRY_ALTITUDE_KM) & ~(life_d < d)
        rows.append({"days": d, "in_orbit": int(up.sum()), "re_entered": int(up.size - up.sum()),
                     "perigee_min_km": float(np.min(gi["perigee_km"][up])) if up.any() else None,
                     "apogee_max_km": float(np.max(gi["apogee_km"][up])) if up.any() else None,
                     "plane_spread_deg": float(s)})
    out = {"cloud": cloud.summary(), "f107": f107, "spreading": rows}
    if operational_altitudes_km is not None and len(operational_altitudes_km):
        alt = np.asarray(operational_altitudes_km, float)
        rate = encounter_rate_per_year(cloud.element_sets, alt)
        out["added_encounters_per_year_within_1km"] = {"satellites": int(alt.size), "total": float(rate.sum()),
                                                       "max_per_satellite": float(rate.max())}
    return out


def _operational_altitudes(store, cloud) -> np.ndarray:
    """Mean altitudes of stored payloads whose altitude band meets the cloud's (LEO)."""
    from ..catalog.elements import orbit_regime

    hp = [e.perigee_km for e in cloud.element_sets]
    ha = [e.apogee_km for e in cloud.element_sets]
    if not hp:
        return np.zeros(0)
    lo, hi = float(np.percentile(hp, 5)), float(np.percentile(ha, 95))
    sets = store.latest(where={"object_type": "PAYLOAD"})
    alt = np.array([0.5 * (e.perigee_km + e.apogee_km) for e in sets
                    if orbit_regime(e.perigee_km, e.apogee_km, e.mean_motion_rev_day, e.eccentricity) == "LEO"])
    return alt[(alt >= lo) & (alt <= hi)] if alt.size else alt


def screened_conjunction_change(cloud, store, *, days: float, threshold_km: float = 5.0) -> dict:
    """Conjunctions of the payloads in the cloud's altitude band over ``days`` from the event,
    screened (danger.screening) against the catalog without and with the cloud's fragments.

    Returns the number of payloads screened, the events before (catalog only) and the events the
    cloud adds, and both as rates per year. This is the exact counterpart of the kinetic-gas
    estimate in :func:`spreading_report`; it costs one primaries-vs-all screening run.
    """
    from ..catalog.elements import orbit_regime
    from ..danger.screening import screen

    hp = [e.perigee_km for e in cloud.element_sets]
    ha = [e.apogee_km for e in cloud.element_sets]
    lo, hi = float(np.percentile(hp, 5)), float(np.percentile(ha, 95))
    catalog = store.latest(as_of=None)
    cloud_ids = {e.norad_id for e in cloud.element_sets}
    catalog = [e for e in catalog if e.norad_id not in cloud_ids]
    payload_ids = {e.norad_id for e in store.latest(where={"object_type": "PAYLOAD"})}
    band = [e.norad_id for e in catalog if e.norad_id in payload_ids
            and orbit_regime(e.perigee_km, e.apogee_km, e.mean_motion_rev_day, e.eccentricity) == "LEO"
            and e.apogee_km >= lo and e.perigee_km <= hi]
    out = {"days": days, "threshold_km": threshold_km, "payloads_screened": len(band),
           "events_before": 0, "events_added_by_cloud": 0}
    if band:
        result = screen(catalog + list(cloud.element_sets), cloud.epoch, days=days, threshold_km=threshold_km,
                        primaries=band)
        sec = np.asarray(result.table["secondary"])
        pri = np.asarray(result.table["primary"])
        from_cloud = np.isin(sec, list(cloud_ids)) | np.isin(pri, list(cloud_ids))
        out["events_before"] = int((~from_cloud).sum())
        out["events_added_by_cloud"] = int(from_cloud.sum())
    per_year = 365.25 / days
    out["rate_before_per_year"] = out["events_before"] * per_year
    out["rate_added_per_year"] = out["events_added_by_cloud"] * per_year
    out["change_factor"] = ((out["events_before"] + out["events_added_by_cloud"]) / out["events_before"]
                            if out["events_before"] else None)
    return out


def _print_whatif(rep: dict, plot: Path | None) -> None:
    s = rep["cloud"]
    console.print(f"[bold]{s['event_id']}[/] ({s['kind']}, {s['epoch']}): {s['fragments_catalogued']:,} fragments "
                  f"≥ {s['lc_min_m'] * 100:.2g} cm catalogued of {s['fragments_sampled']:,} sampled "
                  f"[yellow](generated by the NASA standard breakup model)[/]")
    for n in s["notes"]:
        console.print(f"  note: {n}")
    enc = rep.get("encounter")
    if enc:
        how = (f"their closest approach in the {enc['search_days']:g} days from {enc['search_start_utc'][:19]}"
               if enc["found_by"] == "screening" else "the time given with --at")
        console.print(f"collision at {enc['tca_utc'][:23]} ({how}): miss distance {enc['miss_km']:.3f} km, "
                      f"relative speed {enc['vrel_km_s']:.3f} km/s", highlight=False)
        if enc["hypothetical"]:
            console.print(f"[bold yellow]warning:[/] {enc['warning']}", highlight=False)
    from rich.table import Table

    t = Table(title=f"how the cloud spreads (re-entered: perigee < 100 km or drag lifetime at F10.7 = "
                    f"{rep.get('f107', 150.0):g} shorter than the time elapsed)")
    for c in ("days", "in orbit", "re-entered", "lowest perigee km", "highest apogee km", "plane spread °"):
        t.add_column(c, justify="right")
    for r in rep["spreading"]:
        t.add_row(f"{r['days']:g}", f"{r['in_orbit']:,}", f"{r['re_entered']:,}",
                  "—" if r["perigee_min_km"] is None else f"{r['perigee_min_km']:.0f}",
                  "—" if r["apogee_max_km"] is None else f"{r['apogee_max_km']:.0f}", f"{r['plane_spread_deg']:.1f}")
    console.print(t)
    enc = rep.get("added_encounters_per_year_within_1km")
    if enc:
        console.print(f"{enc['satellites']:,} payloads in the cloud's altitude band would see about "
                      f"{enc['total']:.2f} more passes within 1 km per year in total (at most "
                      f"{enc['max_per_satellite']:.3f} for one), once the planes have spread")
    sc = rep.get("screened")
    if sc:
        change = f"× {sc['change_factor']:.2f}" if sc["change_factor"] else "from none"
        console.print(f"screened over {sc['days']:g} day(s) from the event, {sc['threshold_km']:g} km: "
                      f"{sc['payloads_screened']:,} payloads had {sc['events_before']:,} conjunctions with the catalog; "
                      f"the cloud adds {sc['events_added_by_cloud']:,} ({change} over that window; a young cloud "
                      "is denser than it will be once its planes spread)")
    if plot:
        console.print(f"Gabbard diagram written to {plot}")


def _finish(cloud, store, do_store: bool, plot: Path | None, json: bool, days, screen_days: float = 0.0,
            f107: float = 150.0, encounter: dict | None = None):
    from ..population.clouds import plot_gabbard

    if screen_days < 0:
        raise SweepersError(f"--screen-days must be ≥ 0, got {screen_days}")
    rep = spreading_report(cloud, days=days, operational_altitudes_km=_operational_altitudes(store, cloud), f107=f107)
    if encounter is not None:
        rep["encounter"] = encounter
    if screen_days > 0:
        with status(f"screening the cloud's payload band for {screen_days:g} day(s)", not json):
            rep["screened"] = screened_conjunction_change(cloud, store, days=screen_days)
    if do_store:
        store_cloud(store, cloud)
    rep["stored"] = do_store
    if plot:
        plot_gabbard(cloud.element_sets, [cloud.epoch.plus_days(d) for d in days], plot,
                     title=f"{cloud.event_id} (generated)")
        rep["plot"] = str(plot)
    if json:
        emit_json(rep)
    else:
        _print_whatif(rep, plot)


_DAYS = (0.0, 7.0, 30.0, 90.0)
#: A miss distance above this is no collision: the what-if is then hypothetical (hard-body
#: radii of intact objects are metres to tens of metres; 1 km is generous).
HYPOTHETICAL_MISS_KM = 1.0
#: How far the pair search looks for local minima of the range (any closer minimum is found).
SEARCH_THRESHOLD_KM = 1000.0

_F107_HELP = ("Solar flux F10.7 (sfu) for the drag lifetimes that decide which fragments have re-entered "
              "(50-400; minimum ≈ 70, mean 150, maximum ≈ 250).")


def closest_approach(es1, es2, *, start=None, days: float = 7.0,
                     threshold_km: float = SEARCH_THRESHOLD_KM) -> dict:
    """The closest approach of two objects in ``[start, start + days]`` (default start: the
    later of their two epochs), found by the conjunction screener (primaries mode, ``es1``
    against ``es2``): every local minimum of their range below ``threshold_km`` is refined to
    its TCA, and the smallest miss wins. Returns ``tca`` (Time), ``tca_utc``, ``miss_km``,
    ``vrel_km_s``, ``minima`` (how many local minima were found) and the search window.
    Raises :class:`SweepersError` when their orbits never come that close in the window.
    """
    from ..danger.screening import screen
    from ..time import Time, as_time

    if start is None:
        start = max((es1.epoch, es2.epoch), key=lambda t: float(t.jd1) + float(t.jd2))
    start = as_time(start)
    if not (days > 0 and math.isfinite(days)):
        raise SweepersError(f"--search-days must be a positive number of days, got {days}")
    res = screen([es1, es2], start, days=days, threshold_km=threshold_km, primaries=[es1.norad_id])
    if not len(res):
        raise SweepersError(
            f"objects {es1.norad_id} and {es2.norad_id} never come within {threshold_km:g} km of each other in the "
            f"{days:g} days from {start.iso(0)} (their orbits do not cross there); give the collision time with --at "
            "or a longer --search-days")
    k = int(np.argmin(res.table["miss_km"]))
    t_all = res.tca
    tca = Time(float(np.atleast_1d(t_all.jd1)[k]), float(np.atleast_1d(t_all.jd2)[k]))
    return {"tca": tca, "tca_utc": res.tca_iso()[k], "miss_km": float(res.table["miss_km"][k]),
            "vrel_km_s": float(res.table["vrel_kms"][k]), "minima": len(res), "search_start_utc": start.iso(0),
            "search_days": float(days)}


def _encounter_at(es1, es2, t) -> dict:
    """Separation and relative speed of two objects' SGP4 states at ``t``."""
    from ..population.meanelements import states_from_element_sets

    r, v, err = states_from_element_sets([es1, es2], t)
    if np.any(err != 0):
        bad = [es.norad_id for es, e in zip((es1, es2), err) if e != 0]
        raise SweepersError(f"SGP4 cannot propagate object(s) {bad} to {t.utc_iso}; pick a time nearer their epochs")
    return {"tca": t, "tca_utc": t.iso(6), "miss_km": float(np.linalg.norm(r[1] - r[0])),
            "vrel_km_s": float(np.linalg.norm(v[1] - v[0]))}


def _encounter_report(enc: dict, found_by: str) -> dict:
    out = {k: v for k, v in enc.items() if k != "tca"}
    out["found_by"] = found_by
    out["hypothetical"] = enc["miss_km"] > HYPOTHETICAL_MISS_KM
    out["warning"] = (f"these objects do not collide at {enc['tca_utc'][:19]}: they pass {enc['miss_km']:.3f} km apart "
                      f"(more than {HYPOTHETICAL_MISS_KM:g} km, far beyond any hard-body radius); the collision is "
                      "hypothetical" if out["hypothetical"] else None)
    return out


@whatif_app.command("explode")
def explode_cmd(
    norad_id: int = typer.Argument(..., parser=parse_norad_id, help="Catalog number of the object that explodes (digits, or Alpha-5 such as T0000)."),
    at: Optional[str] = typer.Option(None, "--at", help="Time of the explosion (ISO 8601; default: its element set's epoch)."),
    mass: Optional[float] = typer.Option(None, "--mass", help="Mass in kg (default: the catalog's size table, else a documented estimate)."),
    lc_min: float = typer.Option(0.1, "--lc-min", help="Smallest fragment, metres (0.1 = trackable)."),
    seed: Optional[int] = typer.Option(None, "--seed"),
    store_it: bool = typer.Option(False, "--store", help="Store the fragments in the catalog (flagged generated)."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write a Gabbard diagram PNG."),
    screen_days: float = typer.Option(0.0, "--screen-days", help="Also screen the payloads near the cloud against the catalog with and without it over this many days (exact conjunction counts; costs a screening run)."),
    f107: float = typer.Option(150.0, "--f107", help=_F107_HELP),
    json: bool = typer.Option(False, "--json"),
):
    """What if this object explodes? Fragments, how they spread, what they add to conjunctions."""
    from ..population.clouds import explode

    with open_store() as store:
        cloud = explode(_body(store, norad_id, mass), at=at, lc_min_m=lc_min, seed=seed,
                        first_norad_id=_next_generated_id(store))
        _finish(cloud, store, store_it, plot, json, _DAYS, screen_days, f107)


@whatif_app.command("collide")
def collide_cmd(
    id1: int = typer.Argument(..., parser=parse_norad_id, help="Catalog number of the first object (digits, or Alpha-5 such as T0000)."),
    id2: int = typer.Argument(..., parser=parse_norad_id, help="Catalog number of the second object."),
    at: Optional[str] = typer.Option(None, "--at", help="Time of the collision (ISO 8601). Default: the pair's closest approach within --search-days of the later of their epochs, found by the screener."),
    search_days: float = typer.Option(7.0, "--search-days", help="Without --at: how many days to search for the closest approach."),
    speed: Optional[float] = typer.Option(None, "--speed", help="Impact speed in km/s (default: from the two states at the collision time)."),
    mass1: Optional[float] = typer.Option(None, "--mass1"),
    mass2: Optional[float] = typer.Option(None, "--mass2"),
    lc_min: float = typer.Option(0.1, "--lc-min", help="Smallest fragment, metres."),
    seed: Optional[int] = typer.Option(None, "--seed"),
    store_it: bool = typer.Option(False, "--store", help="Store the fragments in the catalog (flagged generated)."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write a Gabbard diagram PNG."),
    screen_days: float = typer.Option(0.0, "--screen-days", help="Also screen the payloads near the cloud against the catalog with and without it over this many days (exact conjunction counts; costs a screening run)."),
    f107: float = typer.Option(150.0, "--f107", help=_F107_HELP),
    json: bool = typer.Option(False, "--json"),
):
    """What if these two objects collide at their closest approach? Uses their masses and encounter speed,
    and warns when they do not actually meet then."""
    from ..population.clouds import collide
    from ..time import as_time

    with open_store() as store:
        b1, b2 = _body(store, id1, mass1), _body(store, id2, mass2)
        if id1 == id2:
            raise SweepersError("an object cannot collide with itself; give two different catalog numbers")
        if at is None:
            with status(f"searching {search_days:g} days for the closest approach of {id1} and {id2}", not json):
                found = closest_approach(b1.element_set, b2.element_set, days=search_days)
        else:
            found = _encounter_at(b1.element_set, b2.element_set, as_time(at))
        enc = _encounter_report(found, "screening" if at is None else "--at")
        cloud = collide(b1, b2, at=found["tca"], impact_speed_km_s=speed, lc_min_m=lc_min, seed=seed,
                        first_norad_id=_next_generated_id(store))
        _finish(cloud, store, store_it, plot, json, _DAYS, screen_days, f107, encounter=enc)


def register(app, catalog_app=None) -> None:
    """Wire the commands: ``whatif`` as a sub-app of ``app`` and ``generate`` under ``catalog``."""
    app.add_typer(whatif_app, name="whatif")
    if catalog_app is not None:
        catalog_app.command("generate")(generate_cmd)
