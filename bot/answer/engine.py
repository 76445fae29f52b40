"""The answer core: a `Query` in, a `Reply` out, the same for every platform.

Commands (`aide`, `sources`) and small talk are told apart from questions here,
once. Chat French is written out ("pk" → "pourquoi"), polite words are dropped,
and an English question is answered from the French articles with a line saying
so. `bot.selector.answerability` refuses a question about something the articles never
mention; otherwise every answer window (1 to 3 sentences) of the passages BM25 finds
is a candidate, and the learned selector (`bot.selector`) orders them and decides
between a confident answer, the closest windows with a warning, and a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import numpy.typing as npt

from bot.answer import messages
from bot.answer.follow_up import borrow, is_follow_up
from bot.answer.language import LanguageGuesser
from bot.answer.sanitize import clean_question
from bot.answer.small_talk import SmallTalk
from bot.answer.snippets import Snippet, make_snippet
from bot.answer.timeline import timeline
from bot.models import Citation, Query, Reply, ReplyKind
from bot.search.analysis import FrenchAnalyzer, term_overlap
from bot.search.index import PassageIndex
from bot.search.question import QuestionAnalyser
from bot.search.retrieval import Concept
from bot.search.typed_french import TypedFrench
from bot.selector.answer_types import asks_date, date_words_asked, expected_answer
from bot.selector.answerability import weigh
from bot.selector.features import (
    PassageWords,
    Question,
    Window,
    cited_order,
    feature_rows,
    question_of,
    windows_of,
)
from bot.selector.model import Selector, confidence_row

MAX_QUESTION_CHARS = 1000
MIN_RELATIVE_SCORE = 0.3  # a candidate passage's BM25 score is at least this × the first's
NEAR_DUPLICATE = 0.7  # snippets sharing this much of their terms are cited once
_CANDIDATES = 20  # passages whose best sentences compete for the citations


@dataclass(frozen=True)
class Candidates:
    """A question's answer windows, their feature rows, and the share of its weight no
    word of the articles reaches."""

    question: Question
    windows: list[Window]
    rows: npt.NDArray[np.float64]


class AnswerEngine:
    """Answers French questions from one passage index."""

    def __init__(
        self,
        index: PassageIndex,
        analyzer: FrenchAnalyzer,
        questions: QuestionAnalyser,
        selector: Selector,
        max_citations: int = 3,
    ) -> None:
        self.index = index
        self.selector = selector
        self._analyzer = analyzer
        self._questions = questions
        self._max_citations = max_citations
        self._typed_french = TypedFrench(
            known=lambda word: word in analyzer.stop_words or questions.knows_word(word),
            mere_stop_words=analyzer.stop_words - analyzer.question_words,
        )
        self._small_talk = SmallTalk(analyzer.stop_words)
        self.languages = LanguageGuesser(analyzer.stop_words | analyzer.question_words)
        # A passage's words for the selector's features, read once per passage: the
        # engine's own cache, replaced with it on a reload.
        self._passage_words = lru_cache(maxsize=256)(  # about 100 kB a passage (its word vectors)
            lambda passage: PassageWords.of(passage, analyzer, questions.vectors)
        )

    def prepare(self, compile_search: bool = True) -> None:
        """Everything a first question could need, read now (a serving bot calls this
        before it takes questions, and on a reload before the new index serves); with
        `compile_search`, the compiled search starts compiling in the background (the
        terminal fallback of `emad-bot run` answers too few questions to want it)."""
        self._questions.prepare()
        if compile_search:
            self.index.retriever.prepare()
        self._source_terms  # noqa: B018 - the cached property is the work

    def answer(self, query: Query) -> Reply:
        notice = None
        text = clean_question(query.text[: 10 * MAX_QUESTION_CHARS])  # the rest is never read
        command = text.casefold()
        if not command or command in messages.HELP_COMMANDS:
            intro = messages.HELP if command else messages.EMPTY_QUESTION
            return Reply(ReplyKind.HELP, intro, examples=messages.EXAMPLE_QUESTIONS)
        if command in messages.SOURCES_COMMANDS:
            header = messages.SOURCES.format(count=len(self.index.articles))
            return Reply(ReplyKind.SOURCES, header, articles=self.index.articles)
        first = command.split(" ", 1)[0]
        if first in messages.TIMELINE_COMMANDS:
            return self._timeline(text[len(first) :].strip())
        if len(text) > MAX_QUESTION_CHARS:
            text = text[:MAX_QUESTION_CHARS]
            notice = messages.TRUNCATED.format(limit=MAX_QUESTION_CHARS)
        written_out = self._typed_french.write_out(text)
        if self._small_talk.is_small_talk(written_out):
            return Reply(
                ReplyKind.SMALL_TALK, messages.SMALL_TALK, examples=messages.EXAMPLE_QUESTIONS, question=text
            )
        english = self.languages.is_english(text)
        kind, citations = self._cite(written_out, english, query.earlier)
        if not citations:
            return Reply(
                ReplyKind.NOT_FOUND,
                _in_english(messages.NOT_FOUND, english),
                examples=messages.EXAMPLE_QUESTIONS,
                notice=notice,
                question=text,
            )
        intro = messages.ANSWER if kind is ReplyKind.ANSWER else messages.CLOSEST
        return Reply(kind, _in_english(intro, english), citations=citations, notice=notice, question=text)

    def _timeline(self, wanted: str) -> Reply:
        """« chronologie », « chronologie 2024 », « chronologie démission »."""
        year = int(wanted) if wanted.isdigit() and len(wanted) == 4 else None
        words = (
            ()
            if year is not None or not wanted
            else self._concepts(self._typed_french.write_out(wanted), "fr")
        )
        entries = timeline(self.index, self._analyzer, year, words)
        if wanted and not entries:
            return Reply(ReplyKind.TIMELINE, messages.TIMELINE_EMPTY.format(filter=wanted), question=wanted)
        header = (
            messages.TIMELINE_FILTERED.format(filter=wanted, count=len(entries))
            if wanted
            else messages.TIMELINE.format(count=len(entries))
        )
        return Reply(ReplyKind.TIMELINE, header, timeline=entries, question=wanted)

    def passage(self, passage_id: str) -> Reply | None:
        """The whole passage `passage_id` as a one-citation reply, or None if it is gone."""
        slug, _, number = passage_id.rpartition("-")
        start = self._article_starts.get(slug)
        if start is None or not number.isdigit() or not 1 <= int(number) <= self.index.passage_counts[slug]:
            return None
        passage = self.index.passages[start + int(number) - 1]
        if passage.id != passage_id:
            return None
        citation = Citation(
            snippet=passage.text,
            highlights=(),
            passage_id=passage.id,
            passage_number=passage.number,
            passage_count=self.index.passage_counts[passage.article.slug],
            score=0.0,
            article=passage.article,
        )
        return Reply(ReplyKind.PASSAGE, messages.PASSAGE, citations=(citation,))

    @cached_property
    def _article_starts(self) -> dict[str, int]:
        """Where each article's passages start: they are indexed article by article, in order."""
        starts, position = {}, 0
        for article in self.index.articles:
            starts[article.slug] = position
            position += self.index.passage_counts.get(article.slug, 0)
        return starts

    def _concepts(self, text: str, language: str) -> tuple[Concept, ...]:
        asked = date_words_asked(text) if asks_date(text) else text
        question = self._questions.analyse(asked, language=language)
        vocabulary = self.index.retriever.vocabulary()
        # "selon Gate", "d'après Developpez.com": naming a source is not asking about it.
        return tuple(
            c
            for c in question.concepts
            if any(t in vocabulary for t in c.asked) or not self._names_a_source(c)
        )

    def candidates_for(self, question: str) -> Candidates | None:
        """`candidates` of a question as a user types it (cleaned, chat French written out,
        its language guessed, as `answer` does); None for small talk too. For training."""
        text = clean_question(question[:MAX_QUESTION_CHARS])
        written_out = self._typed_french.write_out(text)
        if not text or self._small_talk.is_small_talk(written_out):
            return None
        return self.candidates(written_out, self.languages.is_english(text))

    def candidates(
        self, text: str, english: bool = False, earlier: tuple[str, ...] = ()
    ) -> Candidates | None:
        """What the selector weighs for a (written-out) question: every answer window of
        the passages BM25 finds that cover and anchor it, with their features; None when
        the question names what the articles never mention, or nothing is about it."""
        language = "en" if english else "fr"
        concepts = self._concepts(text, language)
        if earlier and is_follow_up(text, concepts):
            previous = (self._concepts(self._typed_french.write_out(q), language) for q in reversed(earlier))
            concepts = borrow(concepts, previous)
        if not concepts:
            return None
        retriever = self.index.retriever
        weighing = weigh(concepts, retriever)
        if weighing.names_what_no_article_mentions():
            return None
        boosted = weighing.boosted(concepts)
        found = retriever.search(boosted, _CANDIDATES)
        if not found:
            return None
        found = [f for f in found if f.score >= MIN_RELATIVE_SCORE * found[0].score]
        expected = expected_answer(text, self._analyzer.stop_words)
        question = question_of(
            text, boosted, weighing, expected, self._analyzer, self._questions.vectors, english
        )
        windows = [
            w for rank, f in enumerate(found) for w in windows_of(rank, f, self.index.passages[f.index])
        ]
        rows = feature_rows(question, windows, self._analyzer, self._passage_words)
        return Candidates(question, windows, rows)

    def snippet(self, candidates: Candidates, window: Window) -> Snippet:
        """The verbatim snippet shown for `window` (cut around what matched if too long)."""
        question = candidates.question
        span = (window.start, window.end)
        return make_snippet(
            window.passage, self._analyzer, question.term_weights, question.expected, question.total, span
        )

    def _cite(
        self, text: str, english: bool, earlier: tuple[str, ...] = ()
    ) -> tuple[ReplyKind, tuple[Citation, ...]]:
        found = self.candidates(text, english, earlier)
        if found is None:
            return ReplyKind.NOT_FOUND, ()
        probabilities = self.selector.window.probability(found.rows)
        ranks = [w.rank for w in found.windows]
        confidence = float(self.selector.confidence.probability(
            confidence_row(found.question, found.rows, probabilities, ranks)[None]
        )[0])  # fmt: skip
        if confidence < self.selector.refused_below:
            return ReplyKind.NOT_FOUND, ()
        kind = ReplyKind.ANSWER if confidence >= self.selector.confident_at else ReplyKind.CLOSEST
        citations: list[Citation] = []
        seen_terms: list[frozenset[str]] = []
        for position in cited_order(probabilities, [w.span for w in found.windows]):
            if len(citations) == self._max_citations:
                break
            window = found.windows[position]
            snippet = self.snippet(found, window)
            if any(term_overlap(snippet.terms, other) >= NEAR_DUPLICATE for other in seen_terms):
                continue
            seen_terms.append(snippet.terms)
            passage = window.passage
            citations.append(
                Citation(
                    snippet=snippet.text,
                    highlights=snippet.highlights,
                    passage_id=passage.id,
                    passage_number=passage.number,
                    passage_count=self.index.passage_counts[passage.article.slug],
                    score=round(float(probabilities[position]), 4),
                    article=passage.article,
                    window=(window.start, window.end),
                )
            )
        return kind, tuple(citations)

    def _names_a_source(self, concept: Concept) -> bool:
        return all(term in self._source_terms for term in concept.asked)

    @cached_property
    def _source_terms(self) -> frozenset[str]:
        """The words of the articles' publishers and titles (each distinct chunk between
        spaces analysed once: titles share most of their words)."""
        chunks = {chunk for a in self.index.articles for chunk in f"{a.publisher} {a.title}".split()}
        return frozenset(self._analyzer.terms(" ".join(chunks)))


def _in_english(text: str, english: bool) -> str:
    return f"{messages.ENGLISH}\n{text}" if english else text
