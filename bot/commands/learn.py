"""`emad-bot learn`: retrain the selector with what users said, and keep it only if it
is no worse.

Users label windows in the question log: « C'est celui-ci » under a hedged answer (that
citation answers; the others shown do not), 👍 on a confident answer (its first citation
answers), 👎 with « mauvaise source » or « hors sujet » (its first citation does not).
Each labelled question is asked again: its candidate windows are labelled as the users
said (when a window answered, every other one is a negative, as an `expect` string
would make it). These questions only ever train. The labelled files' training questions
and these retrain the selector (`bot.commands.train.fit`); the installed model and the
new one are compared on the check split, which neither was trained on, and the new one
replaces the old only if neither hit@1 nor hit@3 drops. The model file holds weights
only: no question text, no user.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.answer.engine import AnswerEngine
from bot.commands.evaluation import EvalCase
from bot.commands.train import Labelled, figures, fit, labelled_questions, split
from bot.selector.model import Selector

UserLabels = Sequence[tuple[str, Sequence[tuple[str, int, int]], dict[int, float]]]
USER_KIND = "utilisateurs"


def user_labelled(engine: AnswerEngine, labels: UserLabels) -> list[Labelled]:
    """The windows users labelled, as training rows (a question whose cited windows the
    corpus no longer has is left out)."""
    found = []
    for question, windows, votes in labels:
        candidates = engine.candidates_for(question)
        if candidates is None:
            continue
        where = {(w.passage.id, w.start, w.end): n for n, w in enumerate(candidates.windows)}
        cited = [where.get((str(w[0]), int(w[1]), int(w[2]))) for w in windows]
        said = {cited[p]: int(v >= 0.5) for p, v in votes.items() if p < len(cited) and cited[p] is not None}
        if not said:
            continue
        if any(said.values()):  # one answered: all the others are negatives
            keep = list(range(len(candidates.windows)))
            labels_of = np.array([said.get(n, 0) for n in keep], np.int64)
        else:  # only negatives: just those windows
            keep = sorted(n for n in said if n is not None)
            labels_of = np.zeros(len(keep), np.int64)
        found.append(Labelled(
            EvalCase(question, ("",), USER_KIND), candidates.rows[keep], labels_of,
            [candidates.windows[n].span for n in keep], candidates.question,
        ))  # fmt: skip
    return found


def learn(engine: AnswerEngine, files: Sequence[Path], labels: UserLabels, installed: Selector,
          out: Path, say: Any = print) -> bool:  # fmt: skip
    """Retrain with the users' labels; write the new model to `out` only if it does no
    worse than `installed` on the check split. True when it was installed."""
    extra = user_labelled(engine, labels)
    if not extra:
        say("Aucune étiquette d'utilisateur dans le journal des questions : rien à apprendre.")
        return False
    training, check = split(labelled_questions(engine, files))
    new = fit(training, extra, say=say)
    before, after = figures(installed, check), figures(new, check)
    say(f"\nContrôle ({len(check)} questions jamais entraînées) : avant hit@1 {before[0]:.3f}, "
        f"hit@3 {before[1]:.3f} ; après hit@1 {after[0]:.3f}, hit@3 {after[1]:.3f}")
    if after[0] < before[0] or after[1] < before[1]:
        say("Le nouveau modèle fait moins bien : l'ancien reste en place.")
        return False
    new.save(out)
    say(f"Nouveau modèle installé : {out} (rechargé au prochain démarrage ou SIGHUP)")
    return True
