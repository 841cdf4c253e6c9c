"""The value objects that flow from retrieval to answers: passages, citations and answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.catalog import StoredChunk


@dataclass
class Filters:
    doc_types: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    lifecycle: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.doc_types or self.topics or self.lifecycle)

    def admits(self, doc_type: str, topics: list[str], lifecycle: str | None) -> bool:
        return (
            (not self.doc_types or doc_type in self.doc_types)
            and (not self.topics or bool(set(topics) & set(self.topics)))
            and (not self.lifecycle or lifecycle in self.lifecycle)
        )

    def chroma_where(self) -> dict | None:
        clauses: list[dict] = []
        if self.doc_types:
            clauses.append({"doc_type": {"$in": self.doc_types}})
        if self.lifecycle:
            clauses.append({"lifecycle": {"$in": self.lifecycle}})
        if self.topics:
            topic_clauses: list[dict] = [{"topics": {"$contains": t}} for t in self.topics]
            clauses.append(topic_clauses[0] if len(topic_clauses) == 1 else {"$or": topic_clauses})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass
class Passage:
    chunk_id: str
    doc_id: str
    title: str
    source: str
    section: str | None
    page: int | None
    doc_type: str
    topics: list[str]
    lifecycle: str | None
    text: str
    score: float = 0.0
    dense: float | None = None
    keyword: float | None = None
    ask: float | None = None
    """For a story, the passage's similarity to its asking sentences (see `Retriever._read_against_the_ask`)."""

    @classmethod
    def of(cls, hit: StoredChunk, score: float, dense: float | None = None, keyword: float | None = None) -> Passage:
        c = hit.chunk
        return cls(
            chunk_id=c.chunk_id,
            doc_id=c.doc_id,
            title=hit.title,
            source=hit.source,
            section=c.section,
            page=c.page,
            doc_type=hit.doc_type,
            topics=hit.topics,
            lifecycle=hit.lifecycle,
            text=c.text,
            score=score,
            dense=dense,
            keyword=keyword,
        )


@dataclass
class Citation:
    index: int
    passage: Passage
    snippet: str


@dataclass
class Answer:
    answer: str
    citations: list[Citation]
    abstained: bool
    query: str
    composer: str = "extractive"
    degraded: bool = False
    degraded_reason: str | None = None
