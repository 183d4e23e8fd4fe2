"""PNG plots for GTOC9 planning (matplotlib, imported only here, Agg backend)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .estimate import estimate_debris_legs

__all__ = ["plot_raan", "plot_cost_map"]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_raan(debris, t_mjd2000_day, path: str | Path) -> Path:
    """RAAN (deg) of every debris against time: the differential nodal drift that makes GTOC9 solvable."""
    plt = _plt()
    t = np.asarray(t_mjd2000_day, dtype=float)
    raan = np.degrees(debris.raan_rad(t))
    # unwrap so lines do not jump at 360°
    raan_u = np.degrees(np.unwrap(np.radians(raan), axis=1))
    raan_u -= 360.0 * np.floor(raan_u[:, :1] / 360.0)
    fig, ax = plt.subplots(figsize=(9, 6), dpi=110)
    for k in range(raan_u.shape[0]):
        ax.plot(t, raan_u[k], lw=0.6)
    ax.set_xlabel("epoch (MJD2000 days)")
    ax.set_ylabel("RAAN (deg, unwrapped)")
    ax.set_title(f"GTOC9: RAAN of all {raan.shape[0]} debris (secular J2)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_cost_map(debris, dep_id: int, arr_id: int, t_dep_mjd2000_day, tof_day, path: str | Path):
    """Estimated ΔV (m/s) of the leg dep→arr over departure epoch × time of flight, the
    cheapest point starred. Returns (path, departure epoch, flight time, ΔV) of that point."""
    plt = _plt()
    t = np.asarray(t_dep_mjd2000_day, dtype=float)
    tof = np.asarray(tof_day, dtype=float)
    dv = estimate_debris_legs(debris, dep_id, arr_id, t[:, None], tof[None, :])
    fig, ax = plt.subplots(figsize=(9, 6), dpi=110)
    vmax = float(np.percentile(dv, 95))
    im = ax.pcolormesh(t, tof, dv.T, shading="auto", cmap="viridis", vmin=0, vmax=vmax)
    fig.colorbar(im, ax=ax, label="estimated ΔV (m/s)")
    k = np.unravel_index(np.argmin(dv), dv.shape)
    ax.plot(t[k[0]], tof[k[1]], "r*", ms=12, label=f"min {dv[k]:.0f} m/s")
    ax.legend(loc="upper right")
    ax.set_xlabel("departure epoch (MJD2000 days)")
    ax.set_ylabel("time of flight (days)")
    ax.set_title(f"GTOC9 leg {dep_id} → {arr_id}: nodal-drift ΔV estimate")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path, float(t[k[0]]), float(tof[k[1]]), float(dv[k])
