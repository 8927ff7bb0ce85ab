"""Ask csbot from the terminal: ``csbot ask`` (one question or a file) and ``csbot chat``.

Both run exactly the pipeline Slack uses (:func:`bot.services.answers.pipeline.answer_question`)
as a given Slack user, so permissions and answers match what that person would
see in Slack. Imports stay light: no torch, chromadb or scikit-learn on this
path, so ``csbot ask`` answers in well under two seconds from a cold start.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.context import cli_services, fail

if TYPE_CHECKING:
    from bot.services import Services
    from bot.services.answers.types import Answer

CHAT_EXIT_WORDS = frozenset({"quit", "exit", "bye", ":q"})
CHAT_MORE_WORDS = frozenset({"more", "next", "show more"})


def register(app: typer.Typer) -> None:
    app.command("ask")(ask_command)
    app.command("chat")(chat_command)


AsUser = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Answer as this person (their permissions apply): a Slack user id, an email "
        "or a CSM's name. Default: the first admin, else the first CSM with a Slack id.",
    ),
]


def ask_command(
    question: Annotated[str | None, typer.Argument(help="The question, in quotes.")] = None,
    as_user: AsUser = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="A file of questions, one per line (blank lines skipped)."),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help='One JSON object per answer: {"question", "text", "blocks"}.'),
    ] = False,
    page: Annotated[int, typer.Option("--page", min=0, help="Page of a long list.")] = 0,
) -> None:
    """Answer a question (or every line of --file) as a Slack user would see it."""
    if (question is None) == (file is None):
        raise fail("give either a QUESTION or --file FILE (not both)", code=2)
    questions = list(_read_questions(file)) if file is not None else [question or ""]
    services = _question_services()
    user = _viewer_slack_id(services, as_user)
    for text in questions:
        answer = _ask(services, text, user, page=page)
        if as_json:
            payload = {"question": text, "text": answer.text, "blocks": answer.blocks}
            typer.echo(json.dumps(payload, ensure_ascii=False, default=str))
        else:
            if len(questions) > 1:
                typer.echo(f"» {text}")
            typer.echo(answer.text)
            if answer.has_more:
                typer.echo(f"(more: csbot ask {json.dumps(text)} --page {page + 1})")
            if len(questions) > 1:
                typer.echo("")


def chat_command(as_user: AsUser = None) -> None:
    """An interactive chat in the terminal (type 'more' for the next page, 'quit' to leave)."""
    with contextlib.suppress(ImportError):  # not on every platform
        import readline  # noqa: F401 - line editing and history for input()
    services = _question_services()
    from bot.log_config import quiet_console_for_chat

    quiet_console_for_chat()
    user = _viewer_slack_id(services, as_user)
    typer.echo(f"csbot chat as {user} — ask about your accounts ('help', 'more', 'quit').")
    session = ChatSession(services=services, slack_user_id=user)
    while True:
        try:
            line = input("you> ")
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        if line.strip().lower() in CHAT_EXIT_WORDS:
            return
        reply = session.respond(line)
        if reply:
            typer.echo(reply)
            typer.echo("")


class ChatSession:
    """The terminal's conversation state: the account being discussed, paging, choices.

    This mirrors what a Slack thread gives: follow-ups ("and their tickets?")
    stay on the last account, "more" pages the last list, and a number picks
    one of the accounts offered when a name was ambiguous.
    """

    def __init__(self, *, services: Services, slack_user_id: str) -> None:
        self.services = services
        self.slack_user_id = slack_user_id
        self.account_id: str | None = None
        self.last_question: str | None = None
        self.last_answer: Answer | None = None

    def respond(self, line: str) -> str:
        text = line.strip()
        if not text:
            return ""
        last = self.last_answer
        if text.lower() in CHAT_MORE_WORDS and last is not None and self.last_question:
            if not last.has_more:
                return "That was everything."
            return self._ask(self.last_question, page=last.page + 1)
        if last is not None and last.choices and text.isdigit():
            position = int(text) - 1
            if 0 <= position < len(last.choices) and self.last_question:
                return self._ask(self.last_question, account_id=last.choices[position][0])
        return self._ask(text)

    def _ask(self, text: str, *, page: int = 0, account_id: str | None = None) -> str:
        answer = _ask(
            self.services,
            text,
            self.slack_user_id,
            page=page,
            account_id=account_id,
            context_account_id=self.account_id,
        )
        self.last_question = text
        self.last_answer = answer
        if answer.account_id:
            self.account_id = answer.account_id
        lines = [answer.text]
        if answer.choices:
            lines.append(
                "Pick one: "
                + "  ".join(f"[{n}] {name}" for n, (_, name) in enumerate(answer.choices, start=1))
            )
        if answer.has_more:
            lines.append("(type 'more' for the next page)")
        return "\n".join(lines)


def _ask(
    services: Services,
    text: str,
    slack_user_id: str,
    *,
    page: int = 0,
    account_id: str | None = None,
    context_account_id: str | None = None,
) -> Answer:
    from bot.services.answers.pipeline import Question, answer_question

    return answer_question(
        services,
        Question(
            text=text,
            slack_user_id=slack_user_id,
            channel_type="cli",
            page=page,
            account_id=account_id,
            context_account_id=context_account_id,
        ),
    )


def _question_services() -> Services:
    """Services without the Alembic round trip (about half a second of start-up).

    Answering reads the store and appends audit records; a store that has those
    tables can answer, and a brand-new one is migrated first. Schema upgrades
    are ``csbot init``'s job (and every other command's).
    """
    from bot.db.queries.schema import has_answer_tables

    services = cli_services(migrate=False)
    if not has_answer_tables(services.engine):
        from bot.db.migrate import upgrade_to_head

        upgrade_to_head(services.engine)
    return services


def _read_questions(path: Path) -> Iterator[str]:
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror or exc}", code=2) from None
    for line in content.splitlines():
        if line.strip():
            yield line.strip()


def _viewer_slack_id(services: Services, as_user: str | None) -> str:
    """The Slack id to answer as: the person ``--as`` names, or the store's admin/first CSM.

    An unknown person, a shared first name, or a CSM without a Slack id ends the
    command with status 2 and the forms ``--as`` accepts.
    """
    from bot.db.session import unit_of_work

    if as_user is not None:
        from bot.services.accounts.people import PERSON_FORMS, find_person

        with unit_of_work(services.session_factory) as session:
            found = find_person(session, as_user)
        if not found.matches:
            raise fail(f"--as {as_user!r}: no such person; give {PERSON_FORMS}", code=2)
        if len(found.matches) > 1:
            names = ", ".join(f"{c.name} ({c.slack_user_id or c.csm_id})" for c in found.matches)
            raise fail(f"--as {as_user!r} matches several people: {names}; be more specific", 2)
        [person] = found.matches
        if person.slack_user_id is None:
            raise fail(
                f"--as {as_user!r}: {person.name} has no Slack user id in the store, so csbot "
                f"cannot answer as them; give {PERSON_FORMS}",
                code=2,
            )
        return person.slack_user_id
    from bot.db.queries.csms import default_chat_user

    with unit_of_work(services.session_factory) as session:
        csm = default_chat_user(session=session)
    if csm is None or csm.slack_user_id is None:
        raise fail(
            "no CSM with a Slack user id in the store; import data (csbot import / csbot demo) "
            "or pass --as SLACK_USER_ID",
            code=2,
        )
    return csm.slack_user_id
