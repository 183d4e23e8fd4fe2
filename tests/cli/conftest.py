"""Real slices of the 2023-10-09 snapshot, written to the test's tmp_path (CRLF kept)."""

from __future__ import annotations

import pytest


@pytest.fixture()
def snapshot_slice(snapshot_3le, tmp_path):
    """``make(n_first, ids=(), name=...)``: a 3LE file with the snapshot's first ``n_first``
    objects, plus the objects whose line-1 catalog field (``b"25544"``, ``b"T0000"``) is in ``ids``."""
    lines = snapshot_3le.read_bytes().split(b"\r\n")

    def make(n_first: int, ids=(), name: str = "slice.tle"):
        keep = lines[: 3 * n_first]
        for i in range(0, len(lines) - 2, 3):
            if lines[i + 1][2:7] in ids:
                keep += lines[i:i + 3]
        path = tmp_path / name
        path.write_bytes(b"\r\n".join(keep) + b"\r\n")
        return path

    return make


@pytest.fixture()
def iss_slice(snapshot_slice):
    """The first 300 objects of the snapshot plus the ISS and HST."""
    return snapshot_slice(300, (b"25544", b"20580"))
