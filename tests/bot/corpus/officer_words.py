"""The generated corpus, part three: officers' own words, round two (issue 16's fresh-batch
kinds). Initials of the city's category names ("TFV", "LFV"), clipped forms ("aggs", "ped
robberies"), car words ("cars broken into" = from a vehicle, "cars get stolen" = of one), an
elided second period ("this year vs last"), "top 3 offences in <place>" (categories ranked),
"which <areas> fall under / count as <group or region>" (a list). Every expectation is the
oracle's; the category a shorthand names is found here from the category names alone.
"""

from __future__ import annotations

import re

from .oracle import Spec
from .vocab import pick_where, region_phrase, years


def _words(name: str) -> list[str]:
    return re.sub(r"[^a-z ]", " ", name.lower()).split()


_WORDS = frozenset("and the for not are was".split())  # initials that are words: never shorthand


def _initials(c) -> list[tuple[str, str]]:
    """(initials, category) for names of three words or more without "and" ("Theft FROM
    Vehicle" -> "tfv"), when no other category has the same initials."""
    seen: dict[str, list[str]] = {}
    for cat in c.categories:
        words = _words(cat.replace("&", " and "))
        if len(words) >= 3 and "and" not in words:
            seen.setdefault("".join(w[0] for w in words), []).append(cat)
    return [(i, cats[0]) for i, cats in seen.items() if len(cats) == 1 and i not in _WORDS]


def _one(c, test) -> str | None:
    """The one category whose name's words pass ``test``, else None."""
    hits = [cat for cat in c.categories if test(set(_words(cat)))]
    return hits[0] if len(hits) == 1 else None


def _shorthand_crimes(c) -> list[tuple[str, tuple]]:
    out = []
    for init, cat in _initials(c):
        out += [(init.upper(), (cat,)), (init + "s", (cat,))]
    vehicle = {"vehicle", "auto", "car"}
    from_car = _one(c, lambda w: "from" in w and w & vehicle)
    of_car = _one(
        c, lambda w: "from" not in w and w & vehicle and w & {"theft", "larceny", "stolen"}
    )
    agg = _one(c, lambda w: "assault" in w and w & {"agg", "aggravated"})
    ped = _one(c, lambda w: "robbery" in w and w & {"pedestrian", "street"})
    for phrase, cat in (
        ("cars broken into", from_car),
        ("car prowls", from_car),
        ("entering autos", from_car),
        ("cars stolen", of_car),
        ("cars getting stolen", of_car),
        ("aggs", agg),
        ("ped robberies", ped),
    ):
        if cat is not None:
            out.append((phrase, (cat,)))
    return out


def _shorthand(c, rng):
    crime, cats = rng.choice(_shorthand_crimes(c))
    where, w = pick_where(c, rng)
    y = rng.choice(years(c))
    t = rng.choice(["how many {crime} {where} in {y}?", "{crime} {where} in {y}"])
    return t.format(crime=crime, where=where, y=y), Spec(
        "count", w, cats, ((f"{y}-01", f"{y}-12"),), shape="category shorthand"
    )


def _clipped_ask_back(c, rng):
    """ "aggs" where aggravated assaults are not counted apart: asked back, never all assaults."""
    if _one(c, lambda w: "assault" in w and w & {"agg", "aggravated"}) is not None:
        return None
    where, _ = pick_where(c, rng)
    y = rng.choice(years(c))
    return f"how many aggs {where} in {y}?", Spec("clarify", shape="ask back")


def _elided(c, rng):
    crime, cats = rng.choice(_shorthand_crimes(c))
    where, w = pick_where(c, rng)
    y = int(c.newest[:4])  # both deployments close their last year: "this year" is its year
    t = rng.choice(
        ["{crime} {where} this year vs last", "{crime} {where}: this year compared to last"]
    )
    if y - 1 not in years(c):  # no year before (Atlanta): the engine's fallback still answers a
        return None  # count there (bot/answering, see the words2 report): not templated yet
    return t.format(crime=crime, where=where), Spec(
        "change",
        w,
        cats,
        ((f"{y - 1}-01", f"{y - 1}-12"), (f"{y}-01", f"{y}-12")),
        compared_with="period",
        shape="change",
    )


def _top_offences(c, rng):
    where, w = pick_where(c, rng, p_city=0)
    y = rng.choice(years(c))
    n = rng.choice([2, 3, 4])
    t = rng.choice([f"top {n} offenses {{where}} in {y}", f"top {n} crimes {{where}} in {y}"])
    return t.format(where=where), Spec(
        "count",
        w,
        (),
        ((f"{y}-01", f"{y}-12"),),
        by="category",
        ranking=(n, "top", "count"),
        shape="ranking categories",
    )


def _fall_under(c, rng):
    if rng.random() < 0.5 and c.regions:
        region = rng.choice(list(c.regions))
        rp = region_phrase(c, region, rng)
        t = rng.choice(
            [f"which {c.areas_word} fall under {rp}?", f"which {c.areas_word} come under {rp}"]
        )
        return t, Spec("list", ("region", region), shape="list")
    groups = [a for a, m in c.places.items() if len(m) > 1 and all(x in c.areas for x in m)]
    if not groups:
        return None
    alias = rng.choice(groups)
    return f"which {c.areas_word} count as {alias}?", Spec("list", ("group", alias), shape="list")


PLAN = [
    (_shorthand, 20),
    (_clipped_ask_back, 3),
    (_elided, 8),
    (_top_offences, 8),
    (_fall_under, 8),
]
