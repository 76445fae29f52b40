"""Labels from users, and `emad-bot learn`: a 👍 or a 👎 « mauvaise source » on a
confident answer labels its first window; learn keeps a retrained model only when it does
no worse on the check split, and the model file holds no question and no user."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from bot.answer.engine import AnswerEngine
from bot.bootstrap import build_core
from bot.commands.evaluation import read_cases
from bot.commands.learn import learn
from bot.commands.train import TRAINING_FILES
from bot.models import Query, ReplyKind
from bot.search.analysis import fold
from bot.selector.model import Selector
from bot.service.bot_service import BotService
from bot.service.question_log import QuestionLog
from bot.settings import BotSettings
from tests.conftest import ROOT

pytest.importorskip("sklearn")
FILES = [ROOT / name for name in TRAINING_FILES]


def engine_with(selector: Selector) -> AnswerEngine:
    return build_core(BotSettings.ignoring_env_file(corpus_dir=ROOT / "corpus"), selector).engine


def test_votes_on_a_confident_answer_label_its_first_window(tmp_path: Path) -> None:
    always_sure = dataclasses.replace(Selector.load(), confident_at=0.0)
    service = BotService(engine_with(always_sure), question_log=QuestionLog(tmp_path / "q.sqlite3"))
    liked = service.answer(Query("Qui a financé Stability AI ?", "slack", "U1"))
    disliked = service.answer(Query("Qui a démissionné ?", "slack", "U1"))
    assert liked.kind is ReplyKind.ANSWER and liked.question_id and disliked.question_id
    assert service.record_feedback(liked.question_id, "slack", "U1", 1)
    assert service.record_feedback(disliked.question_id, "slack", "U1", -1)
    assert service.record_reason(disliked.question_id, "slack", "U1", "mauvaise_source")
    labels = {question: votes for question, _, votes in QuestionLog(tmp_path / "q.sqlite3").window_labels()}
    assert labels == {"Qui a financé Stability AI ?": {0: 1.0}, "Qui a démissionné ?": {0: 0.0}}


UserLabel = tuple[str, list[tuple[str, int, int]], dict[int, float]]


def user_labels(engine: AnswerEngine, wrong: bool, limit: int) -> list[UserLabel]:
    """What users would have said: the window holding the answer (or, with `wrong`, one
    that does not) chosen, for `limit` labelled questions."""
    said = []
    for case in read_cases(ROOT / "eval" / "train_a.jsonl"):
        found = engine.candidates_for(case.question) if case.expect else None
        if found is None:
            continue
        holds = [any(fold(e) in fold(w.text) for e in case.expect) for w in found.windows]
        chosen = [w for w, h in zip(found.windows, holds, strict=True) if h != wrong]
        if any(holds) and chosen:
            said.append((case.question, [(chosen[0].passage.id, chosen[0].start, chosen[0].end)], {0: 1.0}))
        if len(said) == limit:
            break
    return said


def test_learn_refuses_a_model_that_got_worse(tmp_path: Path) -> None:
    installed = Selector.load()
    engine = engine_with(installed)
    out = tmp_path / "selector.json"
    said: list[str] = []
    assert not learn(engine, FILES, user_labels(engine, wrong=True, limit=150), installed, out, said.append)
    assert not out.exists()
    assert any("moins bien" in line for line in said)


def test_learn_installs_a_model_that_does_no_worse_and_keeps_no_question(tmp_path: Path) -> None:
    untrained = Selector.untrained()
    engine = engine_with(untrained)
    out = tmp_path / "selector.json"
    labels = user_labels(engine, wrong=False, limit=40)
    assert learn(engine, FILES, labels, untrained, out, lambda line: None)
    Selector.load(out)  # a model this code serves
    text = out.read_text()
    assert not any(question in text for question, _, _ in labels)
    assert set(json.loads(text)) == {
        "format", "feature_version", "trained_on", "window", "confidence", "confident_at", "refused_below"
    }
