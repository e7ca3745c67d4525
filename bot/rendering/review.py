"""How the forecast did, month by month, in words (the accuracy evaluator's review rows: each
month's count against the forecast made before it, and its series' scores)."""

from __future__ import annotations

from datetime import date

from core.months import month_name, month_range

from bot.answering.answer import CAVEAT, Answer
from bot.answering.asked import place_of
from bot.answering.result import Result
from bot.language.names import Names
from bot.language.question import Question
from bot.language.spans import months_label

from .wording import fmt_range


def _verdict(observed: int, lo: int, hi: int) -> str:
    if observed < lo:
        return "below its 80% range"
    if observed > hi:
        return "above its 80% range"
    return "inside its 80% range"


def expected_text(mean: float, lo: int, hi: int, made: list[str], steps: list[int], n: int) -> str:
    """'about 12 (80% range 8–17) (made with data through May 2023, one month ahead); the count
    15 fell inside its 80% range.'"""
    steps = sorted(set(steps))
    ahead = (
        "one month ahead"
        if steps == [1]
        else f"{steps[0]} months ahead"
        if len(steps) == 1
        else f"{steps[0]}–{steps[-1]} months ahead"
    )
    if len(made) == 1:
        made_text = f"made with data through {month_name(made[0])}, {ahead}"
    else:
        made_text = (
            f"each month's forecast made {ahead}, with data through "
            f"{month_name(made[0])} – {month_name(made[-1])}"
        )
    return f"{fmt_range(mean, lo, hi)} ({made_text}); the count {n:,} fell {_verdict(n, lo, hi)}."


def render(q: Question, result: Result, a: Answer, names: Names, today: date) -> Answer:
    x = result.extra
    w = q.place
    what = q.crime.label if q.crime.categories else "all reported crime"
    a.title = f"How the forecast did: {w.label}, {what}, {x.get('period')}"[:250]
    months = x.get("review_months", [])
    if x.get("shown_of", 0) > len(months):
        a.lines.append(f"ℹ Showing the last {len(months)} months of {x['period']}.")
    out, unjudged = [], []
    for r in result.rows:
        m, observed = r.month, int(r.value)
        if r.previous is None:
            unjudged.append((m, observed, x["unjudged"][m]))
            out.append({"month": m, "observed": observed, "forecast": None})
            continue
        made = x["made"][m]
        lo, hi = int(r.lo), int(r.hi)
        item = {
            "month": m,
            "observed": observed,
            "forecast": {
                "mean": round(r.previous, 2),
                "lo80": lo,
                "hi80": hi,
                "made_with_data_through": made["made_with"],
                "steps": made["steps"],
                "inside": lo <= observed <= hi,
            },
        }
        a.lines.append(
            f"**{month_name(m)}**: counted **{observed:,}**; forecast "
            + expected_text(r.previous, lo, hi, made["made_with"], made["steps"], observed)
        )
        item.update(_scores(a, m, x["series"].get(m) or {}))
        out.append(item)
    if len(unjudged) == 1:
        m, observed, why = unjudged[0]
        a.lines.append(f"**{month_name(m)}**: counted {observed:,}. {why}")
    elif unjudged:
        ms = [m for m, _, _ in unjudged]
        which = months_label(ms) if ms == month_range(ms[0], ms[-1]) else ", ".join(ms)
        a.lines.append(
            f"No forecast made before {which} reaches them, so they cannot be judged; "
            "counted: " + ", ".join(f"{m} {n:,}" for m, n, _ in unjudged) + "."
        )
    judged = [o for o in out if o["forecast"]]
    if len(judged) > 1:
        inside = sum(o["forecast"]["inside"] for o in judged)
        a.fields.append(("Totals inside their 80% range", f"{inside} of {len(judged)} months"))
    a.data.update(
        {"place": place_of(w).to_dict(), "months": months, "period": x.get("period"), "review": out}
    )
    a.caveat = CAVEAT
    return a


def _scores(a: Answer, month: str, s: dict) -> dict:
    """A judged month's series scores as a field (and the biggest misses), and their data."""
    if not s:
        return {}
    text = (
        f"{s['series']:,} series: {s['inside_share']:.0%} fell inside their own 80% range (about "
        f"80% should); mean absolute error {s['mae']:.2f}"
    )
    data = {
        "series": s["series"],
        "inside_share": round(s["inside_share"], 3),
        "mae": round(s["mae"], 3),
    }
    if "mae_snaive" in s:
        data["mae_snaive"] = round(s["mae_snaive"], 3)
        text += f" vs {s['mae_snaive']:.2f} for the seasonal naive (same month a year earlier)"
    a.fields.append((f"Series, {month_name(month)}", text + "."))
    if s.get("misses"):
        a.fields.append(
            (
                "Biggest misses",
                "\n".join(
                    f"{m['community']} · {' '.join(m['category'].split())}: "
                    f"{m['observed']:,} vs {fmt_range(m['mean'], m['lo'], m['hi'])}"
                    for m in s["misses"]
                ),
            )
        )
    return data
