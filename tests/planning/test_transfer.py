"""Optimised J2 transfer: flyable by the independent GTOC9 validator, cheaper than two impulses."""

import numpy as np

from spacesweepers.planning import gtoc9 as g
from spacesweepers.planning.estimate import estimate_debris_legs
from spacesweepers.planning.transfer import exact_transfer


def test_optimised_leg_is_valid_and_beats_the_two_impulse_lambert(debris, leg_60_86):
    """60 → 86, 1 day: free impulse epochs must not cost more than the two-impulse J2 Lambert
    (the optimiser starts from it), and the estimate (ideal placement) stays below."""
    opt = exact_transfer(debris, 60, 23500.0, 86, 23501.0, mode="optimal")
    assert opt.ok, opt.message
    assert opt.dv_total_m_s <= leg_60_86.dv_total_m_s + 1e-6
    assert float(estimate_debris_legs(debris, 60, 86, 23500.0, 1.0)) < opt.dv_total_m_s
    # the validator re-integrates every arc from the written states (100 m, 1 m/s, 6,600 km)
    m = g.mission_from_legs("m", debris, [(60, 23495.0, 23500.0), (86, 23501.0, 23506.0)], [opt])
    rep = g.check_missions([m], debris, require_all=False)
    assert rep.ok, [str(v) for v in rep.violations]
    assert rep.n_arcs == len(opt.impulses) - 1
    epochs = [i.epoch_mjd2000_day for i in opt.impulses]
    assert epochs[0] == 23500.0 and epochs[-1] == 23501.0 and np.all(np.diff(epochs) >= 0)
