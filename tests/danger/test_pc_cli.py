"""`sweepers cdm pc` on the shared CDMs (the sub-app is tested directly; the integrator registers it)."""

import json

from typer.testing import CliRunner

from spacesweepers.cli.cdm import app


def test_cdm_pc_json(shared_data):
    files = [str(shared_data / "cdm" / n) for n in ("ccsds508_blue_book_example.kvn",
                                                    "spacetrack_cdm_406320986_YAM-2_x_COSMOS-1602.json")]
    res = CliRunner().invoke(app, ["pc", *files, "--hbr-m", "20", "--mc", "--mc-trials", "2000", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [o["file"] for o in out] == files
    for o in out:
        for k in ("tca_utc", "miss_m", "hbr_m", "pc_foster", "pc_chan", "pc_max", "pc_mc", "pc_mc_ci"):
            assert k in o
        assert o["hbr_m"] == 20 and o["hbr_source"] == "user" and not o["usage_violation"]
        assert o["pc_mc_ci"][0] <= o["pc_mc"] <= o["pc_mc_ci"][1]
    assert out[0]["tca_utc"] == "2010-03-13T22:37:52.618Z"
    assert abs(out[0]["pc_foster"] / 4.7427594e-07 - 1) < 1e-6


def test_cdm_pc_bad_file_is_a_clear_error(tmp_path, shared_data):
    p = tmp_path / "bad.cdm"
    text = (shared_data / "cdm" / "ccsds508_blue_book_example.kvn").read_text()
    p.write_text(text.replace("MISS_DISTANCE = 715 [m]", "MISS_DISTANCE = abc [m]"))
    res = CliRunner().invoke(app, ["pc", str(p)])
    assert res.exit_code != 0
    assert "MISS_DISTANCE" in str(res.exception) and "line 11" in str(res.exception)


def test_cdm_pc_takes_sizes_and_rcs_from_the_database(tmp_path, monkeypatch, shared_data):
    """Without --sizes the objects' HBRs come from the catalog database: the CARA size of
    object 1 and the RCS class of object 2; --sizes and --hbr-m still take precedence; a
    database that does not exist is not created."""
    from spacesweepers.catalog.store import Store
    from spacesweepers.cli._common import state
    from spacesweepers.danger.hbr import RCS_CLASS_HBR_M

    cdm = str(shared_data / "cdm" / "spacetrack_cdm_406111525_YAM-2_x_COSMOS-1602.kvn")  # 48911 x 15331
    monkeypatch.setattr(state, "db_url", None)
    missing = tmp_path / "none.db"
    monkeypatch.setenv("SWEEPERS_DB", f"sqlite:///{missing}")
    res = CliRunner().invoke(app, ["pc", cdm, "--json"])
    assert res.exit_code == 0, res.output
    o = json.loads(res.stdout)[0]
    assert o["hbr_source"] == "objects: default + default" and o["hbr_m"] == 10 and not missing.exists()

    cara = tmp_path / "cara.csv"
    cara.write_text("ObjectID,HBR,HBRSigma,HBRSource,Mass,MassSigma,MassSource\n"
                    "48911,1.25,0.1,CARA test,300,10,CARA test\n")
    satcat = tmp_path / "satcat.csv"
    satcat.write_text("OBJECT_NAME,OBJECT_ID,NORAD_CAT_ID,OBJECT_TYPE,RCS_SIZE\n"
                      "COSMOS 1602,1984-105A,15331,PAYLOAD,LARGE\n")
    url = f"sqlite:///{tmp_path / 'cat.db'}"
    with Store(url) as s:
        s.ingest(cara)
        s.ingest(satcat)
    monkeypatch.setenv("SWEEPERS_DB", url)
    res = CliRunner().invoke(app, ["pc", cdm, "--json"])
    assert res.exit_code == 0, res.output
    o = json.loads(res.stdout)[0]
    assert o["hbr_source"] == "objects: cara-table + rcs-LARGE" and o["sizes_from"] == "database"
    want = ((1.25 + RCS_CLASS_HBR_M["LARGE"]) ** 2 + 0.1**2) ** 0.5
    assert abs(o["hbr_m"] - want) < 1e-9

    other = tmp_path / "other.csv"  # --sizes wins over the stored sizes; the RCS class still applies
    other.write_text("ObjectID,HBR,HBRSigma,HBRSource,Mass,MassSigma,MassSource\n48911,2.0,0,file,,0,file\n")
    o = json.loads(CliRunner().invoke(app, ["pc", cdm, "--sizes", str(other), "--json"]).stdout)[0]
    assert abs(o["hbr_m"] - (2.0 + RCS_CLASS_HBR_M["LARGE"])) < 1e-9 and o["sizes_from"] == "--sizes"
    o = json.loads(CliRunner().invoke(app, ["pc", cdm, "--hbr-m", "7", "--json"]).stdout)[0]
    assert o["hbr_m"] == 7 and o["hbr_source"] == "user" and o["sizes_from"] is None
