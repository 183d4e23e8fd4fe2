"""The `sweepers` command end to end on the real snapshot: stdout is pure JSON with --json,
errors go to stderr with a non-zero status and change nothing."""

from __future__ import annotations

import json

import pytest


@pytest.fixture()
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SWEEPERS_DB", url)
    return url


def test_load_stats_show_where_json(db, iss_slice, cli):
    code, out, err = cli("catalog", "load", str(iss_slice), "--json")
    assert code == 0, err
    report = json.loads(out)[0]
    assert report["element_sets_loaded"] == 302 and report["n_skipped"] == 0

    code, out, _ = cli("catalog", "stats", "--json")
    stats = json.loads(out)
    assert stats["n_objects"] == 302 and sum(stats["by_regime"].values()) == 302

    code, out, _ = cli("catalog", "show", "25544", "--json")
    obj = json.loads(out)
    assert obj["intl_designator"] == "1998-067A"
    assert obj["latest"]["mean_motion_rev_day"] == pytest.approx(15.49983917)

    code, out, _ = cli("where", "25544", "--at", "2023-10-09T17:09:24.186Z", "--json")
    (iss,) = json.loads(out)
    # At its epoch the ISS flies at 413-421 km above the mean equator (perigee/apogee of the
    # element set), 405-430 km above the ellipsoid. Its geocentric latitude is at most the
    # inclination, 51.641°; geodetic latitude at most atan(tan 51.641° / (1-f)²) = 51.83°.
    assert 405 < iss["alt_km"] < 430 and abs(iss["lat_deg"]) <= 51.83
    assert iss["status"] == 0 and abs(iss["age_days"]) < 1e-6


def test_bad_file_default_skips_strict_rejects(db, tmp_path, iss_slice, cli):
    text = iss_slice.read_text().splitlines()
    # corrupt the checksum of the second object's line 1
    text[4] = text[4][:-1] + str((int(text[4][-1]) + 1) % 10)
    bad = tmp_path / "bad.tle"
    bad.write_text("\n".join(text) + "\n")

    code, out, err = cli("catalog", "load", str(bad), "--strict")
    assert code == 1
    assert "bad.tle" in err and "line 5" in err and "checksum" in err.lower()
    code, out, _ = cli("catalog", "stats", "--json")
    assert json.loads(out)["n_objects"] == 0  # strict changed nothing

    code, out, err = cli("catalog", "load", str(bad), "--json")
    assert code == 0
    report = json.loads(out)[0]
    assert report["element_sets_loaded"] == 301
    assert report["problems"][0]["line"] == 5


def test_unknown_id_is_an_error_on_stderr(db, iss_slice, cli):
    cli("catalog", "load", str(iss_slice))
    code, out, err = cli("where", "99999999", "--json")
    assert code == 1 and out == "" and "99999999" in err


def test_export_round_trip(db, iss_slice, tmp_path, cli):
    cli("catalog", "load", str(iss_slice))
    for fmt, name in (("tle", "out.tle"), ("omm-json", "out.json"), ("omm-xml", "out.xml"),
                      ("omm-kvn", "out.kvn"), ("omm-csv", "out.csv")):
        code, out, err = cli("catalog", "export", "--format", fmt, "--out", str(tmp_path / name), "--json")
        assert code == 0, err
        assert json.loads(out)["element_sets"] == 302
    # every export reads back to the same element sets as the input (the TLE writer pads
    # catalog numbers with zeros where this file has spaces: same elements, other bytes)
    # and OMM text is correctly rounded where the TLE reader computes BSTAR as sgp4 does,
    # mantissa × 10^exp: compare at the formats' own precision, the canonical TLE text)
    from spacesweepers.catalog.formats import read
    from spacesweepers.catalog.formats.tle import format_tle

    def canonical(path):
        return sorted((e.norad_id, e.name, e.epoch_jd1, e.epoch_jd2, format_tle(e)) for e in read(path).element_sets)

    original = canonical(iss_slice)
    assert len(original) == 302
    for name in ("out.tle", "out.json", "out.xml", "out.kvn", "out.csv"):
        assert canonical(tmp_path / name) == original, name


def test_plots_write_png(db, iss_slice, tmp_path, cli):
    cli("catalog", "load", str(iss_slice))
    for kind in ("gabbard", "altitude"):
        png = tmp_path / f"{kind}.png"
        code, out, err = cli("plot", kind, "--out", str(png), "--json")
        assert code == 0, err
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_info_json(db, cli):
    code, out, _ = cli("info", "--json")
    d = json.loads(out)
    assert d["database_url"] == db and d["objects"] == 0


# --- a file with nothing good in it ------------------------------------------------------------
@pytest.fixture()
def any_db(db_url, monkeypatch):
    """``db`` on SQLite and on PostgreSQL."""
    monkeypatch.setenv("SWEEPERS_DB", db_url)
    return db_url


def test_file_with_no_good_record_is_an_error_and_changes_nothing(any_db, tmp_path, iss_slice, cli):
    garbage = tmp_path / "garbage.tle"
    garbage.write_text("this is not\na catalog file\nat all\n")
    # real element sets, every line-1 checksum broken
    lines = iss_slice.read_text().splitlines()[:9]
    for k in (1, 4, 7):
        lines[k] = lines[k][:-1] + str((int(lines[k][-1]) + 1) % 10)
    broken = tmp_path / "broken.tle"
    broken.write_text("\n".join(lines) + "\n")

    for path, first_line in ((garbage, 1), (broken, 2)):
        for strict in ([], ["--strict"]):
            code, out, err = cli("catalog", "load", str(path), *strict)
            assert code == 1 and "✓" not in out
            text = " ".join(err.split())
            assert f"{path.name}: none of its records could be read" in text
            assert f"{path.name}, line {first_line}" in text and "database is unchanged" in text
    code, out, _ = cli("catalog", "stats", "--json")
    stats = json.loads(out)
    assert (stats["n_objects"], stats["n_element_sets"], stats["n_sources"]) == (0, 0, 0)

    # files before the bad one stay loaded (one transaction each) and are reported
    code, out, err = cli("catalog", "load", str(iss_slice), str(garbage))
    assert code == 1 and "loaded before the error (1 of 2 files)" in " ".join(out.split())
    assert "302 element set(s) loaded" in " ".join(out.split()) and "garbage.tle" in err
    code, out, _ = cli("catalog", "stats", "--json")
    assert (json.loads(out)["n_objects"], json.loads(out)["n_sources"]) == (302, 1)


# --- catalog numbers: Alpha-5 on the command line, and the TLE's upper limit ---------------------
@pytest.fixture()
def alpha5_slice(snapshot_slice):
    """ISS, HST and the analyst objects T0000 (= 270000) and T0001 of the snapshot."""
    return snapshot_slice(0, (b"25544", b"20580", b"T0000", b"T0001"), name="alpha5.tle")


def test_ids_accept_alpha5_and_digits(db, alpha5_slice, tmp_path, cli):
    code, out, err = cli("catalog", "load", str(alpha5_slice), "--json")
    assert code == 0 and json.loads(out)[0]["element_sets_loaded"] == 4

    code, out, err = cli("where", "T0000", "t0001", "25544", "--at", "2023-10-09T12:00:00Z", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["norad_id"] for r in rows] == [25544, 270000, 270001]
    code, out, _ = cli("where", "270000", "270001", "25544", "--at", "2023-10-09T12:00:00Z", "--json")
    assert json.loads(out) == rows

    code, out, err = cli("catalog", "show", "T0000", "--json")
    assert code == 0, err
    obj = json.loads(out)
    # the snapshot's line 1 of T0000: epoch 23278.84634951, line 2: inclination 90.2582°
    assert obj["norad_id"] == 270000 and obj["latest"]["inclination_deg"] == 90.2582

    out_tle = tmp_path / "two.tle"
    code, out, err = cli("catalog", "export", "--id", "T0001", "--id", "20580", "-o", str(out_tle), "--json")
    assert code == 0, err
    text = out_tle.read_text()
    assert json.loads(out)["element_sets"] == 2 and "\n1 T0001U " in text and "\n1 20580U " in text

    for bad in ("I0000", "T000", "25544x", "2554 4"):  # no I or O in Alpha-5; 5 characters
        code, out, err = cli("where", bad)
        text = " ".join(err.split())
        assert code == 2 and out == "" and f"{bad!r} is not a catalog number" in text and "T0000 = 270000" in text
    code, out, err = cli("catalog", "show", "0")
    assert code == 2 and "catalog numbers start at 1" in " ".join(err.split())


def test_tle_export_skips_numbers_a_tle_cannot_hold(db, iss_slice, tmp_path, cli):
    from spacesweepers.catalog.formats import read, write

    iss = next(e for e in read(iss_slice).element_sets if e.norad_id == 25544)
    big = tmp_path / "big.json"  # OMM-only objects: after Z9999 = 339999, new numbers have no TLE
    write([iss.with_(norad_id=339999), iss.with_(norad_id=340000), iss.with_(norad_id=812345)], big, "omm-json")
    for f in (iss_slice, big):
        assert cli("catalog", "load", str(f))[0] == 0

    for fmt in ("tle", "3le"):
        out_tle = tmp_path / f"out.{fmt}"
        code, out, err = cli("catalog", "export", "--format", fmt, "-o", str(out_tle), "--json")
        assert code == 0, err
        assert json.loads(out) == {"file": str(out_tle), "format": fmt, "element_sets": 303, "skipped": 2}
        text = " ".join(err.split())
        assert "skipped 2 object(s) with catalog numbers above 339,999 (340000, 812345)" in text
        assert "--format omm-json" in text
        written = sorted(e.norad_id for e in read(out_tle).element_sets)
        assert len(written) == 303 and written[-1] == 339999

    code, out, err = cli("catalog", "export", "--format", "omm-json", "-o", str(tmp_path / "all.json"), "--json")
    assert code == 0 and json.loads(out)["element_sets"] == 305 and json.loads(out)["skipped"] == 0 and err == ""
    assert {340000, 812345} <= {e.norad_id for e in read(tmp_path / "all.json").element_sets}
