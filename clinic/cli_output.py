"""Files the `clinic` commands write: whole or not at all, and without waiting on a slow disk."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from queue import Queue
from typing import IO

import click

# Writing moves to a second thread once it takes this share of the time, measured from this many
# bytes on: then the writes are no longer cheap (gigabytes of FHIR: the page cache fills, the
# kernel writes back), and the hand-overs between the threads cost less than they do.
_SHARE = 0.1
_SETTLED = 16 << 20
# Then the chunks go to the disk half a megabyte at a time, at most a megabyte or two ahead.
_BATCH_BYTES = 1 << 19
_BATCH_CHUNKS = 512  # within any system's limit on one writev
_AHEAD = 2


def write_whole(target: Path, chunks: Iterable[bytes]) -> int:
    """Write beside `target` and put the file in place only once it is whole, readable by its
    owner only (it holds patient records): a command that fails half way leaves no half file to
    be taken for all of it, nor replaces an earlier one. Returns the bytes written."""
    try:
        out = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed or removed
            "wb", dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False
        )
    except OSError as error:
        raise click.ClickException(f"Cannot write {target}: {error.strerror}.") from None
    with out:
        try:
            written = _write(out, chunks)
        except BaseException:
            out.close()
            Path(out.name).unlink()
            raise
    os.replace(out.name, target)
    return written


def _write(out: IO[bytes], chunks: Iterable[bytes]) -> int:
    """Write the chunks in order: from this thread while writing is cheap (the page cache takes
    the chunks at once), then, once it takes a tenth of the time (an export of gigabytes, with
    the page cache full and the kernel writing back), from a second thread while this one makes
    the next chunks."""
    remaining = iter(chunks)
    written, writing, started = 0, 0.0, time.perf_counter()
    for chunk in remaining:
        before = time.perf_counter()
        out.write(chunk)
        after = time.perf_counter()
        written, writing = written + len(chunk), writing + after - before
        if written >= _SETTLED and writing > _SHARE * (after - started):
            return written + _write_behind(out, remaining)
    return written


def _write_behind(out: IO[bytes], chunks: Iterator[bytes]) -> int:
    """Write the chunks from a second thread while this one makes the next: the disk writes
    release the interpreter, so a slow disk no longer holds up the export's work. Chunks go out
    a batch at a time in one system call, so the two threads hand the interpreter over rarely
    (each hand-over costs this one time). Raises what either side raised."""
    ready: Queue[list[bytes] | None] = Queue(maxsize=_AHEAD)
    failed: list[BaseException] = []
    out.flush()
    descriptor = out.fileno()

    def drain() -> None:
        while (batch := ready.get()) is not None:
            if not failed:
                try:
                    _write_all(descriptor, batch)
                except BaseException as error:  # handed to the making side, which stops
                    failed.append(error)

    writer = threading.Thread(target=drain, name="clinic-write-behind", daemon=True)
    writer.start()
    written, batch, size = 0, [], 0
    try:
        for chunk in chunks:
            if failed:
                break
            batch.append(chunk)
            size += len(chunk)
            if size >= _BATCH_BYTES or len(batch) == _BATCH_CHUNKS:
                ready.put(batch)
                written, batch, size = written + size, [], 0
        if batch and not failed:
            ready.put(batch)
            written += size
    finally:
        ready.put(None)
        writer.join()
    if failed:
        raise failed[0]
    return written


def _write_all(descriptor: int, batch: list[bytes]) -> None:
    """Write a batch in order: one writev, and the rest if the system wrote only part of it."""
    done = os.writev(descriptor, batch)
    rest = memoryview(b"".join(batch))[done:] if done < sum(map(len, batch)) else None
    while rest:
        rest = rest[os.write(descriptor, rest) :]
