"""Measure answer quality on a question set (`emad-bot eval FILE.jsonl`).

Each line is `{"q": "…", "expect": ["coatue", "lightspeed"], "kind": "casual"}`. A
citation is a hit when any expected string appears in its snippet, ignoring case
and accents; a confident answer and a hedged (`closest`) one both count, and are
also counted apart: the share answered confidently ("sûres") and how many of those
are right at hit@1 ("justes"). An empty `expect` means the articles do not answer it: such a
question should be refused (no citation), at worst hedged, never answered.
`kind` is optional and groups the figures (paraphrase, casual, english…).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.answer.engine import AnswerEngine
from bot.models import Query, Reply, ReplyKind
from bot.search.analysis import fold

ALL_KINDS = "tout"


@dataclass(frozen=True)
class EvalCase:
    question: str
    expect: tuple[str, ...]
    kind: str = ""


@dataclass
class KindFigures:
    """The figures of one kind of question (or of all of them)."""

    ranks: list[int | None] = field(default_factory=list)  # answerable: rank of the first hit
    hedged: int = 0  # answerable questions answered with `closest`
    confident_hits: list[bool] = field(default_factory=list)  # answered confidently: right at hit@1?
    refused: int = 0  # answerable questions given no citation
    off_topic: int = 0
    off_topic_refused: int = 0
    off_topic_hedged: int = 0
    off_topic_answered: int = 0

    @property
    def answerable(self) -> int:
        return len(self.ranks)

    def hit_at(self, k: int) -> float:
        return sum(r is not None and r <= k for r in self.ranks) / max(self.answerable, 1)

    @property
    def confident_share(self) -> float:
        return len(self.confident_hits) / max(self.answerable, 1)

    @property
    def confident_precision(self) -> float:
        return sum(self.confident_hits) / max(len(self.confident_hits), 1)

    @property
    def mrr(self) -> float:
        return sum(1 / r for r in self.ranks if r) / max(self.answerable, 1)

    def line(self, name: str) -> str:
        parts = [f"{name:<11}"]
        if self.answerable:
            parts.append(
                f"{self.answerable:>3} avec réponse : hit@1 {self.hit_at(1):.3f}, "
                f"hit@3 {self.hit_at(3):.3f}, MRR {self.mrr:.3f}, "
                f"sûres {self.confident_share:.0%} (justes {self.confident_precision:.0%}), "
                f"prudentes {self.hedged}, refusées {self.refused}"
            )
        if self.off_topic:
            parts.append(
                f"{self.off_topic:>3} hors sujet : refusées {self.off_topic_refused}, "
                f"prudentes {self.off_topic_hedged}, répondues {self.off_topic_answered}"
            )
        return " | ".join(parts)


@dataclass(frozen=True)
class EvalResult:
    by_kind: dict[str, KindFigures]  # ALL_KINDS holds every question
    misses: tuple[str, ...]  # answerable with no hit in the top 3, or off-topic answered

    @property
    def overall(self) -> KindFigures:
        return self.by_kind[ALL_KINDS]

    # The figures of every question, as before kinds existed.
    @property
    def answerable(self) -> int:
        return self.overall.answerable

    @property
    def hit_at_1(self) -> float:
        return self.overall.hit_at(1)

    @property
    def hit_at_3(self) -> float:
        return self.overall.hit_at(3)

    @property
    def mrr(self) -> float:
        return self.overall.mrr

    @property
    def unanswerable(self) -> int:
        return self.overall.off_topic

    @property
    def correct_refusals(self) -> int:
        return self.overall.off_topic_refused

    @property
    def false_refusals(self) -> int:
        return self.overall.refused

    def report(self) -> str:
        kinds = sorted(k for k in self.by_kind if k != ALL_KINDS)
        lines = [self.by_kind[k].line(k) for k in kinds if len(kinds) > 1 or k]
        lines.append(self.overall.line(ALL_KINDS))
        return "\n".join(lines)


def read_cases(path: Path) -> list[EvalCase]:
    """The cases of a JSONL file; a bad line raises ValueError naming its number."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            expect = tuple(str(e) for e in item["expect"])
            cases.append(EvalCase(str(item["q"]), expect, str(item.get("kind", ""))))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(
                f"{path.name}, ligne {number} : attendu "
                f'{{"q": "question", "expect": ["texte attendu", …], "kind": "…"}} ({error})'
            ) from None
    return cases


def _comparable(text: str) -> str:
    return fold(text).replace("’", "'")


def first_hit(reply: Reply, expect: Iterable[str]) -> int | None:
    """The rank of the first citation holding an expected text (ignoring case, accents
    and the kind of apostrophe), if any."""
    expected = [_comparable(e) for e in expect]
    return next(
        (
            position
            for position, citation in enumerate(reply.citations, start=1)
            if any(e in _comparable(citation.snippet) for e in expected)
        ),
        None,
    )


def evaluate(engine: AnswerEngine, cases: Iterable[EvalCase]) -> EvalResult:
    by_kind: dict[str, KindFigures] = {ALL_KINDS: KindFigures()}
    misses: list[str] = []
    for case in cases:
        reply = engine.answer(Query(case.question))
        groups = [by_kind[ALL_KINDS], by_kind.setdefault(case.kind, KindFigures())]
        hedged = reply.kind is ReplyKind.CLOSEST
        if not case.expect:
            answered = reply.kind is ReplyKind.ANSWER
            for figures in groups:
                figures.off_topic += 1
                figures.off_topic_answered += answered
                figures.off_topic_hedged += hedged
                figures.off_topic_refused += not reply.citations
            if answered:
                misses.append(case.question)
            continue
        rank = first_hit(reply, case.expect)
        for figures in groups:
            figures.ranks.append(rank)
            if reply.kind is ReplyKind.ANSWER:
                figures.confident_hits.append(rank == 1)
            figures.hedged += hedged
            figures.refused += not reply.citations
        if rank is None or rank > 3:
            misses.append(case.question)
    return EvalResult(by_kind, tuple(misses))
