"""Answer composers: they turn retrieved passages into sentences that each name a supporting passage."""

from assistant.composers.base import Cited, Composer, Composition, cite, compose
from assistant.composers.extractive import ExtractiveComposer

__all__ = ["Cited", "Composer", "Composition", "ExtractiveComposer", "cite", "compose"]
