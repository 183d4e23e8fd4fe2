"""GTOC9 campaign as a set-partitioning problem: column generation on the estimate, then a MILP.

A greedy campaign (:func:`~.campaign.greedy_campaign`) builds missions one after the other and
so leaves isolated debris to the end of the window, where they need small, dear missions. The
published winners instead choose among many candidate missions at once. Here:

* a **column** is a candidate mission (:class:`~.sequence.MissionPlan`) with its estimated
  cost c = 55 + α (m0 − 2000)²;
* the **master problem** picks columns so that every debris is removed exactly once (a debris
  left out costs a penalty of ``uncovered_meur`` through a slack variable) and no two chosen
  missions are closer than the 30-day gap: mission k occupies [start, end + 30) and, for every
  distinct column start s, Σ x_k over the columns occupying s ≤ 1 (two intervals overlap iff
  one contains the other's start, so these rows are exact);
* **pricing**: the LP relaxation's duals — π_d per debris, μ_s ≥ 0 per start — turn into the
  beam search's ranking credit (π_d / 0.0135 MEUR per m/s, the marginal cost of ΔV in a
  typical mission) at launch epochs drawn where μ is low; every chain it returns whose
  reduced cost c − Σπ + Σμ is negative joins the pool;
* the integer master is solved by HiGHS (``scipy.optimize.milp``) within a time limit; the
  greedy campaigns seed the pool, so the MILP can never return a worse campaign than the best
  of them.

Units: MEUR for costs, m/s for ΔV, MJD2000 days for epochs.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..units import GTOC9_GAP_DAYS
from .campaign import _MEUR_PER_M_S
from .sequence import MissionPlan, beam_mission

__all__ = ["ColumnPool", "price_columns", "solve_master", "partition_campaign"]


def _clashes(plan: MissionPlan, fixed) -> bool:
    """Whether ``plan`` breaks the 30-day gap to any mission in ``fixed``."""
    return any(plan.start_mjd2000_day < f.end_mjd2000_day + GTOC9_GAP_DAYS
               and f.start_mjd2000_day < plan.end_mjd2000_day + GTOC9_GAP_DAYS for f in fixed)


class ColumnPool:
    """Candidate missions, deduplicated by (debris sequence, launch epoch)."""

    def __init__(self, n_ids: int):
        self.n_ids = n_ids
        self.plans: list[MissionPlan] = []
        self._seen: set = set()

    def add(self, plan: MissionPlan) -> bool:
        if not math.isfinite(plan.cost_meur):
            return False
        key = (plan.debris_ids, round(plan.start_mjd2000_day, 3), round(plan.end_mjd2000_day, 3))
        if key in self._seen:
            return False
        self._seen.add(key)
        self.plans.append(plan)
        return True

    def __len__(self) -> int:
        return len(self.plans)

    def usable(self, debris_ids, fixed=()) -> np.ndarray:
        """Indices of the columns that visit only ``debris_ids`` and keep the 30-day gaps to
        every mission in ``fixed``."""
        allowed = set(int(d) for d in debris_ids)
        out = []
        for c, p in enumerate(self.plans):
            if allowed.issuperset(p.debris_ids) and not _clashes(p, fixed):
                out.append(c)
        return np.asarray(out, dtype=int)

    def matrices(self, debris_ids, columns):
        """For the given column indices: sparse coverage (debris × columns) and occupancy
        (starts × columns) matrices, the costs, and the distinct start epochs."""
        from scipy.sparse import csr_matrix

        plans = [self.plans[k] for k in columns]
        row_of = {int(d): k for k, d in enumerate(debris_ids)}
        rows, cols = [], []
        for c, p in enumerate(plans):
            for d in p.debris_ids:
                rows.append(row_of[int(d)])
                cols.append(c)
        cover = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(row_of), len(plans)))
        start = np.round(np.array([p.start_mjd2000_day for p in plans], dtype=float), 6)
        busy_to = np.array([p.end_mjd2000_day for p in plans], dtype=float) + GTOC9_GAP_DAYS
        starts = np.unique(start)
        # column c occupies start s when start_c ≤ s < end_c + 30
        lo = np.searchsorted(starts, start, side="left")
        hi = np.searchsorted(starts, busy_to, side="left")
        r2 = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi)]) if len(lo) else np.zeros(0, int)
        c2 = np.repeat(np.arange(len(plans)), hi - lo)
        occupy = csr_matrix((np.ones(r2.size), (r2, c2)), shape=(starts.size, len(plans)))
        cost = np.array([p.cost_meur for p in plans], dtype=float)
        return cover, occupy, cost, starts


def solve_master(pool: ColumnPool, debris_ids, *, integer: bool, uncovered_meur: float = 120.0,
                 time_limit_s: float = 60.0, columns=None):
    """Solve the master problem over ``columns`` (indices into the pool; default all).
    Returns (chosen pool indices, or the LP values of ``columns``; objective; debris duals π
    (MEUR); start duals μ (MEUR, ≥ 0); start epochs; uncovered debris ids)."""
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp
    from scipy.sparse import csr_matrix, eye, hstack

    ids = [int(d) for d in debris_ids]
    columns = np.arange(len(pool)) if columns is None else np.asarray(columns, dtype=int)
    cover, occupy, cost, starts = pool.matrices(ids, columns)
    nd, nc, ns = len(ids), cost.size, starts.size
    c = np.concatenate([cost, np.full(nd, uncovered_meur)])
    a_eq = hstack([cover, eye(nd)]).tocsr()
    a_ub = hstack([occupy, csr_matrix((ns, nd))]).tocsr()
    if not integer:
        res = linprog(c, A_ub=a_ub, b_ub=np.ones(ns), A_eq=a_eq, b_eq=np.ones(nd), bounds=(0, 1), method="highs")
        if res.status != 0:
            return None, math.inf, np.zeros(nd), np.zeros(ns), starts, ids
        pi = np.asarray(res.eqlin.marginals)
        mu = -np.asarray(res.ineqlin.marginals)
        return res.x[:nc], float(res.fun), pi, np.maximum(mu, 0.0), starts, []
    cons = [LinearConstraint(a_eq, 1, 1), LinearConstraint(a_ub, -np.inf, 1)]
    res = milp(c, constraints=cons, integrality=np.ones(c.size), bounds=Bounds(0, 1),
               options={"time_limit": time_limit_s, "disp": False})
    if res.x is None:
        return None, math.inf, None, None, starts, ids
    x = np.rint(res.x)
    chosen = columns[np.flatnonzero(x[:nc] > 0.5)]
    uncovered = [ids[k] for k in np.flatnonzero(x[nc:] > 0.5)]
    return chosen, float(res.fun), None, None, starts, uncovered


def _free_gaps(fixed, window_mjd2000_day):
    """The time left free by the ``fixed`` missions: (earliest launch, latest end) pairs."""
    t, out = window_mjd2000_day[0], []
    for f in sorted(fixed, key=lambda m: m.start_mjd2000_day):
        if f.start_mjd2000_day - GTOC9_GAP_DAYS > t:
            out.append((t, f.start_mjd2000_day - GTOC9_GAP_DAYS))
        t = max(t, f.end_mjd2000_day + GTOC9_GAP_DAYS)
    if window_mjd2000_day[1] > t:
        out.append((t, window_mjd2000_day[1]))
    return out


def price_columns(debris, pool: ColumnPool, debris_ids, pi, mu, starts, window_mjd2000_day, settings, rng,
                  n_launches: int = 6, fixed=()) -> int:
    """One pricing round: beam searches with the duals as ranking credit from launch epochs
    drawn where the start duals are low, inside the time the ``fixed`` missions leave free.
    Returns how many columns with negative reduced cost were added."""
    ids = [int(d) for d in debris_ids]
    credit = np.zeros(pool.n_ids)
    credit[ids] = np.maximum(pi, 0.0) / _MEUR_PER_M_S
    gaps = [(a, b) for a, b in _free_gaps(fixed, window_mjd2000_day) if b - a >= 20.0]
    if not gaps or len(ids) < 2:
        return 0
    per_gap = [np.arange(a, b - 15.0, 1.0) for a, b in gaps]
    grid = np.concatenate(per_gap)
    ends = np.concatenate([np.full(g.size, b) for g, (_, b) in zip(per_gap, gaps)])
    if grid.size == 0:
        return 0
    # weight of a launch epoch: low when the LP already fills the time around it
    mu_at = np.zeros(grid.size)
    if starts.size:
        k = np.clip(np.searchsorted(starts, grid) - 1, 0, None)
        mu_at = mu[k] if mu.size else mu_at
    w = 1.0 / (1.0 + mu_at)
    pick = np.sort(rng.choice(grid.size, size=min(n_launches, grid.size), replace=False, p=w / w.sum()))
    pi_of = dict(zip(ids, pi))
    added = 0
    for t, t_end in zip(grid[pick], ends[pick]):
        lam = float(rng.choice(settings.time_prices_m_s_day))
        plans = beam_mission(debris, ids, [float(t)], float(t_end), beam_width=settings.beam_width,
                             time_price_m_s_day=lam,
                             max_leg_m_s=settings.max_leg_m_s, price=settings.price, bonus_m_s=credit)
        for p in plans:
            s_hi = p.end_mjd2000_day + GTOC9_GAP_DAYS
            occ = (starts >= p.start_mjd2000_day) & (starts < s_hi)
            reduced = p.cost_meur - sum(pi_of[d] for d in p.debris_ids) + (float(mu[occ].sum()) if mu.size else 0.0)
            if reduced < -1e-6 and pool.add(p):
                added += 1
    return added


def partition_campaign(debris, debris_ids, seed_plans, seconds: float, settings, window_mjd2000_day, *,
                       seed: int = 0, rounds_per_fix: int = 4, log=lambda msg: None):
    """Price-and-dive for about ``seconds``: column generation on the LP master for half the
    time, then a dive: the earliest column carrying at least half the largest LP value is
    fixed (with every column the LP sets to 1), the master shrinks to
    the debris and time left, pricing goes on there, and so on until every debris is in a
    fixed mission or the LP covers nothing more. The pool is seeded with the missions of
    ``seed_plans`` (a list of campaigns). Returns (missions, uncovered debris ids, estimated J)
    or (None, ids, inf) when nothing is found."""
    t_stop = time.monotonic() + seconds
    rng = np.random.default_rng(seed)
    ids = [int(d) for d in debris_ids]
    pool = ColumnPool(int(np.max(debris.ids)) + 1)
    for campaign in seed_plans:
        for p in campaign:
            pool.add(p)
    if not len(pool):
        return None, ids, math.inf
    fixed: list[MissionPlan] = []
    left = list(ids)
    rounds, since_fix, lp0 = 0, 0, math.nan
    # first half of the time: column generation on the whole problem; then dive
    t_dive = time.monotonic() + 0.5 * seconds
    while left:
        cols = pool.usable(left, fixed)
        if cols.size == 0:
            break
        x, lp, pi, mu, starts, _ = solve_master(pool, left, integer=False, columns=cols)
        if x is None:
            break
        if math.isnan(lp0) or not fixed:
            lp0 = lp
        diving = time.monotonic() >= t_dive
        if not diving or (since_fix < rounds_per_fix and time.monotonic() < t_stop):
            added = price_columns(debris, pool, left, pi, mu, starts, window_mjd2000_day, settings, rng, fixed=fixed)
            rounds += 1
            since_fix += 1
            if rounds % 10 == 0:
                log(f"column generation: round {rounds}, {len(pool)} columns, LP {lp:.1f} MEUR "
                    f"({len(fixed)} missions fixed)")
            if added or not diving:
                continue
        order = np.argsort(-x)
        if x[order[0]] < 1e-6:
            break
        since_fix = 0
        # chronological dive: the earliest column carrying at least half the largest LP value
        # (the rest of the problem is then a suffix in time, priced with the duals that still
        # know how dear the remaining debris are), with every column the LP sets to 1
        strong = np.flatnonzero(x >= 0.5 * x[order[0]])
        first = strong[np.argmin([pool.plans[cols[k]].start_mjd2000_day for k in strong])]
        take = [first] + [k for k in order if k != first and x[k] >= 0.99]
        for k in take:
            p = pool.plans[cols[k]]
            if set(p.debris_ids) <= set(left) and not _clashes(p, fixed):
                fixed.append(p)
                left = [d for d in left if d not in set(p.debris_ids)]
    plans = sorted(fixed, key=lambda m: m.start_mjd2000_day)
    j = float(sum(p.cost_meur for p in plans))
    log(f"set partitioning: {rounds} rounds, {len(pool)} columns, first LP bound {lp0:.1f} MEUR, "
        f"{len(plans)} missions fixed, estimated J {j:.1f} MEUR, {len(left)} debris left")
    return plans, left, j
