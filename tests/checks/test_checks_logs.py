"""Run folders: pruning survives a concurrent run_checks removing old runs under it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from thrifty.checks import logs


def test_prune_skips_a_run_folder_that_vanishes_while_it_is_listed(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    runs = [tmp_path / f"run{n}" for n in range(3)]
    for run in runs:
        run.mkdir()
    real_iterdir = Path.iterdir

    def racing(self: Path) -> Iterator[Path]:
        previous = None
        for entry in real_iterdir(self):
            if previous is not None:
                shutil.rmtree(previous)  # the other call prunes it after this one saw it
            yield entry
            previous = entry

    monkeypatch.setattr(Path, "iterdir", racing)
    logs._prune(tmp_path)  # pyright: ignore[reportPrivateUsage]
    assert len(list(real_iterdir(tmp_path))) == 1
