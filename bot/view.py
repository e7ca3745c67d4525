"""What every intent reads: one question's view of the snapshots the engine keeps current.

A :class:`View` is built per question by :class:`bot.engine.Engine`; it holds no state of its own.
It gives the intents (:mod:`bot.intents`) shared data access: rows of a place and categories, totals
of forecasts and counts over months, the newest complete month, archived forecasts, the common
answer header (notes, warnings, footer) and the chart of history plus forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from core.months import add_months, month_index, month_name, month_range
from core.negbin import total_interval as nb_total

from .answer import Answer, ChartSpec, Line
from .language.names import CommunityInfo, Names, Place
from .language.parse import Horizon, Query, QueryError
from .snapshot import ArchivedSet, ForecastSnapshot, HistorySnapshot


if TYPE_CHECKING:
    from .engine import Engine

HISTORY_MONTHS_SHOWN = 24
STALE_AFTER_MONTHS = 2  # the portal publishes a month some weeks after it ends
NO_FORECASTS = ("No forecasts yet. Run `crimecast demo` (sample data, one command) or ingest data and "
                "run `crimecast train`; answers appear as soon as the workers have written forecasts.")


@dataclass
class Context:
    """Who is asking, from where (for subscribe/unsubscribe and the audit log)."""

    user_id: str = ""
    channel_id: str | None = None
    is_admin: bool = False
    transport: str = "console"


class View:
    """One question's read access to the engine's snapshots (forecasts, counts, names, archive)."""

    def __init__(self, engine: "Engine", context: Context):
        self.engine = engine
        self.context = context
        self.client = engine.client
        self.keys = engine.keys
        self.store = engine.store

    # --- snapshots ---------------------------------------------------------------------------------
    @property
    def fc(self) -> ForecastSnapshot:
        return self.engine._fc  # type: ignore[return-value]

    @property
    def hist(self) -> HistorySnapshot:
        return self.engine._hist  # type: ignore[return-value]

    @property
    def names(self) -> Names:
        return self.engine.names

    @property
    def info(self) -> dict[str, CommunityInfo]:
        return self.engine._info

    def today(self) -> date:
        return self.engine.today()

    def archived_before(self, month: str) -> ArchivedSet | None:
        """The archived forecast set made with data through the newest month before ``month``."""
        return self.engine.archived_before(month)

    def archive_months(self) -> list[str]:
        return list(self.engine._archive_index)

    # --- data months -------------------------------------------------------------------------------
    def data_through(self) -> str | None:
        """The newest complete month the served forecasts rest on (else of the counts)."""
        meta_dt = self.fc.meta.get("data_through")
        if meta_dt:
            return meta_dt
        if self.fc.months:
            return add_months(self.fc.months[0], -1)
        return self.hist.last_closed or (self.hist.months[-1] if self.hist.months else None)

    def complete_through(self) -> str | None:
        """The newest complete month of the counts (closed, or the forecasts' basis)."""
        marks = [m for m in (self.hist.last_closed, self.data_through()) if m]
        return max(marks) if marks else None

    def model_label(self) -> str:
        model = self.fc.meta.get("model") or (self.fc.models[0] if self.fc.models else "")
        return f"{model} (forecast set v{self.fc.version})" if model else f"v{self.fc.version}"

    def footer(self) -> str:
        dt = self.data_through()
        parts = [f"Data through {dt}" if dt else "No data yet"]
        if self.fc.version:
            parts.append(f"model {self.model_label()}")
        if self.hist.synthetic:
            parts.append("SYNTHETIC demo data")
        return " · ".join(parts)


    def warnings(self) -> list[str]:
        """Staleness against today's date, forecasts lagging the counts, synthetic data."""
        out = []
        dt = self.data_through()
        today = self.today()
        if dt:
            behind = today.year * 12 + today.month - 1 - month_index(dt)
            if behind > STALE_AFTER_MONTHS:
                out.append(f"⚠ Stale: the data run through {month_name(dt)}, {behind} months before "
                           f"today ({today.isoformat()}); \"next month\" here means "
                           f"{month_name(add_months(dt, 1))}. Ingest newer data for current forecasts.")
        lc = self.hist.last_closed
        if lc and dt and lc > dt and self.fc.version:
            out.append(f"⚠ Counts now run through {lc} but the forecasts still rest on {dt}: "
                       "they refresh when the workers next train (`crimecast train`).")
        if self.hist.synthetic:
            out.append("⚠ Synthetic demo data: these are not real crime counts.")
        return out

    # --- rows and totals ---------------------------------------------------------------------------
    def rows(self, place: Place, categories: tuple[str, ...], *, history: bool = False) -> np.ndarray:
        """Row indices of the forecast (or, with ``history``, the counts) snapshot in scope."""
        snap = self.hist if history else self.fc
        names = snap.categories
        return select(len(snap.series), snap.by_community, snap.category_of, names, place, categories)

    def require_forecasts(self) -> None:
        if not self.fc.version or not self.fc.series:
            raise QueryError(NO_FORECASTS, kind="no_forecasts")

    def target_months(self, h: Horizon) -> tuple[list[str], list[str], str]:
        """(forecast months, observed months, mode) for a horizon."""
        fm = self.fc.months
        dt = self.data_through()
        # "next month" = the first month after the newest complete month in the data; when the
        # counts have moved past the forecasts' basis, start there if the forecasts reach it
        start = 0
        lc = self.hist.last_closed
        if lc and dt and lc > dt and add_months(lc, 1) in fm:
            start = fm.index(add_months(lc, 1))
        if h.kind == "next":
            return fm[start:start + h.n], [], "forecast"
        if h.kind == "this_month":
            return fm[start:start + 1], [], "this_month"
        if h.kind == "span":  # months named as a period, all inside the forecasts
            months = month_range(h.month, add_months(h.month, h.n - 1))
            if not set(months) <= set(fm):
                raise QueryError(beyond(months[-1], fm, self.hist.months), kind="bad_option")
            return months, [], "forecast"
        if h.month:  # a named month with its year
            if h.month in fm:
                return [h.month], [], "forecast"
            ct = self.complete_through()
            if ct and h.month <= ct and h.month in self.hist.months:
                return [], [h.month], "observed"
            raise QueryError(beyond(h.month, fm, self.hist.months), kind="bad_option")
        for m in fm:
            if int(m[5:]) == h.month_number:
                return [m], [], "forecast"
        ct = self.complete_through()
        past = [m for m in self.hist.months if int(m[5:]) == h.month_number and (not ct or m <= ct)]
        if past:
            return [], [past[-1]], "observed"
        raise QueryError(f"No {h.label} in the forecasts (they cover "
                         f"{', '.join(fm) if fm else 'nothing yet'}).", kind="bad_option")

    def hist_series(self, rows: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Monthly totals of complete months for the given history rows."""
        months = self.hist.months
        last = self.complete_through()
        n = len([m for m in months if last is None or m <= last])
        totals = self.hist.values[rows, :n].sum(axis=0) if len(rows) else np.zeros(n, np.int64)
        return months[:n], totals

    def observed(self, rows: np.ndarray, months: list[str]) -> int | None:
        """The count over ``months`` for history rows (None if a month is outside the counts)."""
        cols = [self.hist.col[m] for m in months if m in self.hist.col]
        if len(cols) != len(months) or not len(self.hist.months):
            return None
        return int(self.hist.values[np.ix_(rows, cols)].sum()) if len(rows) else 0

    def forecast_total(self, rows: np.ndarray, months: list[str]) -> tuple[float, int, int]:
        """Mean and 80% range of the served forecasts summed over rows and months."""
        cols = [self.fc.months.index(m) for m in months]
        if len(rows) == 1 and len(cols) == 1:  # one series, one month: the served interval
            i, j = rows[0], cols[0]
            return float(self.fc.mean[i, j]), int(self.fc.lo[i, j]), int(self.fc.hi[i, j])
        sub = np.ix_(rows, cols)
        return nb_total(self.fc.mean[sub].ravel(), self.fc.alpha[sub].ravel())

    def forecast_line(self, rows: np.ndarray, months: list[str]) -> tuple[list, list, list]:
        mean, lo, hi = [], [], []
        for m in months:
            t = self.forecast_total(rows, [m])
            mean.append(round(t[0], 2))
            lo.append(t[1])
            hi.append(t[2])
        return mean, lo, hi

    def rate(self, place: Place, value: float) -> tuple[float | None, str]:
        """``value`` per 1,000 residents of ``place`` and a note saying on what population."""
        communities = place.communities if place.kind != "city" else tuple(self.names.communities)
        if not self.info:
            return None, ("Rates per 1,000 residents need the census reference data "
                          "(`crimecast reference load`); not loaded.")
        if not any(i.population for i in self.info.values()):
            why = ("its profile names none" if self.profile.reference.population is None else
                   "an admin loads them with `crimecast reference load --population FILE`")
            return None, (f"No population figures are loaded for {self.profile.name} ({why}), so "
                          "no rate per 1,000 residents.")
        if place.kind == "city":
            pop = sum(i.population or 0 for i in self.info.values())
        else:
            pop = self.names.population(communities)
        if not pop:
            return None, (f"No census population for {place.label} (industrial, park or new area), "
                          "so no rate per 1,000 residents.")
        return value / pop * 1000.0, f"per 1,000 residents ({self.population_label()} {pop:,})"

    @property
    def profile(self):
        """The city profile (its words, places, population label)."""
        return self.engine.profile

    def population_label(self) -> str:
        """What the population figures are ("2021 census household population")."""
        pop = self.profile.reference.population
        return pop.label if pop else "census population"

    # --- answers -----------------------------------------------------------------------------------
    def describe(self, place: Place, query: Query) -> str:
        cat = query.category_label if query.categories else "all reported crime"
        return f"{place.label}, {cat}"

    def base(self, query: Query, title: str) -> Answer:
        """An answer with the query's notes, ignored words, warnings, footer and common data."""
        a = Answer(query.intent, title, footer=self.footer(), warnings=self.warnings())
        for note in query.notes:
            a.lines.append(f"ℹ {note}")
        if query.ignored:
            a.lines.append("ℹ Ignored words I didn't recognise: " + ", ".join(query.ignored[:5]))
        for p in query.places:
            note = self.names.fallback_note(p)
            if note:
                a.lines.append(f"ℹ {note}")
        a.data.update({"data_through": self.data_through(), "model": self.fc.meta.get("model", ""),
                       "model_version": self.fc.version, "categories": list(query.categories),
                       "category_label": query.category_label})
        return a

    def line_chart(self, title: str, places: list[tuple[str, np.ndarray, np.ndarray]]) -> ChartSpec:
        """History (last 24 complete months) and the served forecast with its band, per place."""
        spec = ChartSpec("lines", title, note=self.footer())
        for label, rows, hrows in places:
            months, totals = self.hist_series(hrows)
            months, totals = months[-HISTORY_MONTHS_SHOWN:], totals[-HISTORY_MONTHS_SHOWN:]
            line = Line(label, list(months), [float(x) for x in totals])
            if len(rows) and self.fc.months:
                line.f_months = list(self.fc.months)
                line.f_mean, line.f_lo, line.f_hi = self.forecast_line(rows, self.fc.months)
            spec.lines.append(line)
        return spec

    def forecast_rows(self, query: Query) -> np.ndarray:
        """Forecast rows of the query's place (none when there are no forecasts)."""
        return self.rows(query.place, query.categories) if self.fc.version else np.zeros(0, np.int64)


def select(n: int, by_community: dict[str, np.ndarray], category_of: np.ndarray,
           category_names: list[str], place: Place, categories: tuple[str, ...]) -> np.ndarray:
    """Rows (ascending) of a snapshot of ``n`` series whose community is in ``place`` and whose
    category is one of ``categories`` (any when empty); ``category_of`` indexes ``category_names``."""
    if place.kind == "city":
        rows = np.arange(n, dtype=np.int64)
    else:
        parts = [by_community[c] for c in place.communities if c in by_community]
        rows = np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    if categories and len(rows):
        wanted = [i for i, c in enumerate(category_names) if c in set(categories)]
        rows = rows[np.isin(category_of[rows], wanted)]
    return rows


def beyond(month: str, fm: list[str], hm: list[str]) -> str:
    """Why there is nothing for ``month``: past the forecasts, or before the data."""
    if fm and month > fm[-1]:
        return f"{month_name(month)} is beyond the forecasts, which reach {month_name(fm[-1])}."
    if hm and month < hm[0]:
        return f"{month_name(month)} is before the data, which start in {month_name(hm[0])}."
    return f"No data or forecast for {month_name(month)}."

