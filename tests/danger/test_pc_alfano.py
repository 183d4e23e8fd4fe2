"""All twelve test cases of Alfano (2009), "Satellite Conjunction Monte Carlo Analysis" (AAS 09-233),
as NASA CARA distributes them: the CDMs AlfanoTestCase01…12.cdm and the expected values of
A09TestCases_01_12_Distributed.csv (github.com/nasa/CARA_Analysis_Tools). The numbers are kept in
tests/danger/data/alfano2009_cases.toml, which names each source file.

What is checked, per case:

* the transcription: miss distance and relative speed from the states agree with the CDM header;
* our 2D Foster Pc against CARA's Pc2D_Foster value, within the change that rounding the CDM's
  states to their printed 1 mm / 1 µm/s can cause, and against Alfano's own 2D value (100-point
  integration) to 1e-3;
* CARA's rectilinear usage-violation check: every case whose published 2D Pc lies outside the
  published Monte Carlo interval is flagged; the two linear cases (3, 5) are not;
* our encounter Monte Carlo (seeded) brackets the published Monte Carlo and 3D-Nc values in its
  99.9 % interval, over the time span stated per case (the Pc of a long encounter depends on the
  span it is counted over; Alfano's spans are not in the CDMs, see docs/danger.md).
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest

from spacesweepers.catalog.formats.cdm import COV6_KEYS, STATE_KEYS, read_kvn
from spacesweepers.danger.encounter import IDENTICAL_OBJECTS, clopper_pearson
from spacesweepers.danger.pc import assess

CASES = {int(k): v for k, v in
         tomllib.loads((Path(__file__).parent / "data" / "alfano2009_cases.toml").read_text())["case"].items()}
ALL = sorted(CASES)

# Relative tolerance of our 2D Pc against CARA's Pc2D_Foster, per case: 1.5x the largest change of
# the Pc over 2,000 random roundings of both states within the CDM's printed resolution (±0.5 mm,
# ±0.5 µm/s per component). CARA computed its values from Alfano's unrounded spreadsheets; our
# differences (3.9e-6, 7.2e-5, 6.9e-7, 8.8e-6, 5.0e-6, 4.4e-7, 1.6e-6, 2.2e-4, 1.8e-5, 1.8e-5,
# 1.5e-8 for cases 1-11) all lie inside this band.
RTOL_2D = {1: 1.5e-4, 2: 1.5e-3, 3: 5e-5, 4: 1e-4, 5: 5e-5, 6: 5e-5, 7: 2e-5, 8: 1.2e-3, 9: 2e-4, 10: 2e-4,
           11: 1e-6}
# Alfano's 2D column integrates with 100 points only (A09_PcLinear100): 1e-3 relative.
RTOL_A09_LINEAR = 1e-3

# Encounter Monte Carlo per case: (time span, trials, published values that must lie in our 99.9 %
# interval). "rectilinear" is the span assess() uses by default (CARA's [Ta, Tb] with TCA);
# "segment" is ± half the shortest period. The slow GEO cases 1, 2, 4 and 10 need the segment
# (their relative motion curves over hours); for case 9 only Alfano's value is reproduced (CARA's
# 0.2798 counts a shorter span, A09_InstProb = 0.084 shows the span ends mid-encounter). Case 12
# (identical mean states: no encounter plane, no rectilinear span) is not run: its published
# value depends on Alfano's span, which the CDM does not carry.
MC = {
    1: ("segment", 10_000, ("cara_pc_mc", "cara_pc3d", "a09_pc_mc_1e8")),
    2: ("segment", 10_000, ("cara_pc_mc", "cara_pc3d", "a09_pc_mc_1e8")),
    3: ("rectilinear", 10_000, ("cara_pc_mc", "cara_pc3d", "a09_pc_mc_1e8")),
    4: ("segment", 10_000, ("cara_pc_mc", "cara_pc3d", "a09_pc_mc_1e8")),
    5: ("rectilinear", 40_000, ("cara_pc_mc", "cara_pc3d", "a09_pc_mc_1e8")),
    6: ("rectilinear", 10_000, ("cara_pc_mc", "cara_pc3d", "a09_pc_mc_1e8")),
    7: ("rectilinear", 100_000, ("cara_pc_mc", "cara_pc3d", "a09_pc_mc_1e8")),
    8: ("rectilinear", 10_000, ("cara_pc_mc", "cara_pc3d", "a09_pc_mc_1e8")),
    9: ("segment", 6_000, ("a09_pc_mc_1e8",)),
    10: ("segment", 6_000, ("cara_pc_mc", "cara_pc3d", "a09_pc_mc_1e8")),
    11: ("rectilinear", 60_000, ("cara_pc_mc", "cara_pc3d")),
}


def _kvn(n: int) -> str:
    """The case as a KVN CDM (states in km, RTN covariances in m², HBR in a COMMENT line, as CARA's)."""
    c = CASES[n]
    lines = ["CCSDS_CDM_VERS = 1.0", "CREATION_DATE = 2000-01-01T00:00:00.000", "ORIGINATOR = JSPOC",
             f"MESSAGE_ID = A09_case_{n:02d}", "TCA = 2000-01-01T00:00:00.000", f"MISS_DISTANCE = {c['miss_m']} [m]",
             f"RELATIVE_SPEED = {c['rel_speed_m_s']} [m/s]", f"COMMENT HBR                        = {c['hbr_m']}"]
    for k, (x, cov) in enumerate(((c["x1_km"], c["cov1"]), (c["x2_km"], c["cov2"])), start=1):
        lines += [f"OBJECT = OBJECT{k}", f"OBJECT_DESIGNATOR = {n}00{k}", "REF_FRAME = EME2000"]
        lines += [f"{key} = {val!r} [{'km/s' if key.endswith('DOT') else 'km'}]" for key, val in zip(STATE_KEYS, x)]
        lines += [f"{key} = {val!r} [m**2]" for key, val in zip(COV6_KEYS, cov)]
    return "\n".join(lines) + "\n"


def _inputs(n: int):
    cdm = read_kvn(_kvn(n), f"AlfanoTestCase{n:02d}.cdm")
    assert cdm.hbr_m == CASES[n]["hbr_m"]  # read from the COMMENT HBR line
    return cdm.pc_inputs(), cdm.hbr_m


def _assess(n: int, **kw):
    inputs, hbr = _inputs(n)
    return assess(*inputs, hbr, **kw)


def test_all_twelve_cases_are_there():
    assert ALL == list(range(1, 13))
    for c in CASES.values():
        assert len(c["x1_km"]) == len(c["x2_km"]) == 6 and len(c["cov1"]) == len(c["cov2"]) == 21


@pytest.mark.parametrize("n", ALL)
def test_transcription_matches_the_cdm_header(n):
    """Miss distance and relative speed from the transcribed states agree with the CDM's own
    MISS_DISTANCE and RELATIVE_SPEED within the states' printed resolution (1 mm, 1 µm/s per
    component and object: at most 1.7 mm and 1.7 µm/s)."""
    (r1, v1, _, r2, v2, _), _ = _inputs(n)
    miss = float(np.linalg.norm(np.asarray(r1) - np.asarray(r2)))
    speed = float(np.linalg.norm(np.asarray(v1) - np.asarray(v2)))
    assert miss == pytest.approx(CASES[n]["miss_m"], abs=2e-3)
    assert speed == pytest.approx(CASES[n]["rel_speed_m_s"], abs=2e-6)


@pytest.mark.parametrize("n", [n for n in ALL if n != 12])
def test_foster_2d_matches_cara_and_alfano(n):
    a = _assess(n, monte_carlo="none")
    c = CASES[n]
    assert a.pc_foster[0] == pytest.approx(c["cara_pc2d"], rel=RTOL_2D[n])
    assert a.pc_foster[0] == pytest.approx(c["a09_pc_linear"], rel=RTOL_A09_LINEAR)


def test_case12_identical_mean_states_have_no_2d_pc():
    """Case 12: both objects at the same mean state (miss 0, speed 0). CARA gives no 2D Pc (NaN);
    we report the status, a NaN 2D Pc, and a usage violation, never a number."""
    a = _assess(12, monte_carlo="none")
    assert math.isnan(CASES[12]["cara_pc2d"])
    assert int(a.plane.status[0]) == IDENTICAL_OBJECTS and math.isnan(a.pc_foster[0])
    assert a.violations.violated[0] and not a.pc_2d_valid[0]


@pytest.mark.parametrize("n", ALL)
def test_usage_violation_flags_every_case_where_2d_fails(n):
    """Where the published 2D Pc falls outside CARA's 1e8-trial Monte Carlo 95 % interval, the
    short-encounter assumptions fail and our check (CARA's rectilinear thresholds) must say so.
    The linear cases 3 and 5 pass. Cases 6 and 7 are flagged too (extended 0.039 and 0.10 >
    0.02) although their 2D values hold: the check is conservative, it only costs a Monte Carlo."""
    a = _assess(n, monte_carlo="none")
    c = CASES[n]
    outside = not (c["cara_pc_mc_lo95"] <= c["cara_pc2d"] <= c["cara_pc_mc_hi95"])  # NaN (case 12) counts
    if outside:
        assert a.violations.violated[0], f"case {n}: 2D {c['cara_pc2d']} vs MC {c['cara_pc_mc']} but not flagged"
        assert any("usage violation" in w for w in a.warnings(0))
    if n in (3, 5):
        assert not outside and not a.violations.violated[0] and a.method[0] == "foster-2d"
    if n in (6, 7):
        assert a.violations.violated[0]


@pytest.mark.parametrize("n", sorted(MC))
def test_encounter_monte_carlo_brackets_the_published_values(n):
    window, trials, keys = MC[n]
    a = _assess(n, monte_carlo="all", mc_trials=trials, seed=n, confidence=0.999, mc_window=window)
    mc = a.monte_carlo[0]
    assert mc is not None and mc.trials == trials
    lo, hi = clopper_pearson(mc.hits, mc.trials, 0.999)
    for key in keys:
        assert lo <= CASES[n][key] <= hi, f"case {n}: {key} {CASES[n][key]} not in [{lo:.4g}, {hi:.4g}] ({window})"
    if a.violations.violated[0]:
        assert a.method[0] == "monte-carlo-encounter" and a.pc[0] == mc.pc


def test_case11_leader_follower_details():
    """Case 11 (leader-follower, 0.08 m/s): CARA's extended indicator 0.098 and the Pc to use is the
    Monte Carlo over the rectilinear span, ~560 s around TCA."""
    a = _assess(11, mc_trials=20_000, seed=11)
    assert a.violations.extended[0] == pytest.approx(0.0985, abs=0.002)
    assert a.method[0] == "monte-carlo-encounter"
    mc = a.monte_carlo[0]
    assert mc.t_start_s < 0 < mc.t_stop_s and 500 < mc.t_stop_s - mc.t_start_s < 620


def test_rectilinear_span_always_contains_tca():
    """Case 4's rectilinear bounds [1871 s, 2145 s] lie after TCA; the span is widened to contain it."""
    a = _assess(4, mc_trials=2_000, seed=4)
    mc = a.monte_carlo[0]
    assert mc.t_start_s == 0.0 and mc.t_stop_s == pytest.approx(a.violations.t_b_s[0])
