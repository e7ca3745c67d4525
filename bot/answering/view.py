"""What every intent reads: one question's view of the frozen data state.

A :class:`View` is built per question by :class:`bot.answering.engine.Engine` over a
:class:`~bot.answering.state.DataState` and public values only; it holds no state of its own.
It gives the detailed answers (:mod:`bot.answering.intents`) shared data access: rows of a place and categories, totals
of forecasts and counts over months, the newest complete month, archived forecasts, the common
answer header (notes, warnings, footer) and the chart of history plus forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from core.months import add_months, month_name, month_range
from core.negbin import total_interval as nb_total

from bot.answering.answer import Answer, ChartSpec, Line
from bot.language.names import CommunityInfo, Names, Place
from bot.language.horizon import Horizon
from bot.language.question import QueryError
from bot.language.resolve import NO_FORECASTS
from bot.rendering import header

from .arrays import Counts, Forecasts
from .asked import Asked as Query
from .state import DataState

HISTORY_MONTHS_SHOWN = 24


@dataclass
class Context:
    """Who is asking, from where (for subscribe/unsubscribe and the audit log)."""

    user_id: str = ""
    channel_id: str | None = None
    is_admin: bool = False
    transport: str = "console"


class View:
    """One question's read access to the frozen data state (counts, forecasts, names, archive)."""

    def __init__(self, state: DataState, names: Names, context: Context, today: date):
        self.state = state
        self.names = names
        self.context = context
        self._today = today
        self.client = state.client
        self.keys = state.keys
        self.profile = state.profile  # the city's words, places, population label
        self.hist = Counts(state)
        self.fc = Forecasts(
            state.forecasts,
            state,
            version=state.version,
            meta=state.meta,
            data_through=state.meta.get("data_through", ""),
            n_series=state.forecast_series,
        )
        self.info: dict[str, CommunityInfo] = state.reference
        self._totals: dict[tuple, tuple[float, int, int]] = {}  # forecast totals of this question

    def today(self) -> date:
        return self._today

    def memo(self, key: tuple, compute):
        """``compute()`` once per version of the data (e.g. the city-wide running-hot test)."""
        return self.state.memo(key, compute)

    def archived_before(self, month: str) -> Forecasts | None:
        """The archived forecast set made with data through the newest month before ``month``."""
        found = self.state.archived_before(month)
        if found is None:
            return None
        through, panel = found
        return Forecasts(panel, self.state, data_through=through)

    def archive_months(self) -> list[str]:
        return self.state.archive_months

    # --- data months -------------------------------------------------------------------------------
    def data_through(self) -> str | None:
        """The newest complete month the served forecasts rest on (else of the counts)."""
        return self.state.data_through()

    def complete_through(self) -> str | None:
        """The newest complete month of the counts (closed, or the forecasts' basis)."""
        return self.state.complete_through()

    def model_label(self) -> str:
        return header.model_label(self.state)

    def footer(self) -> str:
        return header.footer(self.state)

    def warnings(self) -> list[str]:
        """Staleness against today's date, forecasts lagging the counts, synthetic data."""
        return header.warnings(self.state, self.today())

    # --- rows and totals ---------------------------------------------------------------------------
    def rows(
        self, place: Place, categories: tuple[str, ...], *, history: bool = False
    ) -> np.ndarray:
        """Rows of the series in scope (with ``history``, every one; else those with a forecast)."""
        rows = self.state.rows(None if place.kind == "city" else place.communities, categories)
        return rows if history else self.fc.has(rows) if self.fc.version else rows[:0]

    def require_forecasts(self) -> None:
        if not self.fc.version or not self.fc.n_series:
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
            return fm[start : start + h.n], [], "forecast"
        if h.kind == "this_month":
            return fm[start : start + 1], [], "this_month"
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
        raise QueryError(
            f"No {h.label} in the forecasts (they cover {', '.join(fm) if fm else 'nothing yet'}).",
            kind="bad_option",
        )

    def hist_series(self, rows: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Monthly totals of complete months for the given history rows."""
        months = self.hist.months
        last = self.complete_through()
        n = len([m for m in months if last is None or m <= last])
        totals = self.hist.take(rows)[:, :n].sum(axis=0) if len(rows) else np.zeros(n, np.int64)
        return months[:n], totals

    def observed(self, rows: np.ndarray, months: list[str]) -> int | None:
        """The count over ``months`` for history rows (None if a month is outside the counts)."""
        cols = [self.hist.col[m] for m in months if m in self.hist.col]
        if len(cols) != len(months) or not len(self.hist.months):
            return None
        return int(self.hist.take(rows)[:, cols].sum()) if len(rows) else 0

    def forecast_total(self, rows: np.ndarray, months: list[str]) -> tuple[float, int, int]:
        """Mean and 80% range of the served forecasts summed over rows and months (once per
        question: the answer's lines, its fields and its chart ask for the same months)."""
        key = (rows.tobytes(), tuple(months))
        if key not in self._totals:
            self._totals[key] = self._forecast_total(rows, months)
        return self._totals[key]

    def _forecast_total(self, rows: np.ndarray, months: list[str]) -> tuple[float, int, int]:
        cols = [self.fc.months.index(m) for m in months]
        mean, alpha, lo, hi = self.fc.take(rows)
        if len(rows) == 1 and len(cols) == 1:  # one series, one month: the served interval
            j = cols[0]
            return float(mean[0, j]), int(lo[0, j]), int(hi[0, j])
        return nb_total(mean[:, cols].ravel(), alpha[:, cols].ravel())

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
            return None, (
                "Rates per 1,000 residents need the census reference data "
                "(`crimecast reference load`); not loaded."
            )
        if not any(i.population for i in self.info.values()):
            why = (
                "its profile names none"
                if self.profile.reference.population is None
                else "an admin loads them with `crimecast reference load --population FILE`"
            )
            return None, (
                f"No population figures are loaded for {self.profile.name} ({why}), so "
                "no rate per 1,000 residents."
            )
        if place.kind == "city":
            pop = sum(i.population or 0 for i in self.info.values())
        else:
            pop = self.names.population(communities)
        if not pop:
            return None, (
                f"No census population for {place.label} (industrial, park or new area), "
                "so no rate per 1,000 residents."
            )
        return value / pop * 1000.0, f"per 1,000 residents ({self.population_label()} {pop:,})"

    def population_label(self) -> str:
        """What the population figures are ("2021 census household population")."""
        pop = self.profile.reference.population
        return pop.label if pop else "census population"

    # --- answers -----------------------------------------------------------------------------------
    def describe(self, place: Place, query: Query) -> str:
        cat = query.category_label if query.categories else "all reported crime"
        return f"{place.label}, {cat}"

    def header(self, intent: str, title: str = "") -> Answer:
        """An answer with the warnings, footer and the data's month and model (no words yet)."""
        return header.header(self.state, self.today(), intent, title)

    def base(self, query: Query, title: str) -> Answer:
        """An answer with the query's notes, ignored words, warnings, footer and common data."""
        return header.base(
            self.state,
            self.today(),
            self.names,
            query.intent,
            title,
            notes=query.notes,
            places=query.places,
            categories=query.categories,
            category_label=query.category_label,
        )

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
        return (
            self.rows(query.place, query.categories) if self.fc.version else np.zeros(0, np.int64)
        )


def beyond(month: str, fm: list[str], hm: list[str]) -> str:
    """Why there is nothing for ``month``: past the forecasts, or before the data."""
    if fm and month > fm[-1]:
        return f"{month_name(month)} is beyond the forecasts, which reach {month_name(fm[-1])}."
    if hm and month < hm[0]:
        return f"{month_name(month)} is before the data, which start in {month_name(hm[0])}."
    return f"No data or forecast for {month_name(month)}."
