"""The sections of a city profile (:mod:`core.profile`): the pydantic models of its parts.

Its words for areas and regions, categories and groups, reference and boundary files, the source
with its feed and workbook map, and the default seasons; :class:`core.profile.CityProfile` holds
them and checks that they agree with each other.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "AreaFile",
    "Boundaries",
    "Category",
    "DEFAULT_SEASONS",
    "Feed",
    "Group",
    "PopulationFile",
    "Reference",
    "Regions",
    "Section",
    "Source",
    "Words",
    "Workbook",
]


class Section(BaseModel):
    """A part of a profile: unknown fields are errors (a typo), values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Words(Section):
    """A noun in both numbers: ``community``/``communities``."""

    singular: str = Field(min_length=1)
    plural: str = Field(min_length=1)


class Category(Section):
    """One category as the data spell it, with a short label and the phrases that name it."""

    name: str = Field(min_length=1)
    label: str | None = None
    phrases: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _clean_name(cls, v: str) -> str:
        if not v.strip() or any(c in v for c in "|\t\n\r"):
            raise ValueError(
                "a category name must be non-empty text without '|', tabs or line breaks"
            )
        return v


class Group(Section):
    """Several categories answered for together ("break-ins", "violent crime")."""

    label: str = Field(min_length=1)
    members: list[str] = Field(min_length=1)
    phrases: list[str] = Field(default_factory=list)


class Regions(Section):
    """How areas group into regions; membership comes from the reference file's region column
    (or ``members`` here), ``aliases`` are extra phrases for a region (``ne`` -> NORTHEAST)."""

    word: Words
    label: str = "{name} {word}"
    aliases: dict[str, list[str]] = Field(default_factory=dict)
    members: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("label")
    @classmethod
    def _has_name(cls, v: str) -> str:
        if "{name}" not in v:
            raise ValueError("the region label needs '{name}' (e.g. '{name} sector', 'NPU {name}')")
        return v


class AreaFile(Section):
    """The reference file of areas: which column holds the area, its region, code and class."""

    file: str | None = None  # relative to the profile; may be given on the command line instead
    name: str
    region: str | None = None
    code: str | None = None
    class_: str | None = Field(default=None, alias="class")
    fallback_region: bool = False  # rows without an area still name their region


class PopulationFile(Section):
    """Population per area, for rates per 1,000 residents (joined on ``code``, else ``name``)."""

    file: str | None = None
    value: str
    code: str | None = None
    name: str | None = None
    label: str = "census population"


class Reference(Section):
    areas: AreaFile | None = None
    population: PopulationFile | None = None


class Feed(Section):
    """Where new data keep coming from, pulled on a schedule by the ingest job (docs/feeds.md).

    Exactly one of: ``url`` (a file fetched over HTTP(S) at each pull), ``folder`` (a drop folder
    a records system exports to, or where the police workbooks are saved; each new file is read
    once) or ``socrata`` (a Socrata dataset id, paged from ``portal``, default the source's
    ``url``); files are read by type (CSV in the source's layout, ``.jsonl``, ``.xlsx`` the
    workbook reader). ``every`` is the schedule
    (``daily 05:30``, ``mon 06:00`` or a 5-field crontab); ``quiet_days``: no new incident counted
    for this long is reported as the source gone quiet. ``push: true`` instead: a producer pushes
    records (``crimecast ingest jsonl``); nothing is pulled, the quiet check still applies.
    """

    url: str | None = None
    folder: str | None = None
    socrata: str | None = None
    push: bool = False
    portal: str | None = None
    every: str = "daily 05:30"
    quiet_days: int = Field(default=45, ge=1)

    @model_validator(mode="after")
    def _one_place(self) -> "Feed":
        given = [k for k in _FEED_KINDS if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(
                "a feed names exactly one of url, folder, socrata or push: true"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    @property
    def kind(self) -> str:
        """``url``, ``folder``, ``socrata`` or ``push`` (a producer pushes records
        with ``crimecast ingest jsonl``: nothing to pull, but the quiet check still applies)."""
        return next(k for k in _FEED_KINDS if getattr(self, k))


_FEED_KINDS = ("url", "folder", "socrata", "push")


class Boundaries(Section):
    """The areas' polygons for maps: a GeoJSON ``file`` (relative to the profile) or ``url``
    (fetched only by ``crimecast reference boundaries --download``), the feature property holding
    the area's ``name``, and optionally its ``code`` (matched against the reference file's code
    first) and ``region``."""

    file: str | None = None
    url: str | None = None
    name: str = Field(min_length=1)
    code: str | None = None
    region: str | None = None

    @field_validator("url")
    @classmethod
    def _http(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("https://", "http://")):
            raise ValueError(f"boundaries.url must start with https:// or http://, got {v[:40]!r}")
        return v


class Workbook(Section):
    """A published monthly workbook's categories mapped to the profile's (null: not counted), one
    map per sheet that has categories (see :mod:`stream.sources.calgary_workbook`)."""

    crime: dict[str, str | None] = Field(min_length=1)
    disorder: dict[str, str | None] = Field(default_factory=dict)


class Source(Section):
    """Where the counts come from: the Calgary portal layout, a CSV through a column mapping
    (the mapping's format is :mod:`stream.sources.mapped`'s), or a police service's monthly
    workbook (``workbook``: its categories mapped to the profile's); ``feed``: where new data
    keep coming from (None: data arrive only by hand or pushed by a producer)."""

    kind: Literal["calgary", "mapped", "workbook"]
    mapping: dict[str, Any] | None = None
    workbook: Workbook | None = None
    url: str | None = None
    feed: Feed | None = None

    @model_validator(mode="after")
    def _mapping_for_mapped(self) -> "Source":
        if self.kind == "mapped" and not self.mapping:
            raise ValueError("a 'mapped' source needs a 'mapping' (columns and categories)")
        if self.kind == "workbook" and not self.workbook:
            raise ValueError(
                "a 'workbook' source needs 'workbook' (its categories mapped to yours)"
            )
        return self


#: Meteorological seasons, northern hemisphere: name -> (first month, last month).
DEFAULT_SEASONS = {
    "spring": (3, 5),
    "summer": (6, 8),
    "autumn": (9, 11),
    "fall": (9, 11),
    "winter": (12, 2),
}


#: Holidays on the same month everywhere the bot is used: name -> month (1-12). A profile's
#: ``events:`` adds the city's own (Calgary's Stampede) and the country's (Thanksgiving).
DEFAULT_EVENTS = {
    "christmas": 12,
    "xmas": 12,
    "boxing day": 12,
    "new years eve": 12,
    "new year": 1,
    "valentines": 2,
    "halloween": 10,
    "labour day": 9,
    "labor day": 9,
}
