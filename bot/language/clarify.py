"""Clarify, never broaden: the words a parse left over, sorted into those that change the answer
(a period word, a measure, a number, a near-miss place name: a question back, :class:`Clarify`)
and those that change nothing (ignored, and named in the reply).

>>> from bot.language.names import Names
>>> n = Names(["BELTLINE"], ["Theft OF Vehicle"])
>>> check_meaningful(["kindly", "fortnightly"], [False, False], periods=0)
Traceback (most recent call last):
...
bot.language.question.Clarify: I can't place 'fortnightly' (a period). Did you mean every two weeks? I read periods such as: last month, Q2 2023, the first half of 2022, last summer, the last 6 weeks, year to date
>>> check_unplaced(["kindly", "zebra", "pls"], [False] * 3, n)
['zebra']
"""

from __future__ import annotations

from .horizon import MONTHS, NUMBER_WORDS
from .names import Names
from .question import Clarify
from .words import STOPWORDS

PERIOD_FORMS = [
    "last month",
    "Q2 2023",
    "the first half of 2022",
    "last summer",
    "the last 6 weeks",
    "year to date",
]
MEASURE_FORMS = [
    "count",
    "rate per 1,000 residents",
    "change",
    "share",
    "average per month",
    "busiest month",
    "top 5",
]
#: Period words read only inside a period phrase: left over, they mean a period we did not read.
_PERIODISH = {
    "quarter": "a calendar quarter (Q1 Jan-Mar ... Q4 Oct-Dec)",
    "quarters": "calendar quarters",
    "quarterly": "by quarter",
    "half": "a half year (Jan-Jun or Jul-Dec)",
    "halves": "half years",
    "season": "a season (spring Mar-May, summer Jun-Aug, autumn Sep-Nov, winter Dec-Feb)",
    "seasons": "seasons",
    "fortnight": "the last 2 weeks",
    "fortnightly": "every two weeks",
    "biweekly": "every two weeks",
    "weekly": "week by week",
    "weekend": "",
    "weekends": "",
    "semester": "",
    "decade": "",
    "fiscal": "the calendar year",
    "fy": "the calendar year",
    "yesterday": "",
    "today": "",
    "tonight": "",
    "tomorrow": "next month's forecast",
    "ago": "",
    "since": "",
    "recently": "the last 3 months",
    "lately": "the last 3 months",
    "recent": "the last 3 months",
    "last": "",
    "previous": "",
    "past": "",
    "prior": "",
    "before": "",
    "after": "",
    "until": "",
    "mid": "",
    "middle": "",
    "early": "",
    "late": "",
    "end": "",
    "beginning": "",
    "start": "",
    "holiday": "",
    "holidays": "",
    "easter": "",  # the named holidays with a month: bot.language.events
    "thanksgiving": "",
    "summertime": "summer",
    "wintertime": "winter",
    "ytd": "year to date",
    "mtd": "",
    "qtd": "quarter to date",
    **{
        d: ""
        for d in (
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "weekday",
            "weekdays",
            "night",
            "nights",
            "morning",
            "evening",
        )
    },
    **{f"q{i}": f"Q{i} of the most recent complete year" for i in range(1, 5)},
    **{m: "" for m in MONTHS if m != "may"},
    "spring": "",
    "summer": "",
    "autumn": "",
    "fall": "",
    "winter": "",
}
_UNIT_WORDS = {"month", "months", "year", "years", "week", "weeks", "day", "days"}
#: Measure words: left over, they ask for a number we would not give.
_MEASUREISH = {
    "median": "the average per month",
    "ratio": "the share",
    "rate": "the rate per 1,000 residents",
    "rates": "rates per 1,000 residents",
    "capita": "per 1,000 residents",
    "per": "",
    "percent": "the share (percent)",
    "percentage": "the share",
    "proportion": "the share",
    "variance": "",
    "deviation": "",
    "density": "",
    "index": "",
    "mode": "",
    "cumulative": "the total",
    "rolling": "",
    "trailing": "",
}
MEASURE_WORDS = frozenset(_MEASUREISH)
#: Words that change nothing (beyond the parser's stop words).
HARMLESS = frozenset(
    """
kindly pull up quick stats statistics stat numbers number figures figure data info information
meeting compstat brief briefing report summary overview update team sergeant sgt inspector chief
the detail details tell show give need want like get please thanks cheers hey hi yo looking
for into regarding re around approx approximately roughly exactly just only real actual
officially official police city citys entire whole total overall combined total altogether
happened occur occurred occurring recorded reported logged incidents incident cases case calls
were was been being had has have did does do doing there their them they it its we our us you
your what which who whom how when where why pls plz thx ty cmon ok okay so well um uh hmm bit
mostly mainly generally typically may might can between record records channel server alerts alert here versus against compared comparison compare vs
near nearby
""".split()
)


def check_meaningful(
    words: list[str], used: list[bool], *, periods: int, in_name=lambda i: False
) -> None:
    """Raise :class:`Clarify` for a left-over word that would change the answer: a period word, a
    measure word or a number (before places are looked for, so no typo match swallows it)."""
    loose = [(i, w) for i, w in enumerate(words) if not used[i] and w != "|" and not in_name(i)]
    period_words = [w for _, w in loose if w in _PERIODISH or (w in _UNIT_WORDS and not periods)]
    if period_words:
        reading = next((_PERIODISH.get(w, "") for w in period_words if _PERIODISH.get(w)), "")
        phrase = " ".join(dict.fromkeys(period_words))
        raise Clarify(
            phrase,
            reading=reading,
            options=PERIOD_FORMS,
            message=f"I can't place '{phrase}' (a period)."
            + (f" Did you mean {reading}?" if reading else "")
            + " I read periods such as: "
            + ", ".join(PERIOD_FORMS),
        )
    for _, word in loose:
        if word in _MEASUREISH:
            reading = _MEASUREISH[word]
            raise Clarify(
                word,
                reading=reading,
                options=MEASURE_FORMS,
                message=f"I can't place '{word}' (a measure)."
                + (f" Did you mean {reading}?" if reading else "")
                + " I give: "
                + ", ".join(MEASURE_FORMS),
            )
        if word.isdigit() or word in NUMBER_WORDS:
            raise Clarify(
                word,
                options=["top 5", "the last 3 months", "2023"],
                message=f"I can't place the number '{word}': is it how many to list "
                "(`top 5`), a number of months (`the last 3 months`) or a year "
                "(`2023`)?",
            )


def check_unplaced(
    words: list[str],
    used: list[bool] | None,
    names: Names,
    *,
    place_like: frozenset[str] = frozenset(),
) -> list[str]:
    """The harmless words left over (to name in the reply); raises :class:`Clarify` for a word
    written as a name that names no place (``place_like``: capitalised mid-sentence, or after
    "in" / "at" / "near")."""
    used = used or [False] * len(words)
    out: list[str] = []
    for word, u in zip(words, used):
        if (
            u
            or word == "|"
            or word in STOPWORDS
            or word in HARMLESS
            or len(word) < 3
            or word.isdigit()
        ):
            continue
        if word in place_like:
            near = [p.label for p in names.suggest(word, limit=3, min_score=75)]
            raise Clarify(
                word,
                reading=near[0] if near else "",
                options=near,
                message=f"I don't know a {names.area_word} called '{word}'."
                + (f" Did you mean {near[0]}?" if near else ""),
            )
        out.append(word)
    return list(dict.fromkeys(out))
