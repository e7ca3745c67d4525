"""Coverage: what data the bot has (months, series, areas, categories, whether the source has
days or only whole months) and how fresh it is against today."""

from __future__ import annotations

from core.months import month_index, month_name

from bot.answering.answer import Answer
from bot.answering.asked import Asked as Query
from bot.answering.result import Result
from bot.answering.view import View


def answer(view: View, query: Query, result: Result | None = None) -> Answer:
    """The span and shape of the counts, their freshness, the forecasts and the archive."""
    hist = view.hist
    a = Answer("coverage", "What data I have", footer=view.footer(), warnings=view.warnings())
    if not hist.months:
        a.lines.append("No counts yet: ingest data (`crimecast ingest`) or run `crimecast demo`.")
        a.data.update({"months": [], "series": 0})
        return a
    first, last = hist.months[0], hist.months[-1]
    newest = view.complete_through()
    communities = sorted(hist.by_community)
    kind = (
        "day-level (records carry the day they occurred)"
        if hist.day_level
        else "monthly (the source publishes whole months; no day or week counts)"
    )
    a.lines.append(
        f"**Counts from {month_name(first)} to {month_name(last)}** "
        f"({len(hist.months)} months), {len(hist.series):,} series: "
        f"{len(communities):,} {view.names.area_words} × {len(hist.categories)} categories."
    )
    a.fields.append(("Source", kind + (" · SYNTHETIC demo data" if hist.synthetic else "")))
    sources = view.store.sources()
    if sources:
        a.fields.append(("Records by source", ", ".join(f"{k} {v:,}" for k, v in sources.items())))
    a.fields.append(("Categories", "\n".join(" ".join(c.split()) for c in hist.categories)[:1000]))
    today = view.today()
    fresh = f"newest complete month {month_name(newest)}" if newest else "no month complete yet"
    if hist.watermark:
        age = (today - hist.watermark).days
        fresh += f"; latest record dated {hist.watermark.isoformat()}" + (
            f" ({age} days before today, {today.isoformat()})" if age >= 0 else ""
        )
    if newest:
        behind = today.year * 12 + today.month - 1 - month_index(newest) - 1
        if behind > 0:
            fresh += f"; {behind} month{'s' if behind != 1 else ''} behind the calendar"
    a.fields.append(("Freshness", fresh))
    if view.fc.version:
        fm = view.fc.months
        a.fields.append(
            (
                "Forecasts",
                f"{view.fc.n_series:,} series, {fm[0]} – {fm[-1]}, resting "
                f"on data through {view.data_through()}",
            )
        )
    else:
        a.fields.append(("Forecasts", "none yet (`crimecast train`)"))
    archived = view.archive_months()
    a.fields.append(
        (
            "Forecast archive",
            f"{len(archived)} set(s), made with data through {archived[0]} – {archived[-1]}"
            if archived
            else "empty: past months cannot yet be judged against a forecast made before them",
        )
    )
    a.fields.append(("Reference data", view.names.reference_text(len(view.info))))
    a.data.update(
        {
            "first_month": first,
            "last_month": last,
            "months": len(hist.months),
            "complete_through": newest,
            "series": len(hist.series),
            "communities": len(communities),
            "categories": list(hist.categories),
            "day_level": hist.day_level,
            "watermark": hist.watermark.isoformat() if hist.watermark else None,
            "archive": archived,
            "forecast_months": list(view.fc.months),
        }
    )
    return a
