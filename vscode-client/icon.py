"""Draws the extension's icon, images/icon.png (128x128 RGBA), with the standard library only.

    python vscode-client/icon.py   (build.sh runs it; the PNG is not committed)

A white pipe elbow on a teal rounded square, with an orange drop leaking from the joint.
"""

from __future__ import annotations

import math
import os
import struct
import zlib

SIZE = 128
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "images", "icon.png")


def pixel(x: float, y: float) -> tuple[int, int, int, int]:
    r = 22  # the square's corner radius
    cx, cy = min(max(x, r), SIZE - r), min(max(y, r), SIZE - r)
    if math.hypot(x - cx, y - cy) > r:
        return (0, 0, 0, 0)
    # the drop: a circle below the joint with a point on top
    dx, dy = x - 84, y - 92
    if math.hypot(dx, dy) < 13 or (70 <= y <= 92 and abs(dx) < (y - 70) * 0.6):
        return (255, 140, 40, 255)
    # the pipe: across from the left at y 36..56, then down at x 64..84 to the joint
    if (16 <= x <= 84 and 36 <= y <= 56) or (64 <= x <= 84 and 36 <= y <= 68):
        return (250, 250, 250, 255)
    if 12 <= x <= 20 and 30 <= y <= 62:  # the flange at the pipe's end
        return (250, 250, 250, 255)
    shade = int(20 * y / SIZE)
    return (20, 130 - shade, 140 - shade, 255)


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\0" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    rows = [b"".join(bytes(pixel(x + 0.5, y + 0.5)) for x in range(SIZE)) for y in range(SIZE)]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as f:
        f.write(png(SIZE, SIZE, rows))


if __name__ == "__main__":
    main()
