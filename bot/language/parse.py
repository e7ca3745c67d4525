"""What chat adds around a question, taken off before it is read: mentions, code fences, markdown,
links (:func:`clean`), the length limit (:func:`checked`), a horizon typed in a slash option
(:func:`horizon_option`), and the span helpers the reader (:mod:`bot.language.understand`) uses.

Pure: no Redis, no Discord, no torch. A :class:`QueryError` raised here is a short help reply,
shown to the user as it is.
"""

from __future__ import annotations

import re

from .horizon import Horizon, parse_horizon
from .names import Names, normalise
from .question import QueryError

MAX_CHARS = 400
MAX_HORIZON = 24


# --- cleaning ----------------------------------------------------------------------------------
_MENTION = re.compile(r"<@[!&]?\d+>|<#\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b|@\w+", re.I)
_CODE = re.compile(r"`{1,3}(?:[a-z]+\n)?", re.I)
_MARKDOWN = re.compile(r"[*_~|>#]+")
_URL = re.compile(r"https?://\S+", re.I)


def clean(text: str) -> str:
    """Strip what chat adds around a question: mentions, code fences, markdown, links.

    >>> clean("<@123> **forecast** `Beltline` @everyone")
    'forecast Beltline'
    >>> clean("```\\ntrend forest lawn\\n```")
    'trend forest lawn'
    """
    t = _MENTION.sub(" ", text)
    t = _URL.sub(" ", t)
    t = _CODE.sub(" ", t)
    t = _MARKDOWN.sub(" ", t)
    return re.sub(r"\s+", " ", t).strip()


def horizon_option(text: str | None) -> Horizon:
    """A horizon typed in a slash-command option ("next month", "3", "2024-03", "March")."""
    if text is None or not str(text).strip():
        return Horizon()
    t = normalise(str(text))
    if t.isdigit():
        n = int(t)
        if not 1 <= n <= MAX_HORIZON:
            raise QueryError(f"Horizon must be 1 to {MAX_HORIZON} months.", kind="bad_option")
        return Horizon("next", n, label=f"next {n} months" if n > 1 else "next month")
    h, _ = parse_horizon(
        t if t.startswith(("next", "this", "in ")) or t[:1].isdigit() else "in " + t
    )
    if h is None:
        h, _ = parse_horizon("next " + t)
    if h is None:
        raise QueryError(
            f"I don't understand the horizon '{_quote(text)}'. Use e.g. `next month`, "
            "`3` (next 3 months), `this month`, `March` or `2024-03`.",
            kind="bad_option",
        )
    return h


# --- parsing ------------------------------------------------------------------------------------
def _blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = "\x00"
    # a blank splits n-grams: turn each blanked run into a barrier token
    out = re.sub("\x00+", " | ", "".join(chars))
    return re.sub(r"\s+", " ", out).strip()


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the spans blanked by spaces (positions kept, so later spans still apply)."""
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = " "
    return "".join(chars)


def _quote(text: str, limit: int = 40) -> str:
    """Echo a bit of user text safely (no pings, no markdown, short)."""
    t = clean(str(text))
    t = re.sub(r"[`*_~|<>@]", "", t)
    return t[:limit] + ("…" if len(t) > limit else "")


def with_examples(read, text: str, names: Names):
    """``read(text, names)``; a :class:`QueryError` it raises carries the city's examples."""
    try:
        return read(text, names)
    except QueryError as err:
        if not err.examples:
            err.examples = names.examples()
        raise


def checked(raw: str) -> str:
    """The question without chat noise, or a :class:`QueryError` when it is too long."""
    if len(raw) > MAX_CHARS * 4:
        raise QueryError(
            f"That message is too long ({len(raw)} characters). Ask one short question at a time.",
            kind="too_long",
        )
    cleaned = clean(raw)
    if len(cleaned) > MAX_CHARS:
        raise QueryError(
            f"That question is too long ({len(cleaned)} characters; the limit is "
            f"{MAX_CHARS}). Ask one short question at a time.",
            kind="too_long",
        )
    return cleaned
