"""Time-ordered UUIDs (version 7 layout), generated before the row is written.

Ordered ids keep index inserts at the right edge of the B-tree; random bits keep them
unguessable, so an id says nothing that the project scoping does not already guard.
"""

from __future__ import annotations

import os
import time
import uuid


def new_id() -> uuid.UUID:
    millis = time.time_ns() // 1_000_000
    value = (millis & (2**48 - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)
