"""Files the commands write: whole, in order, and a failed write stops the work that feeds it."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import clinic.cli_output
from clinic.cli_output import write_whole

CHUNKS = [f"line {n}\n".encode() * (n % 7 + 1) + bytes(n % 3000) for n in range(3000)]


@pytest.fixture(params=["disk keeping up", "disk holding writes up"])
def disk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of writing: from the export's thread, and (from the first slow write) behind it."""
    if request.param == "disk holding writes up":
        _write_behind_at_once(monkeypatch)
    return str(request.param)


def _write_behind_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clinic.cli_output, "_SETTLED", 0)
    monkeypatch.setattr(clinic.cli_output, "_SHARE", -1.0)


def test_every_chunk_is_written_in_order(tmp_path: Path, disk: str) -> None:
    target = tmp_path / "export.ndjson"
    assert write_whole(target, iter(CHUNKS)) == sum(map(len, CHUNKS))
    assert target.read_bytes() == b"".join(CHUNKS)


def test_a_batch_the_system_writes_only_part_of_is_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_behind_at_once(monkeypatch)

    def partly(descriptor: int, buffers: list[bytes]) -> int:
        first = buffers[0]
        return os.write(descriptor, first[: max(1, len(first) // 2)])

    monkeypatch.setattr(clinic.cli_output.os, "writev", partly)
    target = tmp_path / "export.ndjson"
    write_whole(target, iter(CHUNKS))
    assert target.read_bytes() == b"".join(CHUNKS)


def test_a_full_disk_stops_the_export_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind the export (written before the disk filled): the export stops, nothing is left."""
    _write_behind_at_once(monkeypatch)

    def full(descriptor: int, buffers: list[bytes]) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    made: list[int] = []

    def chunks() -> Iterator[bytes]:
        for n in range(100_000):
            made.append(n)
            yield b"x" * 65536

    monkeypatch.setattr(clinic.cli_output.os, "writev", full)
    with pytest.raises(OSError, match="No space left"):
        write_whole(tmp_path / "export.ndjson", chunks())
    assert len(made) < 1000  # it stopped making what could not be written
    assert list(tmp_path.iterdir()) == []  # and left no part of it behind
