"""TLE / 3LE reading and writing, checked against the real 2023-10-09 catalog snapshot,
python-sgp4's Satrec.twoline2rv, and Vallado's SGP4-VER.TLE."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pytest
from sgp4.api import Satrec

from spacesweepers.catalog.formats import WriteError, read, write
from spacesweepers.catalog.formats.tle import (
    LINE1_TEMPLATE,
    checksum,
    format_tle,
    from_alpha5,
    parse_tle_lines,
    read_tle,
    to_alpha5,
    write_tle,
)
from spacesweepers.errors import ParseError

ISS_1 = "1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927"
ISS_2 = "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537"


@pytest.fixture(scope="module")
def snapshot(snapshot_3le):
    return read_tle(snapshot_3le)


@pytest.fixture(scope="module")
def snapshot_lines(snapshot_3le):
    return snapshot_3le.read_text().splitlines()


def canonical(line: str) -> str:
    """The line as format_tle writes it: zero-padded catalog number, blank for '+', and
    zero mantissas written ' 00000-0' (TLE writers differ only in these)."""
    c = list(line[:68])
    c[2:7] = list(line[2:7].replace(" ", "0"))
    if line[0] == "1":
        for col in (33, 44, 53):
            if c[col] == "+":
                c[col] = " "
        for a in (44, 53):
            if line[a + 1 : a + 6] == "00000":
                c[a : a + 8] = list(" 00000-0")
    s = "".join(c)
    return s + str(checksum(s))


def test_alpha5_published_examples():
    # Space-Track's Alpha-5 table: A = 10 … Z = 33, skipping I and O
    assert from_alpha5("A0000") == 100000
    assert from_alpha5("E8493") == 148493
    assert from_alpha5("J2931") == 182931  # J follows H: I is skipped
    assert from_alpha5("P0000") == 230000  # P follows N: O is skipped
    assert from_alpha5("T0000") == 270000
    assert from_alpha5("Z9999") == 339999
    assert from_alpha5("25544") == 25544
    assert to_alpha5(270000) == "T0000" and to_alpha5(339999) == "Z9999" and to_alpha5(5) == "00005"
    for n in (100000, 182931, 230000, 339999, 99999):
        assert from_alpha5(to_alpha5(n)) == n
    with pytest.raises(ValueError):
        from_alpha5("I0000")
    with pytest.raises(WriteError, match="339999"):
        to_alpha5(340000)


def test_iss_reference_tle_fields_and_epoch():
    # the ISS example TLE of python-sgp4's README (epoch 2008-09-20 12:25:40.104 UTC)
    es = parse_tle_lines(ISS_1, ISS_2, "ISS (ZARYA)")
    assert es.norad_id == 25544 and es.name == "ISS (ZARYA)"
    assert es.intl_designator == "1998-067A" and es.classification == "U"
    assert es.mean_motion_rev_day == 15.72125391 and es.eccentricity == 0.0006703
    assert es.inclination_deg == 51.6416 and es.raan_deg == 247.4627
    assert es.arg_perigee_deg == 130.5360 and es.mean_anomaly_deg == 325.0288
    assert es.bstar_per_earth_radius == pytest.approx(-0.11606e-4, rel=1e-15)
    assert es.mean_motion_dot_rev_day2 == -0.00002182 and es.mean_motion_ddot_rev_day3 == 0.0
    assert es.element_set_no == 292 and es.rev_at_epoch == 56353 and es.ephemeris_type == 0
    sat = Satrec.twoline2rv(ISS_1, ISS_2)
    assert (es.epoch_jd1, es.epoch_jd2) == (sat.jdsatepoch, sat.jdsatepochF)
    assert es.epoch.iso(3) == "2008-09-20T12:25:40.104Z"
    assert format_tle(es) == (ISS_1, ISS_2)


def test_full_snapshot(snapshot, snapshot_lines):
    r = snapshot
    assert len(r.element_sets) == 26140 and r.problems == []
    assert sum(es.norad_id >= 270000 for es in r.element_sets) == 266
    assert len({es.norad_id for es in r.element_sets}) == 26140
    iss = next(es for es in r.element_sets if es.norad_id == 25544)
    k = snapshot_lines.index(f"0 {iss.name}")
    l1, l2 = snapshot_lines[k + 1], snapshot_lines[k + 2]
    assert iss.source_line == k + 2
    assert iss.name == "ISS (ZARYA)" and iss.intl_designator == "19" + l1[9:11] + "-" + l1[11:17].strip()
    assert iss.mean_motion_rev_day == float(l2[52:63]) and iss.inclination_deg == float(l2[8:16])
    assert iss.eccentricity == float("0." + l2[26:33]) and iss.rev_at_epoch == int(l2[63:68])
    assert iss.epoch.iso(0)[:10] == "2023-10-09"
    assert format_tle(iss) == (l1, l2)


def test_snapshot_lines_rewritten_identically(snapshot, snapshot_lines):
    """Every one of the 26,140 sets is written back as its own line (up to the encoding
    variants canonical() lists); 24,639 are byte-identical to the download."""
    identical = 0
    for k, es in enumerate(snapshot.element_sets):
        l1, l2 = snapshot_lines[3 * k + 1], snapshot_lines[3 * k + 2]
        f1, f2 = format_tle(es)
        assert (f1, f2) == (canonical(l1), canonical(l2)), (l1, l2)
        identical += (f1, f2) == (l1, l2)
    assert identical == 24639


def test_to_satrec_reproduces_twoline2rv(snapshot, snapshot_lines):
    """Positions from ElementSet.to_satrec() equal Satrec.twoline2rv's bit for bit on a
    slice of 600 objects (the whole file was checked once by hand: max |dr| = 0 km)."""
    idx = list(range(0, 26140, 43))
    for k in idx:
        es = snapshot.element_sets[k]
        ref = Satrec.twoline2rv(snapshot_lines[3 * k + 1], snapshot_lines[3 * k + 2])
        sat = es.to_satrec()
        assert (sat.jdsatepoch, sat.jdsatepochF) == (ref.jdsatepoch, ref.jdsatepochF)
        for dt_day in (0.0, 0.37, -1.5):
            e1, r1, v1 = ref.sgp4(ref.jdsatepoch, ref.jdsatepochF + dt_day)
            e2, r2, v2 = sat.sgp4(ref.jdsatepoch, ref.jdsatepochF + dt_day)
            assert e1 == e2
            if e1 == 0:
                assert np.max(np.abs(np.subtract(r1, r2))) < 1e-9  # km
                assert np.max(np.abs(np.subtract(v1, v2))) < 1e-12  # km/s


def test_vallado_verification_file():
    r = read_tle(files("sgp4") / "SGP4-VER.TLE")
    # 33 test cases; 33333-33335 carry deliberately wrong checksums (edited test cases)
    assert len(r.element_sets) == 30
    assert sorted(int(p.text[2:7]) for p in r.problems) == [33333, 33334, 33335]
    assert all(p.field == "checksum" and p.line in (100, 103, 106) for p in r.problems)
    r = read_tle(files("sgp4") / "SGP4-VER.TLE", verify_checksum=False)
    assert len(r.element_sets) == 33 and r.problems == []
    by_id = {es.norad_id: es for es in r.element_sets}
    assert by_id[5].mean_motion_rev_day == 10.82419157 and by_id[5].rev_at_epoch == 41366
    assert by_id[11801].intl_designator == ""  # blank designator, no element set number
    # text after column 69 (start/stop/step times) is ignored, but everything else matches sgp4
    line1 = "1 00005U 58002B   00179.78495062  .00000023  00000-0  28098-4 0  4753"
    line2 = "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667"
    ref = Satrec.twoline2rv(line1, line2)
    assert (by_id[5].epoch_jd1, by_id[5].epoch_jd2) == (ref.jdsatepoch, ref.jdsatepochF)


def test_name_styles_and_line_ends():
    celestrak = f"ISS (ZARYA)\r\n{ISS_1}\r\n{ISS_2}\r\n"
    spacetrack = f"0 ISS (ZARYA)\n{ISS_1}\n{ISS_2}\n"
    bare = f"{ISS_1}\n{ISS_2}"
    for text, name in ((celestrak, "ISS (ZARYA)"), (spacetrack, "ISS (ZARYA)"), (bare, "")):
        r = read_tle(text)
        assert r.problems == [] and [es.name for es in r.element_sets] == [name]
        assert r.element_sets[0].source_line == (2 if name else 1)


def test_write_tle_round_trip(tmp_path, snapshot):
    some = snapshot.element_sets[:200] + snapshot.element_sets[-100:]
    path = tmp_path / "out.tle"
    assert write_tle(some, path) == 300
    back = read(path)
    assert back.format == "tle" and back.problems == []
    assert back.element_sets == some
    text = path.read_text()
    assert text.startswith("0 VANGUARD 1\n1 00005U")
    write(some, tmp_path / "plain.tle", "tle")
    assert read_tle(tmp_path / "plain.tle").element_sets == some


def test_write_refuses_what_tle_cannot_hold():
    es = parse_tle_lines(ISS_1, ISS_2)
    with pytest.raises(WriteError, match="340000.*OMM"):
        format_tle(es.with_(norad_id=340000))
    assert format_tle(es.with_(norad_id=339999))[0][2:7] == "Z9999"
    with pytest.raises(WriteError, match="1957"):
        format_tle(es.with_(epoch_jd1=2473000.5))  # 2058-08-24


# --- bad input: each names file, line and field ------------------------------------------------
def _one_problem(text: str) -> ParseError:
    r = read_tle(text, source="bad.tle")
    assert r.element_sets == [] and len(r.problems) == 1
    p = r.problems[0]
    assert p.source == "bad.tle"
    return p


def test_wrong_checksum():
    p = _one_problem(f"0 ISS\n{ISS_1[:-1]}8\n{ISS_2}\n")
    assert (p.line, p.field) == (2, "checksum")
    assert "says 8" in p.message and "adds up to 7" in p.message
    assert LINE1_TEMPLATE in str(p) and "bad.tle, line 2, field checksum" in str(p)


def test_truncated_line():
    p = _one_problem(f"0 ISS\n{ISS_1}\n{ISS_2[:50]}\n")
    assert p.line == 3 and "truncated" in p.message and p.field == "mean anomaly"


def test_bad_column_alignment():
    shifted = ISS_1[:18] + " " + ISS_1[18:67]  # epoch moved one column right
    p = _one_problem(f"{shifted}\n{ISS_2}\n")
    assert p.line == 1 and p.field == "epoch day" and "column 24" in p.message  # where the "." belongs
    assert p.expected == LINE1_TEMPLATE and p.text == shifted


def test_non_ascii_look_alikes():
    cyr = ISS_2.replace("0006703", "\u041e006703")  # Cyrillic capital O
    p = _one_problem(f"{ISS_1}\n{cyr}\n")
    assert (p.line, p.field) == (2, "eccentricity")
    assert "U+041E CYRILLIC CAPITAL LETTER O" in p.message and "column 27" in p.message
    minus = ISS_1.replace("-.00002182", "\u2212.00002182")  # Unicode minus sign
    p = _one_problem(f"{minus}\n{ISS_2}\n")
    assert (p.line, p.field) == (1, "mean motion dot") and "MINUS SIGN" in p.message


def test_other_bad_records_and_recovery():
    mismatched = ISS_2.replace("25544", "25545")
    text = "\n".join([
        "0 GOOD", ISS_1, ISS_2,
        "0 MISMATCH", ISS_1, mismatched[:-1] + str(checksum(mismatched)),
        "0 ORPHAN NAME",
        "0 GOOD AGAIN", ISS_1, ISS_2,
        ISS_1,
    ])
    r = read_tle(text, source="mixed.tle")
    assert [es.name for es in r.element_sets] == ["GOOD", "GOOD AGAIN"]
    assert [(p.line, p.field) for p in r.problems] == [(6, "catalog number"), (7, "name"), (11, "line 2")]


def test_empty_and_binary_files(tmp_path):
    empty = tmp_path / "empty.tle"
    empty.write_text("")
    with pytest.raises(ParseError, match="empty") as e:
        read_tle(empty)
    assert e.value.line == 1 and e.value.source == str(empty)
    with pytest.raises(ParseError, match="empty"):
        read(empty)
    binary = tmp_path / "junk.tle"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ParseError, match="binary") as e:
        read(binary)
    assert e.value.line == 1 and "line 3" in e.value.message
