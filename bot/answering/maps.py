"""Maps as answers: a question broken down by area, drawn on the areas instead of listed.

A map is one more renderer of a resolved question with ``by="area"`` (issue 19, item 5): any
*what* that yields a value per area (count, forecast, rate, change, average, share) can be mapped.
:func:`map_question` turns a question into its by-area form; :func:`map_data` reads the evaluated
rows into ``area -> value`` (every area of the place, ``None`` where the evaluator gave no figure:
drawn as "no data", never as zero) with what the map shows, its period and data month; this dict
is also the ``map`` key of ``--json``. :func:`hot_map_data` does the same for "where is it running
hot" (categories running hot per area). :class:`Geometries` keeps the areas' geometry (polygons if
loaded, else centres of incidents) in memory and re-reads it when it changes.

>>> d = map_data_from_rows("count", [{"area": "A", "value": 3.0}], ["A", "B"], "break-ins",
...                        "2023", "2023-12", "")
>>> d["values"], d["shows"]
({'A': 3.0, 'B': None}, 'count')
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable

import redis

from core.caveats import CAVEAT
from core.text import as_text
from stream.keys import Keys

from bot.language.question import Question

if TYPE_CHECKING:  # matplotlib and shapely load only when a map is drawn
    from bot.rendering.map import MapSpec
    from stream.geometry import AreaGeometry

#: measures a map can show (the renderer's ``shows``)
SHOWS = {
    "count": "count",
    "forecast": "forecast",
    "rate": "rate",
    "change": "change",
    "average": "average",
    "share": "share",
}


def mappable(q: Question) -> bool:
    """True for a question whose rows can be one value per area."""
    return q.what in SHOWS


def map_question(q: Question) -> Question:
    """The question broken down by area, unranked (a map shows every area of the place)."""
    return replace(q, by="area", ranking=None, chart=False)


def map_data_from_rows(
    what: str,
    rows: Iterable[dict],
    areas: Iterable[str],
    subject: str,
    period: str,
    data_month: str,
    place: str,
    unit: str = "incidents",
    notes: Iterable[str] = (),
) -> dict:
    """The map's JSON-friendly description from result rows (``--json`` rows) by area."""
    field = "change" if what == "change" else "value"
    values: dict[str, float | None] = {a: None for a in areas}
    for r in rows:
        if r.get("area"):
            v = r.get(field)
            values[r["area"]] = None if v is None else float(v)
    return {
        "shows": SHOWS.get(what, what),
        "what": what,
        "unit": unit,
        "subject": subject,
        "period": period,
        "data_month": data_month,
        "place": place,
        "values": values,
        "notes": list(notes),
    }


def map_data(data: dict, areas_of_place) -> dict | None:
    """The map of an answer whose rows are by area (``data`` is the answer's ``data``: its
    ``question`` and ``result``), or None. ``areas_of_place(where)`` lists the areas of the
    question's places (``where`` as in ``--json``)."""
    q, result = data.get("question") or {}, data.get("result") or {}
    rows = result.get("rows") or []
    if q.get("what") not in SHOWS or q.get("by") != "area" or not any(r.get("area") for r in rows):
        return None
    when = q.get("when") or []
    labels = [w.get("label") or w.get("start") or "" for w in when]
    period = " → ".join(labels)
    unit = result.get("unit", "incidents")
    if q["what"] == "change":
        if len(when) == 1:
            prev = (result.get("previous_period") or {}).get("label", "a year earlier")
            period = f"{labels[-1]} vs {prev}"
        unit = "incidents, later minus earlier"
    where = q.get("where") or []
    place = ", ".join(w.get("name", "") for w in where if w.get("kind") != "city")
    return map_data_from_rows(
        q["what"],
        rows,
        areas_of_place(where),
        (q.get("crime") or {}).get("label", "all crime"),
        period,
        data.get("data_through") or "",
        place,
        unit,
    )


def hot_map_data(
    items: list[dict], areas: Iterable[str], data_month: str, period: str, place: str = ""
) -> dict:
    """ "Where is it running hot": per area, how many of its categories run hot (0: none)."""
    values: dict[str, float | None] = {a: 0.0 for a in areas}
    for it in items:
        a = it.get("community")
        if a:
            values[a] = (values.get(a) or 0.0) + 1.0
    return {
        "shows": "hot",
        "what": "hot",
        "unit": "categories running hot",
        "subject": "categories per area",
        "period": period,
        "data_month": data_month,
        "place": place,
        "values": values,
        "notes": [
            "Running hot: more reported than the forecast's range allowed, after the "
            "false-discovery control of the alerts."
        ],
    }


def spec_of(data: dict, caveat: str) -> "MapSpec":
    """The renderer's input from a map description."""
    from bot.rendering.map import MapSpec

    return MapSpec(
        data["values"],
        data["shows"],
        data["subject"],
        data["period"] or "-",
        data["data_month"] or "-",
        caveat,
        unit=data["unit"],
        place=data["place"],
        notes=tuple(data.get("notes") or ()),
    )


def place_areas(state, where: list[dict]) -> list[str]:
    """Every area of the places (``where`` as in ``--json``): a region's or a group's own, else
    every area the counts or the reference data know (those without a figure: "no data")."""
    named = [
        a
        for w in where
        if w.get("kind") != "city"
        for a in (w.get("names") or w.get("communities") or [])
    ]
    if not named:
        return sorted(set(state.catalog.communities) | set(state.reference))
    return list(dict.fromkeys(named))


def with_map(engine, answer):
    """``answer`` with its map description in ``data["map"]`` when it has one: rows by area, or
    the series running hot."""
    if not answer.ok:
        return answer
    state = engine.state()
    if answer.intent == "hot" and answer.data.get("fdr"):  # tested (else nothing to show)
        place = (answer.data.get("query") or {}).get("place") or {}
        areas = place_areas(state, [place])
        label = "" if place.get("kind") == "city" else place.get("label", "")
        answer.data["map"] = hot_map_data(
            answer.data["hot"],
            areas,
            answer.data.get("data_through") or "",
            answer.data.get("month") or "",
            label,
        )
        return answer
    data = map_data(answer.data, lambda where: place_areas(state, where))
    if data is not None:
        answer.data["map"] = data
    return answer


def map_answer(engine, question: Question, context=None):
    """Answer ``question`` broken down by area, with its map (a question no map can show, a trend
    or a peak month, is answered as asked, without one)."""
    q = map_question(question) if mappable(question) else question
    return with_map(engine, engine.evaluate(engine.resolve(q), context))


MAP_WORDS = re.compile(
    r"^\s*(?:(?:show|draw|give)\s+(?:me\s+)?)?(?:an?\s+|the\s+)?map(?:\s+of)?"
    r"(?:\s+(?:the|where))?\b\s*[:,-]?\s*",
    re.I,
)


_MENTIONS = re.compile(r"^\s*(?:<@[!&]?\d+>\s*)+")


def map_request(text: str) -> str | None:
    """The question inside a request for a map ("map break-ins next month" -> "break-ins next
    month"), or None when the text asks for no map.

    >>> map_request("map assaults in the northeast in 2023"), map_request("Show me a map of thefts")
    ('assaults in the northeast in 2023', 'thefts')
    >>> map_request("where is it running hot"), map_request("mapleridge break-ins")
    ('where is it running hot', None)
    >>> map_request("<@123> map thefts")  # a chat mention before the words
    'thefts'
    """
    text = _MENTIONS.sub("", text or "")
    m = MAP_WORDS.match(text)
    if m:
        return text[m.end() :].strip()
    if re.match(r"^\s*where\b", text or "", re.I) and re.search(r"\b(?:hot|unusual)\b", text, re.I):
        return text.strip()
    return None


def ask_map(engine, text: str, context=None):
    """Answer ``text`` (a question, without the words asking for a map) broken down by area,
    with its map: the question value is asked with ``by = area`` before it is resolved; what no
    map can show ("status", a trend) and "where is it running hot" go the engine's usual way."""
    from bot.language.question import QueryError
    from bot.language.understand import parse_question

    from .commands.help import help_answer
    from .measures import EVALUATORS

    engine.state()
    names = engine.names
    question = None
    try:
        if engine.state().months:
            parsed = parse_question(text, names)
            if mappable(parsed) and parsed.what in EVALUATORS:
                question = engine.resolve(map_question(parsed))
    except QueryError as err:
        if err.kind == "clarify":  # a word that would change the map: ask back, never broaden
            return help_answer(err, names)
        question = None
    if question is not None:
        answer = with_map(engine, engine.evaluate(question, context))
    else:
        answer = with_map(engine, engine.run(lambda n: parse_question(text, n), context))
    if answer.ok and "map" not in answer.data and answer.intent != "hot":  # hot says why itself
        answer.warnings.append(NO_MAP)
    return answer


NO_MAP = (
    "No map for this answer: a map shows one value per area (a count, forecast, rate or "
    "change), e.g. 'map break-ins next month'."
)


def alert_map_png(
    client: redis.Redis, keys: Keys, alert: dict, geometries: "Geometries"
) -> bytes | None:
    """The weekly alert's one map: its series running hot, per area of the channel's scope
    (None when nothing runs hot, or no area can be placed: the alert keeps its chart)."""
    if not alert.get("hot"):
        return None
    from stream.keys import split_series_field
    from workers.alerts import SubscriptionStore
    from workers.alerts.scope import resolve_scope

    sub = SubscriptionStore(client, keys).get(str(alert.get("channel_id", "")))
    scope = resolve_scope(client, keys, sub) if sub is not None else None
    if scope is not None and scope.communities is not None:
        areas = sorted(scope.communities)
    else:
        areas = sorted(
            {split_series_field(as_text(f))[0] for f in client.smembers(keys.series)}
            | {as_text(a) for a in client.hkeys(keys.communities)}
        )
    data = hot_map_data(
        alert["hot"],
        areas,
        alert.get("data_through") or "",
        (alert.get("last_month") or {}).get("month") or alert.get("iso_week", ""),
        "" if scope is None or scope.communities is None else alert.get("scope_label", ""),
    )
    return map_png(data, geometries.get(), alert.get("caveat") or CAVEAT)


def answer_png(answer, geometries: "Geometries | None") -> tuple[bytes | None, str]:
    """The picture of an answer: its map when it has one and the areas can be placed, else its
    chart; ``(png or None, "map" | "chart")``."""
    data = answer.data.get("map") if answer.ok else None
    if data is not None and geometries is not None:
        png = map_png(data, geometries.get(), answer.caveat or CAVEAT)
        if png is not None:
            return png, "map"
    if answer.ok and answer.chart is not None:
        from bot.rendering.render import to_png

        return to_png(answer), "chart"
    return None, "chart"


class Geometries:
    """The areas' geometry, read once and kept: re-read when the stored polygons change (their
    ``loaded_at``) or, for centres of incidents (which move as records arrive), every
    ``max_age_s``."""

    def __init__(self, client: redis.Redis, keys: Keys, max_age_s: float = 300.0):
        self.client = client
        self.keys = keys
        self.max_age_s = max_age_s
        self._geo: "AreaGeometry | None" = None
        self._stamp: tuple | None = None

    def get(self) -> "AreaGeometry | None":
        from stream.boundaries import META
        from stream.geometry import area_geometry

        meta = self.client.hget(self.keys.boundaries, META)
        now = time.monotonic()
        stamp = (meta, None if meta else int(now // self.max_age_s))
        if self._stamp != stamp:
            self._geo = area_geometry(self.client, self.keys)
            self._stamp = stamp
        return self._geo


def map_png(data: dict, geometry: "AreaGeometry | None", caveat: str) -> bytes | None:
    """The map as PNG bytes, or None when there is no geometry or nothing to place."""
    if geometry is None or not data.get("values"):
        return None
    from bot.rendering.map import render_map

    try:
        return render_map(spec_of(data, caveat), geometry)
    except ValueError:  # none of the areas has a polygon or a location
        return None
