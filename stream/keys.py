"""Every Redis key crimecast uses, in one place.

All keys share a prefix (default ``crimecast``) so that several deployments, or several test runs,
can share one Redis server without touching each other. Keys that belong to one logical group use a
``{prefix}`` hash tag so that, on Redis Cluster, multi-key Lua scripts stay on one slot.

>>> k = Keys("cc")
>>> k.stream
'{cc}:incidents'
>>> k.series_counts("BELTLINE", "Street Robbery")
'{cc}:counts:s:BELTLINE|Street Robbery'
>>> k.heartbeat("host-12-ab")
'{cc}:consumer:hb:host-12-ab'
"""

from __future__ import annotations

from dataclasses import dataclass

SEP = "|"


def series_field(community: str, category: str) -> str:
    """Hash field naming one (community, category) series.

    >>> series_field("BELTLINE", "Street Robbery")
    'BELTLINE|Street Robbery'
    """
    return f"{community}{SEP}{category}"


def split_series_field(field: str) -> tuple[str, str]:
    """Inverse of :func:`series_field`.

    >>> split_series_field("BELTLINE|Street Robbery")
    ('BELTLINE', 'Street Robbery')
    """
    community, _, category = field.partition(SEP)
    return community, category


@dataclass(frozen=True)
class Keys:
    """Key names under one prefix. Pass an instance down; never build key strings elsewhere."""

    prefix: str = "crimecast"

    def _k(self, *parts: str) -> str:
        return ":".join((f"{{{self.prefix}}}",) + parts)

    # --- streams -----------------------------------------------------------------------------
    @property
    def stream(self) -> str:
        """Incoming incident records (Redis Stream)."""
        return self._k("incidents")

    @property
    def dead_letter(self) -> str:
        """Malformed or repeatedly failing records, with their reason and original fields."""
        return self._k("dead")

    @property
    def events(self) -> str:
        """Domain events (month closed, model promoted, ...), a Redis Stream."""
        return self._k("events")

    @property
    def consumer_group(self) -> str:
        """Consumer group name on :attr:`stream` (a name, not a key)."""
        return "counters"

    # --- counts ------------------------------------------------------------------------------
    def seen(self, month: str) -> str:
        """Set of incident ids already counted for one month (idempotency)."""
        return self._k("seen", month)

    @property
    def incident_ids(self) -> str:
        """Hash ``incident id -> "day<TAB>series<TAB>count"``, what each id contributes: an id
        counts once, and a changed re-send replaces its earlier contribution (idempotency)."""
        return self._k("ids")

    def month_counts(self, month: str) -> str:
        """Hash ``series_field -> count`` for one month ``YYYY-MM``."""
        return self._k("counts", "m", month)

    def day_counts(self, day: str) -> str:
        """Hash ``series_field -> count`` for one day ``YYYY-MM-DD`` (week and month-to-date views)."""
        return self._k("counts", "d", day)

    def series_counts(self, community: str, category: str) -> str:
        """Hash ``YYYY-MM -> count`` for one series."""
        return self._k("counts", "s", series_field(community, category))

    def censored(self, month: str) -> str:
        """Hash ``cell id -> series_field`` of one month's suppressed cells (a source's ``<5``:
        1..4 incidents, counted as 1; see :mod:`stream.censored`)."""
        return self._k("censored", month)

    @property
    def censored_months(self) -> str:
        """Sorted set of months with any suppressed cell (score = yyyymm as int)."""
        return self._k("censored", "months")

    @property
    def months(self) -> str:
        """Sorted set of months that have any count (score = yyyymm as int)."""
        return self._k("months")

    @property
    def series(self) -> str:
        """Set of every series field ever counted."""
        return self._k("series")

    @property
    def watermark(self) -> str:
        """String: the latest ``occurred_at`` date (ISO) applied so far."""
        return self._k("watermark")

    @property
    def closed_months(self) -> str:
        """Sorted set of closed months (score = yyyymm as int)."""
        return self._k("closed")

    @property
    def stats(self) -> str:
        """Hash of running totals (applied, duplicates, dead-lettered)."""
        return self._k("stats")

    @property
    def meta(self) -> str:
        """Hash describing the data held: ``synthetic`` ("1" once any synthetic record is counted),
        ``last_applied_at`` (unix time of the latest apply)."""
        return self._k("meta")

    @property
    def sources(self) -> str:
        """Hash ``source -> incidents counted`` (e.g. ``calgary``, ``synthetic``)."""
        return self._k("sources")

    @property
    def city(self) -> str:
        """Hash: the city profile this prefix's data belong to (``name``, ``profile``,
        ``claimed_at``); another city's data are refused (one prefix per city)."""
        return self._k("city")

    @property
    def feed(self) -> str:
        """Hash: the source feed's last pull (``at``, ``status``, ``rows``, ``records``,
        ``rejected``, ``newest``, ``error``, ``where``) and ``last_new_at`` (a pull that sent
        anything not seen before)."""
        return self._k("feed")

    @property
    def feed_files(self) -> str:
        """Hash ``sha256 of a pulled file -> JSON {name, at, rows}``: a file already read is not
        read again (re-reading would count nothing twice anyway)."""
        return self._k("feed", "files")

    @property
    def model_state(self) -> str:
        """Hash: the served model's loadability (``refused``: why the registry refused it,
        ``retrain_job``: the full retrain queued for it, ``at``)."""
        return self._k("models", "state")

    # --- forecasts (written by workers, read by the bot) -------------------------------------
    @property
    def forecasts(self) -> str:
        """Hash ``series_field -> JSON forecast`` of the served model."""
        return self._k("forecasts")

    @property
    def forecasts_meta(self) -> str:
        """Hash: version, data_through, model, updated_at, accuracy figures."""
        return self._k("forecasts", "meta")

    @property
    def forecasts_previous(self) -> str:
        """Hash like :attr:`forecasts`, the set served before the latest refresh (for changes)."""
        return self._k("forecasts", "prev")

    def forecast_archive(self, data_through: str) -> str:
        """Hash ``series_field -> JSON forecast``: the set served when data ran through
        ``data_through`` (kept so that a past month can be judged against what was expected)."""
        return self._k("forecasts", "archive", data_through)

    @property
    def forecast_archive_index(self) -> str:
        """Sorted set of archived ``data_through`` months (score: months since year 0)."""
        return self._k("forecasts", "archive")

    @property
    def model_progress(self) -> str:
        """Hash: where the running model job is (job, phase, done, total, seconds left)."""
        return self._k("models", "progress")

    # --- partitioned model runs (workers/partitioned.py) --------------------------------------
    @property
    def model_run_seq(self) -> str:
        """Counter: the id of the newest partitioned model run (ids only grow)."""
        return self._k("models", "run", "seq")

    @property
    def model_run_served(self) -> str:
        """String: the id of the partitioned run whose set is served (an older run never swaps)."""
        return self._k("models", "run", "served")

    @property
    def model_runs_active(self) -> str:
        """Sorted set of partitioned runs in flight (score: the run id)."""
        return self._k("models", "run", "active")

    def model_run(self, run: int) -> str:
        """Hash: a partitioned run (kind, staged version, partitions, status, each partition's
        job id and attempts, times)."""
        return self._k("models", "run", str(run))

    def model_run_parts(self, run: int) -> str:
        """Hash ``partition -> JSON list of [community, category]``: the run's series by partition."""
        return self._k("models", "run", str(run), "parts")

    def model_run_done(self, run: int) -> str:
        """Set of the run's partitions whose forecasts are staged."""
        return self._k("models", "run", str(run), "done")

    def model_run_staged(self, run: int) -> str:
        """Hash ``series_field -> JSON forecast``: the run's forecasts, served when all are in."""
        return self._k("models", "run", str(run), "staged")

    def model_run_claim(self, run: int, part: int) -> str:
        """Heartbeat lock of the job working on one partition (its holder's host and pid)."""
        return self._k("models", "run", str(run), "claim", str(part))

    def model_run_requeue(self, run: int, part: int) -> str:
        """Short-lived marker: one watcher is retrying this partition's job (its worker died)."""
        return self._k("models", "run", str(run), "requeue", str(part))

    @property
    def model_run_swap(self) -> str:
        """Lock held while a finished run's set is swapped in."""
        return self._k("lock", "models", "swap")

    @property
    def model_dir_lock(self) -> str:
        """Lock held while a model artifact is written."""
        return self._k("lock", "models")

    # --- bot, alerts, scheduler --------------------------------------------------------------
    @property
    def audit(self) -> str:
        """Stream of bot queries: who asked what, when, and what was answered."""
        return self._k("audit")

    @property
    def audit_salt(self) -> str:
        """Hash ``salt -> hex``: the audit log's pseudonym salt when none is configured (made once)."""
        return self._k("audit", "salt")

    @property
    def accountability_report(self) -> str:
        """String: JSON of the newest accountability report (written by the monthly job and by
        ``crimecast report accountability``; read by the bot's answers about accuracy)."""
        return self._k("report", "accountability")

    @property
    def answer_index(self) -> str:
        """Hash ``data signature -> JSON`` of small facts the bot derives from the whole panel
        (the busiest areas and categories), so a one-shot ``crimecast ask`` need not read it."""
        return self._k("bot", "index")

    @property
    def report_channels(self) -> str:
        """Hash ``channel id -> "1"`` (webhook) or ``"0"``: where the monthly accountability
        report is posted (``crimecast report subscribe``)."""
        return self._k("report", "channels")

    @property
    def communities(self) -> str:
        """Hash ``community name -> JSON {code, sector, class, population}`` (reference data loaded
        by ``crimecast reference load``; absent = no sectors, no rates)."""
        return self._k("ref", "communities")

    @property
    def boundaries(self) -> str:
        """Hash ``area name -> JSON GeoJSON geometry`` (repaired, simplified) plus the field
        ``\x00meta`` (JSON: source, property, loaded_at): the areas' polygons for maps, loaded by
        ``crimecast reference boundaries``; absent = maps draw symbols at incident centres."""
        return self._k("ref", "boundaries")

    def geo_bins(self, area: str) -> str:
        """Hash ``"y<bin>"/"x<bin>" -> incidents``: where one area's incidents lie, latitude and
        longitude binned at 1e-3 degree (stream/centres.py); its median is the area's centre.

        >>> Keys("cc").geo_bins("BELTLINE")
        '{cc}:geo:BELTLINE'
        """
        return self._k("geo", area)

    def alert_claim(self, channel_id: str, iso_week: str) -> str:
        """Short-lived lock held by the poster while it posts one (channel, ISO week) alert."""
        return self._k("alert", "claim", channel_id, iso_week)

    @property
    def alert_failures(self) -> str:
        """Hash ``channel|iso_week -> JSON {attempts, error, at}`` of alerts whose post failed."""
        return self._k("alert", "failures")

    def rate_limit(self, user_id: str) -> str:
        """Per-user request counter for the bot's rate limit."""
        return self._k("ratelimit", user_id)

    @property
    def subscriptions(self) -> str:
        """Hash ``channel_id -> JSON subscription`` for weekly alerts."""
        return self._k("subscriptions")

    def alert_posted(self, channel_id: str, iso_week: str) -> str:
        """Marker that the weekly alert for (channel, ISO week) was posted."""
        return self._k("alert", "posted", channel_id, iso_week)

    @property
    def alert_outbox(self) -> str:
        """Stream of alerts waiting to be posted."""
        return self._k("alert", "outbox")

    def scheduler_lock(self, job_id: str, run_key: str) -> str:
        """Lock so that only one scheduler replica fires a given run of a job."""
        return self._k("sched", job_id, run_key)

    def alert_queued(self, channel_id: str, iso_week: str) -> str:
        """Marker that the weekly alert for (channel, ISO week) was put on the outbox."""
        return self._k("alert", "queued", channel_id, iso_week)

    @property
    def scheduler_last(self) -> str:
        """Hash ``job_id -> ISO time of the last run fired`` (so a restart catches up once)."""
        return self._k("sched", "last")

    @property
    def health(self) -> str:
        """Hash of the latest health-check results."""
        return self._k("health")

    # --- consumer liveness (stream/liveness.py) -----------------------------------------------
    def heartbeat(self, consumer: str) -> str:
        """String with a TTL, refreshed by a live consumer of :attr:`consumer_group`: JSON
        ``{host, pid, since}``. Gone = the consumer is dead; its pending entries are claimed."""
        return self._k("consumer", "hb", consumer)

    @staticmethod
    def staging(key: str) -> str:
        """Where a new version of ``key`` is built before a RENAME swaps it in (same hash tag, so
        the RENAME stays on one Cluster slot).

        >>> Keys("cc").staging("{cc}:forecasts")
        '{cc}:forecasts:staging'
        """
        return key + ":staging"

    def all_pattern(self) -> str:
        """SCAN pattern matching every key under this prefix (tests clean up with it)."""
        return f"{{{self.prefix}}}:*"
