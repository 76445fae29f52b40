"""`emad-bot stats --image FILE.png`: what people ask, drawn (the `picture` extra).

Above, questions per day stacked by reply kind (answered, hedged, not found…); below, the
most-asked questions the articles could not answer: the articles to add. matplotlib's
Agg backend, a `Figure` of its own (no pyplot state), PNG bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

WIDTH_INCHES, HEIGHT_INCHES, DPI = 12.0, 8.0, 100
LABEL_CHARS = 70
KIND_NAMES = {  # the reply kinds as a reader says them
    "answer": "réponse sûre", "closest": "réponse prudente", "not_found": "sans réponse",
    "small_talk": "politesses", "help": "aide", "sources": "sources", "timeline": "chronologie",
    "error": "erreur",
}  # fmt: skip


def _short(question: str) -> str:
    line = " ".join(question.split())
    return line if len(line) <= LABEL_CHARS else line[: LABEL_CHARS - 1].rstrip() + "…"


def stats_png(per_day: Sequence[tuple[str, str, int]], unanswered: Sequence[tuple[str, int]]) -> bytes:
    """The picture: `per_day` is (day, reply kind, count), `unanswered` (question, count)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    daily, missing = figure.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
    days = sorted({day for day, _, _ in per_day})
    kinds = sorted({kind for _, kind, _ in per_day})
    counts = {(day, kind): n for day, kind, n in per_day}
    bottom = [0] * len(days)
    for kind in kinds:
        heights = [counts.get((day, kind), 0) for day in days]
        daily.bar(days, heights, bottom=bottom, label=KIND_NAMES.get(kind, kind))
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    daily.set_title("Questions par jour, selon la réponse")
    daily.set_ylabel("questions")
    if kinds:
        daily.legend(loc="upper left", fontsize=8)
    daily.tick_params(axis="x", labelrotation=45, labelsize=8)
    shown = list(unanswered)[::-1]  # the most asked at the top
    missing.barh([_short(q) for q, _ in shown], [n for _, n in shown], color="#c2410c")
    missing.set_title("Les questions sans réponse les plus posées (articles à ajouter ?)")
    missing.set_xlabel("fois")
    for axis in (daily.yaxis, missing.xaxis):  # counts: whole numbers
        axis.set_major_locator(MaxNLocator(integer=True))
    missing.tick_params(axis="y", labelsize=8)
    if not shown:
        missing.text(0.5, 0.5, "(aucune)", ha="center", va="center", transform=missing.transAxes)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
