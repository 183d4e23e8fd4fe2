"""NASA standard breakup model against its own published distributions (Johnson et al. 2001).

Tolerances: counts within 4 Poisson standard deviations; sample means of log10 quantities
within 0.01 (decades) and standard deviations within 0.01 at 200,000 samples, where the
sampling error is about 0.002.
"""

import math

import numpy as np
import pytest

from spacesweepers.population import breakup as bm

# published parameter values at selected lambda_c = log10(Lc) (J2001 eqs. 5-7), written out by hand
PUBLISHED = [
    # parent, lambda_c, alpha, mu1, sigma1, mu2, sigma2
    ("rocket body", -1.4, 1.0, -0.45, 0.55, -0.9, 0.28),
    ("rocket body", -0.5, 1 - 0.3571 * 0.9, -0.45, 0.55, -0.9, 0.28 - 0.1636 * 0.5),
    ("rocket body", 0.0, 0.5, -0.9, 0.55, -0.9, 0.28 - 0.1636),
    ("rocket body", 0.5, 0.5, -0.9, 0.55, -0.9, 0.1),
    ("spacecraft", -0.9, 0.3 + 0.4 * 0.3, -0.6 - 0.318 * 0.2, 0.1 + 0.2 * 0.4, -1.2, 0.5),
    ("spacecraft", -0.4, 0.3 + 0.4 * 0.8, -0.6 - 0.318 * 0.7, 0.1 + 0.2 * 0.9, -1.2 - 1.333 * 0.3, 0.5 - 0.1),
    ("spacecraft", 0.0, 0.3 + 0.4 * 1.2, -0.95, 0.3, -2.0, 0.3),
    ("spacecraft", 1.0, 1.0, -0.95, 0.3, -2.0, 0.3),
]


@pytest.mark.parametrize("parent,lam,alpha,mu1,s1,mu2,s2", PUBLISHED)
def test_am_parameters_are_the_published_ones(parent, lam, alpha, mu1, s1, mu2, s2):
    p = bm.am_distribution_parameters(10**lam, parent)
    assert [float(p[k]) for k in ("alpha", "mu1", "sigma1", "mu2", "sigma2")] == pytest.approx(
        [alpha, mu1, s1, mu2, s2], abs=1e-9)


def test_small_fragment_parameters():
    p = bm.am_distribution_parameters([10**-3.5, 10**-2.0, 10**-1.5, 10**-1.2], "small")
    assert p["mu"] == pytest.approx([-0.3, -0.3, -0.3 - 1.4 * 0.25, -1.0])
    assert p["sigma"] == pytest.approx([0.2, 0.2 + 0.1333 * 1.5, 0.2 + 0.1333 * 2.0, 0.2 + 0.1333 * 2.3])


@pytest.mark.parametrize("parent", ["rocket body", "spacecraft"])
@pytest.mark.parametrize("lc_m", [0.003, 0.03, 0.09, 0.2, 0.5, 2.0])
def test_sampled_log_am_mean_and_spread(parent, lc_m):
    rng = np.random.default_rng(7)
    chi = bm.sample_log_area_to_mass(np.full(200_000, lc_m), parent, rng)
    mean, std = bm.am_log_mean_std(lc_m, parent)
    assert chi.mean() == pytest.approx(float(mean), abs=0.01)
    assert chi.std() == pytest.approx(float(std), abs=0.01)


@pytest.mark.parametrize("kind,slope,offset", [("explosion", 0.2, 1.85), ("collision", 0.9, 2.9)])
def test_delta_v_law(kind, slope, offset):
    rng = np.random.default_rng(3)
    chi = rng.uniform(-2.5, 0.5, 200_000)
    dv = bm.sample_delta_v(chi, kind, rng)
    nu = np.log10(np.linalg.norm(dv, axis=1))
    fit_slope, fit_offset = np.polyfit(chi, nu, 1)
    assert fit_slope == pytest.approx(slope, abs=0.01)
    assert fit_offset == pytest.approx(offset, abs=0.01)
    assert np.std(nu - (slope * chi + offset)) == pytest.approx(0.4, abs=0.005)
    # isotropic: mean direction ~ 0, each axis carries a third of the variance
    u = dv / np.linalg.norm(dv, axis=1)[:, None]
    assert np.abs(u.mean(axis=0)).max() < 0.01
    assert (u**2).mean(axis=0) == pytest.approx([1 / 3] * 3, abs=0.01)


def test_explosion_count_follows_6_lc_power_minus_1_6():
    f = bm.explosion(2000.0, lc_min_m=0.005, lc_max_m=3.0, mass_conservation="none", seed=11)
    n_max = 6 * 3.0**-1.6
    for lc in (0.005, 0.01, 0.05, 0.1, 0.5):
        expected = 6 * lc**-1.6 - n_max
        assert abs(f.count_at_least(lc) - expected) <= 4 * math.sqrt(expected) + 1, lc


def test_collision_count_and_catastrophic_rule():
    # Iridium 33 (560 kg) x Cosmos 2251 (900 kg) at 11.7 km/s: catastrophic, M = 1460 kg
    r = bm.collision_mass(560.0, 900.0, 11.7)
    assert r.catastrophic and r.mass_kg == 1460.0
    assert r.specific_energy_j_g == pytest.approx(0.5 * 560 * 11700**2 / 900 / 1000)
    f = bm.collision(560.0, 900.0, 11.7, lc_min_m=0.01, mass_conservation="none", seed=5)
    for lc in (0.01, 0.05, 0.1, 0.3):
        expected = 0.1 * 1460**0.75 * lc**-1.71
        assert abs(f.count_at_least(lc) - expected) <= 4 * math.sqrt(expected) + 2, lc
    # exactly at the 40 J/g threshold: 0.5 * m_p v^2 / m_t = 40 J/g
    v = math.sqrt(2 * 40e3 * 1000.0 / 1.0) / 1e3  # 1 kg on 1000 kg
    assert bm.collision_mass(1000.0, 1.0, v * 1.0001).catastrophic
    low = bm.collision_mass(1000.0, 1.0, v * 0.999)
    assert not low.catastrophic and low.mass_kg == pytest.approx(1.0 * (v * 0.999) ** 2)


def test_area_law():
    assert bm.area_from_lc(0.001) == pytest.approx(0.540424e-6)
    assert bm.area_from_lc(1.0) == pytest.approx(0.556945)
    assert bm.area_from_lc(0.1) == pytest.approx(0.556945 * 0.1**2.0047077)


def test_mass_limit_keeps_cloud_within_budget_and_count_law():
    f = bm.collision(880.0, 35.0, 9.36, seed=1)
    assert f.total_mass_kg <= 915.0
    assert f.n_removed_for_mass < 20
    g = bm.collision(880.0, 35.0, 9.36, mass_conservation="enforce", seed=1)
    assert g.total_mass_kg == pytest.approx(915.0, rel=0.05) or g.total_mass_kg <= 915.0


def test_non_catastrophic_collision_has_remnant():
    f = bm.collision(1000.0, 0.1, 10.0, seed=2)
    assert f.is_remnant.sum() == 1
    assert f.mass_kg[f.is_remnant][0] == pytest.approx(1000.1 - 0.1 * 100)


def test_seeded_and_reproducible():
    a = bm.explosion(1000.0, lc_min_m=0.01, seed=42)
    b = bm.explosion(1000.0, lc_min_m=0.01, seed=42)
    assert np.array_equal(a.lc_m, b.lc_m) and np.array_equal(a.dv_m_s, b.dv_m_s)


@pytest.mark.parametrize("call", [
    lambda: bm.explosion(-1.0),
    lambda: bm.explosion(1000.0, lc_min_m=-0.1),
    lambda: bm.explosion(1000.0, lc_min_m=0.0),
    lambda: bm.explosion(1000.0, lc_min_m=50.0),
    lambda: bm.explosion(1000.0, parent_type="banana"),
    lambda: bm.collision(100.0, 10.0, -3.0),
    lambda: bm.collision(100.0, 10.0, 100.0),
    lambda: bm.collision(100.0, float("nan"), 10.0),
    lambda: bm.explosion(1000.0, mass_conservation="maybe"),
])
def test_bad_input_is_a_clear_error(call):
    with pytest.raises(bm.BreakupError) as e:
        call()
    assert len(str(e.value)) > 20


def _dv_bins_match_published_law(f, parent_type, slope, offset, edges_m):
    """In each Lc bin of a sampled cloud: ν = log10(Δv) has the published conditional law
    ν | χ ~ N(slope χ + offset, 0.4) (J2001 eqs. 11-12), and its marginal mean and spread follow
    from the published A/M law at those lengths: mean = slope E[μχ] + offset,
    var = slope² (E[σχ²] + Var[μχ]) + 0.4². Tolerance 0.02 decades on every mean and spread
    (the sampling error of the smallest bin, ≥ 4,000 fragments, is ≤ 0.008)."""
    chi = np.log10(f.area_to_mass_m2_kg)
    nu = np.log10(f.dv_norm_m_s)
    for lo, hi in zip(edges_m[:-1], edges_m[1:]):
        k = (f.lc_m >= lo) & (f.lc_m < hi) & ~f.is_remnant
        assert k.sum() >= 4000, (lo, int(k.sum()))
        resid = nu[k] - (slope * chi[k] + offset)
        assert resid.mean() == pytest.approx(0.0, abs=0.02), lo
        assert resid.std() == pytest.approx(bm.DV_SIGMA, abs=0.02), lo
        mu_chi, sd_chi = bm.am_log_mean_std(f.lc_m[k], parent_type)
        want_mean = slope * mu_chi.mean() + offset
        want_std = math.sqrt(slope**2 * (np.mean(sd_chi**2) + mu_chi.var()) + bm.DV_SIGMA**2)
        assert nu[k].mean() == pytest.approx(want_mean, abs=0.02), lo
        assert nu[k].std() == pytest.approx(want_std, abs=0.02), lo


def test_explosion_delta_v_per_characteristic_length_end_to_end():
    # S = 1000 so that every bin up to 60 cm holds thousands of fragments (the law scales with S)
    f = bm.explosion(1.0e5, parent_type="rocket body", lc_min_m=0.05, lc_max_m=3.0, scale_factor=1000.0,
                     mass_conservation="none", seed=21)
    _dv_bins_match_published_law(f, "rocket body", 0.2, 1.85, [0.05, 0.06, 0.085, 0.1, 0.2, 0.24, 0.5, 0.6])


def test_collision_delta_v_per_characteristic_length_end_to_end():
    f = bm.collision(1.0e6, 1.0e6, 10.0, parent_types=("spacecraft", "spacecraft"), lc_min_m=0.05,
                     lc_max_m=(3.0, 3.0), mass_conservation="none", seed=22)
    assert f.catastrophic
    _dv_bins_match_published_law(f, "spacecraft", 0.9, 2.9, [0.05, 0.06, 0.085, 0.1, 0.2, 0.24, 0.5, 0.6])


def test_non_catastrophic_collision_count_uses_projectile_mass_times_v_squared():
    """0.1 kg at 10 km/s on 1,000 kg: 5 J/g < 40 J/g, so M = m_p v² = 10 kg (K2011) and
    N(≥Lc) = 0.1 · 10^0.75 · Lc^-1.71 (within 4 Poisson σ), plus one remnant of 990.1 kg."""
    f = bm.collision(1000.0, 0.1, 10.0, lc_min_m=0.001, mass_conservation="none", seed=9)
    assert not f.catastrophic
    assert f.specific_energy_j_g == pytest.approx(0.5 * 0.1 * 10_000.0**2 / 1000.0 / 1000.0)
    assert f.mass_budget_kg == pytest.approx(0.1 * 10.0**2)
    lc_max = float(bm.characteristic_length_from_mass(1000.0))
    frags = f.take(~f.is_remnant)
    assert frags.n == round(0.1 * 10.0**0.75 * (0.001**-1.71 - lc_max**-1.71))
    for lc in (0.001, 0.003, 0.01, 0.03):
        expected = 0.1 * 10.0**0.75 * (lc**-1.71 - lc_max**-1.71)
        assert abs(frags.count_at_least(lc) - expected) <= 4 * math.sqrt(expected) + 1, lc
    assert f.mass_kg[f.is_remnant] == pytest.approx([1000.1 - 10.0])
