"""Pc against published reference values (NASA CARA unit tests, Alfano 2009, ESA/Orekit data).

Tolerances are stated per test, as relative differences unless said otherwise.
"""

import math

import numpy as np
import pytest
from scipy.special import chndtr

from spacesweepers.danger.encounter import (
    IDENTICAL_OBJECTS, OK, ZERO_RELATIVE_VELOCITY, cov_rtn_to_inertial, encounter_plane, usage_violations,
)
from spacesweepers.danger.pc import (
    _principal, assess, pc_chan, pc_dblquad, pc_foster, pc_max_alfano, pc_max_scaled, pc_monte_carlo_2d,
)

# --- NASA CARA_Analysis_Tools, PcCircle_UnitTest.m / Pc2D_Foster_UnitTest.m (Omitron cases) ------
OMITRON1 = dict(
    r1=[378.39559, 4305.721887, 5752.767554], v1=[2.360800244, 5.580331936, -4.322349039],
    c1=[[44.5757544811362, 81.6751751052616, -67.8687662707124], [81.6751751052616, 158.453402956163, -128.616921644857],
        [-67.8687662707124, -128.616921644858, 105.490542562701]],
    r2=[374.5180598, 4307.560983, 5751.130418], v2=[-5.388125081, -3.946827739, 3.322820358],
    c2=[[2.31067077720423, 1.69905293875632, -1.4170164577661], [1.69905293875632, 1.24957388457206, -1.04174164279599],
        [-1.4170164577661, -1.04174164279599, 0.869260558223714]],
    hbr=0.020)
OMITRON2 = dict(
    r1=[-3239.128337196251, 2404.575152356222, 5703.228541709001], v1=[-3.745768373154199, 5.012339015927846, -4.231864565717194],
    c1=(np.array([[0.342072996423899, -0.412677096778269, 0.371500417511149], [-0.412677096778269, 0.609905946319294, -0.540401385544286],
                  [0.371500417511149, -0.540401385544286, 0.521238634755377]]) * 1e-3).tolist(),
    r2=[-3239.138264917246, 2404.568320465936, 5703.235605231182], v2=[6.110192790100711, -1.767321407894830, 4.140369261741708],
    c2=[[0.028351300975134, -0.008204103437377, 0.019253747960155], [-0.008204103437377, 0.002404377774847, -0.005586512197914],
        [0.019253747960155, -0.005586512197914, 0.013289250260317]],
    hbr=0.020)


def _plane(c, hbr=None):
    return encounter_plane(c["r1"], c["v1"], c["c1"], c["r2"], c["v2"], c["c2"], c["hbr"] if hbr is None else hbr)


def test_omitron_case1_matches_cara_pccircle():
    # PcCircle 2.706023476569787e-05 (CARA states RelTol 1e-10 against its own code); ours within 1e-8
    assert pc_foster(_plane(OMITRON1))[0] == pytest.approx(2.706023476569787e-05, rel=1e-8)
    # Pc2D_Foster (quad2d, RelTol 1e-9) 2.70601573490125e-05: CARA's own test allows 1e-3
    assert pc_foster(_plane(OMITRON1))[0] == pytest.approx(2.70601573490125e-05, rel=1e-3)


def test_omitron_case2_matches_cara_pccircle():
    assert pc_foster(_plane(OMITRON2))[0] == pytest.approx(1.807363058494765e-01, rel=1e-8)


def test_multiple_hbr_from_zero_to_infinity():
    # PcCircle_UnitTest testMultipleElements: HBR 0 … Inf m on one conjunction, vectorised
    r1 = [-6.227006552549310e+06, -3.000839638747010e+06, -1.932569099062626e+05]
    v1 = [2.983983865443772e+03, -5.973188938878403e+03, -3.622262843716804e+03]
    c1 = [[2.329248149898317e+04, -4.624097512511387e+04, -2.810352472705708e+04],
          [-4.624097512511387e+04, 9.189373058443272e+04, 5.583858286675660e+04],
          [-2.810352472705708e+04, 5.583858286675660e+04, 3.396506000245927e+04]]
    r2 = [-6.231009268962734e+06, -2.993196148130401e+06, -1.761401651747054e+05]
    v2 = [-3.255968208692156e+02, 9.946514541875586e+02, -7.507340539210305e+03]
    c2 = [[3.689149893147051e+07, -1.200669748208798e+08, 9.002535247181211e+08],
          [-1.200669748208798e+08, 3.907735722225543e+08, -2.929990982074453e+09],
          [9.002535247181211e+08, -2.929990982074453e+09, 2.196888928197153e+10]]
    hbr = np.array([0, 1e1, 1e2, 1e3, 3e3, 1e4, 3e4, np.inf])
    exp = np.array([0, 2.514939701718358e-15, 1.232312816404174e-05, 6.343318773183237e-03, 1.917884657463699e-02,
                    6.389821634646267e-02, 1.900663422510684e-01, 1.0])
    got = pc_foster(encounter_plane(r1, v1, c1, r2, v2, c2, hbr))
    assert got[0] == 0 and got[-1] == 1
    # HBR 10 m and 100 m: within 1e-7
    np.testing.assert_allclose(got[1:3], exp[1:3], rtol=1e-7)
    # HBR >= 1 km (circle 50x wider than the narrow 18.6 m sigma): within 5e-4. Our value agrees with
    # scipy dblquad/quad and a 2e6-point brute-force sum to 1e-9, so the remaining difference is CARA's
    # Gauss-Chebyshev approximation at extreme HBR/sigma ratios.
    np.testing.assert_allclose(got[3:7], exp[3:7], rtol=5e-4)
    assert pc_dblquad(r1, v1, c1, r2, v2, c2, 1e3) == pytest.approx(got[3], rel=1e-7)


def test_foster_equals_dblquad_on_random_conjunctions():
    rng = np.random.default_rng(7)
    for _ in range(20):
        r1 = rng.normal(size=3) * 7e6
        v1 = rng.normal(size=3) * 5e3
        r2 = r1 + rng.normal(size=3) * 300
        v2 = rng.normal(size=3) * 5e3
        A = rng.normal(size=(3, 3)) * rng.uniform(5, 300)
        B = rng.normal(size=(3, 3)) * rng.uniform(5, 300)
        hbr = rng.uniform(1, 30)
        p = pc_foster(encounter_plane(r1, v1, A @ A.T, r2, v2, B @ B.T, hbr))[0]
        assert p == pytest.approx(pc_dblquad(r1, v1, A @ A.T, r2, v2, B @ B.T, hbr), rel=1e-6, abs=1e-300)


def test_chan_series_is_the_noncentral_chi_square():
    # Chan's series summed here == scipy's non-central chi-square CDF (2 dof) to 1e-10
    rng = np.random.default_rng(3)
    n = 500
    r1 = rng.normal(size=(n, 3)) * 7e6
    v1 = rng.normal(size=(n, 3)) * 5e3
    r2 = r1 + rng.normal(size=(n, 3)) * rng.uniform(1, 2000, (n, 1))
    v2 = rng.normal(size=(n, 3)) * 5e3
    A = rng.normal(size=(n, 3, 3)) * rng.uniform(5, 500, (n, 1, 1))
    ep = encounter_plane(r1, v1, A @ np.swapaxes(A, 1, 2), r2, v2, np.eye(3) * 4.0, rng.uniform(1, 20, n))
    a, sa, b, sb = _principal(ep)
    u = ep.hbr_m**2 / (sa * sb)
    v = (a / sa) ** 2 + (b / sb) ** 2
    ref = chndtr(u, 2, v)
    keep = ref > 1e-40  # scipy's chndtr underflows to 0 below that; our series does not
    assert keep.sum() > 300
    np.testing.assert_allclose(pc_chan(ep)[keep], ref[keep], rtol=1e-10)


def test_chan_close_to_foster_when_hbr_is_small():
    # Chan 1997: the equal-area circle is good while R << sigma. Omitron 1 (R/sigma ~ 1e-3): within 1e-4
    ep = _plane(OMITRON1)
    assert pc_chan(ep)[0] == pytest.approx(pc_foster(ep)[0], rel=1e-4)


# --- ESA Kelvins conjunctions with Pc by Alfano (2007) eq. 5a and Pc_max by Alfriend (1999) eq. 21,
#     from Orekit src/test/resources/collision-resources/data.csv (rows 1-3; km, km/s, km², RTN covariances)
ESA_ROWS = [
    (0.02971, [2.33052185175137, -1103.70451050201, 7105.88764299718, -7.44286282871773, -0.00061373474365266, 0.00395136139293349],
     [9.31700905887535e-05, 0.0177796454279511, 1.91737223188004e-05, -0.000262339811350055, 2.3603821739353e-05, -9.3312253873865e-05],
     [2.33346550626332, -1103.67121247836, 7105.91495809904, 7.35374048712632, -1.14281404976536, -0.198247225911377],
     [0.000634657091072037, 0.819989936315031, 0.000251034082907407, -0.00196229221624529, 7.07741365522766e-05, 0.00113982381058435],
     0.136040828266536, 0.192590968666693),
    (0.02971, [-6.70667357342621, -1103.70203080223, 7105.88265346669, -7.44286457663904, 0.000822995653556506, -0.00529859104132142],
     [9.015744068543e-05, 0.0146490208006797, 2.01982596122973e-05, -2.12604895269265e-05, 2.36888149912795e-05, -3.62775501219175e-05],
     [-6.70405784110204, -1103.67315551078, 7105.91333638745, 7.35375783544824, -1.14423150075063, -0.189121417576439],
     [0.000635092969421296, 0.840046481006115, 0.000251035852141862, -0.00205641995536319, 7.07724724837744e-05, 0.00114057509727891],
     0.125304167705678, 0.153142613964175),
    (0.02089, [-1156.23284602723, 276.591123135344, 6767.94873257754, -7.50644498771468, -0.0522392030439811, -1.27824300797088],
     [5.556424e-05, 0.03832567, 5.419849e-06, -7.145193e-05, -1.209936e-05, 2.261254e-05],
     [-1156.25273797988, 276.636755414228, 6767.94571016393, 5.13502709047724, 5.58607173233931, 0.649161304224847],
     [0.0004571115, 0.2906505, 3.572483e-05, 0.0008981415, 8.372623e-05, 0.0002396062],
     0.0371663711571558, 0.577434342304071),
]


def _rtn(rr, tt, nn, rt, rn, tn):
    return np.array([[rr, rt, rn], [rt, tt, tn], [rn, tn, nn]])


def test_esa_conjunctions_vectorised():
    R = np.array([row[0] for row in ESA_ROWS]) * 1e3
    x1 = np.array([row[1] for row in ESA_ROWS]) * 1e3
    x2 = np.array([row[3] for row in ESA_ROWS]) * 1e3
    c1 = np.array([_rtn(*row[2]) for row in ESA_ROWS]) * 1e6
    c2 = np.array([_rtn(*row[4]) for row in ESA_ROWS]) * 1e6
    C1 = cov_rtn_to_inertial(c1, x1[:, :3], x1[:, 3:])
    C2 = cov_rtn_to_inertial(c2, x2[:, :3], x2[:, 3:])
    ep = encounter_plane(x1[:, :3], x1[:, 3:], C1, x2[:, :3], x2[:, 3:], C2, R)
    # Pc_max (closed form, Alfriend 1999 eq. 21): within 1e-6, which also pins the plane geometry
    np.testing.assert_allclose(pc_max_scaled(ep), [row[6] for row in ESA_ROWS], rtol=1e-6)
    # Pc: the data set evaluates Alfano's (2007) eq. 5a, a finite sum of error functions; it sits
    # 0.8e-3 to 1.2e-3 below the exact integral (ours agrees with scipy dblquad to 1e-6): within 2e-3
    np.testing.assert_allclose(pc_foster(ep), [row[5] for row in ESA_ROWS], rtol=2e-3)


# --- Alfano maximum Pc ------------------------------------------------------------------------------------
def test_alfano_max_bounds_every_covariance():
    # the bound is reached only by a line-shaped covariance: every 2D covariance stays below it,
    # and a nearly collapsed one along the miss vector approaches it within 1e-3
    d, R = 500.0, 10.0
    pmax = pc_max_alfano(d, R)
    best = 0.0
    for s in np.geomspace(10, 1e5, 60):
        for ar in (1, 3, 10, 100, 1e4):
            ep = encounter_plane([7e6, 0, 0], [0, 7.5e3, 0], np.diag([s * s, (s / ar) ** 2, (s / ar) ** 2]),
                                 [7e6 - d, 0, 0], [0, 0, 7.5e3], np.zeros((3, 3)), R)
            best = max(best, pc_foster(ep)[0])
    assert best <= pmax * (1 + 1e-9)
    assert best == pytest.approx(pmax, rel=1e-3)
    assert pc_max_alfano(5.0, 10.0) == 1.0 and pc_max_alfano(100.0, 0.0) == 0.0


# --- Monte Carlo in the plane ----------------------------------------------------------------------------
def test_monte_carlo_2d_brackets_foster():
    ep = _plane(OMITRON2)
    pc, hits, lo, hi = pc_monte_carlo_2d(ep, trials=200_000, seed=11)
    assert lo[0] <= pc_foster(ep)[0] <= hi[0]  # 95 % Clopper-Pearson interval
    again = pc_monte_carlo_2d(ep, trials=200_000, seed=11)
    assert again[1][0] == hits[0]  # seeded: repeatable


# --- bad input ----------------------------------------------------------------------------------------------
def test_zero_relative_velocity_and_identical_objects_are_reported_not_nan_silently():
    r, v = [7e6, 0, 0], [0, 7.5e3, 0]
    ep = encounter_plane([r, r], [v, v], np.eye(3) * 100, [[7e6 + 50, 0, 0], r], [v, v], np.eye(3) * 100, 10.0)
    assert list(ep.status) == [ZERO_RELATIVE_VELOCITY, IDENTICAL_OBJECTS]
    assert np.isnan(pc_foster(ep)).all()
    a = assess([r], [v], np.eye(6) * 100, [[7e6 + 50, 0, 0]], [v], np.eye(6) * 100, 10.0, mc_trials=2000)
    assert a.method[0] == "monte-carlo-encounter" and any("zero relative velocity" in w for w in a.warnings(0))


def test_zero_miss_distance_gives_the_central_pc():
    ep = encounter_plane([7e6, 0, 0], [0, 7.5e3, 0], np.eye(3) * 100.0, [7e6, 0, 0], [0, 0, 7.5e3], np.eye(3) * 100.0, 10.0)
    assert ep.status[0] == OK
    # isotropic 2D Gaussian sigma^2 = 200 m^2: Pc = 1 - exp(-R^2 / (2 sigma^2)), exactly
    assert pc_foster(ep)[0] == pytest.approx(1 - math.exp(-100 / 400), rel=1e-10)


def test_non_positive_definite_covariance_is_repaired_and_flagged():
    # PcCircle_UnitTest testNPDCovariance: CARA expects Pc = 0 with an NPD warning
    r1 = [-6711923.276204407, 2115987.639388162, 596903.033311516]
    v1 = [-3633.024009735033, -8343.876216289187, 1529.269073307224]
    r2 = [-6703689.997789211, 2066645.266249834, 601175.621383896]
    v2 = [-499.951545210059, -8271.763735723972, -3673.287518932014]
    c1 = [[10651.06865424844, 25162.51806981900, -4653.47179860534], [25162.51806981901, 61873.55078822979, -11370.63814221593],
          [-4653.47179860534, -11370.63814221593, 2108.71780971058]]
    c2 = [[38324418857.201, 409236977944.646, 182366534533.406], [409236977944.646, 4369926131386.673, 1947351616381.380],
          [182366534533.406, 1947351616381.380, 867790027954.990]]
    ep = encounter_plane(r1, v1, c1, r2, v2, c2, 52.84)
    assert ep.remediated[0] and ep.npd[0, 1]
    assert pc_foster(ep)[0] == pytest.approx(0.0, abs=1e-10)
    uv = usage_violations(r1, v1, c1, r2, v2, c2, 52.84)
    assert uv.violated[0] and any("not positive definite" in s for s in uv.reasons(0))


def test_nan_covariance_is_an_error_status():
    ep = encounter_plane([7e6, 0, 0], [0, 7.5e3, 0], np.full((3, 3), np.nan), [7e6 + 10, 0, 0], [0, 0, 7.5e3], np.eye(3), 5.0)
    assert ep.status[0] != OK and np.isnan(pc_foster(ep)[0])
