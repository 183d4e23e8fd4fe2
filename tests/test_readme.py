"""Every command in a ```console block and every ```python block of README.md runs and succeeds.

They are run in order, in-process, from a temporary working directory whose ``../shared``
points at the real shared data, exactly as a user would type them from the repository root.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

import numpy as np
import pytest

from spacesweepers.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.S)


def readme_commands() -> list[str]:
    return [line[2:].strip() for block in readme_blocks("console") for line in block.splitlines()
            if line.startswith("$ ")]


@pytest.fixture()
def repo_root(shared_data, tmp_path, monkeypatch) -> Path:
    """A stand-in for the repository root: the working directory, with ``../shared`` the real data."""
    work = tmp_path / "repo"
    work.mkdir()
    (tmp_path / "shared").symlink_to(shared_data.parent, target_is_directory=True)
    monkeypatch.chdir(work)
    monkeypatch.setenv("SWEEPERS_HOME", str(tmp_path / "home"))
    return work


def test_readme_has_examples():
    cmds = readme_commands()
    assert len(cmds) >= 8 and all(c.startswith("sweepers ") for c in cmds)
    assert len(readme_blocks("python")) >= 1


def test_readme_commands_run(repo_root, capsys):
    work = repo_root
    for cmd in readme_commands():
        code = main(shlex.split(cmd)[1:])
        out, err = capsys.readouterr()
        assert code == 0, f"README command failed: {cmd}\n{err[-2000:]}"
        if cmd.endswith("catalog show 25544 --json"):
            obj = json.loads(out)
            # NASA CARA table row for the ISS (cara_hbr_mass_estimates_2026-06-01.csv)
            assert obj["size"]["mass_kg"] > 100_000
        if " plan route " in cmd:  # the Victory removes something and says why the rest was not taken
            text = " ".join(out.split())
            assert int(re.search(r"removed (\d+) objects", text).group(1)) >= 1 and "not taken:" in text
    assert (work / "readme-gabbard.png").stat().st_size > 10_000
    assert (work / "readme-route" / "victory-raan.png").stat().st_size > 10_000


def test_readme_python_runs(repo_root, shared_data):
    namespace: dict = {"__name__": "__readme__"}
    for block in readme_blocks("python"):
        exec(compile(block, str(README), "exec"), namespace)
    # the API block: the debris of the real snapshot, propagated over a day in one call
    store, elements, times, eph, geo = (namespace[k] for k in ("store", "elements", "times", "eph", "geo"))
    assert store.count() == 26140 and (repo_root / "sweepers.db").is_file()
    # debris (typed from the name: the data README counts 11,619) with an epoch before 12:00 UTC,
    # counted straight from the file
    from spacesweepers.catalog.elements import object_type_from_name
    from spacesweepers.catalog.formats import read

    in_file = [e for e in read(shared_data / "catalog" / "spacetrack_3le_2023-10-09.tle").element_sets
               if object_type_from_name(e.name) == "DEBRIS"]
    assert len(in_file) == 11619
    assert sorted(e.norad_id for e in elements) == sorted(e.norad_id for e in in_file if e.epoch <= times[0])
    assert eph.r_teme_km.shape == (len(elements), 144, 3) and eph.error.shape == (len(elements), 144)
    ok = eph.error == 0
    # failures are data, not an exception: 133 of the 7,933 (decayed or e ≥ 1 in SGP4), NaN there
    assert 0 < (~ok).any(axis=1).sum() < 0.02 * len(elements)
    assert np.isnan(eph.r_teme_km[~ok]).all() and np.isfinite(eph.r_teme_km[ok]).all()
    assert np.all(np.abs(geo.lat_deg[ok]) <= 90.0) and 400 < np.median(geo.alt_km[ok]) < 1500
    store.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the README's Linux default path")
def test_readme_default_database_path(tmp_path, monkeypatch):
    from spacesweepers.paths import default_db_url

    text = " ".join(README.read_text().split())
    monkeypatch.delenv("SWEEPERS_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert "`~/.local/share/spacesweepers/sweepers.db`" in text
    assert default_db_url() == f"sqlite:///{tmp_path}/.local/share/spacesweepers/sweepers.db"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert "`$XDG_DATA_HOME/spacesweepers/sweepers.db`" in text
    assert default_db_url() == f"sqlite:///{tmp_path}/xdg/spacesweepers/sweepers.db"
    monkeypatch.setenv("SWEEPERS_HOME", "/some/dir")
    assert "with `SWEEPERS_HOME=/some/dir` | `/some/dir/sweepers.db`" in text
    assert default_db_url() == "sqlite:////some/dir/sweepers.db"
