"""What every answer carries around its words: the footer (data month, model, synthetic), the
warnings (stale data, forecasts lagging the counts, synthetic data) and the notes on the places
asked about (a group answered as a whole, incidents placed by a fallback column)."""

from __future__ import annotations

from datetime import date

from core.months import add_months, month_index, month_name

from bot.answering.answer import Answer
from bot.answering.state import DataState
from bot.language.names import Names, Place

STALE_AFTER_MONTHS = 2  # the portal publishes a month some weeks after it ends


def model_label(state: DataState) -> str:
    model = state.meta.get("model") or ""
    return f"{model} (forecast set v{state.version})" if model else f"v{state.version}"


def footer(state: DataState) -> str:
    dt = state.data_through()
    parts = [f"Data through {dt}" if dt else "No data yet"]
    if state.version:
        parts.append(f"model {model_label(state)}")
    if state.synthetic:
        parts.append("SYNTHETIC demo data")
    return " · ".join(parts)


def warnings(state: DataState, today: date) -> list[str]:
    """Staleness against today's date, forecasts lagging the counts, synthetic data."""
    out = []
    dt = state.data_through()
    if dt:
        behind = today.year * 12 + today.month - 1 - month_index(dt)
        if behind > STALE_AFTER_MONTHS:
            out.append(
                f"⚠ Stale: the data run through {month_name(dt)}, {behind} months before "
                f'today ({today.isoformat()}); "next month" here means '
                f"{month_name(add_months(dt, 1))}. Ingest newer data for current forecasts."
            )
    lc = state.last_closed
    if lc and dt and lc > dt and state.version:
        out.append(
            f"⚠ Counts now run through {lc} but the forecasts still rest on {dt}: "
            "they refresh when the workers next train (`crimecast train`)."
        )
    if state.synthetic:
        out.append("⚠ Synthetic demo data: these are not real crime counts.")
    return out


def header(state: DataState, today: date, intent: str, title: str = "") -> Answer:
    """An answer with the warnings, footer and the data's month and model (no words yet)."""
    a = Answer(intent, title, footer=footer(state), warnings=warnings(state, today))
    a.data.update(
        {
            "data_through": state.data_through(),
            "model": state.meta.get("model", ""),
            "model_version": state.version,
        }
    )
    return a


def place_notes(names: Names, places: tuple[Place, ...]) -> list[str]:
    """'ℹ ...' lines on the places asked about (a group answered as a whole, fallback areas)."""
    out = []
    for p in places:
        if p.kind == "group":
            out.append(
                f"ℹ '{p.label}' covers {len(p.communities)} {names.area_words} "
                f"({', '.join(p.communities)}): answering for the group; name one to narrow it."
            )
        note = names.fallback_note(p)
        if note:
            out.append(f"ℹ {note}")
    return out


def base(
    state: DataState,
    today: date,
    names: Names,
    intent: str,
    title: str,
    *,
    notes=(),
    places: tuple[Place, ...] = (),
    categories: tuple[str, ...] = (),
    category_label: str = "all crime",
) -> Answer:
    """:func:`header` with the question's notes and place notes, and its categories in data."""
    a = header(state, today, intent, title)
    a.lines.extend(f"ℹ {note}" for note in notes)
    a.lines.extend(place_notes(names, places))
    a.data.update({"categories": list(categories), "category_label": category_label})
    return a


def for_question(state: DataState, today: date, names: Names, q, intent: str, title: str) -> Answer:
    """:func:`base` for a resolved question (its notes, places and categories)."""
    from bot.answering.asked import place_of

    return base(
        state,
        today,
        names,
        intent,
        title,
        notes=q.notes,
        places=tuple(place_of(w) for w in q.where),
        categories=q.crime.categories,
        category_label=q.crime.label,
    )


def describe(q) -> str:
    """'BELTLINE, Theft OF Vehicle' / 'City-wide, all reported crime'."""
    where = q.where[0].label if q.where else "City-wide"
    return f"{where}, {q.crime.label if q.crime.categories else 'all reported crime'}"
