"""Issue 16's question corpus: every phrasing asked through the engine, checked by an oracle.

Calgary and Atlanta are each deployed from their real files through the production commands
(``tests/bot/corpus/runner.py``), then every generated and held-out phrasing is asked in-process
(the dict ``crimecast ask --json`` prints) and compared with an independent pandas oracle
(``tests/bot/corpus/oracle.py``). Pass rates per city x shape are printed for every set; the
tests hold a floor under the generated, held-out, fresh and fresh2 ones (fresh3 has none yet),
and two rules on all of them: nothing raises, and an answer never answers another measure than the one
asked (a question back is allowed, and counted apart; where a question back or a refusal is the
expected reply, answering anything is answering another question).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate, runner  # noqa: E402
from corpus.check import ERROR, PASS, WRONG_WHAT, outcome  # noqa: E402
from corpus.cities import available, city  # noqa: E402
from corpus.oracle import expect  # noqa: E402

HELDOUT = {key: runner.heldout(key) for key in ("calgary", "atlanta")}
FRESH = {key: runner.fresh(key) for key in ("calgary", "atlanta")}
FRESH2 = {key: runner.fresh2(key) for key in ("calgary", "atlanta")}
FRESH3 = {key: runner.fresh3(key) for key in ("calgary", "atlanta")}
SETS = ("generated", "held-out", "fresh", "fresh2", "fresh3")
# Pass-rate floors (fractions), set just under what the engine reaches, so a regression fails.
# fresh3 (the untouched batch) has none yet: the lead sets it after the merge.
FLOOR = {
    ("generated", "calgary"): 0.99,
    ("generated", "atlanta"): 0.99,
    ("held-out", "calgary"): 0.95,
    ("held-out", "atlanta"): 0.95,
    ("fresh", "calgary"): 0.97,  # first run 80.3%; its failures' kinds were then fixed
    ("fresh", "atlanta"): 0.94,  # first run 75.0%
    ("fresh2", "calgary"): 0.97,  # first run 94.7%; its failures' kinds were then fixed
    ("fresh2", "atlanta"): 0.98,  # first run 92.0%
    ("fresh3", "calgary"): 0.93,  # untouched: no one tuned on it (first run 94.8%)
    ("fresh3", "atlanta"): 0.96,  # first run 97.2%
}
# Answers of another measure than the one asked: the rule is none. These ceilings are the known
# debt of the merged engine (docs/corpus.md: the table), so that any new one fails; lower them to
# 0 as the parser learns the phrasings.
WRONG_WHAT_CEILING = {
    ("generated", "calgary"): 0,
    ("generated", "atlanta"): 0,
    ("held-out", "calgary"): 0,
    ("held-out", "atlanta"): 1,
    ("fresh", "calgary"): 0,
    ("fresh", "atlanta"): 1,
    ("fresh2", "calgary"): 1,
    ("fresh2", "atlanta"): 0,
    ("fresh3", "calgary"): 1,  # the third fresh batch's first run (2026-12-05)
    ("fresh3", "atlanta"): 1,
}
CITIES = [
    pytest.param(k, marks=pytest.mark.skipif(not available(k), reason="data not found"))
    for k in ("calgary", "atlanta")
]


@pytest.fixture(scope="module")
def results(redis_url, tmp_path_factory) -> dict:
    """{(set, city): records} for both cities, each deployed once under its own prefix."""
    out = {}
    for key in ("calgary", "atlanta"):
        if not available(key):
            continue
        with runner.deployment(key, redis_url, tmp_path_factory.mktemp(key)) as engine:
            for name, cases in runner.corpus_sets(key):
                records = runner.run(engine, key, cases)
                for r in records:
                    r["city"] = key
                out[(name, key)] = records
    return out


def test_print_pass_rates(results, capsys):
    """The table the README quotes (generated and held-out reported separately)."""
    by_set = {}
    for (name, _), records in results.items():
        by_set.setdefault(name, []).extend(records)
    with capsys.disabled():
        print(
            f"\nquestion corpus (load {os.getloadavg()[0]:.1f}):\n"
            + runner.table(runner.report_sets(by_set))
        )
    assert sum(len(v) for v in results.values()) >= 2 * (500 + 100) or len(results) < 4


@pytest.mark.parametrize("key", CITIES)
def test_no_phrasing_raises(results, key):
    """A traceback is never an answer: every phrasing returns a dict."""
    errors = [
        (r["text"], r["why"])
        for name in SETS
        for r in results[(name, key)]
        if r["outcome"] == ERROR
    ]
    assert errors == []


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("key", CITIES)
def test_never_answers_another_question(results, name, key):
    """ok:true answers the measure asked (a question back is fine, another answer not): none
    beyond the known ceiling."""
    wrong = [(r["text"], r["why"]) for r in results[(name, key)] if r["outcome"] == WRONG_WHAT]
    assert len(wrong) <= WRONG_WHAT_CEILING[(name, key)], wrong


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("key", CITIES)
def test_pass_rate_floor(results, name, key):
    if (name, key) not in FLOOR:
        pytest.skip(f"{name} has no pass-rate floor yet")
    records = results[(name, key)]
    rate = sum(r["outcome"] == PASS for r in records) / len(records)
    assert rate >= FLOOR[(name, key)], f"{name} {key}: {rate:.1%} < {FLOOR[(name, key)]:.1%}"


@pytest.mark.parametrize("key", CITIES)
def test_corpus_sizes_and_determinism(key):
    """At least 500 generated, 100 held-out and 60 phrasings in each fresh batch a city, the same
    on every run, no phrasing in two sets."""
    a, b = generate.cases(key), generate.cases(key)
    assert len(a) >= 500 and len(HELDOUT[key]) >= 100
    assert len(FRESH[key]) >= 60 and len(FRESH2[key]) >= 60 and len(FRESH3[key]) >= 60
    assert [(x.text, x.spec) for x in a] == [(x.text, x.spec) for x in b]
    sets = (a, HELDOUT[key], FRESH[key], FRESH2[key], FRESH3[key])
    texts = [{x.text.lower() for x in s} for s in sets]
    for i in range(1, len(texts)):
        assert not set().union(*texts[:i]) & texts[i], sorted(set().union(*texts[:i]) & texts[i])
    assert all(len(t) == len(s) for t, s in zip(texts[2:], sets[2:]))


# --- the checker itself: a contract-shaped right answer passes, a nudged one does not ---------


def _answer(spec, exp: dict, nudge: float = 0.0) -> dict:
    """The ``--json`` answer the contract describes for this expectation (nudged when asked)."""
    kind, name = spec.where
    q = {
        "what": spec.what,
        "where": [{"kind": kind, "name": name}],
        "by": spec.by,
        "crime": {"categories": list(spec.crime), "label": ""},
        "ranking": None if not spec.ranking else dict(zip(("n", "order", "measure"), spec.ranking)),
    }
    check, rows = exp.get("check"), []
    if check in ("clarify", "refuse"):
        return (
            {"ok": False, "intent": "clarify"}
            if not nudge
            else {"ok": True, "intent": "count", "question": q, "result": {"rows": []}}
        )
    if check == "no_rate":
        return (
            {"ok": False, "intent": "help"}
            if not nudge
            else {
                "ok": True,
                "intent": "rate",
                "question": q,
                "result": {"unit": "incidents per 1,000 residents", "rows": [{"value": 1.0}]},
            }
        )
    if check == "row":
        rows = [
            {
                k: (v + nudge * max(1.0, abs(v)) if v is not None and k == "value" else v)
                for k, v in exp["row"].items()
            }
        ]
    elif check == "rows":
        rows = [{exp["by"]: k, "value": v + nudge} for k, v in exp["rows"].items()]
    elif check == "sequence":
        rows = [{exp["field"]: v + nudge * max(1.0, abs(v))} for v in exp["values"]]
    elif check == "members":
        rows = [{"area": a} for a in exp["members"][: len(exp["members"]) - bool(nudge)]]
    elif check == "month":
        rows = [{"month": exp["months"][0], "value": exp["value"] + nudge}]
    elif check == "structure":
        rows = [{"month": None, "value": v} for v in exp.get("values", [])]
        if "value" in exp:
            rows = [{"month": m, "value": exp["value"] + nudge} for m in _months(spec)]
        if nudge:
            q["crime"]["categories"] = list(spec.crime) + ["ARSON"]
    return {"ok": True, "intent": spec.what, "question": q, "result": {"unit": "", "rows": rows}}


def _months(spec) -> list[str]:
    from corpus.cities import month_range

    return month_range(*spec.periods[0])


@pytest.mark.parametrize("key", CITIES)
def test_checker_passes_right_answers_and_fails_wrong_ones(key):
    c = city(key)
    cases = generate.cases(key)[::3] + list(HELDOUT[key]) + list(FRESH[key]) + list(FRESH2[key])
    cases += list(FRESH3[key])
    for case in cases:
        exp = expect(c, case.spec)
        assert outcome(_answer(case.spec, exp), exp, case.spec)[0] == PASS, case.text
        if exp["check"] == "members" and len(exp["members"]) < 2:
            continue
        assert outcome(_answer(case.spec, exp, nudge=0.5), exp, case.spec)[0] != PASS, case.text
    clarify = {"ok": False, "intent": "clarify"}
    assert outcome(clarify, expect(c, cases[0].spec), cases[0].spec)[0] == "asked back"
