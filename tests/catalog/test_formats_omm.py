"""CCSDS OMM in XML, KVN, JSON and CSV: CelesTrak's published example, round trips with
TLE (real snapshot lines and hypothesis-generated element sets), and bad input."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spacesweepers.catalog.elements import ElementSet
from spacesweepers.catalog.formats import detect_format, read, write
from spacesweepers.catalog.formats.omm import (
    ENCODINGS,
    dumps_omm,
    element_set_to_omm,
    read_omm,
    read_omm_json,
    read_omm_kvn,
    read_omm_xml,
)
from spacesweepers.catalog.formats.tle import epoch_from_tle, format_tle, parse_tle_lines, read_tle
from spacesweepers.errors import ParseError

# CelesTrak's answer for Vanguard 1 (gp.php?CATNR=00005&FORMAT=XML), as quoted in python-sgp4's docs,
# and the TLE CelesTrak served for the same element set.
VANGUARD_XML = """<?xml version="1.0" encoding="UTF-8"?>
<ndm xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://sanaregistry.org/r/ndmxml/ndmxml-1.0-master.xsd">
<omm id="CCSDS_OMM_VERS" version="2.0">
<header><CREATION_DATE/><ORIGINATOR/></header><body><segment><metadata><OBJECT_NAME>VANGUARD 1</OBJECT_NAME><OBJECT_ID>1958-002B</OBJECT_ID><CENTER_NAME>EARTH</CENTER_NAME><REF_FRAME>TEME</REF_FRAME><TIME_SYSTEM>UTC</TIME_SYSTEM><MEAN_ELEMENT_THEORY>SGP4</MEAN_ELEMENT_THEORY></metadata><data><meanElements><EPOCH>2020-10-13T04:52:48.472320</EPOCH><MEAN_MOTION>10.84869164</MEAN_MOTION><ECCENTRICITY>.1845686</ECCENTRICITY><INCLINATION>34.2443</INCLINATION><RA_OF_ASC_NODE>225.5254</RA_OF_ASC_NODE><ARG_OF_PERICENTER>162.2516</ARG_OF_PERICENTER><MEAN_ANOMALY>205.2356</MEAN_ANOMALY></meanElements><tleParameters><EPHEMERIS_TYPE>0</EPHEMERIS_TYPE><CLASSIFICATION_TYPE>U</CLASSIFICATION_TYPE><NORAD_CAT_ID>5</NORAD_CAT_ID><ELEMENT_SET_NO>999</ELEMENT_SET_NO><REV_AT_EPOCH>21814</REV_AT_EPOCH><BSTAR>-.22483E-4</BSTAR><MEAN_MOTION_DOT>-1.6E-7</MEAN_MOTION_DOT><MEAN_MOTION_DDOT>0</MEAN_MOTION_DDOT></tleParameters></data></segment></body></omm>
</ndm>
"""
VANGUARD_TLE = (
    "1 00005U 58002B   20287.20333880 -.00000016  00000-0 -22483-4 0  9998",
    "2 00005  34.2443 225.5254 1845686 162.2516 205.2356 10.84869164218149",
)
VANGUARD_KVN = """CCSDS_OMM_VERS = 2.0
CREATION_DATE = 2020-10-13T12:00:00
ORIGINATOR = 18 SPCS

OBJECT_NAME = VANGUARD 1
OBJECT_ID = 1958-002B
CENTER_NAME = EARTH
REF_FRAME = TEME
TIME_SYSTEM = UTC
MEAN_ELEMENT_THEORY = SGP4

EPOCH = 2020-10-13T04:52:48.472320
MEAN_MOTION = 10.84869164 [rev/day]
ECCENTRICITY = .1845686
INCLINATION = 34.2443 [deg]
RA_OF_ASC_NODE = 225.5254 [deg]
ARG_OF_PERICENTER = 162.2516 [deg]
MEAN_ANOMALY = 205.2356 [deg]

EPHEMERIS_TYPE = 0
CLASSIFICATION_TYPE = U
NORAD_CAT_ID = 5
ELEMENT_SET_NO = 999
REV_AT_EPOCH = 21814
BSTAR = -.22483E-4 [1/ER]
MEAN_MOTION_DOT = -1.6E-7 [rev/day**2]
MEAN_MOTION_DDOT = 0 [rev/day**3]
"""


def test_celestrak_vanguard_xml_equals_its_tle():
    r = read_omm_xml(VANGUARD_XML)
    assert r.problems == [] and len(r.element_sets) == 1
    es = r.element_sets[0]
    tle = parse_tle_lines(*VANGUARD_TLE, "VANGUARD 1")
    assert format_tle(es) == VANGUARD_TLE
    # same record whichever way it came in (bstar read as written vs mantissa*10**exp: 1 ulp)
    assert es.with_(bstar_per_earth_radius=tle.bstar_per_earth_radius) == tle
    assert es.bstar_per_earth_radius == pytest.approx(-0.22483e-4, rel=1e-15)
    assert (es.epoch_jd1, es.epoch_jd2) == epoch_from_tle(20, 287.20333880)
    assert es.epoch.iso(6) == "2020-10-13T04:52:48.472320Z"


def test_kvn_with_units_and_all_encodings_agree():
    ref = read_omm_xml(VANGUARD_XML).element_sets[0]
    kvn = read_omm_kvn(VANGUARD_KVN)
    assert kvn.problems == [] and kvn.element_sets == [ref]
    for enc in ENCODINGS:
        text = dumps_omm([ref], enc)
        back = read_omm(text)
        assert back.format == f"omm-{enc}" and back.problems == []
        assert back.element_sets == [ref]
        assert detect_format(text) == f"omm-{enc}"


def test_celestrak_json_and_csv_layout():
    ref = read_omm_xml(VANGUARD_XML).element_sets[0]
    obj = json.loads(dumps_omm([ref], "json"))[0]
    assert list(obj) == [
        "OBJECT_NAME", "OBJECT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
        "ARG_OF_PERICENTER", "MEAN_ANOMALY", "EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID",
        "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT",
    ]
    assert obj["EPOCH"] == "2020-10-13T04:52:48.472320" and obj["NORAD_CAT_ID"] == 5
    assert obj["BSTAR"] == -2.2483e-05 and obj["MEAN_MOTION_DOT"] == -1.6e-07
    csv_text = dumps_omm([ref], "csv")
    header, row = csv_text.splitlines()
    assert header.split(",") == list(obj)
    assert row.startswith("VANGUARD 1,1958-002B,2020-10-13T04:52:48.472320,10.84869164,0.1845686,34.2443,")
    # Space-Track JSON writes every value as a string: read as well
    st_obj = {k: str(v) for k, v in obj.items()}
    assert read_omm_json(json.dumps([st_obj])).element_sets == [ref]


def test_large_catalog_numbers():
    ref = read_omm_xml(VANGUARD_XML).element_sets[0]
    for nid in (270123, 339999, 340000, 123456789):
        es = ref.with_(norad_id=nid)
        for enc in ENCODINGS:
            assert read_omm(dumps_omm([es], enc)).element_sets[0].norad_id == nid
    assert format_tle(ref.with_(norad_id=270123))[0][2:7] == "T0123"


@pytest.fixture(scope="module")
def snapshot_slice(snapshot_3le):
    lines = snapshot_3le.read_text().splitlines()
    picks = list(range(0, 26140, 65)) + list(range(25874, 26140, 7))  # includes Alpha-5 analyst objects
    text = "\n".join("\n".join(lines[3 * k : 3 * k + 3]) for k in picks)
    return read_tle(text).element_sets


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_snapshot_tle_omm_tle(snapshot_slice, encoding, tmp_path):
    assert len(snapshot_slice) > 400 and any(es.norad_id >= 270000 for es in snapshot_slice)
    path = tmp_path / f"gp.{encoding}"
    write(snapshot_slice, path, f"omm-{encoding}")
    back = read(path)
    assert back.format == f"omm-{encoding}" and back.problems == []
    assert [format_tle(es) for es in back.element_sets] == [format_tle(es) for es in snapshot_slice]
    assert [es.name for es in back.element_sets] == [es.name for es in snapshot_slice]
    for a, b in zip(back.element_sets, snapshot_slice):
        # identical apart from bstar/nddot, which differ by at most 1 ulp (decimal vs mantissa*10**exp)
        assert a.with_(bstar_per_earth_radius=0.0, mean_motion_ddot_rev_day3=0.0) == b.with_(
            bstar_per_earth_radius=0.0, mean_motion_ddot_rev_day3=0.0)
        assert math.isclose(a.bstar_per_earth_radius, b.bstar_per_earth_radius, rel_tol=1e-15, abs_tol=1e-300)


def test_csv_export_reads_back_as_omm(snapshot_slice, tmp_path):
    path = tmp_path / "export.csv"
    assert write(snapshot_slice[:50], path, "csv") == 50
    header = path.read_text().splitlines()[0].split(",")
    assert header[-4:] == ["SEMI_MAJOR_AXIS_KM", "PERIGEE_KM", "APOGEE_KM", "PERIOD_MIN"]
    r = read(path)
    assert r.format == "omm-csv" and [format_tle(e) for e in r.element_sets] == [format_tle(e) for e in snapshot_slice[:50]]
    row = path.read_text().splitlines()[1].split(",")
    es = snapshot_slice[0]
    assert float(row[-2]) == pytest.approx(es.apogee_km, abs=1e-3) and float(row[-1]) == pytest.approx(es.period_min, abs=1e-3)


# --- hypothesis: random valid element sets ------------------------------------------------------
def _decimal(lo: int, hi: int, places: int):
    return st.integers(lo, hi).map(lambda k: round(k / 10**places, places))


def _exp_value():
    return st.one_of(st.just(0.0), st.tuples(st.integers(-99999, 99999).filter(bool), st.integers(-9, 9)).map(
        lambda t: float(f"{'-' if t[0] < 0 else ''}.{abs(t[0]):05d}") * 10.0 ** t[1]))


@st.composite
def element_sets(draw):
    yy = draw(st.integers(0, 99))
    day = draw(st.integers(1, 365)) + draw(st.integers(0, 10**8 - 1)) / 1e8
    jd1, jd2 = epoch_from_tle(yy, round(day, 8))
    name = draw(st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="<>&,\"'"),
                        min_size=0, max_size=20))
    piece = draw(st.sampled_from(["A", "B", "AB", "ZZZ"]))
    intl = draw(st.sampled_from(["", f"{1957 + yy % 60}-{draw(st.integers(1, 999)):03d}{piece}"]))
    return ElementSet(
        norad_id=draw(st.integers(1, 339999)),
        epoch_jd1=jd1, epoch_jd2=jd2,
        mean_motion_rev_day=draw(_decimal(1, 99_99999999, 8)),
        eccentricity=draw(_decimal(0, 9999999, 7)),
        inclination_deg=draw(_decimal(0, 1800000, 4)),
        raan_deg=draw(_decimal(0, 3599999, 4)),
        arg_perigee_deg=draw(_decimal(0, 3599999, 4)),
        mean_anomaly_deg=draw(_decimal(0, 3599999, 4)),
        bstar_per_earth_radius=draw(_exp_value()),
        mean_motion_dot_rev_day2=draw(_decimal(-99999999, 99999999, 8)),
        mean_motion_ddot_rev_day3=draw(_exp_value()),
        name=name.strip(), intl_designator=intl,
        classification=draw(st.sampled_from("UCS")),
        element_set_no=draw(st.integers(0, 9999)), rev_at_epoch=draw(st.integers(0, 99999)),
        ephemeris_type=0,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(es=element_sets(), encoding=st.sampled_from(ENCODINGS))
def test_property_tle_omm_tle(es, encoding):
    lines = format_tle(es)
    from_tle = parse_tle_lines(*lines, es.name)
    back = read_omm(dumps_omm([from_tle], encoding))
    assert back.problems == []
    assert format_tle(back.element_sets[0]) == lines
    # OMM -> TLE -> OMM: the same OMM values
    omm_first = back.element_sets[0]
    again = parse_tle_lines(*format_tle(omm_first), omm_first.name)
    assert element_set_to_omm(again) == element_set_to_omm(omm_first)


# --- bad input ---------------------------------------------------------------------------------
def test_missing_mandatory_fields():
    obj = json.loads(dumps_omm(read_omm_xml(VANGUARD_XML).element_sets, "json"))[0]
    for key in ("EPOCH", "MEAN_MOTION", "NORAD_CAT_ID", "BSTAR"):
        bad = {k: v for k, v in obj.items() if k != key}
        r = read_omm_json(json.dumps([obj, bad]), source="gp.json")
        assert len(r.element_sets) == 1 and len(r.problems) == 1
        p = r.problems[0]
        assert (p.source, p.line, p.record, p.field) == ("gp.json", 2, True, key)
        assert "missing" in p.message and f"gp.json, record 2, field {key}" in str(p)
    xml = VANGUARD_XML.replace("<INCLINATION>34.2443</INCLINATION>", "")
    p = read_omm_xml(xml, source="gp.xml").problems[0]
    assert (p.line, p.field) == (3, "INCLINATION")


def test_wrong_types():
    obj = json.loads(dumps_omm(read_omm_xml(VANGUARD_XML).element_sets, "json"))[0]
    for key, value in (("MEAN_MOTION", "fast"), ("ECCENTRICITY", True), ("NORAD_CAT_ID", 5.5), ("INCLINATION", "NaN")):
        p = read_omm_json(json.dumps([{**obj, key: value}])).problems[0]
        assert p.field == key and p.line == 1 and p.record


def test_wrong_kvn_units():
    text = VANGUARD_KVN.replace("10.84869164 [rev/day]", "0.0075338 [rev/min]")
    r = read_omm_kvn(text, source="gp.kvn")
    p = r.problems[0]
    assert r.element_sets == [] and (p.line, p.field) == (13, "MEAN_MOTION")
    assert "[rev/min]" in p.message and "expected [rev/day]" in p.message
    p = read_omm_kvn(VANGUARD_KVN.replace("34.2443 [deg]", "0.5977 [rad]")).problems[0]
    assert (p.line, p.field) == (15, "INCLINATION")
    p = read_omm_xml(VANGUARD_XML.replace("<BSTAR>", '<BSTAR units="1/m">')).problems[0]
    assert p.field == "BSTAR" and "1/ER" in p.message


def test_out_of_range_dates():
    for epoch, word in (("2020-13-13T04:52:48.472320", "not a real date"), ("2020-02-30T00:00:00", "not a real date"),
                        ("1899-10-13T04:52:48", "out of range"), ("2020-10-13T25:00:00", "impossible time"),
                        ("13/10/2020 04:52", "not a CCSDS date")):
        p = read_omm_kvn(VANGUARD_KVN.replace("2020-10-13T04:52:48.472320", epoch), source="x.kvn").problems[0]
        assert (p.source, p.line, p.field) == ("x.kvn", 12, "EPOCH") and word in p.message


def test_other_bad_messages():
    p = read_omm_kvn(VANGUARD_KVN.replace("MEAN_ELEMENT_THEORY = SGP4", "MEAN_ELEMENT_THEORY = SGP4-XP")).problems[0]
    assert p.field == "MEAN_ELEMENT_THEORY" and "SGP4-XP" in p.hint
    p = read_omm_kvn(VANGUARD_KVN.replace("REF_FRAME = TEME", "REF_FRAME = GCRF")).problems[0]
    assert p.field == "REF_FRAME" and p.line == 8  # the line of the key
    r = read_omm_xml(VANGUARD_XML[:900], source="cut.xml")
    assert r.element_sets == [] and r.problems[0].line == 4 and "XML syntax error" in r.problems[0].message
    with pytest.raises(ParseError, match="mandatory column"):
        read("OBJECT_NAME,EPOCH,MEAN_MOTION\nX,2020-01-01T00:00:00,15\n", "omm-csv")
    with pytest.raises(ParseError, match="not valid JSON") as e:
        read_omm_json('[{"EPOCH": "2020-01-01T00:00:00",\n "MEAN_MOTION": }]')
    assert e.value.line == 2
