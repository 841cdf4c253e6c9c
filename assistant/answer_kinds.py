"""Questions that ask for a particular kind of answer (a figure, a software product), and the sentences of a
passage that give one.

"What percentage of alliances fail in their first three years?" matches a knowledge base about alliance failure
very well, word for word, yet the knowledge base may state no such figure. "Which PRM software integrates best
with our CRM?" matches one about partner portals just as well, yet it may name no product at all. When a question asks
for such an answer, the evidence check therefore also asks whether some sentence of the passages found for it
gives that kind of answer about what the question asks: see `assistant.evidence`.

A figure must also take the form asked for. "What's a typical day rate for a senior architect?" is not answered
by "a review panel of three senior architects", nor "what percentage of licensing deals reach Phase 3?" by "a
Phase 2 trial": a share needs a proportion (30 percent, one in three, two-thirds), a rate a proportion or an
amount, and the size of a market an amount of money.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.text import split_sentences

_ASKING = r"\b(?:what|which)(?:'s|\s+is|\s+are|\s+was)?\s+(?:the\s+|a\s+|an\s+)?"
_TYPICAL = r"\b(?:typical|average|median|benchmark)\b.*"

# A request for a share: "what percentage of", "what's the share", "typical percentage" (not "what do we share").
SHARE_REQUEST = re.compile(
    rf"{_ASKING}(?:percentage|percent|share|proportion|fraction)\b|{_TYPICAL}\bpercentage\b", re.IGNORECASE
)
# A request for a rate: "what win rate", "what's the churn rate", "what coverage ratio", "what EBITDA multiple",
# "a typical day rate" (not "what would you rate").
RATE_REQUEST = re.compile(
    rf"""{_ASKING}(?!(?:do|does|did|should|would|will|can|could|we|they|you|i|our|their|your)\b)(?:[\w-]+\s+){{0,2}}
        (?:rate|ratio|multiple)\b
    | {_TYPICAL}\brates?\b""",
    re.IGNORECASE | re.VERBOSE,
)
# A request for what something costs: "a typical per-patient cost", "the average fee".
COST_REQUEST = re.compile(rf"{_TYPICAL}\b(?:cost|costs|fee|fees|price|prices)\b", re.IGNORECASE)
# A request for the size of a market: "total addressable market", "how big is the PRM software market".
MARKET_REQUEST = re.compile(
    r"""\b(?:addressable\s+market|market\s+size)\b
    | \bhow\s+(?:big|large)\s+is\s+the\s+(?:[\w()-]+\s+){0,5}market\b
    | \bsize\s+of\s+the\s+(?:[\w()-]+\s+){0,8}(?:market|industry|sector)\b""",
    re.IGNORECASE | re.VERBOSE,
)
# Any other request for a figure: "how many ... typically", "a typical size", a statistic of the world or of a
# past year ("what was the total value of ... worldwide last year", "how fast is the market growing"), industry
# data as a source (not "university-industry research collaborations").
NUMBER_REQUEST = re.compile(
    rf"""\bhow\s+(?:much|many)\b.*\b(?:on\s+average|typically|usually|normally|globally|worldwide|in\s+(?:19|20)\d\d)\b
    | \bwhat\s+(?:was|is|were|are)\s+the\s+(?:[\w-]+\s+){{0,3}}
        (?:value|volume|number|size|spend|spending|revenue|growth),?\s+(?:of|for|in)\b.*\b(?:worldwide|globally|last\s+year|in\s+(?:19|20)\d\d)\b
    | \bhow\s+fast\s+is\s+(?:it|the\s+(?:[\w-]+\s+){{0,4}}(?:market|industry|sector))\s+growing\b
    | {_TYPICAL}\bsize\b
    | (?<!-)\bindustry[\s-](?:research|data|averages?|benchmarks?|statistics?|figures?)\b
        (?!\s+(?:collaborat\w*|partner\w*|projects?|cent(?:re|er)s?|programm?e?s?|consorti\w*|alliances?))
    | \baccording\s+to\s+(?:the\s+)?(?:industry\s+)?(?:research|studies|surveys|benchmarks|analysts)\b""",
    re.IGNORECASE | re.VERBOSE,
)

# A figure written in digits ("30 percent", "1:15", "3x") or in words ("twenty", "half", "two-thirds").
_NUMBER = re.compile(
    r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
    r"|sixty|seventy|eighty|ninety|hundred|thousand|half|halves|thirds?|quarters?|twice|double|triple)\b",
    re.IGNORECASE,
)
_WORD_NUMBER = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty"
    r"|seventy|eighty|ninety|hundred)"
)
_FIGURE = rf"(?:\d|\b{_WORD_NUMBER}\b)"
# A share or a rate, stated as one: "30 percent", "4%", "70/30", "50:50", "1.2", "3x", "twice", "one in three",
# "one for every four", "a third", "two-thirds of voting members", "a majority", "three contacts per partner",
# "ten requests a month". A bare "per partner" or "a percentage of revenue" states none.
_PROPORTION = re.compile(
    rf"""\d\s*%|{_FIGURE}[\d.,]*\s*(?:percent|per\s*cent|percentage\s+points?)\b|\d\s*[/:]\s*\d|\d\.\d|\d\s*x\b
    | {_FIGURE}[\d.,]*\s+times\b
    | \b(?:half|halves|thirds?|quarters?|fifths?|tenths?|twice|double|triple|majority|unanimous|unanimously)\b
    | {_FIGURE}\w*\s+(?:in|out\s+of)\s+{_FIGURE}|\bfor\s+every\s+{_FIGURE}
    | {_FIGURE}[\w.,%-]*\s+(?:[\w-]+\s+){{0,2}}(?:per\b|(?:a|an|each|every)\s+(?:day|week|month|quarter|year)\b)""",
    re.IGNORECASE | re.VERBOSE,
)
# An amount of money or a large count: "$4 million", "EUR 2bn", "1,200 a day", "500,000", "two million".
_AMOUNT = re.compile(
    rf"""[$£€¥]\s?\d|\b(?:usd|eur|gbp)\s?\d|\d{{1,3}}(?:,\d{{3}})+
    | {_FIGURE}[\d.,]*\s*(?:k|m|bn|thousand|million|billion|trillion|dollars|euros|pounds|usd|eur|gbp)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_RATE = re.compile(f"{_PROPORTION.pattern}|{_AMOUNT.pattern}", re.IGNORECASE | re.VERBOSE)

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
# HubSpot"), not an acronym such as CRM, not the first word of the sentence, and not a day or a month ("to a shared
# yield dashboard every Monday" names no product).
_CALENDAR = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august"
    "|september|october|november|december"
)
_NAMES_SOMETHING = re.compile(rf"(?<=[a-z,;(]\s)(?!(?i:{_CALENDAR})\b)[A-Z][a-z0-9]*[a-z][A-Za-z0-9]*")


@dataclass(frozen=True)
class Request:
    """One way of asking for a kind of answer, and what a sentence must state to give that answer."""

    pattern: re.Pattern[str]
    statement: re.Pattern[str]


@dataclass(frozen=True)
class AnswerKind:
    """A kind of answer a question can ask for, and how to tell a sentence that gives one.

    `particular` requests say what form the answer takes ("what share": a proportion); `general` ones only that
    it is of this kind ("according to research": any figure). A question that makes a particular request is held
    to it, even if it also makes a general one."""

    name: str
    particular: tuple[Request, ...] = ()
    general: Request | None = None

    def statements(self, question: str) -> list[re.Pattern[str]]:
        """What a sentence may state to give the answer this question asks for; empty when it asks for none."""
        found = [request.statement for request in self.particular if request.pattern.search(question)]
        if not found and self.general is not None and self.general.pattern.search(question):
            found.append(self.general.statement)
        return found

    def asked(self, question: str) -> bool:
        return bool(self.statements(question))

    def sentences(self, text: str, question: str) -> list[str]:
        """The sentences of a passage that give the answer of this kind that `question` asks for."""
        statements = self.statements(question)
        return [s for s in split_sentences(text) if gives(s, statements)]


def gives(sentence: str, statements: Sequence[re.Pattern[str]]) -> bool:
    """Whether `sentence` states one of the `statements` a question asks for (see `AnswerKind.statements`)."""
    return any(statement.search(sentence) for statement in statements)


FIGURE = AnswerKind(
    "figure",
    particular=(
        Request(SHARE_REQUEST, _PROPORTION),
        Request(RATE_REQUEST, _RATE),
        Request(COST_REQUEST, _RATE),
        Request(MARKET_REQUEST, _AMOUNT),
    ),
    general=Request(NUMBER_REQUEST, _NUMBER),
)
PRODUCT = AnswerKind("product", general=Request(PRODUCT_REQUEST, _NAMES_SOMETHING))
KINDS = (FIGURE, PRODUCT)

# Asking how often: "how often should the steering committee meet?", "what cadence suits a co-sell partner?".
FREQUENCY_REQUEST = re.compile(
    r"\bhow\s+(?:often|frequently|regularly)\b|\b(?:what|which)\s+(?:cadence|frequency)\b|\bhow\s+many\s+times\b",
    re.IGNORECASE,
)
_PERIOD = r"(?:days?|weeks?|months?|quarters?|years?)"
# A frequency, stated as one: "every six months", "quarterly", "twice a year", "three times a year".
_FREQUENCY = re.compile(
    rf"""\b(?:every|each)\s+(?:[\w-]+\s+){{0,2}}{_PERIOD}\b
    | \b(?:daily|weekly|fortnightly|monthly|quarterly|annually|yearly|biannually|semi-annually)\b
    | \b(?:once|twice|[\w-]+\s+times)\s+(?:a|per|each|every)\s+{_PERIOD}\b""",
    re.IGNORECASE | re.VERBOSE,
)
FREQUENCY = AnswerKind("frequency", general=Request(FREQUENCY_REQUEST, _FREQUENCY))
"""Not among KINDS: the extractive composer puts a sentence that states a frequency first when one is asked for,
but the evidence check does not decline a question whose passages state none."""
