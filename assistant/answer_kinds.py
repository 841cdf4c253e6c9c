"""Questions that ask for a particular kind of answer (a figure, a software product), and the sentences of a
passage that give one.

"What percentage of alliances fail in their first three years?" matches a knowledge base about alliance failure
very well, word for word, yet the knowledge base may state no such figure. "Which PRM software integrates best
with our CRM?" matches one about partner portals just as well, yet it may name no product at all. When a question asks
for such an answer, the evidence check therefore also asks whether some sentence of the passages found for it
gives that kind of answer about what the question asks: see `assistant.evidence`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text import split_sentences

FIGURE_REQUEST = re.compile(
    r"""
    # what percentage / what's the share / which proportion ... (not "what do we share")
    \b(?:what|which)(?:'s|\s+is|\s+are|\s+was)?\s+(?:the\s+|a\s+)?(?:percentage|percent|share|proportion|fraction)\b
    # what win rate / what's the churn rate / what coverage ratio / what EBITDA multiple (not "what would you rate")
    | \b(?:what|which)(?:'s|\s+is|\s+are|\s+was)?\s+(?:the\s+|a\s+|an\s+)?
        (?!(?:do|does|did|should|would|will|can|could|we|they|you|i|our|their|your)\b)(?:[\w-]+\s+){0,2}
        (?:rate|ratio|multiple)\b
    | \bhow\s+(?:much|many)\b.*\b(?:on\s+average|typically|usually|normally|globally|worldwide|in\s+(?:19|20)\d\d)\b
    | \b(?:typical|average|median|benchmark)\b.*\b(?:cost|costs|rate|rates|percentage|fee|fees|price|size)\b
    | \b(?:addressable\s+market|market\s+size)\b
    | \bhow\s+(?:big|large)\s+is\s+the\s+(?:[\w()-]+\s+){0,5}market\b
    | \bsize\s+of\s+the\s+(?:[\w()-]+\s+){0,8}(?:market|industry|sector)\b
    # industry data as a source, not "university-industry research collaborations"
    | (?<!-)\bindustry[\s-](?:research|data|averages?|benchmarks?|statistics?|figures?)\b
        (?!\s+(?:collaborat\w*|partner\w*|projects?|cent(?:re|er)s?|programm?e?s?|consorti\w*|alliances?))
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

_SOFTWARE = r"(?:software|tools?|platforms?|apps?|applications?|packages?|plug-?ins?|suites?|systems?|crm|prm|erp)"

# Asking which product to pick: "which survey software plugs best into our CRM", "what board portal software
# should we (our coalition, our global health partnership, a mid-sized club) buy", "which CRM should our office
# buy", "which PSA tools are most widely used". A plain "what tools help with a health check?" asks for practice,
# not for a product, and is not held to this; nor is "what did the vendor roundtable recommend" or "what if the
# brand never launches", where the vendor or brand is not what is picked.
PRODUCT_REQUEST = re.compile(
    rf"""
    \b(?:which|what)\b(?:\s+[\w/&-]+){{0,3}}?\s+{_SOFTWARE}\b.*?
        \b(?:should|do|would|could|can)\s+(?:
            (?:we|i|you|(?:our|my|the)(?:\s+[\w-]+){{1,4}})\s+(?:buy|use|choose|pick|license|licence|get|recommend)
            | (?:a|an|this|their|your)(?:\s+[\w-]+){{1,3}}\s+(?:buy|choose|pick|license|licence)
        )\b
    | \b(?:integrates?|integrating|plugs?|connects?)\s+(?:best\s+|well\s+|easily\s+|natively\s+)?(?:into|with)\b
    | \bmost\s+(?:widely\s+|commonly\s+)?used\b
    | \b(?:best|top|leading|recommended|cheapest)\s+(?:[\w-]+\s+){{0,2}}{_SOFTWARE}\b
    | \b(?:which|what)\s+(?:(?!(?:if|did|does|when|happens)\b)[\w-]+\s+){{0,4}}(?:vendor|vendors|brand)
        (?:['’]s\b|\s+(?:should|is|are|would|do|does|can|could|has|have|offers?|gives?|fits?|suits?|works?|of)\b|\s*[?,.]|\s*$)
    """,
    re.IGNORECASE | re.VERBOSE,
)

# A sentence that names something: a capitalised word after a lower-case one ("run it in Salesforce", "such as
# HubSpot"), not an acronym such as CRM, and not the first word of the sentence.
_NAMES_SOMETHING = re.compile(r"(?<=[a-z,;(]\s)[A-Z][a-z0-9]*[a-z][A-Za-z0-9]*")


@dataclass(frozen=True)
class AnswerKind:
    """A kind of answer a question can ask for, and how to tell a sentence that gives one."""

    name: str
    request: re.Pattern[str]
    statement: re.Pattern[str]

    def asked(self, question: str) -> bool:
        return self.request.search(question) is not None

    def sentences(self, text: str) -> list[str]:
        """The sentences of a passage that give this kind of answer."""
        return [sentence for sentence in split_sentences(text) if self.statement.search(sentence)]


FIGURE = AnswerKind("figure", FIGURE_REQUEST, _NUMBER)
PRODUCT = AnswerKind("product", PRODUCT_REQUEST, _NAMES_SOMETHING)
KINDS = (FIGURE, PRODUCT)
