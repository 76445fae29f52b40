"""Follow-ups in a conversation: "et quand ?", "pourquoi il est parti ?", "et lui ?".

A question asked in a thread where the bot already answered comes with the
thread's earlier questions (`Query.earlier`). A follow-up, short (at most
`SHORT_FOLLOW_UP` concepts of its own) or led by "et", "alors"… or a pronoun
("il", "elle", "ça"…), borrows the concepts of the earlier questions that it does
not already have, at `BORROWED_WEIGHT`: enough to anchor its passages, never as
sure as its own words (so a borrowed answer is hedged unless its own words carry it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.search.analysis import fold
from bot.search.retrieval import Alternative, Concept

SHORT_FOLLOW_UP = 2
BORROWED_WEIGHT = 0.6
LEADS = frozenset({"et", "alors", "puis", "ensuite", "mais", "donc", "sinon", "aussi"})
PRONOUNS = frozenset(
    {"il", "elle", "ils", "elles", "lui", "eux", "ca", "cela", "celui", "celle", "ceux", "leur", "leurs",
     "son", "sa", "ses", "y", "en", "le", "la", "les", "l"}
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")


INTERROGATIVES = frozenset(
    {"qui", "que", "quoi", "quand", "comment", "pourquoi", "combien", "ou", "quel", "quelle", "quels",
     "quelles", "lequel", "laquelle", "est", "et", "pk", "pq", "who", "what", "when", "why", "how"}
)  # fmt: skip


def reads_as_question(text: str) -> bool:
    """A message in a thread that is a question to the bot, not people talking: it ends
    with "?" or opens with an interrogative ("et quand", "pourquoi…")."""
    words = _WORD.findall(fold(text))
    return text.rstrip().endswith("?") or (bool(words) and words[0] in INTERROGATIVES)


def is_follow_up(question: str, concepts: Sequence[Concept]) -> bool:
    words = _WORD.findall(fold(question))
    if len(concepts) <= SHORT_FOLLOW_UP:
        return True
    return bool(words) and (words[0] in LEADS or any(word in PRONOUNS for word in words[:3]))


def borrow(concepts: Sequence[Concept], earlier: Iterable[Sequence[Concept]]) -> tuple[Concept, ...]:
    """The question's concepts, then the earlier questions' (most recent first) it lacks."""
    have = {term for concept in concepts for term in concept.asked}
    borrowed: list[Concept] = []
    for previous in earlier:
        for concept in previous:
            if have & set(concept.asked):
                continue
            have.update(concept.asked)
            lighter = tuple(Alternative(a.terms, a.weight * BORROWED_WEIGHT) for a in concept.alternatives)
            borrowed.append(replace(concept, alternatives=lighter))
    return (*concepts, *borrowed)
