"""Plots of salvage routes and campaigns (matplotlib, imported here only).

* :func:`plot_gantt` — mission timeline: per ship, legs (bars) and stays at targets.
* :func:`plot_raan_time` — the route on a RAAN-vs-time chart: every target's node drifting under
  J2, the ship's stays on top of them.
* :func:`plot_dv_bars` — ΔV per leg (estimate × margin and flown) against the budget.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_gantt(routes, path: str | Path, title: str = "Salvage campaign timeline") -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.6 * len(routes)))
    t0 = min(r.start_mjd2000_day for r in routes)
    for y, r in enumerate(routes):
        for leg in r.legs:
            ax.barh(y, leg.t_arr_mjd2000_day - leg.t_dep_mjd2000_day, left=leg.t_dep_mjd2000_day - t0, height=0.35,
                    color="tab:blue" if leg.ok or not r.flown else "tab:red")
        for t, ta in zip(r.targets, r.arrivals_mjd2000_day):
            ax.barh(y, r.ship.stay_days, left=ta - t0, height=0.6, color="tab:orange")
            ax.text(ta - t0, y + 0.38, str(t.norad_id), fontsize=6, rotation=30)
    ax.set_yticks(range(len(routes)), [r.ship.name for r in routes])
    ax.set_xlabel("days from the first launch (blue: legs, orange: stays at targets)")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)


def plot_raan_time(route, bodies, path: str | Path, title: str | None = None) -> Path:
    plt = _plt()
    t = np.linspace(route.start_mjd2000_day, max(route.end_mjd2000_day, route.start_mjd2000_day + 1), 200)
    fig, ax = plt.subplots(figsize=(9, 5))
    el = bodies.all_elements_at(t)  # (T, n, 6)
    raan = np.degrees(el[..., 3])
    ax.plot(t - t[0], raan, ",", color="0.7")
    vis = [x.norad_id for x in route.targets]
    for k, nid in enumerate(vis):
        j = bodies.index(nid)[0]
        ax.plot(t - t[0], raan[:, j], ".", ms=1.5)
        ta = route.arrivals_mjd2000_day[k]
        ra = math.degrees(bodies.elements_at(nid, ta)[3])
        ax.plot(ta - t[0], ra, "o", color="tab:red")
        ax.annotate(str(nid), (ta - t[0], ra), fontsize=7, xytext=(3, 3), textcoords="offset points")
    xs = [a - t[0] for a in route.arrivals_mjd2000_day]
    ys = [math.degrees(bodies.elements_at(n, a)[3]) for n, a in zip(vis, route.arrivals_mjd2000_day)]
    for k in range(1, len(xs)):  # join stops, except across the 0/360° wrap
        if abs(ys[k] - ys[k - 1]) < 180:
            ax.plot(xs[k - 1:k + 1], ys[k - 1:k + 1], "-", color="tab:red", lw=0.8)
    ax.set_xlabel("days from launch")
    ax.set_ylabel("RAAN (deg, secular J2)")
    ax.set_ylim(0, 360)
    ax.set_title(title or f"{route.ship.name}: route on RAAN vs time (grey: all candidate targets)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)


def plot_dv_bars(route, path: str | Path, title: str | None = None) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(5, 0.8 * len(route.legs) + 2), 4))
    x = np.arange(len(route.legs))
    est = [l.dv_estimate_m_s * route.options.dv_margin for l in route.legs]
    flown = [l.dv_m_s if math.isfinite(l.dv_m_s) else 0.0 for l in route.legs]
    ax.bar(x - 0.2, est, 0.4, label=f"estimate × {route.options.dv_margin:g} (search)")
    ax.bar(x + 0.2, flown, 0.4, label="flown (J2 transfer)")
    ax.set_xticks(x, [f"{l.dep_id}\n→{l.arr_id}" for l in route.legs], fontsize=6)
    ax.set_ylabel("ΔV per leg (m/s)")
    cap = route.ship.dv_capacity_m_s()
    ax.set_title(title or f"{route.ship.name}: ΔV per leg (total {route.dv_m_s:,.0f} of ~{cap:,.0f} m/s)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)
