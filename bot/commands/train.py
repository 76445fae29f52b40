"""`emad-bot train`: learn the selector's weights from labelled questions.

Each question (`{"q": …, "expect": [...], "kind": …}`, an empty `expect` for one the
articles do not answer) gives its candidate windows and their features, as the engine
computes them when answering; a window is a positive when its snippet holds an `expect`
string (case and accents ignored). Then, with scikit-learn (the `train` extra):

1. the window model, a logistic regression, its regularisation chosen by 5-fold
   cross-validation grouped by question (a question's windows never straddle folds),
   on hit@1 of the citations it would give; per-fold figures printed;
2. an ablation table (cross-validated hit@1 without each feature group) and a learning
   curve (hit@1 against the share of training questions);
3. the confidence model, a logistic regression over each question's top window, trained
   on the window model's out-of-fold probabilities; the confident threshold is the
   lowest whose out-of-fold precision at hit@1 is ≥ 90 % with no off-topic question at
   or above it, the refusal threshold the highest that refuses ≤ 2 % of answerable ones;
4. both refitted on every training question and written to the model file.

A fifth of the labelled questions (fixed by a seed) is kept out of all of it: the check
split, where `emad-bot learn` compares the installed model with a retrained one.

Seeds are fixed: the same questions give the same file.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.answer.engine import AnswerEngine
from bot.commands.evaluation import EvalCase, read_cases
from bot.search.analysis import fold
from bot.selector.features import FEATURES, GROUPS, Question, Span, cited_order
from bot.selector.model import CONFIDENCE_FEATURES, LinearModel, Selector, confidence_row

FOLDS = 5
SEED = 0
TRAINING_FILES = ("eval/train_a.jsonl", "eval/train_b.jsonl", "eval/dev_1.jsonl", "eval/dev_2.jsonl")
CHECK_SEED = 1
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
TARGET_PRECISION = 0.9
MAX_REFUSED = 0.02
DISPLAY_CHARS = 300  # a longer window is shown cut: its label is read on the cut


@dataclass
class Labelled:
    """One question's candidate windows, features and labels."""

    case: EvalCase
    rows: npt.NDArray[np.float64]  # (windows, FEATURES); empty when the rules refuse it
    labels: npt.NDArray[np.int64]
    spans: list[Span]  # each window's (passage rank, first sentence, count)
    question: Question | None

    @property
    def ranks(self) -> list[int]:
        return [span[0] for span in self.spans]

    @property
    def answerable(self) -> bool:
        return bool(self.case.expect)


def label(engine: AnswerEngine, cases: Sequence[EvalCase]) -> list[Labelled]:
    out = []
    for case in cases:
        found = engine.candidates_for(case.question)
        expected = [fold(e).replace("’", "'") for e in case.expect]
        if found is None:
            out.append(Labelled(case, np.zeros((0, len(FEATURES))), np.zeros(0, np.int64), [], None))
            continue
        labels = []
        for window in found.windows:
            text = window.text if len(window.text) <= DISPLAY_CHARS else engine.snippet(found, window).text
            shown = fold(text).replace("’", "'")
            labels.append(int(any(e in shown for e in expected)))
        out.append(Labelled(case, found.rows, np.array(labels, np.int64), [w.span for w in found.windows],
                            found.question))  # fmt: skip
    return out


def cited_hits(probabilities: npt.NDArray[np.float64], item: Labelled, k: int = 3) -> list[int]:
    """The labels of the citations the engine would give (`cited_order`), the first `k`."""
    return [int(item.labels[p]) for p in itertools.islice(cited_order(probabilities, item.spans), k)]


def _fit(rows: npt.NDArray[np.float64], labels: npt.NDArray[np.int64], c: float) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000, random_state=SEED))
    return model.fit(rows, labels)


def _folds(items: Sequence[Labelled]) -> list[int]:
    """A fold per question, stratified by answerable or not, fixed by the seed."""
    rng = np.random.default_rng(SEED)
    fold_of = [0] * len(items)
    for answerable in (True, False):
        members = [i for i, item in enumerate(items) if item.answerable == answerable]
        rng.shuffle(members)
        for position, i in enumerate(members):
            fold_of[i] = position % FOLDS
    return fold_of


def out_of_fold(
    items: Sequence[Labelled], c: float, columns: Sequence[int] | None = None, share: float = 1.0,
    extra: Sequence[Labelled] = (),
) -> tuple[list[npt.NDArray[np.float64]], list[float]]:
    """Each question's window probabilities from a model that never saw it, and each
    fold's hit@1 (training on `share` of the other folds' questions, and on `extra`)."""
    fold_of = _folds(items)
    cols = list(range(len(FEATURES))) if columns is None else list(columns)
    probabilities: list[npt.NDArray[np.float64]] = [np.zeros(0)] * len(items)
    per_fold = []
    rng = np.random.default_rng(SEED)
    for k in range(FOLDS):
        train = [i for i, item in enumerate(items) if fold_of[i] != k and len(item.rows)]
        if share < 1.0:
            train = sorted(rng.choice(train, size=max(1, int(share * len(train))), replace=False).tolist())
        rows = [items[i].rows[:, cols] for i in train] + [e.rows[:, cols] for e in extra if len(e.rows)]
        labels = [items[i].labels for i in train] + [e.labels for e in extra if len(e.rows)]
        model = _fit(np.vstack(rows), np.concatenate(labels), c)
        tested = [i for i, item in enumerate(items) if fold_of[i] == k]
        for i in tested:
            if len(items[i].rows):
                probabilities[i] = model.predict_proba(items[i].rows[:, cols])[:, 1]
        per_fold.append(hit_at(items, probabilities, 1, tested))
    return probabilities, per_fold


def hit_at(items: Sequence[Labelled], probabilities: Sequence[npt.NDArray[np.float64]], k: int,
           among: Sequence[int] | None = None) -> float:  # fmt: skip
    """hit@k over the answerable questions (a refused one is a miss)."""
    chosen = [i for i in (among if among is not None else range(len(items))) if items[i].answerable]
    hits = [len(items[i].rows) > 0 and any(cited_hits(probabilities[i], items[i], k)) for i in chosen]
    return sum(hits) / max(len(hits), 1)


def _linear(model: Any, features: Sequence[str]) -> LinearModel:
    scaler, logistic = model.steps[0][1], model.steps[-1][1]
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    return LinearModel(tuple(features), scaler.mean_.astype(float), scale.astype(float),
                       logistic.coef_[0].astype(float), float(logistic.intercept_[0]))  # fmt: skip


def confidence_rows(items: Sequence[Labelled], probabilities: Sequence[npt.NDArray[np.float64]]) -> tuple[
    list[int], npt.NDArray[np.float64], npt.NDArray[np.int64]
]:  # fmt: skip
    """Per question with candidates: its confidence features, and whether its first citation answers."""
    kept, rows, labels = [], [], []
    for i, item in enumerate(items):
        if item.question is None:
            continue
        kept.append(i)
        rows.append(confidence_row(item.question, item.rows, probabilities[i], item.ranks))
        labels.append(int(item.answerable and cited_hits(probabilities[i], item, 1)[0] == 1))
    return kept, np.array(rows), np.array(labels, np.int64)


def thresholds(items: Sequence[Labelled], kept: Sequence[int], confidence: npt.NDArray[np.float64],
               labels: npt.NDArray[np.int64]) -> tuple[float, float]:  # fmt: skip
    """The confident threshold (precision ≥ 90 % at and above it, and above every
    off-topic question) and the refusal one."""
    off_topic = max((c for i, c in zip(kept, confidence.tolist(), strict=True) if not items[i].answerable),
                    default=0.0)  # fmt: skip
    confident_at = 1.0
    for t in sorted(set(confidence.tolist()), reverse=True):  # the lowest that keeps the precision
        if t > off_topic and labels[confidence >= t].mean() >= TARGET_PRECISION:
            confident_at = t
    answerable = sorted(c for i, c in zip(kept, confidence.tolist(), strict=True) if items[i].answerable)
    allowed = int(MAX_REFUSED * sum(item.answerable for item in items))
    refused_below = answerable[allowed] if allowed < len(answerable) else 0.0
    return confident_at, min(refused_below, confident_at)


def split(items: Sequence[Labelled]) -> tuple[list[Labelled], list[Labelled]]:
    """The training questions, and the check split: a fifth of them (answerable and not
    alike), fixed by `CHECK_SEED`, that no model is trained on; `learn` compares the
    installed model with a new one there."""
    rng = np.random.default_rng(CHECK_SEED)
    check: set[int] = set()
    for answerable in (True, False):
        members = [i for i, item in enumerate(items) if item.answerable == answerable]
        rng.shuffle(members)
        check.update(members[: len(members) // FOLDS])
    training = [item for i, item in enumerate(items) if i not in check]
    return training, [item for i, item in enumerate(items) if i in check]


def figures(selector: Selector, items: Sequence[Labelled]) -> tuple[float, float]:
    """hit@1 and hit@3 of the selector's window model on labelled questions."""
    probabilities = [selector.window.probability(i.rows) if len(i.rows) else np.zeros(0) for i in items]
    return hit_at(items, probabilities, 1), hit_at(items, probabilities, 3)


def fit(items: Sequence[Labelled], extra: Sequence[Labelled] = (), say: Any = print,
        details: bool = False) -> Selector:  # fmt: skip
    """Both models from `items` (and `extra` windows labelled by users, which only ever
    train), with the cross-validated figures; `details`: the ablation and learning curve."""
    answerable = sum(item.answerable for item in items)
    reachable = sum(int(item.labels.any()) for item in items if item.answerable)
    say(f"{len(items)} questions ({answerable} avec réponse), {sum(len(item.rows) for item in items)} "
        f"fenêtres candidates ; une fenêtre répond pour {reachable} ({reachable / max(answerable, 1):.0%})"
        + (f" ; plus {len(extra)} questions étiquetées par les utilisateurs" if extra else ""))

    say("\nRégularisation (validation croisée à 5 plis groupée par question, hit@1 par pli) :")
    scores = {}
    for c in C_GRID:
        _, per_fold = out_of_fold(items, c, extra=extra)
        scores[c] = float(np.mean(per_fold))
        say(f"  C={c:<5} hit@1 {scores[c]:.3f}  plis " + " ".join(f"{s:.3f}" for s in per_fold))
    best_c = max(C_GRID, key=lambda c: (round(scores[c], 4), -c))
    probabilities, _ = out_of_fold(items, best_c, extra=extra)
    say(f"Choisi : C={best_c} ; hit@1 {hit_at(items, probabilities, 1):.3f}, "
        f"hit@3 {hit_at(items, probabilities, 3):.3f} (hors pli)")  # fmt: skip
    for kind in sorted({item.case.kind for item in items if item.answerable}):
        among = [i for i, item in enumerate(items) if item.case.kind == kind]
        say(f"  {kind:<14} {sum(items[i].answerable for i in among):>3} : hit@1 "
            f"{hit_at(items, probabilities, 1, among):.3f}, "
            f"hit@3 {hit_at(items, probabilities, 3, among):.3f}")  # fmt: skip
    if details:
        say("\nAblation (hit@1 hors pli sans le groupe) :")
        for group, names in GROUPS.items():
            columns = [i for i, name in enumerate(FEATURES) if name not in names]
            ablated, _ = out_of_fold(items, best_c, columns)
            say(f"  sans {group:<12} {hit_at(items, ablated, 1):.3f}")
        say("\nCourbe d'apprentissage (hit@1 hors pli selon la part des questions d'entraînement) :")
        for share in (0.25, 0.5, 0.75, 1.0):
            partial, _ = out_of_fold(items, best_c, share=share)
            say(f"  {share:>4.0%}  {hit_at(items, partial, 1):.3f}")

    kept, rows, labels = confidence_rows(items, probabilities)
    confidence_oof = np.zeros(len(kept))
    fold_of = _folds([items[i] for i in kept])
    for k in range(FOLDS):
        train_rows = [j for j in range(len(kept)) if fold_of[j] != k]
        model = _fit(rows[train_rows], labels[train_rows], 1.0)
        test_rows = [j for j in range(len(kept)) if fold_of[j] == k]
        confidence_oof[test_rows] = model.predict_proba(rows[test_rows])[:, 1]
    confident_at, refused_below = thresholds(items, kept, confidence_oof, labels)
    confident = confidence_oof >= confident_at
    on_answerable = [j for j, i in enumerate(kept) if items[i].answerable]
    say(f"\nConfiance (hors pli) : seuil sûr {confident_at:.3f}, refus sous {refused_below:.3f} ; "
        f"sûres {confident[on_answerable].mean() if on_answerable else 0:.1%} des questions avec réponse, "
        f"précision {labels[confident].mean() if confident.any() else 0:.1%} ; "
        f"hors sujet sûres : {sum(confident[j] and not items[i].answerable for j, i in enumerate(kept))}")

    trained = [item for item in (*items, *extra) if len(item.rows)]
    window = _fit(np.vstack([i.rows for i in trained]), np.concatenate([i.labels for i in trained]), best_c)
    confidence = _fit(rows, labels, 1.0)  # on out-of-fold probabilities, as it will meet unseen questions
    return Selector(
        _linear(window, FEATURES), _linear(confidence, CONFIDENCE_FEATURES), confident_at, refused_below,
        trained_on=len(items) + len(extra),
    )


def labelled_questions(engine: AnswerEngine, files: Sequence[Path]) -> list[Labelled]:
    return label(engine, [case for path in files for case in read_cases(path)])


def train(engine: AnswerEngine, files: Sequence[Path], out: Path, say: Any = print) -> Selector:
    training, check = split(labelled_questions(engine, files))
    selector = fit(training, say=say, details=True)
    hit_1, hit_3 = figures(selector, check)
    say(f"\nContrôle ({len(check)} questions jamais entraînées, {sum(i.answerable for i in check)} "
        f"avec réponse) : hit@1 {hit_1:.3f}, hit@3 {hit_3:.3f}")
    selector.save(out)
    say(f"\nModèle écrit : {out}")
    return selector
