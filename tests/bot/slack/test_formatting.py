from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.slack.formatting import (
    escape_mrkdwn,
    markdown_to_mrkdwn,
    mentions_user,
    split_text,
    strip_user_mention,
    truncate,
)


def test_escape_mrkdwn_escapes_only_the_three_control_characters() -> None:
    assert escape_mrkdwn("A&B <!channel> x>y *bold*") == "A&amp;B &lt;!channel&gt; x&gt;y *bold*"


def test_escape_is_not_applied_twice_by_accident() -> None:
    assert escape_mrkdwn("&amp;") == "&amp;amp;"  # literal text stays literal when shown


def test_strip_user_mention_removes_only_the_bot() -> None:
    text = "<@UCSBOT> how is <@U222> doing with <@UCSBOT|csbot>  Acme?"
    assert strip_user_mention(text, "UCSBOT") == "how is <@U222> doing with Acme?"
    assert mentions_user(text, "UCSBOT")
    assert not mentions_user("hello <@U222>", "UCSBOT")
    assert not mentions_user("hello", None)


def test_split_text_prefers_paragraphs_then_lines_then_words() -> None:
    paragraph = "word " * 500  # 2,500 chars
    chunks = split_text(f"{paragraph}\n\n{paragraph}", limit=3000)
    assert len(chunks) == 2
    assert all(len(chunk) <= 3000 for chunk in chunks)
    assert chunks[0] == paragraph.strip()


def test_split_text_cuts_a_single_huge_word_hard() -> None:
    chunks = split_text("x" * 7001, limit=3000)
    assert [len(c) for c in chunks] == [3000, 3000, 1001]


@given(st.text(min_size=0, max_size=4000), st.integers(min_value=5, max_value=500))
def test_split_text_never_exceeds_the_limit_and_keeps_every_word(text: str, limit: int) -> None:
    chunks = split_text(text, limit=limit)
    assert all(len(chunk) <= limit for chunk in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())


def test_truncate_marks_the_cut() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"


def test_markdown_to_mrkdwn_converts_llm_markdown_and_escapes_the_rest() -> None:
    source = "## Risks\n- **Usage** down <50%\n- see [the doc](https://x.test/a?b=1&c=2)"
    assert markdown_to_mrkdwn(source) == (
        "*Risks*\n• *Usage* down &lt;50%\n• see <https://x.test/a?b=1&c=2|the doc>"
    )
