"""Passages and BM25: stable ids, Lucene's IDF, and no passage without a query term."""

import itertools
import math
import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.corpus.passages import passages_of, split_sentences
from bot.models import Article
from bot.search.bm25 import Bm25Retriever, lucene_idf_bm25
from bot.search.retrieval import Alternative, Concept, lucene_idf


@pytest.fixture(params=["numpy", "compiled"])
def build(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Both searches: NumPy's (`emad-bot ask`), and the compiled one a serving bot prepares."""

    def built(docs: list[list[str]]) -> Bm25Retriever:
        retriever = Bm25Retriever.build(docs)
        if request.param == "compiled":
            pytest.importorskip("numba")
            compiling = retriever.prepare()
            assert compiling is not None
            compiling.join()
            assert retriever._kernel is not None
        return retriever

    return built


def test_sentences_end_at_final_punctuation_not_at_abbreviations() -> None:
    text = "M. Mostaque a parlé. Il a dit « non ». En 2024 ? Oui ! Fin"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "M. Mostaque a parlé.", "Il a dit « non ».", "En 2024 ?", "Oui !", "Fin",
    ]  # fmt: skip


def test_passages_have_stable_ids_and_stay_within_a_paragraph() -> None:
    body = "\n".join([" ".join(f"Phrase numéro {i} du premier paragraphe." for i in range(12)), "Court."])
    article = Article("demo", "Titre", "Éditeur", "fr", body)
    passages = [item.passage for item in passages_of(article)]
    assert [p.id for p in passages] == [f"demo-{n}" for n in range(1, len(passages) + 1)]
    assert passages[-1].text == "Court."
    assert all(p.text in body.splitlines()[0] for p in passages[:-1])
    assert all(len(p.sentences) <= 5 for p in passages)
    assert [p.id for p in (i.passage for i in passages_of(article))] == [p.id for p in passages]


def test_a_heading_is_indexed_with_the_passage_it_introduces() -> None:
    article = Article("demo", "Titre", "Éditeur", "fr", "Un départ remarqué\nIl est parti hier.")
    (item,) = passages_of(article)
    assert item.passage.text == "Il est parti hier."
    assert "départ" in item.indexed_text


def test_lucene_idf_is_positive_and_decreasing_where_okapi_is_not() -> None:
    values = [lucene_idf(30, n) for n in range(31)]
    assert all(v > 0 for v in values)
    assert all(a > b for a, b in itertools.pairwise(values))
    # rank-bm25's Okapi floor: a term in 20 of 30 passages outweighs one in 14.
    docs = [["commun"] * (i < 20) + ["rare"] * (i < 14) + [f"unique{i}"] for i in range(30)]
    okapi = BM25Okapi(docs)
    assert okapi.idf["commun"] > okapi.idf["rare"]
    ours = Bm25Retriever.build(docs)
    assert ours.idf("rare") > ours.idf("commun")


def single(*terms: str) -> list[Concept]:
    return [Concept((t,), (Alternative((t,)),)) for t in terms]


def test_a_passage_matching_no_query_term_is_never_returned() -> None:
    retriever = Bm25Retriever.build([["coatue", "lightspeed"], ["munich"], ["autre"]])
    assert [s.index for s in retriever.search(single("coatue"), 10)] == [0]
    assert retriever.search(single("inconnu"), 10) == []


def test_scores_equal_rank_bm25_with_the_lucene_idf() -> None:
    rng = random.Random(7)
    vocabulary = [f"mot{i}" for i in range(40)]
    docs = [rng.choices(vocabulary, k=rng.randint(3, 15)) for _ in range(60)]
    retriever = Bm25Retriever.build(docs)
    query = ["mot1", "mot5", "mot9"]
    found = {s.index: s.score for s in retriever.search(single(*query), 60)}
    avgdl = sum(map(len, docs)) / len(docs)
    for index, doc in enumerate(docs):
        expected = 0.0
        for term in query:
            n = sum(term in d for d in docs)
            tf = doc.count(term)
            norm = tf + 1.5 * (1 - 0.75 + 0.75 * len(doc) / avgdl)
            expected += math.log(1 + (60 - n + 0.5) / (n + 0.5)) * tf * 2.5 / norm
        assert found.get(index, 0.0) == pytest.approx(expected)


def test_a_concept_scores_its_best_alternative_not_the_sum() -> None:
    docs = [["demission", "depart", "x"], ["demission", "x", "y"], ["rien"]]
    retriever = Bm25Retriever.build(docs)
    concept = Concept(("demission",), (Alternative(("demission",)), Alternative(("depart",), 0.8)))
    scores = {s.index: s.score for s in retriever.search([concept], 10)}
    demission = {s.index: s.score for s in retriever.search(single("demission"), 10)}
    depart = {s.index: s.score for s in retriever.search(single("depart"), 10)}
    assert scores[0] == pytest.approx(max(demission[0], 0.8 * depart[0]))
    assert scores[1] == pytest.approx(demission[1])
    assert set(scores) == {0, 1}


@pytest.mark.parametrize("seed", range(5))
def test_top_10_rankings_and_scores_equal_rank_bm25s(seed: int, build) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    vocabulary = [f"mot{i}" for i in range(rng.randint(20, 300))]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf-like, as in prose
    docs = [rng.choices(vocabulary, weights, k=rng.randint(1, 40)) for _ in range(rng.randint(20, 800))]
    ours = build(docs)
    reference = lucene_idf_bm25(docs)
    for _ in range(20):
        query = list(dict.fromkeys(rng.choices(vocabulary, k=rng.randint(1, 5))))
        expected = reference.get_scores(query)
        found = ours.search(single(*query), 10)
        positive = sorted((s for s in expected if s > 0), reverse=True)[:10]
        assert [f.score for f in found] == pytest.approx(positive, rel=1e-9)
        for f in found:
            assert f.score == pytest.approx(expected[f.index], rel=1e-9)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("share", [0.0, float("inf")], ids=["one-pass-over-all", "over-postings"])
def test_dis_max_concepts_score_their_best_alternative_as_rank_bm25_would(  # type: ignore[no-untyped-def]
    seed: int, share: float, monkeypatch: pytest.MonkeyPatch, build
) -> None:
    """Both ways of adding a concept's best alternatives, and of finding the top: over
    the postings, or in one pass over every passage's score."""
    import bot.search.bm25 as bm25

    monkeypatch.setattr(bm25, "DENSE_DIS_MAX_SHARE", share)
    monkeypatch.setattr(bm25, "DENSE_TOP_SHARE", share)
    rng = random.Random(100 + seed)
    vocabulary = [f"mot{i}" for i in range(rng.randint(20, 200))]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    docs = [rng.choices(vocabulary, weights, k=rng.randint(1, 40)) for _ in range(rng.randint(20, 500))]
    ours = build(docs)
    reference = lucene_idf_bm25(docs)
    for _ in range(20):
        concepts = []
        for _ in range(rng.randint(1, 4)):
            own, *others = rng.sample(vocabulary, rng.randint(1, 3))
            alternatives = (
                Alternative((own,)),
                *(Alternative((o,), rng.choice([0.8, 0.6, 0.35])) for o in others),
            )
            concepts.append(Concept((own,), alternatives, boost=rng.choice([1.0, 0.5])))
        expected = sum(
            concept.boost
            * np.max([a.weight * reference.get_scores(list(a.terms)) for a in concept.alternatives], axis=0)
            for concept in concepts
        )
        found = ours.search(concepts, 10)
        positive = sorted((s for s in expected if s > 0), reverse=True)[:10]
        assert [f.score for f in found] == pytest.approx(positive, rel=1e-9)
        for f in found:
            assert f.score == pytest.approx(expected[f.index], rel=1e-9)
            # What matched, per concept: the weight of its best-scoring alternative there.
            for concept, weight in zip(concepts, f.matched, strict=True):
                here = [(a.weight * reference.get_scores(list(a.terms))[f.index], a.weight)
                        for a in concept.alternatives]  # fmt: skip
                best, best_weight = max(here, key=lambda pair: pair[0])
                assert weight == (best_weight if best > 0 else 0.0)


def test_saved_postings_load_back_identical(tmp_path) -> None:  # type: ignore[no-untyped-def]
    docs = [["coatue", "lightspeed", "coatue"], ["munich", "ommer"], ["coatue"]]
    built = Bm25Retriever.build(docs)
    built.save(tmp_path)
    loaded = Bm25Retriever.load(tmp_path, passage_count=3)
    query = single("coatue", "ommer")
    assert loaded.search(query, 10) == built.search(query, 10)
    assert loaded.idf("coatue") == built.idf("coatue") and loaded.idf("absent") == built.idf("absent")


@pytest.mark.parametrize("seed", range(3))
def test_questions_touching_most_passages_rank_as_rank_bm25_ties_included(  # type: ignore[no-untyped-def]
    seed: int, monkeypatch: pytest.MonkeyPatch, build
) -> None:
    """Common words touch most passages: the top is then cut from a sample of the scores
    (64 here instead of 4,096, so that a corpus of a few thousand passages is sampled).
    Many passages are identical, so their scores tie at the cut."""
    import bot.search.bm25 as bm25

    monkeypatch.setattr(bm25, "DENSE_SAMPLE", 64)
    rng = random.Random(200 + seed)
    vocabulary = [f"mot{i}" for i in range(30)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    distinct = [rng.choices(vocabulary, weights, k=rng.randint(3, 12)) for _ in range(400)]
    docs = [rng.choice(distinct) for _ in range(4_000)]
    ours = build(docs)
    reference = lucene_idf_bm25(docs)
    for _ in range(20):
        query = list(dict.fromkeys(rng.choices(vocabulary[:6], k=rng.randint(1, 3))))
        expected = reference.get_scores(query)
        found = ours.search(single(*query), 10)
        best = sorted(range(len(docs)), key=lambda i: (-expected[i], i))[:10]  # ties: by passage
        assert [f.index for f in found] == best
        assert [f.score for f in found] == pytest.approx([expected[i] for i in best], rel=1e-9)
