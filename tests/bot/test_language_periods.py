"""The period grammar (bot/language/periods.py) and its months (spans.py, resolve.py): pure.

Data through December 2023 from January 2018, unless a row says otherwise.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.language.names import normalise
from bot.language.periods import find_periods
from bot.language.question import Period, Question, QueryError
from bot.language.resolve import Facts, resolve
from core.profile import ProfileError, load_profile, parse_profile

FACTS = Facts("2023-12", "2018-01", "2023-12", 24, False, None, None, date(2024, 1, 20), True, True)
MID = Facts("2023-05", "2018-01", "2023-05", 24, False, None, None, date(2023, 6, 10), True, True)


def months(text: str, facts: Facts = FACTS, what: str = "count") -> list[tuple[str, str]]:
    specs = [s for s, _ in find_periods(normalise(text))]
    q = Question(what, when=tuple(Period(label=s.label, spec=s) for s in specs), tense="past")
    return [(p.start, p.end) for p in resolve(q, facts).when]


# (phrase, facts, months of each period)
PERIODS = [
    ("last month", FACTS, [("2023-12", "2023-12")]),
    ("the previous month", FACTS, [("2023-12", "2023-12")]),
    ("in 2022", FACTS, [("2022-01", "2022-12")]),
    ("this year", FACTS, [("2023-01", "2023-12")]),
    ("year to date", MID, [("2023-01", "2023-05")]),
    ("ytd", MID, [("2023-01", "2023-05")]),
    ("so far this year", MID, [("2023-01", "2023-05")]),
    ("last year", FACTS, [("2022-01", "2022-12")]),
    ("last year", MID, [("2022-01", "2022-12")]),
    ("the last 3 months", FACTS, [("2023-10", "2023-12")]),
    ("over the past six months", FACTS, [("2023-07", "2023-12")]),
    ("the last 2 years", FACTS, [("2022-01", "2023-12")]),
    ("trailing 12 months", FACTS, [("2023-01", "2023-12")]),
    ("since June", FACTS, [("2023-06", "2023-12")]),
    ("since March 2022", FACTS, [("2022-03", "2023-12")]),
    ("since 2021", FACTS, [("2021-01", "2023-12")]),
    ("since the start of 2022", FACTS, [("2022-01", "2023-12")]),
    ("from March to May 2023", FACTS, [("2023-03", "2023-05")]),
    ("from november to february 2023", FACTS, [("2022-11", "2023-02")]),
    ("jan-mar 2023", FACTS, [("2023-01", "2023-03")]),
    ("from 2020 to 2022", FACTS, [("2020-01", "2022-12")]),
    ("2019 through 2021", FACTS, [("2019-01", "2021-12")]),
    ("March 2023", FACTS, [("2023-03", "2023-03")]),
    ("2023-03", FACTS, [("2023-03", "2023-03")]),
    ("in March", FACTS, [("2023-03", "2023-03")]),
    ("in March", MID, [("2023-03", "2023-03")]),
    ("in August", MID, [("2022-08", "2022-08")]),
    ("last March", FACTS, [("2023-03", "2023-03")]),
    ("march of last year", FACTS, [("2022-03", "2022-03")]),
    # quarters
    ("Q2 2023", FACTS, [("2023-04", "2023-06")]),
    ("q2", FACTS, [("2023-04", "2023-06")]),
    ("Q2", MID, [("2022-04", "2022-06")]),
    ("Q1", MID, [("2023-01", "2023-03")]),
    ("the first quarter", FACTS, [("2023-01", "2023-03")]),
    ("the third quarter of 2021", FACTS, [("2021-07", "2021-09")]),
    ("4th quarter 2020", FACTS, [("2020-10", "2020-12")]),
    ("quarter 3 2022", FACTS, [("2022-07", "2022-09")]),
    ("2022 Q4", FACTS, [("2022-10", "2022-12")]),
    ("Q1 this year", FACTS, [("2023-01", "2023-03")]),
    ("Q1 last year", FACTS, [("2022-01", "2022-03")]),
    ("the last quarter of 2022", FACTS, [("2022-10", "2022-12")]),
    ("last quarter", FACTS, [("2023-10", "2023-12")]),
    ("this quarter", MID, [("2023-04", "2023-05")]),
    # halves
    ("the first half of 2022", FACTS, [("2022-01", "2022-06")]),
    ("second half of 2022", FACTS, [("2022-07", "2022-12")]),
    ("H1 2023", FACTS, [("2023-01", "2023-06")]),
    ("H2", MID, [("2022-07", "2022-12")]),
    ("the first half of the year", MID, [("2023-01", "2023-05")]),
    # seasons (meteorological, northern hemisphere)
    ("last summer", FACTS, [("2023-06", "2023-08")]),
    ("last summer", MID, [("2022-06", "2022-08")]),
    ("summer 2021", FACTS, [("2021-06", "2021-08")]),
    ("the summer of 2021", FACTS, [("2021-06", "2021-08")]),
    ("in the fall of 2022", FACTS, [("2022-09", "2022-11")]),
    ("autumn 2022", FACTS, [("2022-09", "2022-11")]),
    ("spring", FACTS, [("2023-03", "2023-05")]),
    ("winter 2022", FACTS, [("2021-12", "2022-02")]),
    ("winter 2022-23", FACTS, [("2022-12", "2023-02")]),
    ("the winter of 2021-2022", FACTS, [("2021-12", "2022-02")]),
    ("last winter", FACTS, [("2022-12", "2023-02")]),
    ("winter", MID, [("2022-12", "2023-02")]),
    # two periods: the earlier first
    ("2021 vs 2023", FACTS, [("2021-01", "2021-12"), ("2023-01", "2023-12")]),
    ("in 2023 compared with 2020", FACTS, [("2020-01", "2020-12"), ("2023-01", "2023-12")]),
    ("Q1 this year against Q1 last year", FACTS, [("2022-01", "2022-03"), ("2023-01", "2023-03")]),
    ("Q1 vs Q2 2021", FACTS, [("2021-01", "2021-03"), ("2021-04", "2021-06")]),
    ("March compared with February", FACTS, [("2023-02", "2023-02"), ("2023-03", "2023-03")]),
    ("December compared with November", MID, [("2022-11", "2022-11"), ("2022-12", "2022-12")]),
    ("summer 2023 vs summer 2021", FACTS, [("2021-06", "2021-08"), ("2023-06", "2023-08")]),
    ("this year against last year", MID, [("2022-01", "2022-12"), ("2023-01", "2023-05")]),
    ("last month vs the month before", FACTS, None),
]


@pytest.mark.parametrize(
    "text,facts,expected",
    [p for p in PERIODS if p[2] is not None],
    ids=[p[0] for p in PERIODS if p[2] is not None],
)
def test_period_months(text, facts, expected):
    assert months(text, facts) == expected


def test_a_period_outside_the_data_names_the_span():
    with pytest.raises(QueryError, match="January 2018 – December 2023"):
        months("in 2016")


def test_a_future_period_of_a_count_is_a_forecast():
    specs = [s for s, _ in find_periods("q1 2024")]
    q = resolve(Question("count", when=(Period(label="Q1 2024", spec=specs[0]),)), FACTS)
    assert q.what == "forecast" and (q.when[0].start, q.when[0].end) == ("2024-01", "2024-03")
    with pytest.raises(QueryError, match="at most 24 months"):
        resolve(
            Question(
                "forecast",
                when=tuple(Period(label=s.label, spec=s) for s, _ in find_periods("q1 2027")),
            ),
            FACTS,
        )


def test_fall_the_verb_is_no_season():
    assert find_periods("did thefts fall in beltline") == []
    assert [s.label for s, _ in find_periods("in the fall")] == ["fall"]


def test_may_the_verb_is_no_month():
    assert find_periods("thefts may rise in beltline") == []
    assert [s.label for s, _ in find_periods("july compared with may")] == ["July", "May"]


def test_weeks_need_a_source_with_days(names):
    """'the last 6 weeks' on a month-only source is a question back, never a broader answer."""
    from bot.language import read
    from bot.language.question import Clarify

    with pytest.raises(Clarify, match="by month"):
        read("car thefts in beltline in the last 6 weeks", names, FACTS)
    days = Facts(
        "2024-02",
        "2018-01",
        "2024-02",
        24,
        True,
        date(2018, 1, 1),
        date(2024, 3, 12),
        date(2024, 3, 13),
        True,
        True,
    )
    q = read("car thefts in beltline in the last 2 weeks", names, days)
    assert (q.when[0].first_day, q.when[0].last_day) == ("2024-02-28", "2024-03-12")


def test_a_profile_may_set_its_seasons(tmp_path):
    """A southern-hemisphere profile: summer is December-February."""
    text = load_profile(None).model_dump_json()  # Calgary as JSON is valid YAML
    import json

    data = json.loads(text)
    data["seasons"] = {"summer": [12, 2], "winter": [6, 8], "wet season": [11, 4]}
    profile = parse_profile(json.dumps(data), "south.yaml")
    assert profile.season_months["summer"] == (12, 2)
    found = find_periods("summer 2023 vs the wet season", profile.season_months)
    assert [(s.month_number, s.end_number, s.year) for s, _ in found] == [
        (12, 2, 2023),
        (11, 4, 2023),
    ]
    data["seasons"] = {"summer": [13, 2]}
    with pytest.raises(ProfileError, match="1-12"):
        parse_profile(json.dumps(data), "bad.yaml")
