"""Which words name which intent, and the words that carry no meaning of their own.

Pure tables and one function, used by :mod:`bot.language.understand`: :func:`detect_intent` marks the phrases
it used so that they are not read again as places or categories.
"""

from __future__ import annotations

import re

INTENT_PHRASES: list[tuple[str, str]] = [
    ("unsubscribe", "unsubscribe"),
    ("stop alerts", "unsubscribe"),
    ("stop the alerts", "unsubscribe"),
    ("alerts off", "unsubscribe"),
    ("subscribe", "subscribe"),
    ("alerts on", "subscribe"),
    ("compare", "compare"),
    ("stack up", "compare"),
    ("stacks up", "compare"),
    ("measure up", "compare"),
    ("measures up", "compare"),
    ("compared", "compare"),
    ("versus", "compare"),
    ("vs", "compare"),
    ("v", "compare"),
    ("what drives", "explain"),
    ("whats driving", "explain"),
    ("what is driving", "explain"),
    ("why", "explain"),
    ("explain", "explain"),
    ("drivers", "explain"),
    ("driving", "explain"),
    ("top", "top"),
    ("highest", "top"),
    ("hotspots", "top"),
    ("hotspot", "top"),
    ("hot spots", "top"),
    ("worst", "top"),
    ("rank", "top"),
    ("ranking", "top"),
    ("most", "top"),
    ("where will", "top"),
    ("which communities", "top"),
    ("busiest", "top"),
    ("trend", "trend"),
    ("trends", "trend"),
    ("trending", "trend"),
    ("history", "trend"),
    ("historical", "trend"),
    ("changed", "trend"),
    ("over time", "trend"),
    ("how has", "trend"),
    ("how accurate are you", "accuracy"),
    ("how accurate are your", "accuracy"),
    ("how accurate have you been", "accuracy"),
    ("how accurate were you", "accuracy"),
    ("how accurate were your", "accuracy"),
    ("biased against", "accuracy"),
    ("biased towards", "accuracy"),
    ("biased", "accuracy"),
    ("bias", "accuracy"),
    ("over forecast", "accuracy"),
    ("over forecasting", "accuracy"),
    ("under forecast", "accuracy"),
    ("accountability", "accuracy"),
    ("alerts point", "accuracy"),
    ("flags point", "accuracy"),
    ("where do your alerts", "accuracy"),
    ("where do you point", "accuracy"),
    ("who do you flag", "accuracy"),
    ("status", "status"),
    ("health", "status"),
    ("model version", "status"),
    ("data through", "status"),
    ("accuracy", "status"),
    ("how accurate", "status"),
    ("version", "status"),
    ("running hot", "hot"),
    ("run hot", "hot"),
    ("ran hot", "hot"),
    ("runs hot", "hot"),
    ("unusually", "hot"),
    ("unusual", "hot"),
    ("anomalies", "hot"),
    ("anomaly", "hot"),
    ("anomalous", "hot"),
    ("spike", "hot"),
    ("spikes", "hot"),
    ("spiking", "hot"),
    ("surge", "hot"),
    ("surging", "hot"),
    ("out of the ordinary", "hot"),
    ("hot", "hot"),
    ("higher than expected", "hot"),
    ("more than expected", "hot"),
    ("above expected", "hot"),
    ("flagged", "hot"),
    ("red flags", "hot"),
    ("what data", "coverage"),
    ("which data", "coverage"),
    ("data do you have", "coverage"),
    ("data you have", "coverage"),
    ("how fresh", "coverage"),
    ("freshness", "coverage"),
    ("coverage", "coverage"),
    ("how recent", "coverage"),
    ("how old", "coverage"),
    ("latest data", "coverage"),
    ("newest data", "coverage"),
    ("what months", "coverage"),
    ("what years", "coverage"),
    ("data range", "coverage"),
    ("last updated", "coverage"),
    ("up to date", "coverage"),
    ("what do you know", "coverage"),
    ("data cover", "coverage"),
    ("forecast", "forecast"),
    ("forcast", "forecast"),
    ("forecasts", "forecast"),
    ("predict", "forecast"),
    ("prediction", "forecast"),
    ("projection", "forecast"),
    ("expect", "forecast"),
    ("expected", "forecast"),
    ("how many", "forecast"),
    ("outlook", "forecast"),
    ("estimate", "forecast"),
    ("help", "help"),
    ("commands", "help"),
    ("what can you do", "help"),
    ("usage", "help"),
]
PRIORITY = (
    "unsubscribe",
    "subscribe",
    "coverage",
    "accuracy",
    "hot",
    "compare",
    "top",
    "explain",
    "trend",
    "status",
    "forecast",
    "help",
)
REVIEW = re.compile(
    r"\b(?:forecasts?|predictions?|model)\b.*\b(?:do|did|perform|performed|go|went|"
    r"right|wrong|hold up|held up|compare|score|scored)\b|\bhow (?:good|well|accurate|"
    r"close)\b.*\b(?:forecasts?|predictions?)\b|\b(?:did|was|were)\b.*"
    r"\b(?:forecasts?|predictions?)\b(?! for)|"
    r"\bforecasts? (?:vs|versus|against) (?:actual|reality|counts?)\b"
)
UPDOWN = re.compile(
    r"\b(?:up|down|higher|lower|increas(?:e|ed|ing)|decreas(?:e|ed|ing)|rising|"
    r"falling|risen|fallen|dropp?(?:ed|ing)?|climbing|worse|better|more or less)\b"
)
AUX = re.compile(r"\b(?:is|are|has|have|was|were|did|gone|went)\b")

STOPWORDS = set(
    """
a an the in for of on at to is are be will would what whats how many much there please thanks
thank me show give tell about and or with by from this that it its crimecast bot hey hi hello can
you i we our my do does did get has have been was were up down going communities community
neighbourhood neighborhood neighbourhoods area areas sector number count counts which where when
likely gonna look looking like pls plz chart graph plot figure map residents resident us could
should next month months year years so far than then any all some see just now currently current
currently expected going let lets know want need whats s t coming upcoming during over within
into our your am pm ok okay yes no also still again more less rise rising fall falling increase
increasing decrease decreasing high low level levels rate rates per capita thousand k quick
quickly same last previous compared vs versus v be being happen happening happens had happened
occurred reported recorded saw seen ago anything something good well badly unusually
across each every along throughout out outta
""".split()
)


_BY_FIRST: dict[str, list[tuple[list[str], str, str]]] = {}
for _phrase, _intent in INTENT_PHRASES:
    _BY_FIRST.setdefault(_phrase.split()[0], []).append((_phrase.split(), _intent, _phrase))


def detect_intent(
    tokens: list[str], used: list[bool], extra: list[tuple[str, str]] = ()
) -> str | None:
    """The intent the words name (``extra``: the city's own phrases, "which neighborhoods").

    >>> toks = "top 5 hotspots next month".split(); detect_intent(toks, [False] * 4)
    'top'
    """
    found: set[str] = set()
    index = _BY_FIRST
    if extra:
        index = {k: list(v) for k, v in _BY_FIRST.items()}
        for phrase, intent in extra:
            index.setdefault(phrase.split()[0], []).append((phrase.split(), intent, phrase))
    order = {p: i for i, (p, _) in enumerate(INTENT_PHRASES + list(extra))}
    hits = []
    for i, tok in enumerate(tokens):
        for words, intent, phrase in index.get(tok, ()):
            hits.append((order[phrase], i, words, intent, phrase))
    for _, i, words, intent, phrase in sorted(hits):  # in the table's order, as before
        if tokens[i : i + len(words)] == words and not any(used[i : i + len(words)]):
            if phrase == "v" and (i == 0 or i == len(tokens) - 1):
                continue
            found.add(intent)
            for j in range(i, i + len(words)):
                used[j] = True
    for intent in PRIORITY:
        if intent in found:
            return intent
    return None
