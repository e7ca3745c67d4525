"""The bot's understanding of officers' own words: pure parsing (no Redis, no Discord, no torch).

:mod:`.question` holds the question value; :mod:`.understand` reads text into one (its parts:
:mod:`.periods`, :mod:`.measures`, :mod:`.crimes`, :mod:`.places`, :mod:`.names`, :mod:`.words`)
and :mod:`.options` slash-command options; :mod:`.resolve` alone decides past vs future against
the data (:mod:`.spans`: periods as months); :mod:`.clarify` asks back rather than broaden.
:mod:`.parse` takes off what chat adds around a question.
"""


def read(text: str, names, facts):
    """Text -> a resolved :class:`~bot.language.question.Question` (parse, then resolve once)."""
    from .resolve import resolve
    from .understand import parse_question

    return resolve(parse_question(text, names), facts)
