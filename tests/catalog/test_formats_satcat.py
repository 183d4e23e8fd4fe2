"""SATCAT CSV, keeptrack JSON and CARA HBR/mass tables (counts from ../shared/data/catalog/README.md)."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from spacesweepers.catalog.elements import ObjectMetadata
from spacesweepers.catalog.formats import detect_format, read
from spacesweepers.catalog.formats.cara import read_cara_csv
from spacesweepers.catalog.formats.satcat import (
    dumps_satcat_csv,
    rcs_size_from_m2,
    read_keeptrack_json,
    read_satcat_csv,
)
from spacesweepers.errors import ParseError

# two rows in CelesTrak's SATCAT CSV layout (values as CelesTrak lists them)
CELESTRAK_SATCAT = """OBJECT_NAME,OBJECT_ID,NORAD_CAT_ID,OBJECT_TYPE,OPS_STATUS_CODE,OWNER,LAUNCH_DATE,LAUNCH_SITE,DECAY_DATE,PERIOD,INCLINATION,APOGEE,PERIGEE,RCS,DATA_STATUS_CODE,ORBIT_CENTER,ORBIT_TYPE
ISS (ZARYA),1998-067A,25544,PAY,+,ISS,1998-11-20,TYMSC,,92.89,51.64,419,414,399.0524,,EA,ORB
SL-1 R/B,1957-001A,1,R/B,D,CIS,1957-10-04,TYMSC,1957-12-01,96.19,65.10,938,214,20.4200,,EA,IMP
FENGYUN 1C DEB,1999-025AJF,31142,DEB,,PRC,1999-05-10,TSC,,100.3,98.7,850,800,0.0123,,EA,ORB
OBJECT X,2020-001X,45000,UNK,,TBD,2020-01-07,AFETR,,95.0,53.0,550,540,,,EA,ORB
"""
SPACETRACK_SATCAT = """INTLDES,NORAD_CAT_ID,OBJECT_TYPE,SATNAME,COUNTRY,LAUNCH,SITE,DECAY,PERIOD,INCLINATION,APOGEE,PERIGEE,COMMENT,COMMENTCODE,RCSVALUE,RCS_SIZE,FILE,LAUNCH_YEAR,LAUNCH_NUM,LAUNCH_PIECE,CURRENT,OBJECT_NAME,OBJECT_ID,OBJECT_NUMBER
1998-067A,25544,PAYLOAD,ISS (ZARYA),ISS,1998-11-20,TYMSC,,92.89,51.64,419,414,,,0,LARGE,8000,1998,67,A,Y,ISS (ZARYA),1998-067A,25544
"""


def test_rcs_classes():
    assert [rcs_size_from_m2(x) for x in (0.05, 0.1, 0.5, 1.0, 1.5, None)] == [
        "SMALL", "MEDIUM", "MEDIUM", "MEDIUM", "LARGE", None]


def test_celestrak_satcat():
    assert detect_format(CELESTRAK_SATCAT) == "satcat-csv"
    r = read(CELESTRAK_SATCAT)
    assert r.problems == [] and len(r.metadata) == 4
    iss, sl1, deb, unk = r.metadata
    assert iss == ObjectMetadata(25544, "ISS (ZARYA)", "1998-067A", "PAYLOAD", "LARGE", 399.0524, "ISS",
                                 "1998-11-20", "TYMSC", None, None)
    assert (sl1.object_type, sl1.decay_date, sl1.source_line) == ("ROCKET BODY", "1957-12-01", 3)
    assert (deb.object_type, deb.rcs_size) == ("DEBRIS", "SMALL")
    assert (unk.object_type, unk.rcs_size, unk.rcs_m2) == ("UNKNOWN", None, None)
    again = read_satcat_csv(dumps_satcat_csv(r.metadata))
    assert again.metadata == r.metadata


def test_spacetrack_satcat_columns():
    r = read_satcat_csv(SPACETRACK_SATCAT)
    (iss,) = r.metadata
    assert (iss.norad_id, iss.name, iss.object_type, iss.rcs_size, iss.country) == (
        25544, "ISS (ZARYA)", "PAYLOAD", "LARGE", "ISS")


def test_satcat_bad_rows():
    bad = CELESTRAK_SATCAT.replace("1998-11-20", "1998-13-20").replace("20.4200", "big")
    r = read_satcat_csv(bad, source="satcat.csv")
    assert [m.norad_id for m in r.metadata] == [31142, 45000]
    assert [(p.line, p.field) for p in r.problems] == [(2, "LAUNCH_DATE"), (3, "RCS")]
    assert "satcat.csv, line 2, field LAUNCH_DATE" in str(r.problems[0])


def test_keeptrack_catalog(shared_data):
    path = shared_data / "catalog" / "keeptrack_catalog_2018-08-19.json"
    assert detect_format(path) == "keeptrack-json"
    r = read(path)
    assert r.problems == [] and len(r.element_sets) == len(r.metadata) == 17399
    types = Counter(m.object_type for m in r.metadata)
    assert types == {"PAYLOAD": 4607, "ROCKET BODY": 1804, "DEBRIS": 10988}
    iss = next(m for m in r.metadata if m.norad_id == 25544)
    assert (iss.object_type, iss.rcs_size, iss.country, iss.launch_site) == ("PAYLOAD", "LARGE", "ISS", "TTMTR")
    v1 = r.metadata[0]
    assert (v1.norad_id, v1.name, v1.rcs_size, v1.country, v1.launch_site) == (5, "VANGUARD 1", "MEDIUM", "US", "AFETR")
    f9 = next(m for m in r.metadata if m.launch_date)
    assert (f9.norad_id, f9.launch_date, f9.launch_vehicle) == (41472, "2016-05-06", "Falcon 9")
    es = r.element_sets[0]
    assert (es.norad_id, es.name, es.mean_motion_rev_day, es.epoch.iso(0)[:10]) == (5, "VANGUARD 1", 10.84817889, "2018-08-19")


def test_keeptrack_bad_records():
    text = ('[{"ON": "A", "OT": 1, "TLE1": "1 00005U", "TLE2": "2 00005"},'
            ' {"ON": "B", "OT": "payload", "TLE1": "x", "TLE2": "y"}, 7]')
    r = read_keeptrack_json(text, source="kt.json")
    assert r.element_sets == []
    assert [(p.line, p.record, p.field) for p in r.problems] == [
        (1, True, "TLE1 international designator"), (2, True, "OT"), (3, True, None)]


def test_cara_table(shared_data):
    path = shared_data / "catalog" / "cara_hbr_mass_estimates_2026-06-01.csv"
    assert detect_format(path) == "cara-csv"
    t = time.perf_counter()
    r = read_cara_csv(path)
    elapsed = time.perf_counter() - t
    assert len(r.sizes) == 58609 and r.problems == []
    iss = next(s for s in r.sizes if s.norad_id == 25544)  # the file's row: 25544,66.1,0,CARA Protected Primary,419725,0,...
    assert (iss.hbr_m, iss.hbr_sigma_m, iss.hbr_source, iss.mass_kg, iss.mass_sigma_kg, iss.mass_source) == (
        66.1, 0.0, "CARA Protected Primary", 419725.0, 0.0, "CARA Protected Primary")
    first = r.sizes[0]  # 1,,0,DISCOS DB,,0,DISCOS DB: values withheld → unknown
    assert (first.norad_id, first.hbr_m, first.mass_kg, first.hbr_source) == (1, None, None, "DISCOS DB")
    sources = Counter(s.hbr_source for s in r.sizes)
    assert sources["SFK RCS Estimate"] == 17765 and sources["DISCOS DB"] == 35026 and sources["Default"] == 5581
    assert elapsed < 5.0  # about 0.3 s on an idle core; generous for a shared CI machine


def test_cara_bad_values():
    r = read_cara_csv("ObjectID,HBR,HBRSigma,HBRSource,Mass,MassSigma,MassSource\n5,-1,0,X,,,\n6,abc,0,X,,,\n7,0.5,,X,12,,Y\n",
                      source="cara.csv")
    assert [s.norad_id for s in r.sizes] == [7]
    assert [(p.line, p.field) for p in r.problems] == [(2, "HBR"), (3, "HBR")]
    with pytest.raises(ParseError, match="lacks the column"):
        read_cara_csv("ObjectID,HBR\n1,2\n")
