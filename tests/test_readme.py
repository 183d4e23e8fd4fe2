"""Every command in a ```console block of README.md runs and succeeds.

The commands are run in order, in-process, from a temporary working directory whose
``../shared`` points at the real shared data, exactly as a user would type them from
the repository root.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from spacesweepers.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[str]:
    blocks = re.findall(r"```console\n(.*?)```", README.read_text(), flags=re.S)
    return [line[2:].strip() for block in blocks for line in block.splitlines() if line.startswith("$ ")]


def test_readme_has_examples():
    cmds = readme_commands()
    assert len(cmds) >= 8 and all(c.startswith("sweepers ") for c in cmds)


def test_readme_commands_run(shared_data, tmp_path, monkeypatch, capsys):
    work = tmp_path / "repo"
    work.mkdir()
    (tmp_path / "shared").symlink_to(shared_data.parent, target_is_directory=True)
    monkeypatch.chdir(work)
    monkeypatch.setenv("SWEEPERS_HOME", str(tmp_path / "home"))
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
