"""The configured set of crime categories, and tolerant matching of raw names onto it.

Counts are kept per canonical category, spelled exactly as the configured set spells it (by default
the city profile's, :mod:`core.profile`: Calgary's nine portal spellings, odd spacing and capitals
included). Raw names from a file or a stream are
matched ignoring case and runs of white space, so ``"violence 'other' (non-domestic)"`` still lands on
``"Violence  'Other' (Non-domestic)"`` (two spaces).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Iterable, Mapping

from core.profile import CityProfile, active_profile, load_profile

_WS = re.compile(r"\s+")


def match_key(name: str) -> str:
    """The key two spellings of one category share: case folded, white space collapsed.

    >>> match_key("  Violence 'OTHER'   (Non-domestic) ")
    "violence 'other' (non-domestic)"
    """
    return _WS.sub(" ", name).strip().casefold()


class CategorySet:
    """Canonical category names plus optional aliases (raw name -> canonical name).

    >>> cats = CategorySet.calgary()
    >>> cats.resolve("theft of vehicle")
    'Theft OF Vehicle'
    >>> cats.resolve("Violence 'Other' (Non-domestic)")
    "Violence  'Other' (Non-domestic)"
    >>> cats.resolve("Arson") is None
    True
    >>> CategorySet(["A"], aliases={"car theft": "A"}).resolve("Car  Theft")
    'A'
    """

    def __init__(self, names: Iterable[str], aliases: Mapping[str, str] | None = None):
        self.names = tuple(names)
        self.aliases = dict(aliases or {})
        if not self.names:
            raise ValueError("a category set needs at least one category")
        self._index: dict[str, str] = {}
        for name in self.names:
            if not isinstance(name, str) or not name.strip() or any(c in name for c in "|\t\n\r"):
                raise ValueError(
                    f"category {name!r} must be non-empty text without '|', tabs or line breaks"
                )
            key = match_key(name)
            if key in self._index:
                raise ValueError(
                    f"categories {self._index[key]!r} and {name!r} differ only in case/spacing"
                )
            self._index[key] = name
        for raw, canonical in self.aliases.items():
            if canonical not in self.names:
                raise ValueError(f"alias {raw!r} maps to {canonical!r}, which is not a category")
            self._index.setdefault(match_key(raw), canonical)

    def resolve(self, raw: str) -> str | None:
        """The canonical name ``raw`` stands for, or ``None`` when it is not in the set."""
        return self._index.get(match_key(raw))

    def __contains__(self, raw: object) -> bool:
        return isinstance(raw, str) and self.resolve(raw) is not None

    def __iter__(self):
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"CategorySet({len(self.names)} categories)"

    @classmethod
    def calgary(cls) -> "CategorySet":
        """Calgary's nine portal categories (from Calgary's profile)."""
        return cls.from_profile(load_profile(None))

    @classmethod
    def from_profile(cls, profile: CityProfile) -> "CategorySet":
        """A city profile's categories."""
        return cls(profile.category_names)

    @classmethod
    def default(cls) -> "CategorySet":
        """The deployment's categories: those of the active city profile (``CRIMECAST_CITY_FILE``)."""
        return cls.from_profile(active_profile())

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> "CategorySet":
        """Load a set from YAML or JSON: a list of names, or ``{categories: [...], aliases: {...}}``.

        Raises ``ValueError`` naming the file when it cannot be used.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: cannot read category file: {exc}") from exc
        try:
            if path.suffix.lower() == ".json":
                data = json.loads(text)
            else:
                import yaml

                data = yaml.safe_load(text)
        except Exception as exc:
            raise ValueError(f"{path}: not valid YAML/JSON: {exc}") from exc
        if isinstance(data, list):
            names, aliases = data, {}
        elif isinstance(data, dict) and isinstance(data.get("categories"), list):
            names, aliases = data["categories"], data.get("aliases") or {}
        else:
            raise ValueError(
                f"{path}: expected a list of categories or a mapping with 'categories'"
            )
        if not all(isinstance(n, str) and n.strip() for n in names):
            raise ValueError(f"{path}: every category must be a non-empty string")
        try:
            return cls(names, {str(k): str(v) for k, v in dict(aliases).items()})
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from exc

    @classmethod
    def load(
        cls, path: str | os.PathLike[str] | None, profile: CityProfile | None = None
    ) -> "CategorySet":
        """From ``path`` when given (``CRIMECAST_CATEGORIES_FILE``), else ``profile``'s (by default
        the active city profile's)."""
        if path is not None:
            return cls.from_file(path)
        return cls.default() if profile is None else cls.from_profile(profile)
