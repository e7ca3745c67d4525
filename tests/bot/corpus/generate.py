"""The generated corpus: templates x values from the profile and the data, seeded.

Every shape of issue 16 (count, rate, change, share, average, busiest/quietest month, rankings
over areas/regions/categories/months, biggest increase, breakdowns, lists, forecasts, accuracy),
each phrasing paired with the ``Spec`` it asks; the oracle computes the expected answer.

>>> a, b = cases("atlanta"), cases("atlanta")
>>> [x.text for x in a] == [x.text for x in b] and len(a) >= 500
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .cities import city, shift
from .oracle import Spec
from .officer_words import PLAN as OFFICER_WORDS
from .officer_words3 import PLAN as OFFICER_WORDS3
from .shorthand import PLAN as SHORTHAND
from .vocab import (
    pick_crime as _crime,
    pick_where as _where,
    MONTHS,
    month_periods,
    number_phrase,
    past_periods,
    period_pairs,
    places,
    region_phrase,
)

SEED = 16


@dataclass(frozen=True)
class Case:
    text: str
    spec: Spec
    alternatives: tuple = ()  # other readings an analyst would also accept


def _count(c, rng):
    crime, cats = _crime(c, rng)
    where, w = _where(c, rng)
    period, span, kind = rng.choice(past_periods(c, rng))
    t = rng.choice(
        [
            "how many {crime} {where} {period}?",
            "number of {crime} {where} {period}",
            "how many {crime} were reported {where} {period}",
            "{crime} {where} {period}: how many?",
            "total {crime} {where} {period}",
            "count of {crime} {where} {period}",
            "how many {crime} did we have {where} {period}",
        ]
    )
    return t.format(crime=crime, where=where, period=period), Spec(
        "count", w, cats, (span,), shape="count"
    )


def _rate(c, rng):
    crime, cats = _crime(c, rng)
    where, w = _where(c, rng, populated=True)
    period, span, _ = rng.choice(past_periods(c, rng))
    t = rng.choice(
        [
            "{crime} rate per 1,000 residents {where} {period}",
            "per capita {crime} {where} {period}",
            "{crime} per 1000 people {where} {period}",
            "what was the rate of {crime} per 1,000 residents {where} {period}?",
            "{crime} per capita {where} {period}",
        ]
    )
    shape = "rate" if c.population else "rate (no population)"
    return t.format(crime=crime, where=where, period=period), Spec(
        "rate", w, cats, (span,), shape=shape
    )


def _average(c, rng):
    crime, cats = _crime(c, rng)
    where, w = _where(c, rng)
    period, span = rng.choice(month_periods(c))
    t = rng.choice(
        [
            "average {crime} per month {where} {period}",
            "what was the monthly average of {crime} {where} {period}?",
            "how many {crime} a month on average {where} {period}",
            "average monthly {crime} {where} {period}",
            "mean {crime} per month {where} {period}",
        ]
    )
    return t.format(crime=crime, where=where, period=period), Spec(
        "average", w, cats, (span,), shape="average"
    )


def _change(c, rng):
    crime, cats = _crime(c, rng)
    where, w = _where(c, rng)
    t = rng.choice(
        [
            "how did {crime} {where} change, {pair}?",
            "{crime} {where}: {pair}",
            "compare {crime} {where} {pair}",
            "change in {crime} {where} {pair}",
            "are {crime} {where} up or down, {pair}?",
        ]
    )
    # with no word of change, "between 2019 and 2022" also reads as one span: not asked bare
    pairs = [
        p
        for p in period_pairs(c, rng)
        if "change" in t or "compare" in t or "up or" in t or not p[0].startswith("between")
    ]
    phrase, a, b = rng.choice(pairs)
    return t.format(crime=crime, where=where, pair=phrase), Spec(
        "change", w, cats, (a, b), compared_with="period", shape="change"
    )


def _change_year_before(c, rng):
    ys = sorted({int(m[:4]) for m in c.months})[1:]
    if not ys or f"{ys[0] - 1}-01" not in c.months:
        return _change(c, rng)
    crime, cats = _crime(c, rng)
    where, w = _where(c, rng)
    y = rng.choice(ys)
    t = rng.choice(
        [
            "is {crime} up {where} in {y} compared to the year before?",
            "{crime} {where} in {y} versus the previous year",
            "did {crime} go up or down {where} in {y} compared with a year earlier?",
        ]
    )
    return t.format(crime=crime, where=where, y=y), Spec(
        "change", w, cats, ((f"{y}-01", f"{y}-12"),), compared_with="year_before", shape="change"
    )


def _share(c, rng):
    crime, cats = _crime(c, rng, p_all=0.2)
    phrase, w = rng.choice(places(c, rng))
    period, span, _ = rng.choice(past_periods(c, rng))
    t = rng.choice(
        [
            "what share of {crime} {period} was in {place}?",
            "what percentage of the city's {crime} {period} happened in {place}?",
            "{place}'s share of {crime} {period}",
            "what percent of all {crime} {period} were in {place}",
        ]
    )
    return t.format(crime=crime, place=phrase, period=period), Spec(
        "share", w, cats, (span,), shape="share"
    )


def _peak(c, rng, what="peak"):
    crime, cats = _crime(c, rng)
    where, w = _where(c, rng)
    period, span = rng.choice(month_periods(c))
    if what == "peak":
        t = rng.choice(
            [
                "what was the busiest month for {crime} {where} {period}?",
                "which month had the most {crime} {where} {period}",
                "worst month for {crime} {where} {period}",
                "the peak month of {crime} {where} {period}",
            ]
        )
    else:
        t = rng.choice(
            [
                "what was the quietest month for {crime} {where} {period}?",
                "which month had the fewest {crime} {where} {period}",
                "best month for {crime} {where} {period}",
                "slowest month for {crime} {where} {period}",
            ]
        )
    return t.format(crime=crime, where=where, period=period), Spec(
        what, w, cats, (span,), shape="busiest/quietest month"
    )


def _rank_areas(c, rng):
    crime, cats = _crime(c, rng)
    period, span, _ = rng.choice(past_periods(c, rng))
    n = rng.choice([2, 3, 4, 5, 6, 7, 10])
    nw = number_phrase(n, rng)
    areas = c.areas_word
    if rng.random() < 0.3:
        region = rng.choice(list(c.regions))
        rp = region_phrase(c, region, rng)
        w = ("region", region)
        if rng.random() < 0.5:
            t = f"which {nw} {areas} in {rp} had the fewest {{crime}} {{period}}"
            return t.format(crime=crime, period=period), Spec(
                "count",
                w,
                cats,
                (span,),
                by="area",
                ranking=(n, "bottom", "count"),
                shape="ranking",
            )
        t = f"top {n} {areas} in {rp} for {{crime}} {{period}}"
        return t.format(crime=crime, period=period), Spec(
            "count", w, cats, (span,), by="area", ranking=(n, "top", "count"), shape="ranking"
        )
    t = rng.choice(
        [
            f"which {nw} {areas} had the most {{crime}} {{period}}?",
            f"the {nw} busiest {areas} for {{crime}} {{period}}",
            f"top {n} {areas} for {{crime}} {{period}}",
            f"which {nw} {areas} saw the most {{crime}} {{period}}",
            f"name the {nw} {areas} with the most {{crime}} {{period}}",
        ]
    )
    return t.format(crime=crime, period=period), Spec(
        "count",
        ("city", ""),
        cats,
        (span,),
        by="area",
        ranking=(n, "top", "count"),
        shape="ranking",
    )


def _rank_rate(c, rng):
    crime, cats = _crime(c, rng)
    period, span, _ = rng.choice(past_periods(c, rng))
    by, word = ("region", c.regions_word) if rng.random() < 0.3 else ("area", c.areas_word)
    n = rng.choice([2, 3, 4] if by == "region" else [3, 4, 5, 10])
    nw = number_phrase(n, rng)
    t = rng.choice(
        [
            f"top {n} {word} by {{crime}} rate {{period}}",
            f"which {nw} {word} had the highest {{crime}} per capita {{period}}",
            f"the {nw} {word} with the highest rate of {{crime}} per 1,000 residents {{period}}",
            f"top {n} {word} for {{crime}} {{period}} by rate",
        ]
    )
    shape = "ranking by rate" if c.population else "rate (no population)"
    return t.format(crime=crime, period=period), Spec(
        "rate", ("city", ""), cats, (span,), by=by, ranking=(n, "top", "rate"), shape=shape
    )


def _rank_regions(c, rng):
    crime, cats = _crime(c, rng)
    period, span, _ = rng.choice(past_periods(c, rng))
    one, many = c.region_word, c.regions_word
    if rng.random() < 0.6:
        t = rng.choice(
            [
                f"which {one} had the most {{crime}} {{period}}?",
                f"what {one} saw the most {{crime}} {{period}}",
                f"which {one} had the fewest {{crime}} {{period}}",
            ]
        )
        order = "bottom" if "fewest" in t else "top"
        return t.format(crime=crime, period=period), Spec(
            "count",
            ("city", ""),
            cats,
            (span,),
            by="region",
            ranking=(1, order, "count"),
            shape="ranking regions",
        )
    n = rng.choice([2, 3, 4])
    t = rng.choice(
        [
            f"top {n} {many} for {{crime}} {{period}}",
            f"which {number_phrase(n, rng)} {many} had the most {{crime}} {{period}}",
        ]
    )
    return t.format(crime=crime, period=period), Spec(
        "count",
        ("city", ""),
        cats,
        (span,),
        by="region",
        ranking=(n, "top", "count"),
        shape="ranking regions",
    )


def _rank_categories(c, rng):
    where, w = _where(c, rng)
    period, span, _ = rng.choice(past_periods(c, rng))
    if rng.random() < 0.5:
        t = rng.choice(
            [
                "what was the most common crime {where} {period}?",
                "which crime type was most common {where} {period}",
                "what was the least common crime type {where} {period}?",
            ]
        )
        order = "bottom" if "least" in t else "top"
        return t.format(where=where, period=period), Spec(
            "count",
            w,
            (),
            (span,),
            by="category",
            ranking=(1, order, "count"),
            shape="ranking categories",
        )
    n = rng.choice([2, 3, 4])
    t = rng.choice(
        [
            f"top {n} crime types {{where}} {{period}}",
            f"the {number_phrase(n, rng)} most common crimes {{where}} {{period}}",
            f"which {n} categories of crime were highest {{where}} {{period}}",
        ]
    )
    return t.format(where=where, period=period), Spec(
        "count",
        w,
        (),
        (span,),
        by="category",
        ranking=(n, "top", "count"),
        shape="ranking categories",
    )


def _rank_months(c, rng):
    crime, cats = _crime(c, rng)
    where, w = _where(c, rng)
    period, span = rng.choice([p for p in month_periods(c) if p[0].startswith("in 20")])
    n = rng.choice([2, 3, 4])
    t = rng.choice(
        [
            f"top {n} months for {{crime}} {{where}} {{period}}",
            f"the {number_phrase(n, rng)} worst months for {{crime}} {{where}} {{period}}",
            f"which {n} months had the most {{crime}} {{where}} {{period}}",
        ]
    )
    return t.format(crime=crime, where=where, period=period), Spec(
        "count", w, cats, (span,), by="month", ranking=(n, "top", "count"), shape="ranking months"
    )


def _increase(c, rng):
    crime, cats = _crime(c, rng)
    phrase, a, b = rng.choice(period_pairs(c, rng))
    by, one, many = (
        ("region", c.region_word, c.regions_word)
        if rng.random() < 0.25
        else ("area", c.area_word, c.areas_word)
    )
    kind = rng.choice(["up", "up", "down", "pct"])
    if kind == "pct":
        n = 1
        t = f"which {one} had the largest percentage increase in {{crime}}, {{pair}}?"
        rank = (1, "top", "pct")
    else:
        n = rng.choice([1, 1, 3, 5])
        word = (
            "biggest increase" if kind == "up" else rng.choice(["biggest drop", "largest decrease"])
        )
        who = one if n == 1 else f"{number_phrase(n, rng)} {many}"
        t = rng.choice(
            [
                f"which {who} had the {word} in {{crime}}, {{pair}}?",
                f"{'' if n == 1 else 'the '}{who} with the {word} in {{crime}} {{pair}}",
            ]
        )
        rank = (n, "top" if kind == "up" else "bottom", "change")
    return t.format(crime=crime, pair=phrase), Spec(
        "change",
        ("city", ""),
        cats,
        (a, b),
        by=by,
        ranking=rank,
        compared_with="period",
        shape="biggest increase/drop",
    )


def _breakdown(c, rng):
    """Counts broken down by category, region or month (no ranking)."""
    kind = rng.choice(["category", "category", "region", "month"])
    period, span, _ = rng.choice(past_periods(c, rng))
    if kind == "region":
        crime, cats = _crime(c, rng)
        t = rng.choice(
            [
                f"{{crime}} by {c.region_word} {{period}}",
                f"break down {{crime}} {{period}} by {c.region_word}",
                f"{{crime}} {{period}} for each {c.region_word}",
            ]
        )
        return t.format(crime=crime, period=period), Spec(
            "count", ("city", ""), cats, (span,), by="region", shape="breakdown"
        )
    phrase, w = rng.choice(places(c, rng))
    if kind == "month":
        crime, cats = _crime(c, rng)
        period, span = rng.choice([p for p in month_periods(c) if p[0].startswith("in 20")])
        t = rng.choice(
            [
                "monthly counts of {crime} in {place} {period}",
                "{crime} in {place} month by month {period}",
                "{crime} in {place} {period}, by month",
            ]
        )
        return t.format(crime=crime, place=phrase, period=period), Spec(
            "count", w, cats, (span,), by="month", shape="breakdown"
        )
    t = rng.choice(
        [
            "break down crime in {place} {period} by category",
            "crime in {place} {period} by type",
            "{place}, {period}: counts by crime type",
        ]
    )
    return t.format(place=phrase, period=period), Spec(
        "count", w, (), (span,), by="category", shape="breakdown"
    )


def _several(c, rng):
    """One count per place when several are named."""
    crime, cats = _crime(c, rng)
    period, span, _ = rng.choice(past_periods(c, rng))
    areas = [p for p in places(c, rng) if p[1][0] == "area"]
    picked = rng.sample(areas, rng.choice([2, 2, 3]))
    names = [p[0] for p in picked]
    joined = " and ".join(names) if len(names) == 2 else f"{names[0]}, {names[1]} and {names[2]}"
    t = rng.choice(
        [
            "how many {crime} in {places} {period}?",
            "{crime} in {places} {period}",
            "compare {crime} in {places} {period}",
        ]
    )
    return t.format(crime=crime, places=joined, period=period), Spec(
        "count", ("areas", tuple(p[1][1] for p in picked)), cats, (span,), shape="several places"
    )


def _forecast_ranking(c, rng):
    crime, cats = _crime(c, rng)
    n = rng.choice([3, 5, 10])
    nxt = shift(c.newest, 1)
    t = rng.choice(
        [
            f"top {n} {c.areas_word} for {{crime}} next month",
            f"which {number_phrase(n, rng)} {c.areas_word} will have the most {{crime}} next month",
            f"where will {{crime}} be highest next month? top {n}",
        ]
    )
    return t.format(crime=crime), Spec(
        "forecast",
        ("city", ""),
        cats,
        ((nxt, nxt),),
        by="area",
        ranking=(n, "top", "forecast"),
        shape="forecast",
    )


def _list(c, rng):
    if rng.random() < 0.75:
        region = rng.choice(list(c.regions))
        rp, w = region_phrase(c, region, rng), ("region", region)
    else:
        alias = rng.choice([k for k, v in c.places.items() if len(v) > 1])
        rp, w = alias, ("group", alias)
    t = rng.choice(
        [
            f"list the {c.areas_word} in {rp}",
            f"which {c.areas_word} are in {rp}?",
            f"what {c.areas_word} make up {rp}",
            f"{c.areas_word} in {rp}",
        ]
    )
    return t, Spec("list", w, shape="list")


def _forecast(c, rng):
    crime, cats = _crime(c, rng)
    where, w = _where(c, rng)
    nxt = shift(c.newest, 1)
    t, span = rng.choice(
        [
            ("forecast {crime} {where} next month", (nxt, nxt)),
            ("how many {crime} will there be {where} next month?", (nxt, nxt)),
            ("expected {crime} {where} over the next 3 months", (nxt, shift(nxt, 2))),
            (
                f"{{crime}} outlook {{where}} for {MONTHS[int(shift(nxt, 1)[5:]) - 1]}",
                (shift(nxt, 1),) * 2,
            ),
            ("what should we expect for {crime} {where} next month", (nxt, nxt)),
        ]
    )
    return t.format(crime=crime, where=where), Spec("forecast", w, cats, (span,), shape="forecast")


def _accuracy(c, rng):
    crime, cats = _crime(c, rng, p_all=0.5)
    where, w = _where(c, rng, p_city=0.4)
    if w[0] == "city":
        where = ""
    t = rng.choice(
        [
            "how accurate are your forecasts for {crime} {where}?",
            "how accurate were you {where} for {crime}",
            "how good have the forecasts been for {crime} {where}",
            "how accurate are you {where}?"
            if not cats
            else "accuracy of the {crime} forecasts {where}",
        ]
    )
    return " ".join(t.format(crime=crime, where=where).split()), Spec(
        "accuracy", w, cats if "{crime}" in t else (), shape="accuracy"
    )


PLAN = [
    (_count, 110),
    (_rate, 45),
    (_average, 40),
    (_change, 60),
    (_change_year_before, 25),
    (_share, 30),
    (_peak, 35),
    (lambda c, r: _peak(c, r, "trough"), 20),
    (_rank_areas, 60),
    (_rank_rate, 30),
    (_rank_regions, 30),
    (_rank_categories, 25),
    (_rank_months, 20),
    (_increase, 35),
    (_breakdown, 30),
    (_several, 20),
    (_list, 25),
    (_forecast, 30),
    (_forecast_ranking, 10),
    (_accuracy, 20),
    *SHORTHAND,
    *OFFICER_WORDS,
    *OFFICER_WORDS3,
]


def cases(key: str) -> list[Case]:
    """The generated corpus of one city (deterministic: seeded by the city and ``SEED``)."""
    c = city(key)
    rng = random.Random(f"{SEED}-{key}")
    out, seen = [], set()
    for make, n in PLAN:
        k = n if c.population or make not in (_rate, _rank_rate) else 6
        tries = 0
        while k and tries < 20 * n:
            tries += 1
            made = make(c, rng)
            if made is None:  # a template this city's data cannot fill
                continue
            text, spec = made
            text = " ".join(text.split())
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            out.append(Case(text, spec))
            k -= 1
    return out
