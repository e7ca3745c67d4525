"""The bot's understanding of officers' own words: pure parsing (no Redis, no Discord, no torch).

:mod:`.question` holds the question value; :mod:`.parse` turns text or slash options into one;
:mod:`.periods`, :mod:`.horizon`, :mod:`.words`, :mod:`.names`, :mod:`.places` are its parts.
"""


def read(text: str, names, facts):
    """Text -> a resolved :class:`~bot.language.question.Question` (parse, then resolve once)."""
    from .resolve import resolve
    from .understand import parse_question

    return resolve(parse_question(text, names), facts)
