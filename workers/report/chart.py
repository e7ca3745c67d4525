"""The accountability report as one PNG that reads at a glance.

Left: by region, the share of running-hot flags and of top-k slots beside the share of reported
crime and of population (where the tool points against where crime is reported and people live).
Right: by region, the bias of the forecast in percent of the count (over-forecast to the right, in
red) with the 80% coverage written beside each bar.
"""

from __future__ import annotations

import io
from typing import Any, Mapping

__all__ = ["report_png"]

_COLORS = {"flags": "#d62728", "top_k": "#ff7f0e", "crime": "#1f77b4", "population": "#7f7f7f"}


def report_png(report: Mapping[str, Any]) -> bytes:
    """Render the report's region figures (matplotlib, Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    pointed = report["pointed"]
    acc = report["accuracy"]["by_region"]
    regions = [
        r
        for r in pointed
        if r != "(no region)" or pointed[r]["flags"] or (pointed[r]["crime_share"] or 0) >= 0.01
    ]  # residual areas only when they matter
    regions.sort(key=lambda r: -(pointed[r]["crime_share"] or 0))
    y = np.arange(len(regions))
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(12, 0.55 * len(regions) + 2.4), gridspec_kw={"width_ratios": [3, 2]}
    )
    series = [
        ("flags", "flag_share", "running-hot flags"),
        ("top_k", "top_k_share", f"top-{report['top_k']} slots"),
        ("crime", "crime_share", "reported crime"),
        ("population", "population_share", "population"),
    ]
    shown = [s for s in series if any(pointed[r][s[1]] is not None for r in regions)]
    height = 0.8 / max(len(shown), 1)
    for j, (color, field, label) in enumerate(shown):
        values = [100 * (pointed[r][field] or 0) for r in regions]
        left.barh(
            y + (j - (len(shown) - 1) / 2) * height,
            values,
            height,
            label=label,
            color=_COLORS[color],
        )
    left.set_yticks(y, regions)
    left.invert_yaxis()
    left.set_xlabel("share of the city (%)")
    left.set_title("Where it pointed, against where crime is reported")
    left.legend(loc="lower right", fontsize=8, frameon=False)
    left.grid(axis="x", alpha=0.3)

    bias = [acc.get(r, {}).get("bias_pct") or 0.0 for r in regions]
    right.barh(y, bias, color=["#d62728" if b > 0 else "#1f77b4" for b in bias])
    right.axvline(0, color="black", linewidth=0.8)
    coverage = [acc.get(r, {}).get("coverage80") for r in regions]
    right.set_yticks(
        y, ["n/a" if c is None else f"{c * 100:.0f}% in range" for c in coverage], fontsize=8
    )
    right.invert_yaxis()
    right.set_xlabel("forecast minus count (% of the count; red = over-forecast)")
    right.set_title("How well it did: bias, and 80% ranges that held")
    span = max([abs(b) for b in bias] + [1.0])
    right.set_xlim(-span * 1.35, span * 1.35)
    for yi, b in zip(y, bias):
        right.text(
            b + (0.03 if b >= 0 else -0.03) * span,
            yi,
            f"{b:+.1f}%",
            va="center",
            ha="left" if b >= 0 else "right",
            fontsize=8,
        )
    right.grid(axis="x", alpha=0.3)
    p = report["period"]
    conc = report["concentration"]
    spread = (
        f"on {conc['areas_flagged']} areas"
        if conc["areas_flagged"] <= conc["top_n"]
        else f"{(conc['top_share'] or 0) * 100:.0f}% to the {conc['top_n']} most-flagged areas"
    )
    fig.suptitle(
        f"crimecast accountability, {p['start']} to {p['end']}: {conc['flags']} running-hot "
        f"flags {spread}",
        fontsize=11,
    )
    fig.text(
        0.01,
        0.01,
        "Reported crime reflects policing and reporting as well as crime. "
        f"See {report['data_card']}.",
        fontsize=7,
        color="#555555",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()
