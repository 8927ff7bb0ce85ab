"""The csbot error taxonomy: every error a user may see carries user-safe text."""

from __future__ import annotations


class CSBotError(Exception):
    """Base for errors csbot raises on purpose."""


class ConfigurationError(CSBotError):
    """A setting is missing or malformed; raised at start-up, never mid-request."""


class UserFacingError(CSBotError):
    """An error whose message is safe and useful to show to the person who asked."""


class AccountNotFound(UserFacingError):
    """No account matched; ``suggestions`` holds close names to offer instead."""

    def __init__(self, query: str, suggestions: list[str] | None = None) -> None:
        self.query = query
        self.suggestions = suggestions or []
        hint = f" — did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"No account named “{query}”{hint}")


class AmbiguousAccount(UserFacingError):
    """Several accounts matched equally well; the caller should let the user choose."""

    def __init__(self, query: str, candidates: list[tuple[str, str]]) -> None:
        self.query = query
        self.candidates = candidates  # (account_id, name)
        names = ", ".join(name for _, name in candidates)
        super().__init__(f"“{query}” matches several accounts: {names}")


class PermissionDenied(UserFacingError):
    """The Slack user may not see or do this."""


class ImportFailed(CSBotError):
    """A contract import was refused; ``problems`` lists every bad row as text."""

    def __init__(self, problems: list[str], truncated: int = 0) -> None:
        self.problems = problems
        self.truncated = truncated
        more = f" (+{truncated} more)" if truncated else ""
        super().__init__(f"import refused: {len(problems)} problem(s){more}")


class IntegrationError(CSBotError):
    """An external system (Slack, the LLM, Chroma) failed in a way we could not hide."""
