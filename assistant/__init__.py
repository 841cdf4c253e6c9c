"""The core of the alliance assistant: knowledge base, retrieval and cited answers.

Nothing here reads the environment or loads a model at import time.
"""
