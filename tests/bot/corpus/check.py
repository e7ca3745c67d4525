"""Compare one ``crimecast ask --json`` answer with the oracle's expectation.

Outcomes: ``pass``; ``asked back`` (ok false, intent clarify: counted apart, not a pass);
``wrong what`` (ok true but another measure answered: never allowed); ``wrong value`` (the right
measure, another number/month/set); ``not answered`` (ok false, not a clarify); ``error`` (it
raised). Where the expectation is that no answer is right (``check`` "clarify": a question back;
"refuse": a question back or a plain refusal), that reply is a ``pass``, a refusal that is not a
question back where one was expected is ``not answered``, and any ``ok: true`` answer is ``wrong
what``: it answered another question than the one asked. Tolerances as the contract: counts +-0.01, rates/averages/percentages relative 1e-3
(and +-6e-5 absolute: docs/questions.md rounds every number to 4 decimals).
The adapter (``rows``/``question`` below) is the only place that knows the JSON layout.

>>> close(10.0, 10.004, "value", "count"), close(1.0, 1.01, "value", "rate")
(True, False)
>>> outcome({"ok": False, "intent": "clarify"}, {"what": "count", "check": "row"})[0]
'asked back'
>>> [outcome(a, {"what": "clarify", "check": "clarify"})[0] for a in (
...     {"ok": False, "intent": "clarify"}, {"ok": False, "intent": "help"}, {"ok": True})]
['pass', 'not answered', 'wrong what']
>>> outcome({"ok": False, "intent": "help"}, {"what": "refuse", "check": "refuse"})[0]
'pass'
"""

from __future__ import annotations

PASS, ASKED, WRONG_WHAT, WRONG_VALUE, NOT_OK, ERROR = (
    "pass",
    "asked back",
    "wrong what",
    "wrong value",
    "not answered",
    "error",
)
OUTCOMES = (PASS, ASKED, WRONG_VALUE, WRONG_WHAT, NOT_OK, ERROR)
RATE_UNIT = "per 1,000"
ROUNDING = 6e-5


def close(expected, got, field: str, what: str) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    try:
        got = float(got)
    except (TypeError, ValueError):
        return False
    if what == "count" and field in ("value", "previous", "change"):
        return abs(expected - got) <= 0.01
    if what in ("change",) and field in ("value", "previous", "change"):
        return abs(expected - got) <= 0.01
    return abs(expected - got) <= max(1e-3 * abs(expected), ROUNDING)


def rows(answer: dict) -> list[dict]:
    return list(((answer.get("result") or {}).get("rows")) or [])


def question(answer: dict) -> dict:
    return answer.get("question") or {}


def answered_what(answer: dict) -> str | None:
    return question(answer).get("what") or answer.get("intent")


def summary(answer: dict | None) -> str:
    """One line saying what an answer gave (for failure lists)."""
    if answer is None:
        return "raised"
    if not answer.get("ok"):
        return f"{answer.get('intent')}: {str(answer.get('message') or '')[:90]}"
    q = question(answer)
    where = ",".join(str(w.get("name") or w.get("kind")) for w in q.get("where") or []) or "city"
    when = " / ".join(str(w.get("label") or w.get("start")) for w in q.get("when") or [])
    cats = (q.get("crime") or {}).get("categories") or []
    rank = q.get("ranking") or {}
    head = [
        f"{r.get('area') or r.get('region') or r.get('category') or r.get('month') or ''}="
        f"{r.get('change') if rank.get('measure') in ('change', 'pct') else r.get('value')}"
        for r in rows(answer)[:3]
    ]
    return (
        f"{answered_what(answer)} where={where} crime={len(cats) or 'all'} when={when or '-'}"
        + (f" by={q['by']}" if q.get("by") else "")
        + (f" rank={rank.get('n')} {rank.get('order')} {rank.get('measure')}" if rank else "")
        + f" rows={len(rows(answer))} [{'; '.join(head)}]"
    )


def _row_ok(exp: dict, row: dict, what: str) -> bool:
    return all(close(v, row.get(k), k, what) for k, v in exp.items())


def _where_ok(spec, exp: dict, answer: dict) -> bool:
    """The answer's where is the one asked: same area set, or the same name ("M" = "NPU M",
    "NORTHEAST" = "NORTHEAST sector")."""
    kind, name = spec.where
    wheres = question(answer).get("where") or []
    if kind == "city":
        return all(w.get("kind") == "city" for w in wheres)
    members = {str(a).upper() for w in wheres for a in (w.get("names") or ())}
    if members and members == set(exp.get("areas") or ()):
        return True
    name = name.upper()
    for w in wheres:
        for n in (w.get("name"), w.get("label")):
            n = str(n or "").upper()
            if n == name or n.endswith(" " + name) or n.startswith(name + " "):
                return True
    return False


def _structure(spec, exp: dict, answer: dict) -> str:
    q = question(answer)
    if not q:
        return WRONG_VALUE
    if not _where_ok(spec, exp, answer):
        return WRONG_VALUE
    cats = set((q.get("crime") or {}).get("categories") or [])
    if cats != set(spec.crime):
        return WRONG_VALUE
    if spec.ranking and len(rows(answer)) != exp.get("n", spec.ranking[0]):
        return WRONG_VALUE
    if "values" in exp and not all(
        close(v, r.get("value"), "value", "rate") for v, r in zip(exp["values"], rows(answer))
    ):
        return WRONG_VALUE
    if "value" in exp and not all(
        close(exp["value"], r.get("value"), "value", "rate") for r in rows(answer)
    ):
        return WRONG_VALUE
    if spec.what == "forecast" and spec.periods and not spec.by:
        months = {r.get("month") for r in rows(answer) if r.get("month")}
        want = _months(spec.periods[0])
        if months and months != set(want):
            return WRONG_VALUE
        when = q.get("when") or []
        if not months and when and (when[0].get("start"), when[-1].get("end")) != spec.periods[0]:
            return WRONG_VALUE
    return PASS


def _months(period) -> list[str]:
    from .cities import month_range

    return month_range(*period)


def _sequence(exp: dict, answer: dict, what: str) -> str:
    got = rows(answer)
    if len(got) != exp["n"]:
        return WRONG_VALUE
    f = exp["field"]
    kind = "count" if exp["measure"] == "count" else "change" if f == "change" else "rate"
    ok = all(close(v, r.get(f), f, kind) for v, r in zip(exp["values"], got))
    return PASS if ok else WRONG_VALUE


def _same_what(what: str | None, exp: dict, answer: dict) -> bool:
    """The measure asked, or an equivalent reading: a ranking whose measure is the one asked
    ("top 5 by rate" as count ranked by rate), the busiest month as months ranked by count."""
    if what == exp["what"]:
        return True
    ranking = question(answer).get("ranking") or {}
    if exp.get("check") == "sequence":
        return ranking.get("measure") == exp["measure"] and what in ("count", "rate", "change")
    if exp["what"] in ("peak", "trough") and question(answer).get("by") == "month":
        return ranking.get("n") == 1 and what == "count"
    return False


def _key(row: dict, by: str):
    return row.get(by) if by != "area" else row.get("area")


def _no_answer(answer: dict, exp: dict) -> tuple[str, str]:
    """A question back (or, for "refuse", any ok:false reply) is right; an answer never is."""
    if answer.get("ok"):
        return WRONG_WHAT, f"answered {answered_what(answer)}; expected no answer ({exp['check']})"
    if answer.get("intent") == "clarify" or exp["check"] == "refuse":
        return PASS, ""
    return NOT_OK, f"{answer.get('intent')} instead of a question back"


def outcome(answer: dict, exp: dict, spec=None) -> tuple[str, str]:
    """(outcome, a short reason) for one answer against its expectation."""
    if exp.get("check") in ("clarify", "refuse"):
        return _no_answer(answer, exp)
    if not answer.get("ok"):
        if answer.get("intent") == "clarify":
            return ASKED, ""
        if exp.get("check") == "no_rate":
            return PASS, "no rate without population"
        return NOT_OK, str(answer.get("intent"))
    what = answered_what(answer)
    if exp.get("check") == "no_rate":
        unit = str((answer.get("result") or {}).get("unit") or "")
        return (PASS, "") if unit and RATE_UNIT not in unit else (WRONG_VALUE, f"unit {unit!r}")
    if not _same_what(what, exp, answer):
        return WRONG_WHAT, f"{what} for {exp['what']}"
    check, got = exp["check"], rows(answer)
    if check == "structure":
        return _structure(spec, exp, answer), ""
    if check == "members":
        names = {str(r.get("area")).upper() for r in got if r.get("area")}
        return (
            (PASS, "")
            if names == set(exp["members"])
            else (WRONG_VALUE, f"{len(names)} areas for {len(exp['members'])}")
        )
    if check == "sequence":
        return _sequence(exp, answer, what), ""
    if check == "row":
        if len(got) != 1:
            return WRONG_VALUE, f"{len(got)} rows"
        return (
            (PASS, "")
            if _row_ok(exp["row"], got[0], what)
            else (WRONG_VALUE, f"{ {k: got[0].get(k) for k in exp['row']} } for {exp['row']}")
        )
    if check == "rows":
        have = {str(_key(r, exp["by"])).upper(): r.get("value") for r in got}
        want = {str(k).upper(): v for k, v in exp["rows"].items()}
        extra = {k for k in set(have) - set(want) if "NO REGION" not in k}
        ok = not extra and all(
            close(v, have.get(k, 0.0), "value", "count") for k, v in want.items()
        )
        return (PASS, "") if ok else (WRONG_VALUE, "breakdown differs")
    if check == "month":
        if not got:
            return WRONG_VALUE, "no rows"
        ok = all(
            r.get("month") in exp["months"]
            and close(exp["value"], r.get("value"), "value", "count")
            for r in got
        )
        return (
            (PASS, "")
            if ok
            else (
                WRONG_VALUE,
                f"{got[0].get('month')}={got[0].get('value')} for {exp['months']}={exp['value']}",
            )
        )
    raise ValueError(check)
