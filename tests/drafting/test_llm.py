"""The LLM client pieces: token budget, sentence-safe trimming, configuration, failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.llm import (
    ChatMessage,
    LlmUnavailable,
    PromptPiece,
    TokenCounter,
    build_chat_model,
    fit_pieces_to_budget,
    token_counter_for,
    truncate_at_sentence,
)
from tests.conftest import make_settings
from tests.support.fake_openai import FakeOpenAI, ServerError


def test_pieces_are_dropped_whole_lowest_priority_first_and_keep_their_order():
    counter = TokenCounter()
    pieces = [
        PromptPiece("a", "x" * 30, 1),
        PromptPiece("b", "y" * 30, 4),
        PromptPiece("c", "z" * 30, 2),
        PromptPiece("d", "w" * 30, 4),
    ]
    each = counter.count("x" * 30) + 1

    kept, dropped = fit_pieces_to_budget(pieces, 2 * each, counter)

    assert [p.key for p in kept] == ["a", "c"] and [p.key for p in dropped] == ["b", "d"]
    kept, dropped = fit_pieces_to_budget(pieces, 3 * each, counter)
    assert [p.key for p in kept] == ["a", "b", "c"] and [p.key for p in dropped] == ["d"]


def test_quotes_are_truncated_at_sentence_ends_only():
    text = "First point here. Second point is longer! Third? Fourth."

    assert truncate_at_sentence(text, 200) == text
    assert truncate_at_sentence(text, 45) == "First point here. Second point is longer!"
    assert truncate_at_sentence(text, 10) == ""


def test_the_estimate_is_used_offline_and_is_conservative(tmp_path: Path):
    counter = token_counter_for("gpt-4o-mini", cache_dir=tmp_path)  # empty cache: no download

    assert not counter.exact
    prose = "The renewal conversation is planned for next month with the finance team."
    assert counter.count(prose) >= len(prose.split())  # never fewer tokens than words
    assert counter.count_messages([ChatMessage("user", prose)]) == counter.count(prose) + 4
    assert not token_counter_for("llama3:8b").exact  # tiktoken cannot know a local model


def test_no_llm_settings_means_no_chat_model(tmp_path: Path):
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path}/x.db")

    assert build_chat_model(settings) is None


def test_a_local_server_needs_no_api_key(tmp_path: Path, fake_openai: FakeOpenAI):
    settings = make_settings(
        tmp_path, f"sqlite:///{tmp_path}/x.db", OPENAI_BASE_URL=fake_openai.base_url
    )
    fake_openai.script("pong")

    model = build_chat_model(settings)

    assert model is not None
    reply = model.complete([ChatMessage("user", "ping")], purpose="test")
    assert reply.text == "pong" and reply.model == "gpt-4o-mini"
    [request] = fake_openai.chat_requests()
    assert request.headers["authorization"] == "Bearer not-needed"


@pytest.mark.parametrize(
    ("status", "reason"), [(500, "server error"), (429, "rate limited"), (401, "rejected")]
)
def test_failures_become_llm_unavailable_with_a_short_reason(
    tmp_path: Path, fake_openai: FakeOpenAI, status: int, reason: str
):
    settings = make_settings(
        tmp_path,
        f"sqlite:///{tmp_path}/x.db",
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=fake_openai.base_url,
        CSBOT_LLM_MAX_RETRIES=0,
    )
    fake_openai.script(ServerError(status))
    model = build_chat_model(settings)
    assert model is not None

    with pytest.raises(LlmUnavailable) as failure:
        model.complete([ChatMessage("user", "hello")], purpose="test")

    assert failure.value.reason == reason
    assert str(failure.value) == f"the language model is unavailable ({reason})"


def test_an_unreachable_server_is_reported_as_unreachable(tmp_path: Path):
    with FakeOpenAI() as server:
        base_url = server.base_url  # the port is free again once the server stops
    settings = make_settings(
        tmp_path,
        f"sqlite:///{tmp_path}/x.db",
        OPENAI_BASE_URL=base_url,
        CSBOT_LLM_MAX_RETRIES=0,
    )
    model = build_chat_model(settings)
    assert model is not None

    with pytest.raises(LlmUnavailable) as failure:
        model.complete([ChatMessage("user", "hello")], purpose="test")

    assert failure.value.reason == "unreachable"
