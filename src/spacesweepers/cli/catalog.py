"""`sweepers catalog …`: load, inspect, export and update the catalog database."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from ..errors import SweepersError
from ._common import console, emit_json, err_console, open_store, progress, status
from ._common import norad_id as parse_norad_id

app = typer.Typer(help="Load, inspect, export and update the catalog.", no_args_is_help=True)

_WRITE_FORMATS = ("tle", "3le", "omm-json", "omm-xml", "omm-kvn", "omm-csv", "csv")


@app.command("load")
def load(
    files: List[Path] = typer.Argument(..., help="Catalog files: TLE/3LE, OMM (XML/KVN/JSON/CSV), SATCAT CSV, CARA HBR/mass CSV, keeptrack JSON."),
    strict: bool = typer.Option(False, "--strict", help="Reject a file with any bad record, changing nothing."),
    format: Optional[str] = typer.Option(None, "--format", help="Force the reader instead of detecting it (tle, omm-json, …)."),
    json: bool = typer.Option(False, "--json", help="Print the ingest reports as JSON."),
):
    """Load catalog files into the database, one transaction per file.

    A file in which not one record is good is an error (exit status 1) and changes nothing;
    files before it stay loaded, files after it are not read."""
    reports = []
    with open_store() as store:
        with progress(not json) as bar:
            task = bar.add_task("loading", total=len(files))
            for f in files:
                bar.update(task, description=f"loading {f.name}")
                try:
                    report = store.ingest(f, strict=strict, format=format)
                except SweepersError:
                    if reports:  # say what the earlier transactions did (stdout stays pure JSON)
                        bar.stop()
                        to = err_console if json else console
                        to.print(f"loaded before the error ({len(reports)} of {len(files)} files):")
                        _print_reports(reports, to)
                    raise
                reports.append(report)
                bar.advance(task)
    if json:
        emit_json([r.to_dict() for r in reports])
        return
    _print_reports(reports, console)


def _print_reports(reports, to) -> None:
    for r in reports:
        to.print(f"[green]✓[/] {r.summary()} ({r.parse_s + r.write_s:.1f} s)")
        if r.problems:
            err_console.print(f"[yellow]{len(r.problems)} bad record(s) skipped:[/]")
            err_console.print(r.problem_report(), highlight=False, markup=False)


@app.command("stats")
def stats(
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Classify each object by its latest element set at this time (ISO 8601)."),
    json: bool = typer.Option(False, "--json"),
):
    """Counts of objects by type and by orbital regime."""
    with open_store() as store:
        s = store.stats(as_of=as_of)
    if json:
        emit_json(s.to_dict())
        return
    print_stats(s)


def print_stats(s) -> None:
    """Rich tables of a :class:`~spacesweepers.catalog.store.CatalogStats`."""
    console.print(
        f"[bold]{s.n_objects:,}[/] objects, {s.n_element_sets:,} element sets, "
        f"{s.n_size_estimates:,} size estimates, {s.n_sources} ingests"
    )
    if getattr(s, "n_generated", 0):
        console.print(f"[yellow]{s.n_generated:,} of the objects are GENERATED[/] (breakup-model fragments or "
                      "preset objects, not real observations)")
    for title, counts in (("object type", s.by_object_type), ("orbital regime", s.by_regime)):
        t = Table(title=f"by {title}")
        t.add_column(title)
        t.add_column("objects", justify="right")
        t.add_column("share", justify="right")
        total = sum(counts.values()) or 1
        for k, v in sorted(counts.items(), key=lambda kv: -kv[1]):
            t.add_row(k, f"{v:,}", f"{100 * v / total:.1f} %")
        console.print(t)


@app.command("show")
def show(
    norad_id: int = typer.Argument(..., metavar="ID", parser=parse_norad_id, help="NORAD catalog number (25544, or Alpha-5 such as T0000)."),
    history: bool = typer.Option(False, "--history", help="List every stored element set."),
    json: bool = typer.Option(False, "--json"),
):
    """Everything the catalog knows about one object."""
    with open_store() as store:
        obj = store.object(norad_id)
        hist = store.history(norad_id) if history else []
    if json:
        d = obj.to_dict()
        if history:
            from ..catalog.formats.omm import element_set_to_omm_dict

            d["history"] = [element_set_to_omm_dict(e) for e in hist]
        emit_json(d)
        return
    m = obj.metadata
    t = Table(show_header=False, title=f"{m.norad_id} {m.name or ''}".strip())
    t.add_column(style="bold")
    t.add_column()
    type_text = (m.object_type or "?") + (" (guessed from the name)" if obj.object_type_guessed else "")
    rows = [
        ("COSPAR id", m.intl_designator),
        ("type", type_text + (" — GENERATED" if obj.generated else "")),
        ("parent event", obj.parent_event),
        ("RCS", m.rcs_size),
        ("country", m.country),
        ("launch", m.launch_date),
        ("decay", m.decay_date),
    ]
    if obj.size is not None:
        rows += [("HBR", f"{obj.size.hbr_m} m ({obj.size.hbr_source})" if obj.size.hbr_m is not None else None),
                 ("mass", f"{obj.size.mass_kg} kg ({obj.size.mass_source})" if obj.size.mass_kg is not None else None)]
    e = obj.latest
    if e is not None:
        rows += [
            ("latest epoch", e.epoch.iso(3)),
            ("perigee × apogee", f"{e.perigee_km:,.1f} × {e.apogee_km:,.1f} km"),
            ("inclination", f"{e.inclination_deg:.4f}°"),
            ("period", f"{e.period_min:.2f} min"),
            ("element sets stored", str(obj.n_element_sets)),
        ]
    rows += [("first seen", f"{obj.first_seen.location} ({obj.first_seen.ingested_at.iso(0)})"),
             ("last updated", f"{obj.updated.location} ({obj.updated.ingested_at.iso(0)})")]
    for k, v in rows:
        if v:
            t.add_row(k, str(v))
    console.print(t)
    if e is not None:
        from ..catalog.formats.tle import format_tle

        try:
            l1, l2 = format_tle(e)
            console.print(f"{l1}\n{l2}", highlight=False)
        except SweepersError:
            pass
    if history:
        h = Table(title="element-set history")
        for col in ("epoch (UTC)", "perigee km", "apogee km", "incl °", "source"):
            h.add_column(col)
        for x in hist:
            h.add_row(x.epoch.iso(3), f"{x.perigee_km:.1f}", f"{x.apogee_km:.1f}", f"{x.inclination_deg:.3f}",
                      f"{Path(x.source).name}:{x.source_line}" if x.source else "")
        console.print(h)


@app.command("export")
def export(
    out: Path = typer.Option(..., "--out", "-o", help="Output file."),
    format: str = typer.Option("tle", "--format", "-f", help="One of: " + ", ".join(_WRITE_FORMATS)),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Latest element sets as of this time (ISO 8601); default: the newest."),
    object_type: Optional[str] = typer.Option(None, "--type", help="Only PAYLOAD, ROCKET BODY, DEBRIS or UNKNOWN objects."),
    ids: Optional[List[int]] = typer.Option(None, "--id", parser=parse_norad_id, help="Only these NORAD ids (repeatable; digits or Alpha-5)."),
    json: bool = typer.Option(False, "--json"),
):
    """Write the latest element set of each object to a file.

    A TLE holds catalog numbers up to 339999 (Alpha-5 Z9999): as TLE, objects above that are
    skipped and counted on stderr; the OMM formats write every object."""
    from ..catalog.formats import write
    from ..catalog.formats.tle import MAX_TLE_NORAD_ID

    if format not in _WRITE_FORMATS:
        raise SweepersError(f"unknown export format {format!r}; choose one of {', '.join(_WRITE_FORMATS)}")
    with status(f"exporting to {out}", not json), open_store() as store:
        where = {"object_type": object_type.upper()} if object_type else None
        elements = store.latest(as_of=as_of, ids=ids, where=where)
        skipped = []
        if format in ("tle", "3le"):
            skipped = [e.norad_id for e in elements if e.norad_id > MAX_TLE_NORAD_ID]
            elements = [e for e in elements if e.norad_id <= MAX_TLE_NORAD_ID]
        write(elements, out, "tle" if format == "3le" else format)
    if skipped:
        shown = ", ".join(map(str, skipped[:5])) + (", …" if len(skipped) > 5 else "")
        err_console.print(
            f"[yellow]skipped {len(skipped):,} object(s) with catalog numbers above {MAX_TLE_NORAD_ID:,}[/] "
            f"({shown}): a TLE's 5-column number field (Alpha-5) ends at Z9999 = {MAX_TLE_NORAD_ID}; "
            "export them with --format omm-json (or omm-xml, omm-kvn, omm-csv)",
            highlight=False,
        )
    if json:
        emit_json({"file": str(out), "format": format, "element_sets": len(elements),
                   "skipped": len(skipped)})
    else:
        console.print(f"[green]✓[/] wrote {len(elements):,} element sets to {out} ({format})")


@app.command("update")
def update(
    group: Optional[List[str]] = typer.Option(None, "--group", "-g", help="CelesTrak GP group (repeatable), e.g. active, stations, cosmos-1408-debris."),
    all_groups: bool = typer.Option(False, "--all", help="Every group listed by `spacesweepers.catalog.celestrak.ALL_GROUPS`."),
    fmt: str = typer.Option("json", "--format", help="OMM encoding to download: json or csv."),
    json: bool = typer.Option(False, "--json"),
):
    """Fetch current element sets from CelesTrak's GP API (cached; at most once per 2 h per query)."""
    from ..catalog import celestrak

    if all_groups and group:
        raise SweepersError("give --group or --all, not both")
    groups = list(celestrak.ALL_GROUPS) if all_groups else (group or ["active"])
    with open_store() as store, progress(not json) as bar:
        task = bar.add_task("CelesTrak", total=len(groups))

        def advance(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"CelesTrak {label}")

        reports = celestrak.update(store, groups=groups, fmt=fmt, progress=advance)
    if json:
        emit_json([r.to_dict() for r in reports])
    else:
        for r in reports:
            (console if r.ok else err_console).print(str(r), highlight=False, markup=False)
    if any(not r.ok for r in reports):
        raise typer.Exit(1)
