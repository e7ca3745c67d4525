"""A figure per 1,000 residents in words, with the population it rests on, or why there is none
(no reference data, no population figures for the city, none for the place)."""

from __future__ import annotations

from bot.language.names import Names


def rate_words(
    value: float, facts: dict, population: int, label: str, names: Names
) -> tuple[float | None, str]:
    """``value`` per 1,000 of ``population`` and a note on what population, or None and why.
    ``facts``: whether reference data (``reference``) and any population (``any_population``)
    are loaded."""
    profile = names.profile
    if not facts["reference"]:
        return None, (
            "Rates per 1,000 residents need the census reference data "
            "(`crimecast reference load`); not loaded."
        )
    if not facts["any_population"]:
        why = (
            "its profile names none"
            if profile.reference.population is None
            else "an admin loads them with `crimecast reference load --population FILE`"
        )
        return None, (
            f"No population figures are loaded for {profile.name} ({why}), so "
            "no rate per 1,000 residents."
        )
    if not population:
        return None, (
            f"No census population for {label} (industrial, park or new area), "
            "so no rate per 1,000 residents."
        )
    return (
        value / population * 1000.0,
        f"per 1,000 residents ({population_label(names)} {population:,})",
    )


def population_label(names: Names) -> str:
    """What the population figures are ("2021 census household population")."""
    pop = names.profile.reference.population
    return pop.label if pop else "census population"
