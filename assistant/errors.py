"""Domain errors: the user's mistakes apart from failures at run time.

The web layer maps each to a status code; services never raise HTTP errors.
"""


class AssistantError(Exception):
    """Base of every error the core raises on purpose."""


class UserError(AssistantError):
    """The request itself is wrong; retrying it unchanged will fail again."""


class InvalidQuestion(UserError):
    pass


class DocumentNotFound(UserError):
    pass


class UnsupportedFormat(UserError):
    pass


class EmptyDocument(UserError):
    pass


class FileTooLarge(UserError):
    pass


class CorruptDocument(UserError):
    pass


class KnowledgeBaseEmpty(AssistantError):
    pass


class ProviderUnavailable(AssistantError):
    """An LLM provider failed or timed out."""
