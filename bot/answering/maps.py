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

import time
from dataclasses import replace
from typing import Iterable

import redis

from stream.geometry import AreaGeometry, area_geometry
from stream.keys import Keys

from bot.language.question import Question
from bot.rendering.map import MapSpec, render_map

#: measures a map can show (the renderer's ``shows``)
SHOWS = {"count": "count", "forecast": "forecast", "rate": "rate", "change": "change",
         "average": "average", "share": "share"}


def mappable(q: Question) -> bool:
    """True for a question whose rows can be one value per area."""
    return q.what in SHOWS


def map_question(q: Question) -> Question:
    """The question broken down by area, unranked (a map shows every area of the place)."""
    return replace(q, by="area", ranking=None, chart=False)


def map_data_from_rows(what: str, rows: Iterable[dict], areas: Iterable[str], subject: str,
                       period: str, data_month: str, place: str, unit: str = "incidents",
                       notes: Iterable[str] = ()) -> dict:
    """The map's JSON-friendly description from result rows (``--json`` rows) by area."""
    field = "change" if what == "change" else "value"
    values: dict[str, float | None] = {a: None for a in areas}
    for r in rows:
        if r.get("area"):
            v = r.get(field)
            values[r["area"]] = None if v is None else float(v)
    return {"shows": SHOWS.get(what, what), "what": what, "unit": unit, "subject": subject,
            "period": period, "data_month": data_month, "place": place, "values": values,
            "notes": list(notes)}


def map_data(question: Question, answer_data: dict, areas: Iterable[str]) -> dict | None:
    """The map of an evaluated by-area question (``answer_data`` is the answer's ``data``)."""
    result = answer_data.get("result") or {}
    if not mappable(question) or not result.get("rows"):
        return None
    when = question.when
    period = (f"{when[0].label} → {when[1].label}" if len(when) == 2 else
              when[-1].label if when else "")
    if question.what == "change" and len(when) == 1:
        prev = (result.get("previous_period") or {}).get("label", "a year earlier")
        period = f"{when[-1].label} vs {prev}"
    unit = result.get("unit", "incidents")
    if question.what == "change":
        unit = "incidents, later minus earlier"
    place = "" if question.place.kind == "city" else question.place.label
    return map_data_from_rows(question.what, result["rows"], areas, question.crime.label, period,
                              answer_data.get("data_through") or "", place, unit)


def hot_map_data(items: list[dict], areas: Iterable[str], data_month: str, period: str,
                 place: str = "") -> dict:
    """"Where is it running hot": per area, how many of its categories run hot (0: none)."""
    values: dict[str, float | None] = {a: 0.0 for a in areas}
    for it in items:
        a = it.get("community")
        if a:
            values[a] = (values.get(a) or 0.0) + 1.0
    return {"shows": "count", "what": "hot", "unit": "categories running hot",
            "subject": "categories running hot", "period": period, "data_month": data_month,
            "place": place, "values": values,
            "notes": ["Running hot: more reported than the forecast's range allowed, after the "
                      "false-discovery control of the alerts."]}


def spec_of(data: dict, caveat: str) -> MapSpec:
    """The renderer's input from a map description."""
    return MapSpec(data["values"], data["shows"], data["subject"], data["period"] or "-",
                   data["data_month"] or "-", caveat, unit=data["unit"], place=data["place"],
                   notes=tuple(data.get("notes") or ()))


def place_areas(q: Question, state) -> list[str]:
    """Every area of the question's place: a region's or a group's own, else every area the
    counts or the reference data know (those without a figure are drawn as "no data")."""
    from .scope import areas_of

    scope = areas_of(q.where)
    if scope is None:
        return sorted(set(state.catalog.communities) | set(state.reference))
    return list(scope)


def map_answer(engine, question: Question, context=None):
    """Answer ``question`` broken down by area, with its map in ``data["map"]``; a question no
    map can show (a trend, a peak month) is answered as asked, without one."""
    if not mappable(question):
        return engine.evaluate(engine.resolve(question), context)
    q = engine.resolve(map_question(question))
    answer = engine.evaluate(q, context)
    data = map_data(q, answer.data, place_areas(q, engine.state()))
    if data is not None:
        answer.data["map"] = data
    return answer


class Geometries:
    """The areas' geometry, read once and kept: re-read when the stored polygons change (their
    ``loaded_at``) or, for centres of incidents (which move as records arrive), every
    ``max_age_s``."""

    def __init__(self, client: redis.Redis, keys: Keys, max_age_s: float = 300.0):
        self.client = client
        self.keys = keys
        self.max_age_s = max_age_s
        self._geo: AreaGeometry | None = None
        self._stamp: tuple | None = None

    def get(self) -> AreaGeometry | None:
        from stream.boundaries import META

        meta = self.client.hget(self.keys.boundaries, META)
        now = time.monotonic()
        stamp = (meta, None if meta else int(now // self.max_age_s))
        if self._stamp != stamp:
            self._geo = area_geometry(self.client, self.keys)
            self._stamp = stamp
        return self._geo


def map_png(data: dict, geometry: AreaGeometry | None, caveat: str) -> bytes | None:
    """The map as PNG bytes, or None when there is no geometry or nothing to place."""
    if geometry is None or not data.get("values"):
        return None
    try:
        return render_map(spec_of(data, caveat), geometry)
    except ValueError:  # none of the areas has a polygon or a location
        return None
