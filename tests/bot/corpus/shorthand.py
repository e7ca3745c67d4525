"""The generated corpus, part two: how officers shorten things (issue 16's held-out failure kinds).

Slang forms of the profile's crime phrases ("smash and grabs"), month spans written as one
("Jan-Jun 2022", "Q2 and Q3 2022 combined"), share and accuracy words ("what slice of", "how
reliable are the predictions"), "what makes up <region>", two-digit years ("'22", "in 22"),
CompStat shorthand ("rolling 3 months", "the last two quarters", "since the start of summer",
"YTD vs same time last year", "each month of 2023", "rank the sectors", "safest 3"), and the
questions that must be asked back (``Spec("clarify")``): an unknown crime word, a fiscal year,
"mid-2022", a norm ("above normal", "vs the 2019-2022 average"). Every expectation is the
oracle's; readings follow docs/questions.md.
"""

from __future__ import annotations

from .cities import City, shift
from .oracle import Spec
from .vocab import (
    MONTHS,
    SEASONS,
    number_phrase,
    pick_crime,
    pick_where,
    places,
    region_phrase,
    years,
)


def _ym(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())


def crime_forms(c: City) -> list[tuple[str, tuple]]:
    """(another form of a profile phrase, its categories): the last word's plural or -ing form
    as people say it ("smash and grabs", "car prowls"), when that form is not a phrase itself."""
    known = set()
    entries = []
    for cat in c.profile["categories"]:
        for p in cat.get("phrases", []):
            known.add(_norm(p))
            entries.append((p, (cat["name"],)))
    for g in c.profile.get("groups", []):
        for p in g.get("phrases", []):
            known.add(_norm(p))
            entries.append((p, tuple(g["members"])))
    out = []
    for phrase, cats in entries:
        words = phrase.split()
        if len(words) < 2 or not words[-1].isalpha():
            continue
        last = words[-1]
        if last.endswith(("ching", "shing", "sing")):
            form = last[:-3] + "es"
        elif last.endswith("ing"):
            form = last[:-3] + "s"
        elif not last.endswith("s"):
            form = last + "s"
        else:
            continue
        variant = " ".join(words[:-1] + [form])
        if _norm(variant) not in known:
            out.append((variant, cats))
    return out


def _forms(c, rng):
    forms = crime_forms(c)
    if not forms:
        return None
    crime, cats = rng.choice(forms)
    where, w = pick_where(c, rng)
    y = rng.choice(years(c))
    t = rng.choice(["how many {crime} {where} in {y}?", "{crime} {where} in {y}"])
    return t.format(crime=crime, where=where, y=y), Spec(
        "count", w, cats, ((_ym(y, 1), _ym(y, 12)),), shape="crime word forms"
    )


UNKNOWN_CRIMES = ["porch pirates", "copper thefts", "catalytic converter thefts", "tagging"]


def _unknown_crime(c, rng):
    where, _ = pick_where(c, rng)
    slang = rng.choice(UNKNOWN_CRIMES)
    t = rng.choice(["how many {slang} {where} last year?", "{slang} {where} this year"])
    return t.format(slang=slang, where=where), Spec("clarify", shape="ask back")


def _one_span(c, rng):
    crime, cats = pick_crime(c, rng)
    where, w = pick_where(c, rng)
    y = rng.choice(years(c))
    m1, m2 = sorted(rng.sample(range(1, 13), 2))
    q = rng.randrange(1, 4)
    h = rng.randrange(2)
    options = [
        (f"{MONTHS[m1 - 1][:3]}-{MONTHS[m2 - 1][:3]} {y}", (_ym(y, m1), _ym(y, m2))),
        (f"{MONTHS[m1 - 1]} through {MONTHS[m2 - 1]} {y}", (_ym(y, m1), _ym(y, m2))),
        (f"in Q{q} and Q{q + 1} {y} combined", (_ym(y, 3 * q - 2), _ym(y, 3 * q + 3))),
        (f"Q{q} and Q{q + 1} together in {y}", (_ym(y, 3 * q - 2), _ym(y, 3 * q + 3))),
        (f"in H{h + 1} {y}", (_ym(y, 1 + 6 * h), _ym(y, 6 + 6 * h))),
        (
            f"in the {['first', 'second'][h]} half of '{str(y)[2:]}",
            (_ym(y, 1 + 6 * h), _ym(y, 6 + 6 * h)),
        ),
    ]
    period, span = rng.choice(options)
    return f"{crime} {where} {period}", Spec("count", w, cats, (span,), shape="one span")


def _share_words(c, rng):
    crime, cats = pick_crime(c, rng, p_all=0.2)
    phrase, w = rng.choice(places(c, rng))
    y = rng.choice(years(c))
    t = rng.choice(
        [
            "what slice of {crime} in {y} was in {place}?",
            "percentage-wise, how much of the city's {crime} in {y} was in {place}",
            "what % of {crime} in {y} happened in {place}?",
            "what proportion of {crime} in {y} were in {place}",
            "what portion of {crime} in {y} was in {place}",
            "what fraction of {crime} in {y} happened in {place}",
        ]
    )
    return t.format(crime=crime, y=y, place=phrase), Spec(
        "share", w, cats, ((_ym(y, 1), _ym(y, 12)),), shape="share"
    )


def _accuracy_words(c, rng):
    crime, cats = pick_crime(c, rng, p_all=0.5)
    t = rng.choice(
        [
            "how reliable are the predictions for {crime}?",
            "how good is the model for {crime}",
            "what's your track record on {crime}?",
            "how far off were you on {crime}?",
            "how reliable is the {crime} forecast",
        ]
    )
    return t.format(crime=crime), Spec("accuracy", ("city", ""), cats, shape="accuracy")


def _list_words(c, rng):
    region = rng.choice(list(c.regions))
    rp = region_phrase(c, region, rng)
    t = rng.choice(
        [
            f"what makes up {rp}?",
            f"what {c.areas_word} does {rp} include",
            f"which {c.areas_word} is {rp} made up of",
            f"what {c.areas_word} belong to {rp}",
        ]
    )
    return t, Spec("list", ("region", region), shape="list")


def _two_digit_years(c, rng):
    crime, cats = pick_crime(c, rng)
    where, w = pick_where(c, rng)
    y = rng.choice(years(c))
    yy = str(y)[2:]
    s = rng.choice(list(SEASONS))
    a, b = SEASONS[s]
    q = rng.randrange(1, 5)
    period, span = rng.choice(
        [
            (f"in '{yy}", (_ym(y, 1), _ym(y, 12))),
            (f"in {yy}", (_ym(y, 1), _ym(y, 12))),
            (f"during '{yy}", (_ym(y, 1), _ym(y, 12))),
            (f"in {s} '{yy}", (_ym(y, a), _ym(y, b))),
            (f"in Q{q} '{yy}", (_ym(y, 3 * q - 2), _ym(y, 3 * q))),
        ]
    )
    return f"{crime} {where} {period}", Spec("count", w, cats, (span,), shape="two-digit years")


def _compstat(c, rng):
    """The periods and breakdowns a CompStat deck uses."""
    crime, cats = pick_crime(c, rng)
    where, w = pick_where(c, rng)
    new, ny = c.newest, int(c.newest[:4])
    q_end = shift(new, -(int(new[5:]) % 3))
    options = [
        ("{crime} {where} over the rolling 3 months", ((shift(new, -2), new),), None),
        ("{crime} {where} in the last two quarters", ((shift(q_end, -5), q_end),), None),
        ("{crime} {where} over the past 3 quarters", ((shift(q_end, -8), q_end),), None),
        (
            "{crime} {where} since the start of summer",
            ((_ym(ny if int(new[5:]) >= 6 else ny - 1, 6), new),),
            None,
        ),
        ("{crime} {where} each month of {y}", None, "month"),
        ("{crime} {where} month by month in {y}", None, "month"),
    ]
    t, periods, by = rng.choice(options)
    y = rng.choice(years(c))
    if periods is None:
        periods = ((_ym(y, 1), _ym(y, 12)),)
    if periods[0][0] not in c.months:
        return None
    return t.format(crime=crime, where=where, y=y), Spec(
        "count", w, cats, periods, by=by, shape="CompStat shorthand"
    )


def _ytd(c, rng):
    """ "YTD vs same time last year": this year so far against the same months a year earlier."""
    ny = int(c.newest[:4])
    if shift(_ym(ny, 1), -12) not in c.months:
        return None
    crime, cats = pick_crime(c, rng)
    where, w = pick_where(c, rng)
    t = rng.choice(
        [
            "{crime} {where} YTD vs same time last year",
            "{crime} {where} year to date compared with the same period last year",
            "year over year change in {crime} {where} this year",
        ]
    )
    return t.format(crime=crime, where=where), Spec(
        "change",
        w,
        cats,
        ((_ym(ny, 1), c.newest),),
        compared_with="year_before",
        shape="CompStat shorthand",
    )


def _rank_words(c, rng):
    crime, cats = pick_crime(c, rng)
    y = rng.choice(years(c))
    span = (_ym(y, 1), _ym(y, 12))
    n = rng.choice([2, 3, 4])
    t, by, rank = rng.choice(
        [
            (
                f"rank the {c.regions_word} by {{crime}} in {y}",  # no number: every region
                "region",
                (min(len(c.regions), 25), "top", "count"),
            ),
            (f"bottom {n} {c.areas_word} for {{crime}} in {y}", "area", (n, "bottom", "count")),
            (
                f"the {number_phrase(n, rng)} safest {c.regions_word} for {{crime}} in {y}",
                "region",
                (n, "bottom", "count"),
            ),
            (
                f"which {c.region_word} had the least {{crime}} in {y}",
                "region",
                (1, "bottom", "count"),
            ),
            (f"fewest {{crime}} by {c.region_word} in {y}", "region", (5, "bottom", "count")),
        ]
    )
    return t.format(crime=crime), Spec(
        "count", ("city", ""), cats, (span,), by=by, ranking=rank, shape="ranking"
    )


def _ask_back(c, rng):
    """Words that would change the answer and that the bot cannot place: asked back."""
    crime, _ = pick_crime(c, rng)
    where, _ = pick_where(c, rng)
    ys = years(c)
    y = rng.choice(ys)
    t = rng.choice(
        [
            f"{{crime}} {{where}} in FY{str(y)[2:]}",
            f"{{crime}} {{where}} in mid-{y}",
            f"{{crime}} {{where}} in early {y}",
            "are {crime} {where} above normal?",
            f"{{crime}} {{where}} in {y} compared to the {ys[0]}-{y} average",
            "{crime} {where}: higher than usual?",
        ]
    )
    return t.format(crime=crime, where=where), Spec("clarify", shape="ask back")


PLAN = [
    (_forms, 15),
    (_unknown_crime, 8),
    (_one_span, 25),
    (_share_words, 20),
    (_accuracy_words, 10),
    (_list_words, 10),
    (_two_digit_years, 20),
    (_compstat, 20),
    (_ytd, 8),
    (_rank_words, 20),
    (_ask_back, 15),
]
