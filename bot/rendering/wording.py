"""Counts in words: "about 12 (80% range 8–17)", "+12%" (months: :mod:`core.months`).

Counts are shown as whole numbers with a range, never a fraction of a crime as if it were certain.
"""

from __future__ import annotations


def fmt_count(mean: float) -> str:
    """An expected count in words: whole numbers, never a fraction of a crime as if certain.

    >>> fmt_count(12.4), fmt_count(0.3), fmt_count(0.7)
    ('about 12', 'under 1', 'about 1')
    """
    if mean < 0.5:
        return "under 1"
    return f"about {int(round(mean)):,}"


def fmt_range(mean: float, lo: int, hi: int) -> str:
    """``about 12 (80% range 8–17)``."""
    return f"{fmt_count(mean)} (80% range {int(lo):,}–{int(hi):,})"


def fmt_change(new: float, old: float) -> str:
    """``+12%`` / ``-5%`` / ``no change`` / ``n/a`` (old was zero).

    >>> fmt_change(112, 100), fmt_change(0, 0), fmt_change(3, 0)
    ('+12%', 'no change', 'n/a (was 0)')
    """
    if old == 0:
        return "no change" if new == 0 else "n/a (was 0)"
    pct = (new - old) / old * 100
    if abs(pct) < 0.5:
        return "no change"
    return f"{pct:+.0f}%"
