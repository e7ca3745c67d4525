"""The generated corpus, part four: officers' own words, round three (issue 16's third batch of
kinds). Place prepositions ("out of", "along", "throughout" <place>: the place, not a crime
word), "least busy month" (the trough), "which <areas> does <group> cover / span" (a list),
"for the (whole) year" with no year (the newest complete year), a singular "which hood / area"
(one row), "crime mix in <place>" (by category), two years one of which the data do not hold
(refused), norm words and holidays (asked back). Every expectation is the oracle's.
"""

from __future__ import annotations

from .oracle import Spec
from .vocab import month_periods, past_periods, pick_crime, places, years


def _place(c, rng) -> tuple[str, tuple]:
    """A place phrase with no preposition ("Beltline", "the northeast sector"), and its where."""
    return rng.choice(places(c, rng))


def _prepositions(c, rng):
    crime, cats = pick_crime(c, rng)
    phrase, w = _place(c, rng)
    period, span, _ = rng.choice(past_periods(c, rng))
    prep = rng.choice(["out of", "along", "throughout", "around", "across", "within"])
    t = rng.choice(["{crime} {prep} {place} {period}", "how many {crime} {prep} {place} {period}?"])
    return t.format(crime=crime, prep=prep, place=phrase, period=period), Spec(
        "count", w, cats, (span,), shape="count"
    )


def _least_busy(c, rng):
    crime, cats = pick_crime(c, rng)
    phrase, w = _place(c, rng)
    period, span = rng.choice(month_periods(c))
    what, word = rng.choice(
        [("trough", "least busy"), ("trough", "least active"), ("peak", "most active")]
    )
    t = rng.choice(
        ["{word} month for {crime} in {place} {period}", "{word} month in {place} {period}"]
    )
    if "{crime}" not in t:
        cats = ()
    return t.format(word=word, crime=crime, place=phrase, period=period), Spec(
        what, w, cats, (span,), shape="busiest/quietest month"
    )


def _cover(c, rng):
    groups = [a for a, m in c.places.items() if len(m) > 1 and all(x in c.areas for x in m)]
    if not groups:
        return None
    alias = rng.choice(groups)
    verb = rng.choice(["cover", "span", "contain", "include"])
    return f"which {c.areas_word} does {alias} {verb}?", Spec(
        "list", ("group", alias), shape="list"
    )


def _the_year(c, rng):
    crime, cats = pick_crime(c, rng)
    phrase, w = _place(c, rng)
    y = max(years(c))
    t = rng.choice(
        [
            "{crime} in {place} for the year",
            "{crime} in {place} for the whole year",
            "total {crime} in {place} for the year",
            "how many {crime} in {place} over the full year",
        ]
    )
    return t.format(crime=crime, place=phrase), Spec(
        "count", w, cats, ((f"{y}-01", f"{y}-12"),), shape="count"
    )


def _which_one(c, rng):
    crime, cats = pick_crime(c, rng)
    y = rng.choice(years(c))
    noun = rng.choice(["hood", "area", c.area_word])
    return f"which {noun} had the most {crime} in {y}?", Spec(
        "count",
        ("city", ""),
        cats,
        ((f"{y}-01", f"{y}-12"),),
        by="area",
        ranking=(1, "top", "count"),
        shape="ranking",
    )


def _mix(c, rng):
    phrase, w = _place(c, rng)
    y = rng.choice(years(c))
    t = rng.choice(
        ["crime mix in {place} in {y}", "mix of crimes in {place} in {y}", "{place} crime mix {y}"]
    )
    return t.format(place=phrase, y=y), Spec(
        "count", w, (), ((f"{y}-01", f"{y}-12"),), by="category", shape="breakdown"
    )


def _missing_year(c, rng):
    crime, _ = pick_crime(c, rng)
    ys = years(c)
    y = rng.choice(ys)
    gone = rng.choice([min(ys) - 1, max(ys) + 1])
    pair = rng.choice([(y, gone), (gone, y)])
    return f"{crime} in {pair[0]} vs {pair[1]}", Spec("refuse", shape="ask back")


def _norm(c, rng):
    crime, _ = pick_crime(c, rng)
    phrase, _ = _place(c, rng)
    y = rng.choice(years(c))
    t = rng.choice(
        [
            "are {crime} higher than normal in {place}?",
            "were {crime} above average in {place} in {y}",
            "more {crime} than usual in {place} in {y}?",
            "abnormal {crime} in {place} in {y}",
        ]
    )
    return t.format(crime=crime, place=phrase, y=y), Spec("clarify", shape="ask back")


def _holiday(c, rng):
    crime, _ = pick_crime(c, rng)
    phrase, _ = _place(c, rng)
    y = rng.choice(years(c))
    events = ["christmas week", "new year's", "labour day weekend", "halloween"]
    events += list((c.profile.get("events") or {}))
    t = rng.choice(["{crime} in {place} over {e} {y}", "{crime} in {place} during {e} {y}"])
    return t.format(crime=crime, place=phrase, e=rng.choice(events), y=y), Spec(
        "clarify", shape="ask back"
    )


PLAN = [
    (_prepositions, 12),
    (_least_busy, 8),
    (_cover, 4),
    (_the_year, 6),
    (_which_one, 8),
    (_mix, 6),
    (_missing_year, 5),
    (_norm, 5),
    (_holiday, 6),
]
