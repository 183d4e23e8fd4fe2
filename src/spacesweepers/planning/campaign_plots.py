"""PNG plots of a GTOC9 campaign (matplotlib imported only here, Agg backend).

* :func:`plot_timeline` — Gantt chart: one bar per mission, a tick per debris arrival.
* :func:`plot_route_raan` — every debris' RAAN against time, with each mission's route on top.
* :func:`plot_leg_dv` — ΔV of every leg (m/s), bars grouped by mission.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plot_timeline", "plot_route_raan", "plot_leg_dv"]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, plt, path) -> Path:
    path = Path(path)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _visits(m):
    ev = m.events
    ids = m.debris_ids
    arr = [e.epoch_mjd2000_day for e in ev if e.event_id in ids][::2]
    return ids, arr


def plot_timeline(missions, path) -> Path:
    """Mission timeline (Gantt): MJD2000 days on x, one row per mission, ticks at arrivals."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(missions) + 1.5), dpi=110)
    for k, m in enumerate(missions):
        ax.barh(k, m.end_mjd2000_day - m.start_mjd2000_day, left=m.start_mjd2000_day, height=0.6, alpha=0.6)
        _, arr = _visits(m)
        ax.plot(arr, [k] * len(arr), "k|", ms=10)
        ax.text(m.end_mjd2000_day + 10, k, f"{len(m.debris_ids)} debris, {m.dv_total_m_s:.0f} m/s", va="center",
                fontsize=8)
    ax.set_yticks(range(len(missions)), [m.name for m in missions])
    ax.invert_yaxis()
    ax.set_xlabel("epoch (MJD2000 days)")
    ax.set_title("GTOC9 campaign timeline")
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, plt, path)


def plot_route_raan(missions, debris, path) -> Path:
    """RAAN (deg) of all debris against time (grey), each mission's route drawn over it."""
    plt = _plt()
    t0 = min(m.start_mjd2000_day for m in missions)
    t1 = max(m.end_mjd2000_day for m in missions)
    t = np.linspace(t0, t1, 400)
    raan = np.degrees(debris.raan_rad(t)) % 360.0
    fig, ax = plt.subplots(figsize=(10, 6), dpi=110)
    ax.scatter(np.broadcast_to(t, raan.shape), raan, s=0.2, c="0.75")
    for m in missions:
        ids, arr = _visits(m)
        r = [float(np.degrees(debris.elements_at(i, a)[3]) % 360.0) for i, a in zip(ids, arr)]
        ax.plot(arr, r, "o-", ms=3, lw=1, label=m.name)
    ax.set_xlabel("epoch (MJD2000 days)")
    ax.set_ylabel("RAAN (deg)")
    ax.set_title("GTOC9 routes on the nodal-drift chart")
    ax.legend(fontsize=7, ncol=2, loc="upper right")
    return _save(fig, plt, path)


def plot_leg_dv(missions, path) -> Path:
    """ΔV (m/s) of every leg, grouped and coloured by mission."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(11, 4.5), dpi=110)
    x = 0
    for m in missions:
        legs, dv, open_id = [], 0.0, None
        for k, e in enumerate(m.events):  # a leg: departure impulse, deep-space impulses, arrival impulse
            arrival = e.event_id >= 0 and e.event_id != open_id
            if arrival:
                open_id = e.event_id
            elif e.event_id >= 0:
                open_id = None
            dv += float(np.linalg.norm(e.dv_m_s))
            if arrival and k > 0:
                legs.append(dv)
                dv = 0.0
            elif arrival:
                dv = 0.0
        ax.bar(np.arange(x, x + len(legs)), legs, label=m.name)
        x += len(legs) + 1
    ax.set_ylabel("leg ΔV (m/s)")
    ax.set_xticks([])
    ax.set_title("GTOC9 ΔV budget per leg (grouped by mission)")
    ax.legend(fontsize=7, ncol=4)
    return _save(fig, plt, path)
