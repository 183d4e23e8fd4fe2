from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from spacesweepers.errors import TimeError
from spacesweepers.time import Time


def test_iso_round_trip_keeps_microseconds():
    s = ["2023-10-09T11:37:00.123456Z", "2060-01-01T00:00:00.000001Z"]
    assert Time.from_iso(s).iso(6) == s


def test_day_of_year_form_as_cdms_write_it():
    assert Time.from_iso("2023-282T11:37:00.5").iso(1) == "2023-10-09T11:37:00.5Z"


def test_zone_offset_is_applied():
    assert Time.from_iso("2023-10-09T13:37:00+02:00").iso(0) == "2023-10-09T11:37:00Z"


def test_naive_datetime_is_refused_with_a_fix():
    with pytest.raises(TimeError, match="tzinfo=timezone.utc"):
        Time.from_datetime(datetime(2023, 10, 9, 12))


def test_aware_datetime_other_zone():
    cet = timezone(timedelta(hours=1))
    assert Time.from_datetime(datetime(2023, 1, 1, 1, tzinfo=cet)).iso(0) == "2023-01-01T00:00:00Z"


def test_leap_second_counts_as_elapsed_time():
    # 2016-12-31 ended with a leap second (IERS Bulletin C 52): 23:59:59 -> 00:00:00 is 2 s.
    a = Time.from_iso("2016-12-31T23:59:59Z")
    b = Time.from_iso("2017-01-01T00:00:00Z")
    assert b.seconds_since(a) == pytest.approx(2.0, abs=1e-6)
    assert a.plus_seconds(1.0).iso(0) == "2016-12-31T23:59:60Z"


def test_tt_minus_utc_is_69_184_s_in_2023():
    # TAI-UTC = 37 s since 2017, TT-TAI = 32.184 s.
    t = Time.from_iso("2023-10-09T00:00:00Z")
    tt1, tt2 = t.tt
    assert ((tt1 - t.jd1) + (tt2 - t.jd2)) * 86400 == pytest.approx(69.184, abs=1e-6)
    assert abs(Time.from_jd(tt1, tt2, scale="tt") - t) < 1e-6


def test_mjd2000_epoch_of_gtoc9_window():
    assert Time.from_mjd2000(23467).iso(0) == "2064-04-01T00:00:00Z"


def test_vectorized_grid_and_shapes():
    t0 = Time.from_iso("2023-10-09T00:00:00Z")
    grid = t0.plus_seconds(np.arange(0, 86400, 60.0))
    assert grid.shape == (1440,)
    assert grid[-1].iso(0) == "2023-10-09T23:59:00Z"
    assert np.allclose(np.diff(grid.unix_s), 60.0)


def test_bad_strings_name_the_problem():
    with pytest.raises(TimeError, match="ISO 8601"):
        Time.from_iso("yesterday")
    with pytest.raises(TimeError, match="impossible calendar date"):
        Time.from_iso("2023-02-30T00:00:00")


def test_skyfield_view_agrees():
    t = Time.from_iso("2023-10-09T11:37:00Z")
    assert t.skyfield.utc_iso() == "2023-10-09T11:37:00Z"
