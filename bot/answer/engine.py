"""The answer core: a `Query` in, a `Reply` out, the same for every platform.

Commands (`aide`, `sources`) are told apart from questions here, once. A
question is answered only with passages that cover enough of what it asks:
each concept weighs its IDF (a word the corpus never uses weighs the most), and
a passage must cover at least `MIN_COVERAGE` of that weight. So "Qui est le PDG
de Google ?" finds passages about the PDG but none about Google, and is refused
rather than answered with a weak match.
"""

from __future__ import annotations

from bot.answer import messages
from bot.answer.answer_types import AnswerType, expected_answer
from bot.answer.sanitize import clean_question
from bot.answer.snippets import make_snippet
from bot.models import Citation, Query, Reply, ReplyKind
from bot.search.analysis import FrenchAnalyzer
from bot.search.index import PassageIndex
from bot.search.question import AnalysedQuestion, QuestionAnalyser
from bot.search.retrieval import Concept, ScoredPassage

MAX_QUESTION_CHARS = 1000
MIN_COVERAGE = 0.5
MIN_RELATIVE_SCORE = 0.3  # a second or third citation scores at least this × the first
NEAR_DUPLICATE = 0.7  # snippets sharing this much of their terms are cited once
_CANDIDATES = 20


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
        if len(text) > MAX_QUESTION_CHARS:
            text = text[:MAX_QUESTION_CHARS]
            notice = messages.TRUNCATED.format(limit=MAX_QUESTION_CHARS)
        expected = expected_answer(text, self._analyzer.stop_words)
        citations = self._cite(self._questions.analyse(text), expected)
        if not citations:
            return Reply(
                ReplyKind.NOT_FOUND,
                messages.NOT_FOUND,
                examples=messages.EXAMPLE_QUESTIONS,
                notice=notice,
                question=text,
            )
        return Reply(ReplyKind.ANSWER, messages.ANSWER, citations=citations, notice=notice, question=text)

    def _cite(self, question: AnalysedQuestion, expected: AnswerType | None) -> tuple[Citation, ...]:
        concepts = question.concepts
        if not concepts:
            return ()
        retriever = self.index.retriever
        importance = [self._importance(concept) for concept in concepts]
        total = sum(importance)
        weights = {
            term: retriever.idf(term) * alternative.weight
            for concept in concepts
            for alternative in concept.alternatives
            for term in alternative.terms
        }
        candidates = [
            found
            for found in retriever.search(concepts, _CANDIDATES)
            if self._coverage(found, importance, total) >= MIN_COVERAGE
        ]
        if not candidates:
            return ()
        best_score = candidates[0].score
        # Passages holding the expected kind of answer first, each group by score.
        candidates.sort(key=lambda found: not self._holds_answer(found, expected))
        citations: list[Citation] = []
        seen_terms: list[frozenset[str]] = []
        for found in candidates:
            if len(citations) == self._max_citations:
                break
            if found.score < MIN_RELATIVE_SCORE * best_score:
                continue
            passage = self.index.passages[found.index]
            snippet = make_snippet(passage, self._analyzer, weights, expected)
            if any(_overlap(snippet.terms, other) >= NEAR_DUPLICATE for other in seen_terms):
                continue
            seen_terms.append(snippet.terms)
            citations.append(
                Citation(
                    snippet=snippet.text,
                    highlights=snippet.highlights,
                    passage_id=passage.id,
                    passage_number=passage.number,
                    passage_count=self.index.passage_counts[passage.article.slug],
                    score=round(found.score, 4),
                    article=passage.article,
                )
            )
        return tuple(citations)

    def _holds_answer(self, found: ScoredPassage, expected: AnswerType | None) -> bool:
        return expected is not None and expected(self.index.passages[found.index].text)

    def _importance(self, concept: Concept) -> float:
        """How much a concept weighs in the question: the IDF of the question's own
        words, or else of what they resolve to (synonyms, close spellings); a word
        the corpus cannot match at all weighs the most."""
        retriever = self.index.retriever
        vocabulary = retriever.vocabulary()
        for terms in (
            concept.asked,
            [t for alternative in concept.alternatives for t in alternative.terms],
        ):
            known = [retriever.idf(term) for term in terms if term in vocabulary]
            if known:
                return max(known)
        return max(retriever.idf(term) for term in concept.asked)

    @staticmethod
    def _coverage(found: ScoredPassage, importance: list[float], total: float) -> float:
        return sum(w * m for w, m in zip(importance, found.matched, strict=True)) / total


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / max(min(len(a), len(b)), 1)
