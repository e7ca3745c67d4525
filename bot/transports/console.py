"""The console transport: ``crimecast ask`` (one question) and ``crimecast chat`` (a prompt).

Same engine and answers as Discord; printed as plain text, or as the structured answer (``--json``),
with the chart written to a file on request.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, TextIO

from bot.answering.answer import Answer
from bot.answering.engine import Context, Engine
from bot.rendering.render import to_png, to_text

PROMPT = "crimecast> "
QUIT = {"quit", "exit", "q", ":q", "bye"}


def ask(
    engine: Engine,
    text: str,
    *,
    as_json: bool = False,
    chart: str | Path | None = None,
    out: TextIO,
    map_file: str | Path | None = None,
) -> Answer:
    """Answer one question on ``out``; write the chart PNG to ``chart`` when given, and with
    ``map_file`` answer it by area and write its map there."""
    if map_file is not None:
        from bot.answering.maps import ask_map, map_request

        answer = ask_map(engine, map_request(text) or text, Context(transport="console"))
    else:
        answer = engine.ask(text, Context(transport="console"))
    drawn = _write_map(engine, answer, map_file, out if not as_json else None)
    if chart is not None:
        png = to_png(answer) if answer.ok else None
        if png is None:
            if not as_json:
                out.write("(no chart for this answer)\n")
        else:
            path = Path(chart)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)
    if as_json:
        data = answer.to_dict()
        if chart is not None:
            data["chart_file"] = str(chart) if answer.chart is not None and answer.ok else None
        if map_file is not None:
            data["map_file"] = str(map_file) if drawn else None
        out.write(json.dumps(data, indent=2, default=str) + "\n")
    else:
        out.write(to_text(answer, markdown=False) + "\n")
        if chart is not None and answer.chart is not None and answer.ok:
            out.write(f"chart written to {chart}\n")
        if drawn:
            out.write(f"map written to {map_file}\n")
    return answer


def _write_map(engine: Engine, answer: Answer, path: str | Path | None, out: TextIO | None) -> bool:
    """Write the answer's map to ``path``; False (and a line on ``out``) when it has none."""
    if path is None:
        return False
    from bot.answering.maps import Geometries, answer_png

    png, kind = answer_png(answer, Geometries(engine.client, engine.keys))
    if png is None or kind != "map":
        if out is not None:
            out.write(
                "(no map for this answer: "
                + (
                    "no area has a boundary or a located incident"
                    if "map" in answer.data
                    else "it has no value per area"
                )
                + ")\n"
            )
        return False
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(png)
    return True


def chat(engine: Engine, *, read: Callable[[str], str] = input, out: TextIO) -> int:
    """An interactive prompt until ``quit`` or end of input; returns the questions answered."""
    out.write(
        "Ask about reported crime (e.g. 'forecast Beltline next month'); 'help' for more, "
        "'quit' to leave.\n"
    )
    n = 0
    while True:
        try:
            line = read(PROMPT)
        except (EOFError, KeyboardInterrupt):
            out.write("\n")
            return n
        text = line.strip()
        if not text:
            continue
        if text.lower() in QUIT:
            return n
        ask(engine, text, out=out)
        n += 1
