"""Catalog plots: the Gabbard diagram and the altitude distribution.

A Gabbard diagram plots, for every object, its apogee and its perigee altitude against its
orbital period. Fragments of one breakup form the characteristic "X" centred on the parent's
period, which makes the diagram the standard first look at a debris cloud.

matplotlib is imported inside the functions (Agg backend, no display needed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from .elements import ElementSet, object_type_from_name

_TYPE_COLOURS = {
    "PAYLOAD": "#1f77b4",
    "ROCKET BODY": "#ff7f0e",
    "DEBRIS": "#d62728",
    "UNKNOWN": "#7f7f7f",
}


def orbit_columns(elements: Sequence[ElementSet]) -> dict[str, np.ndarray]:
    """Period [min], perigee and apogee altitude [km], inclination [deg] as arrays."""
    n = np.array([e.mean_motion_rev_day for e in elements], dtype=float)
    ecc = np.array([e.eccentricity for e in elements], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_rad_s = n * 2.0 * np.pi / 86400.0
        a_km = np.cbrt(398600.8 / n_rad_s**2)
        period_min = 1440.0 / n
    return {
        "period_min": period_min,
        "perigee_km": a_km * (1.0 - ecc) - 6378.135,
        "apogee_km": a_km * (1.0 + ecc) - 6378.135,
        "inclination_deg": np.array([e.inclination_deg for e in elements], dtype=float),
    }


def _figure():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def gabbard(
    elements: Sequence[ElementSet],
    path: str | Path,
    *,
    types: Sequence[str] | None = None,
    title: str = "Gabbard diagram",
    max_period_min: float = 130.0,
) -> Path:
    """Write a Gabbard diagram (apogee and perigee altitude vs period) as a PNG.

    ``types`` gives an object type per element set (PAYLOAD, ROCKET BODY, DEBRIS, UNKNOWN)
    for colouring; by default it is guessed from the names. Only orbits with a period up to
    ``max_period_min`` are drawn (LEO), since that is where the diagram is readable.
    """
    plt = _figure()
    cols = orbit_columns(elements)
    if types is None:
        types = [object_type_from_name(e.name) for e in elements]
    types = np.asarray(types, dtype=object)
    keep = np.isfinite(cols["period_min"]) & (cols["period_min"] <= max_period_min)
    fig, ax = plt.subplots(figsize=(9, 6), dpi=110)
    for kind, colour in _TYPE_COLOURS.items():
        sel = keep & (types == kind)
        if not sel.any():
            continue
        ax.scatter(cols["period_min"][sel], cols["apogee_km"][sel], s=2, c=colour, marker="^",
                   label=f"{kind.lower()} apogee ({sel.sum()})", alpha=0.6, linewidths=0)
        ax.scatter(cols["period_min"][sel], cols["perigee_km"][sel], s=2, c=colour, marker="v", alpha=0.35,
                   linewidths=0)
    ax.set_xlabel("orbital period [min]")
    ax.set_ylabel("altitude [km] (▲ apogee, ▼ perigee)")
    ax.set_title(f"{title} — {int(keep.sum())} objects with period ≤ {max_period_min:g} min")
    ax.grid(alpha=0.3)
    ax.legend(markerscale=5, fontsize=8, loc="upper left")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def altitude_histogram(
    elements: Sequence[ElementSet],
    path: str | Path,
    *,
    types: Sequence[str] | None = None,
    title: str = "Objects by mean altitude",
    max_altitude_km: float = 2000.0,
    bin_km: float = 20.0,
) -> Path:
    """Write a stacked histogram of mean altitude ((perigee+apogee)/2) by object type as a PNG."""
    plt = _figure()
    cols = orbit_columns(elements)
    mean_alt = 0.5 * (cols["perigee_km"] + cols["apogee_km"])
    if types is None:
        types = [object_type_from_name(e.name) for e in elements]
    types = np.asarray(types, dtype=object)
    bins = np.arange(0.0, max_altitude_km + bin_km, bin_km)
    keep = np.isfinite(mean_alt) & (mean_alt <= max_altitude_km)
    data, labels, colours = [], [], []
    for kind, colour in _TYPE_COLOURS.items():
        sel = keep & (types == kind)
        data.append(mean_alt[sel])
        labels.append(f"{kind.lower()} ({sel.sum()})")
        colours.append(colour)
    fig, ax = plt.subplots(figsize=(9, 5), dpi=110)
    ax.hist(data, bins=bins, stacked=True, color=colours, label=labels)
    ax.set_xlabel("mean altitude [km]")
    ax.set_ylabel(f"objects per {bin_km:g} km")
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
