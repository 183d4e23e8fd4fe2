"""Fuzzing every reader: random text, random bytes and mutated real records never raise
anything but ParseError, and a ParseError always names its source and a line (and, for a
bad record in an otherwise readable file, the field)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spacesweepers.catalog.formats import read
from spacesweepers.catalog.formats.cara import read_cara_csv
from spacesweepers.catalog.formats.omm import read_omm_csv, read_omm_json, read_omm_kvn, read_omm_xml
from spacesweepers.catalog.formats.satcat import read_keeptrack_json, read_satcat_csv
from spacesweepers.catalog.formats.tle import read_tle
from spacesweepers.errors import ParseError

READERS = [read_tle, read_omm_json, read_omm_xml, read_omm_kvn, read_omm_csv, read_satcat_csv,
           read_cara_csv, read_keeptrack_json]

ISS = ("0 ISS (ZARYA)\n"
       "1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927\n"
       "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537\n")
SEEDS = {
    "tle": ISS,
    "omm-json": '[{"OBJECT_NAME":"X","OBJECT_ID":"1998-067A","EPOCH":"2008-09-20T12:25:40.104192",'
                '"MEAN_MOTION":15.72125391,"ECCENTRICITY":0.0006703,"INCLINATION":51.6416,"RA_OF_ASC_NODE":247.4627,'
                '"ARG_OF_PERICENTER":130.536,"MEAN_ANOMALY":325.0288,"EPHEMERIS_TYPE":0,"CLASSIFICATION_TYPE":"U",'
                '"NORAD_CAT_ID":25544,"ELEMENT_SET_NO":292,"REV_AT_EPOCH":56353,"BSTAR":-1.1606e-05,'
                '"MEAN_MOTION_DOT":-2.182e-05,"MEAN_MOTION_DDOT":0}]',
    "omm-kvn": "CCSDS_OMM_VERS = 2.0\nEPOCH = 2008-09-20T12:25:40.104192\nMEAN_MOTION = 15.72125391 [rev/day]\n"
               "ECCENTRICITY = .0006703\nINCLINATION = 51.6416\nRA_OF_ASC_NODE = 247.4627\nARG_OF_PERICENTER = 130.536\n"
               "MEAN_ANOMALY = 325.0288\nNORAD_CAT_ID = 25544\nBSTAR = -.11606E-4\nMEAN_MOTION_DOT = -.2182E-4\n"
               "MEAN_MOTION_DDOT = 0\n",
    "omm-xml": "<ndm><omm><body><segment><data><meanElements><EPOCH>2008-09-20T12:25:40.104192</EPOCH>"
               "<MEAN_MOTION>15.72125391</MEAN_MOTION><ECCENTRICITY>.0006703</ECCENTRICITY><INCLINATION>51.6416</INCLINATION>"
               "<RA_OF_ASC_NODE>247.4627</RA_OF_ASC_NODE><ARG_OF_PERICENTER>130.536</ARG_OF_PERICENTER>"
               "<MEAN_ANOMALY>325.0288</MEAN_ANOMALY></meanElements><tleParameters><NORAD_CAT_ID>25544</NORAD_CAT_ID>"
               "<BSTAR>-.11606E-4</BSTAR><MEAN_MOTION_DOT>-.2182E-4</MEAN_MOTION_DOT><MEAN_MOTION_DDOT>0</MEAN_MOTION_DDOT>"
               "</tleParameters></data></segment></body></omm></ndm>",
    "omm-csv": "EPOCH,MEAN_MOTION,ECCENTRICITY,INCLINATION,RA_OF_ASC_NODE,ARG_OF_PERICENTER,MEAN_ANOMALY,NORAD_CAT_ID,"
               "BSTAR,MEAN_MOTION_DOT,MEAN_MOTION_DDOT\n2008-09-20T12:25:40.104192,15.72125391,.0006703,51.6416,247.4627,"
               "130.536,325.0288,25544,-.11606E-4,-.2182E-4,0\n",
    "satcat-csv": "OBJECT_NAME,OBJECT_ID,NORAD_CAT_ID,OBJECT_TYPE,LAUNCH_DATE,RCS\nISS,1998-067A,25544,PAY,1998-11-20,399\n",
    "cara-csv": "ObjectID,HBR,HBRSigma,HBRSource,Mass,MassSigma,MassSource\n25544,66.1,0,CARA,419725,0,CARA\n",
    "keeptrack-json": '[{"ON":"ISS","OT":1,"R":2,"C":"ISS","LS":"TTMTR","LV":"U",'
                      '"TLE1":"1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927",'
                      '"TLE2":"2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537"}]',
}


def _check(fn, data):
    try:
        result = fn(data, source="fuzz")
    except ParseError as e:
        assert e.source == "fuzz" and e.line is not None and e.line >= 1
        str(e)
        return None
    for p in result.problems:  # a record-level problem names its line (or record) and field
        assert isinstance(p, ParseError) and p.source == "fuzz" and p.line is not None and p.line >= 1
        assert isinstance(p.field, str) and p.field, p
        assert f"field {p.field}" in str(p)
    return result


def test_seeds_are_valid():
    for fmt, text in SEEDS.items():
        r = read(text)
        assert r.format == fmt and r.problems == [] and r.n_good >= 1, fmt


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=400))
def test_random_text(text):
    for fn in READERS:
        _check(fn, text)
    _check(read, text)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=300))
def test_random_bytes(data):
    for fn in READERS:
        _check(fn, data)
    _check(read, data)


@st.composite
def mutated(draw):
    fmt = draw(st.sampled_from(sorted(SEEDS)))
    text = SEEDS[fmt]
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        ch = draw(st.sampled_from(list("0123456789 .-+eE,:;\n\r\"[]{}<>/=AZ\u041e\u2212\u00a0\x00")))
        if op == "insert":
            text = text[:i] + ch + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + 1:]
        else:
            text = text[:i] + ch + text[i + 1:]
    return fmt, text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated())
def test_mutated_records(case):
    fmt, text = case
    r = _check(lambda d, source: read(d, fmt, source=source), text)
    if r is not None:  # a record that survived the mutation is still a well-formed record
        for es in r.element_sets:
            assert 0 <= es.eccentricity < 1 and es.mean_motion_rev_day > 0 and 0 <= es.epoch_jd2 < 1


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_truncated_anywhere(fmt):
    """Every prefix of a valid file reads or fails with a located ParseError."""
    text = SEEDS[fmt]
    for n in range(0, len(text), 3):
        _check(lambda d, source: read(d, fmt, source=source), text[:n])
