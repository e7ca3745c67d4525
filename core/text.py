"""Two spellings every package needs: an area's name as the counts spell it, and text that may
arrive as bytes (a non-decoding Redis client, a dead letter's original fields).

>>> area_name("  forest \\t lawn ")
'FOREST LAWN'
>>> as_text(b"BELTLINE"), as_text("BELTLINE"), as_text(3)
('BELTLINE', 'BELTLINE', '3')
"""

from __future__ import annotations

import re

__all__ = ["area_name", "as_text"]

_SPACES = re.compile(r"\s+")


def area_name(raw: object) -> str:
    """Upper case, single spaces, no padding: the one spelling of a community, neighbourhood or
    region, wherever it comes from (a file, a profile, a subscription, a question)."""
    return _SPACES.sub(" ", str(raw)).strip().upper()


def as_text(value: object) -> str:
    """``value`` as a string: bytes decoded as UTF-8 (a bad byte becomes U+FFFD, never an
    exception), anything else through ``str``."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)
