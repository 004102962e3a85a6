"""Workbooks the reader must name correctly: OLE compound files (encrypted XLSX, old XLS)."""

from __future__ import annotations

import struct
from pathlib import Path

SECTOR = 512
END_OF_CHAIN, FREE, FAT_SECTOR, NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
STREAM_SIZE = 4096  # the smallest stream kept in regular sectors, not in the mini stream


def compound_file(path: Path, streams: list[str]) -> Path:
    """A minimal OLE compound file (MS-CFB version 3) with the named streams, as Office writes.

    An encrypted workbook is such a file with the streams EncryptionInfo and EncryptedPackage;
    an old .xls workbook one with the stream Workbook.
    """
    per_stream = STREAM_SIZE // SECTOR
    fat = [FAT_SECTOR, END_OF_CHAIN]  # sector 0: the FAT, sector 1: the directory
    for index in range(len(streams)):
        first = 2 + index * per_stream
        fat += [*range(first + 1, first + per_stream), END_OF_CHAIN]
    fat += [FREE] * (SECTOR // 4 - len(fat))
    header = b"".join(
        [
            bytes.fromhex("d0cf11e0a1b11ae1"),
            bytes(16),
            struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6),
            bytes(6),
            struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END_OF_CHAIN, 0, END_OF_CHAIN, 0),
            struct.pack("<109I", 0, *[FREE] * 108),
        ]
    )
    entries = [_entry("Root Entry", 5, child=1, start=END_OF_CHAIN, size=0)]
    for index, name in enumerate(streams, start=1):
        right = index + 1 if index < len(streams) else NO_STREAM
        entries.append(_entry(name, 2, right=right, start=2 + (index - 1) * per_stream))
    entries += [bytes(64) + struct.pack("<HBBIII", 0, 0, 0, NO_STREAM, NO_STREAM, NO_STREAM)
                + bytes(48)] * (4 - len(entries))  # fmt: skip
    body = struct.pack(f"<{SECTOR // 4}I", *fat) + b"".join(entries)
    body += b"".join(bytes([index + 1]) * STREAM_SIZE for index in range(len(streams)))
    path.write_bytes(header + body)
    return path


def _entry(
    name: str, kind: int, *, child: int = NO_STREAM, right: int = NO_STREAM, start: int,
    size: int = STREAM_SIZE,
) -> bytes:  # fmt: skip
    encoded = (name + "\0").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBBIII", len(encoded), kind, 1, NO_STREAM, right, child)
        + bytes(16 + 4 + 8 + 8)
        + struct.pack("<IQ", start, size)
    )
