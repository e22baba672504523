"""Baked-PNG extraction of a 20 MB image (badges.openbadges.extract) vs one sequential read of the file.

The image is a real PNG layout (IHDR, 20 MB of IDAT chunks, then the `openbadges` iTXt chunk
just before IEND: the worst place for a reader that walks chunks) written to a temporary file.
Extraction = what an import does with the uploaded bytes: read the file, walk the chunk headers
(skipping pixel data with seeks), check the badge chunk's CRC and parse its JSON.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
import zlib
from pathlib import Path

from bench import BenchContext, Result, benchmark, timed

SIZE = 20 * 1024 * 1024


def _chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def baked_png(path: Path, size: int = SIZE) -> None:
    assertion = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://issuer.bench.example/a/1",
        "recipient": {"type": "email", "hashed": False, "identity": "target@bench.example"},
        "badge": "https://issuer.bench.example/badge/1",
        "issuedOn": "2026-01-01T00:00:00Z",
        "verification": {"type": "hosted"},
    }
    with path.open("wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(_chunk(b"IHDR", struct.pack(">IIBBBBB", 4096, 4096, 8, 6, 0, 0, 0)))
        block = os.urandom(1024 * 1024)
        written = 0
        while written < size:
            f.write(_chunk(b"IDAT", block))
            written += len(block)
        f.write(_chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00" + json.dumps(assertion).encode()))
        f.write(_chunk(b"IEND", b""))


@benchmark("badge-png")
def badge_png(ctx: BenchContext) -> list[Result]:
    from badges.openbadges.extract import extract
    from badges.openbadges.model import BadgeSource

    path = Path(tempfile.mkdtemp(prefix="vouch-bench-")) / "baked.png"
    baked_png(path)
    size_mib = path.stat().st_size / (1024 * 1024)

    def read() -> bytes:
        with path.open("rb") as f:
            return f.read()

    def extract_it() -> None:
        found = extract(BadgeSource(data=read()))
        assert found.kind == "json" and found.container == "png", found

    extract_it()
    repeat = max(10, ctx.repeat // 2)
    baseline = timed(read, repeat)
    measured = timed(extract_it, repeat)
    path.unlink()
    return [
        Result(
            "badge: extract baked PNG (20 MiB), median",
            measured["median"],
            "ms",
            baseline["median"],
            "one sequential read of the file",
            {"file_mib": round(size_mib, 1)},
        )
    ]
