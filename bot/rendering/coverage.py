"""Coverage in words (:mod:`bot.answering.measures.coverage`'s figures), freshness against today."""

from __future__ import annotations

from datetime import date

from core.months import month_index, month_name

from bot.answering.answer import Answer
from bot.answering.result import Result
from bot.language.names import Names
from bot.language.question import Question


def render(q: Question, result: Result, a: Answer, names: Names, today: date) -> Answer:
    x = result.extra
    a.title = "What data I have"
    months = x["months"]
    if not months:
        a.lines.append("No counts yet: ingest data (`crimecast ingest`) or run `crimecast demo`.")
        a.data.update({"months": [], "series": 0})
        return a
    first, last, newest = months[0], months[-1], x["complete_through"]
    kind = (
        "day-level (records carry the day they occurred)"
        if x["day_level"]
        else "monthly (the source publishes whole months; no day or week counts)"
    )
    a.lines.append(
        f"**Counts from {month_name(first)} to {month_name(last)}** "
        f"({len(months)} months), {x['series']:,} series: "
        f"{x['communities']:,} {names.area_words} × {len(x['categories'])} categories."
    )
    a.fields.append(("Source", kind + (" · SYNTHETIC demo data" if x["synthetic"] else "")))
    if x["sources"]:
        a.fields.append(
            ("Records by source", ", ".join(f"{k} {v:,}" for k, v in x["sources"].items()))
        )
    a.fields.append(("Categories", "\n".join(" ".join(c.split()) for c in x["categories"])[:1000]))
    fresh = f"newest complete month {month_name(newest)}" if newest else "no month complete yet"
    if x["watermark"]:
        wm = date.fromisoformat(x["watermark"])
        age = (today - wm).days
        fresh += f"; latest record dated {wm.isoformat()}" + (
            f" ({age} days before today, {today.isoformat()})" if age >= 0 else ""
        )
    if newest:
        behind = today.year * 12 + today.month - 1 - month_index(newest) - 1
        if behind > 0:
            fresh += f"; {behind} month{'s' if behind != 1 else ''} behind the calendar"
    a.fields.append(("Freshness", fresh))
    fm = x["forecast_months"]
    if fm:
        a.fields.append(
            (
                "Forecasts",
                f"{x['forecast_series']:,} series, {fm[0]} – {fm[-1]}, resting "
                f"on data through {x['data_through']}",
            )
        )
    else:
        a.fields.append(("Forecasts", "none yet (`crimecast train`)"))
    archived = x["archive"]
    a.fields.append(
        (
            "Forecast archive",
            f"{len(archived)} set(s), made with data through {archived[0]} – {archived[-1]}"
            if archived
            else "empty: past months cannot yet be judged against a forecast made before them",
        )
    )
    a.fields.append(("Reference data", names.reference_text(x["reference"])))
    a.data.update(
        {
            "first_month": first,
            "last_month": last,
            "months": len(months),
            "complete_through": newest,
            "series": x["series"],
            "communities": x["communities"],
            "categories": list(x["categories"]),
            "day_level": x["day_level"],
            "watermark": x["watermark"],
            "archive": list(archived),
            "forecast_months": list(fm),
        }
    )
    return a
