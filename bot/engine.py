"""The query engine: a :class:`~bot.query.Query` -> an :class:`~bot.answer.Answer`.

Reads what the workers keep current in Redis: the served forecasts
(:class:`stream.forecast_cache.ForecastCache`) and the counts (:class:`stream.store.CountStore`),
plus the optional community reference data (``keys.communities``). Both are held in memory as
numpy arrays and reloaded only when they change, so a question costs one pipelined round trip to
Redis plus a little arithmetic. No Discord, no torch.

Totals over several series (a group of communities, several categories, several months) are
coherent: the mean is the sum of the means and the 80% interval is that of one negative binomial
matching the sum's mean and variance (series treated as independent).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable, Mapping

import numpy as np
import redis

from core.months import add_months, month_index, month_name
from core.negbin import total_interval as nb_total
from stream.forecast_cache import ForecastCache
from stream.keys import Keys
from stream.store import CountStore

from .answer import CAVEAT, TOP_CAVEAT, Answer, Bar, ChartSpec, Line
from .names import CommunityInfo, Names, Place, normalise
from .query import EXAMPLES, Horizon, Query, QueryError, parse
from .snapshot import ForecastSnapshot, HistorySnapshot
from .wording import fmt_change, fmt_range

log = logging.getLogger(__name__)

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


class Engine:
    """Answers queries from Redis-held forecasts and counts; cheap to call many times.

    ``today`` is a date or a callable returning one (for the staleness check; default UTC today).
    ``history_reload_s`` bounds how often the counts are re-read while records stream in.
    """

    def __init__(self, client: redis.Redis, keys: Keys, *,
                 today: date | Callable[[], date] | None = None, history_reload_s: float = 30.0):
        self.client = client
        self.keys = keys
        self.cache = ForecastCache(client, keys)
        self.store = CountStore(client, keys)
        self._today = today
        self.history_reload_s = history_reload_s
        self._fc: ForecastSnapshot | None = None
        self._hist: HistorySnapshot | None = None
        self._hist_sig: tuple | None = None
        self._hist_gen = 0
        self._ref_sig: object = None
        self._info: dict[str, CommunityInfo] = {}
        self._names: Names | None = None
        self._names_sig: tuple | None = None

    # --- state -----------------------------------------------------------------------------------
    def today(self) -> date:
        if self._today is None:
            return datetime.now(timezone.utc).date()
        return self._today() if callable(self._today) else self._today

    def refresh(self) -> None:
        """One pipelined round trip; reload whatever changed since the last question."""
        k = self.keys
        pipe = self.client.pipeline(transaction=False)
        pipe.hget(k.forecasts_meta, "version")
        pipe.zcard(k.months)
        pipe.zrange(k.closed_months, -1, -1)
        pipe.get(k.watermark)
        pipe.scard(k.series)
        pipe.hlen(k.communities)
        version, n_months, last_closed, watermark, n_series, n_ref = pipe.execute()
        version = int(version) if version is not None else 0
        if self._fc is None or self._fc.version != version:
            entries = self.cache.read_all() if version else {}
            self._fc = ForecastSnapshot.build(version, self.cache.meta() if version else {}, entries)
        sig = (n_months, tuple(last_closed), watermark, n_series)
        stale_hist = self._hist is None or (
            sig != self._hist_sig and (sig[:2] != (self._hist_sig or (None, None))[:2]
                                       or time.monotonic() - self._hist.loaded_at
                                       > self.history_reload_s))
        if stale_hist:
            self._hist = HistorySnapshot.load(self.store)
            self._hist_sig = sig
            self._hist_gen += 1
        if n_ref != self._ref_sig:
            self._info = self._load_reference() if n_ref else {}
            self._ref_sig = n_ref
        names_sig = (version, self._hist_gen, n_ref)
        if self._names is None or names_sig != self._names_sig:
            communities = set(self._hist.by_community) | set(self._fc.by_community)
            categories = list(dict.fromkeys(self._fc.categories + self._hist.categories))
            self._names = Names(communities, categories, self._info)
            self._names_sig = names_sig

    def _load_reference(self) -> dict[str, CommunityInfo]:
        out = {}
        for name, raw in self.client.hgetall(self.keys.communities).items():
            name = name.decode() if isinstance(name, bytes) else name
            try:
                d = json.loads(raw)
                pop = d.get("population")
                out[name] = CommunityInfo(name, str(d.get("code") or ""), str(d.get("sector") or ""),
                                          str(d.get("class") or ""),
                                          int(pop) if pop not in (None, "", 0) else None)
            except (ValueError, TypeError, AttributeError):
                log.warning("skipping unreadable reference entry for %s", name)
        return out

    @property
    def names(self) -> Names:
        if self._names is None:
            self.refresh()
        return self._names  # type: ignore[return-value]

    # --- entry points ------------------------------------------------------------------------------
    def ask(self, text: str, context: Context | None = None) -> Answer:
        """Parse and answer free text; a question it cannot understand gets a help answer."""
        self.refresh()
        try:
            query = parse(text, self.names)
        except QueryError as err:
            return help_answer(err)
        return self.answer(query, context, refreshed=True)

    def answer(self, query: Query, context: Context | None = None, *, refreshed: bool = False) -> Answer:
        """Answer a parsed query; errors users can fix come back as help answers."""
        if not refreshed:
            self.refresh()
        context = context or Context()
        try:
            handler = getattr(self, f"_{query.intent}")
            answer = handler(query, context)
        except QueryError as err:
            return help_answer(err)
        answer.data.setdefault("query", query.to_dict())
        return answer

    # --- helpers -----------------------------------------------------------------------------------
    @property
    def fc(self) -> ForecastSnapshot:
        assert self._fc is not None
        return self._fc

    @property
    def hist(self) -> HistorySnapshot:
        assert self._hist is not None
        return self._hist

    def data_through(self) -> str | None:
        """The newest complete month the served forecasts rest on (else of the counts)."""
        meta_dt = self.fc.meta.get("data_through")
        if meta_dt:
            return meta_dt
        if self.fc.months:
            return add_months(self.fc.months[0], -1)
        return self.hist.last_closed or (self.hist.months[-1] if self.hist.months else None)

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

    def _rows(self, place: Place, categories: tuple[str, ...], *, history: bool = False) -> np.ndarray:
        snap = self.hist if history else self.fc
        if place.kind == "city":
            rows = np.arange(len(snap.series), dtype=np.int64)
        else:
            parts = [snap.by_community[c] for c in place.communities if c in snap.by_community]
            rows = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        if categories:
            wanted = set(categories)
            rows = np.array([i for i in rows if snap.series[i][1] in wanted], dtype=np.int64)
        return rows

    def _require_forecasts(self) -> None:
        if not self.fc.version or not self.fc.series:
            raise QueryError(NO_FORECASTS, kind="no_forecasts")

    def _target_months(self, h: Horizon) -> tuple[list[str], list[str], str]:
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
            months = fm[start:start + h.n]
            return months, [], "forecast"
        if h.kind == "this_month":
            return fm[start:start + 1], [], "this_month"
        if h.month:  # a named month with its year
            if h.month in fm:
                return [h.month], [], "forecast"
            ct = self.complete_through()
            if ct and h.month <= ct and h.month in self.hist.months:
                return [], [h.month], "observed"
            raise QueryError(_beyond(h.month, fm, self.hist.months), kind="bad_option")
        for m in fm:
            if int(m[5:]) == h.month_number:
                return [m], [], "forecast"
        ct = self.complete_through()
        past = [m for m in self.hist.months if int(m[5:]) == h.month_number and (not ct or m <= ct)]
        if past:
            return [], [past[-1]], "observed"
        raise QueryError(f"No {h.label} in the forecasts (they cover "
                         f"{', '.join(fm) if fm else 'nothing yet'}).", kind="bad_option")

    def complete_through(self) -> str | None:
        """The newest complete month of the counts (closed, or the forecasts' basis)."""
        marks = [m for m in (self.hist.last_closed, self.data_through()) if m]
        return max(marks) if marks else None

    def _hist_series(self, rows: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Monthly totals of complete months for the given history rows."""
        months = self.hist.months
        last = self.complete_through()
        n = len([m for m in months if last is None or m <= last])
        totals = self.hist.values[rows, :n].sum(axis=0) if len(rows) else np.zeros(n, np.int64)
        return months[:n], totals

    def _observed(self, rows: np.ndarray, months: list[str]) -> int | None:
        cols = [self.hist.months.index(m) for m in months if m in self.hist.months]
        if len(cols) != len(months) or not len(self.hist.months):
            return None
        return int(self.hist.values[np.ix_(rows, cols)].sum()) if len(rows) else 0

    def _forecast_total(self, rows: np.ndarray, months: list[str]) -> tuple[float, int, int]:
        cols = [self.fc.months.index(m) for m in months]
        if len(rows) == 1 and len(cols) == 1:  # one series, one month: the served interval
            i, j = rows[0], cols[0]
            return float(self.fc.mean[i, j]), int(self.fc.lo[i, j]), int(self.fc.hi[i, j])
        sub = np.ix_(rows, cols)
        return nb_total(self.fc.mean[sub].ravel(), self.fc.alpha[sub].ravel())

    def _forecast_line(self, rows: np.ndarray, months: list[str]) -> tuple[list, list, list]:
        mean, lo, hi = [], [], []
        for m in months:
            t = self._forecast_total(rows, [m])
            mean.append(round(t[0], 2))
            lo.append(t[1])
            hi.append(t[2])
        return mean, lo, hi

    def _rate(self, place: Place, value: float) -> tuple[float | None, str]:
        communities = place.communities if place.kind != "city" else tuple(self.names.communities)
        if not self._info:
            return None, ("Rates per 1,000 residents need the census reference data "
                          "(`crimecast reference load`); not loaded.")
        if place.kind == "city":
            pop = sum(i.population or 0 for i in self._info.values())
        else:
            pop = self.names.population(communities)
        if not pop:
            return None, (f"No census population for {place.label} (industrial, park or new area), "
                          "so no rate per 1,000 residents.")
        return value / pop * 1000.0, f"per 1,000 residents (2021 census household population {pop:,})"

    def _describe(self, place: Place, query: Query) -> str:
        cat = query.category_label if query.categories else "all reported crime"
        return f"{place.label}, {cat}"

    def _base(self, query: Query, title: str) -> Answer:
        a = Answer(query.intent, title, footer=self.footer(), warnings=self.warnings())
        for note in query.notes:
            a.lines.append(f"ℹ {note}")
        if query.ignored:
            a.lines.append("ℹ Ignored words I didn't recognise: " + ", ".join(query.ignored[:5]))
        a.data.update({"data_through": self.data_through(), "model": self.fc.meta.get("model", ""),
                       "model_version": self.fc.version, "categories": list(query.categories),
                       "category_label": query.category_label})
        return a

    # --- intents -----------------------------------------------------------------------------------
    def _forecast(self, query: Query, ctx: Context) -> Answer:
        self._require_forecasts()
        place = query.place
        rows = self._rows(place, query.categories)
        if not len(rows):
            raise QueryError(f"No forecast for {self._describe(place, query)}: none has been "
                             "reported there in the data, so there is no series to forecast.",
                             kind="bad_option")
        hrows = self._rows(place, query.categories, history=True)
        f_months, o_months, mode = self._target_months(query.horizon)
        if mode == "observed":
            return self._observed_answer(query, place, hrows, o_months[0])
        mean, lo, hi = self._forecast_total(rows, f_months)
        span = month_name(f_months[0]) if len(f_months) == 1 else \
            f"{month_name(f_months[0])} – {month_name(f_months[-1])}"
        a = self._base(query, f"{self._describe(place, query)}: {span}")
        if query.horizon.kind == "next" and query.horizon.n > len(f_months):
            a.lines.append(f"ℹ The forecasts reach {len(f_months)} month(s) ahead; showing those.")
        total_label = "Expected" if len(f_months) == 1 else f"Expected over {len(f_months)} months"
        if mode == "this_month":
            a = self._this_month(query, place, rows, hrows, f_months[0], a)
        else:
            a.lines.insert(0, f"**{total_label}: {fmt_range(mean, lo, hi)}** reported incidents.")
        a.data.update({"place": place.to_dict(), "months": f_months, "mean": round(mean, 2),
                       "lo80": lo, "hi80": hi})
        # same months last year
        ly = [add_months(m, -12) for m in f_months]
        last_year = self._observed(hrows, ly)
        if last_year is not None:
            label = month_name(ly[0]) if len(ly) == 1 else f"{ly[0]} – {ly[-1]}"
            a.fields.append(("Same period last year", f"{last_year:,} ({label})"))
            a.data["last_year"] = last_year
        self._trend_fields(a, hrows)
        if query.per_1000:
            rate, note = self._rate(place, mean)
            if rate is None:
                a.lines.append(f"ℹ {note}")
            else:
                period = "" if len(f_months) == 1 else f" over {len(f_months)} months"
                a.fields.append(("Rate", f"{rate:.2f} {note}{period}"))
                a.data["rate_per_1000"] = round(rate, 3)
        if len(f_months) > 1:
            m_mean, m_lo, m_hi = self._forecast_line(rows, f_months)
            a.fields.append(("By month", "\n".join(
                f"{m}: {fmt_range(x, l, h)}" for m, x, l, h in zip(f_months, m_mean, m_lo, m_hi))))
        if len({self.fc.series[i][1] for i in rows}) > 1:
            a.fields.append(("By category", self._by_category(rows, f_months)))
        a.fields.append(("Model", self.model_label()))
        a.caveat = CAVEAT
        if query.chart:
            a.chart = self._line_chart(f"{self._describe(place, query)}", [(place.label, rows, hrows)])
        return a

    def _this_month(self, query, place, rows, hrows, month, a: Answer) -> Answer:
        """Month to date (observed days) plus the forecast pro-rated over the days left."""
        from calendar import monthrange

        y, m = int(month[:4]), int(month[5:])
        dim = monthrange(y, m)[1]
        wm = self.hist.watermark
        if wm is None or (wm.year, wm.month) != (y, m):
            a.lines.insert(0, f"**Expected: {fmt_range(*self._forecast_total(rows, [month]))}** "
                              f"reported incidents in {month_name(month)}.")
            a.lines.append(f"ℹ No days of {month_name(month)} have been counted yet, so this is the "
                           "whole-month forecast.")
            return a
        days = wm.day
        counts = self.store.day_counts(date(y, m, 1), wm)
        wanted = {self.hist.series[i] for i in hrows}
        observed = sum(v for k, v in counts.items() if k in wanted)
        frac = (dim - days) / dim
        cols = [self.fc.months.index(month)]
        sub = np.ix_(rows, cols)
        rest, lo, hi = nb_total(self.fc.mean[sub].ravel() * frac, self.fc.alpha[sub].ravel())
        a.lines.insert(0, f"**{month_name(month)} so far: {observed:,}** (days 1–{days} of {dim}); "
                          f"expected for the rest: {fmt_range(rest, lo, hi)}; month total "
                          f"{fmt_range(observed + rest, observed + lo, observed + hi)}.")
        a.data.update({"month_to_date": observed, "days": days, "days_in_month": dim})
        return a

    def _observed_answer(self, query, place, hrows, month) -> Answer:
        a = self._base(query, f"{self._describe(place, query)}: {month_name(month)} (observed)")
        got = self._observed(hrows, [month]) or 0
        a.lines.append(f"**Reported: {got:,}** in {month_name(month)} — a month already in the data, "
                       "so this is the count, not a forecast.")
        prev = self._observed(hrows, [add_months(month, -12)])
        if prev is not None:
            a.fields.append(("Same month a year earlier", f"{prev:,} ({fmt_change(got, prev)})"))
        a.data.update({"place": place.to_dict(), "months": [month], "observed": got})
        a.caveat = CAVEAT
        if query.chart:
            rows = self._rows(place, query.categories) if self.fc.version else np.zeros(0, np.int64)
            a.chart = self._line_chart(self._describe(place, query), [(place.label, rows, hrows)])
        return a

    def _trend_fields(self, a: Answer, hrows: np.ndarray) -> None:
        months, totals = self._hist_series(hrows)
        if len(totals) >= 15:
            last3, ly3 = int(totals[-3:].sum()), int(totals[-15:-12].sum())
            a.fields.append(("Recent trend", f"last 3 months {last3:,} vs {ly3:,} a year earlier "
                                             f"({fmt_change(last3, ly3)})"))
            a.data["trend"] = {"last3": last3, "last3_year_before": ly3}
        elif len(totals) >= 6:
            last3, prev3 = int(totals[-3:].sum()), int(totals[-6:-3].sum())
            a.fields.append(("Recent trend", f"last 3 months {last3:,} vs {prev3:,} the 3 before "
                                             f"({fmt_change(last3, prev3)})"))
            a.data["trend"] = {"last3": last3, "prev3": prev3}

    def _by_category(self, rows: np.ndarray, months: list[str]) -> str:
        groups: dict[str, list[int]] = {}
        for i in rows:
            groups.setdefault(self.fc.series[i][1], []).append(i)
        items = []
        for cat, idx in groups.items():
            m, lo, hi = self._forecast_total(np.array(idx), months)
            items.append((m, cat, lo, hi))
        items.sort(reverse=True)
        text = "\n".join(f"{' '.join(c.split())}: {fmt_range(m, lo, hi)}" for m, c, lo, hi in items)
        return text[:1000]

    def _line_chart(self, title: str, places: list[tuple[str, np.ndarray, np.ndarray]]) -> ChartSpec:
        spec = ChartSpec("lines", title, note=self.footer())
        for label, rows, hrows in places:
            months, totals = self._hist_series(hrows)
            months, totals = months[-HISTORY_MONTHS_SHOWN:], totals[-HISTORY_MONTHS_SHOWN:]
            line = Line(label, list(months), [float(x) for x in totals])
            if len(rows) and self.fc.months:
                line.f_months = list(self.fc.months)
                line.f_mean, line.f_lo, line.f_hi = self._forecast_line(rows, self.fc.months)
            spec.lines.append(line)
        return spec

    def _top(self, query: Query, ctx: Context) -> Answer:
        self._require_forecasts()
        f_months, _, mode = self._target_months(query.horizon)
        if not f_months:
            raise QueryError("Top lists are for forecast months; ask e.g. `top 5 next month`.",
                             kind="bad_option")
        scope = query.place
        if scope.kind == "community" and len(scope.communities) == 1:
            return self._top_categories(query, scope, f_months)
        fc = self.fc
        cols = [fc.months.index(m) for m in f_months]
        mask = np.ones(len(fc.series), dtype=bool)
        if query.categories:
            wanted = {i for i, c in enumerate(fc.categories) if c in set(query.categories)}
            mask &= np.isin(fc.category_of, list(wanted))
        if scope.kind != "city":
            allowed = {i for i, c in enumerate(fc.communities) if c in set(scope.communities)}
            mask &= np.isin(fc.community_of, list(allowed))
        means = np.nan_to_num(fc.mean[:, cols]).sum(axis=1) * mask
        totals = np.bincount(fc.community_of, weights=means, minlength=len(fc.communities))
        rate_note = ""
        score = totals
        if query.per_1000:
            if not self._info:
                rate_note = ("Rates need the census reference data (`crimecast reference load`); "
                             "ranked by counts instead.")
            else:
                pops = np.array([(self._info.get(c).population or 0) if c in self._info else 0
                                 for c in fc.communities], dtype=float)
                score = np.where(pops >= 500, totals / np.maximum(pops, 1) * 1000, -1.0)
                rate_note = ("Ranked per 1,000 residents (2021 census household population); areas "
                             "under 500 residents (industrial, parks) left out.")
        order = [i for i in np.argsort(-score, kind="stable") if score[i] > 0][:query.top_n]
        span = month_name(f_months[0]) if len(f_months) == 1 else f"{f_months[0]} – {f_months[-1]}"
        where = "" if scope.kind == "city" else f" in {scope.label}"
        a = self._base(query, f"Top {len(order)} communities{where}: {query.category_label}, {span}")
        if rate_note:
            a.lines.append(f"ℹ {rate_note}")
        rows_out, bars = [], []
        for rank, ci in enumerate(order, 1):
            community = fc.communities[ci]
            rows = np.flatnonzero(mask & (fc.community_of == ci))
            mean, lo, hi = self._forecast_total(rows, f_months)
            item = {"rank": rank, "community": community, "mean": round(mean, 2), "lo80": lo,
                    "hi80": hi}
            text = f"{rank}. **{community}** — {fmt_range(mean, lo, hi)}"
            if query.per_1000 and self._info and score[ci] > 0:
                item["rate_per_1000"] = round(float(score[ci]), 3)
                text += f" · {score[ci]:.2f} per 1,000"
            rows_out.append(item)
            a.lines.append(text)
            bars.append(Bar(community, mean, lo, hi))
        if not order:
            a.lines.append("No forecast incidents in that scope.")
        if len(order) > 1:
            overlap = rows_out[0]["lo80"] <= rows_out[-1]["hi80"]
            if overlap:
                a.lines.append("ℹ The ranges overlap: the order among these is not certain.")
        a.data.update({"place": scope.to_dict(), "months": f_months, "top": rows_out})
        a.caveat = TOP_CAVEAT
        if query.chart and bars:
            a.chart = ChartSpec("bars", a.title, ylabel="expected reported incidents",
                                bars=bars, note=f"{self.footer()} · whiskers: 80% range")
        return a

    def _top_categories(self, query: Query, place: Place, f_months: list[str]) -> Answer:
        rows = self._rows(place, query.categories)
        a = self._base(query, f"{place.label}: categories ranked, {month_name(f_months[0])}")
        items, bars = [], []
        groups: dict[str, list[int]] = {}
        for i in rows:
            groups.setdefault(self.fc.series[i][1], []).append(i)
        for cat, idx in groups.items():
            m, lo, hi = self._forecast_total(np.array(idx), f_months)
            items.append((m, cat, lo, hi))
        items.sort(reverse=True)
        out = []
        for rank, (m, cat, lo, hi) in enumerate(items[:query.top_n], 1):
            a.lines.append(f"{rank}. **{' '.join(cat.split())}** — {fmt_range(m, lo, hi)}")
            out.append({"rank": rank, "category": cat, "mean": round(m, 2), "lo80": lo, "hi80": hi})
            bars.append(Bar(" ".join(cat.split()), m, lo, hi))
        a.data.update({"place": place.to_dict(), "months": f_months, "top": out})
        a.caveat = CAVEAT
        if query.chart and bars:
            a.chart = ChartSpec("bars", a.title, ylabel="expected reported incidents", bars=bars,
                                note=self.footer())
        return a

    def _trend(self, query: Query, ctx: Context) -> Answer:
        place = query.place
        hrows = self._rows(place, query.categories, history=True)
        months, totals = self._hist_series(hrows)
        if not len(hrows) or not months:
            raise QueryError(f"No counts for {self._describe(place, query)} yet.", kind="bad_option")
        a = self._base(query, f"Trend: {self._describe(place, query)}")
        last = months[-1]
        year = last[:4]
        ytd = [i for i, m in enumerate(months) if m[:4] == year]
        ytd_now = int(totals[ytd].sum())
        prev_idx = [months.index(add_months(months[i], -12)) for i in ytd
                    if add_months(months[i], -12) in months]
        a.data.update({"place": place.to_dict(), "history_months": months[-24:],
                       "history": [int(x) for x in totals[-24:]]})
        if len(prev_idx) == len(ytd):
            ytd_prev = int(totals[prev_idx].sum())
            span = f"Jan–{month_name(last).split()[0][:3]}"
            a.lines.append(f"**{year} so far ({span}): {ytd_now:,}** reported vs {ytd_prev:,} in the "
                           f"same months of {int(year) - 1} ({fmt_change(ytd_now, ytd_prev)}).")
            a.data["ytd"] = {"year": year, "count": ytd_now, "previous": ytd_prev}
        else:
            a.lines.append(f"**{year} so far: {ytd_now:,}** reported.")
        if len(totals) >= 24:
            l12, p12 = int(totals[-12:].sum()), int(totals[-24:-12].sum())
            a.fields.append(("Last 12 months", f"{l12:,} vs {p12:,} the 12 before "
                                               f"({fmt_change(l12, p12)})"))
            a.data["last12"] = {"count": l12, "previous": p12}
        if len(totals) >= 6:
            x = np.arange(6)
            slope = float(np.polyfit(x, totals[-6:].astype(float), 1)[0])
            level = float(totals[-6:].mean())
            word = "flat" if abs(slope) < max(0.05 * level, 0.2) else ("rising" if slope > 0 else "falling")
            a.fields.append(("Last 6 months", f"{word} ({slope:+.1f} a month around {level:.0f}/month)"))
        peak = int(np.argmax(totals[-24:]))
        recent = months[-24:]
        a.fields.append(("Busiest month (last 24)", f"{recent[peak]}: {int(totals[-24:][peak]):,}"))
        if self.fc.version and self.fc.months:
            rows = self._rows(place, query.categories)
            if len(rows):
                m, lo, hi = self._forecast_total(rows, self.fc.months[:1])
                a.fields.append((f"Forecast {self.fc.months[0]}", fmt_range(m, lo, hi)))
        if query.per_1000:
            rate, note = self._rate(place, float(totals[-12:].sum()) / min(12, len(totals)))
            a.fields.append(("Rate", f"{rate:.2f} a month {note}" if rate is not None else note))
        a.caveat = CAVEAT
        if query.chart:
            rows = self._rows(place, query.categories) if self.fc.version else np.zeros(0, np.int64)
            a.chart = self._line_chart(a.title, [(place.label, rows, hrows)])
        return a

    def _compare(self, query: Query, ctx: Context) -> Answer:
        self._require_forecasts()
        places = list(query.places)
        cat_groups: list[tuple[str, tuple[str, ...]]] = []
        if len(places) == 1:  # compare the categories asked within one place
            cat_groups = [(" ".join(c.split()), (c,)) for c in query.categories]
        f_months, _, _ = self._target_months(query.horizon)
        if not f_months:
            raise QueryError("Comparisons are for forecast months.", kind="bad_option")
        span = month_name(f_months[0]) if len(f_months) == 1 else f"{f_months[0]} – {f_months[-1]}"
        items = [(p.label, p, query.categories) for p in places] if not cat_groups else \
            [(lbl, places[0], cats) for lbl, cats in cat_groups]
        title = " vs ".join(lbl for lbl, _, _ in items)
        a = self._base(query, f"{title}: {query.category_label}, {span}"[:250])
        out, lines = [], []
        for label, place, cats in items:
            rows = self._rows(place, cats)
            hrows = self._rows(place, cats, history=True)
            if not len(rows):
                a.lines.append(f"**{label}**: no forecasts for {query.category_label}.")
                continue
            mean, lo, hi = self._forecast_total(rows, f_months)
            ly = self._observed(hrows, [add_months(m, -12) for m in f_months])
            months, totals = self._hist_series(hrows)
            l12 = int(totals[-12:].sum()) if len(totals) else 0
            text = f"**{label}** — {fmt_range(mean, lo, hi)}"
            item = {"label": label, "place": place.to_dict(), "mean": round(mean, 2), "lo80": lo,
                    "hi80": hi, "last_year": ly, "last12": l12}
            if ly is not None:
                text += f"; same period last year {ly:,}"
            text += f"; last 12 months {l12:,}"
            if query.per_1000:
                rate, note = self._rate(place, mean)
                if rate is not None:
                    text += f"; {rate:.2f} per 1,000 residents"
                    item["rate_per_1000"] = round(rate, 3)
                else:
                    a.warnings.append(note)
            a.lines.append(text)
            out.append(item)
            lines.append((label, rows, hrows))
        if len(out) == 2:
            x, y = out
            if x["lo80"] <= y["hi80"] and y["lo80"] <= x["hi80"]:
                a.lines.append("ℹ The 80% ranges overlap: the difference may not be real.")
        if query.per_1000:
            a.lines.append("ℹ Rates are per 1,000 residents (2021 census household population).")
        a.data.update({"months": f_months, "items": out})
        a.caveat = CAVEAT
        if query.chart and lines:
            a.chart = self._line_chart(a.title, lines)
        return a

    def _explain(self, query: Query, ctx: Context) -> Answer:
        self._require_forecasts()
        place = query.place
        rows = self._rows(place, query.categories)
        hrows = self._rows(place, query.categories, history=True)
        months, totals = self._hist_series(hrows)
        if not len(rows) or len(totals) < 12:
            raise QueryError(f"Not enough history for {self._describe(place, query)} to explain.",
                             kind="bad_option")
        target = self.fc.months[0]
        mean, lo, hi = self._forecast_total(rows, [target])
        a = self._base(query, f"Why: {self._describe(place, query)}, {month_name(target)}")
        avg12 = float(totals[-12:].mean())
        avg3 = float(totals[-3:].mean())
        direction = "up" if mean > avg12 * 1.05 else ("down" if mean < avg12 * 0.95 else "level")
        a.lines.append(f"**Forecast {fmt_range(mean, lo, hi)}**, {direction} against the 12-month "
                       f"average of {avg12:.0f}/month ({fmt_change(mean, avg12)}).")
        if direction != "up" and "up" in normalise(query.text).split():
            a.lines.append(f"ℹ {place.label} is not forecast up: the expected count is "
                           f"{'close to' if direction == 'level' else 'below'} its recent average.")
        drivers = []
        drivers.append(("Recent level", f"last 3 months averaged {avg3:.0f}/month vs {avg12:.0f} over "
                                        f"12 ({fmt_change(avg3, avg12)})"))
        if len(totals) >= 12:
            l6, p6 = float(totals[-6:].mean()), float(totals[-12:-6].mean())
            drivers.append(("Trend", f"last 6 months {l6:.0f}/month vs {p6:.0f} the 6 before "
                                     f"({fmt_change(l6, p6)})"))
        same = [i for i, m in enumerate(months) if m[5:] == target[5:]]
        if len(same) >= 2 and len(totals) >= 24:
            years = {m[:4] for m in months}
            annual = np.mean([totals[[i for i, m in enumerate(months) if m[:4] == y]].mean()
                              for y in years])
            season = float(totals[same].mean()) / annual if annual else 1.0
            drivers.append(("Season", f"{month_name(target).split()[0]} has run {fmt_change(season, 1.0)}"
                                      f" against an average month over {len(same)} years"))
            a.data["season_index"] = round(season, 3)
        sd = float(totals[-13:-1].std()) or 1.0
        hot = [(months[i], int(totals[i])) for i in range(max(0, len(totals) - 6), len(totals))
               if totals[i] > float(totals[-13:-1].mean()) + 2 * sd]
        if hot:
            drivers.append(("Ran hot", ", ".join(f"{m} ({v})" for m, v in hot)
                            + " — above 2 standard deviations of the prior year"))
        else:
            drivers.append(("Ran hot", "no month in the last 6 stood out"))
        # which categories move the forecast most against their own 12-month average
        contrib = []
        cats: dict[str, list[int]] = {}
        for i in rows:
            cats.setdefault(self.fc.series[i][1], []).append(i)
        for cat, idx in cats.items():
            m = float(np.nansum(self.fc.mean[idx, 0]))
            h = [self.hist.index[self.fc.series[i]] for i in idx if self.fc.series[i] in self.hist.index]
            _, t = self._hist_series(np.array(h, dtype=np.int64))
            base = float(t[-12:].mean()) if len(t) else 0.0
            contrib.append((m - base, cat, m, base))
        contrib.sort(key=lambda x: -abs(x[0]))
        if len(contrib) > 1:
            drivers.append(("Largest moves", "; ".join(
                f"{' '.join(c.split())} {d:+.1f} ({base:.1f} → {m:.1f})" for d, c, m, base in contrib[:3])))
        a.fields.extend(drivers)
        a.fields.append(("Model", self.model_label()))
        a.data.update({"place": place.to_dict(), "months": [target], "mean": round(mean, 2),
                       "lo80": lo, "hi80": hi, "avg12": round(avg12, 2), "avg3": round(avg3, 2),
                       "direction": direction, "drivers": dict(drivers)})
        a.caveat = CAVEAT
        if query.chart:
            a.chart = self._line_chart(a.title, [(place.label, rows, hrows)])
        return a

    def _status(self, query: Query, ctx: Context) -> Answer:
        a = Answer("status", "crimecast status", footer=self.footer(), warnings=self.warnings())
        meta = self.fc.meta
        hist = self.hist
        a.fields.append(("Data", f"{len(hist.months)} months "
                                 f"({hist.months[0] if hist.months else '-'} – "
                                 f"{hist.months[-1] if hist.months else '-'}), {len(hist.series):,} "
                                 f"series; newest complete month {hist.last_closed or 'none closed'}"
                                 + (f"; latest record {hist.watermark}" if hist.watermark else "")))
        if self.fc.version:
            a.fields.append(("Forecasts", f"{len(self.fc.series):,} series, months "
                                          f"{', '.join(self.fc.months[:6])}; rest on data through "
                                          f"{self.data_through()}"))
            a.fields.append(("Model", self.model_label()))
            if meta.get("updated_at"):
                try:
                    ts = datetime.fromtimestamp(float(meta["updated_at"]), timezone.utc)
                    a.fields.append(("Refreshed", ts.strftime("%Y-%m-%d %H:%M UTC")))
                except ValueError:
                    a.fields.append(("Refreshed", meta["updated_at"][:40]))
            acc = accuracy_text(meta)
            if acc:
                a.fields.append(("Recent accuracy", acc))
            shown = {"version", "data_through", "model", "updated_at"} | ({"health"} if acc else set())
            for key, value in meta.items():
                if key in shown:
                    continue
                a.fields.append((key.replace("_", " ").capitalize()[:256], _meta_text(value)))
        else:
            a.lines.append(NO_FORECASTS)
        a.fields.append(("Reference data", f"{len(self._info)} communities with sectors/population"
                                           if self._info else "not loaded (no sectors, no rates): "
                                           "`crimecast reference load`"))
        a.fields = a.fields[:20]
        a.data.update({"data_through": self.data_through(), "model": meta.get("model", ""),
                       "model_version": self.fc.version, "months": hist.months[-1:],
                       "meta": {k: _meta_value(v) for k, v in meta.items()}})
        return a

    def _help(self, query: Query, ctx: Context) -> Answer:
        return help_answer(None)

    def _subscribe(self, query: Query, ctx: Context) -> Answer:
        from workers.alerts import AlertError, Subscription, SubscriptionStore

        if not ctx.is_admin:
            return Answer("subscribe", "Not allowed", ["Only admins can manage alert subscriptions."],
                          ok=False)
        if not ctx.channel_id:
            return Answer("subscribe", "No channel", ["Subscribe from the channel that should get the "
                                                      "weekly alert."], ok=False)
        place = query.place
        try:
            if place.kind == "city":
                sub = Subscription(ctx.channel_id, "city", categories=list(query.categories) or None)
            elif place.kind == "sector":
                sub = Subscription(ctx.channel_id, "sector", sector=place.label.split()[0],
                                   categories=list(query.categories) or None)
            else:
                comms = [c for p in query.places for c in p.communities]
                sub = Subscription(ctx.channel_id, "communities", communities=comms,
                                   categories=list(query.categories) or None)
        except AlertError as err:
            raise QueryError(str(err), kind="bad_option") from err
        new = SubscriptionStore(self.client, self.keys).add(sub)
        what = place.label if place.kind != "community" else ", ".join(sub.communities)
        a = Answer("subscribe", "Weekly alert " + ("subscribed" if new else "updated"),
                   [f"This channel gets the weekly alert for **{what}**, "
                    f"{query.category_label if query.categories else 'all categories'}, every "
                    "Monday morning."])
        a.data.update({"subscription": json.loads(sub.to_json())})
        return a

    def _unsubscribe(self, query: Query, ctx: Context) -> Answer:
        from workers.alerts import SubscriptionStore

        if not ctx.is_admin:
            return Answer("unsubscribe", "Not allowed",
                          ["Only admins can manage alert subscriptions."], ok=False)
        if not ctx.channel_id:
            return Answer("unsubscribe", "No channel", ["Unsubscribe from the channel concerned."],
                          ok=False)
        gone = SubscriptionStore(self.client, self.keys).remove(ctx.channel_id)
        return Answer("unsubscribe", "Weekly alert " + ("stopped" if gone else "was not on"),
                      ["This channel will no longer get the weekly alert." if gone else
                       "This channel had no weekly alert subscription."],
                      data={"removed": gone})


def accuracy_text(meta: Mapping[str, str]) -> str | None:
    """Recent MAE of the served model against the baselines, from the forecast meta, in words.

    >>> accuracy_text({"mae": '{"model": 0.8, "snaive": 1.0}'})
    'mean absolute error 0.80 per series-month vs seasonal naive 1.00 (20% lower)'
    """
    found: dict[str, float] = {}
    for key in ("health", "accuracy", "mae", "metrics"):
        data = _meta_value(meta.get(key, ""))
        if isinstance(data, dict):
            inner = data.get("mae") if isinstance(data.get("mae"), dict) else data
            for name, value in inner.items():
                if isinstance(value, (int, float)):
                    found.setdefault(str(name).removeprefix("mae_"), float(value))
    for key, value in meta.items():
        if key.startswith("mae_"):
            try:
                found.setdefault(key[4:], float(value))
            except ValueError:
                pass
    model = found.get("model", found.get("served"))
    if model is None:
        return None
    text = f"mean absolute error {model:.2f} per series-month"
    labels = {"snaive": "seasonal naive", "ses": "smoothing"}
    for base in ("snaive", "ses"):
        if found.get(base):
            b = found[base]
            word = "lower" if model < b else "higher"
            text += f" vs {labels[base]} {b:.2f} ({abs(model - b) / b:.0%} {word})"
    return text


def _beyond(month: str, fm: list[str], hm: list[str]) -> str:
    if fm and month > fm[-1]:
        return (f"{month_name(month)} is beyond the forecasts, which reach {month_name(fm[-1])}.")
    if hm and month < hm[0]:
        return f"{month_name(month)} is before the data, which start in {month_name(hm[0])}."
    return f"No data or forecast for {month_name(month)}."


def _meta_value(v: str):
    try:
        return json.loads(v)
    except (ValueError, TypeError):
        return v


def _meta_text(v: str) -> str:
    val = _meta_value(v)
    if isinstance(val, dict):
        parts = []
        for k, x in list(val.items())[:8]:
            x = round(x, 3) if isinstance(x, float) else x
            if isinstance(x, dict):
                x = "{" + ", ".join(f"{a}: {round(b, 3) if isinstance(b, float) else b}"
                                    for a, b in list(x.items())[:8]) + "}"
            parts.append(f"{k}: {x}")
        return ", ".join(parts)[:1000]
    return str(val)[:1000]


def help_answer(err: QueryError | None) -> Answer:
    """The help reply: the problem (if any), suggestions, and what can be asked."""
    if err is None:
        lines = ["Ask about reported crime in Calgary communities. For example:"]
        lines += [f"• `{e}`" for e in EXAMPLES]
        lines += ["Places: any community (typos are fine), a sector (\"northeast\"), \"downtown\", or "
                  "the whole city. Categories: car theft, break-ins, violent crime, robbery, ... "
                  "Add `per 1000` for rates per 1,000 residents.",
                  "Admins: `subscribe` / `unsubscribe` this channel to the weekly alert.",
                  "In Discord: mention me or DM me in plain words, or use /forecast, /top, /trend, "
                  "/compare, /explain, /status, /ask."]
        return Answer("help", "What I can answer", lines, caveat=CAVEAT)
    if err.kind == "no_forecasts":
        return Answer("forecast", "No forecasts yet", [str(err)], ok=False)
    return Answer("help", "I couldn't answer that", err.reply().split("\n"), ok=False,
                  suggestions=err.suggestions, data={"error": err.kind})
