"""Everything the faces share, built once per app by `build_services(settings)`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from assistant.feedback import FeedbackStore
from assistant.passages import Answer
from assistant.service import Assistant
from assistant.settings import Settings
from ingest.sync import Source, Syncer, SyncReport
from web.ratelimit import RateLimiter
from web.security import KeyRing


@dataclass
class Services:
    settings: Settings
    assistant: Assistant
    syncer: Syncer
    keys: KeyRing
    limiter: RateLimiter
    feedback: FeedbackStore
    corpus_dir: Path | None = None
    _remove_lock: threading.Lock = field(default_factory=threading.Lock)

    def upload(self, files: list[tuple[str, bytes]]) -> SyncReport:
        return self.syncer.sync([Source(source=name, data=data) for name, data in files])

    def remove(self, doc_id: str) -> int:
        kb = self.assistant.kb
        with kb.writing():
            return kb.remove_document(doc_id)

    def record_decline(self, question: str, answer: Answer) -> None:
        if answer.abstained:
            self.feedback.add("declined", question.strip(), answer.answer)

    def reload_keys(self) -> None:
        self.keys = KeyRing.from_settings(self.settings)


def build_services(settings: Settings, corpus_dir: Path | None = None) -> Services:
    assistant = Assistant(settings)
    return Services(
        settings=settings,
        assistant=assistant,
        syncer=Syncer(assistant.kb, assistant.embedder, settings),
        keys=KeyRing.from_settings(settings),
        limiter=RateLimiter(settings.rate_limit_per_minute),
        feedback=FeedbackStore(settings.feedback_path),
        corpus_dir=corpus_dir,
    )
