"""Izzo Lambert solver: a published example and multi-revolution solutions that really arrive."""

import numpy as np

from spacesweepers.planning.lambert import lambert_izzo
from spacesweepers.propagation.j2 import J2Model, propagate_j2


def test_curtis_example_5_2():
    """Curtis, Orbital Mechanics for Engineering Students, Example 5.2 (μ = 398600 km³/s², 1 h)."""
    sol = lambert_izzo([5000, 10000, 2100], [-14600, 2500, 7000], 3600.0, 398600.0)[0]
    np.testing.assert_allclose(sol.v1, [-5.9925, 1.9254, 3.2456], atol=1e-4)  # km/s
    np.testing.assert_allclose(sol.v2, [-3.3125, -4.1966, -0.38529], atol=1e-4)


def test_every_multirev_solution_reaches_the_target_under_two_body_motion():
    kepler = J2Model(j2=0.0)
    rng = np.random.default_rng(5)
    for _ in range(3):
        r1 = rng.normal(size=3)
        r1 *= 7.0e6 / np.linalg.norm(r1)
        r2 = rng.normal(size=3)
        r2 *= 7.2e6 / np.linalg.norm(r2)
        tof = rng.uniform(3, 6) * 5900.0
        h_ref = np.cross(r1, r2) * rng.choice([-1, 1])
        sols = lambert_izzo(r1, r2, tof, kepler.mu_m3_s2, h_ref=h_ref)
        assert len(sols) >= 5  # zero-rev + at least two multi-rev families
        for s in sols:
            assert np.dot(np.cross(r1, s.v1), h_ref) > 0  # moves the requested way
            r, v = propagate_j2(r1, s.v1, tof, kepler)
            assert np.linalg.norm(r - r2) < 1e-2  # m
            assert np.linalg.norm(v - s.v2) < 1e-5  # m/s
