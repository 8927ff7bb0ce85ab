"""Errors raised by the knowledge layer; bot code turns them into user-facing messages.

The knowledge package may not import ``bot``, so it has its own small taxonomy whose
messages already say *what* is wrong and *where* (file, line, field).
"""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class for problems the knowledge layer reports on purpose."""


class PlaybookError(KnowledgeError):
    """A playbook file is invalid; the message names the file and the problem."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class EmbeddingModelUnavailable(KnowledgeError):
    """The bundled sentence-transformers model could not be found or loaded."""


class VectorStoreError(KnowledgeError):
    """The vector store refused an operation (wrong dimension, unreachable server)."""
