"""API keys: curator keys for writes, optional reader keys for reads, compared in constant time.

Keys come from settings or the curator key file in the data dir; they are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from assistant.settings import Settings, split_keys

log = logging.getLogger(__name__)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def ensure_curator_key_file(settings: Settings) -> Path | None:
    """Create a curator key readable only by its owner, unless keys come from settings or it exists."""
    path = settings.curator_key_file
    if split_keys(settings.curator_keys) or path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(32) + "\n")
    return path


def _read_key_file(path: Path) -> list[str]:
    try:
        return [line.strip() for line in path.read_text().splitlines() if line.strip()]
    except FileNotFoundError:
        return []


@dataclass(frozen=True)
class KeyRing:
    curator: tuple[bytes, ...]
    reader: tuple[bytes, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        curator = split_keys(settings.curator_keys) + _read_key_file(settings.curator_key_file)
        return cls(tuple(map(_digest, curator)), tuple(map(_digest, split_keys(settings.api_keys))))

    @property
    def readers_required(self) -> bool:
        return bool(self.reader)

    @staticmethod
    def _matches(key: str, keys: tuple[bytes, ...]) -> bool:
        # Compare against every key, always, so timing says nothing about which or whether one matched.
        presented = _digest(key)
        found = False
        for candidate in keys:
            found |= hmac.compare_digest(presented, candidate)
        return found

    def is_curator(self, key: str | None) -> bool:
        return key is not None and self._matches(key, self.curator)

    def is_reader(self, key: str | None) -> bool:
        return key is not None and (self._matches(key, self.reader) | self._matches(key, self.curator))
