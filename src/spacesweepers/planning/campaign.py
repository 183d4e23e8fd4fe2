"""GTOC9 campaign optimiser: estimate-driven mission search, exact legs, files, checkpoints.

Pipeline (:func:`solve_campaign`):

1. **Search** (:mod:`.sequence`): missions are built one after the other in time by a beam
   search over the fast nodal-drift ΔV estimate; each mission's epochs are then re-optimised
   by dynamic programming over a day grid. The sequence search never integrates an orbit.
2. **Fly** (:func:`fly_leg`): every chosen leg is flown exactly under J2 (two worker
   processes), starting from the drift plan of :func:`~.transfer.exact_transfer` and
   polishing the impulse epochs and vectors with :func:`~.transfer.optimise_impulses`.
   A leg that fails, or costs far more than its estimate allows, makes the mission be
   re-planned around it (see :func:`solve_campaign`).
3. **Assemble**: masses are recomputed from the exact ΔVs (:func:`~.gtoc9.mission_from_legs`,
   no propellant left at the end), the campaign is checked with our own validator
   (:func:`~.gtoc9.check_missions`) and written as mission files.

Units: SI (m, m/s, kg); epochs are MJD2000 days. Checkpoints (``campaign.json`` and
``legs.json`` in the output folder) make a second run with the same folder resume: flown
legs are not flown again.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from ..propagation.j2 import PropagationError, perigee_radius_min_m, propagate_j2
from ..units import DAY_S, GTOC9_BASE_COST_MEUR, GTOC9_GAP_DAYS, GTOC9_R_PERIGEE_MIN_M
from .gtoc9 import WINDOW_MJD2000_DAY
from .sequence import STAY_DAY, Insertions, LegPrice, MissionPlan, beam_mission, optimise_epochs
from .transfer import Impulse, Transfer, exact_transfer, optimise_impulses, shoot_j2

__all__ = ["fly_leg", "transfer_to_dict", "transfer_from_dict", "SearchSettings", "greedy_campaign",
           "insert_leftovers", "make_room", "improve_campaign", "anneal_campaign", "search_campaign", "search_and_improve", "parallel_search", "campaign_cost_meur", "plan_legs", "fly_legs", "refine_legs", "exact_plan",
           "CampaignResult", "solve_campaign"]


# --- exact legs ------------------------------------------------------------------------------
def _period_s(r_m) -> float:
    from ..propagation.j2 import GTOC9_J2_MODEL

    return 2 * math.pi * math.sqrt(float(np.linalg.norm(r_m)) ** 3 / GTOC9_J2_MODEL.mu_m3_s2)


def _polish(debris, dep_id, t_dep, arr_id, t_arr, start: Transfer, max_iter: int) -> Transfer:
    """Optimise the impulse epochs and vectors of a three-impulse start (departure, one
    mid-course, arrival) and re-fly the result with the accurate integrator."""
    r0, v0 = debris.state(dep_id, t_dep)
    r1, v1 = debris.state(arr_id, t_arr)
    tof = (t_arr - t_dep) * DAY_S
    imp = start.impulses
    if len(imp) != 3:
        return start
    t2 = (imp[1].epoch_mjd2000_day - t_dep) * DAY_S
    period = _period_s(r0)
    t1, dv1, t2, dv2, cost, msg = optimise_impulses(
        r0, v0, r1, v1, tof, 0.0, imp[0].dv_m_s, t2, imp[1].dv_m_s,
        t1_bounds_s=(0.0, 0.5 * tof), t2_bounds_s=(min(0.5 * tof, t2), tof - 0.2 * period), max_iter=max_iter)
    if not math.isfinite(cost) or cost >= start.dv_total_m_s:
        return start
    merge = t1 < 1.0
    try:
        ra, va = (r0, v0) if merge else propagate_j2(r0, v0, t1)
        if merge:
            t1 = 0.0
        r2, v2 = propagate_j2(ra, va + dv1, t2 - t1)
        v_dep2, rf, vf, miss, _ = shoot_j2(r2, v2 + dv2, r1, tof - t2, tol_r_m=1.0)
        if not miss <= 1.0:
            return start
        rp = min(perigee_radius_min_m(ra, va + dv1, t2 - t1)[0], perigee_radius_min_m(r2, v_dep2, tof - t2)[0])
    except (PropagationError, np.linalg.LinAlgError):
        return start
    if rp < GTOC9_R_PERIGEE_MIN_M:
        return start
    day = lambda t: t_dep + t / DAY_S  # noqa: E731
    imps = [Impulse(t_dep, r0, v0, dv1 if merge else np.zeros(3))]
    if not merge:
        imps.append(Impulse(day(t1), ra, va, dv1))
    imps += [Impulse(day(t2), r2, v2, v_dep2 - v2), Impulse(t_arr, rf, vf, v1 - vf)]
    tr = Transfer(tuple(imps), True, "ok", float(np.linalg.norm(rf - r1)), 0.0, rp, "polished-drift",
                  {"optimiser": msg, "start_m_s": start.dv_total_m_s})
    return tr if tr.ok and tr.dv_total_m_s < start.dv_total_m_s else start


def fly_leg(debris, dep_id: int, t_dep_mjd2000_day: float, arr_id: int, t_arr_mjd2000_day: float,
            max_iter: int = 30, fallback: bool = True, n_starts: int = 3) -> Transfer:
    """A flyable J2 transfer for a campaign leg.

    First :func:`~.transfer.exact_transfer` ``'auto'`` (the four-impulse optimisation from
    phasing-aware starts, about 10 s a leg: 108 campaign legs in 541–560 s on two processes;
    within a few per cent of the estimate on legs of a week or more). When that fails, or costs more than 1.2 × the fast estimate + 10 m/s (short legs,
    whose phasing the estimate ignores), the older drift plan — departure impulse onto the
    estimate's drift orbit, J2 rendezvous started a day before arrival, its three impulses
    polished by :func:`~.transfer.optimise_impulses` — is tried too and the cheaper valid one is
    kept (on 5-day legs it was up to 25 % cheaper). ``fallback=False`` skips the ``'auto'``
    solver (the drift plan alone). Failures are values (``ok`` false).
    """
    from .estimate import estimate_debris_legs

    t0, t1 = float(t_dep_mjd2000_day), float(t_arr_mjd2000_day)
    tof_day = t1 - t0
    found = []
    if fallback:
        found.append(exact_transfer(debris, dep_id, t0, arr_id, t1, mode="auto", n_starts=n_starts))
    est = float(estimate_debris_legs(debris, dep_id, arr_id, t0, tof_day))
    dear = not found or not found[0].ok or found[0].dv_total_m_s > 1.2 * est + 10.0
    if dear and tof_day > 1.0:
        dr = exact_transfer(debris, dep_id, t0, arr_id, t1, mode="drift", final_days=min(1.0, tof_day / 2))
        if dr.ok:
            found.append(_polish(debris, dep_id, t0, arr_id, t1, dr, max_iter))
    good = [t for t in found if t.ok]
    if good:
        return min(good, key=lambda t: t.dv_total_m_s)
    if found:
        return found[0]
    return Transfer((), False, "no drift plan for a leg of ≤ 1 day", mode="campaign")


def transfer_to_dict(tr: Transfer) -> dict:
    """JSON-safe record of a transfer (full double precision), for the leg checkpoint."""
    return {"ok": tr.ok, "converged": tr.converged, "message": tr.message, "mode": tr.mode,
            "miss_r_m": tr.miss_r_m, "miss_v_m_s": tr.miss_v_m_s, "perigee_min_m": tr.perigee_min_m,
            "impulses": [[i.epoch_mjd2000_day, *map(float, i.r_m), *map(float, i.v_m_s), *map(float, i.dv_m_s)]
                         for i in tr.impulses]}


def transfer_from_dict(d: dict) -> Transfer:
    imps = tuple(Impulse(x[0], np.array(x[1:4]), np.array(x[4:7]), np.array(x[7:10])) for x in d["impulses"])
    return Transfer(imps, d["converged"], d["message"], d["miss_r_m"], d["miss_v_m_s"], d["perigee_min_m"], d["mode"])


# --- campaign search (estimate only) --------------------------------------------------------
@dataclass(frozen=True)
class SearchSettings:
    """Knobs of the greedy campaign search (see :func:`greedy_campaign`)."""

    beam_width: int = 200
    time_prices_m_s_day: tuple[float, ...] = (1.0, 3.0, 8.0)
    launch_offsets_day: tuple[float, ...] = (0.0, 15.0, 30.0)
    # what the search pays for a leg, from its estimate and flight time (fitted on flown legs)
    price: LegPrice = LegPrice()
    min_tof_day: float = 5.0
    pace_slack: float = 0.9
    noise: float = 0.0
    max_leg_m_s: float = 700.0
    # squeaky wheel: debris of a mission costing more than this per debris (MEUR) earn this
    # much ranking credit per MEUR of excess (m/s) in the next attempts
    straggler_meur: float = 8.0
    straggler_m_s_per_meur: float = 10.0


_MEUR_PER_M_S = 0.0135  # d(mission cost)/d(ΔV) of a typical mission (m0 ≈ 4,500 kg)
#: flight time (days) up to which every sampled leg was flown exactly (benchmarks/transfer_accuracy.py,
#: 200/200; and 92/92 campaign legs of a 30-minute run, against 46/53 of 20–30 days)
_SAFE_TOF_DAY = 20.0


def greedy_campaign(debris, pool_ids, settings: SearchSettings = SearchSettings(),
                    window_mjd2000_day: tuple[float, float] = WINDOW_MJD2000_DAY, rng=None,
                    log=lambda msg: None, bonus_m_s=None) -> tuple[list[MissionPlan], str]:
    """Missions one after the other in time, each the chain with the least estimated cost per
    debris that keeps the campaign's pace: a mission of N debris may use at most N/(debris
    left) of the time left (gaps included), so the window cannot run out before the debris
    do. Returns the missions and "" or, when the debris cannot all be placed, the missions
    found and the reason."""
    t_begin, t_end = window_mjd2000_day
    left = set(int(i) for i in pool_ids)
    missions: list[MissionPlan] = []
    t = t_begin
    while left:
        n_left = len(left)
        pace = (t_end - t + GTOC9_GAP_DAYS) / n_left * settings.pace_slack
        cands = []
        for lam in settings.time_prices_m_s_day:
            if n_left == 1:
                break
            plans = beam_mission(debris, sorted(left), t + np.asarray(settings.launch_offsets_day), t_end,
                                 beam_width=settings.beam_width, time_price_m_s_day=lam,
                                 max_leg_m_s=settings.max_leg_m_s, price=settings.price,
                                 rng=rng, noise=settings.noise, pace_day=pace, pace_gap_day=GTOC9_GAP_DAYS,
                                 bonus_m_s=bonus_m_s)
            for p in plans:
                used = p.end_mjd2000_day - t + GTOC9_GAP_DAYS
                if p.n < n_left and used / p.n > pace:
                    continue
                cost = p.cost_meur
                if math.isfinite(cost):
                    cands.append(((cost - _MEUR_PER_M_S * p.meta.get("credit_m_s", 0.0)) / p.n, lam, p))
        if not cands:
            missions, left = insert_leftovers(debris, missions, left, settings, window_mjd2000_day, log)
            if not left:
                break
            # the end game: isolated debris, no pace; expensive legs allowed; single-debris missions last
            plans = beam_mission(debris, sorted(left), t + np.asarray(settings.launch_offsets_day), t_end,
                                 beam_width=settings.beam_width, time_price_m_s_day=1.0, max_leg_m_s=2500.0,
                                 price=settings.price, max_gap_deg=20.0)
            plans = [p for p in plans if math.isfinite(p.cost_meur) and p.cost_meur / p.n < GTOC9_BASE_COST_MEUR]
            if plans:
                pick = min(plans, key=lambda q: q.cost_meur / q.n)
                cands = [(pick.cost_meur / pick.n, 0.0, pick)]
            elif t + STAY_DAY <= t_end:
                only = min(left)
                missions.append(MissionPlan((only,), (t,), (t + STAY_DAY,), (), {"solo": True}))
                left.discard(only)
                log(f"mission {len(missions)}: debris {only} alone (no affordable leg to any other left-over debris)")
                t += STAY_DAY + GTOC9_GAP_DAYS
                continue
            else:
                return missions, (f"{len(left)} debris left at MJD2000 {t:.0f}: the window ends at {t_end:.0f} "
                                  "before they can be removed")
        cands.sort(key=lambda c: c[0])
        _, lam, p = cands[0]
        # re-time the chosen sequence inside [t, its end]
        q = _retime(debris, p.debris_ids, t, p.end_mjd2000_day, settings)
        if q is not None and q.cost_meur < p.cost_meur:
            p = q
        missions.append(p)
        left -= set(p.debris_ids)
        log(f"mission {len(missions)}: {p.n} debris, est. ΔV {p.dv_total_m_s:.0f} m/s, MJD2000 "
            f"{p.start_mjd2000_day:.0f}–{p.end_mjd2000_day:.0f}, est. cost {p.cost_meur:.1f} MEUR (λ={lam:g}); "
            f"{len(left)} left")
        t = p.end_mjd2000_day + GTOC9_GAP_DAYS
    return missions, ""


def _bounds(missions, k, window):
    """Earliest launch and latest end (MJD2000) mission k may use without breaking the 30-day gaps."""
    order = sorted(range(len(missions)), key=lambda i: missions[i].start_mjd2000_day)
    pos = order.index(k)
    lo = window[0] if pos == 0 else missions[order[pos - 1]].end_mjd2000_day + GTOC9_GAP_DAYS
    hi = window[1] if pos == len(order) - 1 else missions[order[pos + 1]].start_mjd2000_day - GTOC9_GAP_DAYS
    return lo, hi


def _retime(debris, ids, lo: float, hi: float, settings: SearchSettings, forbidden=(), launch_from=None,
            end_by=None) -> MissionPlan | None:
    """:func:`~.sequence.optimise_epochs` with the search's leg pricing (``settings``) in the
    free time [lo, hi]; ``launch_from`` and ``end_by`` narrow it (keeping the DP's grid)."""
    return optimise_epochs(debris, ids, lo, hi, price=settings.price, min_tof_day=settings.min_tof_day,
                           forbidden=forbidden, launch_from_mjd2000_day=launch_from, end_by_mjd2000_day=end_by)


def _node_gap_rad(debris, a: int, b: int, t: float) -> float:
    """|Ω_a − Ω_b| (rad, wrapped to [0, π]) of two debris at epoch t (MJD2000)."""
    return abs((debris.node_rad(a, t) - debris.node_rad(b, t) + math.pi) % (2 * math.pi) - math.pi)


def _position_gap_rad(debris, m: MissionPlan, pos: int, first: int, last: int | None = None) -> float:
    """Largest node gap (rad) between debris put at position ``pos`` of mission ``m`` (a block
    from ``first`` to ``last``, one debris when ``last`` is None) and its neighbours there: the
    debris before, at its departure epoch, and the one after, at its arrival epoch."""
    ids = m.debris_ids
    last = first if last is None else last
    before = _node_gap_rad(debris, first, ids[pos - 1], m.departure_mjd2000_day[pos - 1]) if pos > 0 else 0.0
    after = _node_gap_rad(debris, last, ids[pos], m.arrival_mjd2000_day[pos]) if pos < len(ids) else 0.0
    return max(before, after)


def _position_gaps_rad(debris, missions, first: int, last: int | None = None):
    """:func:`_position_gap_rad` of every position of every mission at once: arrays of the
    gap (rad), the mission index and the position. The annealing asks it at every step, for
    ~125 positions: one at a time it took a quarter of the annealing's time."""
    last = first if last is None else last
    if not missions:
        return np.zeros(0), np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    # per position, the neighbour before (at its departure) and after (at its arrival); the
    # first and last positions repeat an end debris, masked below
    nb = np.concatenate([m.debris_ids[:1] + m.debris_ids for m in missions])
    tb = np.concatenate([m.departure_mjd2000_day[:1] + m.departure_mjd2000_day for m in missions])
    na = np.concatenate([m.debris_ids + m.debris_ids[-1:] for m in missions])
    ta = np.concatenate([m.arrival_mjd2000_day + m.arrival_mjd2000_day[-1:] for m in missions])
    k = np.repeat(np.arange(len(missions)), [m.n + 1 for m in missions])
    p = np.concatenate([np.arange(m.n + 1) for m in missions])
    n_of = np.array([m.n for m in missions])[k]

    def gap(x, y, t):
        return np.abs((debris.nodes_rad(np.full(y.shape, x), t) - debris.nodes_rad(y, t) + math.pi)
                      % (2 * math.pi) - math.pi)

    before = np.where(p > 0, gap(first, nb, tb), 0.0)
    after = np.where(p < n_of, gap(last, na, ta), 0.0)
    return np.maximum(before, after), k, p


#: positions of a mission :func:`insert_leftovers` re-times in full for a debris: the
#: ``_INSERT_TRIED`` of least Σ ΔV that keep the propellant cap, among the ``_INSERT_LOOKS`` least
_INSERT_TRIED, _INSERT_LOOKS = 2, 4


_INSERTIONS: OrderedDict = OrderedDict()  # the last missions priced for insertions (LRU)


def _insertions(debris, ids, lo: float, hi: float, settings: SearchSettings) -> Insertions:
    """:class:`~.sequence.Insertions` of a mission in its free time, kept for the next calls:
    the descent tries one debris after another against missions that mostly stay the same."""
    key = (id(debris), tuple(ids), lo, hi, settings.price, settings.min_tof_day)
    ins = _INSERTIONS.get(key)
    if ins is not None and ins.debris is debris:
        _INSERTIONS.move_to_end(key)
        return ins
    ins = _INSERTIONS[key] = Insertions(debris, ids, lo, hi, price=settings.price, min_tof_day=settings.min_tof_day)
    while len(_INSERTIONS) > 64:
        _INSERTIONS.popitem(last=False)
    return ins


def insert_leftovers(debris, missions, left, settings: SearchSettings, window, log=lambda msg: None, exclude=(),
                     forbidden_pairs=(), max_gap_deg: float = 6.0, propellant_cap_kg: float | None = None,
                     max_rise_meur: float = math.inf):
    """Put each left-over debris into the mission and position where the estimated cost rises
    least (the mission re-timed by :func:`optimise_epochs` inside its free time). Every
    position of a mission is priced at once by :class:`~.sequence.Insertions` (Σ ΔV, two DP
    legs a position), and only the ``_INSERT_TRIED`` cheapest that keep the cap are re-timed
    in full and priced in MEUR (a mission's cost also depends on which legs carry the mass,
    so the least Σ ΔV is not always the least cost): the annealing's dissolve pass at 90° on
    a 10-mission plan took 1.9 s instead of 55.1 s, and 60 insertions (6° and 30°) chose as
    re-timing every position did. Positions
    whose neighbours' nodes are more than ``max_gap_deg`` from the debris' at the neighbouring
    epochs are not tried (the re-timing may still align them: the DP prices the gap), nor positions that would make a leg of ``forbidden_pairs`` ((departure id,
    arrival id) legs that could not be flown), nor, with ``propellant_cap_kg``, positions
    that would take the mission over that much estimated propellant (the debris goes to its
    next-best place instead). Stops when the insertions so far raised the estimated cost by more
    than ``max_rise_meur``, a debris that fits nowhere counting as an infinite rise (the debris
    not yet inserted are returned as left over: for a caller that needs all or none). Returns the
    missions and the debris that fit nowhere."""
    forbidden_pairs = {(int(a), int(b)) for a, b in forbidden_pairs}
    missions = list(missions)
    left = set(left)
    lim = np.radians(max_gap_deg)
    total = 0.0
    for x in sorted(left, key=int):
        if total > max_rise_meur:
            break
        best = None
        for k, m in enumerate(missions):
            if k in exclude:
                continue
            lo, hi = _bounds(missions, k, window)
            ids = list(m.debris_ids)
            pos = [p for p in range(len(ids) + 1)
                   if not ((p > 0 and (ids[p - 1], int(x)) in forbidden_pairs)
                           or (p < len(ids) and (int(x), ids[p]) in forbidden_pairs))
                   and _position_gap_rad(debris, m, p, int(x)) < lim]
            if not pos:
                continue
            dv = _insertions(debris, m.debris_ids, lo, hi, settings).insert_dv_m_s(int(x), pos)
            # the positions in order of their Σ ΔV (what the DP minimises): the cheapest
            # _INSERT_TRIED that keep the cap are re-timed in full and priced in MEUR
            tried = 0
            for i in np.argsort(dv, kind="stable")[:_INSERT_LOOKS]:
                if not np.isfinite(dv[i]) or tried >= _INSERT_TRIED:
                    break
                p = pos[int(i)]
                q = _retime(debris, ids[:p] + [x] + ids[p:], lo, hi, settings)
                if q is None or not math.isfinite(q.cost_meur) or (
                        propellant_cap_kg is not None and _propellant_kg(q) > propellant_cap_kg):
                    continue
                tried += 1
                rise = q.cost_meur - m.cost_meur
                if best is None or rise < best[0]:
                    best = (rise, k, q)
        if best is not None:
            rise, k, q = best
            missions[k] = q
            left.discard(x)
            total += rise
            log(f"debris {x} inserted into mission {k + 1} (+{rise:.2f} MEUR estimated)")
        else:
            total = math.inf
    return missions, left


def make_room(debris, missions, x: int, settings: SearchSettings, window, log=lambda msg: None, forbidden_pairs=(),
              seconds: float = 120.0, max_gap_deg: float = 6.0, exclude=()):
    """Place debris ``x`` that :func:`insert_leftovers` could put nowhere by a swap: ``x`` takes
    the place of a debris y of a mission whose route passes near it (x inserted where the
    mission's node is within ``max_gap_deg`` of x's, y taken out, the mission re-timed), and y
    goes into another mission. Of the swaps found in ``seconds``, the one that raises the
    estimated J least. Returns the missions (unchanged, and False, when no swap works) and
    whether ``x`` was placed. Missions whose index is in ``exclude`` are left alone."""
    import time

    t_stop = time.monotonic() + seconds
    forbidden_pairs = {(int(a), int(b)) for a, b in forbidden_pairs}
    lim = np.radians(max_gap_deg)
    j0 = campaign_cost_meur(missions)
    best = None
    for k, m in enumerate(missions):
        if m.n < 2 or k in exclude:
            continue
        ids = list(m.debris_ids)
        gaps = [_node_gap_rad(debris, x, d, t) for d, t in zip(ids, m.arrival_mjd2000_day)]
        if min(gaps) >= lim:
            continue
        lo, hi = _bounds(missions, k, window)
        for y in ids:
            if time.monotonic() >= t_stop:
                break
            rest = [d for d in ids if d != y]
            for p in range(len(rest) + 1):
                seq = rest[:p] + [int(x)] + rest[p:]
                if any((a, b) in forbidden_pairs for a, b in zip(seq, seq[1:])):
                    continue
                near = [gaps[ids.index(d)] < lim for d in rest[max(p - 1, 0): p + 1]]
                if not any(near):
                    continue
                q = _retime(debris, seq, lo, hi, settings)
                if q is None or not math.isfinite(q.cost_meur):
                    continue
                cand = missions[:k] + [q] + missions[k + 1:]
                cand, left = insert_leftovers(debris, cand, {y}, settings, window, exclude={k},
                                              forbidden_pairs=forbidden_pairs)
                if left:
                    continue
                jc = campaign_cost_meur(cand)
                if best is None or jc < best[0]:
                    best = (jc, y, k, cand)
    if best is None:
        return missions, False
    jc, y, k, cand = best
    log(f"debris {x} takes the place of debris {y} in mission {k + 1}, which goes elsewhere "
        f"(+{jc - j0:.2f} MEUR estimated)")
    return cand, True


def _open_slot(debris, missions, settings, window, exclude=()):
    """Room for a single-debris mission made by re-timing one mission inside less time (the
    one whose estimated cost rises least): returns (missions, launch epoch) or (missions, None)."""
    room = STAY_DAY + GTOC9_GAP_DAYS
    best = None
    for k, m in enumerate(missions):
        if k in exclude:
            continue
        lo, hi = _bounds(missions, k, window)
        for a, b, after in ((lo, hi - room, True), (lo + room, hi, False)):
            q = _retime(debris, m.debris_ids, a, b, settings) if m.n > 1 else None
            if q is None or not math.isfinite(q.cost_meur):
                continue
            t = q.end_mjd2000_day + GTOC9_GAP_DAYS if after else lo
            rise = q.cost_meur - m.cost_meur
            if best is None or rise < best[0]:
                best = (rise, k, q, t)
    if best is None:
        return missions, None
    _, k, q, t = best
    return missions[:k] + [q] + missions[k + 1:], t


def _place(debris, missions, x: int, settings, window, log, forbidden_pairs=(), exclude=()):
    """Put one debris somewhere, cheapest first: into a mission (:func:`insert_leftovers`, its
    node within 6°, then 30°, of the neighbours'), by a swap (:func:`make_room`), alone in a
    free slot, alone in a slot opened by re-timing another mission in less time. Returns the
    missions (sorted by start) and whether ``x`` was placed."""
    for gap in (6.0, 30.0):
        out, left = insert_leftovers(debris, missions, {x}, settings, window, log, exclude=exclude,
                                     forbidden_pairs=forbidden_pairs, max_gap_deg=gap)
        if not left:
            return out, True
    out, placed = make_room(debris, missions, x, settings, window, log, forbidden_pairs=forbidden_pairs,
                            exclude=exclude)
    if placed:
        return out, True
    t = _free_slot(missions, window)
    if t is None:
        missions, t = _open_slot(debris, missions, settings, window, exclude=exclude)
    if t is None:
        return missions, False
    log(f"debris {x} gets a mission of its own at MJD2000 {t:.0f}")
    return sorted(missions + [MissionPlan((int(x),), (t,), (t + STAY_DAY,), ())],
                  key=lambda m: m.start_mjd2000_day), True


def _truncate(debris, plans, k, cache, settings, window, log):
    """Mission k flown but over the propellant limit: keep its longest affordable first part
    (legs already flown), put the debris cut off into other missions or missions of their own."""
    from .sequence import mission_cost_meur

    p = plans[k]
    dvs = [transfer_from_dict(cache[_leg_key(leg)]).dv_total_m_s for leg in plan_legs(p)]
    n = p.n
    while n > 1 and not math.isfinite(mission_cost_meur(dvs[: n - 1])):
        n -= 1
    head = MissionPlan(p.debris_ids[:n], p.arrival_mjd2000_day[:n], p.departure_mjd2000_day[:n], tuple(dvs[: n - 1]))
    cut = set(p.debris_ids[n:])
    log(f"mission {k + 1}: over the propellant limit; keeps {n} debris, {len(cut)} go elsewhere")
    plans = plans[:k] + [head] + plans[k + 1:]
    plans, left = insert_leftovers(debris, plans, cut, settings, window, log, exclude={k})
    for d in sorted(left):
        keep = plans[k]
        plans, placed = _place(debris, plans, d, settings, window, log, exclude={plans.index(keep)})
        if not placed:
            log(f"debris {d} fits nowhere: the campaign will be one debris short")
    return plans


def _free_slot(missions, window, length_day: float = STAY_DAY):
    """Earliest launch epoch of a ``length_day`` mission that keeps 30-day gaps to all others."""
    t = window[0]
    for m in sorted(missions, key=lambda m: m.start_mjd2000_day):
        if t + length_day + GTOC9_GAP_DAYS <= m.start_mjd2000_day:
            return t
        t = max(t, m.end_mjd2000_day + GTOC9_GAP_DAYS)
    return t if t + length_day <= window[1] else None


def _propellant_kg(plan: MissionPlan) -> float:
    from ..units import GTOC9_M_DE_KG, GTOC9_M_DRY_KG
    from .sequence import mission_m0_kg

    return mission_m0_kg(plan.leg_dv_m_s) - GTOC9_M_DRY_KG - plan.n * GTOC9_M_DE_KG


def _affordable(plans, cap_kg: float) -> bool:
    return all(math.isfinite(p.cost_meur) and _propellant_kg(p) <= cap_kg for p in plans)


def _retime_all(debris, plans, settings, window):
    """Re-time every mission by the DP inside the time its neighbours leave free (in time
    order, so a mission may grow into time a dissolved neighbour gave up); keeps a re-timing
    only when it is cheaper."""
    plans = sorted(plans, key=lambda m: m.start_mjd2000_day)
    for k in range(len(plans)):
        lo, hi = _bounds(plans, k, window)
        q = _retime(debris, plans[k].debris_ids, lo, hi, settings)
        if q is not None and q.cost_meur < plans[k].cost_meur - 1e-9:
            plans[k] = q
    return plans


def _dissolve(debris, plans, settings, window, gap_deg, propellant_cap_kg: float, t_stop: float, log):
    """The first mission (smallest first) whose dissolving lowers the estimated J: its debris
    inserted into the others (:func:`insert_leftovers`, positions whose neighbours' nodes are
    up to ``gap_deg(mission)`` degrees away, missions kept under ``propellant_cap_kg``), then
    every mission re-timed. (missions, J) or None; gives up at ``t_stop`` (time.monotonic)."""
    import time

    j = campaign_cost_meur(plans)
    for k in sorted(range(len(plans)), key=lambda i: (plans[i].n, plans[i].cost_meur)):
        if time.monotonic() >= t_stop:
            break
        rest = plans[:k] + plans[k + 1:]
        # insertions dearer than the mission saved (+ what re-timing the others may give back) are hopeless
        cand, left = insert_leftovers(debris, rest, set(plans[k].debris_ids), settings, window,
                                      max_gap_deg=gap_deg(plans[k]), propellant_cap_kg=propellant_cap_kg,
                                      max_rise_meur=plans[k].cost_meur + 10.0)
        if left or not _affordable(cand, propellant_cap_kg):
            continue
        cand = _retime_all(debris, cand, settings, window)
        jc = campaign_cost_meur(cand)
        if jc < j - 1e-6:
            log(f"dissolved a {plans[k].n}-debris mission into the others: estimated J {j:.1f} → {jc:.1f} MEUR")
            return cand, jc
    return None


def improve_campaign(debris, plans, settings: SearchSettings = SearchSettings(),
                     window_mjd2000_day: tuple[float, float] = WINDOW_MJD2000_DAY, *, seconds: float = 60.0,
                     propellant_cap_kg: float = 4600.0, log=lambda msg: None) -> list[MissionPlan]:
    """Campaign-level local search on the estimate (what a mission-by-mission greedy cannot
    see): **dissolve** a mission — its debris inserted into the others (each insertion re-timed
    by the DP, neighbours free to grow into the time it gave up; for missions of at most 5
    debris, the greedy's dear end-game missions, positions whose neighbours' nodes are up to
    30° away are tried, not 6°: resuming a 16-mission plan, that took its estimated J from
    968.7 to 872 MEUR in 16 s) — when that lowers the
    estimated J (a 55 MEUR base cost saved against the missions' extra propellant), then
    **relocate** single debris, from one mission to another or elsewhere in its own. At a local
    optimum every mission is tried once more with positions up to 30° away, and the search goes
    on from any dissolve that lowers J (of 9 descents of a 30-minute run's restarts, 4 ended
    cheaper with it, e.g. 890.8 → 793.7 MEUR, one dearer). Missions stay under
    ``propellant_cap_kg`` of estimated propellant (margin for exact legs dearer than
    estimated; an insertion that would break it goes elsewhere). Stops after ``seconds``;
    deterministic."""
    import time

    t_stop = time.monotonic() + seconds
    plans = _retime_all(debris, list(plans), settings, window_mjd2000_day)
    j = campaign_cost_meur(plans)

    def dissolve(wide: bool):
        return _dissolve(debris, plans, settings, window_mjd2000_day, lambda m: 30.0 if wide or m.n <= 5 else 6.0,
                         propellant_cap_kg, t_stop, log)

    improved = True
    while time.monotonic() < t_stop:
        if not improved:  # a local optimum: dissolve with every mission's debris free to go 30° away
            if (out := dissolve(True)) is None:
                break
            plans, j = out
        improved = False
        if (out := dissolve(False)) is not None:
            (plans, j), improved = out, True
            continue
        # relocate: one debris out of its mission into another, or elsewhere in its own (a pass
        # over every mission, dearest first; the next dissolve is tried after the pass)
        for k in sorted(range(len(plans)), key=lambda i: -plans[i].cost_meur):
            if time.monotonic() >= t_stop:
                break
            p = plans[k]
            if p.n < 2:
                continue
            lo, hi = _bounds(plans, k, window_mjd2000_day)
            for x in p.debris_ids:
                ids = [d for d in p.debris_ids if d != x]
                q = _retime(debris, ids, lo, hi, settings)
                if q is None or q.cost_meur >= p.cost_meur:
                    continue
                saved = p.cost_meur - q.cost_meur
                cand = plans[:k] + [q] + plans[k + 1:]
                cand, left = insert_leftovers(debris, cand, {x}, settings, window_mjd2000_day,
                                              propellant_cap_kg=propellant_cap_kg)
                if left or not _affordable(cand, propellant_cap_kg):
                    continue
                jc = campaign_cost_meur(cand)
                if jc < j - 1e-3:
                    where = ("elsewhere in the same mission" if x in cand[k].debris_ids else
                             f"out of a {p.n}-debris mission (saves {saved:.1f} MEUR there)")
                    log(f"moved debris {x} {where}: estimated J {j:.1f} → {jc:.1f} MEUR")
                    plans, j, improved = cand, jc, True
                    break
    return sorted(plans, key=lambda m: m.start_mjd2000_day)


def anneal_campaign(debris, plans, settings: SearchSettings = SearchSettings(),
                    window_mjd2000_day: tuple[float, float] = WINDOW_MJD2000_DAY, *, seconds: float = 60.0,
                    seed: int = 0, temperature_meur: tuple[float, float] = (2.0, 0.03),
                    max_gap_deg: float = 20.0, n_closest: int = 4,
                    propellant_cap_kg: float = 4600.0, retime_every_s: float = 20.0,
                    shift_probability: float = 0.15, shift_days: tuple[float, float] = (3.0, 40.0),
                    dissolve_gap_deg: float = 90.0, dissolve_at: tuple[float, ...] = (0.5, 0.8),
                    max_steps: int | None = None, log=lambda msg: None) -> list[MissionPlan]:
    """Simulated annealing on the estimated J, from a complete campaign: what the descent of
    :func:`improve_campaign` cannot reach from its local optimum. A step picks one move at
    random, re-times the (at most two) missions it changes by the DP inside the time their
    neighbours leave free, and keeps it with the Metropolis rule at a temperature cooled
    geometrically from ``temperature_meur[0]`` to ``[1]`` (MEUR) over ``seconds`` (from 2.0, not
    0.5: in a 30-minute run, seed 0, the two annealings of the same 753.4 MEUR start ended at
    721.3 and 726.0 instead of 728.8 and 733.0):

    * *relocate* a block of 1–3 consecutive debris into another position of any mission (its
      own included; a mission left empty is gone, with its 55 MEUR);
    * *swap* two debris of two missions, each into the other's place;
    * *shift* the time boundary of two missions neighbours in time (``shift_probability``
      of the steps): one ends (or the other starts) ``shift_days`` earlier (later), the other
      re-timed in the time it then has. The window is full (12 missions, 11 gaps), so without
      it time could only move to a mission whose neighbour was dissolved: from the same
      821.3 MEUR start, 300 s of annealing gave 796.4 and 798.2 MEUR with it (two seeds),
      815.2 without.

    A debris (or block) goes to one of the ``n_closest`` positions, at random, whose
    neighbours' nodes at their epochs are closest to its own, and within ``max_gap_deg``
    (the DP prices the gap left). Missions stay under
    ``propellant_cap_kg``. Every ``retime_every_s`` all missions are re-timed in turn, so a
    mission can grow into time a neighbour gave up. Returns the cheapest complete campaign met
    (the start when none is cheaper). With ``max_steps`` it stops after that many steps and
    the temperature follows the steps, not the clock: deterministic for a seed."""
    import time

    rng = np.random.default_rng(seed)
    lim = math.radians(max_gap_deg)
    window = window_mjd2000_day
    t_hot, t_cold = temperature_meur

    def cost(p):
        if p is None:
            return 0.0
        return p.cost_meur if _affordable([p], propellant_cap_kg) else math.inf

    def retime(ms, k, ids):
        lo, hi = _bounds(ms, k, window)
        return _retime(debris, ids, lo, hi, settings)

    def position(ms, block):
        """A random one of the ``n_closest`` positions whose neighbours' nodes are closest to
        the block's (within ``max_gap_deg``), or None: a random position anywhere is almost
        always a dear plane change, which the annealing would only refuse."""
        g, k, p = _position_gaps_rad(debris, ms, block[0], block[-1])
        near = g < lim
        if not near.any():
            return None
        g, k, p = g[near], k[near], p[near]
        order = np.lexsort((p, k, g))
        i = order[int(rng.integers(min(n_closest, order.size)))]
        return int(k[i]), int(p[i])

    plans = sorted(plans, key=lambda m: m.start_mjd2000_day)
    j = campaign_cost_meur(plans)
    best, best_j = list(plans), j
    t0 = time.monotonic()
    t_retime = t0 + retime_every_s
    steps = kept = passes = dissolved = 0
    while True:
        now = time.monotonic()
        if now - t0 >= seconds or (max_steps is not None and steps >= max_steps):
            break
        if (now >= t_retime) if max_steps is None else (steps and steps % 500 == 0):
            t_retime = now + retime_every_s
            plans = _retime_all(debris, plans, settings, window)
            j = campaign_cost_meur(plans)
        done = (now - t0) / seconds if max_steps is None else steps / max_steps
        temp = t_hot * (t_cold / t_hot) ** done
        if dissolve_gap_deg > 0 and passes < len(dissolve_at) and done >= dissolve_at[passes]:
            passes += 1  # dissolve missions of the cheapest campaign met while that lowers J, go on from there
            base = best
            while (out := _dissolve(debris, base, settings, window, lambda m: dissolve_gap_deg, propellant_cap_kg,
                                    t0 + seconds if max_steps is None else math.inf, log)) is not None:
                base = out[0]
                dissolved += 1
            if base is not best:
                plans, j = base, campaign_cost_meur(base)
                best, best_j = list(plans), j
            continue
        steps += 1
        move = rng.random()
        if move < shift_probability and len(plans) >= 2:  # move the time boundary of two neighbours
            ka = int(rng.integers(len(plans) - 1))
            a, b = plans[ka], plans[ka + 1]
            (lo_a, hi_a), (lo_b, hi_b) = _bounds(plans, ka, window), _bounds(plans, ka + 1, window)
            shift = float(rng.uniform(*shift_days))
            if rng.random() < 0.5:  # a ends earlier, b may start earlier
                qa = _retime(debris, a.debris_ids, lo_a, hi_a, settings, end_by=a.end_mjd2000_day - shift)
                qb = None if qa is None else _retime(debris, b.debris_ids, qa.end_mjd2000_day + GTOC9_GAP_DAYS, hi_b,
                                                     settings)
            else:  # b starts later, a may end later
                qb = _retime(debris, b.debris_ids, lo_b, hi_b, settings, launch_from=b.start_mjd2000_day + shift)
                qa = None if qb is None else _retime(debris, a.debris_ids, lo_a, qb.start_mjd2000_day - GTOC9_GAP_DAYS,
                                                     settings)
            if qa is None or qb is None:
                continue
            new = plans[:ka] + [qa, qb] + plans[ka + 2:]
            d = cost(qa) + cost(qb) - a.cost_meur - b.cost_meur
        elif move < shift_probability + (1 - shift_probability) * 0.7 or len(plans) < 2:  # relocate a block
            ka = int(rng.integers(len(plans)))
            a = plans[ka]
            size = min(a.n, int(rng.choice((1, 1, 1, 2, 2, 3))))
            i = int(rng.integers(a.n - size + 1))
            block = a.debris_ids[i:i + size]
            rest = a.debris_ids[:i] + a.debris_ids[i + size:]
            qa = retime(plans, ka, rest) if rest else None
            if rest and qa is None:
                continue
            tmp = plans[:ka] + ([qa] if qa is not None else []) + plans[ka + 1:]
            where = position(tmp, block)
            if where is None:
                continue
            kb, p = where
            b = tmp[kb]
            q = retime(tmp, kb, b.debris_ids[:p] + block + b.debris_ids[p:])
            if q is None:
                continue
            new = tmp[:kb] + [q] + tmp[kb + 1:]
            d = cost(q) - cost(b) + cost(qa) - a.cost_meur
        else:  # swap two debris of two missions
            ka, kb = (int(k) for k in rng.choice(len(plans), 2, replace=False))
            a, b = plans[ka], plans[kb]
            ia, ib = int(rng.integers(a.n)), int(rng.integers(b.n))
            x, y = a.debris_ids[ia], b.debris_ids[ib]
            if (_node_gap_rad(debris, x, y, a.arrival_mjd2000_day[ia]) >= lim
                    or _node_gap_rad(debris, x, y, b.arrival_mjd2000_day[ib]) >= lim):
                continue
            qa = retime(plans, ka, a.debris_ids[:ia] + (y,) + a.debris_ids[ia + 1:])
            if qa is None:
                continue
            tmp = plans[:ka] + [qa] + plans[ka + 1:]
            q = retime(tmp, kb, b.debris_ids[:ib] + (x,) + b.debris_ids[ib + 1:])
            if q is None:
                continue
            new = tmp[:kb] + [q] + tmp[kb + 1:]
            d = cost(qa) + cost(q) - a.cost_meur - b.cost_meur
        if not d < math.inf or not (d < 0 or rng.random() < math.exp(-d / temp)):
            continue
        plans, j = new, j + d
        kept += 1
        if j < best_j - 1e-9:
            j = campaign_cost_meur(plans)  # no drift of the running sum
            if j < best_j - 1e-9:
                best, best_j = list(plans), j
    log(f"annealing: {steps} steps, {kept} kept, {dissolved} missions dissolved, estimated J {campaign_cost_meur(best):.1f} MEUR "
        f"({len(best)} missions)")
    return sorted(best, key=lambda m: m.start_mjd2000_day)


def _distinct(campaigns) -> list:
    """The campaigns of finite estimated J, cheapest first, each partition of the debris into
    missions once (the cheapest of its timings)."""
    seen, out = set(), []
    for c in sorted(campaigns, key=campaign_cost_meur):
        key = tuple(sorted(m.debris_ids for m in c))
        if key not in seen and math.isfinite(campaign_cost_meur(c)):
            seen.add(key)
            out.append(c)
    return out


def _improve_best(debris, ids, tried, settings, window, seconds: float, n_starts: int, log, descents=None):
    """The local search from the distinct complete campaigns of ``tried`` (the restarts'
    attempts), cheapest first, for ``seconds``: the first ``n_starts`` share the time left
    among those still to go, and time a start leaves at its local optimum (typically after
    10–100 s) goes to the next ones. Returns the cheapest result and its estimated J;
    ``descents``, a list, receives every result."""
    import time

    want = sorted(ids)
    starts = [c for c in _distinct(tried) if sorted(d for m in c for d in m.debris_ids) == want]
    t_stop = time.monotonic() + seconds
    best, best_j = None, math.inf
    for i, c in enumerate(starts):
        left_s = t_stop - time.monotonic()
        if best is not None and (left_s < 1.0 or i >= n_starts):
            break
        out = improve_campaign(debris, c, settings, window, seconds=max(left_s / max(n_starts - i, 1), 1.0), log=log)
        j = campaign_cost_meur(out)
        log(f"local search from start {i + 1} of {len(starts)}: estimated J {campaign_cost_meur(c):.1f} → {j:.1f} MEUR")
        if descents is not None:
            descents.append(out)
        if j < best_j:
            best, best_j = out, j
    return best, best_j


def campaign_cost_meur(missions) -> float:
    return float(sum(m.cost_meur for m in missions))


def search_campaign(debris, pool_ids, seconds: float, settings: SearchSettings = SearchSettings(), seed: int = 0,
                    window_mjd2000_day: tuple[float, float] = WINDOW_MJD2000_DAY, log=lambda msg: None,
                    max_rounds: int | None = None, collect: list | None = None, plain_rounds: int = 2):
    """Repeated greedy campaigns for ``seconds`` (squeaky wheel): debris an attempt leaves
    over, or puts in costly missions, earn a ranking credit in the next attempts; later
    attempts also perturb the ranking (seeded). Returns (best complete campaign or None,
    its estimated J, the reason of the last failure, number of attempts). ``collect``: a list
    that receives every attempt's missions (complete or not), e.g. as columns for
    :func:`~.partition.partition_campaign`. The first ``plain_rounds`` attempts are not
    perturbed (and so the same for every seed)."""
    import time

    rng = np.random.default_rng(seed)
    n_ids = int(np.max(debris.ids)) + 1
    bonus = np.zeros(n_ids)
    best, best_j, why = None, math.inf, ""
    t_stop = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < t_stop and (max_rounds is None or rounds < max_rounds):
        s = settings if rounds < plain_rounds else replace(settings, noise=0.05)
        missions, why = greedy_campaign(debris, pool_ids, s, window_mjd2000_day, rng=rng, bonus_m_s=bonus)
        rounds += 1
        if collect is not None:
            collect.append(missions)
        placed = {d for m in missions for d in m.debris_ids}
        left = [int(d) for d in pool_ids if int(d) not in placed]
        if not left:
            j = campaign_cost_meur(missions)
            if j < best_j:
                best, best_j = missions, j
            log(f"attempt {rounds}: complete, {len(missions)} missions, estimated J {j:.1f} MEUR (best {best_j:.1f})")
        else:
            log(f"attempt {rounds}: {len(left)} debris left over ({why})")
        bonus[left] += 150.0
        for m in missions:  # debris of expensive (small) missions are worth taking earlier next time
            per = m.cost_meur / m.n if m.n else 0.0
            if per > settings.straggler_meur:
                bonus[list(m.debris_ids)] += settings.straggler_m_s_per_meur * (per - settings.straggler_meur)
    return best, best_j, why, rounds


def search_and_improve(debris, ids, seconds: float, settings: SearchSettings = SearchSettings(), seed: int = 0,
                       window_mjd2000_day: tuple[float, float] = WINDOW_MJD2000_DAY, log=lambda msg: None, *,
                       improve_fraction: float = 0.6, n_starts: int = 6, descent_fraction: float = 0.4,
                       plain_rounds: int = 2, anneal: bool = True, descents: list | None = None):
    """One search on the estimate in ``seconds``: restarts of the greedy (:func:`search_campaign`,
    ``1 − improve_fraction`` of the time), the descent (:func:`improve_campaign`) from its
    ``n_starts`` cheapest complete attempts (at most ``descent_fraction`` of the rest; it
    usually reaches its local optima sooner), then :func:`anneal_campaign` from the cheapest
    result for the time left (with ``anneal``; without it, returns after the descent). Returns
    (campaign or None, estimated J, reason of the last failure, greedy attempts); ``descents``,
    a list, receives every descent's result."""
    import time

    t_end = time.monotonic() + seconds
    tried: list = []
    plans, j, why, attempts = search_campaign(debris, ids, (1.0 - improve_fraction) * seconds, settings, seed,
                                              window_mjd2000_day, log, collect=tried, plain_rounds=plain_rounds)
    if plans is None:
        return None, math.inf, why, attempts
    plans, j = _improve_best(debris, ids, tried, settings, window_mjd2000_day,
                             descent_fraction * improve_fraction * seconds, n_starts, log, descents)
    left_s = t_end - time.monotonic()
    if anneal and left_s > 1.0:
        plans = anneal_campaign(debris, plans, settings, window_mjd2000_day, seconds=left_s, seed=seed, log=log)
        j = campaign_cost_meur(plans)
    return plans, j, why, attempts


class _Job(NamedTuple):
    """What the forked processes of :func:`parallel_search` work on (set before its pool):
    the debris ids to search (``start``) and the search phase's ``seconds``; the annealing
    stretches get their campaign and time as arguments."""

    debris: object
    start: object
    seconds: float
    settings: SearchSettings
    seed: int
    window: tuple
    log: object
    kw: dict


_SEARCH_JOB: _Job | None = None


def _search_worker(k):
    job = _SEARCH_JOB
    descents: list = []
    # the unperturbed attempts are the same for every seed: only the first process makes them
    out = search_and_improve(job.debris, job.start, job.seconds, job.settings, job.seed + 1000 * k, job.window,
                             lambda msg: job.log(f"[search {k + 1}] {msg}"), **job.kw,
                             plain_rounds=2 if k == 0 else 0, anneal=False, descents=descents)
    return out + (descents,)


def _anneal_worker(arg):
    """One stretch of the annealing in a process of the pool: (process index, stretch index,
    start campaign, seconds, temperatures). The debris set and settings are the ones forked
    with the pool, so the leg grids each process computed in the search, and in the stretches
    before, are still there."""
    k, r, start, seconds, temps = arg
    job = _SEARCH_JOB
    return anneal_campaign(job.debris, start, job.settings, job.window, seconds=seconds,
                           seed=job.seed + 1000 * k + 7919 * r, temperature_meur=temps,
                           # a pass (~2 s) from the stretch's start, the same for all: one process makes it
                           dissolve_at=((0.0,) if k == 0 else ()) + (0.25, 0.5, 0.75),
                           log=lambda msg: job.log(f"[search {k + 1}] {msg}"))


def parallel_search(debris, ids, seconds: float, settings: SearchSettings = SearchSettings(), seed: int = 0,
                    window_mjd2000_day: tuple[float, float] = WINDOW_MJD2000_DAY, log=lambda msg: None, *,
                    workers: int = 2, anneal_stretches: tuple[float, ...] = (0.0, 0.5, 0.8, 1.0),
                    anneal_temperature_meur: tuple[float, float] = (2.0, 0.03), diverse_first: bool = True,
                    descents: list | None = None, **kw):
    """:func:`search_and_improve` on ``workers`` processes at once. First each process runs
    the restarts and the descent with its own seed (``seed``, ``seed`` + 1000, …; the first
    is the single-process search); then the cheapest campaign of all is annealed by every
    process, each with its own seed, for the time left (the descent's results differ by
    several per cent and the annealing gains ~2 % from any of them, so the best start is
    worth every process). The annealing runs in stretches (``anneal_stretches``, fractions
    of its time; the temperature cools over all of them from ``anneal_temperature_meur[0]``
    to ``[1]``): each stretch starts every process from the cheapest campaign of the stretch
    before, the first process with a dissolve pass (:func:`anneal_campaign`), so a mission
    one process manages to dissolve is worked on by both; both make one at 25, 50 and 75 %
    of a stretch. The search and the annealing run in the same processes (one pool), so the
    annealing starts with the leg grids the search computed. With ``diverse_first`` the first
    stretch starts process k from the k-th cheapest distinct descent instead: which start
    anneals best is not which is cheapest (seed 0, 2026-12-04: the 771.9 MEUR start gave 719.5
    after the first stretch, the 777.3 one 711.2; the campaign flew 704.05 MEUR where both
    processes on 771.9 flew 712.26; a rerun from the same descents, though, reached 713.3 and
    713.0 and flew 713.10: the gain is within the annealing's spread). ``descents``, a list, receives every descent's result,
    cheapest first. Returns the cheapest complete campaign, its estimated J, the reason when none is
    complete, and the greedy attempts of all processes."""
    global _SEARCH_JOB
    import time
    from multiprocessing import get_context

    if workers <= 1:
        out = search_and_improve(debris, ids, seconds, settings, seed, window_mjd2000_day, log, **kw,
                                 descents=descents)
        if descents is not None:
            descents.sort(key=campaign_cost_meur)
        return out
    t_end = time.monotonic() + seconds
    ctx = get_context("fork")
    _SEARCH_JOB = _Job(debris, ids, seconds, settings, seed, window_mjd2000_day, log, kw)
    try:
        # one pool for both phases: the leg grids the search's processes computed are still
        # there for the annealing's (a new pool started with cold caches)
        with ctx.Pool(workers, _one_blas_thread) as pool:
            results = pool.map(_search_worker, range(workers), chunksize=1)
            attempts = sum(r[3] for r in results)
            done = [r for r in results if r[0] is not None]
            if not done:
                return None, math.inf, results[0][2], attempts
            plans, j, why, _, _ = min(done, key=lambda r: r[1])
            found = sorted((c for r in results for c in r[4]), key=campaign_cost_meur)
            if descents is not None:
                descents.extend(found)
            distinct = _distinct(found)
            left_s = t_end - time.monotonic()
            # the annealing in stretches, each process from the cheapest campaign of the stretch
            # before, the temperature going on where it was, dissolve passes in each
            hot, cold = anneal_temperature_meur
            for r, (f0, f1) in enumerate(zip(anneal_stretches, anneal_stretches[1:])):
                secs = t_end - time.monotonic() if f1 >= 1.0 else (f1 - f0) * left_s
                if secs <= 1.0:
                    break
                temps = (hot * (cold / hot) ** f0, hot * (cold / hot) ** f1)
                starts = [distinct[k] if diverse_first and r == 0 and k < len(distinct) else plans
                          for k in range(workers)]
                annealed = pool.map(_anneal_worker, [(k, r, starts[k], secs, temps) for k in range(workers)],
                                    chunksize=1)
                plans = min(annealed, key=campaign_cost_meur)
            j = campaign_cost_meur(plans)
    finally:
        _SEARCH_JOB = None
    return plans, j, why, attempts


# --- flying, assembling, checkpoints -------------------------------------------------------------
_WORKER_DEBRIS = None


_FLY_CLOCK = None  # shared [legs started, seconds of full-quality legs, their number] while flying
_FLY_PLAN = None  # (legs to fly, workers, deadline as time.time(), or None)
_FULL_LEG_PRIOR_S = 8.0  # a full-quality leg on this 2-core machine, idle (7.3 s measured), before any is timed


def _one_blas_thread():
    """Limit this worker process's BLAS (OpenBLAS) to one thread. By default every process
    starts as many as there are cores, and two flying processes with two spinning BLAS threads
    each on two cores took 2 × the time of one (8 legs: 68 s each at once, 34 s alone; with one
    thread 35–39 s at once, 32 s alone). SciPy brings its own OpenBLAS, loaded with
    ``scipy.linalg``: it is imported first, since a library loaded after the limit is not
    limited."""
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def _pool_init(elements_args, clock=None, plan=None):
    """A flying pool's worker: one BLAS thread (in the pool only, not in the process that
    flies the legs itself with one worker), then :func:`_worker_init`."""
    _one_blas_thread()
    _worker_init(elements_args, clock, plan)


def _worker_init(elements_args, clock=None, plan=None):
    global _WORKER_DEBRIS, _FLY_CLOCK, _FLY_PLAN
    from .gtoc9 import DebrisSet

    _WORKER_DEBRIS = DebrisSet(*elements_args)
    _FLY_CLOCK, _FLY_PLAN = clock, plan


def _fly_fast_now() -> bool:
    """Whether the leg about to start must be flown fast (``n_starts=1``) to meet the deadline:
    this leg and those not started yet, at the mean time of the full-quality legs so far shared
    by the workers (with the prior counted as 10 legs), would end after it."""
    import time

    if _FLY_CLOCK is None or _FLY_PLAN is None or _FLY_PLAN[2] is None:
        return False
    n_legs, workers, deadline = _FLY_PLAN
    with _FLY_CLOCK.get_lock():
        _FLY_CLOCK[0] += 1
        left = n_legs - _FLY_CLOCK[0] + 1
        # the prior weighs as 10 legs: a mean of the first one or two legs (some take 20-40 s)
        # turned a whole mission's legs fast in a run that ended 368 s inside its budget
        mean_s = (_FLY_CLOCK[1] + 10 * _FULL_LEG_PRIOR_S) / (_FLY_CLOCK[2] + 10)
    return time.time() + left * mean_s / workers > deadline


def _worker_fly(leg):
    import time

    dep, t_dep, arr, t_arr = leg
    fast = _fly_fast_now()
    t0 = time.time()
    tr = fly_leg(_WORKER_DEBRIS, dep, t_dep, arr, t_arr, n_starts=1 if fast else 3)
    if not fast and _FLY_CLOCK is not None:
        with _FLY_CLOCK.get_lock():
            _FLY_CLOCK[1] += time.time() - t0
            _FLY_CLOCK[2] += 1
    d = transfer_to_dict(tr)
    d["fast"] = fast
    return leg, d


def _leg_key(leg) -> str:
    dep, t_dep, arr, t_arr = leg
    return f"{int(dep)}:{float(t_dep)!r}:{int(arr)}:{float(t_arr)!r}"


def plan_legs(plan: MissionPlan) -> list[tuple[int, float, int, float]]:
    """The legs (dep id, departure epoch, arrival id, arrival epoch) of a planned mission."""
    v = plan.visits
    return [(a[0], a[2], b[0], b[1]) for a, b in zip(v, v[1:])]


def fly_legs(debris, legs, cache: dict, workers: int = 2, log=lambda msg: None, checkpoint=None,
             deadline: float | None = None) -> dict:
    """Fly every leg not yet in ``cache`` (key → transfer dict) on ``workers`` processes.

    ``deadline`` (a ``time.time()`` epoch): once the legs not started yet, at the mean time of
    the full-quality legs flown so far, would end after it, legs are flown fast
    (:func:`fly_leg` with ``n_starts=1``: ~3× faster, ~2.4 % dearer) — a slow or loaded
    machine then gets a slightly dearer campaign on time instead of a late one. Such legs are
    marked ``"fast"`` in the cache."""
    global _FLY_CLOCK, _FLY_PLAN
    import time
    from multiprocessing import get_context

    todo = [leg for leg in dict.fromkeys(legs) if _leg_key(leg) not in cache]
    if not todo:
        return cache
    t0 = time.monotonic()
    args = (debris.ids, debris.epoch_mjd2000_day, debris.elements)
    ctx = get_context("fork")
    clock, plan = ctx.Array("d", 3), (len(todo), max(workers, 1), deadline)
    if workers <= 1:
        _worker_init(args, clock, plan)
        results = map(_worker_fly, todo)
        pool = None
    else:
        pool = ctx.Pool(workers, _pool_init, (args, clock, plan))
        results = pool.imap_unordered(_worker_fly, todo, chunksize=1)
    n_fast = 0
    try:
        for k, (leg, d) in enumerate(results, 1):
            cache[_leg_key(leg)] = d
            n_fast += bool(d.get("fast"))
            if checkpoint is not None and (k % 5 == 0 or k == len(todo)):
                checkpoint(cache)
            if k % 10 == 0 or k == len(todo):
                log(f"flown {k}/{len(todo)} legs exactly ({time.monotonic() - t0:.0f} s"
                    + (f", {n_fast} of them fast to keep the deadline)" if n_fast else ")"))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        else:  # no shared clock left behind in this process (the debris set may stay)
            _FLY_CLOCK = _FLY_PLAN = None
    return cache


_REFINE_LEG_S = 24.0  # a refined leg at worst, 2-core machine (mean 5.9 s: 112 legs in 333 s, 2 processes)


def _worker_refine(arg):
    """Fly a leg again from the starts its first flight did not polish (:func:`_optimal`'s
    starts 1–5 after a fast leg, 3–8 after a full one), or None when that could not end by
    the deadline."""
    import time

    leg, fast = arg
    deadline = _FLY_PLAN[2] if _FLY_PLAN is not None else None
    if deadline is not None and time.time() + _REFINE_LEG_S > deadline:
        return leg, None
    dep, t_dep, arr, t_arr = leg
    tr = exact_transfer(_WORKER_DEBRIS, dep, t_dep, arr, t_arr, mode="optimal",
                        n_starts=5 if fast else 6, first_start=1 if fast else 3)
    return leg, transfer_to_dict(tr)


def refine_legs(debris, legs, cache: dict, workers: int = 2, log=lambda msg: None, checkpoint=None,
                deadline: float | None = None) -> int:
    """The time the flying left before ``deadline`` (``time.time()``), spent on flying legs of
    ``legs`` again from the starts the first flight did not polish, keeping the cheaper
    flight: legs flown fast first, then the dearest. The exact optimiser's cheapest start is
    not always the cheapest after polishing, and on 24 legs of a campaign 9 starts instead of
    3 saved 1.2 % of ΔV, most of it on five legs. Each leg is tried once (marked ``"refined"``
    in ``cache``, so a resumed run does not try it again); returns how many got cheaper."""
    global _FLY_CLOCK, _FLY_PLAN
    import time
    from multiprocessing import get_context

    keys = {_leg_key(leg): leg for leg in legs}
    todo = [k for k, d in ((k, cache.get(k)) for k in keys) if d is not None and d["ok"] and not d.get("refined")]
    todo.sort(key=lambda k: (not cache[k].get("fast"), -transfer_from_dict(cache[k]).dv_total_m_s))
    if not todo or (deadline is not None and time.time() + _REFINE_LEG_S > deadline):
        return 0
    t0 = time.monotonic()
    args = (debris.ids, debris.epoch_mjd2000_day, debris.elements)
    plan = (len(todo), max(workers, 1), deadline)
    tasks = [(keys[k], bool(cache[k].get("fast"))) for k in todo]
    ctx = get_context("fork")
    if workers <= 1:
        _worker_init(args, None, plan)
        results, pool = map(_worker_refine, tasks), None
    else:
        pool = ctx.Pool(workers, _pool_init, (args, None, plan))
        results = pool.imap(_worker_refine, tasks, chunksize=1)
    tried = cheaper = 0
    saved = 0.0
    try:
        for leg, d in results:
            if d is None:
                continue
            key = _leg_key(leg)
            old = cache[key]
            tried += 1
            gain = transfer_from_dict(old).dv_total_m_s - transfer_from_dict(d).dv_total_m_s if d["ok"] else 0.0
            if gain > 1e-6:
                saved += gain
                cache[key] = dict(d, fast=False, refined=True)
                cheaper += 1
            else:
                cache[key] = dict(old, refined=True)
            if checkpoint is not None and tried % 5 == 0:
                checkpoint(cache)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        else:
            _FLY_CLOCK = _FLY_PLAN = None
    if checkpoint is not None:
        checkpoint(cache)
    log(f"refined {tried} of {len(todo)} legs in {time.monotonic() - t0:.0f} s: {cheaper} cheaper, "
        f"{saved:.0f} m/s saved")
    return cheaper


def exact_plan(plan: MissionPlan, cache: dict) -> tuple[MissionPlan, list[Transfer], str]:
    """The plan with exact leg ΔVs from the flown legs, the transfers, and "" or why it cannot fly."""
    legs = plan_legs(plan)
    trs = [transfer_from_dict(cache[_leg_key(leg)]) for leg in legs]
    bad = [(leg, tr) for leg, tr in zip(legs, trs) if not tr.ok]
    if bad:
        leg, tr = bad[0]
        return plan, trs, f"leg {leg[0]} → {leg[2]} (MJD2000 {leg[1]:.1f}–{leg[3]:.1f}) failed: {tr.message}"
    q = replace(plan, leg_dv_m_s=tuple(tr.dv_total_m_s for tr in trs))
    if not math.isfinite(q.cost_meur):
        return q, trs, f"exact ΔV {q.dv_total_m_s:.0f} m/s needs more than 5,000 kg of propellant"
    return q, trs, ""


@dataclass
class CampaignResult:
    """What :func:`solve_campaign` produced: flown missions (None where one could not be
    flown), the validator's report, the plans, and the problems met (empty when valid)."""

    missions: list
    plans: list[MissionPlan]
    report: object
    problems: list[str]
    estimated_j_meur: float
    runtime_s: float
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and self.report is not None and self.report.ok

    @property
    def j_meur(self) -> float:
        from .gtoc9 import score_missions

        return score_missions(self.missions).j_meur if self.missions else math.nan

    @property
    def dv_total_m_s(self) -> float:
        return float(sum(m.dv_total_m_s for m in self.missions))


def _save_json(path, obj):
    from pathlib import Path

    path = Path(path)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(obj))
    tmp.replace(path)


def _replan(debris, plans, k, why, cache, rnd, forbidden, failed_pairs, capped, settings, window, log):
    """Mission k could not be flown (``why``): re-plan it around its legs that failed, or, if
    they all flew, cut it to its longest affordable start (:func:`_truncate`). The failed legs
    join ``forbidden`` (the first round: near those epochs; a leg of more than 20 days: then
    flights of at most 20 days, noted in ``capped``; later rounds: the pair altogether) and
    their pairs join ``failed_pairs``; all three are updated in place. Returns the missions."""
    legs = plan_legs(plans[k])
    failed = [leg for leg in legs if not cache[_leg_key(leg)]["ok"]]
    if not failed:  # flown, but too much propellant: keep the longest affordable start
        return _truncate(debris, plans, k, cache, settings, window, log)
    failed_pairs.update((d, a) for d, _, a, _ in failed)
    if rnd == 0:
        forbidden.extend(failed)
    # then flights of at most 20 days (our exact solver is proven up to 20 days; the legs that
    # failed on the perigee rule were 21–30-day drifts), then the pair not at all
    for d, t0, a, t1 in failed:
        if t1 - t0 > _SAFE_TOF_DAY + 1e-9 and (d, a) not in capped:
            capped.add((d, a))
            forbidden.append((d, None, a, None, _SAFE_TOF_DAY))
        elif rnd > 0:
            forbidden.append((d, None, a, None))
    log(f"mission {k + 1}: {why}; re-planning around it")
    lo, hi = _bounds(plans, k, window)
    q = _retime(debris, plans[k].debris_ids, lo, hi, settings, forbidden=forbidden)
    if q is not None:
        return plans[:k] + [q] + plans[k + 1:]
    # drop the arrival debris of the failed leg; put it elsewhere if it fits
    drop = failed[0][2]
    kept = [d for d in plans[k].debris_ids if d != drop]
    q = _retime(debris, kept, lo, hi, settings, forbidden=forbidden)
    if q is not None:
        # elsewhere — this mission included, at a position that does not make the failed leg again
        rest, placed = _place(debris, plans[:k] + [q] + plans[k + 1:], drop, settings, window, log,
                              forbidden_pairs=failed_pairs)
        if placed:
            return rest
        # nowhere to put it: fly the mission without it (one debris short, reported by the
        # validator) rather than lose the whole mission
        log(f"debris {drop} fits nowhere else and no slot is free for a mission of its own; "
            f"mission {k + 1} flies without it")
        return plans[:k] + [q] + plans[k + 1:]
    # not even without it: keep the mission up to the failed leg, place the rest
    ids_k = list(plans[k].debris_ids)
    cut = ids_k.index(failed[0][0]) + 1
    head = _retime(debris, ids_k[:cut], lo, hi, settings, forbidden=forbidden) if cut > 1 else None
    if head is None:
        head = MissionPlan((ids_k[0],), (lo,), (lo + STAY_DAY,), ())
    rest = plans[:k] + [head] + plans[k + 1:]
    log(f"mission {k + 1} cannot be timed around the failed leg: it keeps {head.n} debris, "
        f"{len(ids_k) - head.n} go elsewhere")
    for x in ids_k[head.n:]:
        rest, placed = _place(debris, rest, x, settings, window, log, forbidden_pairs=failed_pairs,
                              exclude={rest.index(head)})
        if not placed:
            log(f"debris {x} fits nowhere: the campaign will be one debris short")
    return rest


_WRITE_RESERVE_S = 30.0  # the budget's last seconds: writing and validating the missions (~10 s for 11)


def solve_campaign(debris, minutes: float, out_dir, *, workers: int = 2, seed: int = 0,
                   settings: SearchSettings = SearchSettings(), pool_ids=None,
                   window_mjd2000_day: tuple[float, float] = WINDOW_MJD2000_DAY,
                   log=lambda msg: None, search_fraction: float = 0.7,
                   improve_fraction: float = 0.6, n_starts: int = 7, diverse_first: bool = True) -> CampaignResult:
    """Plan, fly, validate and write a GTOC9 campaign in about ``minutes`` minutes.

    ``pool_ids``: the debris to remove (default all; a subset gives a partial campaign that is
    validated without the coverage rule). A ``search_fraction`` of the time goes to the
    estimate-driven search, on ``workers`` processes with their own seeds
    (:func:`parallel_search`): each runs restarts of the greedy campaign
    (:func:`search_campaign`), then, for ``improve_fraction`` of its time, the descent
    (:func:`improve_campaign`) from each of its ``n_starts`` cheapest complete campaigns and
    the annealing (:func:`anneal_campaign`) from the cheapest result; the cheapest campaign
    of all is flown. The rest of the time goes to flying the legs exactly (:func:`fly_legs`,
    with the budget's end less 30 s as its deadline: legs that would not fit in it at full
    quality are flown fast); the time the flying leaves before that deadline goes to flying
    legs again from more starts (:func:`refine_legs`).
    ``out_dir`` receives ``missionNN.txt`` files plus the checkpoints ``campaign.json``
    (the plan) and ``legs.json`` (every flown leg); run again with the same folder to resume.
    ``descents.json`` keeps every descent's result of the search (cheapest first), the
    starts the annealing chose from.
    """
    import time
    from pathlib import Path

    from ..errors import SweepersError
    from .gtoc9 import check_missions, mission_from_legs, write_mission

    t_begin, wall_begin = time.monotonic(), time.time()
    if not minutes > 0:
        raise SweepersError(f"the time budget must be positive minutes, got {minutes}")
    ids = [int(i) for i in (debris.ids if pool_ids is None else pool_ids)]
    if len(set(ids)) != len(ids):
        raise SweepersError("debris ids to remove must be distinct")
    debris._index(ids)  # unknown ids raise NotFound with the valid range
    full = set(ids) == set(int(i) for i in debris.ids)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan_file, legs_file = out / "campaign.json", out / "legs.json"
    cache = json.loads(legs_file.read_text()) if legs_file.is_file() else {}
    plans, est_j, attempts = None, math.nan, 0
    if plan_file.is_file():
        saved = json.loads(plan_file.read_text())
        if sorted(saved.get("debris", [])) == sorted(ids):
            plans = [MissionPlan.from_dict(d) for d in saved["missions"]]
            est_j = saved.get("estimated_j_meur", math.nan)
            log(f"resuming the plan in {plan_file} ({len(plans)} missions, {len(cache)} legs already flown)")
    if plans is None:
        search_s = max(10.0, search_fraction * minutes * 60.0)
        descents: list = []
        plans, est_j, why, attempts = parallel_search(debris, ids, search_s, settings, seed, window_mjd2000_day, log,
                                                      workers=workers, improve_fraction=improve_fraction,
                                                      n_starts=n_starts, diverse_first=diverse_first,
                                                      descents=descents)
        # the descents' results, for comparing annealing schedules offline from the same starts
        _save_json(out / "descents.json", [{"estimated_j_meur": campaign_cost_meur(c),
                                            "missions": [p.to_dict() for p in c]} for c in descents])
        if plans is None:
            raise SweepersError(f"no complete campaign found in {search_s:.0f} s of search: {why}. "
                                "Give more --minutes, or fewer debris")
        _save_json(plan_file, {"debris": ids, "estimated_j_meur": est_j, "missions": [p.to_dict() for p in plans]})
        log(f"plan: {len(plans)} missions, estimated J {est_j:.1f} MEUR; flying {sum(p.n - 1 for p in plans)} legs")
    save = lambda c: _save_json(legs_file, c)  # noqa: E731
    problems: list[str] = []
    # legs that could not be flown, (dep id, t_dep, arr id, t_arr[, cap days]): properties of the
    # pair and its epochs, so one list for every mission (a list per mission index went stale, and
    # was emptied, whenever a mission was added)
    forbidden: list = []
    failed_pairs: set = set()  # (departure id, arrival id) of every leg that could not be flown, all rounds
    capped: set = set()  # pairs re-planned with flights of at most _SAFE_TOF_DAY
    rounds = 8
    for rnd in range(rounds):
        flown: list = [None] * len(plans)
        fly_legs(debris, [leg for p in plans for leg in plan_legs(p)], cache, workers, log, save,
                 deadline=wall_begin + minutes * 60.0 - _WRITE_RESERVE_S)
        bad = []
        for k, p in enumerate(plans):
            q, trs, why = exact_plan(p, cache)
            if why:
                bad.append((k, why))
                continue
            plans[k] = q
            flown[k] = (q, trs)
        problems = [f"mission {k + 1}: {why}" for k, why in bad]
        if not bad or rnd == rounds - 1:
            break
        n_plans = len(plans)
        for k, why in bad:  # re-plan the mission around the legs that could not be flown
            if len(plans) != n_plans:  # missions were added: the other indices are stale, fly first
                break
            plans = _replan(debris, plans, k, why, cache, rnd, forbidden, failed_pairs, capped, settings,
                            window_mjd2000_day, log)
    deadline = wall_begin + minutes * 60.0 - _WRITE_RESERVE_S
    if not problems and refine_legs(debris, [leg for p in plans for leg in plan_legs(p)], cache, workers, log, save,
                                    deadline=deadline):
        for k, p in enumerate(plans):  # the legs flown again more cheaply
            q, trs, why = exact_plan(p, cache)
            if not why:
                plans[k], flown[k] = q, (q, trs)
    for k, p in enumerate(plans):  # still not flyable: keep the part before its first failed leg (flown already)
        if flown[k] is not None:
            continue
        legs = plan_legs(p)
        i = next((i for i, leg in enumerate(legs) if not cache[_leg_key(leg)]["ok"]), None)
        if i is None or i == 0:
            continue
        head = MissionPlan(p.debris_ids[: i + 1], p.arrival_mjd2000_day[: i + 1], p.departure_mjd2000_day[: i + 1],
                           p.leg_dv_m_s[:i])
        q, trs, why = exact_plan(head, cache)
        if not why:
            plans[k], flown[k] = q, (q, trs)
            problems.append(f"mission {k + 1} flies its first {i + 1} debris only: "
                            f"{', '.join(map(str, p.debris_ids[i + 1:]))} not removed")
    _save_json(plan_file, {"debris": ids, "estimated_j_meur": est_j, "missions": [p.to_dict() for p in plans]})
    missions = []
    for k, f in enumerate(flown):
        if f is None:
            continue
        q, trs = f
        missions.append(mission_from_legs(f"mission{k + 1:02d}", debris, q.visits, trs))
    for old in out.glob("mission*.txt"):
        old.unlink()
    for m in missions:
        write_mission(m, out / f"{m.name}.txt")
    report = check_missions(missions, debris, require_all=full, window_mjd2000_day=window_mjd2000_day)
    if len(missions) < len(plans) and not problems:
        problems.append("some missions could not be flown")
    return CampaignResult(missions, plans, report, problems, est_j, time.monotonic() - t_begin, attempts)
