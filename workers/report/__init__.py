"""The accountability report (issue 12): where crimecast points, how well it did, for whom.

- :mod:`.build`: :func:`accountability_report` (a JSON-able dict) and :func:`report_for_scope`.
- :mod:`.accuracy`: per series-month forecasts made before the month against the counts.
- :mod:`.pointing`: running-hot flags and top-k rankings over the period; the feedback-loop watch.
- :mod:`.asked`: the audit stream's questions by region and category (no user names).
- :mod:`.text`, :mod:`.chart`: the report as text and as a PNG.
- :mod:`.post`: the monthly post to the admin channel through the alert outbox.
"""

from .build import accountability_report, latest_report, region_map, report_for_scope, save_report
from .text import headline, report_text

__all__ = [
    "accountability_report",
    "headline",
    "latest_report",
    "region_map",
    "report_for_scope",
    "report_text",
    "save_report",
]
