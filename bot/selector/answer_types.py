"""What kind of answer a question expects, from its interrogative word.

A question naming a period ("que s'est-il passé en août 2022 ?") asks for a
passage dated in it. "Quand …" (or "en quelle année", "quel mois"…) asks for a date, "Combien …" for
an amount, "Qui …" for somebody the question does not already name (a capitalised
word, not an acronym such as "PDG"; "qu'est-ce qui" asks what, not who), "Pourquoi …"
for a reason (car, parce que, afin de, sa décision…). A passage that holds that kind of answer can
answer the question; one that does not, cannot: the engine ranks the first kind
before the second (among passages that cover the question well enough), and
snippets prefer the sentences that hold it. Other questions are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from bot.corpus.dates import When, dates_in
from bot.search.analysis import fold, fold_word

AnswerType = Callable[[str], bool]

_NUMBER_WORDS = (
    "deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|quinze|vingt|trente|cent|cents|"
    "mille|millions?|milliards?|dizaines?|centaines?|moitie|quart"
)
_AMOUNT = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b")
# A capitalised word that does not open a sentence, a quote or a line: a name.
_NAME = re.compile(r"(?<![.!?«:\n]\s)(?<![.!?«:\n])(?<!^)\b[A-ZÀ-Ý][\w'’-]*[a-zà-ÿA-Z]")
_WORD = re.compile(r"[^\W\d_]+")


# The candidate passages of a question repeat across questions; a small, bounded cache.
_folded_passage = lru_cache(maxsize=4_096)(fold)


def _holds(pattern: re.Pattern[str]) -> AnswerType:
    return lambda text: pattern.search(_folded_passage(text)) is not None


@lru_cache(maxsize=4_096)  # a passage's windows are scored again and again
def names_in(text: str) -> tuple[str, ...]:
    """The names of `text`, folded, without an elided article ("d'Emad" → "emad"); acronyms left out."""
    found = _NAME.findall(text.lstrip())
    return tuple(fold_word(name.split("'")[-1].split("’")[-1]) for name in found if not name.isupper())


def _names_other_than(question: str, ignored: frozenset[str]) -> AnswerType:
    known = {fold_word(word) for word in _WORD.findall(question)} | ignored

    def holds_new_name(text: str) -> bool:
        return any(name not in known for name in names_in(text))

    return holds_new_name


# A reason: the words French uses to give a cause or a purpose.
_REASON = re.compile(
    r"\b(?:car|parce qu|puisqu|afin|raison|cause|explique|expliquer|suite a|en raison|grace a"
    r"|c'est pourquoi|du fait|motiv|decid|decision|vis(?:e|ait)|objectif|conviction|croi[st])"
)
# "En quelle année", "quel mois", "à quelle date": a date, like "quand".
_ASKS_DATE = re.compile(r"\b(?:quel(?:le)?s? (?:annee|mois|date|jour|epoque|periode)|a quel moment)\b")


def asks_date(question: str) -> bool:
    return _ASKS_DATE.search(fold(question)) is not None


_DATE_NOUNS = frozenset({"annee", "mois", "date", "jour", "epoque", "periode", "moment"})
_WHICH_NOUN = re.compile(r"\b(quel(?:le)?s?)\s+([^\W\d_]+)", re.IGNORECASE)


def date_words_asked(question: str) -> str:
    """The question without the words that only ask for a date ("en quel mois et
    quelle année Emad a-t-il démissionné" asks about "démissionné", not "mois")."""
    return _WHICH_NOUN.sub(lambda m: " " if fold(m.group(2)) in _DATE_NOUNS else m.group(), question)


@lru_cache(maxsize=4_096)
def _holds_a_date(text: str) -> bool:
    """An explicit date ("en mars 2024", "en 2022"), not a month alone ("de juillet")."""
    return bool(dates_in(text))


def _dated_in(asked: list[When]) -> AnswerType:
    """A passage dated in the period the question names ("en août 2022", "en 2024")."""

    def holds_the_period(text: str) -> bool:
        return any(
            when.year == period.year and (period.month is None or when.month == period.month)
            for when in dates_in(text)
            for period in asked
        )

    return holds_the_period


def expected_answer(question: str, stop_words: frozenset[str]) -> AnswerType | None:
    """What an answer should hold: a date in the period the question names, else what
    its first interrogative asks for."""
    periods = dates_in(question)
    if periods:
        return _dated_in(periods)
    folded = fold(question)
    if _ASKS_DATE.search(folded):
        return _holds_a_date
    words = _WORD.findall(folded)
    for position, word in enumerate(words):
        if word == "quand":
            return _holds_a_date
        if word == "combien":
            return _holds(_AMOUNT)
        if word == "qui" and words[position - 1 : position] != ["ce"]:  # "qu'est-ce qui": what
            return _names_other_than(question, stop_words)
        if word == "pourquoi":
            return _holds(_REASON)
    return None
