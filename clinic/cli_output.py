"""Files the `clinic` commands write: whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import click


def write_whole(target: Path, chunks: Iterable[bytes]) -> int:
    """Write beside `target` and put the file in place only once it is whole, readable by its
    owner only (it holds patient records): a command that fails half way leaves no half file to
    be taken for all of it, nor replaces an earlier one. Returns the bytes written."""
    written = 0
    try:
        out = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed or removed
            "wb", dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False
        )
    except OSError as error:
        raise click.ClickException(f"Cannot write {target}: {error.strerror}.") from None
    with out:
        try:
            for chunk in chunks:
                out.write(chunk)
                written += len(chunk)
        except BaseException:
            out.close()
            Path(out.name).unlink()
            raise
    os.replace(out.name, target)
    return written
