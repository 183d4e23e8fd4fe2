"""The catalog database on SQLite and PostgreSQL: history, latest-as-of, idempotent and strict
ingest, metadata and sizes, large catalog numbers, provenance, and migrations = models."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from spacesweepers.catalog import schema
from spacesweepers.catalog.elements import ElementSet, ObjectMetadata, ParseResult, SizeEstimate
from spacesweepers.catalog.formats.tle import format_tle
from spacesweepers.catalog.store import Store, alembic_config
from spacesweepers.errors import IngestRejected, NoGoodRecords, NotFound, SweepersError
from spacesweepers.time import Time

D0 = Time.from_iso("2023-10-09T00:00:00Z")  # jd1 = 2460226.5


def es(norad_id: int, day: float, name: str = "", intl: str = "", line: int = 0, **kw) -> ElementSet:
    """An element set of ``norad_id`` at 2023-10-09 + ``day`` days (split JD as the readers make it)."""
    whole = int(day // 1)
    elements = dict(
        mean_motion_rev_day=15.5 + norad_id % 7 * 0.01, eccentricity=0.0005123, inclination_deg=51.641,
        raan_deg=121.2575, arg_perigee_deg=92.319, mean_anomaly_deg=358.8196,
        bstar_per_earth_radius=3.5938e-4, mean_motion_dot_rev_day2=2.01e-4,
    )
    elements.update(kw)
    return ElementSet(
        norad_id, float(D0.jd1) + whole, day - whole, **elements, name=name, intl_designator=intl,
        source="hand.tle", source_line=line,
    )


def result(*records, source="hand.tle", fmt="tle", problems=()) -> ParseResult:
    r = ParseResult(source=source, format=fmt, problems=list(problems))
    for x in records:
        {ElementSet: r.element_sets, ObjectMetadata: r.metadata, SizeEstimate: r.sizes}[type(x)].append(x)
    return r


def table_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as c:
        return {
            t.name: c.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in schema.metadata.sorted_tables
        }


# --- history and latest ------------------------------------------------------------------
@pytest.fixture
def store(db_url):
    with Store(db_url) as s:
        yield s


def test_history_and_latest_as_of(store):
    # ISS with three epochs, one debris piece with two, a payload with one later epoch
    iss = [es(25544, d, "ISS (ZARYA)", "1998-067A", line=3 * k + 2) for k, d in enumerate((0.25, 1.5, 2.75))]
    deb = [es(49863, d, "COSMOS 1408 DEB", "1982-092AB") for d in (0.5, 2.0)]
    late = es(58000, 3.0, "STARLINK-30000", "2023-150A")
    store.ingest(result(*iss, *deb, late))

    assert store.history(25544) == iss  # oldest first, every field bit-exact
    assert [e.source_line for e in store.history(25544)] == [2, 5, 8]
    assert all(e.source == "hand.tle" for e in store.history(25544))

    # latest of all: newest per object, sorted by NORAD id
    assert store.latest() == [iss[2], deb[1], late]
    # as of 2023-10-10 12:00 (day 1.5 exactly: the ISS set at that epoch counts)
    t = D0.plus_days(1.5)
    assert store.latest(as_of=t) == [iss[1], deb[0]]
    assert store.latest(as_of=t.plus_seconds(-1e-3)) == [iss[0], deb[0]]
    assert store.latest(as_of="2023-10-09T00:00:00Z") == []
    assert store.latest(as_of=datetime(2023, 10, 11, 18, tzinfo=timezone.utc)) == [iss[2], deb[1]]
    # filters
    assert store.latest(ids=[49863, 99999]) == [deb[1]]
    assert store.latest(ids=[]) == []
    assert store.latest(where={"object_type": "DEBRIS"}) == [deb[1]]
    assert store.latest(where={"object_type": ["PAYLOAD"]}, as_of=t) == [iss[1]]
    assert store.latest(where=schema.objects.c.intl_designator.like("2023-%")) == [late]
    with pytest.raises(SweepersError, match="cannot filter on 'colour'"):
        store.latest(where={"colour": "red"})


def test_unknown_id_is_not_found_with_a_hint(store):
    with pytest.raises(NotFound, match="catalog is empty"):
        store.history(25544)
    store.ingest(result(es(5, 0.5, "VANGUARD 1")))
    with pytest.raises(NotFound, match="no object with NORAD id 25544 .*1 objects"):
        store.object(25544)
    assert store.history(5)[0].norad_id == 5


# --- idempotence, strictness ------------------------------------------------------------------
def test_reingest_is_idempotent(store):
    records = [es(i, 0.5 + k, f"OBJECT {i}") for i in (11, 12, 13) for k in range(2)]
    first = store.ingest(result(*records, records[0]))  # one set repeated in the input
    assert (first.element_sets_loaded, first.element_sets_repeated, first.objects_created) == (6, 1, 3)
    before = table_counts(store)

    again = store.ingest(result(*records))
    assert (again.element_sets_loaded, again.element_sets_present, again.already_present) == (0, 6, 6)
    assert (again.objects_created, again.objects_updated) == (0, 0)
    after = table_counts(store)
    assert after["element_sets"] == before["element_sets"] == 6
    assert after["objects"] == 3
    assert after["sources"] == before["sources"] + 1  # the second ingest is still recorded
    assert store.sources()[-1].n_already_present == 6

    # a newer epoch of one object: only that row is new
    third = store.ingest(result(*records, es(12, 5.0, "OBJECT 12")))
    assert (third.element_sets_loaded, third.element_sets_present) == (1, 6)
    assert store.latest(ids=[12])[0].epoch_jd1 == float(D0.jd1) + 5


def _tle_text(records: list[ElementSet]) -> list[str]:
    lines = []
    for e in records:
        lines.append(f"0 {e.name}")
        lines.extend(format_tle(e))
    return lines


def test_strict_rejects_and_default_skips_bad_records(store, tmp_path):
    good = [es(i, 0.5, f"SAT {i}", "2020-001A") for i in (101, 102, 103, 104)]
    lines = _tle_text(good)
    # line 6 (line 2 of SAT 102): break the checksum; line 9 (line 2 of SAT 103): garble the inclination
    lines[5] = lines[5][:-1] + str((int(lines[5][-1]) + 1) % 10)
    lines[8] = lines[8][:8] + " 5x.6410" + lines[8][16:]
    path = tmp_path / "bad.tle"
    path.write_text("\r\n".join(lines) + "\r\n")

    with pytest.raises(IngestRejected) as info:
        store.ingest(path, strict=True)
    assert sorted(p.line for p in info.value.problems) == [6, 9]
    assert "changed nothing" in str(info.value)
    assert table_counts(store) == dict.fromkeys(table_counts(store), 0)  # not even a sources row

    report = store.ingest(path)
    assert report.element_sets_loaded == 2 and report.n_skipped == 2
    assert [p.line for p in sorted(report.problems, key=lambda p: p.line)] == [6, 9]
    text = report.problem_report()
    assert "line 6" in text and "line 9" in text and text.index("line 6") < text.index("line 9")
    assert [e.norad_id for e in store.latest()] == [101, 104]
    src = store.sources()[-1]
    assert (src.n_element_sets, src.n_skipped, src.n_problems) == (2, 2, 2)


def test_records_the_database_cannot_hold_are_problems_too(store):
    bad = [es(0, 0.5, "ZERO"), es(2**31, 0.5, "TOO BIG"), es(7, 0.5, "NAN", inclination_deg=float("nan"))]
    meta = ObjectMetadata(8, name="X", launch_date="1999-02-30", source="m.csv", source_line=4)
    with pytest.raises(IngestRejected):
        store.ingest(result(*bad, meta, es(9, 0.5, "OK")), strict=True)
    report = store.ingest(result(*bad, meta, es(9, 0.5, "OK")))
    assert report.element_sets_loaded == 1
    assert sorted(p.field for p in report.problems) == ["inclination_deg", "launch_date", "norad_id", "norad_id"]
    assert store.count() == 1


def test_input_with_no_good_record_is_refused_and_changes_nothing(store, tmp_path):
    lines = _tle_text([es(i, 0.5, f"SAT {i}", "2020-001A") for i in (101, 102)])
    for k in (1, 4):  # break the checksum of both line 1s: two records, none good
        lines[k] = lines[k][:-1] + str((int(lines[k][-1]) + 1) % 10)
    path = tmp_path / "all-bad.tle"
    path.write_text("\n".join(lines) + "\n")
    empty = dict.fromkeys(table_counts(store), 0)
    for strict in (False, True):
        with pytest.raises(NoGoodRecords) as info:
            store.ingest(path, strict=strict)
        assert sorted(p.line for p in info.value.problems) == [2, 5]
        assert info.value.source == str(path.resolve())
        msg = str(info.value)
        assert msg.startswith(f"{path.resolve()}: none of its records could be read (2 bad record(s), 0 good)")
        assert f"{path.resolve()}, line 2, field checksum" in msg and "database is unchanged" in msg
        assert table_counts(store) == empty  # not even a sources row
    # parsed records the database cannot hold, and nothing else, are refused the same way
    with pytest.raises(NoGoodRecords, match="hand.tle: none of its records"):
        store.ingest(result(es(0, 0.5, "ZERO"), es(7, 0.5, "NAN", inclination_deg=float("nan"))))
    assert table_counts(store) == empty
    # one good record is enough to load (the bad ones reported)
    lines[1] = _tle_text([es(101, 0.5, "SAT 101", "2020-001A")])[1]
    path.write_text("\n".join(lines) + "\n")
    report = store.ingest(path)
    assert (report.element_sets_loaded, [p.line for p in report.problems]) == (1, [5])
    assert len(store.sources()) == 1


# --- metadata, sizes, ids -------------------------------------------------------------------------
def test_metadata_joins_by_catalog_number(store):
    store.ingest(result(es(25544, 0.5, "ISS (ZARYA)", "1998-067A"), es(48274, 0.5, "TBA - TO BE ASSIGNED")))
    obj = store.object(25544)
    assert (obj.metadata.object_type, obj.object_type_guessed) == ("PAYLOAD", True)
    assert store.object(48274).metadata.object_type == "UNKNOWN"

    satcat = result(
        ObjectMetadata(25544, name="ISS (ZARYA)", object_type="PAYLOAD", rcs_size="LARGE", country="ISS",
                       launch_date="1998-11-20", launch_site="TYMSC", source_line=2),
        ObjectMetadata(48274, name="CSS (TIANHE)", intl_designator="2021-035A", object_type="PAYLOAD",
                       country="PRC", source_line=3),
        ObjectMetadata(1, name="SPUTNIK 1 R/B", object_type="ROCKET BODY", decay_date="1957-12-01", source_line=4),
        source="satcat.csv", fmt="satcat",
    )
    rep = store.ingest(satcat)
    assert (rep.objects_created, rep.objects_updated) == (1, 2)

    iss = store.object(25544)
    assert iss.metadata == ObjectMetadata(
        25544, name="ISS (ZARYA)", intl_designator="1998-067A", object_type="PAYLOAD", rcs_size="LARGE",
        country="ISS", launch_date="1998-11-20", launch_site="TYMSC",
    )
    assert not iss.object_type_guessed
    assert iss.latest.name == "ISS (ZARYA)" and iss.n_element_sets == 1
    assert (iss.first_seen.location, iss.updated.location) == ("hand.tle", "satcat.csv")
    assert store.object(48274).metadata.name == "CSS (TIANHE)"
    sputnik = store.object(1)
    assert (sputnik.metadata.decay_date, sputnik.latest, sputnik.n_element_sets) == ("1957-12-01", None, 0)

    # unknown values never erase, element sets never override metadata, same values are "present"
    rep = store.ingest(result(ObjectMetadata(25544, country=None, rcs_size="LARGE"),
                              es(48274, 1.5, "TBA - TO BE ASSIGNED"), source="more.csv"))
    assert (rep.metadata_present, rep.objects_updated, rep.element_sets_loaded) == (1, 0, 1)
    assert store.object(25544).metadata.country == "ISS"
    assert store.object(48274).metadata.name == "CSS (TIANHE)"

    stats = store.stats()
    assert stats.by_object_type == {"PAYLOAD": 2, "ROCKET BODY": 1, "DEBRIS": 0, "UNKNOWN": 0}
    assert stats.by_regime["LEO"] == 2 and stats.by_regime["NONE"] == 1


def test_objects_without_metadata_follow_their_newest_element_set(store):
    store.ingest(result(es(58001, 1.0, "TBA - TO BE ASSIGNED")))
    store.ingest(result(es(58001, 0.5, "OLD NAME")))  # older: changes nothing
    assert store.object(58001).metadata.name == "TBA - TO BE ASSIGNED"
    store.ingest(result(es(58001, 2.0, "STARLINK-6000 DEB", "2023-100C")))
    obj = store.object(58001)
    assert (obj.metadata.name, obj.metadata.intl_designator) == ("STARLINK-6000 DEB", "2023-100C")
    assert (obj.metadata.object_type, obj.object_type_guessed) == ("DEBRIS", True)


def test_sizes_are_kept_without_creating_objects(store):
    store.ingest(result(es(25544, 0.5, "ISS (ZARYA)")))
    cara = result(
        SizeEstimate(25544, hbr_m=37.6, hbr_sigma_m=4.2, hbr_source="SFK RCS Estimate", mass_kg=419725.0,
                     mass_sigma_kg=None, mass_source="CARA Protected Primary", source_line=2),
        SizeEstimate(12, hbr_m=None, mass_kg=None, hbr_source="DISCOS DB", mass_source="DISCOS DB", source_line=3),
        source="cara.csv", fmt="cara",
    )
    rep = store.ingest(cara)
    assert (rep.sizes_loaded, store.count()) == (2, 1)
    size = store.object(25544).size
    assert (size.hbr_m, size.hbr_sigma_m, size.mass_kg, size.mass_sigma_kg) == (37.6, 4.2, 419725.0, None)
    assert (size.source, size.source_line) == ("cara.csv", 2)
    again = store.ingest(cara)
    assert (again.sizes_loaded, again.sizes_present) == (0, 2)
    changed = store.ingest(result(SizeEstimate(25544, hbr_m=40.0, source_line=9), source="cara2.csv", fmt="cara"))
    assert changed.sizes_loaded == 1 and store.object(25544).size.hbr_m == 40.0
    assert table_counts(store)["size_estimates"] == 2


def test_generated_objects_are_flagged_in_the_same_ingest(store):
    store.ingest(result(es(25730, 0.5, "FENGYUN 1C")))
    cloud = result(
        *[es(900000 + k, 0.5, "FENGYUN 1C DEB (GEN)") for k in range(3)],
        ObjectMetadata(900000, object_type="DEBRIS"),
        source="generated:fy1c-2007",
        fmt="generated",
    )
    rep = store.ingest(cloud, generated=True, parent_events={900002: "fy1c-2007"})
    assert (rep.objects_created, rep.objects_updated) == (3, 0)
    flags = {i: (o.generated, o.parent_event) for i in (25730, 900000, 900001, 900002) for o in [store.object(i)]}
    assert flags == {25730: (False, None), 900000: (True, None), 900001: (True, None), 900002: (True, "fy1c-2007")}
    rep = store.ingest(result(es(25730, 1.5, "FENGYUN 1C")), parent_events={900000: "fy1c-2007"})
    assert rep.objects_updated == 0  # 900000 is not in this input: untouched
    assert store.object(900000).parent_event is None
    rep = store.ingest(result(es(900000, 0.5, "FENGYUN 1C DEB (GEN)")), parent_events={900000: "fy1c-2007"})
    assert (rep.objects_updated, store.object(900000).parent_event) == (1, "fy1c-2007")
    assert [e.norad_id for e in store.latest(where={"generated": False})] == [25730]
    assert store.stats().n_generated == 3


@pytest.mark.parametrize("norad_id", [99999, 100000, 270000, 339999, 340000, 999_999_999])
def test_large_catalog_numbers(store, norad_id):
    # 100000..339999 are Alpha-5 in TLEs; 340000 and above exist only in OMM (9 digits)
    e = es(norad_id, 0.5, "TBA - TO BE ASSIGNED", line=1)
    store.ingest(result(e, SizeEstimate(norad_id, hbr_m=0.5), ObjectMetadata(norad_id, country="US")))
    assert store.history(norad_id) == [e]
    assert store.latest(ids=[norad_id]) == [e]
    assert store.object(norad_id).metadata.country == "US"
    assert store.object(norad_id).size.hbr_m == 0.5


# --- provenance ------------------------------------------------------------------------------------
def test_provenance_is_recorded(store, tmp_path):
    path = tmp_path / "two.tle"
    path.write_text("\n".join(_tle_text([es(5, 0.54072583, "VANGUARD 1"), es(11, 0.45536547, "VANGUARD 2")])) + "\n")
    before = datetime.now(timezone.utc)
    rep = store.ingest(path)
    store.ingest(path, source_url="https://celestrak.org/NORAD/elements/gp.php?GROUP=test&FORMAT=tle")
    (first, second) = store.sources()
    assert first.location == str(path.resolve()) and second.location.startswith("https://celestrak.org/")
    assert first.sha256 == second.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == rep.sha256
    assert (first.format, first.n_element_sets, first.n_objects_created, first.strict) == ("tle", 2, 2, False)
    assert (second.n_element_sets, second.n_already_present) == (0, 2)
    assert abs(first.ingested_at.seconds_since(Time.from_datetime(before))) < 60
    loaded = store.history(11)[0]
    assert (loaded.source, loaded.source_line) == (str(path.resolve()), 5)
    assert store.object(11).first_seen.id == first.id


# --- schema --------------------------------------------------------------------------------------------
def test_migration_head_matches_the_models(db_url):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = alembic_config(db_url)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with Store(db_url) as store:
        assert store.schema_revision() == head
        with store.engine.connect() as conn:
            mc = MigrationContext.configure(conn, opts={"version_table": schema.VERSION_TABLE, "compare_type": True})
            assert compare_metadata(mc, schema.metadata) == []
        # downgrade to nothing, and the next open builds it again
        command.downgrade(cfg, "base")
        assert store.schema_revision() is None
    with Store(db_url) as store:
        assert store.schema_revision() == head and store.count() == 0


def test_sqlite_file_settings(tmp_path):
    path = tmp_path / "deep" / "er" / "catalog.db"
    with Store(f"sqlite:///{path}") as store:
        with store.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    assert path.is_file()
    # a plain sqlite3 client sees the schema and the catalog's own version table
    with sqlite3.connect(path) as c:
        names = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"objects", "element_sets", "size_estimates", "sources", schema.VERSION_TABLE} <= names


def test_newer_schema_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'future.db'}"
    Store(url).close()
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(sa.text(f"UPDATE {schema.VERSION_TABLE} SET version_num = 'fffffff'"))
    eng.dispose()
    with pytest.raises(SweepersError, match="newer version"):
        Store(url)


def test_unreachable_server_says_what_to_check():
    with pytest.raises(SweepersError, match="cannot open the catalog database .*server is running"):
        Store("postgresql://nobody@127.0.0.1:1/nowhere")
