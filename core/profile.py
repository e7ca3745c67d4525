"""A city profile: everything that makes a deployment speak one city, in one YAML file.

The city's name and time zone, the word for its areas ("community", "neighborhood"), its crime
categories with the phrases people use for them and their groups ("violent crime", "break-ins"),
common names for groups of areas ("downtown"), its regions (Calgary's sectors, Atlanta's NPUs) and
the reference files they come from, and the source with its column mapping. Calgary's profile ships
as package data and is the default; ``CRIMECAST_CITY_FILE`` selects another.

>>> calgary = load_profile(None)
>>> calgary.name, calgary.area.singular, calgary.regions.word.plural
('Calgary', 'community', 'sectors')
>>> calgary.region_label("NORTHEAST")
'NORTHEAST sector'
>>> len(calgary.category_names)
9
>>> calgary.boundaries.name, calgary.boundaries.code
('name', 'comm_code')

:func:`check_file` validates a file and says what is wrong, line by line.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from .profile_sections import (
    DEFAULT_EVENTS,
    DEFAULT_SEASONS,
    Boundaries,
    Category,
    Feed,
    Group,
    Reference,
    Regions,
    Source,
    Words,
    Section,
)
from .text import area_name

__all__ = [
    "CityProfile",
    "DEFAULT_SEASONS",
    "Feed",
    "ProfileError",
    "check_file",
    "load_profile",
    "active_profile",
    "CALGARY_FILE",
    "ENV_VAR",
]

ENV_VAR = "CRIMECAST_CITY_FILE"
CONFIG_ENV = "CRIMECAST_CONFIG_DIR"  # the deployment's folder of profiles and reference files
CALGARY_FILE = Path(__file__).with_name("profiles") / "calgary.yaml"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ProfileError(ValueError):
    """A profile that cannot be used; ``problems`` lists ``(line or None, message)`` pairs."""

    def __init__(self, path: str, problems: list[tuple[int | None, str]]):
        self.path = path
        self.problems = problems
        super().__init__(
            "\n".join(
                f"{path}:{line}: {msg}" if line else f"{path}: {msg}" for line, msg in problems
            )
        )


class CityProfile(Section):
    """One city's deployment profile (see the module docstring)."""

    name: str = Field(min_length=1)
    timezone: str
    area: Words
    city_words: list[str] = Field(default_factory=list)
    categories: list[Category] = Field(min_length=1)
    groups: list[Group] = Field(default_factory=list)
    areas: dict[str, list[str]] = Field(default_factory=dict)
    regions: Regions | None = None
    reference: Reference = Field(default_factory=Reference)
    boundaries: Boundaries | None = None  # polygons for maps (optional: centres of incidents serve)
    source: Source
    examples: list[str] = Field(default_factory=list)
    sample_areas: list[str] = Field(default_factory=list)  # synthetic demo data, help without data
    series_start: str | None = None
    #: Season name -> [first month, last month] (1-12; wraps over New Year when last < first).
    #: Default: meteorological, northern hemisphere (:data:`DEFAULT_SEASONS`).
    seasons: dict[str, tuple[int, int]] | None = None
    #: Holiday or event name -> the month it falls in (1-12): "during stampede" on a monthly
    #: source is asked back naming that month. Added to :data:`DEFAULT_EVENTS`.
    events: dict[str, int] | None = None
    path: str | None = Field(default=None, exclude=True)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {v!r} (use an IANA name such as 'America/New_York')"
            ) from None
        return v

    @field_validator("seasons")
    @classmethod
    def _seasons(cls, v: dict | None) -> dict | None:
        if v is None:
            return v
        for name, (a, b) in v.items():
            if not (1 <= a <= 12 and 1 <= b <= 12) or not str(name).strip():
                raise ValueError(f"season {name!r}: months must be 1-12, got [{a}, {b}]")
        return {str(k).lower().strip(): (int(a), int(b)) for k, (a, b) in v.items()}

    @field_validator("events")
    @classmethod
    def _events(cls, v: dict | None) -> dict | None:
        if v is None:
            return v
        for name, month in v.items():
            if not (isinstance(month, int) and 1 <= month <= 12) or not str(name).strip():
                raise ValueError(f"event {name!r}: a month 1-12, got {month!r}")
        return {" ".join(str(k).lower().replace("'", "").split()): int(m) for k, m in v.items()}

    @property
    def event_months(self) -> dict[str, int]:
        """The holidays and events this city's words name, with their month.

        >>> load_profile(None).event_months["christmas"]
        12
        """
        return {**DEFAULT_EVENTS, **(self.events or {})}

    @property
    def season_months(self) -> dict[str, tuple[int, int]]:
        """The profile's seasons, else :data:`DEFAULT_SEASONS`.

        >>> load_profile(None).season_months["winter"]
        (12, 2)
        """
        return dict(self.seasons) if self.seasons else dict(DEFAULT_SEASONS)

    @field_validator("series_start")
    @classmethod
    def _month(cls, v: str | None) -> str | None:
        if v is not None and not _MONTH.match(str(v)):
            raise ValueError(f"series_start must look like YYYY-MM, got {v!r}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "CityProfile":
        seen: dict[str, str] = {}
        for c in self.categories:
            key = " ".join(c.name.split()).casefold()
            if key in seen:
                raise ValueError(
                    f"categories {seen[key]!r} and {c.name!r} differ only in case/spacing"
                )
            seen[key] = c.name
        for g in self.groups:
            missing = [m for m in g.members if " ".join(m.split()).casefold() not in seen]
            if missing:
                raise ValueError(
                    f"group {g.label!r} lists {', '.join(map(repr, missing))}, "
                    "not a category of this profile"
                )
        wb = self.source.workbook
        for sheet, mapped in (("crime", wb.crime), ("disorder", wb.disorder)) if wb else ():
            wrong = [
                v
                for v in mapped.values()
                if v is not None and " ".join(v.split()).casefold() not in seen
            ]
            if wrong:
                raise ValueError(
                    f"source.workbook.{sheet} maps to {', '.join(map(repr, wrong))}, "
                    "not a category of this profile"
                )
        return self

    # --- what the rest of crimecast asks --------------------------------------------------------
    @property
    def category_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.categories)

    @property
    def region_word(self) -> Words | None:
        return self.regions.word if self.regions else None

    def region_label(self, name: str) -> str:
        """How a region is called in answers: ``NORTHEAST sector``, ``NPU M``."""
        if self.regions is None:
            return name
        return self.regions.label.format(name=name, word=self.regions.word.singular)

    def region_of_label(self, label: str) -> str | None:
        """The region name a label stands for (``"NPU M"`` -> ``"M"``), or None."""
        if self.regions is None:
            return None
        head, _, tail = self.regions.label.format(
            name="\x00", word=self.regions.word.singular
        ).partition("\x00")
        text = " ".join(label.split())
        if text.upper().startswith(head.upper()) and text.upper().endswith(tail.upper()):
            inner = text[len(head) : len(text) - len(tail)].strip()
            return inner.upper() or None
        return None

    @property
    def fallback_pattern(self) -> str | None:
        """How an area is named when only the fallback column is known (``NPU {value} ...``)."""
        mapping = self.source.mapping or {}
        cols = mapping.get("columns") or {}
        if not cols.get("community_fallback"):
            return None
        return str(mapping.get("fallback_name") or "{value} (no area)")

    def fallback_area(self, value: str) -> str:
        """The area name for a row whose area is blank but whose fallback column is ``value``.

        >>> load_profile(None).fallback_area("M")
        'M (NO AREA)'
        """
        name = (self.fallback_pattern or "{value} (no area)").format(value=" ".join(value.split()))
        return area_name(name)

    def is_fallback_area(self, name: str) -> bool:
        """True for an area named by :meth:`fallback_area` (only when the source has a fallback)."""
        pattern = self.fallback_pattern
        if pattern is None:
            return False
        head, _, tail = " ".join(pattern.split()).upper().partition("{VALUE}")
        return name.startswith(head) and name.endswith(tail) and len(name) > len(head) + len(tail)

    def resolve_file(self, name: str | None) -> Path | None:
        """A file named in the profile, relative to the profile's own folder; a relative name not
        found there is looked for in the deployment's config folder (``CRIMECAST_CONFIG_DIR``,
        which compose mounts at ``/config``: reference files for the built-in profile)."""
        if not name:
            return None
        p = Path(name).expanduser()
        if p.is_absolute():
            return p
        beside = Path(self.path).parent / p if self.path else p
        config = os.environ.get(CONFIG_ENV, "").strip()
        if not beside.exists() and config and (Path(config) / p).exists():
            return Path(config) / p
        return beside


# --- loading -------------------------------------------------------------------------------------
def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The line (1-based) of the YAML node at ``loc`` (pydantic's error location), best effort."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if nxt is None:
                nxt = next(
                    (
                        v
                        for k, v in node.value
                        if getattr(k, "value", None) == "class" and part == "class_"
                    ),
                    None,
                )
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            nxt = node.value[part]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return line


def _message(err: dict) -> str:
    where = ".".join(str(p) for p in err["loc"] if p != "class_") or "(top level)"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        return f"{where}: required field is missing"
    if err["type"] == "extra_forbidden":
        return f"{where}: unknown field (a typo?)"
    return f"{where}: {msg}"


def parse_profile(text: str, path: str = "<profile>") -> CityProfile:
    """A profile from YAML text; raises :class:`ProfileError` listing each problem with its line."""
    try:  # libyaml when present: every one-shot command reads the profile
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ProfileError(
            path,
            [(mark.line + 1 if mark else None, f"not valid YAML: {getattr(exc, 'problem', exc)}")],
        ) from None
    if not isinstance(data, dict):
        raise ProfileError(path, [(1, "a profile is a mapping (name:, timezone:, area:, ...)")])
    try:
        return CityProfile.model_validate({**data, "path": path})
    except ValidationError as exc:
        node = yaml.compose(text)  # only to say which line each problem is on
        problems = [(_line_of(node, tuple(e["loc"])), _message(e)) for e in exc.errors()]
        raise ProfileError(path, problems) from None


def load_profile(path: str | os.PathLike[str] | None) -> CityProfile:
    """The profile in ``path``; Calgary's (the package default) when ``path`` is None or empty."""
    p = Path(path) if path else CALGARY_FILE
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(str(p), [(None, f"cannot read the profile: {exc}")]) from None
    return parse_profile(text, str(p))


@lru_cache(maxsize=8)
def _cached(path: str) -> CityProfile:
    return load_profile(path or None)


def active_profile() -> CityProfile:
    """The deployment's profile: ``CRIMECAST_CITY_FILE`` (the ``city_file`` setting) or Calgary's."""
    return _cached(os.environ.get(ENV_VAR, "").strip())


def check_file(path: str | os.PathLike[str]) -> list[tuple[int | None, str]]:
    """Every problem with a profile file, as ``(line, message)`` pairs (empty when it is fine)."""
    try:
        load_profile(path)
    except ProfileError as exc:
        return exc.problems
    return []
