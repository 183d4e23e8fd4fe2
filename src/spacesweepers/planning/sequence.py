"""Estimate-driven GTOC9 mission search: beam search over debris sequences, DP over epochs.

Nothing here integrates an orbit: every leg is priced by the fast nodal-drift estimate
(:func:`~.estimate.estimate_debris_legs`), whole arrays of legs at a time.

* :func:`beam_mission` grows chains of debris from a set of roots (debris × launch epochs).
  A node is a chain with its ΔV and the epoch its ship is free to leave (arrival + 5 days);
  each depth prices every node × every unvisited debris × a set of flight times in one
  call, keeps for each (node, debris) the flight time with the least ΔV + λ·days, and
  keeps the ``beam_width`` best children by accumulated ΔV + λ·(days used). Chains whose
  visited set and current debris coincide are merged (the cheaper survives). This is the
  JPL/Tsinghua idea — cheap legs are where nodal drift has aligned the planes — with the
  time price λ standing in for the campaign's finite window.
* :func:`optimise_epochs` re-times one sequence by dynamic programming over a day grid
  (Tsinghua's DP over rendezvous epochs): departure epochs and flight times are free,
  stays are ≥ 5 days, the mission must fit a given window.
* :func:`mission_cost_meur` prices a mission from its leg ΔVs (GTOC9 mass recursion).

Units: m/s for ΔV, MJD2000 days for epochs, days for durations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..units import GTOC9_ALPHA_MEUR_KG2, GTOC9_BASE_COST_MEUR, GTOC9_M_DE_KG, GTOC9_M_DRY_KG, GTOC9_M_PROP_MAX_KG
from .estimate import estimate_debris_legs
from .gtoc9 import VEX_M_S

__all__ = ["MissionPlan", "LegPrice", "beam_mission", "optimise_epochs", "Insertions", "mission_cost_meur",
           "mission_m0_kg", "STAY_DAY", "TOF_GRID_DAY", "WAIT_GRID_DAY"]

STAY_DAY = 5.0
#: flight times the beam search tries (days)
TOF_GRID_DAY = np.array([5.0, 8.0, 12.0, 17.0, 22.0, 28.0])
#: waits at a debris before departing (days) the beam search tries, beyond the 5-day stay
WAIT_GRID_DAY = np.array([0.0, 10.0, 25.0, 45.0, 70.0, 100.0])


def mission_m0_kg(leg_dv_m_s) -> float:
    """Initial mass (kg) that flies legs of these ΔVs (m/s) and ends dry (GTOC9 recursion)."""
    m = GTOC9_M_DRY_KG + GTOC9_M_DE_KG
    for dv in np.asarray(leg_dv_m_s, float)[::-1]:
        m = m * np.exp(dv / VEX_M_S) + GTOC9_M_DE_KG
    return float(m)


def mission_cost_meur(leg_dv_m_s, base_cost_meur: float = GTOC9_BASE_COST_MEUR) -> float:
    """c + α (m0 − m_dry)²; infinite when the propellant would exceed 5,000 kg."""
    n = len(leg_dv_m_s) + 1
    m0 = mission_m0_kg(leg_dv_m_s)
    if m0 - GTOC9_M_DRY_KG - n * GTOC9_M_DE_KG > GTOC9_M_PROP_MAX_KG:
        return float("inf")
    return base_cost_meur + GTOC9_ALPHA_MEUR_KG2 * (m0 - GTOC9_M_DRY_KG) ** 2


@dataclass(frozen=True)
class LegPrice:
    """What the search pays for a leg (m/s) given its fast estimate: the estimate plus
    ``overhead_m_s``, or, on flights longer than ``long_from_day``, the estimate ×
    ``long_slope`` + ``long_offset_m_s`` when that is dearer (slope and offset reached in
    full at ``long_full_day``, linear in between). Fitted on 602 legs of 30-minute campaign
    runs flown with the exact solver (:func:`~.campaign.fly_leg`): 5-day legs cost the
    estimate + 16 m/s (residual 14 m/s), 20–30-day legs 1.3 × the estimate − 40 (residual
    50 m/s; estimate + 15–20 below ~200 m/s). The search priced every leg as
    1.1 × estimate + 20 before: 18 m/s too dear on the 5-day legs that are half of a
    campaign, ~8 on the long ones. On estimates above ``dear_from_m_s`` the price rises by
    ``dear_slope`` more per m/s: the linear estimate underprices big plane changes, and of
    the 345 distinct legs of four 2026-12-03 runs the three estimated at 736, 1,063 and
    1,216 m/s (30-day flights) flew 936, 1,509 and 1,701 (priced 916, 1,342, 1,541 without
    the surcharge; 929, 1,469, 1,722 with it). The run that flew the last two was 11.8 MEUR
    dearer than its estimate; below 700 m/s the price is the fit above."""

    overhead_m_s: float = 16.0
    long_slope: float = 1.3
    long_offset_m_s: float = -40.0
    long_from_day: float = 10.0
    long_full_day: float = 20.0
    dear_from_m_s: float = 700.0
    dear_slope: float = 0.35

    def __call__(self, est_m_s, tof_day):
        est = np.asarray(est_m_s, dtype=float)
        w = np.clip((np.asarray(tof_day, dtype=float) - self.long_from_day)
                    / (self.long_full_day - self.long_from_day), 0.0, 1.0)
        slope = 1.0 + w * (self.long_slope - 1.0)
        offset = self.overhead_m_s + w * (self.long_offset_m_s - self.overhead_m_s)
        return (np.maximum(est + self.overhead_m_s, est * slope + offset)
                + self.dear_slope * np.maximum(est - self.dear_from_m_s, 0.0))


@dataclass(frozen=True)
class MissionPlan:
    """A mission as planned: debris in order, arrival and departure epochs (MJD2000 days),
    and the estimated (or, once flown, exact) ΔV of each leg (m/s)."""

    debris_ids: tuple[int, ...]
    arrival_mjd2000_day: tuple[float, ...]
    departure_mjd2000_day: tuple[float, ...]
    leg_dv_m_s: tuple[float, ...]
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def n(self) -> int:
        return len(self.debris_ids)

    @property
    def start_mjd2000_day(self) -> float:
        return self.arrival_mjd2000_day[0]

    @property
    def end_mjd2000_day(self) -> float:
        return self.departure_mjd2000_day[-1]

    @property
    def dv_total_m_s(self) -> float:
        return float(sum(self.leg_dv_m_s))

    @property
    def cost_meur(self) -> float:
        return mission_cost_meur(self.leg_dv_m_s)

    @property
    def visits(self) -> list[tuple[int, float, float]]:
        return list(zip(self.debris_ids, self.arrival_mjd2000_day, self.departure_mjd2000_day))

    def to_dict(self) -> dict:
        return {"debris_ids": list(map(int, self.debris_ids)),
                "arrival_mjd2000_day": list(map(float, self.arrival_mjd2000_day)),
                "departure_mjd2000_day": list(map(float, self.departure_mjd2000_day)),
                "leg_dv_m_s": list(map(float, self.leg_dv_m_s))}

    @classmethod
    def from_dict(cls, d: dict) -> "MissionPlan":
        return cls(tuple(d["debris_ids"]), tuple(d["arrival_mjd2000_day"]), tuple(d["departure_mjd2000_day"]),
                   tuple(d["leg_dv_m_s"]))


def beam_mission(debris, pool_ids, launch_mjd2000_day, end_max_mjd2000_day: float, *, beam_width: int = 300,
                 time_price_m_s_day: float = 3.0, max_leg_m_s: float = 700.0, max_dv_m_s: float = 4000.0,
                 max_debris: int = 25, tof_grid_day=TOF_GRID_DAY, wait_grid_day=WAIT_GRID_DAY,
                 price=None, max_gap_deg: float = 4.0, pace_day: float | None = None,
                 pace_gap_day: float = 30.0, bonus_m_s=None, rng: np.random.Generator | None = None, noise: float = 0.0) -> list[MissionPlan]:
    """Beam search for one mission over the debris ``pool_ids``, launched at one of the epochs
    ``launch_mjd2000_day`` and ending (last stay over) by ``end_max_mjd2000_day``.

    A leg is a wait at the debris (``wait_grid_day``) then a flight (``tof_grid_day``); only
    targets whose node comes within ``max_gap_deg`` of the current debris' node during the
    next wait + flight are priced (a 4° node gap alone costs ~500 m/s). Returns, for every
    chain length reached (≥ 2), the best chain of that length (ranked by ΔV + λ·days), as
    :class:`MissionPlan` with leg ΔVs priced by ``price`` (a :class:`LegPrice`, or any
    function of the estimate and the flight time; None: the estimate itself). ``noise``
    (relative, with ``rng``) perturbs the ranking for diversified restarts. ``pace_day``: chains of N debris
    whose time from the first launch epoch to the end of their last stay, plus
    ``pace_gap_day``, exceeds N·pace are pruned (with 20 % slack below 8 debris), and the
    chain returned per length is the best one that keeps that pace, if any does.
    ``bonus_m_s`` (indexed by debris id): ranking credit for visiting a debris (the campaign
    search raises it for debris that earlier attempts left over).
    """
    pool = np.asarray(sorted(set(int(i) for i in pool_ids)), dtype=int)
    launches = np.atleast_1d(np.asarray(launch_mjd2000_day, float))
    launches = launches[launches + STAY_DAY <= end_max_mjd2000_day]
    n = len(pool)
    if n < 2 or launches.size == 0:
        return []
    waits, flights = np.meshgrid(np.asarray(wait_grid_day, float), np.asarray(tof_grid_day, float), indexing="ij")
    waits, flights = waits.ravel(), flights.ravel()
    span = waits + flights
    horizon = float(span.max())
    lam = float(time_price_m_s_day)
    # node drift of every pool debris: Ω(t) ≈ Ω(tref) + Ω̇ (t − tref)
    tref = float(launches[0])
    raan_ref = debris.elements_at(pool, tref)[:, 3]
    raan_rate = (debris.elements_at(pool, tref + 1.0)[:, 3] - raan_ref + np.pi) % (2 * np.pi) - np.pi  # rad/day
    max_gap = np.radians(max_gap_deg)
    bonus = np.zeros(n) if bonus_m_s is None else np.asarray(bonus_m_s, float)[pool]
    credit = np.zeros(n * launches.size)
    # roots: every debris at every launch epoch
    cur = np.repeat(np.arange(n), launches.size)  # index into pool
    t0 = np.tile(launches, n)
    t_free = t0 + STAY_DAY
    dv = np.zeros(cur.size)
    visited = np.zeros((cur.size, n), bool)
    visited[np.arange(cur.size), cur] = True
    hist_j = cur[:, None].copy()
    hist_arr = t0[:, None].copy()
    hist_dep = np.zeros((cur.size, 0))
    hist_dv = np.zeros((cur.size, 0))
    best: list[MissionPlan] = []
    for depth in range(1, min(max_debris, n)):
        # candidate pairs: unvisited targets whose node gap passes within max_gap in the horizon
        g0 = (raan_ref[None, :] - raan_ref[cur][:, None]
              + (raan_rate[None, :] - raan_rate[cur][:, None]) * (t_free[:, None] - tref) + np.pi) % (2 * np.pi) - np.pi
        g1 = g0 + (raan_rate[None, :] - raan_rate[cur][:, None]) * horizon
        near = (np.minimum(np.abs(g0), np.abs(g1)) < max_gap) | (np.sign(g0) != np.sign(g1)) & (np.abs(g0) < 1.0)
        near &= ~visited
        b, j = np.nonzero(near)
        if b.size == 0:
            break
        t_dep = t_free[b][:, None] + waits[None, :]
        dvs = estimate_debris_legs(debris, pool[cur[b]][:, None], pool[j][:, None], t_dep, flights[None, :])
        if price is not None:
            dvs = price(dvs, flights[None, :])
        t_arr = t_free[b][:, None] + span[None, :]
        bad = (t_arr + STAY_DAY > end_max_mjd2000_day) | (dvs > max_leg_m_s)
        score = np.where(bad, np.inf, dvs + lam * span[None, :])
        k = np.argmin(score, axis=1)
        sc = score[np.arange(b.size), k]
        leg = dvs[np.arange(b.size), k]
        total = dv[b] + leg
        rank = total + lam * (t_free[b] + span[k] - t0[b]) - credit[b] - bonus[j]
        rank = np.where(np.isfinite(sc) & (total <= max_dv_m_s), rank, np.inf)
        if pace_day is not None:
            used = t_free[b] + span[k] + STAY_DAY - float(launches[0]) + pace_gap_day
            slack = 1.2 if depth + 1 < 8 else 1.0
            rank = np.where(used <= slack * pace_day * (depth + 1), rank, np.inf)
        if noise > 0 and rng is not None:
            rank = rank * (1.0 + noise * rng.standard_normal(rank.shape))
        ok = np.flatnonzero(np.isfinite(rank))
        if ok.size == 0:
            break
        sel = ok[np.argsort(rank[ok], kind="stable")][: 4 * beam_width]
        b, j, k, leg, total = b[sel], j[sel], k[sel], leg[sel], total[sel]
        vis = visited[b].copy()
        vis[np.arange(b.size), j] = True
        key = np.concatenate([np.packbits(vis, axis=1), j[:, None].astype(np.uint8), (j[:, None] >> 8).astype(np.uint8)], 1)
        _, first = np.unique(key, axis=0, return_index=True)
        first = np.sort(first)[:beam_width]
        b, j, k, leg, total, vis = b[first], j[first], k[first], leg[first], total[first], vis[first]
        dep = t_free[b] + waits[k]
        arr = t_free[b] + span[k]
        hist_j = np.concatenate([hist_j[b], j[:, None]], 1)
        hist_arr = np.concatenate([hist_arr[b], arr[:, None]], 1)
        hist_dep = np.concatenate([hist_dep[b], dep[:, None]], 1)
        hist_dv = np.concatenate([hist_dv[b], leg[:, None]], 1)
        cur, t0, t_free, dv, visited, credit = j, t0[b], arr + STAY_DAY, total, vis, credit[b] + bonus[j]
        h = 0  # the beam is sorted by rank: the first node is the best chain of this length
        if pace_day is not None:
            keeps = np.flatnonzero(t_free - float(launches[0]) + pace_gap_day <= pace_day * (depth + 1))
            if keeps.size == 0:
                continue
            h = int(keeps[0])
        best.append(MissionPlan(tuple(int(pool[x]) for x in hist_j[h]), tuple(float(x) for x in hist_arr[h]),
                                tuple(float(x) for x in hist_dep[h]) + (float(hist_arr[h, -1]) + STAY_DAY,),
                                tuple(float(x) for x in hist_dv[h]), {"credit_m_s": float(credit[h])}))
    return best


def _keep(store, key, c, used_bytes: int, max_bytes: int) -> int:
    """Keep array ``c`` (made read-only) under ``key`` in the LRU ``store``, dropping the
    least recently used past ``max_bytes``; returns the bytes then used."""
    c.setflags(write=False)
    store[key] = c
    used_bytes += c.nbytes
    while used_bytes > max_bytes and len(store) > 1:
        _, old = store.popitem(last=False)
        used_bytes -= old.nbytes
    return used_bytes


def _arrivals_view(ng: int, shift):
    """A buffer of ``ng`` + ``shift[-1]`` rows × flight times, ∞ in its first ``shift[-1]``,
    and the read-only view S of its last ``ng`` rows with S[a, t] = row a − ``shift[t]``: the
    flight times are consecutive grid steps, so the DP reads each arrival's flights without
    gathering grid × flight-time elements per leg. Returns (rows to write the departures'
    costs into, S)."""
    nt, pad = len(shift), int(shift[-1])
    buf = np.full((ng + pad, nt), np.inf)
    rs, cs = buf.strides
    S = np.lib.stride_tricks.as_strided(buf[pad - int(shift[0]):], shape=(ng, nt), strides=(rs, cs - rs),
                                        writeable=False)
    return buf[pad:], S


class _LegGrids:
    """Estimated ΔV of one debris pair over a DP's (departure epoch × flight time) grid, kept
    for the grids asked again. A local search re-times the same mission with one debris more
    or less hundreds of times: all its other legs are the same pairs. The departure epochs
    are kept in chunks of ``chunk`` grid steps aligned on a grid common to all calls (same
    step, same fractional origin), so a mission re-timed in a free time that moved by a few
    days still finds its legs. Least recently used chunks go first past ``max_bytes``. Chunks
    are keyed by the debris set's ``id``, which a new set may reuse once the old one is gone:
    a weak reference to each set tells them apart, and a new set's id drops the old chunks."""

    def __init__(self, max_bytes: int = 256 * 2**20, chunk: int = 32, max_priced_bytes: int = 128 * 2**20):
        from collections import OrderedDict

        self.max_bytes, self.bytes, self.grids, self.owners, self.chunk = max_bytes, 0, OrderedDict(), {}, chunk
        self.max_priced_bytes, self.priced_bytes, self.priced_grids = max_priced_bytes, 0, OrderedDict()

    def clear(self):
        """Forget every grid kept (chunks and priced grids)."""
        self._drop(lambda key: False)

    def _drop(self, keep):
        for key in [key for key in self.grids if not keep(key)]:
            self.bytes -= self.grids.pop(key).nbytes
        for key in [key for key in self.priced_grids if not keep(key)]:
            self.priced_bytes -= self.priced_grids.pop(key).nbytes

    def _priced_key(self, debris, a, b, grid, tofs, price):
        return (id(debris), a, b, float(grid[0]), grid.size, float(grid[-1]), float(tofs[0]), tofs.size,
                float(tofs[-1]), price)

    def prefetch(self, debris, pairs, grid, tofs, price):
        """Compute in one estimate call the chunks that :meth:`priced` would compute pair by
        pair for those of ``pairs`` ((a, b) debris ids) whose priced grid is not kept: one
        call prices a pair-chunk in 0.94 ms where one per pair took 2.4 ms (8 and 1 pairs of
        32 departures × 26 flight times)."""
        self._own(debris)
        if grid.size < 2:
            return
        todo = []  # (a, b, chunk key, its departure epochs)
        for a, b in dict.fromkeys((int(a), int(b)) for a, b in pairs):
            if self._priced_key(debris, a, b, grid, tofs, price) in self.priced_grids:
                continue
            todo += [(a, b, key, deps) for key, deps in self._chunks(debris, a, b, grid, tofs)[0]
                     if key not in self.grids]
        if len(todo) < 2:
            return
        ab = np.array([(a, b) for a, b, _, _ in todo])
        deps = np.array([d for _, _, _, d in todo])
        est = estimate_debris_legs(debris, ab[:, 0, None, None], ab[:, 1, None, None], deps[:, :, None],
                                   tofs[None, None, :]).astype(np.float32)
        for (_, _, key, _), e in zip(todo, est):
            self.bytes = _keep(self.grids, key, e, self.bytes, self.max_bytes)

    def _chunks(self, debris, a, b, grid, tofs):
        """The chunks that cover ``grid`` (≥ 2 epochs) on the common grid of its step and
        fractional origin: [(key, departure epochs)], and the index of ``grid[0]`` in the first."""
        tkey = (float(tofs[0]), tofs.size, float(tofs[-1]))
        step = float(grid[1] - grid[0])
        origin = round(float(grid[0]) % step, 6)
        i0 = int(round((float(grid[0]) - origin) / step))  # index of grid[0] on the common grid
        n = self.chunk
        return ([((id(debris), a, b, step, origin, tkey, c), origin + (c * n + np.arange(n)) * step)
                 for c in range(i0 // n, (i0 + grid.size - 1) // n + 1)], i0 - (i0 // n) * n)

    def priced(self, debris, a: int, b: int, grid, tofs, price):
        """The pair's grid as the DP uses it: priced by ``price`` (m/s, float64, read-only),
        kept whole for the same grid. A search re-times a mission in the same free time
        again and again (the annealing: ~300 re-timings a second, most of whose legs are
        unchanged); assembling the grid from its chunks and pricing it took ~60 % of the
        DP's time."""
        key = self._priced_key(debris, a, b, grid, tofs, price)
        c = self.priced_grids.get(key)
        if c is not None and self.owners.get(id(debris), lambda: None)() is debris:
            self.priced_grids.move_to_end(key)
            return c
        raw = self(debris, a, b, grid, tofs)
        c = np.array(raw, dtype=float) if price is None else np.asarray(price(raw, tofs[None, :]), dtype=float)
        self.priced_bytes = _keep(self.priced_grids, key, c, self.priced_bytes, self.max_priced_bytes)
        return c

    def _chunk(self, debris, a, b, key, deps, tofs):
        c = self.grids.get(key)
        if c is not None:
            self.grids.move_to_end(key)
            return c
        c = estimate_debris_legs(debris, a, b, deps[:, None], tofs[None, :]).astype(np.float32)
        self.bytes = _keep(self.grids, key, c, self.bytes, self.max_bytes)
        return c

    def _own(self, debris):
        import weakref

        owner = self.owners.get(id(debris))
        if owner is None or owner() is not debris:  # a set not seen before: forget the sets gone
            gone = {i for i, ref in self.owners.items() if ref() is None} | {id(debris)}
            self._drop(lambda key: key[0] not in gone)
            for i in gone:
                self.owners.pop(i, None)
            self.owners[id(debris)] = weakref.ref(debris)

    def __call__(self, debris, a: int, b: int, grid, tofs):
        self._own(debris)
        if grid.size < 2:
            tkey = (float(tofs[0]), tofs.size, float(tofs[-1]))
            return self._chunk(debris, a, b, (id(debris), a, b, float(grid[0]), 0.0, tkey), grid, tofs)
        chunks, first = self._chunks(debris, a, b, grid, tofs)
        parts = [self._chunk(debris, a, b, key, deps, tofs) for key, deps in chunks]
        whole = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return whole[first:][: grid.size]


_leg_grids = _LegGrids()


class Insertions:
    """Σ priced ΔV of sequence ``seq`` with one more debris inserted, at every position at
    once, as :func:`optimise_epochs` would re-time it in the same free time (its own grid and
    pricing; no ``forbidden``, ``launch_from`` or ``end_by``): one forward pass of its DP
    (best cost being free to depart from debris k at each grid epoch) and one backward
    (best cost to go from being free there), kept, so a debris at position p costs two legs
    of DP, the one into it and the one out of it, instead of the whole mission's. The
    insertion searches of the descent and of the annealing's dissolve pass price every
    position of every mission for each debris, and re-timing each was most of their time
    (the 90° dissolve pass on a 10-mission plan: 55.1 s before, 1.9 s with this)."""

    def __init__(self, debris, seq, start_min_mjd2000_day: float, end_max_mjd2000_day: float, *,
                 step_day: float = 1.0, max_tof_day: float = 30.0, min_tof_day: float = 1.0, price=None):
        self.debris, self.seq, self.price = debris, [int(x) for x in seq], price
        self.grid = np.arange(start_min_mjd2000_day, end_max_mjd2000_day + 1e-9, step_day)
        self.tofs = np.arange(min_tof_day, max_tof_day + 1e-9, step_day)
        ng, nt = self.grid.size, self.tofs.size
        self.shift = int(round(min_tof_day / step_day)) + np.arange(nt)
        self.s5 = int(round(STAY_DAY / step_day))
        self.ok = len(self.seq) >= 1 and ng > self.s5
        if not self.ok:
            return
        pad = int(self.shift[-1])
        self._tot, self._S = _arrivals_view(ng, self.shift)  # the forward step's
        self._G = np.full(ng + pad + 1, np.inf)  # the backward step's: _M[d, t] = G at d + shift[t]
        es = self._G.strides[0]
        self._M = np.lib.stride_tricks.as_strided(self._G[int(self.shift[0]):], shape=(ng, nt), strides=(es, es),
                                                  writeable=False)
        self.launch = np.full(ng, np.inf)
        self.launch[self.s5:] = 0.0
        n = len(self.seq)
        _leg_grids.prefetch(debris, zip(self.seq, self.seq[1:]), self.grid, self.tofs, price)
        self.fwd = [self.launch]  # fwd[k]: best cost free to depart from seq[k]
        for k in range(n - 1):
            self.fwd.append(self._step(self.fwd[-1], self._c(self.seq[k], self.seq[k + 1])))
        self.bwd = [np.zeros(ng)] * n  # bwd[k]: best cost to go from being free at seq[k]
        for k in range(n - 2, -1, -1):
            self.bwd[k] = self._back(self.bwd[k + 1], self._c(self.seq[k], self.seq[k + 1]))

    def _c(self, a, b):
        return _leg_grids.priced(self.debris, int(a), int(b), self.grid, self.tofs, self.price)

    def _step(self, F, c):
        """Free-to-depart costs at the next debris from those at this one (one DP leg)."""
        ng = F.size
        np.add(F[:, None], c, out=self._tot)
        A = self._S.min(axis=1)
        Ash = np.full(ng, np.inf)
        Ash[self.s5:] = A[: ng - self.s5]
        return np.minimum.accumulate(Ash)

    def _back(self, G, c):
        """Cost to go from being free at this debris, from that at the next (one leg back)."""
        ng = G.size
        self._G[: ng - self.s5] = G[self.s5:]  # arriving at a: free at a + 5 days
        self._G[ng - self.s5:] = np.inf
        H = (c + self._M).min(axis=1)
        return np.minimum.accumulate(H[::-1])[::-1]

    @property
    def dv_m_s(self) -> float:
        """The sequence's own Σ priced ΔV (what :func:`optimise_epochs` minimises)."""
        return float(self.fwd[-1].min()) if self.ok else np.inf

    def insert_dv_m_s(self, x: int, positions=None) -> np.ndarray:
        """Σ priced ΔV with debris ``x`` at each of ``positions`` (default 0 … len(seq); p puts
        it before ``seq[p]``); ∞ where it cannot fit."""
        n = len(self.seq)
        positions = range(n + 1) if positions is None else positions
        out = np.full(len(positions), np.inf)
        if not self.ok:
            return out
        _leg_grids.prefetch(self.debris, [(self.seq[p - 1], x) for p in positions if p > 0]
                            + [(x, self.seq[p]) for p in positions if p < n], self.grid, self.tofs, self.price)
        for i, p in enumerate(positions):
            Fx = self.launch if p == 0 else self._step(self.fwd[p - 1], self._c(self.seq[p - 1], x))
            if p == n:
                out[i] = Fx.min()
            else:
                out[i] = (self._step(Fx, self._c(x, self.seq[p])) + self.bwd[p]).min()
        return out


def optimise_epochs(debris, seq, start_min_mjd2000_day: float, end_max_mjd2000_day: float, *,
                    step_day: float = 1.0, max_tof_day: float = 30.0, min_tof_day: float = 1.0,
                    price=None, time_price_m_s_day: float = 0.0,
                    forbidden=(), launch_from_mjd2000_day: float | None = None,
                    end_by_mjd2000_day: float | None = None) -> MissionPlan | None:
    """Re-time a debris sequence: minimise Σ estimated leg ΔV (+ λ·mission days) over the
    launch, departure epochs and flight times on a ``step_day`` grid, with stays ≥ 5 days,
    launch ≥ ``start_min`` and last stay over by ``end_max``. Dynamic programming: after leg k
    the best cost of being free to leave at each grid epoch. None when the sequence cannot
    fit the window. ``forbidden``: legs (dep id, departure epoch, arrival id, arrival epoch)
    that could not be flown; legs of the same pair within 5 days of those epochs are excluded
    (a departure epoch of None excludes the pair altogether; a fifth element, days, excludes
    only the pair's flights longer than that). ``launch_from_mjd2000_day`` and
    ``end_by_mjd2000_day`` narrow the launch and the end of the last stay inside the window
    (the grid, and with it the leg grids kept between calls, still spans the whole window: a
    search that moves a mission's ends inside the same free time re-uses them)."""
    seq = [int(x) for x in seq]
    grid = np.arange(start_min_mjd2000_day, end_max_mjd2000_day + 1e-9, step_day)
    ng = grid.size
    tofs = np.arange(min_tof_day, max_tof_day + 1e-9, step_day)
    nt = tofs.size
    shift = int(round(min_tof_day / step_day)) + np.arange(nt)  # grid steps of each flight time
    s5 = int(round(STAY_DAY / step_day))
    if len(seq) < 1 or ng <= s5:
        return None
    # F[g]: best cost being free to depart at grid[g]; launch at grid[g - s5]
    F = np.full(ng, np.inf)
    first = 0 if launch_from_mjd2000_day is None else int(np.searchsorted(grid, launch_from_mjd2000_day - 1e-9))
    F[s5 + first:] = 0.0  # launch cost 0
    # back-pointers per leg: for each arrival grid index, the departure index and tof index
    back = []
    prefix_arg = []
    costs = []
    rows = np.arange(ng)
    # S[arrival, tof] = tot[arrival − shift[tof], tof] (∞ before the grid)
    tot_rows, S = _arrivals_view(ng, shift)
    _leg_grids.prefetch(debris, zip(seq, seq[1:]), grid, tofs, price)
    for k in range(len(seq) - 1):
        c = _leg_grids.priced(debris, seq[k], seq[k + 1], grid, tofs, price)
        for fd, ftd, fa, fta, *cap in forbidden:
            if (fd, fa) == (seq[k], seq[k + 1]):
                if not c.flags.writeable:
                    c = c.copy()
                if cap:  # only flights up to cap[0] days
                    c[:, tofs > cap[0] + 1e-9] = np.inf
                elif ftd is None:
                    c[:] = np.inf
                else:
                    near = (np.abs(grid[:, None] - ftd) <= 5.0) & (np.abs(grid[:, None] + tofs[None, :] - fta) <= 5.0)
                    c[near] = np.inf
        costs.append(c)
        # arrival index = departure index + shift: S[arrival, tof] (first tof of the least cost)
        tot = np.add(F[:, None], c, out=tot_rows)
        if time_price_m_s_day:
            tot += time_price_m_s_day * tofs[None, :]
        At = np.argmin(S, axis=1)
        A = S[rows, At]
        reach = np.isfinite(A)
        Ad = np.where(reach, rows - shift[At], -1)
        At = np.where(reach, At, -1)
        back.append((Ad, At))
        # free to depart at g ≥ arrival + 5 (waiting allowed): prefix minimum of A shifted by s5,
        # with the index of its first occurrence
        Ash = np.full(ng, np.inf)
        Ash[s5:] = A[: ng - s5]
        Fn = np.minimum.accumulate(Ash)
        prev = np.concatenate(([np.inf], Fn[:-1]))
        arg = np.maximum.accumulate(np.where(Ash < prev, np.arange(ng), -1))
        prefix_arg.append(arg)
        F = Fn
    # the last stay must end by end_max: free-to-depart epoch ≤ grid[-1]; take the best overall
    if end_by_mjd2000_day is not None:
        F = F[: int(np.searchsorted(grid, end_by_mjd2000_day + 1e-9))]
        if F.size == 0:
            return None
    g = int(np.argmin(F))
    if not np.isfinite(F[g]):
        return None
    # backtrack: departure indices and arrival indices
    dep_idx = [None] * len(seq)
    arr_idx = [None] * len(seq)
    free = g
    dvs = []
    for k in range(len(seq) - 2, -1, -1):
        a_free = prefix_arg[k][free]  # free index at which arrival+5 was reached
        a = a_free - s5
        arr_idx[k + 1] = a
        Ad, At = back[k]
        d = int(Ad[a])
        ti = int(At[a])
        dep_idx[k] = d
        dvs.append(float(costs[k][d, ti]))
        free = d
    arr_idx[0] = free - s5
    dvs = dvs[::-1]
    arr = [float(grid[arr_idx[k]]) for k in range(len(seq))]
    dep = [float(grid[dep_idx[k]]) for k in range(len(seq) - 1)] + [arr[-1] + STAY_DAY]
    # the arrival epoch of leg k is dep[k] + tof; it equals arr[k+1] by construction
    return MissionPlan(tuple(seq), tuple(arr), tuple(dep), tuple(dvs))
