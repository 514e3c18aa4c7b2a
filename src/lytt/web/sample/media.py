"""Generate the sample catalogue's artwork (run by hand: `python -m lytt.web.sample.media`).

The files are committed under `lytt/web/static/lytt/sample/`; this script documents how they were made and
remakes them byte for byte: a 256x256 PNG written with zlib alone. The audio is not a file: `audio.py`
computes it per request.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "static" / "lytt" / "sample"
# name: (hex colour, accent colour)
ARTWORK = {
    "insight-myanmar": ("7a1f1f", "f2c14e"),
    "politisk-kvarter": ("1f3a7a", "f4f1e8"),
    "nyhetsmorgen": ("0b5c4a", "d9f2ea"),
    "kodekveld": ("2b2b2b", "7fe0c3"),
    "the-sample-kitchen": ("b35c00", "fff4e0"),
    "tiny-history": ("4a3b72", "e8e0ff"),
    "fjellvett": ("355e3b", "f0f7ee"),
}


def _chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


def artwork(path: Path, background: str, accent: str, size: int = 256) -> None:
    """Concentric sound-wave rings on a flat colour."""
    bg = bytes.fromhex(background)
    fg = bytes.fromhex(accent)
    centre = size / 2
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            distance = math.hypot(x - centre, y - centre * 1.15)
            banded = int(distance / (size * 0.07)) % 2 == 0 and distance < size * 0.42
            ring = distance < size * 0.08 or banded
            upper = y < centre * 1.15 + size * 0.02
            rows += fg if ring and upper else bg
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
    path.write_bytes(png + _chunk(b"IEND", b""))


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (background, accent) in ARTWORK.items():
        artwork(OUT / f"{name}.png", background, accent)
    print(f"wrote {len(ARTWORK)} artworks to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
