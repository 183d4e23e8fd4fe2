"""What-if with screening: the conjunctions a cloud adds to the payloads near it, counted by the
real screener, and the 'before' count equal to screening the catalog alone."""

from __future__ import annotations

import numpy as np

from spacesweepers.catalog.formats.tle import read_tle
from spacesweepers.catalog.store import Store
from spacesweepers.cli.population import screened_conjunction_change
from spacesweepers.danger.screening import screen
from spacesweepers.population.clouds import explode


def test_screened_change_counts_cloud_events_and_matches_screening_alone(snapshot_3le, tmp_path):
    text = snapshot_3le.read_text()
    lines = text.splitlines()
    # a real slice: every object with mean altitude 780-900 km among the first 6,000 + the FY-1C parent
    keep = []
    for i in range(0, len(lines), 3):
        l2 = lines[i + 2]
        n = float(l2[52:63])
        a = (398600.8 / (n * 2 * np.pi / 86400) ** 2) ** (1 / 3) - 6378.135
        if (i < 18000 and 780 < a < 900) or lines[i + 1][2:7] == "25730":
            keep += lines[i:i + 3]
    path = tmp_path / "band.tle"
    path.write_text("\n".join(keep) + "\n")
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    store.ingest(path)
    parent = next(e for e in store.latest(ids=[25730]))
    cloud = explode(parent, at="2023-10-09T12:00:00Z", seed=3, first_norad_id=800000)
    rep = screened_conjunction_change(cloud, store, days=0.1)
    assert rep["payloads_screened"] > 20
    # a fresh cloud is compact: its parent's orbit neighbours see extra close approaches
    assert rep["events_added_by_cloud"] > 0

    catalog = store.latest()
    payloads = {e.norad_id for e in store.latest(where={"object_type": "PAYLOAD"})}
    band = [e.norad_id for e in catalog if e.norad_id in payloads and e.apogee_km < 2000
            and e.apogee_km >= np.percentile([c.perigee_km for c in cloud.element_sets], 5)
            and e.perigee_km <= np.percentile([c.apogee_km for c in cloud.element_sets], 95)]
    alone = screen(catalog, cloud.epoch, days=0.1, threshold_km=5.0, primaries=band)
    assert rep["events_before"] == len(alone)
