"""A zip archive written as its members are produced, for streamed downloads and the CLI."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator


class _Sink(io.RawIOBase):
    """A write-only stream that hands over what was written since the last `take()`."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._parts.append(bytes(data))
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def stream_zip(members: Iterable[tuple[str, Iterable[str] | Iterable[bytes]]]) -> Iterator[bytes]:
    """The zip's bytes as each member's chunks arrive (text written as UTF-8; deflated)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in members:
            # A fixed time stamp: the same records give the same archive, byte for byte.
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as out:
                for chunk in chunks:
                    out.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
                    data = sink.take()
                    if data:
                        yield data
            yield sink.take()
    yield sink.take()
