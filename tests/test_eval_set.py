"""Answer quality on our own question set: a drop below the figures reached fails."""

from bot.answer.engine import AnswerEngine
from bot.commands.evaluation import evaluate, read_cases
from tests.conftest import ROOT

# Figures reached on tests/eval_questions.jsonl; a drop below them fails.
MIN_HIT_AT_1 = 0.90
MIN_HIT_AT_3 = 0.95
MIN_MRR = 0.92


def test_the_evaluation_set_keeps_its_figures(engine: AnswerEngine) -> None:
    cases = read_cases(ROOT / "tests" / "eval_questions.jsonl")
    assert len(cases) >= 40
    result = evaluate(engine, cases)
    assert result.hit_at_1 >= MIN_HIT_AT_1, result.report()
    assert result.hit_at_3 >= MIN_HIT_AT_3, result.report()
    assert result.mrr >= MIN_MRR, result.report()
    assert result.overall.off_topic_answered == 0, result.misses  # never a confident answer
    assert result.correct_refusals >= 8, result.report()  # the others are hedged, not answered
    assert result.false_refusals == 0, result.misses
