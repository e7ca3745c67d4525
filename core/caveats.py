"""The caveat lines: what a reader must not take a count, a forecast or a ranking for.

One wording, shown by the bot, the CLI, the weekly alert and the accountability report alike.
``docs/data.md`` (the data card) explains each line at length.
"""

REPORTED = "Reported crime, not all crime: counts reflect reporting and policing as well as crime."
FORECAST = "A forecast is an expectation with a range, not a prediction of any incident."
CAVEAT = f"{REPORTED} {FORECAST}"
RANKING = (
    "A high rank reflects reported crime, which follows reporting and police activity as "
    "well as crime, and busy places (downtown, malls, transit) draw crime from elsewhere."
)
FEEDBACK = (
    "Areas flagged again and again may reflect enforcement as well as crime: more patrols "
    "find more crime."
)
DATA_CARD = "docs/data.md"
