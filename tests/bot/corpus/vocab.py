"""Values the generated corpus draws from: places, crimes and periods, each with its meaning.

Places and crime words come from the profiles (their aliases, regions, categories, groups and
phrases) and from the data (the busiest areas); periods are phrased as people say them and read
as docs/questions.md reads them (relative words against the newest complete month; a quarter,
month or season without a year = the most recent complete one; winter 2022 = Dec 2021-Feb 2022).

>>> title("BRIDGELAND/RIVERSIDE"), title("OLD FOURTH WARD")
('Bridgeland/Riverside', 'Old Fourth Ward')
"""

from __future__ import annotations

from .cities import City, shift

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
ORDINAL = ["first", "second", "third", "fourth"]
NUMBER_WORDS = {
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    10: "ten",
}
SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11)}


def title(name: str) -> str:
    return "/".join(" ".join(w.capitalize() for w in part.split()) for part in name.split("/"))


def _ym(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def busy_areas(c: City, n: int = 30) -> list[str]:
    """The city's busiest areas over its last 12 months that a person would name."""
    per = c.per_area(months=c.months[-12:]).sort_values(ascending=False)
    aliases = {k.lower() for k in c.places}
    keep = [
        a
        for a in per.index
        if not any(ch.isdigit() for ch in a)
        and "(" not in a
        and a.lower() not in aliases
        and c.region_of.get(a)
    ]
    return keep[:n]


def places(c: City, rng, *, populated: bool = False) -> list[tuple[str, tuple]]:
    """(phrase after 'in', where) pairs: areas, named groups, regions and the city."""
    out = []
    for a in busy_areas(c):
        if populated and a not in c.population:
            continue
        out.append((rng.choice([title(a), title(a), a.lower(), a]), ("area", a)))
    for alias, members in c.places.items():
        if populated and not any(m in c.population for m in members):
            continue
        if any(m not in c.areas for m in members):
            continue
        out.append((alias if rng.random() < 0.5 else title(alias), ("group", alias)))
    for region in c.regions:
        out.append((region_phrase(c, region, rng), ("region", region)))
    return out


def region_phrase(c: City, region: str, rng) -> str:
    if c.key == "atlanta":
        return rng.choice([f"NPU {region}", f"npu {region.lower()}", f"NPU-{region}"])
    aliases = c.profile["regions"].get("aliases", {}).get(region, [region.lower()])
    word = rng.choice(aliases[:2] if len(aliases) > 1 else aliases)
    return rng.choice([f"the {word}", f"the {word} sector", f"{word} sector"])


def city_phrases(c: City) -> list[str]:
    words = c.profile.get("city_words", [])
    return [f"in {title(words[0])}", "city-wide", "across the city", f"in all of {title(words[0])}"]


def crimes(c: City) -> list[tuple[str, tuple]]:
    """(plural phrase, categories) for categories, groups and all crime."""
    out = []
    for cat in c.profile["categories"]:
        phrases = list(cat.get("phrases", []))[:4] or []
        if "(" not in cat["label"]:
            out.append((_plural(cat["label"]), (cat["name"],)))
        for p in phrases[:3]:
            out.append((p, (cat["name"],)))
    for g in c.profile.get("groups", []):
        out.append((_plural(g["label"]), tuple(g["members"])))
        for p in list(g.get("phrases", []))[:2]:
            out.append((p, tuple(g["members"])))
    return out


def _plural(label: str) -> str:
    """'assault' -> 'assaults'; mass nouns ('violent crime', 'manslaughter') stay."""
    if label.endswith(("s", "crime", "violence", "manslaughter")):
        return label
    return label[:-1] + "ies" if label.endswith("y") else label + "s"


ALL_CRIME = ["crime", "crimes", "incidents", "reported crime", "offences"]


def years(c: City) -> list[int]:
    """Full years the series cover."""
    ys = sorted({int(m[:4]) for m in c.months})
    return [y for y in ys if _ym(y, 1) in c.months and _ym(y, 12) in c.months]


def latest_month_number(c: City, m: int) -> int:
    """The year of the most recent complete month numbered m."""
    ny, nm = int(c.newest[:4]), int(c.newest[5:])
    return ny if m <= nm else ny - 1


def past_periods(c: City, rng) -> list[tuple[str, tuple, str]]:
    """(phrase, (start, end), kind) for one past period; every kind of the period grammar."""
    ys, ny = years(c), int(c.newest[:4])
    out = []
    for y in ys:
        out += [
            (f"in {y}", (_ym(y, 1), _ym(y, 12)), "year"),
            (rng.choice([f"during {y}", f"for {y}"]), (_ym(y, 1), _ym(y, 12)), "year"),
        ]
        m = rng.randrange(1, 13)
        out.append(
            (f"in {rng.choice([MONTHS[m - 1], MONTHS[m - 1][:3]])} {y}", (_ym(y, m),) * 2, "month")
        )
        q = rng.randrange(1, 5)
        qs = (_ym(y, 3 * q - 2), _ym(y, 3 * q))
        out += [
            (f"in Q{q} {y}", qs, "quarter"),
            (f"in the {ORDINAL[q - 1]} quarter of {y}", qs, "quarter"),
        ]
        h = rng.randrange(2)
        out.append(
            (
                f"in the {['first', 'second'][h]} half of {y}",
                (_ym(y, 1 + 6 * h), _ym(y, 6 + 6 * h)),
                "half",
            )
        )
        s = rng.choice(list(SEASONS))
        a, b = SEASONS[s]
        out.append(
            (rng.choice([f"in {s} {y}", f"in the {s} of {y}"]), (_ym(y, a), _ym(y, b)), "season")
        )
        if _ym(y - 1, 12) in c.months:
            out.append((f"in winter {y}", (_ym(y - 1, 12), _ym(y, 2)), "season"))
            out.append(
                (f"in the winter of {y - 1}-{str(y)[2:]}", (_ym(y - 1, 12), _ym(y, 2)), "season")
            )
        m1, m2 = sorted(rng.sample(range(1, 13), 2))
        out.append(
            (
                rng.choice(
                    [
                        f"from {MONTHS[m1 - 1]} to {MONTHS[m2 - 1]} {y}",
                        f"between {MONTHS[m1 - 1]} and {MONTHS[m2 - 1]} {y}",
                    ]
                ),
                (_ym(y, m1), _ym(y, m2)),
                "range",
            )
        )
    ytd = (_ym(ny, 1), c.newest)
    out += [
        ("this year", ytd, "ytd"),
        ("year to date", ytd, "ytd"),
        ("so far this year", ytd, "ytd"),
        ("last month", (c.newest, c.newest), "relative"),
    ]
    if ny - 1 in ys:
        out.append(("last year", (_ym(ny - 1, 1), _ym(ny - 1, 12)), "relative"))
    for n in (3, 6, 12):
        if shift(c.newest, -(n - 1)) in c.months:
            out.append(
                (
                    rng.choice([f"in the last {n} months", f"over the past {n} months"]),
                    (shift(c.newest, -(n - 1)), c.newest),
                    "last_n",
                )
            )
    m = rng.randrange(1, 13)
    y = latest_month_number(c, m)
    out.append((f"in {MONTHS[m - 1]}", (_ym(y, m), _ym(y, m)), "month"))
    for q in (1, 3):
        out.append((f"in Q{q}", (_ym(ny, 3 * q - 2), _ym(ny, 3 * q)), "quarter"))
    out.append(("last summer", (_ym(ny, 6), _ym(ny, 8)), "season"))
    m = rng.randrange(2, 12)
    out.append((f"since {MONTHS[m - 1]} {ny}", (_ym(ny, m), c.newest), "since"))
    if len(ys) > 2:
        y = ys[-3]
        out.append((f"since {y}", (_ym(y, 1), c.newest), "since"))
    return out


def month_periods(c: City) -> list[tuple[str, tuple]]:
    """Periods of several months, for busiest-month and per-month questions."""
    ys, ny = years(c), int(c.newest[:4])
    out = [(f"in {y}", (_ym(y, 1), _ym(y, 12))) for y in ys]
    out += [
        ("this year", (_ym(ny, 1), c.newest)),
        ("in the last 6 months", (shift(c.newest, -5), c.newest)),
    ]
    out += [(f"in the first half of {y}", (_ym(y, 1), _ym(y, 6))) for y in ys[-2:]]
    out += [(f"in summer {y}", (_ym(y, 6), _ym(y, 8))) for y in ys[-2:]]
    return out


def period_pairs(c: City, rng) -> list[tuple[str, tuple, tuple]]:
    """(phrase, earlier, later) for two-period comparisons."""
    ys, ny = years(c), int(c.newest[:4])
    out = []
    for _ in range(3):
        if len(ys) >= 2:
            y1, y2 = sorted(rng.sample(ys, 2))
            a, b = (_ym(y1, 1), _ym(y1, 12)), (_ym(y2, 1), _ym(y2, 12))
            out += [
                (f"{y1} vs {y2}", a, b),
                (f"in {y2} compared with {y1}", a, b),
                (f"between {y1} and {y2}", a, b),
            ]
            q = rng.randrange(1, 5)
            out.append(
                (
                    f"Q{q} {y2} against Q{q} {y1}",
                    (_ym(y1, 3 * q - 2), _ym(y1, 3 * q)),
                    (_ym(y2, 3 * q - 2), _ym(y2, 3 * q)),
                )
            )
            out.append(
                (f"summer {y2} vs summer {y1}", (_ym(y1, 6), _ym(y1, 8)), (_ym(y2, 6), _ym(y2, 8)))
            )
        q1, q2 = sorted(rng.sample(range(1, 5), 2))
        y = rng.choice(ys)
        out.append(
            (
                f"Q{q1} vs Q{q2} {y}",
                (_ym(y, 3 * q1 - 2), _ym(y, 3 * q1)),
                (_ym(y, 3 * q2 - 2), _ym(y, 3 * q2)),
            )
        )
        m1, m2 = sorted(rng.sample(range(1, 13), 2))
        y = latest_month_number(c, max(m1, m2))
        out.append(
            (
                f"{MONTHS[m2 - 1]} compared with {MONTHS[m1 - 1]}",
                (_ym(y, m1),) * 2,
                (_ym(y, m2),) * 2,
            )
        )
        y = rng.choice(ys)
        out.append(
            (
                f"the first half of {y} vs the second half",
                (_ym(y, 1), _ym(y, 6)),
                (_ym(y, 7), _ym(y, 12)),
            )
        )
    if ny - 1 in ys:
        out.append(
            (
                "this year against last year",
                (_ym(ny - 1, 1), _ym(ny - 1, 12)),
                (_ym(ny, 1), c.newest),
            )
        )
    return out


def number_phrase(n: int, rng) -> str:
    return rng.choice([str(n), NUMBER_WORDS.get(n, str(n))])


def pick_crime(c: City, rng, p_all: float = 0.25) -> tuple[str, tuple]:
    if rng.random() < p_all:
        return rng.choice(ALL_CRIME), ()
    return rng.choice(crimes(c))


def pick_where(c: City, rng, *, populated=False, p_city=0.15) -> tuple[str, tuple]:
    """('in Beltline', where) or a city-wide phrase."""
    if rng.random() < p_city:
        return rng.choice(city_phrases(c)), ("city", "")
    phrase, where = rng.choice(places(c, rng, populated=populated))
    return f"in {phrase}", where
