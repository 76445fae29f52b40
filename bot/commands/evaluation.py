"""Measure answer quality on a question set (`emad-bot eval FILE.jsonl`).

Each line is `{"q": "…", "expect": ["coatue", "lightspeed"]}`. A citation is a
hit when any expected string appears in its snippet, ignoring case and accents.
An empty `expect` means the bot must not answer (a correct refusal).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.answer.engine import AnswerEngine
from bot.models import Query, ReplyKind
from bot.search.analysis import fold


@dataclass(frozen=True)
class EvalCase:
    question: str
    expect: tuple[str, ...]


@dataclass(frozen=True)
class EvalResult:
    answerable: int
    hit_at_1: float
    hit_at_3: float
    mrr: float
    unanswerable: int
    correct_refusals: int
    false_refusals: int
    misses: tuple[str, ...]  # questions with no hit in the top 3, or wrongly answered

    def report(self) -> str:
        refused = f"{self.correct_refusals}/{self.unanswerable}"
        return (
            f"questions avec réponse : {self.answerable}\n"
            f"hit@1 : {self.hit_at_1:.3f}\nhit@3 : {self.hit_at_3:.3f}\nMRR : {self.mrr:.3f}\n"
            f"refus corrects : {refused}\nrefus à tort : {self.false_refusals}"
        )


def read_cases(path: Path) -> list[EvalCase]:
    """The cases of a JSONL file; a bad line raises ValueError naming its number."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            cases.append(EvalCase(str(item["q"]), tuple(str(e) for e in item["expect"])))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(
                f"{path.name}, ligne {number} : attendu "
                f'{{"q": "question", "expect": ["texte attendu", …]}} ({error})'
            ) from None
    return cases


def evaluate(engine: AnswerEngine, cases: Iterable[EvalCase]) -> EvalResult:
    ranks: list[int | None] = []
    unanswerable = correct_refusals = false_refusals = 0
    misses: list[str] = []
    for case in cases:
        reply = engine.answer(Query(case.question))
        answered = reply.kind is ReplyKind.ANSWER
        if not case.expect:
            unanswerable += 1
            correct_refusals += not answered
            if answered:
                misses.append(case.question)
            continue
        expected = [fold(e) for e in case.expect]
        rank = next(
            (
                position
                for position, citation in enumerate(reply.citations, start=1)
                if any(e in fold(citation.snippet) for e in expected)
            ),
            None,
        )
        false_refusals += not answered
        ranks.append(rank)
        if rank is None or rank > 3:
            misses.append(case.question)
    answerable = len(ranks)
    return EvalResult(
        answerable=answerable,
        hit_at_1=sum(r == 1 for r in ranks) / max(answerable, 1),
        hit_at_3=sum(r is not None and r <= 3 for r in ranks) / max(answerable, 1),
        mrr=sum(1 / r for r in ranks if r) / max(answerable, 1),
        unanswerable=unanswerable,
        correct_refusals=correct_refusals,
        false_refusals=false_refusals,
        misses=tuple(misses),
    )
