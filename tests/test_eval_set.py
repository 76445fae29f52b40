"""Answer quality on the question sets: a drop below the figures reached fails.

- tests/eval_questions.jsonl: 52 questions in the articles' own words;
- tests/eval_heldout.jsonl: 70 questions in chat style, ours, never tuned on;
- ../shared/eval/questions_dev.jsonl: the development set (when it is there).
"""

from pathlib import Path

import pytest

from bot.answer.engine import AnswerEngine
from bot.commands.evaluation import EvalResult, evaluate, read_cases
from tests.conftest import ROOT

DEVELOPMENT_SET = ROOT.parent / "shared" / "eval" / "questions_dev.jsonl"


def _evaluate(engine: AnswerEngine, path: Path) -> EvalResult:
    return evaluate(engine, read_cases(path))


def _french(result: EvalResult) -> tuple[int, int, int, int]:
    """Answerable French questions: count, hits at 1, hits at 3, refused."""
    kinds = [f for kind, f in result.by_kind.items() if kind in {"fact", "paraphrase", "casual"}]
    count = sum(f.answerable for f in kinds)
    at_1 = sum(round(f.hit_at(1) * f.answerable) for f in kinds)
    at_3 = sum(round(f.hit_at(3) * f.answerable) for f in kinds)
    return count, at_1, at_3, sum(f.refused for f in kinds)


def test_the_articles_own_words_keep_their_figures(engine: AnswerEngine) -> None:
    result = _evaluate(engine, ROOT / "tests" / "eval_questions.jsonl")
    assert result.answerable >= 40
    assert result.hit_at_1 >= 0.90 and result.hit_at_3 >= 0.95 and result.mrr >= 0.92, result.report()
    assert result.overall.off_topic_answered == 0, result.misses  # never a confident answer
    assert result.correct_refusals >= 8, result.report()  # the others are hedged, not answered
    assert result.false_refusals == 0, result.misses


def test_the_held_out_chat_questions_keep_their_figures(engine: AnswerEngine) -> None:
    result = _evaluate(engine, ROOT / "tests" / "eval_heldout.jsonl")
    count, at_1, at_3, refused = _french(result)
    assert count >= 50
    assert at_1 / count >= 0.78 and at_3 / count >= 0.92, result.report()
    assert refused <= 1, result.report()
    assert result.by_kind["offtopic"].off_topic_answered == 0, result.misses
    assert result.by_kind["offtopic"].off_topic_refused >= 10, result.report()  # the others hedged


@pytest.mark.skipif(not DEVELOPMENT_SET.is_file(), reason="../shared/eval is not beside this checkout")
def test_the_development_set_keeps_its_figures(engine: AnswerEngine) -> None:
    result = _evaluate(engine, DEVELOPMENT_SET)
    count, at_1, at_3, refused = _french(result)
    assert count == 85
    assert at_1 >= 55 and at_3 >= 66 and refused <= 2, result.report()  # trained on: in-sample
    assert result.by_kind["offtopic"].off_topic_answered == 0, result.misses
    assert result.by_kind["offtopic"].off_topic_refused >= 8, result.report()
    english = result.by_kind["english"]
    assert english.answerable == 8 and english.refused <= 2, result.report()
