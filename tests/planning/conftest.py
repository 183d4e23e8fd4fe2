"""Fixtures for planning tests: the GTOC9 debris and one hand-built valid two-debris mission."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def debris(shared_data):
    from spacesweepers.planning.gtoc9 import DebrisSet

    return DebrisSet.from_csv(shared_data / "gtoc9" / "debris.csv")


@pytest.fixture(scope="session")
def leg_60_86(debris):
    """Direct J2 transfer 60 → 86 departing MJD2000 23500.0, 1 day of flight."""
    from spacesweepers.planning.transfer import exact_transfer

    return exact_transfer(debris, 60, 23500.0, 86, 23501.0, mode="direct")


@pytest.fixture(scope="session")
def valid_mission(debris, leg_60_86):
    from spacesweepers.planning.gtoc9 import mission_from_legs

    return mission_from_legs("m1", debris, [(60, 23495.0, 23500.0), (86, 23501.0, 23506.0)], [leg_60_86])
