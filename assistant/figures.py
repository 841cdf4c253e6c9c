"""Questions that ask for a figure, and the sentences of a passage that state one.

"What percentage of alliances fail in their first three years?" matches a knowledge base about alliance failure
very well, word for word, yet the knowledge base may state no such figure. When a question asks for a figure
(a percentage, share, rate, ratio, typical cost, market size or statistic), the evidence check therefore also
asks whether some sentence of the passages found for it states a number about what the question asks: see
`assistant.evidence`.
"""

from __future__ import annotations

import re

from assistant.text import split_sentences

FIGURE_REQUEST = re.compile(
    r"""
    # what percentage / what's the share / which proportion ... (not "what do we share")
    \b(?:what|which)(?:'s|\s+is|\s+are|\s+was)?\s+(?:the\s+|a\s+)?(?:percentage|percent|share|proportion|fraction)\b
    # what win rate / what's the churn rate / what coverage ratio (not "what would you rate")
    | \b(?:what|which)(?:'s|\s+is|\s+are|\s+was)?\s+(?:the\s+|a\s+|an\s+)?
        (?!(?:do|does|did|should|would|will|can|could|we|they|you|i|our|their|your)\b)(?:[\w-]+\s+){0,2}
        (?:rate|ratio)\b
    | \bhow\s+(?:much|many)\b.*\b(?:on\s+average|typically|usually|normally)\b
    | \b(?:typical|average|median|benchmark)\b.*\b(?:cost|costs|rate|rates|percentage|fee|fees|price|size)\b
    | \b(?:addressable\s+market|market\s+size)\b
    | \bhow\s+(?:big|large)\s+is\s+the\s+(?:[\w()-]+\s+){0,5}market\b
    | \bindustry[\s-](?:research|data|averages?|benchmarks?|statistics?|figures?)\b
    | \baccording\s+to\s+(?:the\s+)?(?:industry\s+)?(?:research|studies|surveys|benchmarks|analysts)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)

# A figure written in digits ("30 percent", "1:15", "3x") or in words ("twenty", "half", "two-thirds").
_NUMBER = re.compile(
    r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
    r"|sixty|seventy|eighty|ninety|hundred|thousand|half|halves|thirds?|quarters?|twice|double|triple)\b",
    re.IGNORECASE,
)


def asks_for_figure(question: str) -> bool:
    return FIGURE_REQUEST.search(question) is not None


def figure_sentences(text: str) -> list[str]:
    """The sentences of a passage that state a number."""
    return [sentence for sentence in split_sentences(text) if _NUMBER.search(sentence)]
