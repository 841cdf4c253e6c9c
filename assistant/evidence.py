"""How much the retrieved passages support answering at all; below the threshold the assistant abstains.

Six signals, each read off what retrieval and the extractive draft already computed:

- `dense`: the best cosine similarity between the question and a passage;
- `answer_coverage`: how much of the question (its content words, weighted by IDF) the sentences picked for
  the answer contain, read under their titles and sections;
- `passage_coverage`: the same for the single best-matching passage, because an answerable question tends to
  be matched by one passage, while a near miss matches its words across several unrelated ones;
- `peak`: how far the best match stands out from the question's background similarity to the corpus (ranks 11
  and below), which adapts the score to the size and make-up of the corpus;
- `off_topic`: the question's similarity to the nearest subject the assistant does not advise on (see
  `assistant.scope`); it counts against the score by how much it exceeds `dense`;
- `in_domain`: how far the question leans towards alliance-management practice at all, from a kernel probe on
  its embedding trained on labelled questions (see `assistant.scope_probe`).

Besides the score, two vetoes: a question that uses a specialist word (VAT, statutory, OAuth...) that none of
its passages contains is not answered (`specialist_gaps`), and neither is a question that asks for a kind of
answer (a figure: what percentage, what rate, typical cost...; a software product: which PRM tool...) when no
sentence of its passages that gives one covers at least ANSWER_SUPPORT of it (`answer_support`, see
`assistant.answer_kinds`).

The weights and `ALLY_ABSTAIN_THRESHOLD` were fitted with `python -m bench.evaluate --calibrate` on the
evaluation sets; documents and questions the project never tuned on check that they carry over.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.answer_kinds import KINDS
from assistant.passages import Passage
from assistant.scope import specialist_gaps
from assistant.text import content_terms, indexable_text

ANSWER_WEIGHT = 0.75
PASSAGE_WEIGHT = 1.2
PEAK_WEIGHT = 0.5
OFF_TOPIC_WEIGHT = 4.0
IN_DOMAIN_WEIGHT = 1.0
BACKGROUND_FROM = 10
ANSWER_SUPPORT = 0.25


@dataclass
class Evidence:
    dense: float
    answer_coverage: float
    peak: float = 0.0
    passage_coverage: float = 0.0
    off_topic: float = 0.0
    in_domain: float = 0.0
    specialist_gaps: tuple[str, ...] = ()
    """Specialist words of the question (law, tax, code...) that no passage contains: see `assistant.scope`."""
    answer_support: dict[str, float] = field(default_factory=dict)
    """For each kind of answer the question asks for (see `assistant.answer_kinds`), how much of the question the
    best sentence of the passages giving one covers."""

    @property
    def figure_support(self) -> float | None:
        return self.answer_support.get("figure")

    @property
    def unsupported(self) -> tuple[str, ...]:
        """The kinds of answer asked for that no sentence of the passages gives about the question."""
        return tuple(kind for kind, support in self.answer_support.items() if support < ANSWER_SUPPORT)

    @property
    def vetoed(self) -> bool:
        """Declined whatever the score: a specialist word, a figure or a product the passages do not speak to."""
        return bool(self.specialist_gaps or self.unsupported)

    def sufficient(self, threshold: float) -> bool:
        return self.score >= threshold and not self.vetoed

    @property
    def score(self) -> float:
        return (
            self.dense
            + ANSWER_WEIGHT * self.answer_coverage
            + PASSAGE_WEIGHT * self.passage_coverage
            + PEAK_WEIGHT * self.peak
            - OFF_TOPIC_WEIGHT * (self.off_topic - self.dense)
            + IN_DOMAIN_WEIGHT * self.in_domain
        )


def background(dense_scores: Sequence[float]) -> float:
    """Mean similarity of the tail of the dense ranking: how close the question is to the corpus at large."""
    tail = dense_scores[BACKGROUND_FROM:] or dense_scores[1:] or dense_scores
    return sum(tail) / len(tail) if tail else 0.0


def coverage(wanted: dict[str, float], found: set[str]) -> float:
    """Share of the question's IDF weight whose terms are among `found` (the terms of some text)."""
    total = sum(wanted.values())
    if not total:
        return 0.0
    return sum(weight for term, weight in wanted.items() if term in found) / total


def measure(
    query: str,
    passages: Sequence[Passage],
    sentences: Sequence[str],
    idf: Callable[[str], float],
    dense_scores: Sequence[float] = (),
    off_topic: float = 0.0,
    in_domain: float = 0.0,
) -> Evidence:
    if not passages or not sentences:
        return Evidence(0.0, 0.0, off_topic=off_topic, in_domain=in_domain)
    wanted = {t: idf(t) for t in set(content_terms(query))}
    best = max((p.dense for p in passages if p.dense is not None), default=0.0)
    # Each passage is tokenised once: for its own coverage, and together for the specialist words.
    passage_terms = [set(content_terms(indexable_text(p.title, p.section, p.text))) for p in passages]
    return Evidence(
        dense=best,
        answer_coverage=coverage(wanted, set(content_terms(" ".join(sentences)))),
        peak=best - background(dense_scores) if dense_scores else 0.0,
        passage_coverage=max(coverage(wanted, found) for found in passage_terms),
        off_topic=off_topic,
        in_domain=in_domain,
        specialist_gaps=tuple(
            specialist_gaps(query, set().union(*passage_terms), " ".join(f"{p.title} {p.text}" for p in passages))
        ),
        answer_support=answer_support(query, passages, wanted),
    )


def answer_support(query: str, passages: Sequence[Passage], wanted: dict[str, float]) -> dict[str, float]:
    """For each kind of answer the question asks for, the best coverage of it by one sentence of the passages
    that gives that kind of answer."""
    support = {}
    for kind in KINDS:
        if kind.asked(query):
            giving = (set(content_terms(sentence)) for p in passages for sentence in kind.sentences(p.text, query))
            support[kind.name] = max((coverage(wanted, terms) for terms in giving), default=0.0)
    return support
