"""Charts as PNG bytes (matplotlib, Agg backend, no display): history + forecast band, rankings.

Figures are built with the object API (no pyplot state), so charts can be drawn from several
threads at once.
"""

from __future__ import annotations

import gc
import io

import matplotlib

matplotlib.use("Agg", force=False)
from matplotlib.figure import Figure  # noqa: E402

from bot.answering.answer import ChartSpec  # noqa: E402

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")
SIZE = (8.0, 4.0)
DPI = 80


def render_png(spec: ChartSpec) -> bytes:
    """Draw ``spec`` and return PNG bytes.

    A figure is tens of thousands of small objects with reference cycles; left to itself the
    garbage collector runs full (generation 2) passes over the whole heap in the middle of drawing,
    which doubled the slowest chart times. So automatic collection is paused while drawing and the
    young generations, where the figure's cycles are, are collected right after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _render(spec)
    finally:
        gc.collect(1)
        if was_enabled:
            gc.enable()


def _render(spec: ChartSpec) -> bytes:
    fig = Figure(figsize=SIZE, dpi=DPI)
    ax = fig.add_subplot(1, 1, 1)
    if spec.kind == "bars":
        _bars(ax, spec)
    else:
        _lines(ax, spec)
    title = spec.title[:90]
    if spec.kind != "bars":
        title += "\nsolid: reported · dashed: forecast · shaded: 80% range"
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3, axis="x" if spec.kind == "bars" else "y")
    if spec.note:
        fig.text(0.01, 0.01, spec.note[:160], fontsize=7, color="#555555")
    # fixed margins: tight_layout would measure every label first and double the drawing time
    if spec.kind == "bars":
        fig.subplots_adjust(left=0.30, right=0.97, top=0.90, bottom=0.17)
    else:
        fig.subplots_adjust(left=0.09, right=0.98, top=0.86, bottom=0.14)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def _lines(ax, spec: ChartSpec) -> None:
    months = sorted({m for ln in spec.lines for m in ln.months + ln.f_months})
    pos = {m: i for i, m in enumerate(months)}
    for k, ln in enumerate(spec.lines):
        color = COLORS[k % len(COLORS)]
        if ln.months:
            ax.plot(
                [pos[m] for m in ln.months], ln.values, color=color, lw=1.6, label=ln.label[:40]
            )
        if ln.f_months:
            x = [pos[m] for m in ln.f_months]
            if ln.months:  # join the forecast to the last observed month
                x0 = [pos[ln.months[-1]]] + x
                y0 = [ln.values[-1]] + list(ln.f_mean)
            else:
                x0, y0 = x, list(ln.f_mean)
            ax.plot(x0, y0, color=color, lw=1.6, ls="--")
            ax.fill_between(x, ln.f_lo, ln.f_hi, color=color, alpha=0.18, lw=0)
    step = max(1, -(-len(months) // 9))
    ticks = list(range(0, len(months), step))
    ax.set_xticks(ticks)
    ax.set_xticklabels([months[i] for i in ticks], fontsize=7)
    ax.set_ylabel(spec.ylabel, fontsize=8)
    ax.set_ylim(bottom=0)
    if len(spec.lines) > 1:  # one line: the title names it (a legend costs ~20 ms to draw)
        ax.legend(fontsize=7, loc="upper left")


def _bars(ax, spec: ChartSpec) -> None:
    bars = list(reversed(spec.bars))
    y = range(len(bars))
    means = [b.mean for b in bars]
    err = [[max(b.mean - b.lo, 0) for b in bars], [max(b.hi - b.mean, 0) for b in bars]]
    ax.barh(list(y), means, xerr=err, color=COLORS[0], alpha=0.8, capsize=3)
    ax.set_yticks(list(y))
    ax.set_yticklabels([b.label[:28] for b in bars], fontsize=8)
    ax.set_xlabel(spec.ylabel, fontsize=8)


class ChartCache:
    """A small LRU of rendered PNGs keyed by the chart's content: the same question asked again
    before the forecasts or counts change costs no drawing. Thread-safe.

    >>> cache = ChartCache(maxsize=2)
    >>> spec = ChartSpec("bars", "t")
    >>> cache.png(spec) is cache.png(spec), cache.hits
    (True, 1)
    """

    def __init__(self, maxsize: int = 256):
        import threading
        from collections import OrderedDict

        self.maxsize = maxsize
        self.hits = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def png(self, spec: ChartSpec) -> bytes:
        from dataclasses import asdict

        key = repr(asdict(spec))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        png = render_png(spec)
        with self._lock:
            self._items[key] = png
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return png
