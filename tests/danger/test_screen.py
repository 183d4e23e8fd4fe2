"""Screening recall against a brute-force reference on real objects.

The reference is independent of the screener: every pair, SGP4 every 10 s, every sampled
local minimum of the range within reach of the threshold refined with scipy's ``brentq`` on
the range-rate (scalar ``Satrec.sgp4`` calls). The screener must find every reference event,
with TCA within 1 ms and miss distance within 1 m, and nothing the reference does not find.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from spacesweepers.catalog.formats import read
from spacesweepers.danger import _screen_kernel
from spacesweepers.danger.screening import interpolation_error_km, plausible, screen
from spacesweepers.propagation import Propagator
from spacesweepers.time import DAY_S, Time

START = Time.from_iso("2023-10-09T12:00:00Z")
STEP = 10.0
TCA_TOL_S = 1e-3
MISS_TOL_KM = 1e-3


@pytest.fixture(scope="module")
def catalog(snapshot_3le):
    return read(snapshot_3le).element_sets


def brute_force(elements, start: Time, duration_s: float, d_km: float, primary: int | None = None):
    """Every pair (or every pair with ``primary``), every 10 s, then refined:
    [(id1, id2, tca_s, miss_km)] with id1 < id2."""
    prop = Propagator(elements)
    ids, sats = prop.norad_ids, prop.satrecs
    ts = np.arange(0.0, duration_s + STEP / 2, STEP)
    eph = prop.at(Time(np.full(ts.shape, start.jd1), start.jd2 + ts / DAY_S))
    r = np.asarray(eph.r_teme_km)
    n = len(ids)
    if primary is None:
        i_all, j_all = np.triu_indices(n, 1)
    else:
        p = int(np.flatnonzero(ids == primary)[0])
        j_all = np.delete(np.arange(n), p)
        i_all = np.full(len(j_all), p)
    gate = d_km + 16.0 * STEP / 2 + 1.0  # the sampled minimum is within vrel*STEP/2 of the true one
    found = []

    def f(t, a, b):
        e1, r1, v1 = sats[a].sgp4(start.jd1, start.jd2 + t / DAY_S)
        e2, r2, v2 = sats[b].sgp4(start.jd1, start.jd2 + t / DAY_S)
        return float(np.dot(np.subtract(r2, r1), np.subtract(v2, v1)))

    for s in range(0, len(i_all), 2000):
        I, J = i_all[s:s + 2000], j_all[s:s + 2000]
        D = np.linalg.norm(r[J] - r[I], axis=2)  # (pairs, times)
        m = (D[:, 1:-1] <= D[:, :-2]) & (D[:, 1:-1] <= D[:, 2:]) & (D[:, 1:-1] <= gate)
        for p, k in zip(*np.nonzero(m)):
            a, b = int(I[p]), int(J[p])
            lo, hi = ts[k], ts[k + 2]
            flo, fhi = f(lo, a, b), f(hi, a, b)
            if not (flo < 0 < fhi):
                continue
            t = brentq(f, lo, hi, args=(a, b), xtol=1e-8, rtol=1e-15)
            e1, r1, _ = sats[a].sgp4(start.jd1, start.jd2 + t / DAY_S)
            e2, r2, _ = sats[b].sgp4(start.jd1, start.jd2 + t / DAY_S)
            miss = float(np.linalg.norm(np.subtract(r2, r1)))
            if e1 == 0 and e2 == 0 and miss <= d_km:
                x, y = sorted((int(ids[a]), int(ids[b])))
                found.append((x, y, t, miss))
    return found


def compare(result, reference, duration_s):
    got = {}
    for k in range(len(result)):
        x, y = sorted((int(result.table["primary"][k]), int(result.table["secondary"][k])))
        got.setdefault((x, y), []).append((float(result.table["tca_s"][k]), float(result.table["miss_km"][k])))
    missed, worst_t, worst_m = [], 0.0, 0.0
    for x, y, t, miss in reference:
        cands = got.get((x, y), [])
        best = min(cands, key=lambda c: abs(c[0] - t), default=None)
        if best is None or abs(best[0] - t) > TCA_TOL_S or abs(best[1] - miss) > MISS_TOL_KM:
            missed.append((x, y, t, miss, best))
        else:
            worst_t, worst_m = max(worst_t, abs(best[0] - t)), max(worst_m, abs(best[1] - miss))
    ref = {(x, y): [t for a, b, t, _ in reference if (a, b) == (x, y)] for x, y, _, _ in reference}
    extra = [(p, t) for p, lst in got.items() for t, _ in lst
             if STEP < t < duration_s - STEP and not any(abs(t - u) < TCA_TOL_S for u in ref.get(p, []))]
    return missed, extra, worst_t, worst_m


def _check(elements, duration_s, d_km, **kw):
    res = screen(elements, START, days=duration_s / DAY_S, threshold_km=d_km, workers=1, **kw)
    prim = kw.get("primaries")
    ref = brute_force(elements, START, duration_s, d_km, None if prim is None else prim[0])
    missed, extra, wt, wm = compare(res, ref, duration_s)
    assert not missed, f"screener missed {len(missed)} of {len(ref)} reference events, e.g. {missed[:3]}"
    assert not extra, f"screener reported {len(extra)} minima the reference does not have: {extra[:3]}"
    assert wt <= TCA_TOL_S and wm <= MISS_TOL_KM
    return res, ref


def test_recall_real_debris_clouds(catalog):
    """300 real fragments of two breakups that share a shell (FY-1C, Cosmos 2251), one day,
    20 km: the brute force finds dozens of events; the screener finds all of them."""
    fy = [e for e in catalog if e.name.startswith("FENGYUN 1C DEB")][:200]
    co = [e for e in catalog if e.name.startswith("COSMOS 2251 DEB")][:100]
    res, ref = _check(fy + co, 0.5 * DAY_S, 20.0)
    assert len(ref) >= 20, f"test case too sparse: {len(ref)} reference events"


def test_recall_dense_fresh_cloud(catalog):
    """A breakup cloud one hour old: fragments move together with relative speeds of m/s to
    ~100 m/s and meet again every half orbit (slow, long encounters)."""
    from spacesweepers.population.clouds import explode

    parent = next(e for e in catalog if e.norad_id == 25544)  # ISS orbit as the parent orbit
    cloud = explode(parent.with_(epoch_jd1=START.jd1, epoch_jd2=START.jd2 - 3600.0 / DAY_S),
                    at=START.plus_seconds(-3600.0), seed=7)
    frags = cloud.element_sets[:150]
    res, ref = _check(frags, 3 * 3600.0, 5.0)
    assert len(ref) >= 30, f"test case too sparse: {len(ref)} reference events"
    assert np.median(res.table["vrel_kms"]) < 0.3  # they really are slow encounters


def test_recall_near_coplanar_slow(catalog):
    """Two objects in nearly the same orbit: relative speed ~1 m/s, minima once per orbit."""
    base = next(e for e in catalog if e.norad_id == 25544)
    a = base.with_(norad_id=90001, eccentricity=0.0001, epoch_jd1=START.jd1, epoch_jd2=START.jd2)
    b = a.with_(norad_id=90002, eccentricity=0.0003, mean_anomaly_deg=a.mean_anomaly_deg + 0.005,
                inclination_deg=a.inclination_deg + 0.0005)
    res, ref = _check([a, b], 0.5 * DAY_S, 5.0)
    assert len(ref) >= 5
    assert res.table["vrel_kms"].max() < 0.01  # < 10 m/s
    assert res.table["usage_violation"].all()  # slow encounters violate the 2D Pc assumptions


def test_usage_violations_get_no_pc(catalog, tmp_path):
    """Slow encounters (~1 m/s) violate the 2D assumptions: no Pc in the table, JSON, CSV and
    CDM (pc null, pc_method says why); the database keeps the 2D bound only with that method."""
    import csv

    import sqlalchemy as sa

    from spacesweepers.catalog import schema
    from spacesweepers.catalog.formats.cdm import read_cdm
    from spacesweepers.catalog.store import Store
    from spacesweepers.danger.screening import PC_METHOD, PC_NONE_METHOD, save_screening

    base = next(e for e in catalog if e.norad_id == 25544)
    a = base.with_(norad_id=90001, eccentricity=0.0001, epoch_jd1=START.jd1, epoch_jd2=START.jd2)
    b = a.with_(norad_id=90002, eccentricity=0.0003, mean_anomaly_deg=a.mean_anomaly_deg + 0.005,
                inclination_deg=a.inclination_deg + 0.0005)
    fast = [e for e in catalog if e.name.startswith("FENGYUN 1C DEB")][:200]
    res = screen([a, b] + fast, START, days=0.25, threshold_km=20.0, workers=1)
    slow = res.table["usage_violation"]
    assert slow.sum() >= 2 and (~slow).sum() >= 1
    assert np.isnan(res.table["pc"][slow]).all() and (res.table["pc_method"][slow] == PC_NONE_METHOD).all()
    assert np.isfinite(res.table["pc"][~slow]).all() and (res.table["pc_method"][~slow] == PC_METHOD).all()
    rows = res.rows()
    assert all((r["pc"] is None) == r["usage_violation"] for r in rows)
    res.write(tmp_path / "ev.csv")
    with open(tmp_path / "ev.csv", newline="") as fh:
        assert sum(r["pc"] == "" for r in csv.DictReader(fh)) == slow.sum()
    k = int(np.flatnonzero(slow)[0])
    cdm = read_cdm(res.write_cdms(tmp_path / "cdm")[k])
    assert cdm.collision_probability is None
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as s:
        save_screening(s, res)
        with s.engine.connect() as conn:
            got = conn.execute(sa.select(schema.conjunctions.c.pc_method, schema.conjunctions.c.usage_violation)).all()
    assert all((m == PC_NONE_METHOD) == bool(v) for m, v in got)


def test_recall_one_vs_all_with_the_orbit_path_filter(catalog):
    """One-vs-all (ISS) against 250 objects that cross its shell, many of them eccentric, so
    that the orbit-path filter drops some: every event of the brute force (ISS against each,
    every 10 s) is found, at H = 1,200 s."""
    from spacesweepers.danger.screening import _shells

    ids, rp, ra = _shells(catalog)
    iss = next(e for e in catalog if e.norad_id == 25544)
    k = int(np.flatnonzero(ids == 25544)[0])
    cross = (rp <= ra[k] + 60) & (rp[k] <= ra + 60) & (ids != 25544)
    ecc = np.array([e.eccentricity for e in catalog])
    pick = list(np.flatnonzero(cross & (ecc > 0.005))[:170]) + list(np.flatnonzero(cross & (ecc <= 0.005))[:80])
    objs = [iss] + [catalog[i] for i in pick]
    res, ref = _check(objs, DAY_S, 60.0, primaries=[25544])
    assert res.stats["sample_step_s"] == 1200.0
    assert res.stats["path_filtered"] >= 20, res.stats  # the filter did drop objects
    assert len(ref) >= 5, f"test case too sparse: {len(ref)} reference events"


def test_orbit_path_deviation_bound_holds_for_the_whole_snapshot(catalog):
    """The orbit-path filter's δ (distance of the SGP4 position from the mean ellipse of
    SGP4's own interpolated mean elements) checked for all 26,140 objects over 7 days, every
    hour, wherever the object is below 8,500 km; objects left unbounded are few."""
    from spacesweepers.danger import orbit_path as op
    from spacesweepers.danger.screening import _orbit_numbers

    prop = Propagator(catalog)
    T = 7 * DAY_S
    el = op.mean_elements(prop.satrecs, START.jd1, START.jd2, T)
    dev = op.path_deviation_km(el)
    ts = np.arange(0.0, T + 1, 3600.0) + 17.0  # off the element samples
    ts[-1] = T
    eph = prop.at(Time(np.full(ts.shape, START.jd1), START.jd2 + ts / DAY_S))
    r, v = np.asarray(eph.r_teme_km), np.asarray(eph.v_teme_km_s)
    _, _, rp, ra = _orbit_numbers(prop.satrecs)
    m = op._interp(el, ts)
    ci, si = np.cos(m["i"]), np.sin(m["i"])
    cO, sO, cw, sw = np.cos(m["raan"]), np.sin(m["raan"]), np.cos(m["argp"]), np.sin(m["argp"])
    P = np.stack([cO * cw - sO * sw * ci, sO * cw + cO * sw * ci, sw * si], -1)
    Q = np.stack([-cO * sw - sO * cw * ci, -sO * sw + cO * cw * ci, cw * si], -1)
    W = np.stack([sO * si, -cO * si, ci], -1)
    x, y, z = (np.einsum("ntk,ntk->nt", r, A) for A in (P, Q, W))
    f = np.arctan2(y, x)
    rf = m["a_km"] * (1 - m["e"] ** 2) / (1 + m["e"] * np.cos(f))
    d = np.hypot(z, np.hypot(x, y) - rf)
    use = (eph.error == 0) & plausible(r, v, rp, ra) & (np.linalg.norm(r, axis=-1) < 8500.0)
    worst = np.where(use, d, 0.0).max(axis=1)
    bounded = np.isfinite(dev)
    assert bounded.sum() > 22_000  # deep-space objects with e < 0.8 included
    ratio = np.where(bounded, worst / dev, 0.0)
    assert ratio.max() <= 1.0, f"object {prop.norad_ids[ratio.argmax()]}: {worst[ratio.argmax()]:.1f} km > δ"


def test_primaries_mode_finds_the_same_events(catalog):
    fy = [e for e in catalog if e.name.startswith("FENGYUN 1C DEB")][:200]
    full = screen(fy, START, days=0.25, threshold_km=20.0, workers=1)
    assert len(full) > 0
    prim = int(full.table["primary"][0])
    one = screen(fy, START, days=0.25, threshold_km=20.0, primaries=[prim], workers=1)
    sel = (full.table["primary"] == prim) | (full.table["secondary"] == prim)
    assert len(one) == sel.sum()
    assert np.allclose(np.sort(one.table["tca_s"]), np.sort(full.table["tca_s"][sel]), atol=1e-6)
    assert (one.table["primary"] == prim).all()


def test_numpy_backend_gives_the_same_candidates(catalog):
    if not _screen_kernel.HAVE_NUMBA:
        pytest.skip("numba not installed: only the numpy path exists")  # pragma: no cover
    fy = [e for e in catalog if e.name.startswith("FENGYUN 1C DEB")][:150]
    a = screen(fy, START, days=0.1, threshold_km=20.0, workers=1, backend="numba")
    b = screen(fy, START, days=0.1, threshold_km=20.0, workers=1, backend="numpy")
    assert a.stats["candidates"] == b.stats["candidates"]
    assert np.array_equal(a.table["tca_s"], b.table["tca_s"])


@pytest.mark.parametrize("H, hours", [(300.0, 2), (1200.0, 6)])
def test_interpolation_bound_holds_for_the_whole_snapshot(catalog, H, hours):
    """The cubic-Hermite error bound that the screener adds to its margin, checked against
    SGP4 at the quarter points of every interval for all 26,140 objects: H = 300 s (all-vs-all)
    and 1,200 s (one-vs-all)."""
    from spacesweepers.danger._screen_kernel import hermite_nodes

    prop = Propagator(catalog)
    ts = np.arange(0, hours * 3600 + 1, H)
    fine = np.arange(0, ts[-1] + 1, H / 4)
    e1 = prop.at(Time(np.full(ts.shape, START.jd1), START.jd2 + ts / DAY_S))
    e2 = prop.at(Time(np.full(fine.shape, START.jd1), START.jd2 + fine / DAY_S))
    P, _ = hermite_nodes(np.asarray(e1.r_teme_km), np.asarray(e1.v_teme_km_s), H, 4)
    err = np.linalg.norm(P - np.asarray(e2.r_teme_km), axis=2)
    r1, v1 = np.asarray(e1.r_teme_km), np.asarray(e1.v_teme_km_s)
    eps = interpolation_error_km(prop.satrecs, H, r1, v1)  # as the screener takes it per chunk
    from spacesweepers.danger.screening import _orbit_numbers

    _, _, rp, ra = _orbit_numbers(prop.satrecs)
    used = plausible(r1, v1, rp, ra).all(axis=1)  # the screener leaves out the others (reported)
    ok = np.isfinite(err) & used[:, None]
    assert used.sum() > 25800  # 279 of the 26,140 fail or are past decay in this window
    ratio = np.where(ok, err, 0.0).max(axis=1) / eps
    assert ratio.max() <= 1.0, f"bound exceeded for object {prop.norad_ids[ratio.argmax()]} ({ratio.max():.2f}x)"


def test_bad_input_is_reported_not_fatal(catalog):
    fy = [e for e in catalog if e.name.startswith("FENGYUN 1C DEB")][:50]
    dup = fy[3].with_(norad_id=99999)  # identical orbit, other id
    decaying = fy[5].with_(norad_id=99998, mean_motion_rev_day=16.4, bstar_per_earth_radius=0.5)
    res = screen(fy + [fy[3], dup, decaying], START, days=0.2, threshold_km=5.0, workers=1)
    text = "\n".join(res.problems)
    assert "99999" in text and "identical" in text
    assert "more than one element set" in text
    assert "99998" in text and "SGP4 failed" in text


def test_checkpoint_resume(catalog, tmp_path):
    fy = [e for e in catalog if e.name.startswith("FENGYUN 1C DEB")][:120]
    a = screen(fy, START, days=0.5, threshold_km=20.0, workers=1, chunk_s=3600, checkpoint=tmp_path / "ck")
    files = sorted((tmp_path / "ck").glob("chunk_*.npz"))
    assert len(files) == a.stats["chunks"]
    for f in files[::2]:
        f.unlink()  # as if interrupted
    seen = []
    b = screen(fy, START, days=0.5, threshold_km=20.0, workers=1, chunk_s=3600, checkpoint=tmp_path / "ck",
               progress=lambda d, n: seen.append(d))
    assert seen[0] == len(files) - len(files[::2])  # resumed: the kept chunks count as done
    assert np.array_equal(a.table["tca_s"], b.table["tca_s"])


def test_recall_fast_eccentric_objects(catalog):
    """GTO/HEO objects cross LEO at up to ~10 km/s: the grid makes them search more cells.
    80 of them with 120 LEO objects, 150 km threshold so that there are events to compare."""
    heo = [e for e in catalog if e.eccentricity > 0.5 and e.perigee_km < 1000][:80]
    leo = [e for e in catalog if e.name.startswith("COSMOS 2251 DEB")][:120]
    res, ref = _check(heo + leo, 0.5 * DAY_S, 150.0)
    heo_ids = {e.norad_id for e in heo}
    assert sum(1 for x, y, _, _ in ref if x in heo_ids or y in heo_ids) >= 5


def test_two_runs_in_one_process_with_worker_processes(catalog):
    """A small in-process run, then a larger one on two worker processes: same events as in-process."""
    fy = [e for e in catalog if e.name.startswith("FENGYUN 1C DEB")][:250]
    screen(fy[:40], START, days=0.05, threshold_km=5.0, workers=1)
    a = screen(fy, START, days=0.25, threshold_km=20.0, workers=2, chunk_s=3 * 3600)
    b = screen(fy, START, days=0.25, threshold_km=20.0, workers=1, chunk_s=3 * 3600)
    assert len(a) == len(b) > 0 and np.array_equal(a.table["tca_s"], b.table["tca_s"])
    assert np.array_equal(a.table["miss_km"], b.table["miss_km"])


def test_primary_out_of_everyone_s_reach_is_a_run_with_no_event():
    # a LEO primary and a GEO object: the apogee/perigee filter leaves the primary alone, which
    # is an answer (no conjunction possible), not an error
    from spacesweepers.catalog.elements import ElementSet
    from spacesweepers.danger.screening import ScreeningError

    ep = Time.from_iso("2023-10-09T00:00:00Z")
    leo = ElementSet(900001, float(ep.jd1), float(ep.jd2), 15.0, 0.001, 53.0, 0.0, 0.0, 0.0, name="LEO")
    geo = ElementSet(900002, float(ep.jd1), float(ep.jd2), 1.0027, 0.0001, 0.05, 0.0, 0.0, 0.0, name="GEO")
    res = screen([leo, geo], ep, days=1.0, primaries=[900001])
    assert len(res) == 0 and res.stats["events"] == 0 and res.stats["objects"] == 1
    with pytest.raises(ScreeningError, match="at least two objects"):
        screen([leo], ep, days=1.0)
