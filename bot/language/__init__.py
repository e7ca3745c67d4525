"""The bot's understanding of officers' own words: pure parsing (no Redis, no Discord, no torch).

:mod:`.question` holds the question value; :mod:`.parse` turns text or slash options into one;
:mod:`.periods`, :mod:`.horizon`, :mod:`.words`, :mod:`.names`, :mod:`.places` are its parts.
"""
