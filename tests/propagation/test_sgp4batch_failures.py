"""Failures are data: one decayed or broken object never aborts, or changes, a batch."""

from __future__ import annotations

import importlib.resources as resources

import numpy as np
import pytest
from sgp4.api import Satrec

from spacesweepers.catalog.formats.tle import read_tle
from spacesweepers.propagation import ERROR_MESSAGES, INVALID_ELEMENTS, Ephemeris, Propagator, propagate
from spacesweepers.time import Time


@pytest.fixture(scope="module")
def vallado():
    text = (resources.files("sgp4") / "SGP4-VER.TLE").read_text()
    return {es.norad_id: es for es in read_tle(text, verify_checksum=False).element_sets}


def test_decayed_object_gets_nan_and_code_6_only_in_its_own_row(vallado):
    # 28872, MINOTAUR R/B: sub-orbital (perigee -51 km); Vallado's tcppver.out lists
    # states 0..50 min and SGP4 stops with code 6 (mrt < 1: decayed) at 60 min.
    decayed = vallado[28872]
    times = decayed.epoch.plus_seconds(np.arange(0, 61, 10) * 60.0)
    batch = propagate([vallado[5], decayed, vallado[6251]], times)
    assert batch.error.dtype == np.uint8 and batch.error.shape == (3, 7)
    assert batch.error[1].tolist() == [0, 0, 0, 0, 0, 0, 6]
    assert np.isnan(batch.r_teme_km[1, 6]).all() and np.isnan(batch.v_teme_km_s[1, 6]).all()
    assert np.isfinite(batch.r_teme_km[1, :6]).all()
    # the neighbours are untouched: no error, finite, identical to propagating them alone
    assert not batch.error[[0, 2]].any()
    for row, es in ((0, vallado[5]), (2, vallado[6251])):
        alone = Propagator([es]).at(times)
        np.testing.assert_array_equal(batch.r_teme_km[row], alone.r_teme_km[0])
        np.testing.assert_array_equal(batch.v_teme_km_s[row], alone.v_teme_km_s[0])
    # Vallado's published state of 28872 at 50 min [km]: tcppver.out line 496
    np.testing.assert_allclose(batch.r_teme_km[1, 5, 0], 5548.43325922, atol=2e-7)
    (problem,) = batch.problems()
    assert (problem.norad_id, problem.code, problem.n_times, problem.row) == (28872, 6, 1, 1)
    assert "decayed" in batch.error_messages()[28872]


def test_invalid_elements_become_error_rows_not_exceptions(vallado):
    good = vallado[5]
    nan_mm = good.with_(norad_id=90001, mean_motion_rev_day=float("nan"))
    negative_mm = good.with_(norad_id=90002, mean_motion_rev_day=-1.0)
    hyperbolic = good.with_(norad_id=90003, eccentricity=1.5)  # sgp4init itself reports code 1
    inf_bstar = good.with_(norad_id=90004, bstar_per_earth_radius=float("inf"))
    satrec = Satrec.twoline2rv(
        "1 00005U 58002B   00179.78495062  .00000023  00000-0  28098-4 0  4753",
        "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667",
    )
    wrong_type = good.with_(norad_id=90005, eccentricity="0.18")  # e.g. a hand-built record
    prop = Propagator([nan_mm, good, negative_mm, hyperbolic, satrec, inf_bstar, wrong_type])
    assert sorted(prop.init_problems) == [0, 2, 5, 6]
    eph = prop.at(good.epoch.plus_seconds(np.array([0.0, 600.0])))
    assert eph.norad_ids.tolist() == [90001, 5, 90002, 90003, 5, 90004, 90005]
    assert eph.error[:, 0].tolist() == [INVALID_ELEMENTS, 0, INVALID_ELEMENTS, 1, 0, INVALID_ELEMENTS,
                                        INVALID_ELEMENTS]
    bad = eph.error != 0
    assert np.isnan(eph.r_teme_km[bad]).all() and np.isfinite(eph.r_teme_km[~bad]).all()
    # an ElementSet and the Satrec from the same TLE give the same states
    np.testing.assert_array_equal(eph.r_teme_km[1], eph.r_teme_km[4])
    messages = eph.error_messages()
    assert "non-finite" in messages[90001] and "mean_motion_rev_day" in messages[90001]
    assert "mean motion must be positive" in messages[90002]
    assert ERROR_MESSAGES[1] in messages[90003]
    assert "bstar" in messages[90004]
    assert "cannot initialise SGP4: TypeError" in messages[90005]


def test_scalar_time_gives_a_time_axis_of_one_and_empty_catalog_works(vallado):
    es = vallado[5]
    eph = Propagator([es]).at(es.epoch.plus_seconds(3 * 86400.0))
    assert eph.r_teme_km.shape == (1, 1, 3) and len(eph.times) == 1
    # AIAA 2006-6753 Appendix C: 00005 at tsince = 4320 min, TEME [km] (tcppver.out line 13)
    np.testing.assert_allclose(eph.r_teme_km[0, 0], [-9060.47373569, 4658.70952502, 813.68673153], atol=2e-7)
    empty = Propagator([]).at(Time.from_iso(["2023-10-09T00:00:00Z", "2023-10-09T00:01:00Z"]))
    assert isinstance(empty, Ephemeris) and empty.r_teme_km.shape == (0, 2, 3) and empty.problems() == []


def test_results_are_read_only_and_bad_inputs_explain_themselves(vallado):
    eph = Propagator([vallado[5]]).at(vallado[5].epoch)
    with pytest.raises(ValueError):
        eph.r_teme_km[0, 0, 0] = 0.0
    with pytest.raises(TypeError, match="Time.from_iso"):
        Propagator([vallado[5]]).at(2451723.28495062)
    with pytest.raises(TypeError, match="ElementSet"):
        Propagator(["1 00005U 58002B ..."])
