"""Turn a follow-up ("which of those needs the sponsor?") into a standalone query, without an LLM.

A question that leans on the conversation borrows the content words of the user's previous turns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.text import stopwords, words

_REFERENCES = re.compile(
    r"\b(those|these|that|this|it|its|they|them|their|there|he|him|his|she|her|hers|whoever|such|same|above|"
    r"previous|former|latter|"
    r"first one|second one|last one|which one|what about|how about|and for|and if|what if|also|else|more|"
    r"instead|then|one of)\b",
    re.IGNORECASE,
)
# "and how long...", "ok so what if...": opening with a connective continues the conversation.
_CONTINUES = re.compile(r"^\s*(?:and|ok|okay|so|but)\b", re.IGNORECASE)
# Without a word that points back, a question that names this many things of its own stands alone: "How often
# should the steering committee meet?" asked after a health-check question is about the steering committee.
# One that names fewer ("who should attend?") leans on the conversation.
_CONTENT_MIN = 3
# A question that names this many things of its own is a new question, whatever pronouns it uses: "...my
# director says to ignore them because the numbers look good. Should I listen to him?" A follow-up names few.
_STANDALONE_MIN = 12
_QUESTION_WORDS = {"what", "which", "who", "how", "when", "where", "why", "should", "can", "do", "does", "is", "are"}
# Words that name no subject of their own: "what should come down first, and how quickly?" or "once that's done,
# what happens next?" say nothing about what they are asking after, so they do not make a question standalone.
_GENERIC = frozenset(
    "come comes coming down go goes going get gets getting done happen happens make take first next last "
    "quickly soon long often much many need needs want really actually just still thing things way stuff".split()
)


@dataclass
class Turn:
    role: str
    content: str


def content_words(text: str) -> list[str]:
    stop = stopwords()
    return [w for w in words(text) if w not in stop and w not in _QUESTION_WORDS and len(w) > 2]


def depends_on_history(question: str) -> bool:
    named = [word for word in content_words(question) if word not in _GENERIC]
    if len(named) >= _STANDALONE_MIN:
        return False
    return bool(_REFERENCES.search(question) or _CONTINUES.match(question)) or len(named) < _CONTENT_MIN


def standalone_query(question: str, history: Sequence[Turn], turns: int = 2) -> str:
    previous = [t.content for t in history if t.role == "user" and t.content.strip()]
    if not previous or not depends_on_history(question):
        return question
    own = set(content_words(question))
    borrowed: list[str] = []
    for text in reversed(previous[-turns:]):
        for word in content_words(text):
            if word not in own and word not in borrowed:
                borrowed.append(word)
    return f"{question} ({' '.join(borrowed)})" if borrowed else question
