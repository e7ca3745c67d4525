"""Clarify, never broaden: the words a parse left over, sorted into those that change the answer
(a period word, a measure, a number, a near-miss place name: a question back, :class:`Clarify`)
and those that change nothing (ignored, and named in the reply).

>>> from bot.language.names import Names
>>> n = Names(["BELTLINE"], ["Theft OF Vehicle"])
>>> check_unplaced(["kindly", "fortnightly"], [False, False], n, periods=0)
Traceback (most recent call last):
...
bot.language.question.Clarify: I can't place 'fortnightly' (a period word). Did you mean every two weeks? I read periods such as: last month, Q2 2023, the first half of 2022, last summer, the last 6 weeks, year to date
>>> check_unplaced(["kindly", "zebra", "pls"], [False] * 3, n, periods=0)
['zebra']
"""

from __future__ import annotations

from .horizon import MONTHS, NUMBER_WORDS
from .names import Names
from .question import Clarify
from .words import STOPWORDS

PERIOD_FORMS = ["last month", "Q2 2023", "the first half of 2022", "last summer",
                "the last 6 weeks", "year to date"]
MEASURE_FORMS = ["count", "rate per 1,000 residents", "change", "share", "average per month",
                 "busiest month", "top 5"]
#: Period words read only inside a period phrase: left over, they mean a period we did not read.
_PERIODISH = {
    "quarter": "a calendar quarter (Q1 Jan-Mar ... Q4 Oct-Dec)", "quarters": "calendar quarters",
    "quarterly": "by quarter", "half": "a half year (Jan-Jun or Jul-Dec)", "halves": "half years",
    "season": "a season (spring Mar-May, summer Jun-Aug, autumn Sep-Nov, winter Dec-Feb)",
    "seasons": "seasons", "fortnight": "the last 2 weeks", "fortnightly": "every two weeks",
    "biweekly": "every two weeks", "weekly": "week by week", "weekend": "", "weekends": "",
    "semester": "", "decade": "", "fiscal": "the calendar year", "fy": "the calendar year",
    "yesterday": "", "today": "", "tonight": "", "tomorrow": "next month's forecast",
    "ago": "", "since": "", "recently": "the last 3 months", "lately": "the last 3 months",
    "recent": "the last 3 months", "last": "", "previous": "", "past": "", "prior": "",
    "before": "", "after": "", "until": "",
    "holiday": "", "holidays": "", "christmas": "December", "easter": "", "halloween": "October",
    "summertime": "summer", "wintertime": "winter", "ytd": "year to date", "mtd": "",
    "qtd": "quarter to date",
    **{d: "" for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                       "sunday", "weekday", "weekdays", "night", "nights", "morning", "evening")},
    **{f"q{i}": f"Q{i} of the most recent complete year" for i in range(1, 5)},
    **{m: "" for m in MONTHS if m != "may"}, "spring": "", "summer": "", "autumn": "", "fall": "", "winter": ""}
_UNIT_WORDS = {"month", "months", "year", "years", "week", "weeks", "day", "days"}
#: Measure words: left over, they ask for a number we would not give.
_MEASUREISH = {"median": "the average per month", "ratio": "the share", "rate": "the rate per "
               "1,000 residents", "rates": "rates per 1,000 residents", "capita": "per 1,000 "
               "residents", "per": "", "percent": "the share (percent)", "percentage": "the share",
               "proportion": "the share", "variance": "", "deviation": "", "density": "",
               "index": "", "mode": "", "cumulative": "the total", "running": "",
               "rolling": "", "trailing": "", "moving": ""}
#: Words that change nothing (beyond the parser's stop words).
HARMLESS = frozenset("""
kindly pull up quick stats statistics stat numbers number figures figure data info information
meeting compstat brief briefing report summary overview update team sergeant sgt inspector chief
the detail details tell show give need want like get please thanks cheers hey hi yo looking
for into regarding re around approx approximately roughly exactly just only real actual
officially official police city citys entire whole total overall combined total altogether
happened occur occurred occurring recorded reported logged incidents incident cases case calls
were was been being had has have did does do doing there their them they it its we our us you
your what which who whom how when where why pls plz thx ty cmon ok okay so well um uh hmm bit
mostly mainly generally typically may might can versus against compared comparison compare vs
""".split())


def check_unplaced(words: list[str], used: list[bool] | None, names: Names, *,
                   periods: int) -> list[str]:
    """The harmless words left over (to name in the reply); raises :class:`Clarify` for a word
    that would change the answer. ``periods``: how many periods were read."""
    used = used or [False] * len(words)
    out: list[str] = []
    for word, u in zip(words, used):
        if u or word == "|":
            continue
        if word in _PERIODISH or (word in _UNIT_WORDS and not periods):
            reading = _PERIODISH.get(word, "")
            raise Clarify(word, reading=reading, options=PERIOD_FORMS,
                          message=f"I can't place '{word}' (a period word)."
                          + (f" Did you mean {reading}?" if reading else "")
                          + " I read periods such as: " + ", ".join(PERIOD_FORMS))
        if word in _MEASUREISH:
            reading = _MEASUREISH[word]
            raise Clarify(word, reading=reading, options=MEASURE_FORMS,
                          message=f"I can't place '{word}' (a measure)."
                          + (f" Did you mean {reading}?" if reading else "")
                          + " I give: " + ", ".join(MEASURE_FORMS))
        if word.isdigit() or word in NUMBER_WORDS:
            raise Clarify(word, options=["top 5", "the last 3 months", "2023"],
                          message=f"I can't place the number '{word}': is it how many to list "
                                  "(`top 5`), a number of months (`the last 3 months`) or a year "
                                  "(`2023`)?")
        if word in STOPWORDS or word in HARMLESS or len(word) < 3:
            continue
        near = [p.label for p in names.suggest(word, limit=3, min_score=86)]
        if near:
            raise Clarify(word, reading=near[0], options=near,
                          message=f"I can't place '{word}'. Did you mean {near[0]}?")
        out.append(word)
    return list(dict.fromkeys(out))
