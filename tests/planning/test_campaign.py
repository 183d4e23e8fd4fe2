"""GTOC9 campaign optimiser: small campaigns flown exactly and passed by our own validator,
epochs within the rules, seeded determinism, resumable checkpoints, clear bad-input errors."""

import json

import numpy as np
import pytest

from spacesweepers.errors import NotFound, SweepersError
from spacesweepers.planning import gtoc9 as g
from spacesweepers.planning.campaign import SearchSettings, campaign_cost_meur, search_campaign, solve_campaign
from spacesweepers.planning.sequence import STAY_DAY, MissionPlan, beam_mission, mission_cost_meur, optimise_epochs

TRIO = [5, 54, 112]  # three debris whose nodes are close early in the window


def test_mission_cost_follows_the_gtoc9_recursion():
    dv = [300.0, 250.0]
    m0 = g.minimum_initial_mass_kg(dv)
    assert mission_cost_meur(dv) == pytest.approx(55.0 + 2e-6 * (m0 - 2000.0) ** 2, rel=1e-12)
    assert mission_cost_meur([9000.0]) == float("inf")  # over 5,000 kg of propellant


def test_beam_and_epoch_dp_respect_stays_window_and_improve(debris):
    pool = list(range(0, 123, 3))
    plans = beam_mission(debris, pool, [23467.0, 23477.0], 23467.0 + 200.0, beam_width=60, time_price_m_s_day=2.0)
    assert plans and plans[-1].n >= 5
    p = plans[-1]
    assert len(set(p.debris_ids)) == p.n and set(p.debris_ids) <= set(pool)
    q = optimise_epochs(debris, p.debris_ids, p.start_mjd2000_day, p.end_mjd2000_day)
    for plan in (p, q):
        arr, dep = np.array(plan.arrival_mjd2000_day), np.array(plan.departure_mjd2000_day)
        assert np.all(dep - arr >= STAY_DAY - 1e-9) and np.all(arr[1:] > dep[:-1])
        assert plan.start_mjd2000_day >= 23467.0 and plan.end_mjd2000_day <= 23667.0 + 1e-9
    # the DP optimises the same sequence over a superset of the beam's timings (1-day grid)
    assert q.dv_total_m_s <= p.dv_total_m_s * 1.02
    assert optimise_epochs(debris, p.debris_ids, 23467.0, 23467.0 + 5.0 * p.n) is None  # cannot fit


def test_epoch_dp_is_the_exhaustive_optimum_and_its_cache_changes_nothing(debris):
    """Three debris in a 40-day window on a 1-day grid: the DP's Σ estimated ΔV equals the least
    over every (launch, departure, flight) timing enumerated by brute force; asked again (the
    leg grids then come from the cache) it returns the same plan."""
    from spacesweepers.planning import sequence as sq
    from spacesweepers.planning.estimate import estimate_debris_legs

    seq, lo, hi = TRIO, 23467.0, 23507.0
    sq._leg_grids.clear()
    q = optimise_epochs(debris, seq, lo, hi, max_tof_day=12.0)
    grid, tofs = np.arange(lo, hi + 1e-9), np.arange(1.0, 12.5)
    legs = [estimate_debris_legs(debris, a, b, grid[:, None], tofs[None, :]) for a, b in zip(seq, seq[1:])]
    best = np.inf
    for i0, d0 in enumerate(grid):
        if d0 < lo + STAY_DAY:  # launched at lo at the earliest, then a 5-day stay
            continue
        for j0, t0 in enumerate(tofs):
            later = grid >= d0 + t0 + STAY_DAY  # the second stay, then the last leg
            fits = later[:, None] & (grid[:, None] + tofs[None, :] + STAY_DAY <= hi + 1e-9)
            if fits.any():
                best = min(best, legs[0][i0, j0] + legs[1][fits].min())
    assert q.dv_total_m_s == pytest.approx(best, rel=1e-9)
    assert sq._leg_grids.grids  # the two legs' grids are kept
    again = optimise_epochs(debris, seq, lo, hi, max_tof_day=12.0)
    assert again == q
    # the priced grids are kept whole: a leg excluded in one call is excluded in that call only
    assert optimise_epochs(debris, seq, lo, hi, max_tof_day=12.0, forbidden=[(seq[0], None, seq[1], None)]) is None
    assert optimise_epochs(debris, seq, lo, hi, max_tof_day=12.0) == q
    # another debris set (the middle debris' node 2° on) gets grids of its own; once it is
    # gone, so are they
    import gc

    el = debris.elements.copy()
    el[list(debris.ids).index(seq[1]), 3] += np.radians(2.0)
    other = g.DebrisSet(debris.ids, debris.epoch_mjd2000_day, el)
    moved = optimise_epochs(other, seq, lo, hi, max_tof_day=12.0)
    assert moved.dv_total_m_s != pytest.approx(q.dv_total_m_s, rel=1e-3)
    other_id = id(other)
    del other
    gc.collect()
    assert optimise_epochs(debris, seq, lo, hi, max_tof_day=12.0) == q
    # a new set: the gone one's grids are dropped. It is kept alive while the grids are looked
    # at: a temporary may take the gone set's id and be gone itself, leaving its own grid under it
    fresh = g.DebrisSet(debris.ids[:3], debris.epoch_mjd2000_day[:3], debris.elements[:3])
    sq._leg_grids(fresh, 0, 1, np.arange(lo, hi), np.arange(1.0, 3.0))
    assert all(key[0] != other_id or sq._leg_grids.owners[other_id]() is not None for key in sq._leg_grids.grids)
    assert all(key[0] != other_id or sq._leg_grids.owners[other_id]() is not None
               for key in sq._leg_grids.priced_grids)


def test_insertions_price_every_position_as_the_dp_re_timing_it(debris):
    """The forward/backward passes of :class:`~.sequence.Insertions` give, for a debris at
    every position of a 6-debris sequence, the Σ priced ΔV that :func:`optimise_epochs`
    finds re-timing the whole sequence with it (itself the brute-force optimum, test
    above), and ∞ where the DP finds no timing (a free time too short for one more debris)."""
    from spacesweepers.planning.sequence import Insertions, LegPrice

    plans = beam_mission(debris, list(range(0, 123, 3)), [23467.0], 23467.0 + 200.0, beam_width=60,
                         time_price_m_s_day=2.0)
    p = max(plans, key=lambda m: m.n)
    seq = list(p.debris_ids[:6])
    price = LegPrice()
    for lo, hi in ((p.start_mjd2000_day - 10.0, p.end_mjd2000_day + 40.0), (23467.0, 23467.0 + 64.0)):
        ins = Insertions(debris, seq, lo, hi, price=price, min_tof_day=5.0)
        own = optimise_epochs(debris, seq, lo, hi, price=price, min_tof_day=5.0)
        assert ins.dv_m_s == pytest.approx(own.dv_total_m_s, rel=1e-12)
        for x in (1, 58, 100):
            got = ins.insert_dv_m_s(x)
            want = []
            for k in range(len(seq) + 1):
                q = optimise_epochs(debris, seq[:k] + [x] + seq[k:], lo, hi, price=price, min_tof_day=5.0)
                want.append(np.inf if q is None else q.dv_total_m_s)
            np.testing.assert_allclose(got, want, rtol=1e-12)
            assert ins.insert_dv_m_s(x, [len(seq), 0]).tolist() == [got[-1], got[0]]
    assert np.isinf(got).all()  # 7 debris need 35 days of stays and 30 of flights: 64 are too few


def test_leg_price_is_the_estimate_plus_overhead_short_and_steeper_long():
    """The search's leg price: estimate + 16 m/s on short flights; on flights of 20 days or
    more 1.3 × estimate − 40 once that is dearer (above 187 m/s); halfway at 15 days; above
    700 m/s estimated, a surcharge of 0.35 m/s per m/s."""
    from spacesweepers.planning.sequence import LegPrice

    price = LegPrice()
    est = np.array([100.0, 400.0])
    assert price(est, 5.0) == pytest.approx([116.0, 416.0])
    assert price(est, 25.0) == pytest.approx([116.0, 480.0])
    assert price(est, 15.0) == pytest.approx([116.0, 448.0])  # slope 1.15, offset −12
    assert price(np.float32(187.0), 30.0) == pytest.approx(203.0, abs=0.2)  # where the two meet
    # above 700 m/s estimated, 0.35 m/s more per m/s: the three dearest legs flown (1.27-1.42 x)
    assert price(np.array([700.0, 1062.7, 1216.4]), 30.0) == pytest.approx([870.0, 1468.5, 1722.1], abs=0.1)


def test_leg_grids_moved_in_time_come_from_the_same_chunks(debris):
    """The leg grids are kept in chunks of a grid common to every call: a DP over a free time
    moved by days (and over one whose epochs fall half-way between days) returns exactly the
    plan it returns with nothing kept; the one moved by whole days needs no chunk more."""
    from spacesweepers.planning import sequence as sq

    seq = TRIO
    for lo, hi in ((23467.0, 23520.0), (23470.0, 23527.0), (23467.5, 23520.5)):
        sq._leg_grids.clear()
        fresh = optimise_epochs(debris, seq, lo, hi)
        sq._leg_grids.clear()
        optimise_epochs(debris, seq, 23467.0, 23520.0)
        before = len(sq._leg_grids.grids)
        kept = optimise_epochs(debris, seq, lo, hi)
        assert kept == fresh and kept.dv_total_m_s == fresh.dv_total_m_s
        added = len(sq._leg_grids.grids) - before
        assert added == (before if lo % 1 else 0)  # days 23456–23551 are chunks 733–735 of 32 days


def test_search_is_deterministic_with_a_seed(debris):
    pool = list(range(0, 123, 10))
    kw = dict(settings=SearchSettings(beam_width=40), seed=3, window_mjd2000_day=(23467.0, 24200.0), max_rounds=3)
    a = search_campaign(debris, pool, 60.0, **kw)
    b = search_campaign(debris, pool, 60.0, **kw)
    assert a[0] is not None and [m.to_dict() for m in a[0]] == [m.to_dict() for m in b[0]]
    assert sorted(d for m in a[0] for d in m.debris_ids) == pool


def test_small_campaign_is_valid_and_resumes(debris, tmp_path):
    res = solve_campaign(debris, 0.2, tmp_path, pool_ids=TRIO, workers=1)
    assert res.ok, res.problems + [str(v) for v in res.report.violations]
    missions = g.read_missions(tmp_path)
    rep = g.check_missions(missions, debris, require_all=False)
    assert rep.ok and rep.n_debris == 3
    assert g.score_missions(missions).j_meur == pytest.approx(res.j_meur, rel=1e-12)
    for m in missions:  # no propellant left at the end, as the mass recursion intends
        assert m.events[-1].mass_kg == pytest.approx(2000.0, abs=1e-6)
    legs = json.loads((tmp_path / "legs.json").read_text())
    assert all(d["ok"] for d in legs.values())
    # the descents' results are kept, cheapest first, and the annealing returned none dearer
    descents = json.loads((tmp_path / "descents.json").read_text())
    assert descents and [d["estimated_j_meur"] for d in descents] == sorted(d["estimated_j_meur"] for d in descents)
    first = [MissionPlan.from_dict(m) for m in descents[0]["missions"]]
    assert campaign_cost_meur(first) == pytest.approx(descents[0]["estimated_j_meur"], rel=1e-12)
    assert sorted(d for m in first for d in m.debris_ids) == sorted(TRIO)
    assert res.estimated_j_meur <= descents[0]["estimated_j_meur"] + 1e-9
    again = solve_campaign(debris, 0.2, tmp_path, pool_ids=TRIO, workers=1)  # resumes: nothing to fly
    assert again.ok and again.j_meur == pytest.approx(res.j_meur, rel=1e-12) and again.runtime_s < 15.0


def test_bad_input_is_explained(debris, tmp_path):
    with pytest.raises(NotFound, match="no debris with id 999"):
        solve_campaign(debris, 0.1, tmp_path, pool_ids=[1, 999])
    with pytest.raises(SweepersError, match="positive"):
        solve_campaign(debris, 0.0, tmp_path)
    with pytest.raises(SweepersError, match="no complete campaign"):
        solve_campaign(debris, 0.05, tmp_path / "x", pool_ids=list(range(40)), window_mjd2000_day=(23467.0, 23500.0))


def test_cli_solve(debris, tmp_path, shared_data, monkeypatch):
    from typer.testing import CliRunner

    from spacesweepers.cli.gtoc9 import app

    monkeypatch.setenv("SWEEPERS_GTOC9_DEBRIS", str(shared_data / "gtoc9" / "debris.csv"))
    out = tmp_path / "camp"
    args = ["solve", "--minutes", "0.2", "--out", str(out), "--workers", "1", "--json", "--plots"]
    r = CliRunner().invoke(app, args + [x for i in TRIO for x in ("--id", str(i))])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["ok"] and d["n_debris"] == 3 and d["j_meur"] > 55.0
    assert all((out / f).stat().st_size > 1000 for f in ("timeline.png", "route-raan.png", "leg-dv.png"))
    bad = CliRunner().invoke(app, ["solve", "--minutes", "-1", "--out", str(out)])
    assert bad.exit_code != 0


def _gaps_ok(plans, window):
    order = sorted(plans, key=lambda m: m.start_mjd2000_day)
    assert order[0].start_mjd2000_day >= window[0] - 1e-9 and order[-1].end_mjd2000_day <= window[1] + 1e-9
    for a, b in zip(order, order[1:]):
        assert b.start_mjd2000_day - a.end_mjd2000_day >= 30.0 - 1e-9


def test_improve_campaign_never_raises_j_and_keeps_the_rules(debris):
    from spacesweepers.planning.campaign import campaign_cost_meur, improve_campaign

    pool = list(range(0, 123, 10))
    window = (23467.0, 24200.0)
    s = SearchSettings(beam_width=40)
    start, j0, _, _ = search_campaign(debris, pool, 60.0, s, seed=3, window_mjd2000_day=window, max_rounds=3)
    assert start is not None
    better = improve_campaign(debris, start, s, window, seconds=20.0)
    assert campaign_cost_meur(better) <= j0 + 1e-9
    assert sorted(d for m in better for d in m.debris_ids) == pool  # every debris exactly once
    _gaps_ok(better, window)
    for m in better:  # each mission is re-priced from its own epochs: the DP's cost is the plan's
        arr, dep = np.array(m.arrival_mjd2000_day), np.array(m.departure_mjd2000_day)
        assert np.all(dep - arr >= STAY_DAY - 1e-9) and np.all(arr[1:] > dep[:-1])


def test_improve_campaign_ends_where_no_mission_can_be_dissolved(debris):
    """At the descent's end no mission, whatever its size, can be dissolved into the others
    (positions up to 30° of node away, every mission under the propellant cap) for a lower J."""
    from spacesweepers.planning.campaign import (_affordable, _retime_all, campaign_cost_meur, improve_campaign,
                                                 insert_leftovers)

    pool = list(range(0, 123, 10))
    window = (23467.0, 24200.0)
    s = SearchSettings(beam_width=40)
    start, _, _, _ = search_campaign(debris, pool, 60.0, s, seed=3, window_mjd2000_day=window, max_rounds=3)
    out = improve_campaign(debris, start, s, window, seconds=600.0)
    j = campaign_cost_meur(out)
    assert j <= campaign_cost_meur(start) and len(out) >= 2
    for k, m in enumerate(out):
        rest, left = insert_leftovers(debris, out[:k] + out[k + 1:], set(m.debris_ids), s, window,
                                      max_gap_deg=30.0, propellant_cap_kg=4600.0)
        if not left and _affordable(rest, 4600.0):
            assert campaign_cost_meur(_retime_all(debris, rest, s, window)) >= j - 1e-6


def _one_debris_out(debris):
    """A small campaign with debris ``x`` taken out of its biggest mission, and where
    :func:`insert_leftovers` puts it back: (pool, window, settings, x, rest, free)."""
    from spacesweepers.planning.campaign import insert_leftovers

    pool = list(range(0, 123, 10))
    window = (23467.0, 24200.0)
    s = SearchSettings(beam_width=40)
    plans, _, _, _ = search_campaign(debris, pool, 60.0, s, seed=3, window_mjd2000_day=window, max_rounds=3)
    big = max(plans, key=lambda m: m.n)
    x = big.debris_ids[1]
    rest = [m for m in plans if m is not big] + [optimise_epochs(
        debris, [d for d in big.debris_ids if d != x], big.start_mjd2000_day, big.end_mjd2000_day)]
    free, left = insert_leftovers(debris, rest, {x}, s, window)
    assert not left
    return pool, window, s, x, rest, free


def test_insert_leftovers_keeps_missions_under_the_propellant_cap(debris):
    """With a cap just under what the cheapest insertion needs, the debris goes to its next-best
    place (or nowhere): never into a mission over the cap."""
    from spacesweepers.planning.campaign import _propellant_kg, insert_leftovers

    pool, window, s, x, rest, free = _one_debris_out(debris)
    need = _propellant_kg(next(m for m in free if x in m.debris_ids))
    capped, left = insert_leftovers(debris, rest, {x}, s, window, propellant_cap_kg=need - 1.0)
    homes = [m for m in capped if x in m.debris_ids]
    assert (left == {x} and not homes) or (not left and _propellant_kg(homes[0]) <= need - 1.0)
    assert sorted(d for m in capped for d in m.debris_ids) == sorted(set(pool) - left)


def test_insert_leftovers_chooses_as_re_timing_every_position_would(debris, monkeypatch):
    """Only the positions of least Σ ΔV are re-timed in full; here that changes nothing:
    re-timing every position (no limit) puts the debris in the same place at the same cost,
    at 6° and at 30°."""
    from spacesweepers.planning import campaign as c

    pool, window, s, x, rest, free = _one_debris_out(debris)
    for gap in (6.0, 30.0):
        fast, left = c.insert_leftovers(debris, rest, {x}, s, window, max_gap_deg=gap)
        with monkeypatch.context() as mp:
            mp.setattr(c, "_INSERT_TRIED", 10**6)
            mp.setattr(c, "_INSERT_LOOKS", 10**6)
            full, left_full = c.insert_leftovers(debris, rest, {x}, s, window, max_gap_deg=gap)
        assert not left and not left_full
        assert fast == full


def test_partition_master_picks_an_exact_cover_no_dearer_than_its_seeds(debris):
    from spacesweepers.planning.campaign import campaign_cost_meur
    from spacesweepers.planning.partition import ColumnPool, solve_master

    pool_ids = list(range(0, 123, 8))
    window = (23467.0, 24600.0)
    seeds = []
    search_campaign(debris, pool_ids, 90.0, SearchSettings(beam_width=30), seed=2, window_mjd2000_day=window,
                    max_rounds=3, collect=seeds)
    complete = [c for c in seeds if sorted(d for m in c for d in m.debris_ids) == pool_ids]
    assert complete
    cols = ColumnPool(123)
    for c in seeds:
        for m in c:
            cols.add(m)
    x, lp, pi, mu, starts, _ = solve_master(cols, pool_ids, integer=False)
    chosen, obj, _, _, _, uncovered = solve_master(cols, pool_ids, integer=True, time_limit_s=30.0)
    best_seed = min(campaign_cost_meur(c) for c in complete)
    plans = [cols.plans[k] for k in chosen]
    assert not uncovered and sorted(d for m in plans for d in m.debris_ids) == pool_ids
    _gaps_ok(plans, window)
    assert lp <= obj + 1e-6 and obj <= best_seed + 1e-6  # LP bound ≤ MILP ≤ the best seed campaign
    assert np.all(mu >= 0) and pi.shape == (len(pool_ids),)


def test_insert_leftovers_avoids_legs_that_could_not_be_flown(debris):
    from spacesweepers.planning.campaign import insert_leftovers

    pool, window, s, x, rest, free = _one_debris_out(debris)
    home = next(m for m in free if x in m.debris_ids)
    k = home.debris_ids.index(x)
    pairs = set(zip(home.debris_ids, home.debris_ids[1:]))
    bad = [p for p in pairs if x in p]
    assert bad  # x has a neighbour, so a leg into or out of it
    again, left = insert_leftovers(debris, rest, {x}, s, window, forbidden_pairs=bad)
    legs = {p for m in again for p in zip(m.debris_ids, m.debris_ids[1:])}
    assert not (set(bad) & legs) and (left or any(x in m.debris_ids for m in again))
    assert k >= 0



def _without(debris, plans, x):
    """The campaign with debris ``x`` taken out of its mission (re-timed in the same time)."""
    home = next(m for m in plans if x in m.debris_ids)
    q = optimise_epochs(debris, [d for d in home.debris_ids if d != x], home.start_mjd2000_day, home.end_mjd2000_day)
    return [q if m is home else m for m in plans]


SWAP_POOL, SWAP_WINDOW = list(range(0, 123, 4)), (23467.0, 24600.0)  # two missions of 8 debris, then small ones


def test_make_room_swaps_a_debris_in_and_the_other_elsewhere(debris):
    from spacesweepers.planning.campaign import campaign_cost_meur, make_room

    s = SearchSettings(beam_width=40)
    plans, _, _, _ = search_campaign(debris, SWAP_POOL, 60.0, s, seed=3, window_mjd2000_day=SWAP_WINDOW, max_rounds=2)
    big = max(plans, key=lambda m: m.n)
    assert big.n >= 6
    x = big.debris_ids[2]
    rest = _without(debris, plans, x)
    out, placed = make_room(debris, rest, x, s, SWAP_WINDOW)
    assert placed
    assert sorted(d for m in out for d in m.debris_ids) == SWAP_POOL  # x in, the debris it displaced elsewhere
    _gaps_ok(out, SWAP_WINDOW)
    moved = [k for k, (m, r) in enumerate(zip(out, rest)) if m.debris_ids != r.debris_ids]
    assert len(moved) == 2 and x in out[moved[0]].debris_ids + out[moved[1]].debris_ids
    gone = set(rest[moved[0]].debris_ids + rest[moved[1]].debris_ids) - {x}
    assert gone == set(out[moved[0]].debris_ids + out[moved[1]].debris_ids) - {x}  # y changed missions only
    assert campaign_cost_meur(out) > campaign_cost_meur(rest)  # one more debris is never free


def test_place_opens_a_slot_for_a_debris_no_mission_can_take(debris):
    from spacesweepers.planning.campaign import _free_slot, _open_slot, _place, campaign_cost_meur

    s = SearchSettings(beam_width=40)
    plans, _, _, _ = search_campaign(debris, SWAP_POOL, 60.0, s, seed=3, window_mjd2000_day=SWAP_WINDOW, max_rounds=2)
    two = sorted(plans, key=lambda m: -m.n)[:2]  # the two 8-debris missions, 30 days apart
    x = two[0].debris_ids[2]
    rest = _without(debris, two, x)
    pool = sorted(d for m in two for d in m.debris_ids)
    # a window they fill: no free slot for a mission of x's own
    full = (min(m.start_mjd2000_day for m in two), max(m.end_mjd2000_day for m in two))
    assert _free_slot(rest, full) is None
    opened, t = _open_slot(debris, rest, s, full)
    assert t is not None
    solo = [type(rest[0])((x,), (t,), (t + STAY_DAY,), ())]
    _gaps_ok(opened + solo, full)
    assert campaign_cost_meur(opened) >= campaign_cost_meur(rest) - 1e-9  # less time never costs less
    # every leg into or out of x forbidden: no insertion, no swap; _place falls through to the opened slot
    others = [d for d in pool if d != x]
    no = [(x, d) for d in others] + [(d, x) for d in others]
    out, placed = _place(debris, rest, x, s, full, lambda msg: None, forbidden_pairs=no)
    assert placed
    assert sorted(d for m in out for d in m.debris_ids) == pool
    alone = [m for m in out if m.debris_ids == (x,)]
    assert len(alone) == 1 and alone[0].end_mjd2000_day <= full[1]
    _gaps_ok(out, full)


def test_epoch_dp_caps_the_flight_time_of_a_pair(debris):
    """A fifth element in a forbidden leg caps that pair's flight time (the re-planner's second
    try after a long leg failed), and leaves the other legs free."""
    plans = beam_mission(debris, list(range(0, 123, 3)), [23467.0], 23467.0 + 200.0, beam_width=60,
                         time_price_m_s_day=1.0)
    p = plans[-1]
    q = optimise_epochs(debris, p.debris_ids, p.start_mjd2000_day, p.end_mjd2000_day)
    tof = np.array(q.arrival_mjd2000_day[1:]) - np.array(q.departure_mjd2000_day[:-1])
    k = int(np.argmax(tof))
    assert tof[k] > 8.0
    pair = (q.debris_ids[k], q.debris_ids[k + 1])
    capped = optimise_epochs(debris, p.debris_ids, p.start_mjd2000_day, p.end_mjd2000_day,
                             forbidden=[(pair[0], None, pair[1], None, 8.0)])
    tof2 = np.array(capped.arrival_mjd2000_day[1:]) - np.array(capped.departure_mjd2000_day[:-1])
    assert tof2[k] <= 8.0 + 1e-9
    assert capped.dv_total_m_s >= q.dv_total_m_s - 1e-6  # the DP's optimum over a smaller set
    assert optimise_epochs(debris, p.debris_ids, p.start_mjd2000_day, p.end_mjd2000_day,
                           forbidden=[(pair[0], None, pair[1], None)]) is None  # the pair excluded: no timing


def test_improve_campaign_moves_a_debris_back_within_its_own_mission(debris):
    """A debris put two places late in its mission: the relocation, which also tries the
    debris' own mission, finds a campaign at least as cheap as the one before the damage."""
    from spacesweepers.planning.campaign import campaign_cost_meur, improve_campaign

    s = SearchSettings(beam_width=40)
    plans, _, _, _ = search_campaign(debris, SWAP_POOL, 60.0, s, seed=3, window_mjd2000_day=SWAP_WINDOW, max_rounds=2)
    k = max(range(len(plans)), key=lambda i: plans[i].n)
    damaged = None
    for i in range(plans[k].n - 2):  # the first debris whose move two places later costs, but flies
        ids = list(plans[k].debris_ids)
        ids.insert(i + 2, ids.pop(i))
        late = optimise_epochs(debris, ids, plans[k].start_mjd2000_day, plans[k].end_mjd2000_day,
                               price=s.price, min_tof_day=s.min_tof_day)
        if late is not None and plans[k].cost_meur + 0.5 < late.cost_meur < np.inf:
            damaged = plans[:k] + [late] + plans[k + 1:]
            break
    assert damaged is not None
    fixed = improve_campaign(debris, damaged, s, SWAP_WINDOW, seconds=30.0)
    assert campaign_cost_meur(fixed) <= campaign_cost_meur(plans) + 1e-9
    assert sorted(d for m in fixed for d in m.debris_ids) == SWAP_POOL
    _gaps_ok(fixed, SWAP_WINDOW)


def test_local_search_from_several_starts_is_no_worse_than_from_the_best(debris):
    """The local search run from the three cheapest distinct complete attempts keeps the
    cheapest result, so it is never dearer than from the cheapest attempt alone (each run
    reaches its local optimum well inside its share of the time on this small pool)."""
    from spacesweepers.planning.campaign import _improve_best, campaign_cost_meur, improve_campaign

    s = SearchSettings(beam_width=40)
    tried: list = []
    best, _, _, _ = search_campaign(debris, SWAP_POOL, 60.0, s, seed=3, window_mjd2000_day=SWAP_WINDOW, max_rounds=4,
                                    collect=tried)
    one = improve_campaign(debris, best, s, SWAP_WINDOW, seconds=60.0)
    plans, j = _improve_best(debris, SWAP_POOL, tried, s, SWAP_WINDOW, 180.0, 3, lambda msg: None)
    assert j == pytest.approx(campaign_cost_meur(plans)) and j <= campaign_cost_meur(one) + 1e-9
    assert sorted(d for m in plans for d in m.debris_ids) == SWAP_POOL
    _gaps_ok(plans, SWAP_WINDOW)


def test_annealing_keeps_the_rules_never_returns_dearer_and_is_seeded(debris):
    """Simulated annealing from a small complete campaign: every debris exactly once, stays
    and 30-day gaps kept, each mission priced by its own epochs, no dearer than its start;
    with a step limit the same seed gives the same campaign."""
    from spacesweepers.planning.campaign import anneal_campaign, campaign_cost_meur

    s = SearchSettings(beam_width=40)
    plans, j0, _, _ = search_campaign(debris, SWAP_POOL, 60.0, s, seed=3, window_mjd2000_day=SWAP_WINDOW, max_rounds=2)
    kw = dict(seconds=300.0, seed=5, max_steps=1500)
    a = anneal_campaign(debris, plans, s, SWAP_WINDOW, **kw)
    b = anneal_campaign(debris, plans, s, SWAP_WINDOW, **kw)
    assert [m.to_dict() for m in a] == [m.to_dict() for m in b]
    assert campaign_cost_meur(a) <= j0 + 1e-9
    assert sorted(d for m in a for d in m.debris_ids) == SWAP_POOL
    _gaps_ok(a, SWAP_WINDOW)
    for m in a:
        arr, dep = np.array(m.arrival_mjd2000_day), np.array(m.departure_mjd2000_day)
        assert np.all(dep - arr >= STAY_DAY - 1e-9) and np.all(arr[1:] > dep[:-1])
        again = optimise_epochs(debris, m.debris_ids, m.start_mjd2000_day, m.end_mjd2000_day, price=s.price,
                                min_tof_day=s.min_tof_day)
        assert again is not None and again.cost_meur <= m.cost_meur + 1e-9  # the DP's own optimum on that time


def _one_alone(debris, s):
    """The small campaign with its biggest mission's fourth debris flown alone, in a free slot
    after the others: (that debris, the campaign)."""
    from spacesweepers.planning.campaign import _free_slot
    from spacesweepers.planning.sequence import MissionPlan

    plans, _, _, _ = search_campaign(debris, SWAP_POOL, 60.0, s, seed=3, window_mjd2000_day=SWAP_WINDOW, max_rounds=2)
    x = max(plans, key=lambda m: m.n).debris_ids[3]
    rest = _without(debris, plans, x)
    t = _free_slot(rest, SWAP_WINDOW)
    assert t is not None
    return x, sorted(rest + [MissionPlan((x,), (t,), (t + STAY_DAY,), ())], key=lambda m: m.start_mjd2000_day)


def test_annealing_empties_a_mission_whose_debris_fits_elsewhere(debris):
    """A debris taken out of a mission and flown alone (a 55 MEUR mission of its own, in a
    free slot after the others): the annealing's relocation puts it back and the
    single-debris mission, with its base cost, is gone (here others with it)."""
    from spacesweepers.planning.campaign import anneal_campaign, campaign_cost_meur

    s = SearchSettings(beam_width=40)
    x, alone = _one_alone(debris, s)
    out = anneal_campaign(debris, alone, s, SWAP_WINDOW, seconds=300.0, seed=1, max_steps=800)
    assert len(out) <= len(alone) - 1 and all(m.n > 1 for m in out if x in m.debris_ids)
    assert campaign_cost_meur(out) < campaign_cost_meur(alone) - 50.0  # the base cost saved, less the insertion
    assert sorted(d for m in out for d in m.debris_ids) == SWAP_POOL
    _gaps_ok(out, SWAP_WINDOW)


def test_annealing_moves_time_from_a_mission_that_can_spare_it(debris):
    """The first mission squeezed into 40 days less and the second grown back over them (the
    window is then full and no relocation or re-timing inside each mission's free time can
    give the time back): boundary shifts alone return time to the first, at a lower
    estimated J, with the 30-day gap and every rule kept."""
    from spacesweepers.planning.campaign import _retime, anneal_campaign, campaign_cost_meur

    s = SearchSettings(beam_width=40)
    plans, _, _, _ = search_campaign(debris, SWAP_POOL, 60.0, s, seed=3, window_mjd2000_day=SWAP_WINDOW, max_rounds=2)
    plans = sorted(plans, key=lambda m: m.start_mjd2000_day)
    a, b = plans[0], plans[1]
    qa = _retime(debris, a.debris_ids, a.start_mjd2000_day, a.end_mjd2000_day, s, end_by=a.end_mjd2000_day - 40.0)
    qb = _retime(debris, b.debris_ids, qa.end_mjd2000_day + 30.0, b.end_mjd2000_day, s)
    squeezed = [qa, qb] + plans[2:]
    assert qa.cost_meur > a.cost_meur + 0.5  # the squeeze costs the first mission
    out = anneal_campaign(debris, squeezed, s, SWAP_WINDOW, seconds=300.0, seed=2, max_steps=60,
                          shift_probability=1.0)
    first = min(out, key=lambda m: m.start_mjd2000_day)
    assert first.debris_ids == a.debris_ids and first.end_mjd2000_day > qa.end_mjd2000_day
    assert campaign_cost_meur(out) < campaign_cost_meur(squeezed) - 0.5
    assert sorted(d for m in out for d in m.debris_ids) == SWAP_POOL
    _gaps_ok(out, SWAP_WINDOW)


def test_node_gaps_of_every_position_at_once_equal_one_at_a_time(debris):
    """The annealing's vectorised node gaps (every position of every mission, for a debris
    and for a block) are the scalar ones, position by position."""
    from spacesweepers.planning.campaign import _position_gap_rad, _position_gaps_rad

    s = SearchSettings(beam_width=40)
    plans, _, _, _ = search_campaign(debris, SWAP_POOL, 60.0, s, seed=3, window_mjd2000_day=SWAP_WINDOW, max_rounds=1)
    for first, last in ((1, None), (2, 7)):
        gap, k, p = _position_gaps_rad(debris, plans, first, last)
        assert gap.size == sum(m.n + 1 for m in plans)
        for gi, ki, pi in zip(gap, k, p):
            assert gi == pytest.approx(_position_gap_rad(debris, plans[ki], pi, first, last), abs=1e-12)
    assert _position_gaps_rad(debris, [], 1)[0].size == 0


def test_annealing_dissolves_a_mission_whose_debris_fit_elsewhere_in_one_pass(debris):
    """A debris flown alone (its own 55 MEUR mission): the annealing's dissolve pass, at the
    first step here, puts it into the others at once, and every rule is kept."""
    from spacesweepers.planning.campaign import anneal_campaign, campaign_cost_meur

    s = SearchSettings(beam_width=40)
    x, alone = _one_alone(debris, s)
    said: list = []
    out = anneal_campaign(debris, alone, s, SWAP_WINDOW, seconds=300.0, seed=1, max_steps=1, dissolve_at=(0.0,),
                          log=said.append)
    assert any("dissolved a 1-debris mission" in m for m in said)
    assert len(out) <= len(alone) - 1 and all(m.n > 1 for m in out if x in m.debris_ids)
    assert campaign_cost_meur(out) < campaign_cost_meur(alone) - 50.0
    assert sorted(d for m in out for d in m.debris_ids) == SWAP_POOL
    _gaps_ok(out, SWAP_WINDOW)


def test_parallel_search_is_complete_and_no_dearer_than_its_first_greedy(debris):
    """Two search processes (seeds 3 and 1003): the campaign is complete, keeps the rules,
    and is no dearer than the first greedy attempt of seed 3 alone (which worker 1 makes
    first, then only improves on: restarts keep the cheapest, the descent and the annealing
    never return a dearer campaign)."""
    from spacesweepers.planning.campaign import campaign_cost_meur, parallel_search

    pool, window = list(range(0, 123, 10)), (23467.0, 24200.0)
    s = SearchSettings(beam_width=40)
    first, j1, _, _ = search_campaign(debris, pool, 60.0, s, seed=3, window_mjd2000_day=window, max_rounds=1)
    assert first is not None
    descents: list = []
    plans, j, _, attempts = parallel_search(debris, pool, 20.0, s, 3, window, workers=2, improve_fraction=0.5,
                                            n_starts=2, descents=descents)
    assert plans is not None and attempts >= 2
    assert j == pytest.approx(campaign_cost_meur(plans)) and j <= j1 + 1e-9
    # both processes' descents come back, cheapest first, and the annealing returned none dearer
    dj = [campaign_cost_meur(c) for c in descents]
    assert len(dj) >= 2 and dj == sorted(dj) and j <= dj[0] + 1e-9
    assert sorted(d for m in plans for d in m.debris_ids) == pool
    _gaps_ok(plans, window)


def test_a_leg_that_could_not_be_flown_is_re_planned_around(debris, tmp_path):
    """Resume a flown 3-debris campaign whose first leg is marked as failed in the checkpoint:
    the re-planner re-times the mission away from that leg's epochs (within 5 days of both
    is excluded), flies the new legs, and the campaign is valid and complete again."""
    first = solve_campaign(debris, 0.2, tmp_path, pool_ids=TRIO, workers=1)
    assert first.ok
    legs_file = tmp_path / "legs.json"
    legs = json.loads(legs_file.read_text())
    plan = json.loads((tmp_path / "campaign.json").read_text())["missions"][0]
    dep, arr = plan["debris_ids"][0], plan["debris_ids"][1]
    t_dep, t_arr = plan["departure_mjd2000_day"][0], plan["arrival_mjd2000_day"][1]
    key = f"{dep}:{float(t_dep)!r}:{arr}:{float(t_arr)!r}"
    legs[key].update(ok=False, converged=False, message="marked as failed by the test")
    legs_file.write_text(json.dumps(legs))
    again = solve_campaign(debris, 0.2, tmp_path, pool_ids=TRIO, workers=1)
    assert again.ok, again.problems + [str(v) for v in again.report.violations]
    assert sorted(d for m in again.plans for d in m.debris_ids) == sorted(TRIO)
    for m in again.plans:
        for a, b in zip(m.visits, m.visits[1:]):
            if (a[0], b[0]) == (dep, arr):  # the same pair again only away from the failed epochs
                assert abs(a[2] - t_dep) > 5.0 or abs(b[1] - t_arr) > 5.0


def test_legs_are_flown_fast_only_when_the_deadline_needs_it(debris):
    """``fly_legs`` with a deadline it cannot meet at full quality flies the legs with
    ``n_starts=1`` (the same transfer as ``fly_leg(..., n_starts=1)``) and marks them; with
    time to spare it flies them at full quality, no dearer than the fast ones."""
    import time

    from spacesweepers.planning.campaign import fly_leg, fly_legs, transfer_from_dict

    legs = [(5, 23480.0, 54, 23485.0)]
    late = fly_legs(debris, legs, {}, workers=1, deadline=time.time() - 1.0)
    on_time = fly_legs(debris, legs, {}, workers=1, deadline=time.time() + 3600.0)
    (fast,), (full,) = late.values(), on_time.values()
    assert fast["fast"] and not full["fast"] and fast["ok"] and full["ok"]
    ref = fly_leg(debris, *legs[0], n_starts=1)
    dv = lambda d: transfer_from_dict(d).dv_total_m_s  # noqa: E731
    assert dv(fast) == pytest.approx(ref.dv_total_m_s, rel=1e-9)
    assert dv(full) <= dv(fast) + 1e-6


def test_refining_flies_legs_again_from_the_starts_not_polished_and_keeps_the_cheaper(debris):
    """``refine_legs`` re-flies a fast leg from starts 1–5 and a full one from starts 3–8
    (the same transfers as ``exact_transfer(..., first_start=…)``), keeps the cheaper flight
    of each, marks both refined so a second call (a resumed run) does nothing, and does
    nothing when its deadline leaves no time."""
    import time

    from spacesweepers.planning.campaign import _leg_key, fly_legs, refine_legs, transfer_from_dict
    from spacesweepers.planning.transfer import exact_transfer

    fast_leg, full_leg = (5, 23480.0, 54, 23485.0), (54, 23490.0, 112, 23505.0)
    cache = fly_legs(debris, [fast_leg], {}, workers=1, deadline=time.time() - 1.0)
    fly_legs(debris, [full_leg], cache, workers=1, deadline=time.time() + 3600.0)
    assert cache[_leg_key(fast_leg)]["fast"] and not cache[_leg_key(full_leg)]["fast"]
    before = {k: dict(d) for k, d in cache.items()}
    assert refine_legs(debris, [fast_leg, full_leg], cache, workers=1, deadline=time.time() + 1.0) == 0
    assert cache == before  # no time: nothing flown, nothing marked
    refine_legs(debris, [fast_leg, full_leg], cache, workers=1, deadline=time.time() + 3600.0)
    dv = lambda d: transfer_from_dict(d).dv_total_m_s  # noqa: E731
    for leg, fast in ((fast_leg, True), (full_leg, False)):
        key = _leg_key(leg)
        again = exact_transfer(debris, *leg, mode="optimal", n_starts=5 if fast else 6, first_start=1 if fast else 3)
        want = min(dv(before[key]), again.dv_total_m_s if again.ok else np.inf)
        assert cache[key]["refined"] and cache[key]["ok"] and dv(cache[key]) == pytest.approx(want, rel=1e-9)
    marked = {k: dict(d) for k, d in cache.items()}
    assert refine_legs(debris, [fast_leg, full_leg], cache, workers=1, deadline=time.time() + 3600.0) == 0
    assert cache == marked


def _blas_threads():
    import scipy.optimize  # noqa: F401  (as the exact solver does, after the pool started)
    from threadpoolctl import threadpool_info

    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def test_worker_processes_run_blas_on_one_thread():
    # two worker processes with a BLAS thread per core each spin against each other on two
    # cores (flying took twice as long): every OpenBLAS loaded, SciPy's included, gets one
    from multiprocessing import get_context

    from spacesweepers.planning.campaign import _one_blas_thread, _pool_init

    with get_context("fork").Pool(1, _one_blas_thread) as pool:
        threads = pool.apply(_blas_threads)
    assert threads and set(threads) == {1}  # NumPy's and SciPy's OpenBLAS (one library where they share it)
    with get_context("fork").Pool(1, _pool_init, ((np.array([1]), np.array([0.0]), np.zeros((1, 6))),)) as pool:
        assert set(pool.apply(_blas_threads)) == {1}  # the flying pool's initializer too
