"""The selector's features say what their names say, and a model file that does not
match the code is refused at start with a French message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answer.engine import AnswerEngine
from bot.selector.features import FEATURES, MAX_WINDOW_CHARS
from bot.selector.model import Selector, SelectorFileError, shipped_model_path


def column(name: str) -> int:
    return FEATURES.index(name)


def test_each_feature_column_holds_what_its_name_says(engine: AnswerEngine) -> None:
    found = engine.candidates_for("Qui a financé Stability AI ?")
    assert found is not None and len(found.rows) == len(found.windows)
    for window, row in zip(found.windows, found.rows, strict=True):
        assert row[column("sentences")] == window.count
        assert row[column("opens_passage")] == (window.first == 0)
        assert row[column("length")] == pytest.approx((window.end - window.start) / MAX_WINDOW_CHARS)
        assert row[column("passage_is_first")] == (window.rank == 0)
        assert row[column("question_english")] == 0.0
    named = [r[column("window_names")] for w, r in zip(found.windows, found.rows, strict=True)
             if "Stability" in w.text]  # fmt: skip
    unnamed = [r[column("window_names")] for w, r in zip(found.windows, found.rows, strict=True)
               if "Stability" not in w.text and " AI" not in w.text]  # fmt: skip
    assert named and all(share > 0 for share in named) and all(share == 0 for share in unnamed)
    english = engine.candidates_for("Who funded Stability AI?")
    assert english is not None and english.rows[0][column("question_english")] == 1.0


def test_a_model_file_from_other_features_is_refused_with_a_french_message(tmp_path: Path) -> None:
    data = json.loads(shipped_model_path().read_text())
    data["window"]["features"] = [*data["window"]["features"][:-1], "une_autre"]
    other = tmp_path / "selector.json"
    other.write_text(json.dumps(data))
    with pytest.raises(SelectorFileError, match="emad-bot train"):
        Selector.load(other)
    data["feature_version"] = 0
    other.write_text(json.dumps(data))
    with pytest.raises(SelectorFileError, match="caractéristiques v0"):
        Selector.load(other)
