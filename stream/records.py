"""The incident record that flows through the stream, and its validation.

An :class:`Incident` is one reported incident (``count=1``) or, for aggregated sources such as the
Calgary portal, one row standing for ``count`` incidents of a series in a month. Its ``id`` is unique
per incident; sources without ids derive one deterministically (see :func:`derive_id`) so that
re-sending the same data never counts twice.

Everything that reaches Redis is validated here first: a record that fails raises
:class:`RecordError` with a reason a person can act on, and the consumer dead-letters it.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Mapping

from core.months import month_of
from core.text import area_name

from .categories import CategorySet

SCHEMA_VERSION = 1
MIN_DATE = date(2000, 1, 1)
MAX_TEXT = 200  # longest community/category/id accepted (a 10 kB "name" is an error, not a name)
MAX_SOURCE = 64
MAX_COUNT = 100_000  # one aggregated row never stands for more incidents than this
FUTURE_SLACK = timedelta(days=1)  # time zones: "today" somewhere is tomorrow in UTC
FIELDS = ("v", "id", "community", "category", "occurred_at", "count", "source")
GEO = "geo"  # optional field "lat,lon" (WGS84 degrees); records without it are as before
REQUIRED = ("id", "community", "category", "occurred_at")
_REQUIRED_B = tuple(n.encode() for n in REQUIRED)

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class RecordError(ValueError):
    """A record that cannot be counted; ``reason`` says why (shown in the dead-letter stream)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def derive_id(source: str, *parts: object) -> str:
    """A deterministic id from a record's content (plus, for identical rows, their occurrence index).

    >>> derive_id("calgary", "BELTLINE", "Street Robbery", 2023, 5, 0)
    'calgary:66de8949efc25796'
    >>> derive_id("calgary", "BELTLINE", "Street Robbery", 2023, 5, 1) != derive_id(
    ...     "calgary", "BELTLINE", "Street Robbery", 2023, 5, 0)
    True
    """
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).hexdigest()
    return f"{source}:{digest}"


def _text(name: str, value: object, limit: int = MAX_TEXT) -> str:
    if value is None:
        raise RecordError(f"missing field '{name}'")
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise RecordError(f"field '{name}' is not valid UTF-8") from None
    if not isinstance(value, str):
        raise RecordError(f"field '{name}' must be text, got {type(value).__name__}")
    if len(value) > limit:
        raise RecordError(f"field '{name}' is too long ({len(value)} characters, at most {limit})")
    if CONTROL_CHARS.search(value):
        raise RecordError(f"field '{name}' contains control characters")
    if _SURROGATE.search(value):  # text read with errors="surrogateescape" from bad bytes
        raise RecordError(f"field '{name}' is not valid UTF-8")
    return value


def parse_day(value: object, *, today: date | None = None) -> date:
    """A date from ``date``/``datetime`` or ISO text (a time part is accepted and dropped).

    Dates before 2000 or in the future are errors.

    >>> parse_day("2023-05-17T22:10:00")
    datetime.date(2023, 5, 17)
    >>> parse_day("1999-12-31")
    Traceback (most recent call last):
    ...
    stream.records.RecordError: occurred_at 1999-12-31 is before 2000-01-01
    """
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = _text("occurred_at", value).strip()
        if not text:
            raise RecordError("missing field 'occurred_at'")
        try:
            day = date.fromisoformat(text[:10])
            if len(text) > 10:
                datetime.fromisoformat(text.replace("Z", "+00:00"))  # the rest must parse too
        except ValueError:
            raise RecordError(
                f"occurred_at {text[:40]!r} is not an ISO date (YYYY-MM-DD)"
            ) from None
    if day < MIN_DATE:
        raise RecordError(f"occurred_at {day.isoformat()} is before {MIN_DATE.isoformat()}")
    now = today or datetime.now(timezone.utc).date()
    if day > now + FUTURE_SLACK:
        raise RecordError(f"occurred_at {day.isoformat()} is in the future")
    return day


def month_day(day: date, today: date | None = None) -> date:
    """The day a monthly record is filed on: its month's last day, or today for the current month
    (how the portal's rows are dated; :meth:`stream.store.CountStore.resolution` then reads
    "month").

    >>> month_day(date(2023, 2, 3))
    datetime.date(2023, 2, 28)
    >>> month_day(date(2023, 2, 3), today=date(2023, 2, 10))
    datetime.date(2023, 2, 10)
    """
    last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return min(last, today or datetime.now(timezone.utc).date())


def parse_count(value: object) -> int:
    """A positive whole count (``"3"``, ``3``, ``"3.0"``); zero, negatives and junk are errors.

    >>> parse_count(" 4 ")
    4
    >>> parse_count("-1")
    Traceback (most recent call last):
    ...
    stream.records.RecordError: count must be at least 1, got -1
    """
    if value is None or value == "" or value == b"":
        return 1
    if isinstance(value, bool):
        raise RecordError("count must be a whole number")
    if isinstance(value, int):
        n = value
    else:
        text = _text("count", value, limit=32).strip()
        try:
            n = int(text)
        except ValueError:
            try:
                f = float(text)
            except ValueError:
                raise RecordError(f"count {text!r} is not a number") from None
            if f != f or f in (float("inf"), float("-inf")) or f != int(f):
                raise RecordError(f"count {text!r} is not a whole number") from None
            n = int(f)
    if n < 1:
        raise RecordError(f"count must be at least 1, got {n}")
    if n > MAX_COUNT:
        raise RecordError(f"count {n} is implausibly large (at most {MAX_COUNT})")
    return n


def check_id(value: object) -> str:
    """A record id: non-empty text of at most ``MAX_TEXT`` characters."""
    ident = _text("id", value).strip()
    if not ident:
        raise RecordError("missing field 'id'")
    return ident


def check_community(value: object) -> str:
    """A community name, normalised; any name is accepted (new communities appear)."""
    comm = area_name(_text("community", value))
    if not comm:
        raise RecordError("missing field 'community'")
    if "|" in comm:
        raise RecordError("community must not contain '|'")
    return comm


def check_category(value: object, categories: CategorySet) -> str:
    """The canonical category ``value`` names in ``categories``."""
    raw = _text("category", value)
    if not raw.strip():
        raise RecordError("missing field 'category'")
    cat = categories.resolve(raw)
    if cat is None:
        raise RecordError(f"unknown category {raw.strip()[:60]!r}")
    return cat


def parse_point(lat: object, lon: object) -> tuple[float, float] | None:
    """A WGS84 ``(lat, lon)`` rounded to 6 decimals, or None when the coordinates are missing.

    Coordinates only place an incident on a map, so doubtful ones count as missing rather than as
    an error: blanks, text that is no number, values off the globe, and zeros (a common "no
    location" code; no city of ours lies on the equator or the prime meridian).

    >>> parse_point("33.7490", "-84.3880")
    (33.749, -84.388)
    >>> parse_point("0", "0"), parse_point("", "-84.4"), parse_point("91", "10")
    (None, None, None)
    """
    try:
        y, x = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not (-90.0 <= y <= 90.0 and -180.0 <= x <= 180.0) or y == 0.0 or x == 0.0:
        return None  # NaN fails the range test too
    return round(y, 6), round(x, 6)


def parse_geo(value: object) -> tuple[float, float] | None:
    """The ``geo`` field (``"lat,lon"``, text or bytes) as :func:`parse_point` reads it.

    >>> parse_geo(b"51.0447,-114.0719"), parse_geo("junk")
    ((51.0447, -114.0719), None)
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    lat, _, lon = str(value).partition(",")
    return parse_point(lat, lon)


def check_source(value: object) -> str:
    return _text("source", value if value is not None else "", MAX_SOURCE).strip()


@dataclass(frozen=True, slots=True)
class Incident:
    """One incident (or an aggregated row of ``count`` incidents) of a series on a day.

    Build records from raw input with :meth:`make` (normalises and validates); the constructor
    only checks types. ``lat``/``lon`` (WGS84) are where it happened, when the source says so:
    they travel in the optional ``geo`` field, so records without them are unchanged.

    >>> inc = Incident.make("x:1", " beltline ", "street robbery", "2023-05-17", count=2)
    >>> inc.community, inc.category, inc.month, inc.count
    ('BELTLINE', 'Street Robbery', '2023-05', 2)
    >>> Incident.from_fields(inc.to_fields()) == inc
    True
    """

    id: str
    community: str
    category: str
    occurred_at: date
    count: int = 1
    source: str = ""
    lat: float | None = None
    lon: float | None = None

    def __post_init__(self):
        if not isinstance(self.occurred_at, date) or isinstance(self.occurred_at, datetime):
            if isinstance(self.occurred_at, datetime):
                object.__setattr__(self, "occurred_at", self.occurred_at.date())
            else:
                raise RecordError("occurred_at must be a date")
        if not isinstance(self.count, int) or self.count < 1:
            raise RecordError(f"count must be at least 1, got {self.count!r}")

    @property
    def month(self) -> str:
        """The month ``"YYYY-MM"`` the incident counts in."""
        return month_of(self.occurred_at)

    @classmethod
    def make(
        cls,
        id: object,
        community: object,
        category: object,
        occurred_at: object,
        count: object = 1,
        source: object = "",
        *,
        categories: CategorySet | None = None,
        today: date | None = None,
        lat: object = None,
        lon: object = None,
        resolution: str = "day",
    ) -> "Incident":
        """Normalise and validate raw values; raises :class:`RecordError` with the reason
        (doubtful coordinates are dropped, not an error: :func:`parse_point`).

        ``resolution="month"``: the record is a monthly count (or made from one), filed on its
        month's last day whatever day it names, so no day-level view invents days.
        """
        point = parse_point(lat, lon) if lat is not None and lon is not None else None
        day = parse_day(occurred_at, today=today)
        if resolution == "month":
            day = month_day(day, today)
        return cls(
            check_id(id),
            check_community(community),
            check_category(category, categories or CategorySet.default()),
            day,
            parse_count(count),
            check_source(source),
            *(point or (None, None)),
        )

    @property
    def geo(self) -> str | None:
        """The ``geo`` field's text (``"lat,lon"``), None without coordinates."""
        return None if self.lat is None or self.lon is None else f"{self.lat:.6f},{self.lon:.6f}"

    def to_fields(self) -> dict[str, str]:
        """Stream entry fields (all text), with the schema version (``geo`` only when placed)."""
        out = {
            "v": str(SCHEMA_VERSION),
            "id": self.id,
            "community": self.community,
            "category": self.category,
            "occurred_at": self.occurred_at.isoformat(),
            "count": str(self.count),
            "source": self.source,
        }
        if self.geo is not None:
            out[GEO] = self.geo
        return out

    @classmethod
    def from_fields(
        cls, fields: Mapping, *, categories: CategorySet | None = None, today: date | None = None
    ) -> "Incident":
        """Parse stream entry fields (text or bytes keys/values); raises :class:`RecordError`."""
        get = _getter(fields)
        missing = [name for name in REQUIRED if get(name) in (None, "", b"")]
        if missing:
            raise RecordError(
                "missing field"
                + ("s " if len(missing) > 1 else " ")
                + ", ".join(f"'{m}'" for m in missing)
            )
        version = get("v")
        if version not in (None, "", b""):
            v = _text("v", version, 8).strip()
            if v != str(SCHEMA_VERSION):
                raise RecordError(
                    f"unsupported schema version {v!r} (this worker reads {SCHEMA_VERSION})"
                )
        inc = cls.make(
            get("id"),
            get("community"),
            get("category"),
            get("occurred_at"),
            get("count"),
            get("source") or "",
            categories=categories,
            today=today,
        )
        point = parse_geo(get(GEO))
        if point is None:
            return inc
        return cls(
            inc.id, inc.community, inc.category, inc.occurred_at, inc.count, inc.source, *point
        )


def _getter(fields: Mapping):
    """Look up a field by text name whether the mapping's keys are text or bytes."""
    if any(isinstance(k, bytes) for k in fields):
        return lambda name: fields.get(name.encode())
    return fields.get
