"""The city's own words for help: example questions, what can be asked, what reference data
are loaded. :class:`bot.language.names.Names` carries these methods (kept apart from the
vocabulary itself, which resolves words to places and categories).
"""

from __future__ import annotations

from typing import Iterable


class HelpWords:
    """Help text over ``self.profile``, ``self.communities``, ``self.sectors`` and the busiest
    areas and categories (set by the engine)."""

    def examples(self, busiest: Iterable[str] = ()) -> list[str]:
        """Example questions in this city's words: the profile's, else built from its busiest
        areas (``busiest``, most first), its first group or category and its regions."""
        if self.profile.examples:
            return list(self.profile.examples)
        areas = [a.title() for a in (busiest or self.busiest) if a in self.communities]
        areas = (areas or [a.title() for a in self.communities[:2]] or ["Downtown"]) * 2
        profile = self.profile
        labels = {c.name: c.label or " ".join(c.name.split()) for c in profile.categories}
        busiest = [labels[c] for c in self.busiest_categories if c in labels]
        group = profile.groups[0].label if profile.groups else None
        first = (busiest or [group or next(iter(labels.values()))])[0]
        out = [
            f"forecast {areas[0]} next month",
            f"{first} in {areas[1]} in the next 3 months",
            f"top 5 {self.area_words} for {group or first} next month",
        ]
        if self.sectors:
            out.append(f"top 10 in {profile.region_label(self.sectors[0])}")
        out += [
            f"trend {areas[1]}",
            f"compare {areas[0]} and {areas[1]}",
            f"why is {areas[0]} up?",
            f"how many incidents of {first} were there in {areas[0]} last month?",
            f"is crime up in {areas[1]} compared to last year?",
            f"which {self.area_words} are running hot?",
            "how did last month's forecast do?",
            "what data do you have?",
            "status",
        ]
        return out

    def reference_text(self, n_info: int) -> str:
        """What reference data are loaded, in the city's words (status and coverage answers)."""
        regions = f"{self.region_word}s" if self.region_word else "regions"
        if not n_info:
            return f"not loaded (no {regions}, no rates): `crimecast reference load`"
        pops = any(i.population for i in self.info.values())
        return f"{n_info} {self.area_words} with {regions}" + (
            "/population" if pops else " (no population: no rates)"
        )

    def help_lines(self) -> list[str]:
        """What can be asked here, in the city's words: examples, places, categories."""
        profile = self.profile
        lines = [f"Ask about reported crime in {self.city_name} {self.area_words}. For example:"]
        lines += [f"• `{e}`" for e in self.examples()]
        places = [f"any {self.area_word} (typos are fine)"]
        if self.region_word:
            first = self.sectors[0] if self.sectors else ""
            shown = f' ("{profile.region_label(first)}")' if first else ""
            places.append(f"{self.region_with_article}{shown}")
        places += [f'"{a}"' for a in list(profile.areas)[:1]] + ["the whole city"]
        cats = [g.label for g in profile.groups][:4] or [
            c.label or c.name for c in profile.categories
        ][:4]
        lines.append(
            f"Places: {', '.join(places[:-1])}, or {places[-1]}. Categories: "
            f"{', '.join(cats)}, ... Add `per 1000` for rates per 1,000 residents."
        )
        return lines
