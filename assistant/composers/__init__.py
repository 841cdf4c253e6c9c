"""Answer composers: they turn retrieved passages into an answer with `[n]` citations."""

from assistant.composers.base import Composer, Composition, cite
from assistant.composers.extractive import ExtractiveComposer

__all__ = ["Composer", "Composition", "ExtractiveComposer", "cite"]
