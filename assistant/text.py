"""Tokens and sentences: the one place that decides what a term and a sentence are.

BM25, the extractive composer and citation checks all share these rules.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_EXTRA_STOPWORDS = {
    "how",
    "what",
    "which",
    "when",
    "why",
    "who",
    "whom",
    "should",
    "would",
    "could",
    "can",
    "do",
    "does",
    "did",
    "i",
    "me",
    "my",
    "we",
    "our",
    "us",
    "you",
    "your",
    "get",
    "make",
    "best",
    "way",
    "ways",
    "need",
    "tell",
    "about",
    "anything",
    "something",
    "thing",
    "things",
    "also",
    "one",
    "ones",
    "really",
    "good",
}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | _EXTRA_STOPWORDS


@lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


_CONTRACTION = re.compile(r"(?:n't|'s|'re|'ve|'d|'ll|'m)$")
# Function words and words that carry tone rather than topic in how people type questions ("ok to just park
# them?"). BM25 keeps its short Lucene list; this longer one only decides what a question is about.
_FILLER = frozenset(
    """
    ok okay just like got am vs actually even still yet lot lots stuff bit kind sort anyway please basically want
    go going know think let say
    he him his she her hers they them their theirs it its this that these those who whom whose which what
    i me my mine we us our ours you your yours
    have has had having be been being was were is are do does did doing done will would shall should can could
    may might must
    from with without into onto about above below over under between through during before after since until
    of off out up down in on at by for to than then so too very more most much many some any all each every
    other another same own only also there here where when why how whether if or and but not no nor
    """.split()
)


@lru_cache(maxsize=1)
def _question_stopwords() -> frozenset[str]:
    return stopwords() | _FILLER


def _stemmed(words_in: list[str], stop: frozenset[str]) -> list[str]:
    return [_stem(w) for w in words_in if w not in stop and len(w) > 1]


def content_terms(text: str) -> list[str]:
    """Stemmed words that say what a question is about: `terms` without contractions' endings and filler.

    Used to measure how much of a question an answer covers, where "we're" or "ok" must not count as a topic
    the knowledge base lacks."""
    return _stemmed([_CONTRACTION.sub("", w) for w in words(text)], _question_stopwords())


def terms(text: str) -> list[str]:
    """Stemmed content words, in order, stopwords removed."""
    return _stemmed(words(text), stopwords())


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
# A list item's marker: "- ", "* ", "1. ", "2) ", or a checklist's box "[ ] ", "[x] ".
_MARKER = r"(?:[-*+]|\d+[.)]|\[[ xX]?\])"
_LIST_MARKER = re.compile(rf"^\s*{_MARKER}\s+")
_ITEM_START = re.compile(rf"\n(?=\s*{_MARKER}\s)")
# The most words a plain-text heading has ("Purpose", "Working day 1 to 3: exchange files").
_HEADING_WORDS = 8
_EMPHASIS = re.compile(r"(\*\*|__|`)")
# A list item or paragraph that opens with a bold phrase: "4. **Run the steering committee.** Owner: ..."
_LEAD = re.compile(rf"(?:{_MARKER}\s+)?(\*\*|__)(?P<lead>[^*_]+?)\1")


def clean_line(line: str) -> str:
    line = _LIST_MARKER.sub("", line)
    return _EMPHASIS.sub("", line).strip()


def _headings_dropped(text: str) -> str:
    """The text without its plain-text headings: a short line, unpunctuated at its end, that starts a paragraph
    and is followed by a line that starts afresh (a capital, a figure or a list item), not by the rest of a
    wrapped sentence. List items are never headings."""
    lines = text.splitlines()
    kept = []
    for at, line in enumerate(lines):
        stripped = line.strip()
        following = next((later.strip() for later in lines[at + 1 :] if later.strip()), "")
        heading = (
            bool(stripped and following)
            and (at == 0 or not lines[at - 1].strip())
            and _LIST_MARKER.match(line) is None
            and len(stripped.split()) <= _HEADING_WORDS
            and stripped[-1].isalnum()
            and (following[0].isupper() or following[0].isdigit() or _LIST_MARKER.match(following) is not None)
        )
        if not heading:
            kept.append(line)
    return "\n".join(kept)


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; list items and lines count as their own sentences, headings are dropped: Markdown
    ones, and plain-text ones ("Purpose" above a paragraph, "Before month end" above a checklist)."""
    return [sentence for sentence, _ in led_sentences(text)]


def led_sentences(text: str) -> list[tuple[str, str | None]]:
    """The sentences of `split_sentences`, each with the bold lead of the list item or paragraph it is in, if that
    starts with one: "Timing: twice a year." comes with "Run the steering committee." in "4. **Run the steering
    committee.** Owner: ... Timing: twice a year." The lead is a sentence of its own too, and has no lead when
    nothing follows it."""
    sentences: list[tuple[str, str | None]] = []
    for block in re.split(rf"\n\s*\n|{_ITEM_START.pattern}", _headings_dropped(text)):
        block = block.strip()
        if not block or block.startswith("#"):
            continue
        found = _LEAD.match(block)
        lead = " ".join(found.group("lead").split()) if found else None
        block = " ".join(clean_line(line) for line in block.splitlines() if not line.lstrip().startswith("#"))
        said = [sentence.strip() for sentence in _SENTENCE_END.split(block) if sentence.strip()]
        if said == [lead]:
            lead = None  # a bold item that says nothing more is a statement, not the name of what follows
        sentences += [(sentence, lead) for sentence in said]
    return sentences


def is_story(query: str, long_query_words: int) -> bool:
    """Whether a query is long enough to read as a story (`Settings.long_query_words`; 0: never)."""
    return bool(long_query_words) and len(query.split()) > long_query_words


def the_ask(question: str) -> str:
    """The sentences of a question that ask something: in "Our lawyer wants to wait and I'm stuck. How do we
    respond step by step?", the second. A one-sentence question is all ask; without a question mark, the last
    sentence asks."""
    sentences = split_sentences(question)
    if len(sentences) <= 1:
        return question
    asking = [sentence for sentence in sentences if sentence.rstrip().endswith("?")]
    return " ".join(asking) if asking else sentences[-1]


def indexable_text(title: str, section: str | None, text: str) -> str:
    """What gets embedded for a chunk (and, with its document's summary, keyword-indexed: `keyword_text`): its
    title and section give it context."""
    head = title if not section or section == title else f"{title} — {section}"
    return f"{head}\n{text}"


def keyword_text(title: str, section: str | None, text: str, summary: str | None = None) -> str:
    """What BM25 indexes for a chunk: its indexable text and the summary of its document.

    A curator's one-line summary says what the whole document is about ("...staffing the wind-down, communicating
    inside the company and with the partner..."), in words a chunk deep inside it may not repeat. BM25 reads the
    summary as one more field of each of the document's chunks. The dense vector is made without it, so that it
    stays specific to its chunk and the chunks of one document do not all look alike."""
    indexed = indexable_text(title, section, text)
    return f"{summary}\n{indexed}" if summary else indexed
