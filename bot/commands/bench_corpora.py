"""The benchmark's synthetic corpora and questions.

Two families of French-like corpora, written as article files so that the real code
indexes them:
- `articles`: words drawn from the shipped corpus's vocabulary with its frequencies
  (a small vocabulary that does not grow with the corpus);
- `zipf`: made-up words with Zipf frequencies (exponent 1.07), the vocabulary growing
  with the corpus as Heaps' law says text does (about 40 × √tokens distinct words).

Questions take three words of a random passage; a share of them add a word the
corpus does not know, another share misspell one of their words (one letter changed),
so the typo path is measured too.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.corpus.articles import load_corpus
from bot.settings import BotSettings

PARAGRAPHS_PER_ARTICLE = 20
WORDS_PER_PASSAGE = 39  # three sentences of 8 to 18 words
ZIPF_EXPONENT = 1.07
HEAPS_K = 40
UNKNOWN_SHARE = 0.2
TYPO_SHARE = 0.2
FAMILIES = ("articles", "zipf")
_WORD = re.compile(r"[^\W\d_]{2,}")
_SYLLABLES = [c + v for c in "bcdfglmnprstv" for v in ("a", "e", "i", "o", "u", "ou", "é", "an")]


@dataclass(frozen=True)
class BenchQuestion:
    text: str
    kind: str  # "plain", "unknown word" or "typo"


def shipped_vocabulary() -> tuple[list[str], list[float]]:
    corpus = load_corpus(BotSettings.ignoring_env_file().corpus_dir)
    counts = Counter(w.lower() for a in corpus.articles for w in _WORD.findall(a.body))
    words = [w for w, _ in counts.most_common()]
    return words, [float(counts[w]) for w in words]


def zipf_vocabulary(passages: int, rng: random.Random) -> tuple[list[str], list[float]]:
    """Made-up words (two to four syllables), as many as Heaps' law gives this corpus."""
    size = int(HEAPS_K * (passages * WORDS_PER_PASSAGE) ** 0.5)
    words: dict[str, None] = {}
    for length in itertools.cycle((2, 3, 4)):
        if len(words) >= size:
            break
        words["".join(rng.choices(_SYLLABLES, k=length))] = None
    vocabulary = list(words)
    return vocabulary, [1.0 / rank**ZIPF_EXPONENT for rank in range(1, len(vocabulary) + 1)]


def vocabulary_for(family: str, passages: int) -> tuple[list[str], list[float]]:
    if family == "articles":
        return shipped_vocabulary()
    if family == "zipf":
        return zipf_vocabulary(passages, random.Random(passages))
    raise ValueError(f"famille de corpus inconnue : {family}")


def write_synthetic_corpus(directory: Path, passages: int, words: Sequence[str], weights: Sequence[float],
                           rng: random.Random) -> None:  # fmt: skip
    """`passages` paragraphs of three sentences, as article files of 20 paragraphs."""
    directory.mkdir(parents=True, exist_ok=True)
    cumulative = list(itertools.accumulate(weights))
    for number in range(0, passages, PARAGRAPHS_PER_ARTICLE):
        paragraphs = []
        for _ in range(min(PARAGRAPHS_PER_ARTICLE, passages - number)):
            sentences = []
            for _ in range(3):
                sentence = " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(8, 18)))
                sentences.append(sentence[0].upper() + sentence[1:] + ".")
            paragraphs.append(" ".join(sentences))
        header = f'---\ntitle: "Article synthétique {number}"\npublisher: Banc\nlanguage: fr\n---\n'
        (directory / f"synth_{number:07d}.md").write_text(header + "\n".join(paragraphs), encoding="utf-8")


def _misspelt(word: str, rng: random.Random) -> str:
    position = rng.randrange(1, len(word)) if len(word) > 1 else 0
    letter = rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != word[position]])
    return word[:position] + letter + word[position + 1 :]


def _unknown_word(rng: random.Random) -> str:
    return "".join(rng.choices("bcdfghjklmnpqrstvwxz", k=3)) + "".join(rng.choices(_SYLLABLES, k=3))


def bench_questions(passage_texts: Sequence[str], rng: random.Random) -> list[BenchQuestion]:
    """One question per passage text: three of its words, some with an unknown word or a typo."""
    questions = []
    for text in passage_texts:
        words = rng.sample(_WORD.findall(text), 3)
        draw = rng.random()
        kind = "plain"
        if draw < UNKNOWN_SHARE:
            words.append(_unknown_word(rng))
            kind = "unknown word"
        elif draw < UNKNOWN_SHARE + TYPO_SHARE:
            words[0] = _misspelt(words[0], rng)
            kind = "typo"
        questions.append(BenchQuestion("Pourquoi " + " ".join(words) + " ?", kind))
    return questions
