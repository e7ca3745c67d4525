"""crimecast core: the notions every package shares, each defined once.

A leaf package: it imports nothing else of crimecast, so ``stream``, ``online_model``, ``workers`` and
``bot`` may all use it without tying themselves to each other.

- :mod:`core.months`: a month is a ``"YYYY-MM"`` string; its arithmetic lives here only.
- :mod:`core.negbin`: negative-binomial counts, the shortest honest interval, totals of parts.
- :mod:`core.caveats`: the caveat lines shown wherever a count or ranking could be misread.
- :mod:`core.text`: an area's name (upper case, single spaces) and text that may arrive as bytes.
"""
