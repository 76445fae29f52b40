"""The answer core: a `Query` in, a `Reply` out, the same for every platform.

Commands (`aide`, `sources`) and small talk are told apart from questions here,
once. Chat French is written out ("pk" → "pourquoi"), polite words are dropped,
and an English question is answered from the French articles with a line saying
so. Then `bot.answer.answerability` decides between three outcomes: a confident
answer, the closest passages with a warning, or a refusal when the question is
about something the articles never mention.
"""

from __future__ import annotations

from functools import cached_property

from bot.answer import messages
from bot.answer.answer_types import asks_date, date_words_asked, expected_answer
from bot.answer.answerability import CLOSEST_COVERAGE, CONFIDENT_COVERAGE, Weighing, weigh
from bot.answer.follow_up import borrow, is_follow_up
from bot.answer.language import LanguageGuesser
from bot.answer.sanitize import clean_question
from bot.answer.small_talk import SmallTalk
from bot.answer.snippets import make_snippet
from bot.answer.timeline import timeline
from bot.models import Citation, Query, Reply, ReplyKind
from bot.search.analysis import FrenchAnalyzer, term_overlap
from bot.search.index import PassageIndex
from bot.search.question import QuestionAnalyser
from bot.search.retrieval import Concept, ScoredPassage
from bot.search.typed_french import TypedFrench

MAX_QUESTION_CHARS = 1000
MIN_RELATIVE_SCORE = 0.3  # a second or third citation scores at least this × the first
NEAR_DUPLICATE = 0.7  # snippets sharing this much of their terms are cited once
PASSAGE_SHARE = 0.25  # how much the passage's BM25 score counts beside its snippet's
_CANDIDATES = 20  # passages whose best sentences compete for the citations


class AnswerEngine:
    """Answers French questions from one passage index."""

    def __init__(
        self,
        index: PassageIndex,
        analyzer: FrenchAnalyzer,
        questions: QuestionAnalyser,
        max_citations: int = 3,
    ) -> None:
        self.index = index
        self._analyzer = analyzer
        self._questions = questions
        self._max_citations = max_citations
        self._typed_french = TypedFrench(
            known=lambda word: word in analyzer.stop_words or questions.knows_word(word),
            mere_stop_words=analyzer.stop_words - analyzer.question_words,
        )
        self._small_talk = SmallTalk(analyzer.stop_words)
        self.languages = LanguageGuesser(analyzer.stop_words | analyzer.question_words)

    def prepare(self) -> None:
        """Everything a first question could need, read now (a serving bot calls this
        before it takes questions, and on a reload before the new index serves)."""
        self._questions.prepare()
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

    def _cite(
        self, text: str, english: bool, earlier: tuple[str, ...] = ()
    ) -> tuple[ReplyKind, tuple[Citation, ...]]:
        language = "en" if english else "fr"
        concepts = self._concepts(text, language)
        if earlier and is_follow_up(text, concepts):
            previous = (self._concepts(self._typed_french.write_out(q), language) for q in reversed(earlier))
            concepts = borrow(concepts, previous)
        if not concepts:
            return ReplyKind.NOT_FOUND, ()
        retriever = self.index.retriever
        weighing = weigh(concepts, retriever)
        if weighing.unknown_subjects:
            return ReplyKind.NOT_FOUND, ()
        boosted = weighing.boosted(concepts)
        expected = expected_answer(text, self._analyzer.stop_words)
        weights: dict[str, tuple[int, float]] = {}
        for number, (concept, importance) in enumerate(zip(boosted, weighing.importance, strict=True)):
            for alternative in concept.alternatives:
                for term in alternative.terms:
                    weight = importance * alternative.weight
                    if weight > weights.get(term, (0, 0.0))[1]:
                        weights[term] = (number, weight)
        found = [
            f
            for f in retriever.search(boosted, _CANDIDATES)
            if weighing.coverage(f) >= CLOSEST_COVERAGE and weighing.anchored(f)
        ]
        if not found:
            return ReplyKind.NOT_FOUND, ()
        # Second stage: the best sentences of the best passages, ranked by what they hold
        # of the question (and the kind of answer it expects), then by their passage's score.
        best_score = found[0].score
        ranked = []
        for candidate in found:
            if candidate.score < MIN_RELATIVE_SCORE * best_score:
                continue
            passage = self.index.passages[candidate.index]
            snippet = make_snippet(passage, self._analyzer, weights, expected, weighing.total)
            rank = snippet.score + PASSAGE_SHARE * candidate.score / best_score
            ranked.append((rank, candidate, passage, snippet))
        ranked.sort(key=lambda item: -item[0])
        kind = ReplyKind.ANSWER if _confident(weighing, ranked[0][1]) else ReplyKind.CLOSEST
        citations: list[Citation] = []
        seen_terms: list[frozenset[str]] = []
        for rank, _, passage, snippet in ranked:
            if len(citations) == self._max_citations:
                break
            if any(term_overlap(snippet.terms, other) >= NEAR_DUPLICATE for other in seen_terms):
                continue
            seen_terms.append(snippet.terms)
            citations.append(
                Citation(
                    snippet=snippet.text,
                    highlights=snippet.highlights,
                    passage_id=passage.id,
                    passage_number=passage.number,
                    passage_count=self.index.passage_counts[passage.article.slug],
                    score=round(rank, 4),
                    article=passage.article,
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


def _confident(weighing: Weighing, found: ScoredPassage) -> bool:
    return weighing.surely_covered(found) >= CONFIDENT_COVERAGE


def _in_english(text: str, english: bool) -> str:
    return f"{messages.ENGLISH}\n{text}" if english else text
