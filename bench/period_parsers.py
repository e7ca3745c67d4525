"""Period phrasings: crimecast's own grammar against well-kept time-expression parsers (issue 16).

For each phrasing the months it means (data through December 2023, asked in January 2024) and,
for each parser, whether it yields exactly those months, and how long one call takes. Parsers
that are not installed are skipped (none is a dependency): ``pip install dateparser ctparse
duckling`` (duckling needs Java) to compare them. Run: ``python bench/period_parsers.py``.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime

from bot.language.names import normalise
from bot.language.periods import find_periods
from bot.language.question import Period, Question, QueryError
from bot.language.resolve import Facts, resolve

BASE = datetime(2024, 1, 15)
FACTS = Facts("2023-12", "2018-01", "2023-12", 24, False, None, None, date(2024, 1, 15), True, True)
# (phrase, months: one (start, end) per period)
CASES = [
    ("last month", [("2023-12", "2023-12")]),
    ("in 2022", [("2022-01", "2022-12")]),
    ("last year", [("2022-01", "2022-12")]),
    ("this year", [("2023-01", "2023-12")]),
    ("year to date", [("2023-01", "2023-12")]),
    ("March 2023", [("2023-03", "2023-03")]),
    ("in March", [("2023-03", "2023-03")]),
    ("since June", [("2023-06", "2023-12")]),
    ("since March 2022", [("2022-03", "2023-12")]),
    ("since 2021", [("2021-01", "2023-12")]),
    ("the last 3 months", [("2023-10", "2023-12")]),
    ("past six months", [("2023-07", "2023-12")]),
    ("from March to May 2023", [("2023-03", "2023-05")]),
    ("between November 2022 and February 2023", [("2022-11", "2023-02")]),
    ("two months ago", [("2023-10", "2023-10")]),
    ("Q2 2023", [("2023-04", "2023-06")]),
    ("Q1", [("2023-01", "2023-03")]),
    ("the first quarter", [("2023-01", "2023-03")]),
    ("the third quarter of 2021", [("2021-07", "2021-09")]),
    ("Q1 this year", [("2023-01", "2023-03")]),
    ("Q4 last year", [("2022-10", "2022-12")]),
    ("the first half of 2022", [("2022-01", "2022-06")]),
    ("the second half of 2022", [("2022-07", "2022-12")]),
    ("H1 2023", [("2023-01", "2023-06")]),
    ("last summer", [("2023-06", "2023-08")]),
    ("summer 2021", [("2021-06", "2021-08")]),
    ("the fall of 2022", [("2022-09", "2022-11")]),
    ("winter 2022", [("2021-12", "2022-02")]),
    ("winter 2022-23", [("2022-12", "2023-02")]),
    ("spring 2020", [("2020-03", "2020-05")]),
    ("from 2020 to 2022", [("2020-01", "2022-12")]),
    ("2021 vs 2023", [("2021-01", "2021-12"), ("2023-01", "2023-12")]),
    ("Q1 this year against Q1 last year", [("2022-01", "2022-03"), ("2023-01", "2023-03")]),
    ("March compared with February", [("2023-02", "2023-02"), ("2023-03", "2023-03")]),
    ("summer 2023 vs summer 2021", [("2021-06", "2021-08"), ("2023-06", "2023-08")]),
    ("Q1 vs Q2 2021", [("2021-01", "2021-03"), ("2021-04", "2021-06")]),
]


def ours(text: str):
    specs = [s for s, _ in find_periods(normalise(text))]
    q = resolve(
        Question("count", when=tuple(Period(label=s.label, spec=s) for s in specs), tense="past"),
        FACTS,
    )
    return [(p.start, p.end) for p in q.when]


def _month(d) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _dateparser():
    from dateparser.search import search_dates

    settings = {"RELATIVE_BASE": BASE, "PREFER_DATES_FROM": "past"}

    def run(text):  # one date per match: a month at best, never a span
        found = search_dates(text, settings=settings, languages=["en"]) or []
        return [(_month(d), _month(d)) for _, d in found]

    return run


def _ctparse():
    from ctparse import ctparse as parse
    from ctparse.types import Interval, Time

    def run(text):
        r = parse(text, ts=BASE, timeout=1)
        res = r.resolution if r else None
        if isinstance(res, Interval) and res.t_from and res.t_to:
            a, b = res.t_from, res.t_to
            return [(f"{a.year:04d}-{a.month:02d}", f"{b.year:04d}-{b.month:02d}")]
        if isinstance(res, Time) and res.year and res.month:
            m = f"{res.year:04d}-{res.month:02d}"
            return [(m, m)]
        return []

    return run


def _duckling():
    from duckling import Duckling, DucklingWrapper

    # the wrapper predates JPype 1.x: java strings need str() before int()/float()
    Duckling._parse_int = lambda self, n: int(str(n.toString()))
    Duckling._parse_float = lambda self, n: float(str(n.toString()))
    Duckling._parse_boolean = lambda self, b: str(b.toString()).lower() == "true"
    Duckling._parse_symbol = lambda self, s: str(s.toString())[1:]
    Duckling._parse_string = lambda self, s: str(s)
    wrapper = DucklingWrapper()

    def run(text):
        out = []
        for hit in wrapper.parse_time(text, reference_time=BASE.isoformat()):
            v = hit.get("value") or {}
            if isinstance(v.get("value"), dict) and v["value"].get("from"):
                a, b = v["value"]["from"], v["value"].get("to") or v["value"]["from"]
                a, b = datetime.fromisoformat(a[:19]), datetime.fromisoformat(b[:19])
                if b.day == 1 and (b.hour, b.minute) == (0, 0):  # exclusive end
                    b = datetime(b.year - (b.month == 1), (b.month - 2) % 12 + 1, 1)
                out.append((_month(a), _month(b)))
            elif isinstance(v.get("value"), str):
                grain = v.get("grain", "")
                d = datetime.fromisoformat(v["value"][:19])
                if grain in ("month", "day", "week"):
                    out.append((_month(d), _month(d)))
                elif grain == "quarter":
                    e = datetime(d.year, d.month + 2, 1)
                    out.append((_month(d), _month(e)))
                elif grain == "year":
                    out.append((f"{d.year}-01", f"{d.year}-12"))
        return out

    return run


def measure(name: str, run) -> dict:
    hits, times = 0, []
    for text, want in CASES:
        t0 = time.perf_counter()
        try:
            got = run(text)
        except (QueryError, Exception):  # a parser's own failure counts as a miss
            got = None
        times.append(time.perf_counter() - t0)
        hits += got == want
    times.sort()
    return {
        "parser": name,
        "right": hits,
        "of": len(CASES),
        "p50_ms": 1000 * statistics.median(times),
        "p99_ms": 1000 * times[-1],
    }


def main() -> None:
    rows = [measure("crimecast grammar", ours)]
    for name, make in (
        ("dateparser", _dateparser),
        ("ctparse", _ctparse),
        ("duckling (JVM)", _duckling),
    ):
        try:
            run = make()
            run("warm up last month")
        except Exception as exc:  # not installed, or no Java
            print(f"{name}: skipped ({type(exc).__name__}: {exc})")
            continue
        rows.append(measure(name, run))
    print(f"{'parser':20} {'right':>9} {'p50 ms':>8} {'max ms':>8}")
    for r in rows:
        print(
            f"{r['parser']:20} {r['right']:>4}/{r['of']:<4} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f}"
        )


if __name__ == "__main__":
    main()
