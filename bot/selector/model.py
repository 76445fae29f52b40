"""The learned selector, as served: two logistic models read from one JSON file.

- The window model gives each candidate window the probability that it answers the
  question, from its `FEATURES` (standardised, then a dot product: no library needed).
- The confidence model gives the question the probability that the first window
  answers it, from `CONFIDENCE_FEATURES` (the top window's, and its margin over the
  best window of another passage). Above `confident_at` (set in cross-validation for
  90 % precision) the answer is confident; below `refused_below` nothing is likely and
  the question is refused; in between, the closest windows are shown with a warning.

`emad-bot train` writes the file (`bot.commands.train`); it records the feature lists
and their version, and a file that does not match this code is refused at start with a
message saying to train again. It holds no question text and no user.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.selector.features import FEATURE_VERSION, FEATURES, Question
from bot.settings import StartupError

MODEL_FORMAT = 1
SHIPPED_MODEL = "selector.json"  # in bot/data/, trained on the labelled questions of eval/
CONFIDENCE_FEATURES = (
    "top_probability", "margin", "top_passage_sure", "top_window_sure", "top_has_type",
    "expects_type", "top_names", "top_anchored", "concepts", "unknown_share", "top_missing",
    "asks_kind", "top_states_kind", "top_similarity",
)  # fmt: skip


def shipped_model_path() -> Path:
    """Where the shipped model file lives (inside the package: a checkout's bot/data/)."""
    return Path(str(files("bot.data").joinpath(SHIPPED_MODEL)))


class SelectorFileError(StartupError):
    """The model file cannot serve this code; the message says what to do, in French."""


@dataclass(frozen=True)
class LinearModel:
    """A logistic model over standardised features."""

    features: tuple[str, ...]
    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]
    bias: float

    def probability(self, rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        margin = ((rows - self.mean) / self.scale) @ self.weights + self.bias
        return np.asarray(1 / (1 + np.exp(-margin)), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
            "weights": self.weights.tolist(), "bias": self.bias,
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any], expected: Sequence[str]) -> LinearModel:
        features = tuple(data["features"])
        if features != tuple(expected):
            raise ValueError("liste de caractéristiques différente de celle du code")
        mean, scale, weights = (np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "weights"))
        arrays = (mean, scale, weights)
        if any(a.shape != (len(features),) for a in arrays) or not all(np.isfinite(a).all() for a in arrays):
            raise ValueError("poids de taille ou de valeur invalide")
        return cls(features, mean, scale, weights, float(data["bias"]))


@dataclass(frozen=True)
class Selector:
    window: LinearModel
    confidence: LinearModel
    confident_at: float
    refused_below: float
    trained_on: int = 0  # how many questions

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT, "feature_version": FEATURE_VERSION, "trained_on": self.trained_on,
            "window": self.window.to_dict(), "confidence": self.confidence.to_dict(),
            "confident_at": self.confident_at, "refused_below": self.refused_below,
        }  # fmt: skip

    @classmethod
    def untrained(cls) -> Selector:
        """No weights yet: what `emad-bot train` builds its engine with (it reads only the
        candidates and their features, never the selector's choice)."""

        def zeros(features: Sequence[str]) -> LinearModel:
            n = len(features)
            return LinearModel(tuple(features), np.zeros(n), np.ones(n), np.zeros(n), 0.0)

        return cls(zeros(FEATURES), zeros(CONFIDENCE_FEATURES), 1.0, 0.0)

    def save(self, path: Path) -> None:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path | None = None) -> Selector:
        """The model file (default: the one shipped in `bot/data/`), or `SelectorFileError`."""
        where = str(path) if path else f"bot/data/{SHIPPED_MODEL}"
        try:
            data = json.loads((path or shipped_model_path()).read_text(encoding="utf-8"))
            if data.get("format") != MODEL_FORMAT or data.get("feature_version") != FEATURE_VERSION:
                raise ValueError(
                    f"format {data.get('format')} / caractéristiques v{data.get('feature_version')}, "
                    f"le code attend {MODEL_FORMAT} / v{FEATURE_VERSION}"
                )
            thresholds = float(data["confident_at"]), float(data["refused_below"])
            if not all(0 <= t <= 1 and math.isfinite(t) for t in thresholds):
                raise ValueError("seuils hors de [0, 1]")
            return cls(
                LinearModel.from_dict(data["window"], FEATURES),
                LinearModel.from_dict(data["confidence"], CONFIDENCE_FEATURES),
                *thresholds,
                trained_on=int(data.get("trained_on", 0)),
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise SelectorFileError(
                f"modèle du sélecteur inutilisable ({where}) : {error}. "
                "Entraînez-le à nouveau : emad-bot train (voir le README, « Mesurer »)"
            ) from None


def confidence_row(
    question: Question, windows: npt.NDArray[np.float64], probabilities: npt.NDArray[np.float64],
    ranks: Sequence[int],
) -> npt.NDArray[np.float64]:  # fmt: skip
    """The question's `CONFIDENCE_FEATURES`, from its windows' features and probabilities."""
    column = {name: i for i, name in enumerate(FEATURES)}
    top = int(np.argmax(probabilities))
    others = [p for p, rank in zip(probabilities.tolist(), ranks, strict=True) if rank != ranks[top]]
    row = windows[top]
    return np.array([
        probabilities[top],
        probabilities[top] - max(others, default=0.0),
        row[column["passage_sure"]],
        row[column["window_sure"]],
        row[column["window_has_type"]],
        row[column["expects_type"]],
        row[column["window_names"]],
        row[column["passage_anchored"]],
        float(len(question.concepts)),
        question.unknown_share,
        row[column["passage_missing"]],
        row[column["asks_kind"]],
        row[column["window_states_kind"]],
        row[column["window_similarity"]],
    ])  # fmt: skip
