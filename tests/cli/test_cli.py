"""The `sweepers` command end to end on the real snapshot: stdout is pure JSON with --json,
errors go to stderr with a non-zero status and change nothing."""

from __future__ import annotations

import json

import pytest

from spacesweepers.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SWEEPERS_DB", url)
    return url


@pytest.fixture()
def iss_slice(snapshot_3le, tmp_path):
    """The first 300 objects of the snapshot plus the ISS and HST (CRLF kept)."""
    lines = snapshot_3le.read_bytes().split(b"\r\n")
    keep = lines[: 900]
    for i in range(0, len(lines) - 2, 3):
        if lines[i + 1][2:7] in (b"25544", b"20580"):
            keep += lines[i:i + 3]
    path = tmp_path / "slice.tle"
    path.write_bytes(b"\r\n".join(keep) + b"\r\n")
    return path


def test_load_stats_show_where_json(capsys, db, iss_slice):
    code, out, err = run(capsys, "catalog", "load", str(iss_slice), "--json")
    assert code == 0, err
    report = json.loads(out)[0]
    assert report["element_sets_loaded"] == 302 and report["n_skipped"] == 0

    code, out, _ = run(capsys, "catalog", "stats", "--json")
    stats = json.loads(out)
    assert stats["n_objects"] == 302 and sum(stats["by_regime"].values()) == 302

    code, out, _ = run(capsys, "catalog", "show", "25544", "--json")
    obj = json.loads(out)
    assert obj["intl_designator"] == "1998-067A"
    assert obj["latest"]["mean_motion_rev_day"] == pytest.approx(15.49983917)

    code, out, _ = run(capsys, "where", "25544", "--at", "2023-10-09T17:09:24.186Z", "--json")
    (iss,) = json.loads(out)
    # At its epoch the ISS flies at 413-421 km above the mean equator (perigee/apogee of the
    # element set), 405-430 km above the ellipsoid. Its geocentric latitude is at most the
    # inclination, 51.641°; geodetic latitude at most atan(tan 51.641° / (1-f)²) = 51.83°.
    assert 405 < iss["alt_km"] < 430 and abs(iss["lat_deg"]) <= 51.83
    assert iss["status"] == 0 and abs(iss["age_days"]) < 1e-6


def test_bad_file_default_skips_strict_rejects(capsys, db, tmp_path, iss_slice):
    text = iss_slice.read_text().splitlines()
    # corrupt the checksum of the second object's line 1
    text[4] = text[4][:-1] + str((int(text[4][-1]) + 1) % 10)
    bad = tmp_path / "bad.tle"
    bad.write_text("\n".join(text) + "\n")

    code, out, err = run(capsys, "catalog", "load", str(bad), "--strict")
    assert code == 1
    assert "bad.tle" in err and "line 5" in err and "checksum" in err.lower()
    code, out, _ = run(capsys, "catalog", "stats", "--json")
    assert json.loads(out)["n_objects"] == 0  # strict changed nothing

    code, out, err = run(capsys, "catalog", "load", str(bad), "--json")
    assert code == 0
    report = json.loads(out)[0]
    assert report["element_sets_loaded"] == 301
    assert report["problems"][0]["line"] == 5


def test_unknown_id_is_an_error_on_stderr(capsys, db, iss_slice):
    run(capsys, "catalog", "load", str(iss_slice))
    code, out, err = run(capsys, "where", "99999999", "--json")
    assert code == 1 and out == "" and "99999999" in err


def test_export_round_trip(capsys, db, iss_slice, tmp_path):
    run(capsys, "catalog", "load", str(iss_slice))
    for fmt, name in (("tle", "out.tle"), ("omm-json", "out.json"), ("omm-xml", "out.xml"),
                      ("omm-kvn", "out.kvn"), ("omm-csv", "out.csv")):
        code, out, err = run(capsys, "catalog", "export", "--format", fmt, "--out", str(tmp_path / name), "--json")
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


def test_plots_write_png(capsys, db, iss_slice, tmp_path):
    run(capsys, "catalog", "load", str(iss_slice))
    for kind in ("gabbard", "altitude"):
        png = tmp_path / f"{kind}.png"
        code, out, err = run(capsys, "plot", kind, "--out", str(png), "--json")
        assert code == 0, err
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_info_json(capsys, db):
    code, out, _ = run(capsys, "info", "--json")
    d = json.loads(out)
    assert d["database_url"] == db and d["objects"] == 0
