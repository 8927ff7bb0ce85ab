"""The one chat-model client csbot uses, and the token arithmetic around it.

The concrete client is langchain's ``ChatOpenAI`` over the ``openai`` SDK, so any
OpenAI-compatible server (OpenAI, Azure OpenAI, vLLM, Ollama) works by setting
``OPENAI_BASE_URL``. Everything above this module talks to the small :class:`ChatModel`
protocol, so services and tests never depend on langchain's types.

Retries and backoff are the SDK's own (exponential with jitter, bounded by
``CSBOT_LLM_MAX_RETRIES``; it retries timeouts, connection errors, 408/409/429 and 5xx);
every failure that survives them becomes :class:`LlmUnavailable` with a short reason,
which callers turn into the template fallback.

langchain and the SDK are imported inside :func:`build_chat_model`, never at module import:
``csbot ask`` must start without them.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from bot.errors import IntegrationError

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)

Role = Literal["system", "user", "assistant"]

# Encodings tiktoken would otherwise download on first use; we only use one that is
# already in its cache, so counting tokens never touches the network.
_TIKTOKEN_BLOBS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}
# Chat formatting adds a few tokens per message (role markers, separators).
_TOKENS_PER_MESSAGE = 4
# English prose averages about four bytes per token with OpenAI's encodings; numbers,
# names and JSON punctuation are denser. Three bytes per token overestimates safely.
_BYTES_PER_TOKEN_ESTIMATE = 3


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class ChatReply:
    """What came back, with the accounting the audit log and the logs need."""

    text: str
    model: str
    prompt_tokens: int | None
    completion_tokens: int | None
    elapsed_ms: float


class ChatModel(Protocol):
    """Anything that turns messages into one reply; the OpenAI client is one of them."""

    @property
    def model_name(self) -> str: ...

    def complete(self, messages: Sequence[ChatMessage], *, purpose: str) -> ChatReply: ...


class LlmUnavailable(IntegrationError):
    """The model did not answer usefully after the bounded retries.

    ``reason`` is one short, user-safe word (``timeout``, ``server error``,
    ``unreachable``, ``rate limited``, ``rejected``) for the note beside a fallback.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"the language model is unavailable ({reason})")


# --------------------------------------------------------------------------- tokens
class TokenCounter:
    """Counts prompt tokens exactly when tiktoken's encoding is cached, else conservatively."""

    def __init__(self, encoding: Any | None = None) -> None:
        self._encoding = encoding

    @property
    def exact(self) -> bool:
        return self._encoding is not None

    def count(self, text: str) -> int:
        if self._encoding is not None:
            return len(self._encoding.encode(text, disallowed_special=()))
        return math.ceil(len(text.encode("utf-8")) / _BYTES_PER_TOKEN_ESTIMATE)

    def count_messages(self, messages: Sequence[ChatMessage]) -> int:
        return sum(self.count(message.content) + _TOKENS_PER_MESSAGE for message in messages)


def token_counter_for(model: str, *, cache_dir: Path | None = None) -> TokenCounter:
    """The best counter available offline for ``model``.

    tiktoken downloads its encodings on first use; a machine without the network (or a
    model tiktoken does not know, such as a local Llama) gets the conservative estimate.
    """
    encoding = _cached_tiktoken_encoding(model, str(cache_dir) if cache_dir else None)
    return TokenCounter(encoding)


@lru_cache(maxsize=8)
def _cached_tiktoken_encoding(model: str, cache_dir: str | None) -> Any | None:
    try:
        import tiktoken
    except ImportError:
        return None
    try:
        encoding_name = tiktoken.encoding_name_for_model(model)
    except KeyError:
        return None
    blob = _TIKTOKEN_BLOBS.get(encoding_name)
    if blob is None:
        return None
    folder = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "data-gym-cache"
    if not (folder / hashlib.sha1(blob.encode()).hexdigest()).is_file():
        return None
    try:
        return tiktoken.get_encoding(encoding_name)
    except Exception:  # noqa: BLE001 - a damaged cache means "estimate instead"
        logger.warning("tiktoken cache unusable", extra={"encoding": encoding_name})
        return None


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences (ends at . ! ? followed by space); keeps punctuation."""
    parts = [part.strip() for part in _SENTENCE_END.split(text.strip())]
    return [part for part in parts if part]


def truncate_at_sentence(text: str, max_chars: int) -> str:
    """The longest run of whole leading sentences that fits ``max_chars``.

    Returns an empty string when even the first sentence is too long: a quoted excerpt
    is either whole sentences or absent, never a fragment whose meaning may have flipped.
    """
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    kept: list[str] = []
    used = 0
    for sentence in split_sentences(text):
        extra = len(sentence) + (1 if kept else 0)
        if used + extra > max_chars:
            break
        kept.append(sentence)
        used += extra
    return " ".join(kept)


@dataclass(frozen=True, slots=True)
class PromptPiece:
    """One droppable unit of a prompt; lower ``priority`` numbers are kept longest."""

    key: str
    text: str
    priority: int


def fit_pieces_to_budget(
    pieces: Sequence[PromptPiece], budget_tokens: int, counter: TokenCounter
) -> tuple[list[PromptPiece], list[PromptPiece]]:
    """Keep pieces, in their original order, until they fit the token budget.

    Whole pieces are dropped, lowest priority first (the later of equals first), so no
    fact is ever cut mid-sentence.

    Returns:
        (kept, dropped), each in original order.
    """
    costs = [counter.count(piece.text) + 1 for piece in pieces]
    total = sum(costs)
    dropped: set[int] = set()
    drop_order = sorted(range(len(pieces)), key=lambda i: (pieces[i].priority, i), reverse=True)
    for index in drop_order:
        if total <= budget_tokens:
            break
        dropped.add(index)
        total -= costs[index]
    kept = [piece for i, piece in enumerate(pieces) if i not in dropped]
    gone = [piece for i, piece in enumerate(pieces) if i in dropped]
    return kept, gone


# --------------------------------------------------------------------------- client
class OpenAIChatModel:
    """:class:`ChatModel` over langchain's ``ChatOpenAI``; logs token usage per call."""

    def __init__(self, chat: Any, *, model_name: str, counter: TokenCounter) -> None:
        self._chat = chat
        self._model_name = model_name
        self.counter = counter

    @property
    def model_name(self) -> str:
        return self._model_name

    def complete(self, messages: Sequence[ChatMessage], *, purpose: str) -> ChatReply:
        """Send the messages and return the reply text.

        Raises:
            LlmUnavailable: after the SDK's retries, on timeout, connection failure,
                rate limiting, a 5xx, or a refused request.
        """
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        payload = [kinds[message.role](content=message.content) for message in messages]
        estimated = self.counter.count_messages(messages)
        started = time.perf_counter()
        try:
            result = self._chat.invoke(payload)
        except Exception as exc:  # noqa: BLE001 - mapped to one error type below
            elapsed = (time.perf_counter() - started) * 1000
            reason = _failure_reason(exc)
            logger.warning(
                "llm call failed",
                extra={
                    "llm_model": self._model_name,
                    "llm_purpose": purpose,
                    "llm_failure": reason,
                    "error_type": type(exc).__name__,
                    "elapsed_ms": round(elapsed, 1),
                },
            )
            raise LlmUnavailable(reason, type(exc).__name__) from exc
        elapsed = (time.perf_counter() - started) * 1000
        usage = getattr(result, "usage_metadata", None) or {}
        metadata = getattr(result, "response_metadata", None) or {}
        reply = ChatReply(
            text=_content_text(result.content),
            model=str(metadata.get("model_name") or self._model_name),
            prompt_tokens=usage.get("input_tokens"),
            completion_tokens=usage.get("output_tokens"),
            elapsed_ms=elapsed,
        )
        logger.info(
            "llm call finished",
            extra={
                "llm_model": reply.model,
                "llm_purpose": purpose,
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "total_tokens": usage.get("total_tokens"),
                "estimated_prompt_tokens": estimated,
                "token_count_exact": self.counter.exact,
                "elapsed_ms": round(elapsed, 1),
            },
        )
        return reply


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = [part.get("text", "") if isinstance(part, dict) else str(part) for part in content]
    return "".join(parts)


def _failure_reason(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "unreachable"
    if isinstance(exc, openai.RateLimitError):
        return "rate limited"
    if isinstance(exc, openai.InternalServerError):
        return "server error"
    if isinstance(exc, openai.APIStatusError):
        return "server error" if exc.status_code >= 500 else "rejected"
    return "error"


# A local server (Ollama, vLLM) needs no key, but the SDK insists on one.
_NO_KEY_PLACEHOLDER = "not-needed"


def build_chat_model(settings: Settings) -> ChatModel | None:
    """The configured chat model, or None when no LLM is configured (template drafts).

    Only the chat-completions API is used (``use_responses_api=False``): it is the one
    every OpenAI-compatible server implements.
    """
    chat = build_langchain_chat(settings)
    if chat is None:
        return None
    counter = token_counter_for(settings.llm_model, cache_dir=settings.tiktoken_cache_dir)
    logger.info(
        "llm client ready",
        extra={
            "llm_model": settings.llm_model,
            "llm_base_url": settings.openai_base_url or "https://api.openai.com/v1",
            "llm_timeout_s": settings.llm_timeout_seconds,
            "llm_max_retries": settings.llm_max_retries,
            "token_count_exact": counter.exact,
        },
    )
    return OpenAIChatModel(chat, model_name=settings.llm_model, counter=counter)


def build_langchain_chat(settings: Settings) -> Any | None:
    """The configured langchain ``ChatOpenAI`` (None without an LLM).

    Shared by the drafting client above and the question router, which binds tools
    to it (``bind_tools``) so the model picks a typed query instead of writing text.
    """
    if not settings.llm_enabled:
        return None
    from langchain_openai import ChatOpenAI

    api_key = (
        settings.openai_api_key.get_secret_value()
        if settings.openai_api_key is not None
        else _NO_KEY_PLACEHOLDER
    )
    return ChatOpenAI(
        model=settings.llm_model,
        api_key=api_key,  # type: ignore[arg-type]
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
        use_responses_api=False,
        stream_usage=False,
    )
