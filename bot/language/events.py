"""Holidays and events as periods ("over thanksgiving", "christmas week", "during stampede",
"labour day weekend"): the counts are monthly, so a question back naming the month it would use,
never the whole year nor a guess.

The months come from the profile (:attr:`core.profile.CityProfile.event_months`: the fixed-date
holidays every city shares, plus the city's own ``events:``). A name inside a place's name
("Victoria Park") is no event.

>>> from bot.language.names import Names
>>> check_events("assaults over christmas 2023", Names(["BELTLINE"], ["Assault"]))
Traceback (most recent call last):
...
bot.language.question.Clarify: I count crimes by month, so I can't single out christmas. Did you mean December 2023, the month it falls in? Ask for `December 2023` (or the whole year, `2023`).
>>> check_events("assaults in beltline in 2023", Names(["BELTLINE"], ["Assault"]))
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache

from .names import Names, normalise
from .question import Clarify

_AFTER = r"(?: eve| day| week| weekend| long weekend| holidays?| break| season| period)?"
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")


@lru_cache(maxsize=8)
def _pattern(events: tuple[tuple[str, int], ...]) -> tuple[re.Pattern, list[int]]:
    """One pattern over every event name (longest first, one group each) and their months."""

    def words(name: str) -> str:  # "new years eve" also as "new year eve" (prepare's "year's")
        return " ".join(
            re.escape(w[:-1]) + "s?" if w.endswith("s") else re.escape(w) for w in name.split()
        )

    ordered = sorted(events, key=lambda e: len(e[0]), reverse=True)
    alts = "|".join(f"({words(n)})" for n, _ in ordered)
    return re.compile(rf"\b(?:the )?(?:{alts})s?{_AFTER}\b"), [m for _, m in ordered]


def _in_place(m: re.Match, names: Names) -> bool:
    """Whether the event's words are a place's ("stampede park", "memorial park")."""
    words = m.string[m.start(m.lastindex) :].split()[:3]
    places = names.containing(words[0])
    return any(" ".join(words[:2]) in normalise(p) for p in places)


def check_events(norm: str, names: Names) -> None:
    """Raise :class:`Clarify` for a holiday or event the profile knows, named in ``norm``
    (normalised text), naming its month (and the year, when one is named)."""
    profile = names.profile
    events = profile.event_months if profile is not None else {}
    if not events:
        return
    pattern, months = _pattern(tuple(events.items()))
    m = next((m for m in pattern.finditer(norm) if not _in_place(m, names)), None)
    if m is None:
        return
    month = calendar.month_name[months[m.lastindex - 1]]
    year = _YEAR.search(norm)
    reading = f"{month} {year.group(1)}" if year else month
    raise Clarify(
        m.group(0),
        reading=reading,
        options=[reading] + ([year.group(1)] if year else []),
        message=f"I count crimes by month, so I can't single out {m.group(0)}. Did you mean "
        f"{reading}, the month it falls in? Ask for `{reading}`"
        + (f" (or the whole year, `{year.group(1)}`)." if year else "."),
    )
