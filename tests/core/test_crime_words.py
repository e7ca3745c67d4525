"""Category words derived from a city's own category names: right when they name one, nothing
when they name none (never a neighbour)."""

from __future__ import annotations

import pytest

from core.crime_words import concepts, derive, is_crime_word

ATLANTA = [
    "LARCENY-FROM VEHICLE",
    "LARCENY-NON VEHICLE",
    "AUTO THEFT",
    "BURGLARY-RESIDENCE",
    "AGG ASSAULT",
    "BURGLARY-NONRES",
    "ROBBERY-PEDESTRIAN",
    "ROBBERY-COMMERCIAL",
    "ROBBERY-RESIDENCE",
    "HOMICIDE",
    "MANSLAUGHTER",
]
TORONTOISH = [
    "Theft of Bicycle",
    "Theft of Motor Vehicle",
    "Assault",
    "Break and Enter",
    "Robbery",
    "Homicide",
    "Shooting",
]

DERIVED = [
    (TORONTOISH, "bike theft", {"Theft of Bicycle"}),
    (TORONTOISH, "bicycle", {"Theft of Bicycle"}),
    (TORONTOISH, "bikes stolen", {"Theft of Bicycle"}),
    (TORONTOISH, "stolen bikes", {"Theft of Bicycle"}),
    (TORONTOISH, "car theft", {"Theft of Motor Vehicle"}),
    (TORONTOISH, "break ins", {"Break and Enter"}),
    (TORONTOISH, "burglaries", {"Break and Enter"}),
    (TORONTOISH, "murders", {"Homicide"}),
    (TORONTOISH, "thefts", {"Theft of Bicycle", "Theft of Motor Vehicle"}),
    (ATLANTA, "aggravated assault", {"AGG ASSAULT"}),
    (ATLANTA, "assaults", {"AGG ASSAULT"}),
    (ATLANTA, "car theft", {"AUTO THEFT"}),
    (ATLANTA, "stolen cars", {"AUTO THEFT"}),
    (ATLANTA, "car break ins", {"LARCENY-FROM VEHICLE"}),
    (ATLANTA, "theft from cars", {"LARCENY-FROM VEHICLE"}),
    (ATLANTA, "home burglaries", {"BURGLARY-RESIDENCE"}),
    (ATLANTA, "commercial burglary", {"BURGLARY-NONRES"}),
    (ATLANTA, "muggings", {"ROBBERY-PEDESTRIAN"}),
    (ATLANTA, "robberies", {"ROBBERY-PEDESTRIAN", "ROBBERY-COMMERCIAL", "ROBBERY-RESIDENCE"}),
    (
        ATLANTA,
        "violent crime",
        {
            "AGG ASSAULT",
            "ROBBERY-PEDESTRIAN",
            "ROBBERY-COMMERCIAL",
            "ROBBERY-RESIDENCE",
            "HOMICIDE",
            "MANSLAUGHTER",
        },
    ),
    (
        ATLANTA,
        "property crime",
        {
            "LARCENY-FROM VEHICLE",
            "LARCENY-NON VEHICLE",
            "AUTO THEFT",
            "BURGLARY-RESIDENCE",
            "BURGLARY-NONRES",
        },
    ),
    (ATLANTA, "vehicle crime", {"LARCENY-FROM VEHICLE", "AUTO THEFT"}),
]
NOTHING = [
    (ATLANTA, "bike thefts"),
    (ATLANTA, "bicycle"),
    (ATLANTA, "arson"),
    (ATLANTA, "shoplifting"),
    (ATLANTA, "residential"),
    (ATLANTA, "forest lawn"),
    (ATLANTA, "drug offences"),
    (TORONTOISH, "aggravated assault"),
    (TORONTOISH, "theft from vehicles"),
]


@pytest.mark.parametrize("cats,phrase,expected", DERIVED, ids=[d[1] for d in DERIVED])
def test_phrase_names_its_categories(cats, phrase, expected):
    """A phrase the profile does not list still names the categories it means."""
    assert set(derive(phrase, cats)[1]) == expected


@pytest.mark.parametrize("cats,phrase", NOTHING, ids=[n[1] for n in NOTHING])
def test_phrase_naming_no_category_names_nothing(cats, phrase):
    """A crime word no category carries, or a lone modifier, never lands on another category."""
    assert derive(phrase, cats) is None


def test_negation_is_read():
    """'NON VEHICLE' is the opposite of vehicle, so 'car' never means LARCENY-NON VEHICLE."""
    assert "not_vehicle" in concepts("LARCENY-NON VEHICLE")
    assert "LARCENY-NON VEHICLE" not in derive("cars", ATLANTA)[1]


def test_crime_words_are_told_from_places():
    """Crime words are recognised; ordinary and place words are not."""
    assert is_crime_word("bikes") and is_crime_word("homicides")
    assert not is_crime_word("park") and not is_crime_word("residential")
