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
