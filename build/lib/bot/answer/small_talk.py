"""Greetings, thanks and questions about the bot itself ("ça va ?", "t'es un bot ?").

Such a message gets a short friendly reply with the help, never a citation and
never "nothing found". It is small talk when every word is a polite word
(`bot/data/politeness_fr.txt`), a small-talk word (`bot/data/small_talk_fr.txt`)
or a stop word, and at least one is not a mere stop word.
"Tu sais qui a financé Stability ?" is a question: "financé" is none of these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.data import read_data
from bot.search.analysis import fold

SPOKEN_TO = frozenset({"tu", "t", "toi", "te", "ton", "ta", "tes", "vous", "votre", "vos", "es", "etes"})
_WORD = re.compile(r"[^\W\d_]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _word_list(name: str) -> frozenset[str]:
    lines = (line.split("#", 1)[0] for line in read_data(name).splitlines())
    return frozenset(word for line in lines for word in _words(line))


class SmallTalk:
    def __init__(self, stop_words: Iterable[str]) -> None:
        self.polite = _word_list("politeness_fr.txt")
        self._chat = _word_list("small_talk_fr.txt")
        self._neutral = frozenset(stop_words) | self.polite | self._chat | SPOKEN_TO

    def is_small_talk(self, text: str) -> bool:
        words = _words(text)
        if not words or any(word not in self._neutral for word in words):
            return False
        return any(word in self._chat or word in self.polite or word in SPOKEN_TO for word in words)
