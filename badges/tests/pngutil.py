"""Build PNG files chunk by chunk for tests."""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def ihdr(width: int = 1, height: int = 1) -> bytes:
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))


def itxt(keyword: bytes, text: str, *, compressed: bool = False) -> bytes:
    body = zlib.compress(text.encode()) if compressed else text.encode()
    return chunk(b"iTXt", keyword + b"\x00" + (b"\x01" if compressed else b"\x00") + b"\x00" + b"\x00\x00" + body)


def png(*chunks: bytes) -> bytes:
    return SIGNATURE + ihdr() + b"".join(chunks) + chunk(b"IEND", b"")
