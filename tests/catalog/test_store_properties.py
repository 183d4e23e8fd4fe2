"""Properties of the store on both back ends: element sets come back bit-exact whatever their
values, and concurrent writers queue instead of losing or duplicating rows."""

from __future__ import annotations

import itertools
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spacesweepers.catalog.elements import ElementSet, ParseResult
from spacesweepers.catalog.store import Store

_ids = itertools.count(1)

finite = dict(allow_nan=False, allow_infinity=False)
element_sets = st.builds(
    ElementSet,
    norad_id=st.just(0),  # replaced by a fresh id per example
    epoch_jd1=st.integers(2436000, 2470000).map(lambda d: d + 0.5),
    epoch_jd2=st.floats(0.0, 1.0, exclude_max=True),
    mean_motion_rev_day=st.floats(0.05, 17.0),
    eccentricity=st.floats(0.0, 0.99),
    inclination_deg=st.floats(0.0, 180.0),
    raan_deg=st.floats(0.0, 360.0, exclude_max=True),
    arg_perigee_deg=st.floats(0.0, 360.0, exclude_max=True),
    mean_anomaly_deg=st.floats(0.0, 360.0, exclude_max=True),
    bstar_per_earth_radius=st.floats(-1.0, 1.0, **finite),
    mean_motion_dot_rev_day2=st.floats(-1.0, 1.0, **finite),
    mean_motion_ddot_rev_day3=st.floats(-1.0, 1.0, **finite),
    name=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30),
    intl_designator=st.from_regex(r"\A(19[5-9]\d|20[0-5]\d)-\d{3}[A-Z]{1,3}\Z") | st.just(""),
    classification=st.sampled_from("UCS"),
    element_set_no=st.integers(0, 9999),
    rev_at_epoch=st.integers(0, 99999),
    ephemeris_type=st.integers(0, 4),
)


@pytest.fixture
def store(db_url):
    with Store(db_url) as s:
        yield s


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(element_sets, min_size=1, max_size=4, unique_by=lambda e: (e.epoch_jd1, round(e.epoch_jd2, 7))))
def test_element_sets_round_trip_bit_exact(store, records):
    nid = 100000 + next(_ids)  # one database for all examples: a new object each time
    records = sorted((r.with_(norad_id=nid) for r in records), key=lambda e: (e.epoch_jd1, e.epoch_jd2))
    store.ingest(ParseResult("random.tle", "tle", records))
    assert store.history(nid) == records  # every float and string exactly as given, oldest first
    assert store.latest(ids=[nid]) == records[-1:]


def test_concurrent_ingests_queue(db_url):
    """Four writers at once on one database: every row lands exactly once."""
    with Store(db_url):
        pass  # schema first, so that the writers race only on data
    base = ElementSet(1, 2460226.5, 0.5, 15.5, 0.001, 51.6, 10.0, 20.0, 30.0)
    batches = [[base.with_(norad_id=1000 * (w + 1) + k, name=f"SAT {w}-{k}") for k in range(200)] + [base] for w in range(4)]
    errors: list[BaseException] = []
    reports = []

    def work(batch):
        try:
            with Store(db_url) as s:
                reports.append(s.ingest(ParseResult(f"w{batch[0].norad_id}.tle", "tle", batch)))
        except BaseException as e:  # noqa: BLE001 - collected and re-raised below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    with Store(db_url) as s:
        assert s.count() == 4 * 200 + 1
        assert len(s.latest()) == 801
        assert len(s.sources()) == 4
    # the shared element set of object 1 was loaded by exactly one writer
    assert sorted(r.element_sets_loaded for r in reports)[0] == 200
    assert sum(r.element_sets_loaded for r in reports) == 801
