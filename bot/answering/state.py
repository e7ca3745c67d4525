"""The frozen data state every answer reads: counts, served forecasts, the forecast archive,
reference data (regions, population) and the city profile, for one version of the data.

:func:`load_state` makes one small pipelined read (versions, months, progress marks, the series
catalog, the reference hash) and returns a :class:`DataState`; the per-series numbers are
:mod:`~bot.answering.panels` filled lazily, so a question about one area reads that area's series
only and one answer costs about the same at 2,000 series or 200,000. A new version of the data
(a refresh of the forecasts, a new month, new reference data) gives a new state; an old one is
never updated in place. No pandas, no Discord, no torch.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from core.months import add_months, month_range
from core.profile import CityProfile
from stream.keys import Keys, split_series_field

from bot.language.names import CommunityInfo

from .panels import Catalog, CountPanel, ForecastPanel, forecast_months

log = logging.getLogger(__name__)

__all__ = ["DataState", "Signature", "read_signature", "load_state"]


def _s(v) -> str:
    return v.decode() if isinstance(v, bytes) else v


@dataclass(frozen=True)
class Signature:
    """What identifies a version of the data: a state is reused while this does not change."""

    forecast_version: int
    months: int
    last_closed: str | None
    watermark: str | None
    series: int
    reference: int
    archive: tuple[str, ...]

    def key(self) -> str:
        return json.dumps(
            [
                self.forecast_version,
                self.months,
                self.last_closed,
                self.watermark,
                self.series,
                self.reference,
                list(self.archive),
            ]
        )


def read_signature(client, keys: Keys) -> Signature:
    """One pipelined round trip: the marks that change when the data do."""
    pipe = client.pipeline(transaction=False)
    pipe.hget(keys.forecasts_meta, "version")
    pipe.zcard(keys.months)
    pipe.zrange(keys.closed_months, -1, -1)
    pipe.get(keys.watermark)
    pipe.scard(keys.series)
    pipe.hlen(keys.communities)
    pipe.zrange(keys.forecast_archive_index, 0, -1)
    version, n_months, last, wm, n_series, n_ref, archived = pipe.execute()
    return Signature(
        int(version) if version is not None else 0,
        int(n_months),
        _s(last[0]) if last else None,
        _s(wm) if wm else None,
        int(n_series),
        int(n_ref),
        tuple(_s(m) for m in archived),
    )


@dataclass(eq=False)
class DataState:
    """One version of the data, read-only. Panels fill themselves on first use."""

    client: object
    keys: Keys
    profile: CityProfile
    signature: Signature
    meta: dict
    months: list[str]
    catalog: Catalog
    reference: dict[str, CommunityInfo]
    synthetic: bool
    forecast_series: int = 0  # series with a served forecast
    loaded_at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.counts = CountPanel(self.client, self.keys, self.catalog, self.months)
        self._forecasts: ForecastPanel | None = None
        self._archived: dict[str, ForecastPanel] = {}
        self._day_level: bool | None = None
        self._index: dict | None = None
        self._memo: dict[tuple, object] = {}

    # --- simple facts --------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """The served forecast set's version (0 before any forecast)."""
        return self.signature.forecast_version

    @property
    def last_closed(self) -> str | None:
        return self.signature.last_closed

    @property
    def watermark(self) -> date | None:
        wm = self.signature.watermark
        return date.fromisoformat(wm) if wm else None

    @property
    def archive_months(self) -> list[str]:
        return list(self.signature.archive)

    @property
    def day_level(self) -> bool:
        """Whether the source dates incidents by day (read once, from the day hashes)."""
        if self._day_level is None:
            from stream.store import CountStore

            self._day_level = CountStore(self.client, self.keys).resolution() == "day"
        return self._day_level

    def data_through(self) -> str | None:
        """The newest complete month the served forecasts rest on (else of the counts)."""
        dt = self.meta.get("data_through")
        if dt:
            return dt
        fm = self.forecasts.months
        if fm:
            return add_months(fm[0], -1)
        return self.last_closed or (self.months[-1] if self.months else None)

    def complete_through(self) -> str | None:
        """The newest complete month of the counts (closed, or the forecasts' basis)."""
        marks = [m for m in (self.last_closed, self.data_through()) if m]
        return max(marks) if marks else None

    def facts(self, today: date):
        """What the resolver reads questions against (:class:`bot.language.resolve.Facts`):
        the data's span, the forecasts' reach, days or months, regions and population."""
        from bot.language.resolve import Facts

        newest = self.complete_through() or (self.months[-1] if self.months else "")
        fm = self.forecasts.months
        day = self.day_level
        first = self.months[0] if self.months else newest
        return Facts(
            newest,
            first,
            forecast_through=self.data_through() if self.version else None,
            max_horizon=len(fm),
            day_level=day,
            first_day=date.fromisoformat(first + "-01") if day and first else None,
            last_day=self.watermark if day else None,
            today=today,
            has_regions=any(r.sector for r in self.reference.values()),
            has_population=any(r.population for r in self.reference.values()),
        )

    # --- day-level counts and sources (read on first use, kept for this version) ----------------
    def day_counts(self, first: date, last: date) -> dict[tuple[str, str], int]:
        """Counts per series over the days ``first``..``last`` (a source with days only)."""
        from stream.store import CountStore

        return self.memo(
            ("days", first, last),
            lambda: CountStore(self.client, self.keys).day_counts(first, last),
        )

    def sources(self) -> dict[str, int]:
        """Records ingested per source."""
        from stream.store import CountStore

        return self.memo(("sources",), lambda: CountStore(self.client, self.keys).sources())

    def suppresses(self) -> bool:
        """Whether the source has ever suppressed a cell (read once for this version)."""
        return self.memo(("censored",), lambda: bool(self.client.exists(self.keys.censored_months)))

    def suppressed_cells(self, rows: np.ndarray, months) -> int:
        """How many of the rows' cells over ``months`` the source suppressed ("<5"); each month's
        suppressed cells are read once for this version (none read when the source never
        suppresses)."""
        if not self.suppresses():
            return 0
        from stream.censored import CensoredCells

        wanted = {self.catalog.series[i] for i in rows}
        store = CensoredCells(self.client, self.keys)
        total = 0
        for m in months:
            per = self.memo(("censored", m), lambda m=m: store.month(m))
            total += sum(per.get(s, 0) for s in wanted)
        return total

    # --- forecasts -----------------------------------------------------------------------------
    @property
    def forecasts(self) -> ForecastPanel:
        """The served forecast set (empty before the first)."""
        if self._forecasts is None:
            months = forecast_months(self.client, self.keys.forecasts) if self.version else []
            self._forecasts = ForecastPanel(self.client, self.keys.forecasts, self.catalog, months)
        return self._forecasts

    def archived(self, through: str) -> ForecastPanel:
        """The archived set made with data through ``through`` (read on demand, kept)."""
        if through not in self._archived:
            key = self.keys.forecast_archive(through)
            self._archived[through] = ForecastPanel(
                self.client, key, self.catalog, forecast_months(self.client, key)
            )
        return self._archived[through]

    def archived_before(self, month: str) -> tuple[str, ForecastPanel] | None:
        """The newest archived set made with data through a month before ``month``."""
        before = [m for m in self.signature.archive if m < month]
        return (before[-1], self.archived(before[-1])) if before else None

    # --- counts --------------------------------------------------------------------------------
    def count(self, rows: np.ndarray, months) -> int | None:
        """Reported incidents over ``months`` in ``rows`` (None if a month is outside the counts)."""
        cols = [self.counts.col.get(m) for m in months]
        if any(c is None for c in cols) or not len(self.months):
            return None
        return int(self.counts.take(rows)[:, cols].sum()) if len(rows) else 0

    def rows(self, communities, categories=()) -> np.ndarray:
        """Catalog rows of ``communities`` (every one when None) x ``categories`` (any if empty)."""
        return self.catalog.rows_of(communities, categories)

    def population(self, communities=None) -> int:
        """Residents of the areas (every area with a figure when None); 0 when none is known."""
        if communities is None:
            return sum(r.population or 0 for r in self.reference.values())
        return sum((self.reference[c].population or 0) for c in communities if c in self.reference)

    def region_of(self, community: str) -> str:
        ref = self.reference.get(community)
        return ref.sector if ref else ""

    def warm(self) -> None:
        """Read every panel whole now (counts, served forecasts, the archived sets) and the small
        per-version facts (days or months, records by source, suppressed cells)."""
        _ = self.day_level
        self.sources()
        self.suppresses()
        self.counts.ensure(None)
        self.forecasts.ensure(None)
        for through in self.signature.archive:
            self.archived(through).ensure(None)
        self.busiest()

    # --- derived, cached per version -------------------------------------------------------------
    def memo(self, key: tuple, compute):
        """``compute()`` once for this version of the data."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def busiest(self, n: int = 3) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The busiest areas and categories over the last 12 months (help examples), kept in Redis
        per data version so a one-shot process does not read the whole panel for them."""
        if self._index is None:
            sig = self.signature.key()
            raw = self.client.hget(self.keys.answer_index, sig)
            if raw is not None:
                self._index = json.loads(raw)
            else:
                self._index = self._compute_index()
                pipe = self.client.pipeline(transaction=True)
                pipe.delete(self.keys.answer_index)  # older versions are of no use
                pipe.hset(self.keys.answer_index, sig, json.dumps(self._index))
                pipe.execute()
        return tuple(self._index["areas"][:n]), tuple(self._index["categories"][:n])

    def _compute_index(self) -> dict:
        if not len(self.catalog) or not self.months:
            return {"areas": [], "categories": []}
        recent = self.counts.values[:, -12:].sum(axis=1)
        areas = {c: int(recent[r].sum()) for c, r in self.catalog.by_community.items()}
        cats: dict[str, int] = {}
        for (_, k), v in zip(self.catalog.series, recent):
            cats[k] = cats.get(k, 0) + int(v)
        order = lambda d: sorted(d, key=lambda c: (-d[c], c))[:10]  # noqa: E731
        return {"areas": order(areas), "categories": order(cats)}


def _reference(raw: dict) -> dict[str, CommunityInfo]:
    out = {}
    for name, value in raw.items():
        name = _s(name)
        try:
            d = json.loads(value)
            pop = d.get("population")
            out[name] = CommunityInfo(
                name,
                str(d.get("code") or ""),
                str(d.get("sector") or ""),
                str(d.get("class") or ""),
                int(pop) if pop not in (None, "", 0) else None,
            )
        except (ValueError, TypeError, AttributeError):
            log.warning("skipping unreadable reference entry for %s", name)
    return out


def load_state(
    client, keys: Keys, profile: CityProfile, signature: Signature | None = None
) -> DataState:
    """Read the catalog and the small facts of the current data (one pipelined round trip)."""
    signature = signature or read_signature(client, keys)
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(keys.forecasts_meta)
    pipe.zrange(keys.months, 0, -1)
    pipe.smembers(keys.series)
    pipe.hkeys(keys.forecasts)
    pipe.hgetall(keys.communities)
    pipe.hget(keys.meta, "synthetic")
    pipe.zrange(keys.closed_months, 0, 0)
    meta, months, series, forecast_series, ref, synthetic, first = pipe.execute()
    months = [_s(m) for m in months]
    if months:  # as the store's panel: from the first closed month to the newest with counts
        start = _s(first[0]) if first else months[0]
        months = month_range(start if start <= months[-1] else months[0], months[-1])
    catalog = Catalog([split_series_field(_s(f)) for f in (*series, *forecast_series)])
    return DataState(
        client,
        keys,
        profile,
        signature,
        {_s(k): _s(v) for k, v in meta.items()},
        months,
        catalog,
        _reference(ref),
        _s(synthetic or "") == "1",
        len(forecast_series),
    )
