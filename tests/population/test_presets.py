

def test_aged_demo_population_is_clean_at_its_epoch():
    """Clouds generated at their event dates and aged to a later epoch: every element set is
    finite, at that epoch, and propagates; most Cosmos 1408 fragments (2021, ~480 km) have
    re-entered by late 2026 while most Fengyun-1C fragments (2007, ~865 km) are still up."""
    import math

    from spacesweepers.population.presets import demo_population
    from spacesweepers.propagation import Propagator
    from spacesweepers.time import Time

    epoch = Time.from_iso("2026-11-22")
    pop = demo_population(seed=1, epoch=epoch)
    assert len(pop.element_sets) == len(pop.metadata) == len(pop.generated)
    assert all(math.isfinite(e.mean_motion_rev_day) and e.epoch_jd1 == epoch.jd1 for e in pop.element_sets)
    eph = Propagator(pop.element_sets).at(epoch)
    assert eph.ok.mean() > 0.998
    kept = {g.event_id: 0 for g in pop.generated}
    for g in pop.generated:
        kept[g.event_id] += 1
    fy1c = next(c for c in pop.clouds if "FY1C" in c.event_id)
    c1408 = next(c for c in pop.clouds if "C1408" in c.event_id)
    assert kept[fy1c.event_id] / fy1c.n > 0.5
    assert kept[c1408.event_id] / c1408.n < 0.2
