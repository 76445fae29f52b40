"""The timeline as a picture: years on an axis, each event a dot and a short label.

Drawn with matplotlib (its Agg backend: no display), as PNG bytes, for
`emad-bot chronologie --image FILE.png` and the Discord reply, which attaches it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.models import TimelineEntry

WIDTH_INCHES, HEIGHT_INCHES, DPI = 12.0, 5.0, 100
LABEL_CHARS = 48


def position(on: tuple[int, int, int]) -> float:
    """Where a date (year, month, day; 0 when not said) sits, in years: a month alone
    at its middle, a year alone at its start."""
    year, month, day = on
    if not month:
        return year + 0.5 / 12
    return year + (month - 1 + (day or 15) / 31) / 12


def _label(entry: TimelineEntry) -> str:
    words = entry.sentence.strip("«» …")
    short = words if len(words) <= LABEL_CHARS else words[: LABEL_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return f"{entry.when}\n{short}"


def timeline_png(
    entries: Sequence[TimelineEntry], title: str = "La saga Emad Mostaque / Stability AI"
) -> bytes:
    """The PNG of the events, in date order (an empty timeline draws an empty axis).
    A `Figure` of its own, not pyplot's global state: two drawings may run at once in
    worker threads (matplotlib's advice for servers)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    axis = figure.subplots()
    places = [position(e.on) for e in entries]
    first, last = (min(places), max(places)) if places else (2022.0, 2025.0)
    axis.axhline(0, color="#7c3aed", linewidth=2)
    for number, (entry, x) in enumerate(zip(entries, places, strict=True)):
        height = (1.0 + (number // 2) % 3 * 0.8) * (1 if number % 2 == 0 else -1)
        axis.plot([x, x], [0, height * 0.85], color="#a78bfa", linewidth=1)
        axis.plot(x, 0, "o", color="#7c3aed")
        axis.annotate(_label(entry), (x, height), ha="center", va="center", fontsize=8,
                      bbox={"boxstyle": "round", "fc": "#f5f3ff", "ec": "#a78bfa"})  # fmt: skip
    years = range(int(first), int(last) + 2)
    axis.set_xticks(list(years), [str(y) for y in years])
    axis.set_xlim(first - 0.5, last + 0.5)
    axis.set_ylim(-3.6, 3.6)
    axis.get_yaxis().set_visible(False)
    for side in ("left", "right", "top"):
        axis.spines[side].set_visible(False)
    axis.set_title(title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()
